//! The published API description: served, complete, and reviewed on change
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! (a snapshot diff shows every change to the contract).

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn openapi_is_served_and_matches_the_snapshot() {
    let app = TestApp::new(store::testing::sqlite().await);
    let r = app
        .request(axum::http::Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = r.body["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/otp/send",
        "/api/v1/auth/otp/verify",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/settings",
        "/api/v1/customers",
        "/api/v1/customers/{id}",
        "/api/v1/customers/{id}/orders",
        "/api/v1/customers/by-wa/{waId}",
        "/api/v1/customers/{id}/measurements",
        "/api/v1/customers/{id}/measurements/current",
        "/api/v1/customers/{id}/measurements/new-version",
        "/api/v1/orders",
        "/api/v1/orders/{id}",
        "/api/v1/orders/{id}/stage",
        "/api/v1/orders/today",
        "/api/v1/orders/urgent",
        "/api/v1/products",
        "/api/v1/products/{id}",
        "/api/v1/inventory",
        "/api/v1/inventory/{productId}/movements",
        "/api/v1/zones",
        "/api/v1/zones/{id}",
        "/api/v1/hours",
        "/api/v1/settings/ordering",
        "/api/v1/inbox",
        "/api/v1/inbox/{id}/resolve",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    assert_eq!(
        r.body,
        serde_json::to_value(server::app::openapi()).unwrap()
    );
    insta::assert_json_snapshot!("openapi", r.body);
}

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::new(store::testing::sqlite().await);
    let h = app
        .raw(axum::http::Method::GET, "/healthz", None, None)
        .await;
    assert_eq!(h.status, StatusCode::OK);
    let r = app
        .raw(axum::http::Method::GET, "/readyz", None, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    app.state.db.close().await;
    let down = app
        .raw(axum::http::Method::GET, "/readyz", None, None)
        .await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}
