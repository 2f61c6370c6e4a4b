//! Every error answers in the envelope `{"error": {"code", "message"}}`,
//! including the framework's own rejections (a path that is not UTF-8, a
//! wrong method, a body over the limit), on both databases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::TestApp;

#[tokio::test]
async fn framework_rejections_answer_in_the_envelope() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::new(db);
        let owner = app.register("envelope", "shop").await;
        let cases = [
            (
                Method::GET,
                "/api/v1/customers/%FF",
                None,
                StatusCode::BAD_REQUEST,
                "bad_request",
            ),
            (
                Method::DELETE,
                "/api/v1/customers",
                None,
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
            ),
            (
                Method::PUT,
                "/healthz",
                None,
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
            ),
            (
                Method::POST,
                "/webhook/whatsapp",
                Some(("application/json", "x".repeat(2 * 1024 * 1024))),
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
            ),
            (
                Method::GET,
                "/nowhere",
                None,
                StatusCode::NOT_FOUND,
                "not_found",
            ),
        ];
        for (method, path, body, status, code) in cases {
            let r = app
                .raw(method.clone(), path, Some(&owner.token), body)
                .await;
            assert_eq!(r.status, status, "{method} {path}: {:?}", r.body);
            assert_eq!(
                r.body["error"]["code"], code,
                "{method} {path}: {:?}",
                r.body
            );
            assert!(
                r.body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{method} {path}: {:?}",
                r.body
            );
        }
        // Our own errors are left as they are.
        let r = app
            .raw(
                Method::POST,
                "/api/v1/customers",
                Some(&owner.token),
                Some(("application/json", "{\"name\": 1}".into())),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.body["error"]["code"], "validation_failed", "{:?}", r.body);
    }
}
