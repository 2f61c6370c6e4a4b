//! Payments end to end on both backends: a deposit link from the chat paid
//! on the sandbox checkout; Paystack against a mock speaking its protocol
//! (a webhook twice and at once, a forged one, verify disagreeing, an
//! amount mismatch, a webhook before verify agrees); an M-PESA push that
//! is cancelled, and one whose callback never comes; Stripe's tolerance;
//! manual confirmation, the deposit gate and reminders.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use common::chat::{Customer, business, count, drain};
use common::{Owner, TestApp};
use domain::TenantId;
use serde_json::{Value, json};
use store::Db;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn friday() -> DateTime<Utc> {
    "2026-11-20T15:00:00Z".parse().unwrap()
}

/// The app, served on a real port so the sandbox provider's HTTP calls
/// (to our own `/sandbox/pay` API) and the checkout page work.
async fn served(db: &Db) -> (TestApp, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = TestApp::payments(db.clone(), &url, friday());
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router.into_make_service()).await });
    (app, url)
}

async fn payments_of(app: &TestApp, owner: &Owner, order_id: &str) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/payments/order/{order_id}"), &owner.token)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body.as_array().unwrap().clone()
}

async fn first_order(app: &TestApp, owner: &Owner) -> Value {
    let r = app.get("/api/v1/orders", &owner.token).await;
    r.body["items"][0].clone()
}

async fn post_raw(url: &str, body: &str, headers: &[(&str, String)]) -> reqwest::StatusCode {
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    let r = req.send().await.unwrap();
    let status = r.status();
    if !status.is_success() {
        eprintln!(
            "{url} answered {status}: {}",
            r.text().await.unwrap_or_default()
        );
    }
    status
}

#[tokio::test]
async fn a_deposit_link_from_the_chat_is_paid_on_the_sandbox_checkout() {
    for db in store::testing::backends().await {
        let (app, url) = served(&db).await;
        let biz = business(&app, "funmi-pay", "tailor", "en-NG", "400000000000001").await;
        let mut amaka = Customer::new(&biz, "2348031234567", "Amaka");
        amaka
            .say(
                &app,
                "I want an ankara midi dress for Dec 12, chest 38 waist 32",
            )
            .await;
        // The job asked the sandbox provider; the link reached the chat.
        amaka.replies(&app).await;
        let link_line = amaka
            .log
            .lines()
            .find(|l| l.contains("/sandbox/pay/"))
            .unwrap_or_else(|| panic!("no link in\n{}", amaka.log))
            .to_string();
        let link = link_line[link_line.find("http").unwrap()..]
            .trim()
            .to_string();
        assert!(link.starts_with(&url), "{link}");
        assert!(
            link_line.contains("Deposit for SEW-0001: ₦22,500"),
            "{link_line}"
        );

        // The customer opens the checkout page and pays.
        let page = reqwest::get(&link).await.unwrap().text().await.unwrap();
        assert!(page.contains("₦22,500"), "{page}");
        let paid = reqwest::Client::new()
            .post(format!("{link}/pay"))
            .send()
            .await
            .unwrap();
        assert_eq!(paid.status(), reqwest::StatusCode::OK);
        amaka.replies(&app).await;
        assert!(
            amaka
                .log
                .contains("Payment received: ₦22,500 for SEW-0001. Balance left: ₦22,500."),
            "{}",
            amaka.log
        );

        let order = first_order(&app, &biz.owner).await;
        assert_eq!(order["amount_paid"], 2_250_000);
        assert_eq!(order["balance_due"], 2_250_000);
        let customer = app
            .get(
                &format!(
                    "/api/v1/customers/{}",
                    order["customer_id"].as_str().unwrap()
                ),
                &biz.owner.token,
            )
            .await;
        assert_eq!(customer.body["total_spent"], 2_250_000);

        // Paying twice (the page posted again) changes nothing.
        let again = reqwest::Client::new()
            .post(format!("{link}/pay"))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), reqwest::StatusCode::OK);
        drain(&app).await;
        let receipts = count(
            &db,
            "SELECT COUNT(*) FROM wa_messages WHERE tenant_id = $1 AND body LIKE 'Payment received%'",
            biz.tenant,
        )
        .await;
        assert_eq!(receipts, 1);
        // The order could now move past received.
        let r = app
            .request(
                Method::PATCH,
                &format!("/api/v1/orders/{}/stage", order["id"].as_str().unwrap()),
                Some(&biz.owner.token),
                Some(json!({"stage": "cutting"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    }
}

/// A business with Paystack pointed at `mock`, and an order of ₦45,000.
async fn paystack_business(
    app: &TestApp,
    mock: &MockServer,
    slug: &str,
    pnid: &str,
    secret_key: &str,
) -> (common::chat::Biz, String) {
    let biz = business(app, slug, "tailor", "en-NG", pnid).await;
    let r = app
        .request(
            Method::PUT,
            "/api/v1/payments/providers/paystack",
            Some(&biz.owner.token),
            Some(json!({"settings": {"base_url": mock.uri()}, "secrets": {"secret_key": secret_key}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["has_keys"], true);
    assert!(r.body.to_string().contains("webhook"), "{:?}", r.body);
    assert!(!r.body.to_string().contains("sk_test_secret"));
    let mut c = Customer::new(&biz, "2348059876543", "Ngozi");
    c.say(app, "I want an evening gown for Dec 20, chest 36 waist 30")
        .await;
    let order = first_order(app, &biz.owner).await;
    (biz, order["id"].as_str().unwrap().to_string())
}

/// Paystack's initialize: a fresh access code each time, as Paystack gives.
struct Initialize;

impl wiremock::Respond for Initialize {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        let code = uuid::Uuid::now_v7().simple().to_string();
        ResponseTemplate::new(200).set_body_json(json!({
            "status": true, "message": "Authorization URL created",
            "data": {"authorization_url": format!("https://checkout.paystack.com/{code}"), "access_code": code, "reference": "x"}
        }))
    }
}

fn paystack_ok_initialize() -> Mock {
    Mock::given(method("POST"))
        .and(path("/transaction/initialize"))
        .respond_with(Initialize)
}

fn paystack_verify(reference: &str, status: &str, amount: i64) -> Mock {
    Mock::given(method("GET"))
        .and(path(format!("/transaction/verify/{reference}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": true, "message": "Verification successful",
            "data": {"id": 4099260516u64, "status": status, "reference": reference, "amount": amount,
                     "currency": "NGN", "gateway_response": "Successful", "metadata": ""}
        })))
}

fn paystack_event(reference: &str, amount: i64) -> (String, String) {
    let body = json!({"event": "charge.success",
        "data": {"id": 302961, "reference": reference, "amount": amount, "currency": "NGN", "status": "success", "metadata": 0}})
    .to_string();
    let sig = payments::paystack::sign(b"sk_test_secret", body.as_bytes());
    (body, sig)
}

async fn link_for(app: &TestApp, owner: &Owner, order: &str, kind: &str) -> Value {
    let r = app
        .post(
            "/api/v1/payments/generate-link",
            &owner.token,
            json!({"order_id": order, "type": kind, "provider": "paystack"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

#[tokio::test]
async fn paystack_webhooks_are_verified_and_pay_once() {
    for db in store::testing::backends().await {
        let (app, url) = served(&db).await;
        let mock = MockServer::start().await;
        paystack_ok_initialize().mount(&mock).await;
        let (biz, order) = paystack_business(
            &app,
            &mock,
            "paystack-once",
            "400000000000002",
            "sk_test_secret",
        )
        .await;
        let p = link_for(&app, &biz.owner, &order, "full").await;
        let reference = p["reference"].as_str().unwrap().to_string();
        assert_eq!(p["amount"], 12_000_000);
        drain(&app).await;
        let stored = payments_of(&app, &biz.owner, &order).await;
        let link = stored
            .iter()
            .find(|x| x["reference"] == reference.as_str())
            .unwrap();
        let url_sent = link["payment_link"].as_str().unwrap_or_default();
        assert!(
            url_sent.starts_with("https://checkout.paystack.com/"),
            "{stored:?}"
        );

        paystack_verify(&reference, "success", 12_000_000)
            .mount(&mock)
            .await;
        let hook = format!("{url}/payments/webhook/paystack/{}", biz.tenant.0);
        let (body, sig) = paystack_event(&reference, 12_000_000);

        // Forged, missing and wrong-business signatures: 401, nothing stored.
        let forged = payments::paystack::sign(b"sk_someone_else", body.as_bytes());
        assert_eq!(
            post_raw(&hook, &body, &[("x-paystack-signature", forged)]).await,
            401
        );
        assert_eq!(post_raw(&hook, &body, &[]).await, 401);
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM payment_events WHERE tenant_id = $1",
                biz.tenant
            )
            .await,
            0
        );

        // Another business's keys, at its own path, cannot pay this one's
        // payment: the event is kept there as unmatched.
        let (other, _) =
            paystack_business(&app, &mock, "paystack-other", "400000000000011", "sk_other").await;
        let theirs = format!("{url}/payments/webhook/paystack/{}", other.tenant.0);
        let their_sig = payments::paystack::sign(b"sk_other", body.as_bytes());
        assert_eq!(
            post_raw(&theirs, &body, &[("x-paystack-signature", their_sig)]).await,
            200
        );
        drain(&app).await;
        let unmatched =
            "SELECT COUNT(*) FROM payment_events WHERE tenant_id = $1 AND state = 'unmatched'";
        assert_eq!(count(&db, unmatched, other.tenant).await, 1);
        assert_eq!(first_order(&app, &biz.owner).await["amount_paid"], 0);

        // The same event three times at once: one event, paid once, one receipt.
        let mut sends = tokio::task::JoinSet::new();
        for _ in 0..3 {
            let (h, b, s) = (hook.clone(), body.clone(), sig.clone());
            sends.spawn(async move { post_raw(&h, &b, &[("x-paystack-signature", s)]).await });
        }
        while let Some(status) = sends.join_next().await {
            assert_eq!(status.unwrap(), 200);
        }
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM payment_events WHERE tenant_id = $1",
                biz.tenant
            )
            .await,
            1
        );
        drain(&app).await;
        assert_eq!(
            post_raw(&hook, &body, &[("x-paystack-signature", sig.clone())]).await,
            200
        );
        drain(&app).await;
        let order_now = first_order(&app, &biz.owner).await;
        assert_eq!(order_now["amount_paid"], 12_000_000);
        assert_eq!(order_now["balance_due"], 0);
        let receipts = count(
            &db,
            "SELECT COUNT(*) FROM wa_messages WHERE tenant_id = $1 AND body LIKE 'Payment received%'",
            biz.tenant,
        )
        .await;
        assert_eq!(receipts, 1);
    }
}

#[tokio::test]
async fn a_verify_that_disagrees_or_a_wrong_amount_is_flagged_not_paid() {
    for db in store::testing::backends().await {
        let (app, url) = served(&db).await;
        let mock = MockServer::start().await;
        paystack_ok_initialize().mount(&mock).await;
        let (biz, order) = paystack_business(
            &app,
            &mock,
            "paystack-flag",
            "400000000000003",
            "sk_test_secret",
        )
        .await;
        let hook = format!("{url}/payments/webhook/paystack/{}", biz.tenant.0);

        // The webhook claims the full amount; the provider reports less.
        let p = link_for(&app, &biz.owner, &order, "full").await;
        let reference = p["reference"].as_str().unwrap().to_string();
        drain(&app).await;
        paystack_verify(&reference, "success", 100)
            .mount(&mock)
            .await;
        let (body, sig) = paystack_event(&reference, 12_000_000);
        assert_eq!(
            post_raw(&hook, &body, &[("x-paystack-signature", sig)]).await,
            200
        );
        drain(&app).await;
        let stored = payments_of(&app, &biz.owner, &order).await;
        let flagged = stored
            .iter()
            .find(|x| x["reference"] == reference.as_str())
            .unwrap();
        assert_eq!(flagged["status"], "pending");
        assert!(
            flagged["flag"].as_str().unwrap().contains("100"),
            "{flagged:?}"
        );
        assert_eq!(first_order(&app, &biz.owner).await["amount_paid"], 0);

        // A webhook claims payment the provider never confirms: asked again a
        // few times, then flagged, never paid.
        let p = link_for(&app, &biz.owner, &order, "deposit").await;
        let reference = p["reference"].as_str().unwrap().to_string();
        drain(&app).await;
        paystack_verify(&reference, "abandoned", p["amount"].as_i64().unwrap())
            .mount(&mock)
            .await;
        let (body, sig) = paystack_event(&reference, p["amount"].as_i64().unwrap());
        assert_eq!(
            post_raw(&hook, &body, &[("x-paystack-signature", sig)]).await,
            200
        );
        for _ in 0..6 {
            store::testing::make_jobs_due(&db).await;
            drain(&app).await;
        }
        let stored = payments_of(&app, &biz.owner, &order).await;
        let unconfirmed = stored
            .iter()
            .find(|x| x["reference"] == reference.as_str())
            .unwrap();
        assert_eq!(unconfirmed["status"], "pending");
        assert!(
            unconfirmed["flag"]
                .as_str()
                .unwrap()
                .contains("does not confirm"),
            "{unconfirmed:?}"
        );
        assert_eq!(first_order(&app, &biz.owner).await["amount_paid"], 0);
    }
}

#[tokio::test]
async fn a_webhook_before_verify_agrees_is_paid_when_it_does() {
    for db in store::testing::backends().await {
        let (app, url) = served(&db).await;
        let mock = MockServer::start().await;
        paystack_ok_initialize().mount(&mock).await;
        let (biz, order) = paystack_business(
            &app,
            &mock,
            "paystack-late",
            "400000000000004",
            "sk_test_secret",
        )
        .await;
        let hook = format!("{url}/payments/webhook/paystack/{}", biz.tenant.0);
        let p = link_for(&app, &biz.owner, &order, "deposit").await;
        let reference = p["reference"].as_str().unwrap().to_string();
        let amount = p["amount"].as_i64().unwrap();
        drain(&app).await;
        // First verify: still processing; then success.
        paystack_verify(&reference, "ongoing", amount)
            .up_to_n_times(1)
            .with_priority(1)
            .mount(&mock)
            .await;
        paystack_verify(&reference, "success", amount)
            .with_priority(2)
            .mount(&mock)
            .await;
        let (body, sig) = paystack_event(&reference, amount);
        assert_eq!(
            post_raw(&hook, &body, &[("x-paystack-signature", sig)]).await,
            200
        );
        drain(&app).await;
        assert_eq!(first_order(&app, &biz.owner).await["amount_paid"], 0);
        store::testing::make_jobs_due(&db).await;
        drain(&app).await;
        assert_eq!(first_order(&app, &biz.owner).await["amount_paid"], amount);
    }
}

/// Daraja's STK push: accepted, with a fresh CheckoutRequestID each time.
struct Push;

impl wiremock::Respond for Push {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        ResponseTemplate::new(200).set_body_json(json!({
            "MerchantRequestID": "m-1",
            "CheckoutRequestID": format!("ws_CO_{}", uuid::Uuid::now_v7().simple()),
            "ResponseCode": "0", "ResponseDescription": "Success. Request accepted for processing",
            "CustomerMessage": "Success. Request accepted for processing"}))
    }
}

/// Daraja's STK query about `checkout`, answering `code`.
fn mpesa_query(checkout: &str, code: &str, desc: &str) -> Mock {
    Mock::given(method("POST"))
        .and(path("/mpesa/stkpushquery/v1/query"))
        .and(body_partial_json(json!({"CheckoutRequestID": checkout})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ResponseCode": "0", "ResultCode": code, "ResultDesc": desc,
            "CheckoutRequestID": checkout, "MerchantRequestID": "m-1"})))
}

/// A Daraja callback about `checkout` with `code`, and its metadata.
fn stk_callback(checkout: &str, code: i64, metadata: Option<Value>) -> String {
    let mut cb = json!({"MerchantRequestID": "m-1", "CheckoutRequestID": checkout,
        "ResultCode": code, "ResultDesc": "as Daraja says"});
    if let Some(m) = metadata {
        cb["CallbackMetadata"] = m;
    }
    json!({"Body": {"stkCallback": cb}}).to_string()
}

/// A KES shop with M-PESA pointed at `mock`, an order placed in chat.
async fn mpesa_business(
    app: &TestApp,
    mock: &MockServer,
    slug: &str,
    pnid: &str,
) -> (common::chat::Biz, String) {
    Mock::given(method("GET"))
        .and(path("/oauth/v1/generate"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": "tok", "expires_in": "3599"})),
        )
        .mount(mock)
        .await;
    Mock::given(method("POST"))
        .and(path("/mpesa/stkpush/v1/processrequest"))
        .respond_with(Push)
        .mount(mock)
        .await;
    let biz = business(app, slug, "shop", "en-KE", pnid).await;
    let r = app
        .request(
            Method::PUT,
            "/api/v1/payments/providers/mpesa",
            Some(&biz.owner.token),
            Some(json!({
                "settings": {"base_url": mock.uri(), "shortcode": "174379"},
                "secrets": {"consumer_key": "ck", "consumer_secret": "cs",
                            "passkey": "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919"}
            })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let mut c = Customer::new(&biz, "254712345678", "Wambui");
    c.say(app, "unga mbili").await;
    c.tap(app, "Place order").await;
    c.tap(app, "Pickup").await;
    c.tap(app, "Cash").await;
    let order = first_order(app, &biz.owner).await;
    (biz, order["id"].as_str().unwrap().to_string())
}

async fn mpesa_push(app: &TestApp, owner: &Owner, order: &str) -> Value {
    let r = app
        .post(
            "/api/v1/payments/generate-link",
            &owner.token,
            json!({"order_id": order, "type": "full", "provider": "mpesa"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    drain(app).await;
    r.body
}

/// The newest M-PESA push of the business: its callback URL and its
/// CheckoutRequestID.
async fn latest_push(db: &Db, tenant: TenantId, base: &str) -> (String, String) {
    let sql = "SELECT callback_token, provider_ref FROM payments \
               WHERE tenant_id = $1 AND provider = 'mpesa' ORDER BY created_at DESC LIMIT 1";
    let (token, checkout): (String, String) = match db {
        Db::Sqlite(p) => sqlx::query_as(sql)
            .bind(tenant.0)
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_as(sql)
            .bind(tenant.0)
            .fetch_one(p)
            .await
            .unwrap(),
    };
    (format!("{base}/payments/webhook/mpesa/{token}"), checkout)
}

#[tokio::test]
async fn mpesa_failures_are_told_to_the_customer_clearly() {
    for db in store::testing::backends().await {
        let (app, url) = served(&db).await;
        let mock = MockServer::start().await;
        let (biz, order) = mpesa_business(&app, &mock, "mpesa-fail", "400000000000005").await;
        let cases = [
            ("1032", "cancelled", "You cancelled the M-PESA payment"),
            ("2001", "wrong_pin", "The M-PESA PIN was wrong"),
            ("1037", "unreachable", "We couldn"),
        ];
        for (code, failure, told) in cases {
            mpesa_push(&app, &biz.owner, &order).await;
            let (callback, checkout) = latest_push(&db, biz.tenant, &url).await;
            // Daraja's query (after the callback) agrees.
            mpesa_query(&checkout, code, "as Daraja says")
                .mount(&mock)
                .await;
            let body = stk_callback(&checkout, code.parse().unwrap(), None);
            assert_eq!(post_raw(&callback, &body, &[]).await, 200);
            drain(&app).await;
            let payments = payments_of(&app, &biz.owner, &order).await;
            let p = payments
                .iter()
                .find(|p| p["provider_ref"] == checkout.as_str())
                .unwrap();
            assert_eq!(p["status"], "failed", "{p:?}");
            assert_eq!(p["failure"], failure);
            let sql = format!(
                "SELECT COUNT(*) FROM wa_messages WHERE tenant_id = $1 AND body LIKE '{told}%'"
            );
            assert_eq!(count(&db, &sql, biz.tenant).await, 1, "{told}");
            // The customer was promised help: the business's inbox has it.
            let inbox = app.get("/api/v1/inbox", &biz.owner.token).await;
            assert_eq!(
                inbox.body["items"][0]["reason"], "payment_declined",
                "{:?}",
                inbox.body
            );
            assert!(
                inbox.body["items"][0]["detail"]
                    .as_str()
                    .unwrap()
                    .ends_with(failure),
                "{:?}",
                inbox.body
            );
        }
        // A callback for another push, or to a path no push was given, is refused.
        let (callback, _) = latest_push(&db, biz.tenant, &url).await;
        let other = stk_callback("ws_CO_SOMEONE_ELSE", 0, None);
        assert_eq!(post_raw(&callback, &other, &[]).await, 400);
        let nowhere = format!("{url}/payments/webhook/mpesa/{}", "0".repeat(40));
        assert_eq!(post_raw(&nowhere, &other, &[]).await, 404);
    }
}

#[tokio::test]
async fn an_mpesa_push_without_a_callback_is_settled_by_a_query() {
    for db in store::testing::backends().await {
        let (app, url) = served(&db).await;
        let mock = MockServer::start().await;
        let (biz, order) = mpesa_business(&app, &mock, "mpesa-query", "400000000000006").await;
        mpesa_push(&app, &biz.owner, &order).await;
        let (_, checkout) = latest_push(&db, biz.tenant, &url).await;
        mpesa_query(
            &checkout,
            "0",
            "The service request is processed successfully.",
        )
        .mount(&mock)
        .await;
        // No callback: the scheduled query runs when due.
        store::testing::make_jobs_due(&db).await;
        drain(&app).await;
        let p = &payments_of(&app, &biz.owner, &order).await[0];
        assert_eq!(p["status"], "paid", "{p:?}");
        assert_eq!(first_order(&app, &biz.owner).await["balance_due"], 0);
    }
}

#[tokio::test]
async fn stripe_webhooks_respect_the_tolerance_and_rotated_secrets() {
    for db in store::testing::backends().await {
        let (app, url) = served(&db).await;
        let biz = business(&app, "stripe-hooks", "tailor", "en-NG", "400000000000007").await;
        let r = app
            .request(
                Method::PUT,
                "/api/v1/payments/providers/stripe",
                Some(&biz.owner.token),
                Some(json!({"secrets": {"secret_key": "sk_test_x", "webhook_secrets": ["whsec_old", "whsec_new"]}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let hook = format!("{url}/payments/webhook/stripe/{}", biz.tenant.0);
        let body = json!({"id": "evt_1", "object": "event", "type": "checkout.session.completed",
            "data": {"object": {"id": "cs_test_1", "object": "checkout.session", "client_reference_id": "SOK-NOPE",
                     "payment_status": "paid", "amount_total": 100, "currency": "ngn"}}})
        .to_string();
        let header = |secret: &str, t: i64| {
            format!(
                "t={t},v1={}",
                payments::stripe::signature(secret, t, body.as_bytes())
            )
        };
        let now = Utc::now().timestamp();
        assert_eq!(
            post_raw(
                &hook,
                &body,
                &[("stripe-signature", header("whsec_new", now - 400))]
            )
            .await,
            401
        );
        assert_eq!(
            post_raw(
                &hook,
                &body,
                &[("stripe-signature", header("whsec_wrong", now))]
            )
            .await,
            401
        );
        assert_eq!(
            post_raw(
                &hook,
                &body,
                &[("stripe-signature", header("whsec_new", now))]
            )
            .await,
            200
        );
        assert_eq!(
            post_raw(
                &hook,
                &body,
                &[("stripe-signature", header("whsec_old", now))]
            )
            .await,
            200
        );
        // One event, kept as unmatched (no payment has that reference).
        let events = count(
            &db,
            "SELECT COUNT(*) FROM payment_events WHERE tenant_id = $1 AND state = 'unmatched'",
            biz.tenant,
        )
        .await;
        assert_eq!(events, 1);
    }
}

#[tokio::test]
async fn staff_confirm_transfers_and_the_deposit_gate_holds_until_paid() {
    for db in store::testing::backends().await {
        let (app, _url) = served(&db).await;
        let biz = business(&app, "funmi-manual", "tailor", "en-NG", "400000000000008").await;
        let mut c = Customer::new(&biz, "2348031234567", "Amaka");
        c.say(&app, "I want an agbada for Dec 12, chest 40 waist 34")
            .await;
        let order = first_order(&app, &biz.owner).await;
        let id = order["id"].as_str().unwrap();
        let stage = |s: &str, o: bool| json!({"stage": s, "override_deposit": o});
        let r = app
            .request(
                Method::PATCH,
                &format!("/api/v1/orders/{id}/stage"),
                Some(&biz.owner.token),
                Some(stage("cutting", false)),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.code(), "deposit_due");

        // The customer transferred the deposit; staff record it.
        let bad = app
            .post(
                "/api/v1/payments/manual",
                &biz.owner.token,
                json!({"order_id": id, "amount": 0, "method": "transfer"}),
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.field("amount").is_some());
        let r = app
            .post(
                "/api/v1/payments/manual",
                &biz.owner.token,
                json!({"order_id": id, "amount": order["deposit_amount"], "method": "transfer", "type": "deposit"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(r.body["status"], "paid");
        drain(&app).await;
        c.replies(&app).await;
        assert!(
            c.log.contains("Payment received: ₦42,500 for SEW-0001"),
            "{}",
            c.log
        );
        let r = app
            .request(
                Method::PATCH,
                &format!("/api/v1/orders/{id}/stage"),
                Some(&biz.owner.token),
                Some(stage("cutting", false)),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

        // Another business cannot see or remind about these payments.
        let other = app.register("someone-else", "tailor").await;
        let r = app
            .get(&format!("/api/v1/payments/order/{id}"), &other.token)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The balance is still due; the deposit's link went with the deposit.
        let unpaid = app.get("/api/v1/payments/unpaid", &biz.owner.token).await;
        let debt = unpaid
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["order_id"] == id)
            .unwrap()
            .clone();
        assert_eq!(
            debt["balance_due"],
            order["price"].as_i64().unwrap() - order["deposit_amount"].as_i64().unwrap()
        );
        assert_eq!(debt["request"], Value::Null, "{debt:?}");
        let r = app
            .post(
                "/api/v1/payments/generate-link",
                &biz.owner.token,
                json!({"order_id": id, "type": "balance"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        drain(&app).await;
        let unpaid = app.get("/api/v1/payments/unpaid", &biz.owner.token).await;
        let debt = unpaid
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["order_id"] == id)
            .unwrap()
            .clone();
        let pid = debt["request"]["id"].as_str().unwrap().to_string();
        let r = app
            .post(
                &format!("/api/v1/payments/send-reminder/{pid}"),
                &other.token,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // The owner's reminder about the unpaid sandbox balance link.
        let r = app
            .post(
                &format!("/api/v1/payments/send-reminder/{pid}"),
                &biz.owner.token,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        assert_eq!(r.body["reminders_sent"], 1);
    }
}

#[tokio::test]
async fn a_shop_order_paid_by_mpesa_from_the_chat_consumes_its_stock() {
    for db in store::testing::backends().await {
        let (app, url) = served(&db).await;
        let mock = MockServer::start().await;
        let (biz, _cash_order) = mpesa_business(&app, &mock, "mpesa-chat", "400000000000009").await;
        let r = app
            .request(
                Method::PATCH,
                "/api/v1/settings/ordering",
                Some(&biz.owner.token),
                Some(json!({"consume_stock_on": "payment"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let before = common::chat::stock(&db, biz.tenant, "SUGAR-1KG").await;
        let mut otieno = Customer::new(&biz, "254723456789", "Otieno");
        otieno.say(&app, "sukari mbili").await;
        otieno.tap(&app, "Place order").await;
        otieno.tap(&app, "Pickup").await;
        otieno.tap(&app, "M-PESA").await;
        otieno.replies(&app).await;
        assert!(
            otieno.log.contains("We sent an M-PESA request for KSh 360"),
            "{}",
            otieno.log
        );
        assert_eq!(
            common::chat::stock(&db, biz.tenant, "SUGAR-1KG").await,
            (before.0, before.1 + 2)
        );

        let (hook, checkout) = latest_push(&db, biz.tenant, &url).await;
        mpesa_query(
            &checkout,
            "0",
            "The service request is processed successfully.",
        )
        .mount(&mock)
        .await;
        let callback = stk_callback(
            &checkout,
            0,
            Some(
                json!({"Item": [{"Name": "MpesaReceiptNumber", "Value": "NLJ7RT61SV"},
                {"Name": "Amount", "Value": 360}, {"Name": "Balance"},
                {"Name": "PhoneNumber", "Value": 254723456789u64}]}),
            ),
        );

        assert_eq!(post_raw(&hook, &callback, &[]).await, 200);
        assert_eq!(post_raw(&hook, &callback, &[]).await, 200);
        otieno.replies(&app).await;
        assert!(
            otieno.log.contains("Payment received: KSh 360"),
            "{}",
            otieno.log
        );
        // Paid: the reservation became a sale.
        assert_eq!(
            common::chat::stock(&db, biz.tenant, "SUGAR-1KG").await,
            (before.0 - 2, before.1)
        );
        let receipts = count(
            &db,
            "SELECT COUNT(*) FROM wa_messages WHERE tenant_id = $1 AND body LIKE 'Payment received%'",
            biz.tenant,
        )
        .await;
        assert_eq!(receipts, 1);
    }
}

#[tokio::test]
async fn flutterwave_webhooks_in_either_scheme_are_verified_by_transaction_id() {
    for db in store::testing::backends().await {
        let (app, url) = served(&db).await;
        let mock = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v3/payments"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "status": "success", "message": "Hosted Link",
                "data": {"link": "https://checkout.flutterwave.com/v3/hosted/pay/flwlnk-1"}})))
            .mount(&mock)
            .await;
        let biz = business(&app, "flw-hooks", "tailor", "en-NG", "400000000000010").await;
        let r = app
            .request(
                Method::PUT,
                "/api/v1/payments/providers/flutterwave",
                Some(&biz.owner.token),
                Some(json!({"settings": {"base_url": mock.uri()},
                            "secrets": {"secret_key": "FLWSECK_TEST-x", "secret_hash": "my_secret_hash"}})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let mut c = Customer::new(&biz, "2348059876543", "Ngozi");
        c.say(&app, "I want an agbada for Dec 20, chest 44 waist 38")
            .await;
        let order = first_order(&app, &biz.owner).await;
        let r = app
            .post(
                "/api/v1/payments/generate-link",
                &biz.owner.token,
                json!({"order_id": order["id"], "type": "balance", "amount": 1_000_050, "provider": "flutterwave"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let reference = r.body["reference"].as_str().unwrap().to_string();
        drain(&app).await;
        Mock::given(method("GET"))
            .and(path("/v3/transactions/285959875/verify"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "status": "success", "message": "Transaction fetched successfully",
                "data": {"id": 285959875u64, "tx_ref": reference, "amount": 10000.5, "currency": "NGN", "status": "successful"}})))
            .mount(&mock)
            .await;
        let body =
            json!({"event": "charge.completed", "data": {"id": 285959875u64, "tx_ref": reference,
            "amount": 10000.5, "currency": "NGN", "status": "successful"}})
            .to_string();
        let hook = format!("{url}/payments/webhook/flutterwave/{}", biz.tenant.0);
        assert_eq!(
            post_raw(&hook, &body, &[("verif-hash", "not-it".into())]).await,
            401
        );
        let sig = payments::flutterwave::sign(b"my_secret_hash", body.as_bytes());
        assert_eq!(
            post_raw(&hook, &body, &[("flutterwave-signature", sig)]).await,
            200
        );
        assert_eq!(
            post_raw(&hook, &body, &[("verif-hash", "my_secret_hash".into())]).await,
            200
        );
        drain(&app).await;
        let paid = payments_of(&app, &biz.owner, order["id"].as_str().unwrap()).await;
        let p = paid
            .iter()
            .find(|p| p["reference"] == reference.as_str())
            .unwrap();
        assert_eq!(p["status"], "paid", "{p:?}");
        assert_eq!(p["provider_txn"], "285959875");
    }
}

/// The customer opens a sandbox checkout link and pays.
async fn pay_on_sandbox(link: &str) {
    let paid = reqwest::Client::new()
        .post(format!("{link}/pay"))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), reqwest::StatusCode::OK, "{link}");
}

/// A tailor's chat order whose deposit the customer paid on the sandbox.
async fn deposit_paid<'a>(app: &TestApp, biz: &'a common::chat::Biz) -> (Customer<'a>, String) {
    let mut c = Customer::new(biz, "2348031234567", "Amaka");
    c.say(
        app,
        "I want an ankara midi dress for Dec 12, chest 38 waist 32",
    )
    .await;
    let order = first_order(app, &biz.owner).await;
    let id = order["id"].as_str().unwrap().to_string();
    let deposit = payments_of(app, &biz.owner, &id).await[0].clone();
    pay_on_sandbox(deposit["payment_link"].as_str().unwrap()).await;
    c.replies(app).await;
    (c, id)
}

async fn ask_balance(app: &TestApp, owner: &Owner, order: &str) -> String {
    let r = app
        .post(
            "/api/v1/payments/generate-link",
            &owner.token,
            json!({"order_id": order, "type": "balance"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    drain(app).await;
    r.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_stale_balance_link_paid_anyway_is_recorded_flagged_and_told_honestly() {
    for db in store::testing::backends().await {
        let (app, _url) = served(&db).await;
        let biz = business(&app, "funmi-over", "tailor", "en-NG", "400000000000021").await;
        let (mut c, order) = deposit_paid(&app, &biz).await;
        // Staff ask for the balance twice: the second request voids the first.
        let first = ask_balance(&app, &biz.owner, &order).await;
        let second = ask_balance(&app, &biz.owner, &order).await;
        let all = payments_of(&app, &biz.owner, &order).await;
        let by_id = |id: &str| all.iter().find(|p| p["id"] == id).unwrap().clone();
        assert_eq!(
            by_id(&first)["status"],
            "expired",
            "superseded on {}",
            db.backend()
        );
        assert_eq!(by_id(&first)["failure"], "superseded");
        assert_eq!(by_id(&second)["status"], "pending");
        let open = all.iter().filter(|p| p["status"] == "pending").count();
        assert_eq!(open, 1, "one open request per kind");

        // The customer pays both links (the first was still in the chat).
        pay_on_sandbox(by_id(&first)["payment_link"].as_str().unwrap()).await;
        c.replies(&app).await;
        pay_on_sandbox(by_id(&second)["payment_link"].as_str().unwrap()).await;
        c.replies(&app).await;

        let o = app
            .get(&format!("/api/v1/orders/{order}"), &biz.owner.token)
            .await
            .body;
        assert_eq!(o["amount_paid"], 6_750_000, "the money is recorded");
        let all = payments_of(&app, &biz.owner, &order).await;
        let second = all.iter().find(|p| p["id"] == second.as_str()).unwrap();
        assert_eq!(second["status"], "paid");
        assert!(
            second["flag"]
                .as_str()
                .unwrap_or_default()
                .contains("more than was due"),
            "{second:?}"
        );
        assert!(
            c.log.contains("That is ₦22,500 more than was due"),
            "the receipt tells the truth:\n{}",
            c.log
        );
        assert_eq!(
            c.log.matches("Balance left: ₦0").count(),
            1,
            "only the first balance payment says nothing is left:\n{}",
            c.log
        );
    }
}

#[tokio::test]
async fn a_cash_part_payment_voids_the_link_for_more_than_is_left() {
    for db in store::testing::backends().await {
        let (app, _url) = served(&db).await;
        let biz = business(&app, "funmi-cash", "tailor", "en-NG", "400000000000022").await;
        let (_c, order) = deposit_paid(&app, &biz).await;
        let link = app
            .post(
                "/api/v1/payments/generate-link",
                &biz.owner.token,
                json!({"order_id": order, "type": "balance"}),
            )
            .await;
        assert_eq!(link.status, StatusCode::CREATED);
        drain(&app).await;
        let before = count(
            &db,
            "SELECT COUNT(*) FROM jobs WHERE tenant_id = $1 AND kind = 'create_payment'",
            biz.tenant,
        )
        .await;
        let cash = app
            .post(
                "/api/v1/payments/manual",
                &biz.owner.token,
                json!({"order_id": order, "amount": 1_000_000, "method": "cash"}),
            )
            .await;
        assert_eq!(cash.status, StatusCode::CREATED, "{:?}", cash.body);
        assert_eq!(cash.body["status"], "paid");
        let after = count(
            &db,
            "SELECT COUNT(*) FROM jobs WHERE tenant_id = $1 AND kind = 'create_payment'",
            biz.tenant,
        )
        .await;
        assert_eq!(before, after, "a manual payment asks no provider");
        let all = payments_of(&app, &biz.owner, &order).await;
        let stale = all.iter().find(|p| p["id"] == link.body["id"]).unwrap();
        assert_eq!(stale["status"], "expired", "{stale:?}");
        // The unpaid list shows the debt, now without a request.
        let unpaid = app.get("/api/v1/payments/unpaid", &biz.owner.token).await;
        let debt = unpaid
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["order_id"] == order.as_str())
            .unwrap();
        assert_eq!(debt["balance_due"], 1_250_000);
        assert_eq!(debt["request"], Value::Null);
        // Recording more than is due is refused and changes nothing.
        let too_much = app
            .post(
                "/api/v1/payments/manual",
                &biz.owner.token,
                json!({"order_id": order, "amount": 1_250_001, "method": "cash"}),
            )
            .await;
        assert_eq!(too_much.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(too_much.field("amount").is_some());
    }
}

#[tokio::test]
async fn a_customer_who_said_stop_is_not_reminded_but_still_gets_receipts() {
    for db in store::testing::backends().await {
        let (app, _url) = served(&db).await;
        let biz = business(&app, "funmi-stop", "tailor", "en-NG", "400000000000023").await;
        let mut c = Customer::new(&biz, "2348031234567", "Amaka");
        c.say(
            &app,
            "I want an ankara midi dress for Dec 12, chest 38 waist 32",
        )
        .await;
        let order = first_order(&app, &biz.owner).await;
        let id = order["id"].as_str().unwrap().to_string();
        let deposit = payments_of(&app, &biz.owner, &id).await[0].clone();
        c.say(&app, "STOP").await;
        let outbound =
            "SELECT COUNT(*) FROM wa_messages WHERE tenant_id = $1 AND direction = 'outbound'";
        let before = count(&db, outbound, biz.tenant).await;
        let r = app
            .post(
                &format!(
                    "/api/v1/payments/send-reminder/{}",
                    deposit["id"].as_str().unwrap()
                ),
                &biz.owner.token,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.code(), "opted_out");
        drain(&app).await;
        assert_eq!(
            count(&db, outbound, biz.tenant).await,
            before,
            "nothing was queued"
        );
        let p = payments_of(&app, &biz.owner, &id).await[0].clone();
        assert_eq!(p["reminders_sent"], 0);

        // Money they pay is still acknowledged.
        pay_on_sandbox(deposit["payment_link"].as_str().unwrap()).await;
        c.replies(&app).await;
        assert!(c.log.contains("Payment received: ₦22,500"), "{}", c.log);
    }
}

async fn move_to(app: &TestApp, owner: &Owner, order: &str, body: Value) -> common::Resp {
    app.patch(&format!("/api/v1/orders/{order}/stage"), &owner.token, body)
        .await
}

#[tokio::test]
async fn a_tailor_customer_hears_ready_with_the_balance_link_and_delivered() {
    for db in store::testing::backends().await {
        let (app, _url) = served(&db).await;
        let biz = business(&app, "funmi-ready", "tailor", "en-NG", "400000000000024").await;
        let (mut c, order) = deposit_paid(&app, &biz).await;
        for stage in ["cutting", "sewing", "ready"] {
            let r = move_to(&app, &biz.owner, &order, json!({"stage": stage})).await;
            assert_eq!(r.status, StatusCode::OK, "{stage}: {:?}", r.body);
        }
        c.replies(&app).await;
        assert!(
            c.log
                .contains("Good news! Your order SEW-0001 is ready. Balance to pay: ₦22,500."),
            "{}",
            c.log
        );
        // Its link follows (no balance link was open).
        let balance = payments_of(&app, &biz.owner, &order)
            .await
            .into_iter()
            .find(|p| p["type"] == "balance" && p["status"] == "pending")
            .unwrap_or_else(|| panic!("no balance link on {}", db.backend()));
        let link = balance["payment_link"].as_str().unwrap();
        assert!(c.log.contains(link), "{}", c.log);
        assert!(!c.log.contains("was delivered"));

        // Handing it over with money due needs the staff's say-so.
        let r = move_to(&app, &biz.owner, &order, json!({"stage": "delivered"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.code(), "balance_due");
        pay_on_sandbox(link).await;
        c.replies(&app).await;
        let r = move_to(&app, &biz.owner, &order, json!({"stage": "delivered"})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        c.replies(&app).await;
        assert!(
            c.log
                .contains("Your order SEW-0001 was delivered. Thank you for choosing"),
            "{}",
            c.log
        );
    }
}

#[tokio::test]
async fn a_pickup_order_never_goes_out_and_a_delivery_is_on_its_way_in_spanish() {
    for db in store::testing::backends().await {
        let (app, _url) = served(&db).await;
        let biz = business(
            &app,
            "martin-stages",
            "restaurant",
            "es-AR",
            "400000000000025",
        )
        .await;
        let mut c = Customer::new(&biz, "5491123456789", "Lucía");
        c.say(&app, "hola").await;
        let customer = store::customers::find_by_wa_id(&db, biz.tenant, "5491123456789")
            .await
            .unwrap()
            .unwrap();
        let placed = |fulfilment| store::orders::NewOrder {
            customer_id: customer.id,
            price: 500_000,
            currency: domain::Currency::parse("ARS").unwrap(),
            fulfilment: Some(fulfilment),
            ..store::orders::NewOrder::default()
        };
        let mut ids = Vec::new();
        for f in [
            domain::order::Fulfilment::Pickup,
            domain::order::Fulfilment::Delivery,
        ] {
            let mut tx = db.begin().await.unwrap();
            let o = store::orders::insert(&mut tx, biz.tenant, &placed(f))
                .await
                .unwrap();
            tx.commit().await.unwrap();
            ids.push(o.id.to_string());
        }
        for id in &ids {
            let cash = app
                .post(
                    "/api/v1/payments/manual",
                    &biz.owner.token,
                    json!({"order_id": id, "amount": 500_000, "method": "cash", "type": "full"}),
                )
                .await;
            assert_eq!(cash.status, StatusCode::CREATED, "{:?}", cash.body);
            for stage in ["preparing", "ready"] {
                let r = move_to(&app, &biz.owner, id, json!({"stage": stage})).await;
                assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            }
        }
        let r = move_to(
            &app,
            &biz.owner,
            &ids[0],
            json!({"stage": "out_for_delivery"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.code(), "pickup_order");
        let r = move_to(
            &app,
            &biz.owner,
            &ids[1],
            json!({"stage": "out_for_delivery"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        c.replies(&app).await;
        assert!(
            c.log
                .contains("¡Buenas noticias! Tu pedido PED-0001 está listo."),
            "{}",
            c.log
        );
        assert!(
            c.log.contains("¡Tu pedido PED-0002 está en camino!"),
            "{}",
            c.log
        );
        assert!(!c.log.contains("PED-0001 está en camino"));
    }
}

#[tokio::test]
async fn a_free_mpesa_cart_asks_no_provider_and_the_order_stands() {
    for db in store::testing::backends().await {
        let (app, _url) = served(&db).await;
        let mock = MockServer::start().await;
        let (biz, _) = mpesa_business(&app, &mock, "mpesa-free", "400000000000026").await;
        // A give-away: sugar at 0 this week.
        let list = app.get("/api/v1/products?q=sukari", &biz.owner.token).await;
        let sugar = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["sku"] == "SUGAR-1KG")
            .unwrap_or_else(|| panic!("{:?}", list.body))
            .clone();
        let r = app
            .patch(
                &format!("/api/v1/products/{}", sugar["id"].as_str().unwrap()),
                &biz.owner.token,
                json!({"price": 0}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let mut c = Customer::new(&biz, "254723450000", "Akinyi");
        c.say(&app, "sukari mbili").await;
        c.tap(&app, "Place order").await;
        c.tap(&app, "Pickup").await;
        c.tap(&app, "M-PESA").await;
        c.replies(&app).await;
        let dead = count(
            &db,
            "SELECT COUNT(*) FROM jobs WHERE tenant_id = $1 AND status <> 'done'",
            biz.tenant,
        )
        .await;
        assert_eq!(dead, 0, "every job finished on {}", db.backend());
        let order = first_order(&app, &biz.owner).await;
        assert_eq!(order["price"], 0, "{order:?}");
        assert_eq!(order["payment_method"], "mpesa");
        let id = order["id"].as_str().unwrap();
        assert!(
            payments_of(&app, &biz.owner, id).await.is_empty(),
            "nothing asked of M-PESA for 0"
        );
        assert!(!c.log.contains("We sent an M-PESA request"), "{}", c.log);
    }
}
