#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! The Flutterwave v3 client against a local mock that speaks protocols §3.

use chrono::Utc;
use domain::E164;
use domain::money::Currency;
use payments::flutterwave::{Flutterwave, SIGNATURE_HEADER, VERIF_HASH_HEADER, sign};
use payments::{
    Failure, HttpConfig, Initiated, PayError, PaymentProvider, PaymentRequest, Status, Verified,
    WebhookError,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SK: &str = "FLWSECK_TEST-abc123-X";
const HASH: &str = "my_secret_hash";
/// protocols §3.3.
const VECTOR_BODY: &str = r#"{"event":"charge.completed","data":{"id":285959875,"tx_ref":"Links-616626414629","status":"successful"}}"#;
const VECTOR_SIG: &str = "IKRYaEvWAUtQsf//6mASoR4U2tBCfF/mXBcRuMtEXcw=";

fn flutterwave(server: &MockServer) -> Flutterwave {
    Flutterwave::new(
        HttpConfig::new(&server.uri()),
        SecretString::from(SK),
        SecretString::from(HASH),
    )
}

fn offline() -> Flutterwave {
    Flutterwave::new(
        HttpConfig::new("http://127.0.0.1:9"),
        SecretString::from(SK),
        SecretString::from(HASH),
    )
}

fn request() -> PaymentRequest {
    PaymentRequest {
        reference: "SEW-0042-1".to_string(),
        amount: 123_450,
        currency: Currency::parse("NGN").unwrap(),
        email: Some("funmi@example.com".to_string()),
        phone: Some(E164::from_wa_id("2348031234567").unwrap()),
        name: Some("Funmi Adeyemi".to_string()),
        description: "Deposit for SEW-0042 at Funmi Couture".to_string(),
        return_url: "https://sokoni.example/pay/return".to_string(),
        callback_url: "https://sokoni.example/webhooks/flutterwave".to_string(),
    }
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn hosted_link() -> Value {
    json!({"status": "success", "message": "Hosted Link",
        "data": {"link": "https://checkout.flutterwave.com/v3/hosted/pay/flwlnk-01"}})
}

// ---------------------------------------------------------------------------------------------
// create

#[tokio::test]
async fn create_sends_major_units_and_returns_the_link() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/payments"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .and(body_json(json!({
            "tx_ref": "SEW-0042-1", "amount": 1234.5, "currency": "NGN",
            "redirect_url": "https://sokoni.example/pay/return",
            "customer": {"email": "funmi@example.com", "name": "Funmi Adeyemi",
                         "phonenumber": "+2348031234567"},
            "customizations": {"title": "Deposit for SEW-0042 at Funmi Couture"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(hosted_link()))
        .expect(1)
        .mount(&server)
        .await;
    let got = flutterwave(&server).create(&request()).await.unwrap();
    assert_eq!(
        got,
        Initiated::Link {
            url: "https://checkout.flutterwave.com/v3/hosted/pay/flwlnk-01".to_string(),
            provider_ref: None,
        }
    );
}

#[tokio::test]
async fn whole_amounts_are_sent_as_integers_and_zero_digit_currencies_as_is() {
    for (amount, currency, want) in [(500_000, "NGN", "5000"), (15_000, "UGX", "15000")] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v3/payments"))
            .respond_with(ResponseTemplate::new(200).set_body_json(hosted_link()))
            .expect(1)
            .mount(&server)
            .await;
        let req = PaymentRequest {
            amount,
            currency: Currency::parse(currency).unwrap(),
            email: None,
            name: None,
            ..request()
        };
        flutterwave(&server).create(&req).await.unwrap();
        let sent: Value = server.received_requests().await.unwrap()[0]
            .body_json()
            .unwrap();
        assert_eq!(sent["amount"].to_string(), want);
        assert_eq!(
            sent["customer"],
            json!({"email": "2348031234567@customers.sokoni.app", "phonenumber": "+2348031234567"})
        );
    }
}

#[tokio::test]
async fn create_errors_are_classified() {
    for (status, body, retryable) in [
        (
            401,
            json!({"status": "error", "message": "Invalid authorization key", "data": null}),
            false,
        ),
        (
            200,
            json!({"status": "error", "message": "Invalid currency", "data": null}),
            false,
        ),
        (500, json!({"status": "error", "message": "Internal"}), true),
        (429, json!({}), true),
    ] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v3/payments"))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
        let err = flutterwave(&server).create(&request()).await.unwrap_err();
        if retryable {
            assert!(matches!(err, PayError::Retryable(_)), "{status}: {err:?}");
        } else {
            assert!(
                matches!(&err, PayError::Refused { code, .. } if code == &status.to_string()),
                "{status}: {err:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// verify

/// From developer.flutterwave.com/reference/endpoints/transactions.
fn transaction(status: &str, amount: Value) -> Value {
    json!({"status": "success", "message": "Transaction fetched successfully", "data": {
        "id": 288200108, "tx_ref": "SEW-0042-1", "flw_ref": "YemiDesola/FLW275407301",
        "amount": amount, "currency": "NGN", "charged_amount": 100, "app_fee": 1.4,
        "merchant_fee": 0, "processor_response": "Approved by Financial Institution",
        "status": status, "payment_type": "card", "created_at": "2020-07-15T14:31:16.000Z",
        "customer": {"id": 1}, "card": {"last_4digits": "7889"}}})
}

async fn verify_answering(status: u16, body: Value) -> Result<Verified, PayError> {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v3/transactions/288200108/verify"))
        .and(header("authorization", format!("Bearer {SK}").as_str()))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(&server)
        .await;
    flutterwave(&server)
        .verify("SEW-0042-1", Some("288200108"))
        .await
}

#[tokio::test]
async fn verify_reports_a_successful_payment_in_minor_units() {
    let got = verify_answering(200, transaction("successful", json!(1234.5)))
        .await
        .unwrap();
    assert_eq!(
        got,
        Verified {
            status: Status::Paid,
            reference: Some("SEW-0042-1".to_string()),
            amount: Some(123_450),
            currency: Some("NGN".to_string()),
            provider_txn: Some("288200108".to_string()),
        }
    );
    let got = verify_answering(200, transaction("successful", json!(100)))
        .await
        .unwrap();
    assert_eq!(got.amount, Some(10_000));
    let got = verify_answering(200, transaction("successful", json!(0.29)))
        .await
        .unwrap();
    assert_eq!(got.amount, Some(29));
}

#[tokio::test]
async fn verify_reports_failed_and_pending_payments() {
    let got = verify_answering(200, transaction("failed", json!(100)))
        .await
        .unwrap();
    assert_eq!(
        got.status,
        Status::Failed(Failure::Other {
            code: "failed".to_string(),
            message: "Approved by Financial Institution".to_string()
        })
    );
    let got = verify_answering(200, transaction("pending", json!(100)))
        .await
        .unwrap();
    assert_eq!(got.status, Status::Pending);
}

#[tokio::test]
async fn an_unknown_transaction_is_not_found() {
    for status in [400, 404, 200] {
        let got = verify_answering(
            status,
            json!({"status": "error", "message": "No transaction was found for this id", "data": null}),
        )
        .await
        .unwrap();
        assert!(
            matches!(&got.status, Status::Failed(Failure::Other { code, .. }) if code == "not_found"),
            "{status}: {got:?}"
        );
    }
}

#[tokio::test]
async fn verify_server_errors_are_retryable() {
    for status in [500, 503] {
        let err = verify_answering(status, json!({"status": "error", "message": "oops"}))
            .await
            .unwrap_err();
        assert!(matches!(err, PayError::Retryable(_)), "{status}: {err:?}");
    }
    let err = offline()
        .verify("SEW-0042-1", Some("288200108"))
        .await
        .unwrap_err();
    assert!(matches!(err, PayError::Retryable(_)), "{err:?}");
}

#[tokio::test]
async fn verify_needs_the_numeric_transaction_id() {
    for provider_ref in [None, Some(""), Some("SEW-0042-1"), Some("1/../2")] {
        let err = offline()
            .verify("SEW-0042-1", provider_ref)
            .await
            .unwrap_err();
        assert!(
            matches!(err, PayError::Invalid(_)),
            "{provider_ref:?}: {err:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// webhooks

#[test]
fn the_protocol_vector_verifies() {
    assert_eq!(sign(HASH.as_bytes(), VECTOR_BODY.as_bytes()), VECTOR_SIG);
    let event = offline()
        .parse_webhook(
            &headers(&[(SIGNATURE_HEADER, VECTOR_SIG)]),
            VECTOR_BODY.as_bytes(),
            Utc::now(),
        )
        .unwrap();
    assert_eq!(event.event_key, "flw:285959875");
    assert_eq!(event.kind, "charge.completed");
    assert_eq!(event.reference.as_deref(), Some("Links-616626414629"));
    assert_eq!(event.provider_ref.as_deref(), Some("285959875"));
    assert_eq!(event.claimed, Status::Paid);
    assert_eq!(event.amount, None);
}

#[test]
fn the_legacy_verif_hash_is_accepted_when_equal() {
    let p = offline();
    p.parse_webhook(
        &headers(&[(VERIF_HASH_HEADER, HASH)]),
        VECTOR_BODY.as_bytes(),
        Utc::now(),
    )
    .unwrap();
    for wrong in ["my_secret_has", "my_secret_hash2", "MY_SECRET_HASH"] {
        let err = p
            .parse_webhook(
                &headers(&[(VERIF_HASH_HEADER, wrong)]),
                VECTOR_BODY.as_bytes(),
                Utc::now(),
            )
            .unwrap_err();
        assert_eq!(err, WebhookError::BadSignature, "{wrong}");
    }
}

#[test]
fn either_valid_header_suffices_and_none_is_missing() {
    let p = offline();
    let body = VECTOR_BODY.as_bytes();
    let read = |h: &[(&str, &str)]| p.parse_webhook(&headers(h), body, Utc::now());
    // A good hash rescues a bad signature, and the other way round.
    read(&[(SIGNATURE_HEADER, "AAAA"), (VERIF_HASH_HEADER, HASH)]).unwrap();
    read(&[(SIGNATURE_HEADER, VECTOR_SIG), (VERIF_HASH_HEADER, "nope")]).unwrap();
    assert_eq!(
        read(&[(SIGNATURE_HEADER, "AAAA"), (VERIF_HASH_HEADER, "nope")]).unwrap_err(),
        WebhookError::BadSignature
    );
    assert_eq!(
        read(&[(SIGNATURE_HEADER, "not base64!")]).unwrap_err(),
        WebhookError::BadSignature
    );
    let tampered = VECTOR_BODY.replace("successful", "failed");
    assert_eq!(
        p.parse_webhook(
            &headers(&[(SIGNATURE_HEADER, VECTOR_SIG)]),
            tampered.as_bytes(),
            Utc::now()
        )
        .unwrap_err(),
        WebhookError::BadSignature
    );
    assert_eq!(read(&[]).unwrap_err(), WebhookError::MissingSignature);
    assert_eq!(
        read(&[(VERIF_HASH_HEADER, " ")]).unwrap_err(),
        WebhookError::MissingSignature
    );
}

#[test]
fn the_documented_charge_completed_sample_reads() {
    let body = json!({"event": "charge.completed", "data": {"id": 285959875,
        "tx_ref": "Links-616626414629", "flw_ref": "PeterEkene/FLW270177170",
        "device_fingerprint": "a42937f4a73ce8bb8b8df14e63a2df31", "amount": 100,
        "currency": "NGN", "charged_amount": 100, "app_fee": 1.4, "merchant_fee": 0,
        "processor_response": "Approved by Financial Institution", "auth_model": "PIN",
        "ip": "197.210.64.96", "narration": "CARD Transaction ", "status": "successful",
        "payment_type": "card", "created_at": "2020-07-06T19:17:04.000Z", "account_id": 17321,
        "customer": {"id": 215604089, "name": "Yemi Desola", "phone_number": null,
                     "email": "user@gmail.com", "created_at": "2020-07-06T19:17:04.000Z"},
        "card": {"first_6digits": "123456", "last_4digits": "7889", "country": "NG",
                 "type": "VERVE", "expiry": "02/23"}}})
    .to_string();
    let event = offline()
        .parse_webhook(
            &headers(&[(SIGNATURE_HEADER, &sign(HASH.as_bytes(), body.as_bytes()))]),
            body.as_bytes(),
            Utc::now(),
        )
        .unwrap();
    assert_eq!(event.event_key, "flw:285959875");
    assert_eq!(event.claimed, Status::Paid);
    assert_eq!(event.amount, Some(10_000));
    assert_eq!(event.currency.as_deref(), Some("NGN"));
}

#[test]
fn the_legacy_flat_shape_reads() {
    let body = json!({"id": 126122, "txRef": "rave-pos-121775237991",
        "flwRef": "FLW-MOCK-1", "amount": 1000, "charged_amount": 1000, "status": "successful",
        "currency": "UGX", "customer": {"id": 1}, "entity": {"card6": "539983", "card_last4": "8381"},
        "event.type": "CARD_TRANSACTION"})
    .to_string();
    let event = offline()
        .parse_webhook(
            &headers(&[(VERIF_HASH_HEADER, HASH)]),
            body.as_bytes(),
            Utc::now(),
        )
        .unwrap();
    assert_eq!(event.event_key, "flw:126122");
    assert_eq!(event.kind, "CARD_TRANSACTION");
    assert_eq!(event.reference.as_deref(), Some("rave-pos-121775237991"));
    assert_eq!(event.provider_ref.as_deref(), Some("126122"));
    assert_eq!(event.claimed, Status::Paid);
    // UGX has no minor unit.
    assert_eq!(event.amount, Some(1000));
    assert_eq!(event.currency.as_deref(), Some("UGX"));
}

#[test]
fn a_failed_charge_and_an_unknown_currency_read() {
    let body = json!({"event": "charge.completed", "data": {"id": 7, "tx_ref": "r7",
        "amount": 12.34, "currency": "XAF", "status": "failed",
        "processor_response": "Insufficient funds"}})
    .to_string();
    let event = offline()
        .parse_webhook(
            &headers(&[(VERIF_HASH_HEADER, HASH)]),
            body.as_bytes(),
            Utc::now(),
        )
        .unwrap();
    assert_eq!(
        event.claimed,
        Status::Failed(Failure::Other {
            code: "failed".to_string(),
            message: "Insufficient funds".to_string()
        })
    );
    // A currency we do not price in is assumed to have two digits.
    assert_eq!(event.amount, Some(1234));
}

#[test]
fn an_authentic_but_unreadable_body_is_a_payload_error() {
    for body in [
        "not json",
        "[]",
        r#"{"event":"charge.completed","data":{"tx_ref":"r"}}"#,
    ] {
        let err = offline()
            .parse_webhook(
                &headers(&[(VERIF_HASH_HEADER, HASH)]),
                body.as_bytes(),
                Utc::now(),
            )
            .unwrap_err();
        assert!(matches!(err, WebhookError::Payload(_)), "{body}: {err:?}");
    }
}

#[test]
fn the_name_is_flutterwave_and_the_secrets_stay_secret() {
    assert_eq!(offline().name(), "flutterwave");
    let debug = format!("{:?}", offline());
    assert!(!debug.contains(SK) && !debug.contains(HASH));
}
