#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! The Paystack client against a local mock that speaks protocols §2.

use std::time::Duration;

use chrono::Utc;
use domain::E164;
use domain::money::Currency;
use payments::paystack::{Paystack, SIGNATURE_HEADER, sign};
use payments::{
    Failure, HttpConfig, Initiated, PayError, PaymentProvider, PaymentRequest, Status, Verified,
    WebhookError,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SK: &str = "sk_test_secret";
/// protocols §2.3.
const VECTOR_BODY: &str = r#"{"event":"charge.success","data":{"reference":"ref_123","amount":500000,"status":"success"}}"#;
const VECTOR_SIG: &str = "173c59e6b0e7ab98a10fa539ce872cbe728beca491ea0ba41e665f4658d1dccc0e5cbfc3b4df7be766bebd3e20ea016f21bda54e834715f9d6eb3f4a025079e6";

fn paystack(server: &MockServer) -> Paystack {
    Paystack::new(HttpConfig::new(&server.uri()), SecretString::from(SK))
}

fn offline() -> Paystack {
    Paystack::new(
        HttpConfig::new("http://127.0.0.1:9"),
        SecretString::from(SK),
    )
}

fn request() -> PaymentRequest {
    PaymentRequest {
        reference: "SEW-0042-1".to_string(),
        amount: 4_500_000,
        currency: Currency::parse("NGN").unwrap(),
        email: Some("funmi@example.com".to_string()),
        phone: Some(E164::from_wa_id("2348031234567").unwrap()),
        name: Some("Funmi".to_string()),
        description: "Deposit for SEW-0042 at Funmi Couture".to_string(),
        return_url: "https://sokoni.example/pay/return".to_string(),
        callback_url: "https://sokoni.example/webhooks/paystack".to_string(),
    }
}

fn initialized() -> Value {
    json!({"status": true, "message": "Authorization URL created",
        "data": {"authorization_url": "https://checkout.paystack.com/3ni8kdavz62431k",
                 "access_code": "3ni8kdavz62431k", "reference": "SEW-0042-1"}})
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// create

#[tokio::test]
async fn initialize_speaks_the_documented_protocol() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/transaction/initialize"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .and(body_json(json!({
            "email": "funmi@example.com", "amount": 4_500_000, "currency": "NGN",
            "reference": "SEW-0042-1", "callback_url": "https://sokoni.example/pay/return",
            "metadata": {"reference": "SEW-0042-1"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(initialized()))
        .expect(1)
        .mount(&server)
        .await;
    let got = paystack(&server).create(&request()).await.unwrap();
    assert_eq!(
        got,
        Initiated::Link {
            url: "https://checkout.paystack.com/3ni8kdavz62431k".to_string(),
            provider_ref: Some("3ni8kdavz62431k".to_string()),
        }
    );
}

#[tokio::test]
async fn a_customer_without_email_gets_a_placeholder_from_the_phone() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/transaction/initialize"))
        .and(wiremock::matchers::body_partial_json(
            json!({"email": "2348031234567@customers.sokoni.app"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(initialized()))
        .expect(1)
        .mount(&server)
        .await;
    let req = PaymentRequest {
        email: None,
        ..request()
    };
    paystack(&server).create(&req).await.unwrap();
}

#[tokio::test]
async fn a_customer_without_email_or_phone_cannot_pay_by_paystack() {
    let req = PaymentRequest {
        email: None,
        phone: None,
        ..request()
    };
    let err = offline().create(&req).await.unwrap_err();
    assert!(matches!(err, PayError::Invalid(_)), "{err:?}");
}

#[tokio::test]
async fn an_invalid_key_is_refused_with_the_http_status() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/transaction/initialize"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"status": false, "message": "Invalid key"})),
        )
        .mount(&server)
        .await;
    let err = paystack(&server).create(&request()).await.unwrap_err();
    assert_eq!(
        err,
        PayError::Refused {
            code: "400".to_string(),
            message: "Invalid key".to_string()
        }
    );
}

#[tokio::test]
async fn status_false_on_a_200_is_a_refusal() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/transaction/initialize"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"status": false, "message": "Duplicate Transaction Reference"}),
            ),
        )
        .mount(&server)
        .await;
    let err = paystack(&server).create(&request()).await.unwrap_err();
    assert!(
        matches!(&err, PayError::Refused { code, message } if code == "200" && message.contains("Duplicate")),
        "{err:?}"
    );
}

#[tokio::test]
async fn server_errors_and_throttling_are_retryable() {
    for status in [500, 502, 429] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/transaction/initialize"))
            .respond_with(ResponseTemplate::new(status).set_body_string("upstream trouble"))
            .mount(&server)
            .await;
        let err = paystack(&server).create(&request()).await.unwrap_err();
        assert!(matches!(err, PayError::Retryable(_)), "{status}: {err:?}");
    }
}

#[tokio::test]
async fn a_timeout_is_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/transaction/initialize"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(initialized())
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let http = HttpConfig {
        timeout: Duration::from_millis(200),
        ..HttpConfig::new(&server.uri())
    };
    let err = Paystack::new(http, SecretString::from(SK))
        .create(&request())
        .await
        .unwrap_err();
    assert!(matches!(err, PayError::Retryable(_)), "{err:?}");
}

#[tokio::test]
async fn an_unreachable_provider_is_retryable() {
    let err = offline().verify("SEW-0042-1", None).await.unwrap_err();
    assert!(matches!(err, PayError::Retryable(_)), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// verify

/// Abridged from PSOSS verify/response.json, with string numbers and a
/// string `metadata`, as Paystack sometimes sends them.
fn verified(status: &str, gateway_response: &str) -> Value {
    json!({"status": true, "message": "Verification successful", "data": {
        "id": 4099260516_i64, "domain": "test", "status": status, "reference": "SEW-0042-1",
        "amount": "40333", "gateway_response": gateway_response,
        "paid_at": "2024-08-22T09:15:02.000Z", "channel": "card", "currency": "ngn",
        "metadata": "", "fees": 10283, "authorization": {"last4": "4081", "reusable": true},
        "customer": {"id": 181873746, "email": "demo@test.com"}, "requested_amount": 30050}})
}

async fn verify_answering(status: u16, body: Value) -> Result<Verified, PayError> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/transaction/verify/SEW-0042-1"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    paystack(&server).verify("SEW-0042-1", None).await
}

#[tokio::test]
async fn verify_reports_a_successful_payment() {
    let got = verify_answering(200, verified("success", "Successful"))
        .await
        .unwrap();
    assert_eq!(
        got,
        Verified {
            status: Status::Paid,
            reference: Some("SEW-0042-1".to_string()),
            amount: Some(40333),
            currency: Some("NGN".to_string()),
            provider_txn: Some("4099260516".to_string()),
        }
    );
}

#[tokio::test]
async fn verify_reports_a_failed_payment_with_the_gateway_response() {
    let got = verify_answering(200, verified("failed", "Declined"))
        .await
        .unwrap();
    assert_eq!(
        got.status,
        Status::Failed(Failure::Other {
            code: "failed".to_string(),
            message: "Declined".to_string()
        })
    );
}

#[tokio::test]
async fn verify_reads_unfinished_states_as_pending() {
    for state in ["abandoned", "ongoing", "pending", "processing", "queued"] {
        let got = verify_answering(200, verified(state, "")).await.unwrap();
        assert_eq!(got.status, Status::Pending, "{state}");
    }
    let got = verify_answering(200, verified("reversed", "Reversed"))
        .await
        .unwrap();
    assert!(matches!(got.status, Status::Failed(_)));
}

#[tokio::test]
async fn an_unknown_reference_is_not_found() {
    for status in [400, 404] {
        let got = verify_answering(
            status,
            json!({"status": false, "message": "Transaction reference not found"}),
        )
        .await
        .unwrap();
        assert!(
            matches!(&got.status, Status::Failed(Failure::Other { code, .. }) if code == "not_found"),
            "{status}: {got:?}"
        );
        assert_eq!(got.amount, None);
    }
}

#[tokio::test]
async fn verify_errors_are_classified() {
    let err = verify_answering(401, json!({"status": false, "message": "Invalid key"}))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        PayError::Refused {
            code: "401".to_string(),
            message: "Invalid key".to_string()
        }
    );
    let err = verify_answering(503, json!({"status": false, "message": "down"}))
        .await
        .unwrap_err();
    assert!(matches!(err, PayError::Retryable(_)), "{err:?}");
}

#[tokio::test]
async fn the_reference_is_one_encoded_path_segment() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/transaction/verify/a%2Fb%3Fc%20d"))
        .respond_with(ResponseTemplate::new(200).set_body_json(verified("success", "ok")))
        .expect(1)
        .mount(&server)
        .await;
    paystack(&server).verify("a/b?c d", None).await.unwrap();
}

// ---------------------------------------------------------------------------------------------
// webhooks

#[test]
fn the_protocol_vector_verifies() {
    assert_eq!(sign(SK.as_bytes(), VECTOR_BODY.as_bytes()), VECTOR_SIG);
    let event = offline()
        .parse_webhook(
            &headers(&[(SIGNATURE_HEADER, VECTOR_SIG)]),
            VECTOR_BODY.as_bytes(),
            Utc::now(),
        )
        .unwrap();
    assert_eq!(event.event_key, "charge.success:ref_123");
    assert_eq!(event.kind, "charge.success");
    assert_eq!(event.reference.as_deref(), Some("ref_123"));
    assert_eq!(event.provider_ref, None);
    assert_eq!(event.claimed, Status::Paid);
    assert_eq!(event.amount, Some(500_000));
}

#[test]
fn an_uppercase_signature_is_the_same_mac() {
    let upper = VECTOR_SIG.to_ascii_uppercase();
    offline()
        .parse_webhook(
            &headers(&[("X-Paystack-Signature", &upper)]),
            VECTOR_BODY.as_bytes(),
            Utc::now(),
        )
        .unwrap();
}

#[test]
fn forged_malformed_and_missing_signatures_are_refused() {
    let p = offline();
    let tampered = VECTOR_BODY.replace("500000", "5000000");
    let cases = [
        (
            headers(&[(SIGNATURE_HEADER, VECTOR_SIG)]),
            tampered.as_str(),
            WebhookError::BadSignature,
        ),
        (
            headers(&[(
                SIGNATURE_HEADER,
                &sign(b"sk_test_other", VECTOR_BODY.as_bytes()),
            )]),
            VECTOR_BODY,
            WebhookError::BadSignature,
        ),
        (
            headers(&[(SIGNATURE_HEADER, "not-hex")]),
            VECTOR_BODY,
            WebhookError::BadSignature,
        ),
        (
            headers(&[(SIGNATURE_HEADER, &VECTOR_SIG[..64])]),
            VECTOR_BODY,
            WebhookError::BadSignature,
        ),
        (
            headers(&[(SIGNATURE_HEADER, "")]),
            VECTOR_BODY,
            WebhookError::MissingSignature,
        ),
        (headers(&[]), VECTOR_BODY, WebhookError::MissingSignature),
    ];
    for (h, body, want) in cases {
        let err = p
            .parse_webhook(&h, body.as_bytes(), Utc::now())
            .unwrap_err();
        assert_eq!(err, want, "{h:?}");
        assert!(err.is_auth());
    }
}

#[test]
fn the_official_charge_success_sample_reads() {
    let body = json!({"event": "charge.success", "data": {"id": 302961, "domain": "live",
        "status": "success", "reference": "qTPrJoy9Bx", "amount": 10000, "message": null,
        "gateway_response": "Approved by Financial Institution", "channel": "card",
        "currency": "NGN", "metadata": 0, "log": {"time_spent": 16}, "fees": null,
        "customer": {"id": 68324, "email": "bojack@horseman.com"}, "plan": {}}})
    .to_string();
    let event = offline()
        .parse_webhook(
            &headers(&[(SIGNATURE_HEADER, &sign(SK.as_bytes(), body.as_bytes()))]),
            body.as_bytes(),
            Utc::now(),
        )
        .unwrap();
    assert_eq!(event.event_key, "charge.success:qTPrJoy9Bx");
    assert_eq!(event.provider_ref.as_deref(), Some("302961"));
    assert_eq!(event.claimed, Status::Paid);
    assert_eq!(event.amount, Some(10000));
    assert_eq!(event.currency.as_deref(), Some("NGN"));
}

#[test]
fn other_events_claim_what_they_say() {
    let p = offline();
    let read = |body: Value| {
        let body = body.to_string();
        p.parse_webhook(
            &headers(&[(SIGNATURE_HEADER, &sign(SK.as_bytes(), body.as_bytes()))]),
            body.as_bytes(),
            Utc::now(),
        )
        .unwrap()
    };
    let failed = read(
        json!({"event": "charge.failed", "data": {"id": 1, "reference": "r1",
        "status": "failed", "gateway_response": "Insufficient Funds", "metadata": {"a": 1}}}),
    );
    assert_eq!(failed.event_key, "charge.failed:r1");
    assert_eq!(
        failed.claimed,
        Status::Failed(Failure::Other {
            code: "failed".to_string(),
            message: "Insufficient Funds".to_string()
        })
    );
    let odd = read(
        json!({"event": "charge.success", "data": {"id": 2, "reference": "r2",
        "status": "ongoing"}}),
    );
    assert_eq!(odd.claimed, Status::Pending);
    let other = read(
        json!({"event": "transfer.success", "data": {"id": 3, "reference": "r3",
        "status": "success"}}),
    );
    assert_eq!(other.claimed, Status::Pending);
    assert_eq!(other.kind, "transfer.success");
}

#[test]
fn an_authentic_but_unreadable_body_is_a_payload_error() {
    for body in [
        "not json",
        r#"{"data":{}}"#,
        r#"{"event":"charge.success","data":{}}"#,
    ] {
        let err = offline()
            .parse_webhook(
                &headers(&[(SIGNATURE_HEADER, &sign(SK.as_bytes(), body.as_bytes()))]),
                body.as_bytes(),
                Utc::now(),
            )
            .unwrap_err();
        assert!(matches!(err, WebhookError::Payload(_)), "{body}: {err:?}");
        assert!(!err.is_auth());
    }
}

#[test]
fn the_name_is_paystack_and_the_key_stays_secret() {
    assert_eq!(offline().name(), "paystack");
    assert!(!format!("{:?}", offline()).contains(SK));
}
