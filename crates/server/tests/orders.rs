//! Orders: refs, pipeline, views, balances.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::{TestApp, on_every_backend};
use serde_json::{Value, json};
use std::sync::Arc;

fn at(hours: i64) -> String {
    (Utc::now() + Duration::hours(hours)).to_rfc3339()
}

/// Records a payment straight in the store (the payments API comes later).
async fn pay(
    app: &TestApp,
    tenant: domain::TenantId,
    order: domain::OrderId,
    customer: &str,
    amount: i64,
    (kind, provider, reference, status): (&str, &str, &str, &str),
) {
    let new = store::payments::NewPayment {
        order_id: order,
        customer_id: customer.parse().unwrap(),
        amount,
        currency: domain::Currency::parse("NGN").unwrap(),
        kind,
        provider,
        provider_ref: Some(reference),
        status: status.to_string().try_into().unwrap(),
        confirmed_by: None,
    };
    store::payments::insert(&app.state.db, tenant, &new)
        .await
        .unwrap();
}

fn refs(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["order_ref"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_order_gets_a_ref_the_current_measurements_and_a_balance() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("funmi", "tailor").await;
        let c = app.customer(&o, "Amaka", "08031234567").await;
        let cid = c["id"].as_str().unwrap();
        let m = app.post(&format!("/api/v1/customers/{cid}/measurements"), &o.token, json!({"chest": 38})).await;
        let order = app
            .order(&o, cid, json!({"style_name": "Ankara midi dress", "deadline": "2026-12-12", "fabric_info": "6 yards ankara"}))
            .await;
        assert_eq!(order["order_ref"], "SEW-0001");
        assert_eq!(order["measurement_id"], m.body["id"], "current version attached by default");
        assert_eq!(order["current_stage"], "received");
        assert_eq!(order["currency"], "NGN");
        assert_eq!(order["balance_due"], 4_500_000);
        assert_eq!(order["source"], "dashboard");
        // A date deadline is the end of that day in Lagos (UTC+1).
        assert_eq!(order["deadline"], "2026-12-12T22:59:59Z");
        assert_eq!(order["stages"].as_array().unwrap().len(), 1);
        assert_eq!(order["allowed_stages"], json!(["cutting", "cancelled"]));

        let none = app.order(&o, cid, json!({"measurement_id": null})).await;
        assert_eq!(none["order_ref"], "SEW-0002");
        assert!(none["measurement_id"].is_null());

        let customer = app.get(&format!("/api/v1/customers/{cid}"), &o.token).await;
        assert_eq!(customer.body["total_orders"], 2);
        assert!(customer.body["last_order_at"].is_string());

        // A paid deposit lowers the balance and counts as spent.
        let oid: domain::OrderId = order["id"].as_str().unwrap().parse().unwrap();
        let tenant: domain::TenantId = o.tenant_id.parse().unwrap();
        pay(&app, tenant, oid, cid, 1_500_000, ("deposit", "transfer", "T-1", "paid")).await;
        pay(&app, tenant, oid, cid, 3_000_000, ("balance", "paystack", "P-1", "pending")).await;
        let after = app.get(&format!("/api/v1/orders/{}", order["id"].as_str().unwrap()), &o.token).await;
        assert_eq!(after.body["amount_paid"], 1_500_000, "pending payments do not count");
        assert_eq!(after.body["balance_due"], 3_000_000);
        let customer = app.get(&format!("/api/v1/customers/{cid}"), &o.token).await;
        assert_eq!(customer.body["total_spent"], 1_500_000);

        // A patch is checked against the stored values it leaves unchanged.
        let too_big = app.patch(&format!("/api/v1/orders/{}", oid), &o.token, json!({"deposit_amount": 5_000_000})).await;
        assert_eq!(too_big.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(too_big.field("deposit_amount").is_some());
        // Price drops below what was paid: the balance is zero, not negative.
        let cheaper = app.patch(&format!("/api/v1/orders/{}", oid), &o.token, json!({"price": 1_000_000, "deposit_amount": 0})).await;
        assert_eq!(cheaper.status, StatusCode::OK, "{:?}", cheaper.body);
        assert_eq!(cheaper.body["balance_due"], 0);
    })
    .await;
}

#[tokio::test]
async fn bad_orders_are_refused_whole() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("strict", "tailor").await;
        let c = app.customer(&o, "Amaka", "08031234567").await;
        let cid = c["id"].as_str().unwrap();
        let bad = app
            .post(
                "/api/v1/orders",
                &o.token,
                json!({"customer_id": cid, "price": -5, "deposit_amount": 10, "quantity": 0, "deadline": "next week",
                       "reference_images": ["ftp://x"]}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["price", "deposit_amount", "quantity", "deadline", "reference_images[0]"] {
            assert!(bad.field(f).is_some(), "{f}: {:?}", bad.body);
        }
        let bad_stage = app.post("/api/v1/orders", &o.token, json!({"customer_id": cid, "source": "fax"})).await;
        assert_eq!(bad_stage.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad_stage.field("source").is_some());
        let ghost = app.post("/api/v1/orders", &o.token, json!({"customer_id": uuid::Uuid::now_v7()})).await;
        assert_eq!(ghost.status, StatusCode::NOT_FOUND);
        // None of that consumed an order number.
        let first = app.order(&o, cid, json!({})).await;
        assert_eq!(first["order_ref"], "SEW-0001");
    })
    .await;
}

#[tokio::test]
async fn stages_follow_the_pipeline_with_history() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("pipeline", "tailor").await;
        let c = app.customer(&o, "Amaka", "08031234567").await;
        let order = app.order(&o, c["id"].as_str().unwrap(), json!({})).await;
        let path = format!("/api/v1/orders/{}/stage", order["id"].as_str().unwrap());

        let skip = app.patch(&path, &o.token, json!({"stage": "ready"})).await;
        assert_eq!(skip.status, StatusCode::CONFLICT);
        assert_eq!(skip.code(), "invalid_transition");
        assert!(
            skip.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("allowed: cutting, cancelled")
        );
        let foreign = app
            .patch(&path, &o.token, json!({"stage": "preparing"}))
            .await;
        assert_eq!(foreign.status, StatusCode::CONFLICT);
        assert_eq!(foreign.code(), "invalid_stage");
        let unknown = app
            .patch(&path, &o.token, json!({"stage": "teleported"}))
            .await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Deposit first: work waits for the deposit unless staff override.
        let early = app.patch(&path, &o.token, json!({"stage": "cutting"})).await;
        assert_eq!(early.status, StatusCode::CONFLICT, "{:?}", early.body);
        assert_eq!(early.code(), "deposit_due");
        for stage in ["cutting", "sewing", "ready", "delivered"] {
            let r = app
                .patch(
                    &path,
                    &o.token,
                    json!({"stage": stage, "note": format!("to {stage}"), "override_deposit": true, "override_balance": true}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{stage}: {:?}", r.body);
            assert_eq!(r.body["current_stage"], stage);
        }
        let detail = app
            .get(
                &format!("/api/v1/orders/{}", order["id"].as_str().unwrap()),
                &o.token,
            )
            .await;
        let stages = detail.body["stages"].as_array().unwrap();
        let names: Vec<_> = stages
            .iter()
            .map(|s| s["stage"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            vec!["received", "cutting", "sewing", "ready", "delivered"]
        );
        assert_eq!(
            stages.iter().filter(|s| s["exited_at"].is_null()).count(),
            1,
            "only the last is open"
        );
        assert!(stages[1]["exited_at"].is_string());
        assert_eq!(stages[1]["changed_by"], json!(o.user_id));
        assert_eq!(stages[2]["note"], "to sewing");
        assert_eq!(detail.body["allowed_stages"], json!([]));
        let after_done = app.patch(&path, &o.token, json!({"stage": "ready"})).await;
        assert_eq!(
            after_done.status,
            StatusCode::CONFLICT,
            "delivered is final"
        );

        // Cancelling takes the order out of the customer's count.
        let second = app.order(&o, c["id"].as_str().unwrap(), json!({})).await;
        let p2 = format!("/api/v1/orders/{}/stage", second["id"].as_str().unwrap());
        assert_eq!(
            app.patch(&p2, &o.token, json!({"stage": "cancelled"}))
                .await
                .status,
            StatusCode::OK
        );
        let customer = app
            .get(
                &format!("/api/v1/customers/{}", c["id"].as_str().unwrap()),
                &o.token,
            )
            .await;
        assert_eq!(customer.body["total_orders"], 1);
    })
    .await;
}

#[tokio::test]
async fn lists_filter_and_views_mean_what_a_tailor_means() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("views", "tailor").await;
        let amaka = app.customer(&o, "Amaka", "08031234567").await;
        let ngozi = app.customer(&o, "Ngozi", "08059876543").await;
        let (a, n) = (amaka["id"].as_str().unwrap(), ngozi["id"].as_str().unwrap());
        let overdue = app.order(&o, a, json!({"deadline": at(-3)})).await; // SEW-0001
        let soon = app.order(&o, a, json!({"deadline": at(30)})).await; // SEW-0002
        let later = app
            .order(&o, n, json!({"deadline": at(100), "source": "whatsapp"}))
            .await; // SEW-0003
        let done = app.order(&o, n, json!({"deadline": at(-5)})).await; // SEW-0004
        let ready_soon = app.order(&o, n, json!({"deadline": at(20)})).await; // SEW-0005
        app.order(&o, n, json!({})).await; // SEW-0006, no deadline
        let walk = |order: &Value, stages: &[&str]| {
            let path = format!("/api/v1/orders/{}/stage", order["id"].as_str().unwrap());
            let stages: Vec<String> = stages.iter().map(|s| s.to_string()).collect();
            let (app, token) = (&app, o.token.clone());
            async move {
                for s in stages {
                    assert_eq!(
                        app.patch(
                            &path,
                            &token,
                            json!({"stage": s, "override_deposit": true, "override_balance": true})
                        )
                        .await
                        .status,
                        StatusCode::OK
                    );
                }
            }
        };
        walk(&done, &["cutting", "sewing", "ready", "delivered"]).await;
        walk(&ready_soon, &["cutting", "sewing", "ready"]).await;

        let today = app.get("/api/v1/orders/today", &o.token).await;
        assert_eq!(
            refs(&today.body["items"]),
            vec!["SEW-0001"],
            "overdue and not delivered"
        );
        let urgent = app.get("/api/v1/orders/urgent", &o.token).await;
        assert_eq!(
            refs(&urgent.body["items"]),
            vec!["SEW-0001", "SEW-0002"],
            "due within 48h and not ready, by deadline"
        );

        let all = app.get("/api/v1/orders", &o.token).await;
        assert_eq!(refs(&all.body["items"]).len(), 6);
        assert_eq!(refs(&all.body["items"])[0], "SEW-0006", "newest first");
        let by_customer = app
            .get(&format!("/api/v1/orders?customer_id={n}"), &o.token)
            .await;
        assert_eq!(
            refs(&by_customer.body["items"]),
            vec!["SEW-0006", "SEW-0005", "SEW-0004", "SEW-0003"]
        );
        let by_stage = app.get("/api/v1/orders?stage=ready", &o.token).await;
        assert_eq!(refs(&by_stage.body["items"]), vec!["SEW-0005"]);
        let by_source = app.get("/api/v1/orders?source=whatsapp", &o.token).await;
        assert_eq!(refs(&by_source.body["items"]), vec!["SEW-0003"]);
        let due = app
            .get(
                &format!("/api/v1/orders?due_before={}", urlenc(&at(24))),
                &o.token,
            )
            .await;
        assert_eq!(
            refs(&due.body["items"]),
            vec!["SEW-0005", "SEW-0004", "SEW-0001"]
        );
        let cust_orders = app
            .get(&format!("/api/v1/customers/{a}/orders?limit=1"), &o.token)
            .await;
        assert_eq!(refs(&cust_orders.body["items"]), vec!["SEW-0002"]);
        let next = cust_orders.body["next_cursor"].as_str().unwrap();
        let page2 = app
            .get(
                &format!("/api/v1/customers/{a}/orders?limit=1&cursor={next}"),
                &o.token,
            )
            .await;
        assert_eq!(refs(&page2.body["items"]), vec!["SEW-0001"]);
        assert!(page2.body["next_cursor"].is_null());
        let bad = app.get("/api/v1/orders?due_before=someday", &o.token).await;
        assert!(bad.field("due_before").is_some());
        let _ = (overdue, soon, later);
    })
    .await;
}

fn urlenc(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn concurrent_creates_get_unique_gap_free_refs() {
    on_every_backend(|app: TestApp| async move {
        let o = app.register("busy", "restaurant").await;
        let c = app.customer(&o, "Lucía", "11 2345-6789").await;
        assert_eq!(c["phone"], "+5491123456789");
        let app = Arc::new(app);
        let mut tasks = Vec::new();
        for _ in 0..24 {
            let (app, o, cid) = (
                app.clone(),
                o.clone(),
                c["id"].as_str().unwrap().to_string(),
            );
            tasks.push(tokio::spawn(async move {
                app.order(&o, &cid, json!({})).await["order_ref"]
                    .as_str()
                    .unwrap()
                    .to_string()
            }));
        }
        let mut got = Vec::new();
        for t in tasks {
            got.push(t.await.unwrap());
        }
        got.sort();
        let expected: Vec<String> = (1..=24).map(|i| format!("PED-{i:04}")).collect();
        assert_eq!(got, expected, "every number once, none skipped");
        let customer = app
            .get(
                &format!("/api/v1/customers/{}", c["id"].as_str().unwrap()),
                &o.token,
            )
            .await;
        assert_eq!(customer.body["total_orders"], 24);
    })
    .await;
}
