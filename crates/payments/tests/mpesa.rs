#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! The Daraja STK-push client against a local mock Daraja that speaks
//! protocols.md §4: OAuth, push, query and callback.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{TimeZone, Utc};
use domain::E164;
use domain::money::Currency;
use payments::mpesa::{self, Mpesa, MpesaConfig, TransactionType};
use payments::{
    Failure, HttpConfig, Initiated, PayError, PaymentProvider, PaymentRequest, Status, WebhookError,
};
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "GvzjNnYgNJtwgwfLBkZh65VPwfuKvs0V";
const SECRET: &str = "oOpJICRVlyrGSAkM";
const SHORTCODE: &str = "174379";
const PASSKEY: &str = "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
const TOKEN: &str = "c9SQxWWhmdVRlyh0zh8gZDTkubVF";
const CHECKOUT_ID: &str = "ws_CO_1007202409152617172396192";
const PUSH_PATH: &str = "/mpesa/stkpush/v1/processrequest";
const QUERY_PATH: &str = "/mpesa/stkpushquery/v1/query";
const CALLBACK_URL: &str = "https://sokoni.example/hooks/mpesa/6f1c0d9a4b2e47c8";

fn config(server: &MockServer, transaction_type: TransactionType, party_b: &str) -> MpesaConfig {
    MpesaConfig {
        http: HttpConfig::new(&server.uri()),
        consumer_key: SecretString::from(KEY),
        consumer_secret: SecretString::from(SECRET),
        shortcode: SHORTCODE.to_string(),
        passkey: SecretString::from(PASSKEY),
        transaction_type,
        party_b: party_b.to_string(),
    }
}

fn client(server: &MockServer) -> Mpesa {
    Mpesa::new(config(server, TransactionType::PayBill, SHORTCODE))
}

fn request() -> PaymentRequest {
    PaymentRequest {
        reference: "SEW-0042-7f3a9c".to_string(),
        amount: 150_000,
        currency: Currency::parse("KES").unwrap(),
        email: None,
        phone: Some(E164::parse("0722000000", "KE").unwrap()),
        name: Some("Wanjiru".to_string()),
        description: "Deposit for SEW-0042 at Funmi Couture".to_string(),
        return_url: "https://sokoni.example/paid".to_string(),
        callback_url: CALLBACK_URL.to_string(),
    }
}

fn accepted() -> Value {
    json!({"MerchantRequestID": "2654-4b64-97ff-b827b542881d3130",
           "CheckoutRequestID": CHECKOUT_ID,
           "ResponseCode": "0",
           "ResponseDescription": "Success. Request accepted for processing",
           "CustomerMessage": "Success. Request accepted for processing"})
}

fn daraja_error(code: &str, message: &str) -> Value {
    json!({"requestId": "11728-2929992-1", "errorCode": code, "errorMessage": message})
}

/// Mounts the OAuth endpoint, checking the Basic credentials, answering
/// `token` valid for `expires_in`, expected `times` times.
async fn mount_token(server: &MockServer, token: &str, expires_in: Value, times: u64) {
    let basic = format!("Basic {}", BASE64.encode(format!("{KEY}:{SECRET}")));
    Mock::given(method("GET"))
        .and(path("/oauth/v1/generate"))
        .and(query_param("grant_type", "client_credentials"))
        .and(header("authorization", basic.as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": token, "expires_in": expires_in})),
        )
        .expect(times)
        .mount(server)
        .await;
}

async fn mount_push(server: &MockServer, status: u16, body: Value, times: u64) {
    Mock::given(method("POST"))
        .and(path(PUSH_PATH))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(times)
        .mount(server)
        .await;
}

async fn mount_query(server: &MockServer, status: u16, body: Value) {
    Mock::given(method("POST"))
        .and(path(QUERY_PATH))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_partial_json(json!({
            "BusinessShortCode": 174379, "CheckoutRequestID": CHECKOUT_ID})))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

fn query_result(code: &str, desc: &str) -> Value {
    json!({"ResponseCode": "0",
           "ResponseDescription": "The service request has been accepted successfully",
           "MerchantRequestID": "22205-34066-1",
           "CheckoutRequestID": CHECKOUT_ID,
           "ResultCode": code,
           "ResultDesc": desc})
}

fn received_json(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

// ---------------------------------------------------------------------------------------------
// password and timestamp

#[test]
fn password_matches_the_documented_vector() {
    assert_eq!(
        mpesa::password(SHORTCODE, PASSKEY, "20210628092408"),
        "MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMjEwNjI4MDkyNDA4"
    );
}

#[test]
fn timestamp_is_kenya_time() {
    let now = Utc.with_ymd_and_hms(2021, 6, 28, 6, 24, 8).unwrap();
    assert_eq!(mpesa::timestamp(now), "20210628092408");
    // Crosses midnight into the next Kenyan day.
    let late = Utc.with_ymd_and_hms(2024, 12, 31, 22, 5, 0).unwrap();
    assert_eq!(mpesa::timestamp(late), "20250101010500");
}

#[test]
fn result_codes_map_to_what_the_customer_is_told() {
    assert_eq!(mpesa::result("0", "ok"), Status::Paid);
    assert_eq!(
        mpesa::result("1032", "x"),
        Status::Failed(Failure::Cancelled)
    );
    assert_eq!(
        mpesa::result("1031", "x"),
        Status::Failed(Failure::Cancelled)
    );
    assert_eq!(
        mpesa::result("2001", "x"),
        Status::Failed(Failure::WrongPin)
    );
    assert_eq!(
        mpesa::result("1037", "x"),
        Status::Failed(Failure::Unreachable)
    );
    assert_eq!(
        mpesa::result("1", "x"),
        Status::Failed(Failure::InsufficientFunds)
    );
    assert_eq!(mpesa::result("1019", "x"), Status::Failed(Failure::Expired));
    assert_eq!(
        mpesa::result("2028", "Not permitted"),
        Status::Failed(Failure::Other {
            code: "2028".to_string(),
            message: "Not permitted".to_string()
        })
    );
}

// ---------------------------------------------------------------------------------------------
// OAuth token

#[tokio::test]
async fn one_token_serves_many_calls() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(3599), 1).await;
    mount_push(&server, 200, accepted(), 2).await;
    let mpesa = client(&server);
    for _ in 0..2 {
        mpesa.create(&request()).await.unwrap();
    }
}

#[tokio::test]
async fn expires_in_may_be_a_string() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!("3599"), 1).await;
    mount_push(&server, 200, accepted(), 2).await;
    let mpesa = client(&server);
    for _ in 0..2 {
        mpesa.create(&request()).await.unwrap();
    }
}

#[tokio::test]
async fn a_token_within_a_minute_of_expiry_is_replaced() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(45), 2).await;
    mount_push(&server, 200, accepted(), 2).await;
    let mpesa = client(&server);
    for _ in 0..2 {
        mpesa.create(&request()).await.unwrap();
    }
}

#[tokio::test]
async fn a_refused_token_is_replaced_and_the_call_retried_once() {
    let server = MockServer::start().await;
    // The first token is issued once, then Daraja revokes it.
    Mock::given(method("GET"))
        .and(path("/oauth/v1/generate"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "revoked", "expires_in": "3599"})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    mount_token(&server, TOKEN, json!(3599), 1).await;
    Mock::given(method("POST"))
        .and(path(PUSH_PATH))
        .and(header("authorization", "Bearer revoked"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(daraja_error("404.001.03", "Invalid Access Token")),
        )
        .expect(1)
        .mount(&server)
        .await;
    mount_push(&server, 200, accepted(), 2).await;
    let mpesa = client(&server);
    mpesa.create(&request()).await.unwrap();
    // The new token is cached in place of the refused one.
    mpesa.create(&request()).await.unwrap();
}

#[tokio::test]
async fn a_token_refused_twice_is_a_refusal() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(3599), 2).await;
    mount_push(
        &server,
        401,
        daraja_error("404.001.03", "Invalid Access Token"),
        2,
    )
    .await;
    let err = client(&server).create(&request()).await.unwrap_err();
    assert!(
        matches!(&err, PayError::Refused { code, .. } if code == "404.001.03"),
        "{err:?}"
    );
}

#[tokio::test]
async fn bad_consumer_credentials_are_a_refusal() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/oauth/v1/generate"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(daraja_error("400.008.01", "Invalid Authentication passed")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let err = client(&server).create(&request()).await.unwrap_err();
    assert!(
        matches!(&err, PayError::Refused { code, .. } if code == "400.008.01"),
        "{err:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// STK push

#[tokio::test]
async fn push_sends_the_documented_body() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(3599), 1).await;
    Mock::given(method("POST"))
        .and(path(PUSH_PATH))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_partial_json(json!({
            "BusinessShortCode": 174379,
            "TransactionType": "CustomerPayBillOnline",
            "Amount": "1500",
            "PartyA": "254722000000",
            "PartyB": "174379",
            "PhoneNumber": "254722000000",
            "CallBackURL": CALLBACK_URL,
            "AccountReference": "SEW-0042-7f3",
            "TransactionDesc": "Deposit for S"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(accepted()))
        .expect(1)
        .mount(&server)
        .await;

    let initiated = client(&server).create(&request()).await.unwrap();
    assert_eq!(
        initiated,
        Initiated::Push {
            provider_ref: CHECKOUT_ID.to_string(),
            message: "Success. Request accepted for processing".to_string(),
        }
    );

    let requests = server.received_requests().await.unwrap();
    let push = requests.iter().find(|r| r.url.path() == PUSH_PATH).unwrap();
    let body = received_json(push);
    let timestamp = body["Timestamp"].as_str().unwrap();
    assert_eq!(timestamp.len(), 14);
    assert!(timestamp.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        body["Password"].as_str().unwrap(),
        mpesa::password(SHORTCODE, PASSKEY, timestamp)
    );
}

#[tokio::test]
async fn a_till_pushes_buy_goods_to_the_till() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(3599), 1).await;
    Mock::given(method("POST"))
        .and(path(PUSH_PATH))
        .and(body_partial_json(json!({
            "BusinessShortCode": 174379,
            "TransactionType": "CustomerBuyGoodsOnline",
            "PartyB": "5551234"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(accepted()))
        .expect(1)
        .mount(&server)
        .await;
    let mpesa = Mpesa::new(config(&server, TransactionType::Till, "5551234"));
    mpesa.create(&request()).await.unwrap();
}

#[tokio::test]
async fn a_bad_request_is_refused_with_darajas_code() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(3599), 1).await;
    mount_push(
        &server,
        400,
        daraja_error("400.002.02", "Bad Request - Invalid BusinessShortCode"),
        1,
    )
    .await;
    let err = client(&server).create(&request()).await.unwrap_err();
    assert_eq!(
        err,
        PayError::Refused {
            code: "400.002.02".to_string(),
            message: "Bad Request - Invalid BusinessShortCode".to_string(),
        }
    );
}

#[tokio::test]
async fn spike_arrest_is_retryable() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(3599), 1).await;
    mount_push(
        &server,
        500,
        daraja_error("500.003.02", "Spike Arrest Violation"),
        1,
    )
    .await;
    let err = client(&server).create(&request()).await.unwrap_err();
    assert!(matches!(err, PayError::Retryable(_)), "{err:?}");
}

#[tokio::test]
async fn too_many_requests_is_retryable() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(3599), 1).await;
    mount_push(&server, 429, json!({}), 1).await;
    let err = client(&server).create(&request()).await.unwrap_err();
    assert!(matches!(err, PayError::Retryable(_)), "{err:?}");
}

#[tokio::test]
async fn wrong_credentials_are_not_retried() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(3599), 1).await;
    mount_push(
        &server,
        500,
        daraja_error("500.001.1001", "Wrong credentials"),
        1,
    )
    .await;
    let err = client(&server).create(&request()).await.unwrap_err();
    assert!(
        matches!(&err, PayError::Refused { code, .. } if code == "500.001.1001"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_non_zero_response_code_is_refused() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(3599), 1).await;
    mount_push(
        &server,
        200,
        json!({"MerchantRequestID": "1", "CheckoutRequestID": CHECKOUT_ID,
               "ResponseCode": "1", "ResponseDescription": "Rejected"}),
        1,
    )
    .await;
    let err = client(&server).create(&request()).await.unwrap_err();
    assert_eq!(
        err,
        PayError::Refused {
            code: "1".to_string(),
            message: "Rejected".to_string()
        }
    );
}

#[tokio::test]
async fn a_timeout_is_retryable() {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(3599), 1).await;
    Mock::given(method("POST"))
        .and(path(PUSH_PATH))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(accepted())
                .set_delay(std::time::Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let mut config = config(&server, TransactionType::PayBill, SHORTCODE);
    config.http.timeout = std::time::Duration::from_millis(300);
    let err = Mpesa::new(config).create(&request()).await.unwrap_err();
    assert!(matches!(err, PayError::Retryable(_)), "{err:?}");
}

#[tokio::test]
async fn pushes_mpesa_cannot_make_fail_before_any_call() {
    let server = MockServer::start().await;
    let mpesa = client(&server);

    let no_phone = PaymentRequest {
        phone: None,
        ..request()
    };
    let nigerian = PaymentRequest {
        phone: Some(E164::parse("08031234567", "NG").unwrap()),
        ..request()
    };
    let cents = PaymentRequest {
        amount: 150_050,
        ..request()
    };
    let naira = PaymentRequest {
        currency: Currency::parse("NGN").unwrap(),
        ..request()
    };
    let nothing = PaymentRequest {
        amount: 0,
        ..request()
    };
    for req in [no_phone, nigerian, cents, naira, nothing] {
        let err = mpesa.create(&req).await.unwrap_err();
        assert!(matches!(err, PayError::Invalid(_)), "{req:?}: {err:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// STK query

async fn query(status: u16, body: Value) -> Result<payments::Verified, PayError> {
    let server = MockServer::start().await;
    mount_token(&server, TOKEN, json!(3599), 1).await;
    mount_query(&server, status, body).await;
    client(&server)
        .verify("SEW-0042-7f3a9c", Some(CHECKOUT_ID))
        .await
}

#[tokio::test]
async fn query_reports_a_payment() {
    let verified = query(
        200,
        query_result("0", "The service request is processed successfully."),
    )
    .await
    .unwrap();
    assert_eq!(verified.status, Status::Paid);
    // The query carries no amount, currency or receipt.
    assert_eq!(verified.amount, None);
    assert_eq!(verified.provider_txn, None);
}

#[tokio::test]
async fn query_accepts_a_numeric_result_code() {
    let mut body = query_result("0", "ok");
    body["ResultCode"] = json!(0);
    assert_eq!(query(200, body).await.unwrap().status, Status::Paid);
}

#[tokio::test]
async fn query_reports_a_cancellation() {
    let verified = query(200, query_result("1032", "Request cancelled by user"))
        .await
        .unwrap();
    assert_eq!(verified.status, Status::Failed(Failure::Cancelled));
}

#[tokio::test]
async fn query_reports_a_wrong_pin() {
    let verified = query(
        200,
        query_result("2001", "The initiator information is invalid."),
    )
    .await
    .unwrap();
    assert_eq!(verified.status, Status::Failed(Failure::WrongPin));
}

#[tokio::test]
async fn query_reports_an_unreachable_phone() {
    let verified = query(
        200,
        query_result("1037", "DS timeout user cannot be reached"),
    )
    .await
    .unwrap();
    assert_eq!(verified.status, Status::Failed(Failure::Unreachable));
}

#[tokio::test]
async fn query_of_an_open_push_is_pending() {
    let verified = query(
        500,
        daraja_error("500.001.1001", "The transaction is being processed"),
    )
    .await
    .unwrap();
    assert_eq!(verified.status, Status::Pending);
}

#[tokio::test]
async fn query_needs_the_checkout_request_id() {
    let server = MockServer::start().await;
    let err = client(&server)
        .verify("SEW-0042-7f3a9c", None)
        .await
        .unwrap_err();
    assert!(matches!(err, PayError::Invalid(_)), "{err:?}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// callback

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2019, 12, 19, 7, 21, 15).unwrap()
}

#[tokio::test]
async fn a_successful_callback_is_read_by_item_name() {
    let server = MockServer::start().await;
    // Items out of the documented order, and a Balance item with no Value.
    let body = json!({"Body": {"stkCallback": {
        "MerchantRequestID": "29115-34620561-1",
        "CheckoutRequestID": "ws_CO_191220191020363925",
        "ResultCode": 0,
        "ResultDesc": "The service request is processed successfully.",
        "CallbackMetadata": {"Item": [
            {"Name": "PhoneNumber", "Value": 254708374149_u64},
            {"Name": "Balance"},
            {"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"},
            {"Name": "TransactionDate", "Value": 20191219102115_u64},
            {"Name": "Amount", "Value": 1.00}]}}}})
    .to_string();
    let event = client(&server)
        .parse_webhook(&[], body.as_bytes(), now())
        .unwrap();
    assert_eq!(event.event_key, "mpesa:ws_CO_191220191020363925");
    assert_eq!(event.kind, "stk_callback");
    assert_eq!(event.reference, None);
    assert_eq!(
        event.provider_ref.as_deref(),
        Some("ws_CO_191220191020363925")
    );
    assert_eq!(event.claimed, Status::Paid);
    assert_eq!(event.amount, Some(100));
    assert_eq!(event.currency.as_deref(), Some("KES"));
    assert_eq!(
        mpesa::callback_receipt(body.as_bytes()).as_deref(),
        Some("NLJ7RT61SV")
    );
}

#[tokio::test]
async fn a_fractional_amount_converts_exactly() {
    let server = MockServer::start().await;
    let body = json!({"Body": {"stkCallback": {
        "MerchantRequestID": "1", "CheckoutRequestID": CHECKOUT_ID,
        "ResultCode": 0, "ResultDesc": "ok",
        "CallbackMetadata": {"Item": [{"Name": "Amount", "Value": 1234.56}]}}}})
    .to_string();
    let event = client(&server)
        .parse_webhook(&[], body.as_bytes(), now())
        .unwrap();
    assert_eq!(event.amount, Some(123_456));
}

#[tokio::test]
async fn a_cancelled_callback_has_no_metadata() {
    let server = MockServer::start().await;
    let body = br#"{"Body":{"stkCallback":{"MerchantRequestID":"f1e2-4b2c-a3d4","CheckoutRequestID":"ws_CO_21072024125243250722943992","ResultCode":1032,"ResultDesc":"Request cancelled by user"}}}"#;
    let event = client(&server).parse_webhook(&[], body, now()).unwrap();
    assert_eq!(event.event_key, "mpesa:ws_CO_21072024125243250722943992");
    assert_eq!(event.claimed, Status::Failed(Failure::Cancelled));
    assert_eq!(event.amount, None);
    assert_eq!(mpesa::callback_receipt(body), None);
}

#[tokio::test]
async fn an_unreadable_callback_is_a_payload_error() {
    let server = MockServer::start().await;
    let mpesa = client(&server);
    for body in [
        &b"not json"[..],
        br#"{"Body":{}}"#,
        br#"{"Body":{"stkCallback":{"CheckoutRequestID":"ws_CO_1","ResultDesc":"x"}}}"#,
    ] {
        let err = mpesa.parse_webhook(&[], body, now()).unwrap_err();
        assert!(matches!(err, WebhookError::Payload(_)), "{err:?}");
        assert!(!err.is_auth());
    }
}

#[test]
fn the_provider_is_named_mpesa() {
    let config = MpesaConfig {
        http: HttpConfig::new("http://127.0.0.1:9"),
        consumer_key: SecretString::from(KEY),
        consumer_secret: SecretString::from(SECRET),
        shortcode: SHORTCODE.to_string(),
        passkey: SecretString::from(PASSKEY),
        transaction_type: TransactionType::PayBill,
        party_b: SHORTCODE.to_string(),
    };
    let mpesa = Mpesa::new(config);
    assert_eq!(mpesa.name(), "mpesa");
    // Debug leaves secrets and the token out.
    let debug = format!("{mpesa:?}");
    assert!(
        !debug.contains(SECRET) && !debug.contains(PASSKEY),
        "{debug}"
    );
}
