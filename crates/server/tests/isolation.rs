//! Tenant isolation: every route, given another tenant's ids, answers 404
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! and changes nothing.

mod common;

use axum::http::{Method, StatusCode};
use common::{TestApp, on_every_backend};
use serde_json::{Value, json};

#[tokio::test]
async fn another_tenants_ids_are_not_found_everywhere() {
    on_every_backend(|app: TestApp| async move {
        let a = app.register("tenant-a", "tailor").await;
        let b = app.register("tenant-b", "tailor").await;
        let a_staff = app.add_user(&a, "staff@a.ng", "staff").await;
        let a_cust = app.customer(&a, "Amaka", "08031234567").await;
        let a_cid = a_cust["id"].as_str().unwrap();
        let a_meas = app
            .post(
                &format!("/api/v1/customers/{a_cid}/measurements"),
                &a.token,
                json!({"chest": 38}),
            )
            .await
            .body;
        let a_mid = a_meas["id"].as_str().unwrap();
        let a_order = app
            .order(&a, a_cid, json!({"deadline": "2026-12-12"}))
            .await;
        let a_oid = a_order["id"].as_str().unwrap();
        // B has its own customer and order, to reference A's ids from.
        let b_cust = app.customer(&b, "Bisi", "08059876543").await;
        let b_cid = b_cust["id"].as_str().unwrap();
        let b_order = app.order(&b, b_cid, json!({})).await;
        let b_oid = b_order["id"].as_str().unwrap();

        let paths = [
            format!("/api/v1/customers/{a_cid}"),
            format!("/api/v1/customers/{a_cid}/measurements"),
            format!("/api/v1/orders/{a_oid}"),
            format!("/api/v1/users/{}", a_staff.user_id),
            "/api/v1/users".to_string(),
        ];
        let before = snapshot(&app, &a.token, &paths).await;

        let matrix: Vec<(Method, String, Option<Value>)> = vec![
            (Method::GET, format!("/api/v1/customers/{a_cid}"), None),
            (
                Method::PATCH,
                format!("/api/v1/customers/{a_cid}"),
                Some(json!({"name": "Stolen"})),
            ),
            (
                Method::GET,
                format!("/api/v1/customers/{a_cid}/orders"),
                None,
            ),
            (
                Method::GET,
                "/api/v1/customers/by-wa/2348031234567".to_string(),
                None,
            ),
            (
                Method::GET,
                format!("/api/v1/customers/{a_cid}/measurements"),
                None,
            ),
            (
                Method::GET,
                format!("/api/v1/customers/{a_cid}/measurements/current"),
                None,
            ),
            (
                Method::POST,
                format!("/api/v1/customers/{a_cid}/measurements"),
                Some(json!({"chest": 1})),
            ),
            (
                Method::POST,
                format!("/api/v1/customers/{a_cid}/measurements/new-version"),
                Some(json!({"chest": 1})),
            ),
            (
                Method::POST,
                "/api/v1/orders".to_string(),
                Some(json!({"customer_id": a_cid})),
            ),
            (
                Method::POST,
                "/api/v1/orders".to_string(),
                Some(json!({"customer_id": b_cid, "measurement_id": a_mid})),
            ),
            (
                Method::POST,
                "/api/v1/orders".to_string(),
                Some(json!({"customer_id": b_cid, "assigned_to": a.user_id})),
            ),
            (Method::GET, format!("/api/v1/orders/{a_oid}"), None),
            (
                Method::PATCH,
                format!("/api/v1/orders/{a_oid}"),
                Some(json!({"price": 1})),
            ),
            (
                Method::PATCH,
                format!("/api/v1/orders/{a_oid}/stage"),
                Some(json!({"stage": "cutting"})),
            ),
            (
                Method::PATCH,
                format!("/api/v1/orders/{b_oid}"),
                Some(json!({"measurement_id": a_mid})),
            ),
            (
                Method::PATCH,
                format!("/api/v1/orders/{b_oid}"),
                Some(json!({"assigned_to": a_staff.user_id})),
            ),
            (
                Method::PATCH,
                format!("/api/v1/users/{}", a_staff.user_id),
                Some(json!({"role": "viewer"})),
            ),
        ];
        for (method, path, body) in matrix {
            let r = app
                .request(method.clone(), &path, Some(&b.token), body)
                .await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{method} {path} as another tenant: {:?}",
                r.body
            );
            assert_eq!(r.code(), "not_found");
        }

        // B's lists show none of A's records.
        for path in [
            "/api/v1/customers",
            "/api/v1/orders",
            "/api/v1/orders/today",
            "/api/v1/orders/urgent",
            "/api/v1/users",
        ] {
            let r = app.get(path, &b.token).await;
            let text = r.body.to_string();
            assert!(
                !text.contains(a_cid) && !text.contains(a_oid) && !text.contains(&a_staff.user_id),
                "{path} leaks A"
            );
        }
        let search = app.get("/api/v1/customers?q=Amaka", &b.token).await;
        assert_eq!(search.body["items"].as_array().unwrap().len(), 0);

        // And nothing of A's changed; B's order is as it was.
        assert_eq!(snapshot(&app, &a.token, &paths).await, before);
        let b_after = app.get(&format!("/api/v1/orders/{b_oid}"), &b.token).await;
        assert!(b_after.body["measurement_id"].is_null() && b_after.body["assigned_to"].is_null());
        assert_eq!(
            b_after.body["order_ref"], "SEW-0001",
            "each tenant has its own sequence"
        );
    })
    .await;
}

async fn snapshot(app: &TestApp, token: &str, paths: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for p in paths {
        out.push(app.get(p, token).await.body);
    }
    out
}
