//! The dashboard's Payments and Stock pages on both backends: what is owed
//! adds up to the orders' balances, a payment link reaches the customer's
//! chat, cash is recorded only when the amount is right, receipts and
//! adjustments land in the ledger with their reason, a viewer changes
//! nothing, and another business's ids do not exist.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use common::chat::{Customer, business, drain};
use common::{Owner, TestApp, on_every_backend};
use domain::{OrderId, PaymentId, TenantId};
use serde_json::{Value, json};

fn tenant(o: &Owner) -> TenantId {
    TenantId(o.tenant_id.parse().unwrap())
}

async fn order_of(app: &TestApp, o: &Owner, id: &str) -> Value {
    let r = app.get(&format!("/api/v1/orders/{id}"), &o.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

async fn payments_of(app: &TestApp, o: &Owner, order: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/payments/order/{order}"), &o.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body.as_array().unwrap().clone()
}

/// A tailor with a customer and an order of ₦45,000 (deposit ₦15,000).
async fn tailor_with_order(app: &TestApp, slug: &str) -> (Owner, String, String) {
    let o = app.register(slug, "tailor").await;
    let c = app.customer(&o, "Ada Obi", "+2348030000001").await;
    let cid = c["id"].as_str().unwrap().to_string();
    let order = app.order(&o, &cid, json!({})).await;
    (o, cid, order["id"].as_str().unwrap().to_string())
}

/// A pending payment a provider reported differently: what the payments
/// model leaves for a person (the provider's verify flags it).
async fn flagged_payment(app: &TestApp, o: &Owner, order: &str, amount: i64) -> PaymentId {
    let t = tenant(o);
    let ord = store::orders::get(&app.state.db, t, OrderId(order.parse().unwrap()))
        .await
        .unwrap();
    let id = store::payments::insert(
        &app.state.db,
        t,
        &store::payments::NewPayment {
            order_id: ord.id,
            customer_id: ord.customer_id,
            amount,
            currency: ord.currency,
            kind: "deposit",
            provider: "paystack",
            provider_ref: None,
            status: domain::payment::PaymentStatus::Pending,
            confirmed_by: None,
        },
    )
    .await
    .unwrap();
    store::payments::flag(
        &app.state.db,
        t,
        id,
        "the provider reports 100 minor units, not 1500000",
    )
    .await
    .unwrap();
    id
}

async fn product(app: &TestApp, o: &Owner, body: Value) -> String {
    let r = app.post("/api/v1/products", &o.token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["id"].as_str().unwrap().to_string()
}

async fn on_hand(app: &TestApp, o: &Owner, id: &str) -> i64 {
    store::products::get(
        &app.state.db,
        tenant(o),
        domain::ProductId(id.parse().unwrap()),
    )
    .await
    .unwrap()
    .stock_on_hand
}

/// The text of the element with `id` (up to its first tag's end).
fn by_id<'a>(body: &'a str, id: &str) -> &'a str {
    let start = body
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in\n{body}"));
    let rest = &body[start..];
    let open = rest.find('>').unwrap() + 1;
    let close = rest[open..].find('<').unwrap() + open;
    rest[open..close].trim()
}

#[tokio::test]
async fn the_unpaid_list_adds_up_to_the_orders_balances() {
    on_every_backend(|app| async move {
        let (o, cid, first) = tailor_with_order(&app, "owed").await;
        let second = app
            .order(&o, &cid, json!({"price": 2_000_000, "deposit_amount": 0}))
            .await;
        let second = second["id"].as_str().unwrap().to_string();
        let third = app
            .order(&o, &cid, json!({"price": 1_000_000, "deposit_amount": 0}))
            .await;
        let third = third["id"].as_str().unwrap().to_string();
        // Part of the first is paid, all of the third.
        for (order, amount) in [(&first, 1_000_000), (&third, 1_000_000)] {
            let r = app
                .post(
                    "/api/v1/payments/manual",
                    &o.token,
                    json!({"order_id": order, "amount": amount, "method": "cash"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
        let web = app.web(&o).await;
        let page = app.page(&web, "/app/payments").await;
        assert_eq!(page.status, StatusCode::OK);

        let mut sum = 0;
        for id in [&first, &second, &third] {
            let ord = order_of(&app, &o, id).await;
            let due = ord["balance_due"].as_i64().unwrap();
            sum += due;
            let row = format!("id=\"debt-{id}\"");
            assert_eq!(page.body.contains(&row), due > 0, "{id} owes {due}");
        }
        assert_eq!(sum, 3_500_000 + 2_000_000);
        assert_eq!(by_id(&page.body, "pay-owed"), "₦55,000");
        assert!(
            page.shows("₦35,000") && page.shows("of ₦45,000"),
            "each balance"
        );
        assert!(page.shows("2 orders with a balance"));
        // Both payments came in this month, and show as paid.
        assert_eq!(by_id(&page.body, "pay-month"), "₦20,000");
        assert!(page.shows("Cash"));
        // The restaurant's page speaks Spanish, in pesos.
        let r = app.register("owed-es", "restaurant").await;
        let es = app.page(&app.web(&r).await, "/app/payments").await;
        assert!(
            es.shows("Falta cobrar") && es.shows("No te deben nada"),
            "{}",
            es.body
        );
    })
    .await;
}

#[tokio::test]
async fn sending_a_link_queues_a_whatsapp_message_with_it() {
    for db in store::testing::backends().await {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = TestApp::payments(db.clone(), &url, chrono::Utc::now());
        let router = app.router.clone();
        tokio::spawn(async move { axum::serve(listener, router.into_make_service()).await });
        let biz = business(&app, "pay-link", "tailor", "en-NG", "400000000000051").await;
        let mut c = Customer::new(&biz, "2348031234567", "Amaka");
        c.say(&app, "Good morning").await;
        let customers = app.get("/api/v1/customers", &biz.owner.token).await;
        let cid = customers.body["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let order = app.order(&biz.owner, &cid, json!({})).await;
        let oid = order["id"].as_str().unwrap().to_string();

        let web = app.web(&biz.owner).await;
        let sent = app
            .form_json(&web, &format!("/app/payments/orders/{oid}/link"), &[])
            .await;
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        let answer: Value = serde_json::from_str(&sent.body).unwrap();
        assert_eq!(answer["ok"], true);
        assert!(
            answer["message"].as_str().unwrap().contains("₦15,000"),
            "the deposit comes first: {answer}"
        );
        c.replies(&app).await;
        let line = c
            .log
            .lines()
            .find(|l| l.contains("/sandbox/pay/"))
            .unwrap_or_else(|| panic!("no link in\n{}", c.log));
        assert!(line.contains(&url), "{line}");
        let pays = payments_of(&app, &biz.owner, &oid).await;
        assert_eq!(pays.len(), 1);
        assert_eq!(pays[0]["amount"], 1_500_000);
        assert_eq!(pays[0]["status"], "pending");

        // The open link is now reminded, not sent again.
        let page = app.page(&web, "/app/payments").await;
        let pid = pays[0]["id"].as_str().unwrap();
        assert!(page.body.contains(&format!("/app/payments/{pid}/remind")));
        assert!(
            !page
                .body
                .contains(&format!("/app/payments/orders/{oid}/link"))
        );
        let before = c.log.lines().count();
        let reminded = app
            .form(&web, &format!("/app/payments/{pid}/remind"), &[])
            .await;
        assert_eq!(reminded.status, StatusCode::SEE_OTHER, "{}", reminded.body);
        assert_eq!(reminded.location.as_deref(), Some("/app/payments"));
        c.replies(&app).await;
        assert!(
            c.log.lines().count() > before,
            "a reminder went:\n{}",
            c.log
        );
        let after = app.page(&web, "/app/payments").await;
        assert!(after.shows("reminded 1×"), "{}", after.body);
        drain(&app).await;
    }
}

#[tokio::test]
async fn recording_cash_refuses_bad_amounts_next_to_the_field() {
    on_every_backend(|app| async move {
        let (o, _, oid) = tailor_with_order(&app, "cash").await;
        let web = app.web(&o).await;
        let path = format!("/app/payments/orders/{oid}/record");
        let form = app.page(&web, &path).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains("value=\"45000\""),
            "prefilled with the balance"
        );

        for bad in ["0", "-5", "abc", "", "45000.001", "50000"] {
            let r = app
                .form(&web, &path, &[("amount", bad), ("method", "cash")])
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{bad}: {}",
                r.body
            );
            assert!(
                r.body.contains("id=\"amount-err\""),
                "{bad}: the error is by the field"
            );
            assert!(r.body.contains("aria-invalid=\"true\""));
            assert!(
                r.body.contains(&format!("value=\"{bad}\"")),
                "{bad}: kept as typed"
            );
        }
        let over = app
            .form(&web, &path, &[("amount", "50000"), ("method", "cash")])
            .await;
        assert!(
            over.shows("at most what is owed (₦45,000)"),
            "{}",
            over.body
        );
        let no_method = app.form(&web, &path, &[("amount", "100")]).await;
        assert_eq!(no_method.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_method.body.contains("id=\"method-err\""));
        let json = app
            .form_json(&web, &path, &[("amount", "0"), ("method", "cash")])
            .await;
        assert_eq!(json.status, StatusCode::UNPROCESSABLE_ENTITY);
        let err: Value = serde_json::from_str(&json.body).unwrap();
        assert!(err["error"]["fields"]["amount"].is_string(), "{err}");
        assert!(
            payments_of(&app, &o, &oid).await.is_empty(),
            "nothing recorded"
        );
        assert_eq!(order_of(&app, &o, &oid).await["amount_paid"], 0);

        // A good one moves the order from unpaid to paid.
        let ok = app
            .form(&web, &path, &[("amount", "45,000"), ("method", "transfer")])
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location.as_deref(), Some("/app/payments"));
        assert!(
            ok.set_cookies
                .iter()
                .any(|c| c.starts_with("sokoni_flash=")),
            "a notice follows"
        );
        let ord = order_of(&app, &o, &oid).await;
        assert_eq!(
            (ord["amount_paid"].as_i64(), ord["balance_due"].as_i64()),
            (Some(4_500_000), Some(0))
        );
        let pays = payments_of(&app, &o, &oid).await;
        assert_eq!(pays.len(), 1);
        assert_eq!(
            (pays[0]["provider"].as_str(), pays[0]["status"].as_str()),
            (Some("transfer"), Some("paid"))
        );
        let page = app.page(&web, "/app/payments?tab=paid").await;
        assert!(
            !page.body.contains(&format!("id=\"debt-{oid}\"")),
            "no longer unpaid"
        );
        assert!(
            page.shows("Transfer") && page.shows("₦45,000"),
            "{}",
            page.body
        );
        assert_eq!(by_id(&page.body, "pay-owed"), "₦0");
        // Nothing is owed now: more is refused.
        let again = app
            .form(&web, &path, &[("amount", "1"), ("method", "cash")])
            .await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(payments_of(&app, &o, &oid).await.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_flagged_payment_waits_for_a_person_to_confirm_it() {
    on_every_backend(|app| async move {
        let (o, _, oid) = tailor_with_order(&app, "flagged").await;
        let pid = flagged_payment(&app, &o, &oid, 1_500_000).await;
        let web = app.web(&o).await;
        let page = app.page(&web, "/app/payments").await;
        assert!(page.shows("To resolve"));
        assert!(page.shows("the provider reports 100 minor units, not 1500000"));
        let confirm = format!("/app/payments/{pid}/confirm");
        assert!(page.body.contains(&confirm));
        let r = app.form_json(&web, &confirm, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let answer: Value = serde_json::from_str(&r.body).unwrap();
        assert!(
            answer["message"].as_str().unwrap().contains("₦15,000"),
            "{answer}"
        );
        assert_eq!(order_of(&app, &o, &oid).await["amount_paid"], 1_500_000);
        let page = app.page(&web, "/app/payments").await;
        assert!(!page.body.contains(&confirm), "nothing left to confirm");
        assert_eq!(by_id(&page.body, "pay-owed"), "₦30,000");
        // Twice is refused in words, and pays nothing more.
        let twice = app.form_json(&web, &confirm, &[]).await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert!(twice.body.contains("already settled"), "{}", twice.body);
        assert_eq!(order_of(&app, &o, &oid).await["amount_paid"], 1_500_000);
    })
    .await;
}

#[tokio::test]
async fn receiving_and_adjusting_stock_land_in_the_ledger_with_the_reason() {
    on_every_backend(|app| async move {
        let o = app.register("stockpage", "shop").await;
        let soap = product(
            &app,
            &o,
            json!({"sku": "SOAP", "name": "Soap", "price": 10000, "track_stock": true, "stock_on_hand": 5, "low_stock_threshold": 4}),
        )
        .await;
        let web = app.web(&o).await;
        let ledger = format!("/app/stock/{soap}");
        let r = app
            .form(&web, &format!("{ledger}/receive"), &[("quantity", "20"), ("note", "from Bidco")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location.as_deref(), Some(ledger.as_str()));
        let r = app
            .form(&web, &format!("{ledger}/adjust"), &[("quantity", "-3"), ("reason", "3 damaged")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(on_hand(&app, &o, &soap).await, 5 + 17);

        let page = app.page(&web, &ledger).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(by_id(&page.body, "stock-on-hand"), "22");
        let adjusted = page.body.find("3 damaged").expect("the reason is shown");
        let received = page.body.find("from Bidco").expect("the note is shown");
        assert!(adjusted < received, "newest first");
        assert!(page.shows("+20") && page.shows("-3") && page.shows(">25<") && page.shows(">22<"));
        let table = &page.body[page.body.find("stock-ledger").unwrap()..];
        // The opening stock, the receipt and the adjustment, each by the owner.
        assert_eq!(table.matches(">Owner<").count(), 3, "who did each");

        // Without a reason, or with nonsense, nothing changes.
        for (fields, err) in [
            (vec![("quantity", "-2"), ("reason", "  ")], "adjust-reason-err"),
            (vec![("quantity", "-2")], "adjust-reason-err"),
            (vec![("quantity", "abc"), ("reason", "count")], "adjust-qty-err"),
            (vec![("quantity", "0"), ("reason", "count")], "adjust-qty-err"),
            (vec![("quantity", "-23"), ("reason", "count")], "adjust-qty-err"),
        ] {
            let r = app.form(&web, &format!("{ledger}/adjust"), &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}: {}", r.body);
            assert!(r.body.contains(&format!("id=\"{err}\"")), "{fields:?}");
        }
        let no_reason = app
            .form(&web, &format!("{ledger}/adjust"), &[("quantity", "-2")])
            .await;
        assert!(no_reason.shows("Say why the count changes."));
        for bad in ["0", "-4", "2.5", "many"] {
            let r = app
                .form(&web, &format!("{ledger}/receive"), &[("quantity", bad)])
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert!(r.body.contains("id=\"receive-qty-err\""), "{bad}");
        }
        assert_eq!(on_hand(&app, &o, &soap).await, 22, "nothing changed");
        let json = app
            .form_json(&web, &format!("{ledger}/adjust"), &[("quantity", "-1")])
            .await;
        assert_eq!(json.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(json.body.contains("adjust_reason"), "{}", json.body);

        // The list: levels, badges at each product's threshold, and the
        // products that count nothing, apart.
        product(
            &app,
            &o,
            json!({"sku": "SALT", "name": "Salt", "price": 5000, "track_stock": true, "stock_on_hand": 3, "low_stock_threshold": 4}),
        )
        .await;
        product(
            &app,
            &o,
            json!({"sku": "OIL", "name": "Oil", "price": 5000, "track_stock": true, "stock_on_hand": 0}),
        )
        .await;
        let cake = product(&app, &o, json!({"sku": "CAKE", "name": "Birthday cake", "price": 250000})).await;
        let list = app.page(&web, "/app/stock").await;
        assert_eq!(list.status, StatusCode::OK);
        let row = |sku: &str| {
            let at = list.body.find(&format!("{sku}<")).or_else(|| list.body.find(&format!("{sku} ")));
            let at = at.unwrap_or_else(|| panic!("{sku} not listed"));
            let end = list.body[at..].find("</tr>").map_or(list.body.len(), |e| at + e);
            list.body[at..end].to_string()
        };
        assert!(row("SALT").contains("Low"), "{}", row("SALT"));
        assert!(row("OIL").contains("Out of stock"), "{}", row("OIL"));
        assert!(!row("SOAP").contains("Low") && row("SOAP").contains(">22<"));
        let apart = list.body.find("Made to order").expect("untracked listed apart");
        assert!(list.body.find("Birthday cake").unwrap() > apart);
        assert!(list.shows("1 low") && list.shows("1 out of stock"));
        // An untracked product has no count to change.
        let r = app
            .form(&web, &format!("/app/stock/{cake}/receive"), &[("quantity", "1")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.shows("made to order"), "{}", r.body);
    })
    .await;
}

#[tokio::test]
async fn a_viewer_sees_no_controls_and_their_posts_change_nothing() {
    on_every_backend(|app| async move {
        let (o, _, oid) = tailor_with_order(&app, "viewmoney").await;
        let pid = flagged_payment(&app, &o, &oid, 1_500_000).await;
        let soap = product(
            &app,
            &o,
            json!({"sku": "SOAP", "name": "Soap", "price": 10000, "track_stock": true, "stock_on_hand": 5}),
        )
        .await;
        let viewer = app.add_user(&o, "v@viewmoney.example", "viewer").await;
        let web = app.web(&viewer).await;
        let page = app.page(&web, "/app/payments").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!("id=\"debt-{oid}\"")), "a viewer reads");
        assert!(!page.shows("Send payment link") && !page.shows("Confirm received") && !page.shows("Record payment"));
        let ledger = app.page(&web, &format!("/app/stock/{soap}")).await;
        assert_eq!(ledger.status, StatusCode::OK);
        assert!(!ledger.shows("Receive stock") && !ledger.shows("Adjust the count"));
        let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
            (format!("/app/payments/orders/{oid}/link"), vec![]),
            (format!("/app/payments/orders/{oid}/record"), vec![("amount", "100"), ("method", "cash")]),
            (format!("/app/payments/{pid}/remind"), vec![]),
            (format!("/app/payments/{pid}/confirm"), vec![]),
            (format!("/app/stock/{soap}/receive"), vec![("quantity", "5")]),
            (format!("/app/stock/{soap}/adjust"), vec![("quantity", "-1"), ("reason", "x")]),
        ];
        for (path, fields) in &posts {
            let r = app.form(&web, path, fields).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
            let j = app.form_json(&web, path, fields).await;
            assert_eq!(j.status, StatusCode::FORBIDDEN, "{path}");
        }
        let pays = payments_of(&app, &o, &oid).await;
        assert_eq!(pays.len(), 1);
        assert_eq!(pays[0]["status"], "pending");
        assert_eq!(order_of(&app, &o, &oid).await["amount_paid"], 0);
        assert_eq!(on_hand(&app, &o, &soap).await, 5);
    })
    .await;
}

#[tokio::test]
async fn another_business_ids_are_not_found_on_every_page_and_post() {
    on_every_backend(|app| async move {
        let (theirs, _, their_order) = tailor_with_order(&app, "theirs").await;
        let their_payment = flagged_payment(&app, &theirs, &their_order, 1_500_000).await;
        let their_product = product(
            &app,
            &theirs,
            json!({"sku": "SOAP", "name": "Soap", "price": 10000, "track_stock": true, "stock_on_hand": 5}),
        )
        .await;
        let mine = app.register("mine", "tailor").await;
        let web = app.web(&mine).await;
        for path in [
            format!("/app/payments/orders/{their_order}/record"),
            format!("/app/stock/{their_product}"),
            "/app/payments/orders/nope/record".to_string(),
            "/app/stock/nope".to_string(),
        ] {
            let r = app.page(&web, &path).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
            assert!(r.shows("This page does not exist, or is not yours."), "{path}");
        }
        let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
            (format!("/app/payments/orders/{their_order}/link"), vec![]),
            (format!("/app/payments/orders/{their_order}/record"), vec![("amount", "100"), ("method", "cash")]),
            (format!("/app/payments/{their_payment}/remind"), vec![]),
            (format!("/app/payments/{their_payment}/confirm"), vec![]),
            (format!("/app/stock/{their_product}/receive"), vec![("quantity", "5")]),
            (format!("/app/stock/{their_product}/adjust"), vec![("quantity", "-1"), ("reason", "x")]),
            ("/app/payments/nope/confirm".to_string(), vec![]),
            ("/app/stock/nope/receive".to_string(), vec![("quantity", "5")]),
        ];
        for (path, fields) in &posts {
            let r = app.form(&web, path, fields).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
            let j = app.form_json(&web, path, fields).await;
            assert_eq!(j.status, StatusCode::NOT_FOUND, "{path}");
        }
        // Their board is not on mine, and nothing of theirs changed.
        let page = app.page(&web, "/app/payments").await;
        assert!(!page.body.contains(&their_order) && !page.body.contains(&their_payment.0.to_string()));
        let pays = payments_of(&app, &theirs, &their_order).await;
        assert_eq!((pays.len(), pays[0]["status"].as_str()), (1, Some("pending")));
        assert_eq!(order_of(&app, &theirs, &their_order).await["amount_paid"], 0);
        assert_eq!(on_hand(&app, &theirs, &their_product).await, 5);
    })
    .await;
}
