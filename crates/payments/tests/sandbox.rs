#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! The sandbox client against a local mock of Sokoni's `/sandbox/pay` API.

use chrono::Utc;
use domain::money::Currency;
use payments::sandbox::{SIGNATURE_HEADER, SandboxPay, sign};
use payments::{
    Failure, HttpConfig, Initiated, PayError, PaymentProvider, PaymentRequest, Status, Verified,
    WebhookError,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "sandbox-webhook-secret";

fn sandbox(server: &MockServer) -> SandboxPay {
    SandboxPay::new(HttpConfig::new(&server.uri()), SecretString::from(SECRET))
}

fn offline() -> SandboxPay {
    SandboxPay::new(
        HttpConfig::new("http://127.0.0.1:9"),
        SecretString::from(SECRET),
    )
}

fn request() -> PaymentRequest {
    PaymentRequest {
        reference: "SEW-0042-1".to_string(),
        amount: 4_500_000,
        currency: Currency::parse("KES").unwrap(),
        email: None,
        phone: None,
        name: None,
        description: "Deposit for SEW-0042 at Funmi Couture".to_string(),
        return_url: "https://sokoni.example/pay/return".to_string(),
        callback_url: "https://sokoni.example/webhooks/sandbox".to_string(),
    }
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn signed(body: &str) -> Vec<(String, String)> {
    headers(&[(SIGNATURE_HEADER, &sign(SECRET.as_bytes(), body.as_bytes()))])
}

// ---------------------------------------------------------------------------------------------
// create

#[tokio::test]
async fn create_posts_the_charge_and_returns_the_checkout_link() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/sandbox/pay/api/charges"))
        .and(body_json(json!({
            "reference": "SEW-0042-1", "amount": 4_500_000, "currency": "KES",
            "description": "Deposit for SEW-0042 at Funmi Couture",
            "return_url": "https://sokoni.example/pay/return"})))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(
                json!({"url": "https://sokoni.example/sandbox/pay/ch_1", "id": "ch_1"}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    let got = sandbox(&server).create(&request()).await.unwrap();
    assert_eq!(
        got,
        Initiated::Link {
            url: "https://sokoni.example/sandbox/pay/ch_1".to_string(),
            provider_ref: Some("ch_1".to_string()),
        }
    );
}

#[tokio::test]
async fn create_errors_are_classified() {
    for (status, retryable) in [(400, false), (422, false), (500, true), (503, true)] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/sandbox/pay/api/charges"))
            .respond_with(
                ResponseTemplate::new(status).set_body_json(json!({"error": "no such currency"})),
            )
            .mount(&server)
            .await;
        let err = sandbox(&server).create(&request()).await.unwrap_err();
        if retryable {
            assert!(matches!(err, PayError::Retryable(_)), "{status}: {err:?}");
        } else {
            assert_eq!(
                err,
                PayError::Refused {
                    code: status.to_string(),
                    message: "no such currency".to_string()
                }
            );
        }
    }
    let err = offline().create(&request()).await.unwrap_err();
    assert!(matches!(err, PayError::Retryable(_)), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// verify

fn charge(status: &str) -> Value {
    json!({"id": "ch_1", "reference": "SEW-0042-1", "amount": 4_500_000, "currency": "KES",
        "status": status})
}

async fn verify_answering(status: u16, body: Value) -> Verified {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/sandbox/pay/api/charges/SEW-0042-1"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    sandbox(&server).verify("SEW-0042-1", None).await.unwrap()
}

#[tokio::test]
async fn verify_reports_each_state() {
    assert_eq!(
        verify_answering(200, charge("paid")).await,
        Verified {
            status: Status::Paid,
            reference: Some("SEW-0042-1".to_string()),
            amount: Some(4_500_000),
            currency: Some("KES".to_string()),
            provider_txn: Some("ch_1".to_string()),
        }
    );
    assert_eq!(
        verify_answering(200, charge("pending")).await.status,
        Status::Pending
    );
    assert_eq!(
        verify_answering(200, charge("failed")).await.status,
        Status::Failed(Failure::Other {
            code: "declined".to_string(),
            message: "declined on the sandbox checkout".to_string()
        })
    );
}

#[tokio::test]
async fn an_unknown_charge_is_not_found() {
    let got = verify_answering(404, json!({"error": "not found"})).await;
    assert!(
        matches!(&got.status, Status::Failed(Failure::Other { code, .. }) if code == "not_found"),
        "{got:?}"
    );
}

#[tokio::test]
async fn verify_server_errors_are_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let err = sandbox(&server)
        .verify("SEW-0042-1", None)
        .await
        .unwrap_err();
    assert!(matches!(err, PayError::Retryable(_)), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// webhooks

#[test]
fn sign_is_lowercase_hex_hmac_sha256() {
    // RFC 4231 test case 2.
    assert_eq!(
        sign(b"Jefe", b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

#[test]
fn a_signed_paid_event_reads_and_a_changed_body_does_not() {
    let body = r#"{"event":"charge.paid","id":"ch_1","reference":"SEW-0042-1","amount":4500000,"currency":"KES"}"#;
    let h = signed(body);
    let event = offline()
        .parse_webhook(&h, body.as_bytes(), Utc::now())
        .unwrap();
    assert_eq!(event.event_key, "sandbox:ch_1:charge.paid");
    assert_eq!(event.kind, "charge.paid");
    assert_eq!(event.reference.as_deref(), Some("SEW-0042-1"));
    assert_eq!(event.provider_ref.as_deref(), Some("ch_1"));
    assert_eq!(event.claimed, Status::Paid);
    assert_eq!(event.amount, Some(4_500_000));
    assert_eq!(event.currency.as_deref(), Some("KES"));

    let changed = body.replace("4500000", "4500001");
    let err = offline()
        .parse_webhook(&h, changed.as_bytes(), Utc::now())
        .unwrap_err();
    assert_eq!(err, WebhookError::BadSignature);
}

#[test]
fn a_failed_event_claims_a_decline() {
    let body = json!({"event": "charge.failed", "id": "ch_2", "reference": "R2",
        "amount": 100, "currency": "KES"})
    .to_string();
    let event = offline()
        .parse_webhook(&signed(&body), body.as_bytes(), Utc::now())
        .unwrap();
    assert_eq!(event.event_key, "sandbox:ch_2:charge.failed");
    assert_eq!(
        event.claimed,
        Status::Failed(Failure::Other {
            code: "declined".to_string(),
            message: "declined on the sandbox checkout".to_string()
        })
    );
}

#[test]
fn bad_and_missing_signatures_are_refused() {
    let body = r#"{"event":"charge.paid","id":"ch_1"}"#;
    let p = offline();
    let read = |h: Vec<(String, String)>| p.parse_webhook(&h, body.as_bytes(), Utc::now());
    assert_eq!(read(vec![]).unwrap_err(), WebhookError::MissingSignature);
    assert_eq!(
        read(headers(&[(SIGNATURE_HEADER, "zz")])).unwrap_err(),
        WebhookError::BadSignature
    );
    assert_eq!(
        read(headers(&[(
            SIGNATURE_HEADER,
            &sign(b"another secret", body.as_bytes())
        )]))
        .unwrap_err(),
        WebhookError::BadSignature
    );
    // Upper-case hex is the same MAC.
    let upper = sign(SECRET.as_bytes(), body.as_bytes()).to_ascii_uppercase();
    read(headers(&[("X-Sandbox-Signature", &upper)])).unwrap();
}

#[test]
fn an_authentic_but_unreadable_body_is_a_payload_error() {
    for body in ["nope", r#"{"id":"ch_1"}"#, r#"{"event":"charge.paid"}"#] {
        let err = offline()
            .parse_webhook(&signed(body), body.as_bytes(), Utc::now())
            .unwrap_err();
        assert!(matches!(err, WebhookError::Payload(_)), "{body}: {err:?}");
    }
}

#[test]
fn the_name_is_sandbox() {
    assert_eq!(offline().name(), "sandbox");
    assert!(!format!("{:?}", offline()).contains(SECRET));
}
