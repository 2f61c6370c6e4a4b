#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! The Stripe Checkout client against a local mock Stripe API that speaks
//! protocols.md §5, and its `Stripe-Signature` webhook checks.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use domain::E164;
use domain::money::Currency;
use payments::stripe::{self, Stripe};
use payments::{
    Failure, HttpConfig, Initiated, PayError, PaymentProvider, PaymentRequest, Status, WebhookError,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET_KEY: &str = "sk_test_sokoni123";
/// base64("sk_test_sokoni123:"): the key as the user name, no password.
const BASIC: &str = "Basic c2tfdGVzdF9zb2tvbmkxMjM6";
const WHSEC: &str = "whsec_test_secret";
const SESSION_ID: &str = "cs_test_a11YYufWQzNY63zpQ6QSNRQhkUpVph4WRmzW0zWJO2znZKdVujZ0N0S22u";
const CHECKOUT_URL: &str = "https://checkout.stripe.com/c/pay/cs_test_a11YYufWQzNY63zpQ6QSNRQhkUpVph4WRmzW0zWJO2znZKdVujZ0N0S22u";

// The §5.2 vector.
const T: i64 = 1_700_000_000;
const VECTOR_BODY: &[u8] = br#"{"id":"evt_test_webhook","object":"event"}"#;
const VECTOR_V1: &str = "d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990";

fn client(base: &str, webhook_secrets: &[&str]) -> Stripe {
    Stripe::new(
        HttpConfig::new(base),
        SecretString::from(SECRET_KEY),
        webhook_secrets
            .iter()
            .map(|s| SecretString::from(*s))
            .collect(),
    )
}

fn offline(webhook_secrets: &[&str]) -> Stripe {
    client("http://127.0.0.1:9", webhook_secrets)
}

fn at(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).unwrap()
}

fn vector_header() -> String {
    format!("t={T},v1={VECTOR_V1}")
}

fn request() -> PaymentRequest {
    PaymentRequest {
        reference: "SEW-0042-7f3a9c".to_string(),
        amount: 2000,
        currency: Currency::parse("USD").unwrap(),
        email: Some("funmi@example.com".to_string()),
        phone: Some(E164::parse("+2348031234567", "NG").unwrap()),
        name: Some("Funmi".to_string()),
        description: "Deposit for SEW-0042 at Funmi Couture".to_string(),
        return_url: "https://sokoni.example/paid/SEW-0042".to_string(),
        callback_url: "https://sokoni.example/hooks/stripe".to_string(),
    }
}

fn session(status: &str, payment_status: &str, payment_intent: Value) -> Value {
    json!({"id": SESSION_ID, "object": "checkout.session", "amount_total": 2000,
           "currency": "usd", "mode": "payment", "status": status,
           "payment_status": payment_status, "url": CHECKOUT_URL,
           "client_reference_id": "SEW-0042-7f3a9c",
           "metadata": {"reference": "SEW-0042-7f3a9c"},
           "payment_intent": payment_intent, "expires_at": 1679686615})
}

// ---------------------------------------------------------------------------------------------
// Stripe-Signature

#[test]
fn the_documented_vector_verifies() {
    assert_eq!(stripe::signature(WHSEC, T, VECTOR_BODY), VECTOR_V1);
    offline(&[WHSEC])
        .verify_signature(Some(&vector_header()), VECTOR_BODY, at(T))
        .unwrap();
}

#[test]
fn parse_webhook_checks_the_signature_before_reading() {
    // The vector's body is not a full event: authenticated, then unreadable.
    let headers = [("stripe-signature".to_string(), vector_header())];
    let err = offline(&[WHSEC])
        .parse_webhook(&headers, VECTOR_BODY, at(T))
        .unwrap_err();
    assert!(matches!(err, WebhookError::Payload(_)), "{err:?}");
}

#[test]
fn the_tolerance_is_300_seconds_either_way() {
    let stripe = offline(&[WHSEC]);
    let header = vector_header();
    let check = |now| stripe.verify_signature(Some(&header), VECTOR_BODY, at(now));
    assert_eq!(check(T + 301), Err(WebhookError::Stale));
    assert_eq!(check(T + 299), Ok(()));
    assert_eq!(check(T - 301), Err(WebhookError::Stale));
    assert_eq!(check(T - 299), Ok(()));
}

#[test]
fn the_tolerance_can_be_set() {
    let stripe = offline(&[WHSEC]).with_tolerance(Duration::seconds(10));
    let header = vector_header();
    assert_eq!(
        stripe.verify_signature(Some(&header), VECTOR_BODY, at(T + 15)),
        Err(WebhookError::Stale)
    );
}

#[test]
fn a_forged_signature_is_bad_not_stale() {
    let header = format!("t={T},v1={}", "0".repeat(64));
    assert_eq!(
        offline(&[WHSEC]).verify_signature(Some(&header), VECTOR_BODY, at(T + 10_000)),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn an_extra_bad_v1_still_verifies() {
    let header = format!("{},v1=bad_signature", vector_header());
    offline(&[WHSEC])
        .verify_signature(Some(&header), VECTOR_BODY, at(T))
        .unwrap();
}

#[test]
fn the_right_v1_may_come_second() {
    let other = stripe::signature("whsec_old_secret", T, VECTOR_BODY);
    let header = format!("t={T},v1={other},v1={VECTOR_V1}");
    offline(&[WHSEC])
        .verify_signature(Some(&header), VECTOR_BODY, at(T))
        .unwrap();
}

#[test]
fn v0_alone_is_a_bad_signature() {
    let header = format!("t={T},v0={VECTOR_V1}");
    assert_eq!(
        offline(&[WHSEC]).verify_signature(Some(&header), VECTOR_BODY, at(T)),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn unknown_keys_and_v0_are_ignored() {
    let header = format!("t={T},v0=abc,scheme=x,v1={VECTOR_V1}");
    offline(&[WHSEC])
        .verify_signature(Some(&header), VECTOR_BODY, at(T))
        .unwrap();
}

#[test]
fn a_rolled_secret_verifies() {
    // Two configured secrets; the header is signed with the second.
    let rolled = "whsec_rolled_secret";
    let v1 = stripe::signature(rolled, T, VECTOR_BODY);
    let header = format!("t={T},v1={v1}");
    offline(&[WHSEC, rolled])
        .verify_signature(Some(&header), VECTOR_BODY, at(T))
        .unwrap();
    // And a secret we do not hold does not.
    assert_eq!(
        offline(&[WHSEC]).verify_signature(Some(&header), VECTOR_BODY, at(T)),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn a_changed_body_is_a_bad_signature() {
    let body = br#"{"id":"evt_test_webhook","object":"event" }"#;
    assert_eq!(
        offline(&[WHSEC]).verify_signature(Some(&vector_header()), body, at(T)),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn a_missing_header_is_missing() {
    let stripe = offline(&[WHSEC]);
    let err = stripe.parse_webhook(&[], VECTOR_BODY, at(T)).unwrap_err();
    assert_eq!(err, WebhookError::MissingSignature);
    assert!(err.is_auth());
    assert_eq!(
        stripe.verify_signature(Some("  "), VECTOR_BODY, at(T)),
        Err(WebhookError::MissingSignature)
    );
}

#[test]
fn garbage_headers_are_bad_signatures() {
    let stripe = offline(&[WHSEC]);
    for header in [
        "garbage".to_string(),
        format!("v1={VECTOR_V1}"),
        format!("t={T}"),
        format!("t=yesterday,v1={VECTOR_V1}"),
        ",,,=,".to_string(),
    ] {
        assert_eq!(
            stripe.verify_signature(Some(&header), VECTOR_BODY, at(T)),
            Err(WebhookError::BadSignature),
            "{header}"
        );
    }
}

#[test]
fn no_configured_secret_verifies_nothing() {
    assert_eq!(
        offline(&[]).verify_signature(Some(&vector_header()), VECTOR_BODY, at(T)),
        Err(WebhookError::BadSignature)
    );
}

// ---------------------------------------------------------------------------------------------
// events

fn signed(body: &Value) -> (Vec<(String, String)>, Vec<u8>) {
    let body = body.to_string().into_bytes();
    let header = format!("t={T},v1={}", stripe::signature(WHSEC, T, &body));
    (vec![("stripe-signature".to_string(), header)], body)
}

fn event(kind: &str, object: Value) -> Value {
    json!({"id": "evt_1TWIw10qWkNaM1fMzaiYAW0f", "object": "event",
           "api_version": "2026-01-28.clover", "created": T,
           "data": {"object": object}, "livemode": false, "pending_webhooks": 1,
           "request": {"id": null, "idempotency_key": null}, "type": kind})
}

fn read(kind: &str, object: Value) -> payments::WebhookEvent {
    let (headers, body) = signed(&event(kind, object));
    offline(&[WHSEC])
        .parse_webhook(&headers, &body, at(T + 3))
        .unwrap()
}

#[test]
fn a_paid_completed_session_claims_paid() {
    let event = read(
        "checkout.session.completed",
        session("complete", "paid", json!("pi_3abc")),
    );
    assert_eq!(event.event_key, "evt_1TWIw10qWkNaM1fMzaiYAW0f");
    assert_eq!(event.kind, "checkout.session.completed");
    assert_eq!(event.reference.as_deref(), Some("SEW-0042-7f3a9c"));
    assert_eq!(event.provider_ref.as_deref(), Some(SESSION_ID));
    assert_eq!(event.claimed, Status::Paid);
    assert_eq!(event.amount, Some(2000));
    assert_eq!(event.currency.as_deref(), Some("USD"));
}

#[test]
fn an_unpaid_completed_session_is_pending() {
    let event = read(
        "checkout.session.completed",
        session("complete", "unpaid", Value::Null),
    );
    assert_eq!(event.claimed, Status::Pending);
}

#[test]
fn the_reference_falls_back_to_metadata() {
    let mut object = session("complete", "paid", Value::Null);
    object["client_reference_id"] = Value::Null;
    let event = read("checkout.session.async_payment_succeeded", object);
    assert_eq!(event.claimed, Status::Paid);
    assert_eq!(event.reference.as_deref(), Some("SEW-0042-7f3a9c"));
}

#[test]
fn an_expired_session_fails_expired() {
    let event = read(
        "checkout.session.expired",
        session("expired", "unpaid", Value::Null),
    );
    assert_eq!(event.claimed, Status::Failed(Failure::Expired));
}

#[test]
fn a_failed_delayed_payment_fails() {
    let event = read(
        "checkout.session.async_payment_failed",
        session("complete", "unpaid", Value::Null),
    );
    assert!(
        matches!(event.claimed, Status::Failed(Failure::Other { .. })),
        "{event:?}"
    );
}

#[test]
fn other_events_are_pending_and_name_no_session() {
    let event = read(
        "payment_intent.succeeded",
        json!({"id": "pi_3abc", "object": "payment_intent", "amount": 2000, "currency": "usd"}),
    );
    assert_eq!(event.claimed, Status::Pending);
    assert_eq!(event.provider_ref, None);
    assert_eq!(event.reference, None);
}

// ---------------------------------------------------------------------------------------------
// create

fn form(request: &wiremock::Request) -> HashMap<String, String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(&request.body)
        .unwrap()
        .into_iter()
        .collect()
}

#[tokio::test]
async fn create_posts_a_checkout_session_form() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .and(header("authorization", BASIC))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .respond_with(ResponseTemplate::new(200).set_body_json(session(
            "open",
            "unpaid",
            Value::Null,
        )))
        .expect(1)
        .mount(&server)
        .await;

    let initiated = client(&server.uri(), &[WHSEC])
        .create(&request())
        .await
        .unwrap();
    assert_eq!(
        initiated,
        Initiated::Link {
            url: CHECKOUT_URL.to_string(),
            provider_ref: Some(SESSION_ID.to_string()),
        }
    );

    let requests = server.received_requests().await.unwrap();
    let sent = form(&requests[0]);
    let expected = [
        ("mode", "payment"),
        ("success_url", "https://sokoni.example/paid/SEW-0042"),
        ("cancel_url", "https://sokoni.example/paid/SEW-0042"),
        ("client_reference_id", "SEW-0042-7f3a9c"),
        ("metadata[reference]", "SEW-0042-7f3a9c"),
        ("line_items[0][quantity]", "1"),
        ("line_items[0][price_data][currency]", "usd"),
        ("line_items[0][price_data][unit_amount]", "2000"),
        (
            "line_items[0][price_data][product_data][name]",
            "Deposit for SEW-0042 at Funmi Couture",
        ),
        ("customer_email", "funmi@example.com"),
    ];
    for (key, value) in expected {
        assert_eq!(sent.get(key).map(String::as_str), Some(value), "{key}");
    }
    assert_eq!(sent.len(), expected.len(), "{sent:?}");
}

#[tokio::test]
async fn create_leaves_out_an_unknown_email() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(session(
            "open",
            "unpaid",
            Value::Null,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let req = PaymentRequest {
        email: None,
        ..request()
    };
    client(&server.uri(), &[WHSEC]).create(&req).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(!form(&requests[0]).contains_key("customer_email"));
}

async fn create_failing(status: u16, body: Value) -> PayError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/checkout/sessions"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    client(&server.uri(), &[WHSEC])
        .create(&request())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_stripe_error_is_refused_with_its_code() {
    let err = create_failing(
        400,
        json!({"error": {"type": "invalid_request_error", "code": "parameter_invalid_integer",
                         "param": "line_items[0][price_data][unit_amount]",
                         "message": "Invalid integer: abc"}}),
    )
    .await;
    assert_eq!(
        err,
        PayError::Refused {
            code: "parameter_invalid_integer".to_string(),
            message: "Invalid integer: abc".to_string(),
        }
    );
}

#[tokio::test]
async fn an_error_without_a_code_is_refused_with_its_type() {
    let err = create_failing(
        401,
        json!({"error": {"type": "invalid_request_error",
                         "message": "Invalid API Key provided: sk_test_****123"}}),
    )
    .await;
    assert!(
        matches!(&err, PayError::Refused { code, .. } if code == "invalid_request_error"),
        "{err:?}"
    );
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retryable() {
    let limited = create_failing(
        429,
        json!({"error": {"type": "invalid_request_error", "code": "rate_limit",
                         "message": "Too many requests"}}),
    )
    .await;
    assert!(matches!(limited, PayError::Retryable(_)), "{limited:?}");
    let broken = create_failing(
        500,
        json!({"error": {"type": "api_error", "message": "Something went wrong"}}),
    )
    .await;
    assert!(matches!(broken, PayError::Retryable(_)), "{broken:?}");
}

// ---------------------------------------------------------------------------------------------
// verify

async fn verify_answer(body: Value) -> payments::Verified {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/checkout/sessions/{SESSION_ID}")))
        .and(header("authorization", BASIC))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    client(&server.uri(), &[WHSEC])
        .verify("SEW-0042-7f3a9c", Some(SESSION_ID))
        .await
        .unwrap()
}

#[tokio::test]
async fn verify_reports_a_paid_session() {
    let verified = verify_answer(session("complete", "paid", json!("pi_3abc"))).await;
    assert_eq!(verified.status, Status::Paid);
    assert_eq!(verified.reference.as_deref(), Some("SEW-0042-7f3a9c"));
    assert_eq!(verified.amount, Some(2000));
    assert_eq!(verified.currency.as_deref(), Some("USD"));
    assert_eq!(verified.provider_txn.as_deref(), Some("pi_3abc"));
}

#[tokio::test]
async fn verify_reports_an_unpaid_session_as_pending() {
    let verified = verify_answer(session("open", "unpaid", Value::Null)).await;
    assert_eq!(verified.status, Status::Pending);
    assert_eq!(verified.provider_txn, None);
}

#[tokio::test]
async fn verify_reports_an_expired_session() {
    let verified = verify_answer(session("expired", "unpaid", Value::Null)).await;
    assert_eq!(verified.status, Status::Failed(Failure::Expired));
}

#[tokio::test]
async fn verify_reads_an_expanded_payment_intent() {
    let verified = verify_answer(session(
        "complete",
        "paid",
        json!({"id": "pi_3abc", "object": "payment_intent"}),
    ))
    .await;
    assert_eq!(verified.provider_txn.as_deref(), Some("pi_3abc"));
}

#[tokio::test]
async fn verify_needs_the_session_id() {
    let server = MockServer::start().await;
    let stripe = client(&server.uri(), &[WHSEC]);
    for provider_ref in [None, Some(""), Some("../v1/charges")] {
        let err = stripe
            .verify("SEW-0042-7f3a9c", provider_ref)
            .await
            .unwrap_err();
        assert!(
            matches!(err, PayError::Invalid(_)),
            "{provider_ref:?}: {err:?}"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn verify_maps_a_missing_session_to_a_refusal() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/checkout/sessions/{SESSION_ID}")))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"error": {
            "type": "invalid_request_error", "code": "resource_missing",
            "message": "No such checkout.session"}})))
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server.uri(), &[WHSEC])
        .verify("SEW-0042-7f3a9c", Some(SESSION_ID))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PayError::Refused { code, .. } if code == "resource_missing"),
        "{err:?}"
    );
}

#[test]
fn the_provider_is_named_stripe() {
    let stripe = offline(&[WHSEC]);
    assert_eq!(stripe.name(), "stripe");
    let debug = format!("{stripe:?}");
    assert!(
        !debug.contains(SECRET_KEY) && !debug.contains(WHSEC),
        "{debug}"
    );
}
