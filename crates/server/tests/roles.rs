//! Owner, staff and viewer: who may do what.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use common::{TestApp, on_every_backend};
use serde_json::json;

#[tokio::test]
async fn viewers_read_staff_work_owners_manage() {
    on_every_backend(|app: TestApp| async move {
        let owner = app.register("roles", "tailor").await;
        let staff = app.add_user(&owner, "staff@roles.ng", "staff").await;
        let viewer = app.add_user(&owner, "viewer@roles.ng", "viewer").await;
        let c = app.customer(&staff, "Amaka", "08031234567").await;
        let cid = c["id"].as_str().unwrap();
        let order = app.order(&staff, cid, json!({})).await;
        let oid = order["id"].as_str().unwrap();

        // Viewer: every read works, every write is forbidden.
        for path in ["/api/v1/customers".to_string(), format!("/api/v1/customers/{cid}"), format!("/api/v1/orders/{oid}"),
                     "/api/v1/orders/today".into(), "/api/v1/users".into(), "/api/v1/settings".into(),
                     format!("/api/v1/customers/{cid}/measurements")] {
            assert_eq!(app.get(&path, &viewer.token).await.status, StatusCode::OK, "viewer GET {path}");
        }
        let writes = [
            ("POST", "/api/v1/customers".to_string(), json!({"name": "X"})),
            ("PATCH", format!("/api/v1/customers/{cid}"), json!({"name": "X"})),
            ("POST", format!("/api/v1/customers/{cid}/measurements"), json!({"chest": 40})),
            ("POST", format!("/api/v1/customers/{cid}/measurements/new-version"), json!({"chest": 40})),
            ("POST", "/api/v1/orders".to_string(), json!({"customer_id": cid})),
            ("PATCH", format!("/api/v1/orders/{oid}"), json!({"price": 1})),
            ("PATCH", format!("/api/v1/orders/{oid}/stage"), json!({"stage": "cutting"})),
        ];
        for (method, path, body) in &writes {
            let r = if *method == "POST" { app.post(path, &viewer.token, body.clone()).await } else { app.patch(path, &viewer.token, body.clone()).await };
            assert_eq!(r.status, StatusCode::FORBIDDEN, "viewer {method} {path}");
            assert_eq!(r.code(), "forbidden");
        }
        let unchanged = app.get(&format!("/api/v1/orders/{oid}"), &owner.token).await;
        assert_eq!(unchanged.body["current_stage"], "received");

        // Staff: orders yes, team and settings no.
        assert_eq!(app.patch(&format!("/api/v1/orders/{oid}/stage"), &staff.token, json!({"stage": "cutting", "override_deposit": true})).await.status, StatusCode::OK);
        let add = app.post("/api/v1/users", &staff.token, json!({"name": "N", "email": "n@roles.ng", "password": "password123", "role": "staff"})).await;
        assert_eq!(add.status, StatusCode::FORBIDDEN);
        assert_eq!(app.patch("/api/v1/settings", &staff.token, json!({"business_name": "Mine now"})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(app.patch(&format!("/api/v1/users/{}", viewer.user_id), &staff.token, json!({"role": "owner"})).await.status, StatusCode::FORBIDDEN);

        // Owner: settings and the team.
        let s = app.patch("/api/v1/settings", &owner.token, json!({"business_name": "Funmi Couture", "order_prefix": "FC", "phone": "08030000001"})).await;
        assert_eq!(s.status, StatusCode::OK, "{:?}", s.body);
        assert_eq!(s.body["business_name"], "Funmi Couture");
        assert_eq!(s.body["phone"], "+2348030000001");
        let bad = app.patch("/api/v1/settings", &owner.token, json!({"timezone": "Lagos", "order_prefix": "x1"})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.field("timezone").is_some() && bad.field("order_prefix").is_some());
        let next = app.order(&staff, cid, json!({})).await;
        assert_eq!(next["order_ref"], "FC-0002", "new prefix, same sequence");

        // A role change applies at once, even to a token issued before it.
        let demoted = app.patch(&format!("/api/v1/users/{}", staff.user_id), &owner.token, json!({"role": "viewer"})).await;
        assert_eq!(demoted.status, StatusCode::OK);
        assert_eq!(app.post("/api/v1/customers", &staff.token, json!({"name": "Y"})).await.status, StatusCode::FORBIDDEN);
        // So does deactivation, and the user's refresh tokens die too.
        let off = app.patch(&format!("/api/v1/users/{}", viewer.user_id), &owner.token, json!({"is_active": false})).await;
        assert_eq!(off.status, StatusCode::OK);
        assert_eq!(app.get("/api/v1/customers", &viewer.token).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.public_post("/api/v1/auth/refresh", json!({"refresh_token": viewer.refresh})).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.public_post("/api/v1/auth/login", json!({"email": "viewer@roles.ng", "password": "password123"})).await.status, StatusCode::UNAUTHORIZED);

        // The last owner cannot leave the business ownerless.
        let last = app.patch(&format!("/api/v1/users/{}", owner.user_id), &owner.token, json!({"role": "staff"})).await;
        assert_eq!(last.status, StatusCode::CONFLICT);
        assert_eq!(last.code(), "last_owner");
        let dup = app.post("/api/v1/users", &owner.token, json!({"name": "S", "email": "STAFF@roles.ng", "password": "password123", "role": "staff"})).await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert!(dup.field("email").is_some());
    })
    .await;
}
