//! The WhatsApp channel end to end on both backends: signed intake, every
//! message type, redeliveries, statuses, the 24-hour rule, retries and
//! permanent errors against a mock Graph API, Meta's limits, the AR/MX
//! number rules, media, numbers and the thread API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{APP_SECRET, Owner, Resp, TestApp, VERIFY_TOKEN};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use store::Db;
use tower::ServiceExt;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PNID: &str = "106540352242922";

fn envelope(pnid: &str, from: &str, name: &str, message: Value) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "WABA", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "15550783881", "phone_number_id": pnid },
            "contacts": [{ "profile": { "name": name }, "wa_id": from }],
            "messages": [message]
        }}]}]
    })
    .to_string()
}

fn text(from: &str, id: &str, body: &str) -> Value {
    json!({ "from": from, "id": id, "timestamp": chrono::Utc::now().timestamp().to_string(),
            "type": "text", "text": { "body": body } })
}

fn statuses(pnid: &str, items: Value) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "WABA", "changes": [{ "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": { "display_phone_number": "15550783881", "phone_number_id": pnid },
            "statuses": items
        }}]}]
    })
    .to_string()
}

async fn webhook(app: &TestApp, body: &str, signature: Option<String>) -> Resp {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri("/webhook/whatsapp")
        .header("content-type", "application/json");
    if let Some(s) = signature {
        req = req.header("x-hub-signature-256", s);
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

fn sign(body: &str) -> String {
    channels::signature::sign(APP_SECRET.as_bytes(), body.as_bytes())
}

async fn deliver(app: &TestApp, body: &str) -> Resp {
    let r = webhook(app, body, Some(sign(body))).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r
}

/// Runs every due job to completion, in this task, until none is due.
async fn drain(app: &TestApp) -> usize {
    let registry = engine::registry(app.state.services.clone());
    engine::worker::run_due(&app.state.db, &registry, "test-worker")
        .await
        .unwrap()
}

/// Makes jobs waiting for their backoff due now.
async fn make_due(db: &Db) {
    store::testing::make_jobs_due(db).await;
}

async fn count(db: &Db, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// A business with a real (Cloud API) number `pnid` whose token is `tok`.
async fn business(app: &TestApp, slug: &str, pnid: &str) -> Owner {
    let owner = app.register(slug, "tailor").await;
    let r = app
        .post(
            "/api/v1/whatsapp/numbers",
            &owner.token,
            json!({"phone_number_id": pnid, "display_phone_number": "+1 555 078 3881", "access_token": "EAAG-test-token"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    owner
}

async fn thread(app: &TestApp, owner: &Owner, wa_id: &str) -> Vec<Value> {
    let c = app
        .get(&format!("/api/v1/customers/by-wa/{wa_id}"), &owner.token)
        .await;
    assert_eq!(c.status, StatusCode::OK, "{:?}", c.body);
    let id = c.body["id"].as_str().unwrap().to_string();
    let t = app
        .get(&format!("/api/v1/whatsapp/messages/{id}"), &owner.token)
        .await;
    assert_eq!(t.status, StatusCode::OK, "{:?}", t.body);
    t.body["items"].as_array().unwrap().clone()
}

/// The first message the business sent to `wa_id`.
async fn outbound(app: &TestApp, owner: &Owner, wa_id: &str) -> Value {
    thread(app, owner, wa_id)
        .await
        .into_iter()
        .find(|m| m["direction"] == "outbound")
        .expect("an outbound message")
}

async fn customer_id(app: &TestApp, owner: &Owner, wa_id: &str) -> String {
    let c = app
        .get(&format!("/api/v1/customers/by-wa/{wa_id}"), &owner.token)
        .await;
    assert_eq!(c.status, StatusCode::OK, "{:?}", c.body);
    c.body["id"].as_str().unwrap().to_string()
}

async fn send(app: &TestApp, owner: &Owner, customer: &str, message: Value) -> Resp {
    app.post(
        "/api/v1/whatsapp/send",
        &owner.token,
        json!({"customer_id": customer, "message": message}),
    )
    .await
}

fn graph_ok(wamid: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": "x", "wa_id": "x"}],
        "messages": [{"id": wamid}]
    }))
}

fn graph_error(status: u16, code: i64, message: &str, details: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {
        "message": message, "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "fbtrace_id": "AbCdEf123"
    }}))
}

async fn run<F, Fut>(scenario: F)
where
    F: Fn(TestApp, Arc<MockServer>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let graph = Arc::new(MockServer::start().await);
        let base = format!("{}/v21.0", graph.uri());
        scenario(TestApp::whatsapp(db, &base), graph).await;
    }
}

#[tokio::test]
async fn verification_handshake() {
    run(|app, _| async move {
        let ok = app
            .request(
                Method::GET,
                &format!("/webhook/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={VERIFY_TOKEN}"),
                None,
                None,
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK);
        assert_eq!(ok.body, json!(1158201444), "the challenge, as plain text");
        for q in [
            "hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong",
            "hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=test-verify-token",
            "hub.mode=subscribe&hub.verify_token=test-verify-token",
        ] {
            let r = app
                .request(Method::GET, &format!("/webhook/whatsapp?{q}"), None, None)
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{q}");
        }
    })
    .await;
}

#[tokio::test]
async fn bad_or_missing_signatures_store_nothing() {
    run(|app, _| async move {
        business(&app, "sig", PNID).await;
        let body = envelope(
            PNID,
            "16505551234",
            "Sheena",
            text("16505551234", "wamid.SIG1", "Hello"),
        );
        let missing = webhook(&app, &body, None).await;
        assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
        assert_eq!(missing.code(), "bad_signature");
        let forged = webhook(
            &app,
            &body,
            Some(channels::signature::sign(b"other", body.as_bytes())),
        )
        .await;
        assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
        let tampered = body.replace("Hello", "Hellp");
        let r = webhook(&app, &tampered, Some(sign(&body))).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let garbage = webhook(&app, &body, Some("sha256=zz".into())).await;
        assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            count(&app.state.db, "SELECT COUNT(*) FROM wa_events").await,
            0
        );
        assert_eq!(count(&app.state.db, "SELECT COUNT(*) FROM jobs").await, 0);

        // The vector of protocols.md §1.2 passes our check as Meta sends it.
        let vector = r#"{"object":"whatsapp_business_account","entry":[]}"#;
        let r = webhook(
            &app,
            vector,
            Some("sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756".into()),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    })
    .await;
}

#[tokio::test]
async fn every_message_type_lands_in_the_thread() {
    run(|app, _| async move {
        let owner = business(&app, "types", PNID).await;
        let from = "16505551234";
        let ts = chrono::Utc::now().timestamp().to_string();
        let m = |id: &str, kind: &str, body: Value| {
            let mut v = json!({"from": from, "id": id, "timestamp": ts, "type": kind});
            v[kind] = body;
            v
        };
        let cases: Vec<(Value, &str, Option<&str>)> = vec![
            (m("wamid.t1", "text", json!({"body": "Hello"})), "text", Some("Hello")),
            (
                m("wamid.t2", "interactive", json!({"type": "list_reply", "list_reply": {"id": "priority_express", "title": "Priority Mail Express", "description": "Next Day to 2 Days"}})),
                "list_reply",
                Some("Priority Mail Express"),
            ),
            (
                m("wamid.t3", "interactive", json!({"type": "button_reply", "button_reply": {"id": "cancel-button", "title": "Cancel"}})),
                "button_reply",
                Some("Cancel"),
            ),
            (m("wamid.t4", "button", json!({"payload": "callback_data", "text": "title"})), "template_button", Some("title")),
            (
                m("wamid.t5", "location", json!({"latitude": 37.44221496582, "longitude": -122.2, "name": "Philz", "address": "101 Forest Ave, Palo Alto, CA 94301"})),
                "location",
                None,
            ),
            (
                m("wamid.t6", "order", json!({"catalog_id": "354160437058781", "text": "", "product_items": [
                    {"product_retailer_id": "HAMBURGER", "quantity": 3, "item_price": 7.99, "currency": "USD"}]})),
                "order",
                None,
            ),
            (m("wamid.t7", "reaction", json!({"message_id": "wamid.t1", "emoji": "😮"})), "reaction", Some("😮")),
            (m("wamid.t8", "sticker", json!({"mime_type": "image/webp", "sha256": "abc", "id": "8001", "animated": false})), "sticker", None),
            (
                json!({"from": from, "id": "wamid.t9", "timestamp": ts, "type": "unsupported", "errors": [{"code": 131051, "title": "Message type unknown", "message": "Message type unknown", "error_data": {"details": "Message type is currently not supported."}}]}),
                "unsupported",
                None,
            ),
            (m("wamid.t10", "contacts", json!([{"name": {"formatted_name": "Ada"}, "phones": [{"phone": "+2348031234567"}]}])), "contacts", None),
        ];
        for (msg, _, _) in &cases {
            deliver(&app, &envelope(PNID, from, "Sheena Nelson", msg.clone())).await;
        }
        drain(&app).await;
        let items = thread(&app, &owner, from).await;
        assert_eq!(items.len(), cases.len(), "{items:#?}");
        for (i, (msg, kind, body)) in cases.iter().enumerate() {
            let got = &items[i];
            assert_eq!(got["direction"], "inbound");
            assert_eq!(got["wamid"], msg["id"]);
            assert_eq!(got["kind"], *kind, "{got:#?}");
            assert_eq!(got["status"], "received");
            assert_eq!(got["payload"], *msg, "the message as Meta sent it");
            if let Some(b) = body {
                assert_eq!(got["body"], *b, "{got:#?}");
            }
        }
        let c = app.get(&format!("/api/v1/customers/by-wa/{from}"), &owner.token).await;
        assert_eq!(c.body["name"], "Sheena Nelson", "the profile name is kept");
        assert_eq!(c.body["wa_profile_name"], "Sheena Nelson");
        assert!(c.body["last_inbound_at"].is_string());
        assert_eq!(count(&app.state.db, "SELECT COUNT(*) FROM wa_events WHERE state = 'processed'").await, cases.len() as i64);
    })
    .await;
}

#[tokio::test]
async fn a_redelivery_three_times_at_once_is_stored_once() {
    run(|app, _| async move {
        let owner = business(&app, "dup", PNID).await;
        let body = envelope(
            PNID,
            "16505551234",
            "Sheena",
            text("16505551234", "wamid.DUP", "Hello"),
        );
        let (a, b, c) = tokio::join!(
            deliver(&app, &body),
            deliver(&app, &body),
            deliver(&app, &body)
        );
        let stored: i64 = [a, b, c]
            .iter()
            .map(|r| r.body["stored"].as_i64().unwrap())
            .sum();
        assert_eq!(stored, 1, "exactly one delivery stored the event");
        assert_eq!(
            count(&app.state.db, "SELECT COUNT(*) FROM wa_events").await,
            1
        );
        assert_eq!(
            count(
                &app.state.db,
                "SELECT COUNT(*) FROM jobs WHERE kind = 'process_inbound'"
            )
            .await,
            1
        );
        drain(&app).await;
        deliver(&app, &body).await;
        drain(&app).await;
        assert_eq!(thread(&app, &owner, "16505551234").await.len(), 1);
        assert_eq!(
            count(&app.state.db, "SELECT COUNT(*) FROM customers").await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn an_unknown_number_is_kept_unroutable() {
    run(|app, _| async move {
        business(&app, "unr", PNID).await;
        let body = envelope(
            "999999999",
            "16505551234",
            "Sheena",
            text("16505551234", "wamid.UNR", "Hello"),
        );
        let r = deliver(&app, &body).await;
        assert_eq!(r.body["unroutable"], 1);
        assert_eq!(
            count(
                &app.state.db,
                "SELECT COUNT(*) FROM wa_events WHERE state = 'unroutable'"
            )
            .await,
            1
        );
        assert_eq!(count(&app.state.db, "SELECT COUNT(*) FROM jobs").await, 0);
    })
    .await;
}

/// A customer who wrote `hours_ago` hours ago; returns their id.
async fn customer_who_wrote(app: &TestApp, owner: &Owner, from: &str, hours_ago: i64) -> String {
    let body = envelope(
        PNID,
        from,
        "Ada",
        text(from, &format!("wamid.in.{from}"), "hi"),
    );
    deliver(app, &body).await;
    drain(app).await;
    let id = customer_id(app, owner, from).await;
    // Time passes: the services' clock moves, the stored rows stay.
    app.clock.advance(chrono::Duration::hours(hours_ago));
    id
}

#[tokio::test]
async fn replies_go_out_with_statuses_moving_forward_only() {
    run(|app, graph| async move {
        let owner = business(&app, "status", PNID).await;
        let cid = customer_who_wrote(&app, &owner, "16505551234", 0).await;
        Mock::given(method("POST"))
            .and(path(format!("/v21.0/{PNID}/messages")))
            .and(header("authorization", "Bearer EAAG-test-token"))
            .and(body_partial_json(json!({"to": "16505551234", "type": "text", "text": {"body": "Your gown is ready"}})))
            .respond_with(graph_ok("wamid.OUT1"))
            .expect(1)
            .mount(&graph)
            .await;
        let r = send(&app, &owner, &cid, json!({"type": "text", "body": "Your gown is ready"})).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        assert_eq!(r.body["status"], "queued");
        drain(&app).await;
        let m = outbound(&app, &owner, "16505551234").await;
        assert_eq!(m["status"], "sent");
        assert_eq!(m["wamid"], "wamid.OUT1");

        let st = |s: &str, ts: i64| json!({"id": "wamid.OUT1", "status": s, "timestamp": ts.to_string(), "recipient_id": "16505551234"});
        // read arrives first (delivered skipped), then a late delivered.
        deliver(&app, &statuses(PNID, json!([st("read", 1_700_000_100)]))).await;
        drain(&app).await;
        deliver(&app, &statuses(PNID, json!([st("delivered", 1_700_000_050), st("sent", 1_700_000_000)]))).await;
        drain(&app).await;
        let m = outbound(&app, &owner, "16505551234").await;
        assert_eq!(m["status"], "read", "read never goes back to delivered");
        assert!(m["read_at"].is_string());
        // The same status twice is one event.
        let again = deliver(&app, &statuses(PNID, json!([st("read", 1_700_000_100)]))).await;
        assert_eq!(again.body["duplicates"], 1);
        // Meta's informational statuses do not move a message.
        deliver(
            &app,
            &statuses(PNID, json!([st("warning", 1_700_000_200), st("deleted", 1_700_000_300)])),
        )
        .await;
        drain(&app).await;
        assert_eq!(outbound(&app, &owner, "16505551234").await["status"], "read");
        assert_eq!(
            count(&app.state.db, "SELECT COUNT(*) FROM wa_events WHERE state <> 'processed'").await,
            0
        );
        assert_eq!(
            count(&app.state.db, "SELECT COUNT(*) FROM jobs WHERE status <> 'done'").await,
            0
        );
    })
    .await;
}

#[tokio::test]
async fn a_failed_status_keeps_meta_error() {
    run(|app, graph| async move {
        let owner = business(&app, "fstatus", PNID).await;
        let cid = customer_who_wrote(&app, &owner, "16505551234", 0).await;
        Mock::given(method("POST")).respond_with(graph_ok("wamid.F1")).mount(&graph).await;
        send(&app, &owner, &cid, json!({"type": "text", "body": "hello"})).await;
        drain(&app).await;
        let failed = json!([{ "id": "wamid.F1", "status": "failed", "timestamp": "1689380458", "recipient_id": "16505551234",
            "errors": [{"code": 130472, "title": "User's number is part of an experiment", "message": "User's number is part of an experiment",
                        "error_data": {"details": "Failed to send message because this user's phone number is part of an experiment"},
                        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}]}]);
        deliver(&app, &statuses(PNID, failed)).await;
        drain(&app).await;
        let m = outbound(&app, &owner, "16505551234").await;
        assert_eq!(m["status"], "failed");
        assert_eq!(m["error"]["code"], 130472);
        assert_eq!(m["error"]["title"], "User's number is part of an experiment");
    })
    .await;
}

#[tokio::test]
async fn rate_limited_then_sent() {
    run(|app, graph| async move {
        let owner = business(&app, "ratelim", PNID).await;
        let cid = customer_who_wrote(&app, &owner, "16505551234", 0).await;
        Mock::given(method("POST"))
            .respond_with(graph_error(
                429,
                130429,
                "(#130429) Rate limit hit",
                "too many messages",
            ))
            .up_to_n_times(1)
            .expect(1)
            .mount(&graph)
            .await;
        Mock::given(method("POST"))
            .respond_with(graph_ok("wamid.RL"))
            .expect(1)
            .mount(&graph)
            .await;
        send(&app, &owner, &cid, json!({"type": "text", "body": "hello"})).await;
        drain(&app).await;
        let job_attempts = count(
            &app.state.db,
            "SELECT CAST(attempts AS BIGINT) FROM jobs WHERE kind = 'send_message'",
        )
        .await;
        assert_eq!(
            job_attempts, 1,
            "first attempt failed and waits for its backoff"
        );
        make_due(&app.state.db).await;
        drain(&app).await;
        let m = outbound(&app, &owner, "16505551234").await;
        assert_eq!(m["status"], "sent");
        assert_eq!(m["wamid"], "wamid.RL");
    })
    .await;
}

#[tokio::test]
async fn server_errors_until_dead() {
    run(|app, graph| async move {
        let owner = business(&app, "dead", PNID).await;
        let cid = customer_who_wrote(&app, &owner, "16505551234", 0).await;
        Mock::given(method("POST"))
            .respond_with(graph_error(
                500,
                131000,
                "(#131000) Something went wrong",
                "try later",
            ))
            .mount(&graph)
            .await;
        send(&app, &owner, &cid, json!({"type": "text", "body": "hello"})).await;
        for _ in 0..10 {
            drain(&app).await;
            make_due(&app.state.db).await;
        }
        assert_eq!(
            count(
                &app.state.db,
                "SELECT COUNT(*) FROM jobs WHERE kind = 'send_message' AND status = 'dead'"
            )
            .await,
            1
        );
        assert_eq!(
            count(
                &app.state.db,
                "SELECT CAST(attempts AS BIGINT) FROM jobs WHERE kind = 'send_message'"
            )
            .await,
            8
        );
        let m = outbound(&app, &owner, "16505551234").await;
        assert_eq!(m["status"], "failed");
        assert_eq!(m["error"]["title"], "not delivered after retries");
        assert_eq!(graph.received_requests().await.unwrap().len(), 8);
    })
    .await;
}

#[tokio::test]
async fn permanent_errors_are_stored_not_retried() {
    run(|app, graph| async move {
        let owner = business(&app, "perm", PNID).await;
        let cid = customer_who_wrote(&app, &owner, "16505551234", 0).await;
        Mock::given(method("POST"))
            .respond_with(graph_error(
                400,
                131026,
                "(#131026) Message undeliverable",
                "Receiver is incapable of receiving this message",
            ))
            .expect(1)
            .mount(&graph)
            .await;
        send(&app, &owner, &cid, json!({"type": "text", "body": "hello"})).await;
        drain(&app).await;
        make_due(&app.state.db).await;
        drain(&app).await;
        let m = outbound(&app, &owner, "16505551234").await;
        assert_eq!(m["status"], "failed");
        assert_eq!(m["error"]["code"], 131026);
        assert_eq!(m["error"]["title"], "Message undeliverable");
        assert_eq!(
            m["error"]["details"],
            "Receiver is incapable of receiving this message"
        );
        assert_eq!(
            count(
                &app.state.db,
                "SELECT COUNT(*) FROM jobs WHERE kind = 'send_message' AND status = 'done'"
            )
            .await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn outside_the_window_a_fallback_template_or_blocked() {
    run(|app, graph| async move {
        let owner = business(&app, "win", PNID).await;
        let cid = customer_who_wrote(&app, &owner, "16505551234", 25).await;
        Mock::given(method("POST"))
            .and(body_partial_json(json!({"type": "template", "template": {"name": "order_ready", "language": {"code": "en"}}})))
            .respond_with(graph_ok("wamid.TPL"))
            .expect(1)
            .mount(&graph)
            .await;
        // Without a fallback: blocked, Meta never called.
        let r = send(&app, &owner, &cid, json!({"type": "text", "body": "Your gown is ready"})).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        drain(&app).await;
        let items = thread(&app, &owner, "16505551234").await;
        let blocked = items.iter().find(|m| m["id"] == r.body["id"]).unwrap();
        assert_eq!(blocked["status"], "blocked");
        assert_eq!(blocked["error"]["title"], "outside the 24-hour window");
        // A fallback that is not approved is refused, naming the field.
        let fallback = json!({"customer_id": cid, "message": {"type": "text", "body": "Your gown is ready"},
                              "fallback_template": {"type": "template", "name": "order_ready", "language": "en", "body": ["Ada", "SEW-0001"]}});
        let r = app.post("/api/v1/whatsapp/send", &owner.token, fallback.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.field("fallback_template.name").is_some(), "{:?}", r.body);
        // So is a template message itself.
        let r = send(&app, &owner, &cid, json!({"type": "template", "name": "order_ready", "language": "en"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
        assert!(r.field("message.name").is_some(), "{:?}", r.body);
        // Approved: the template goes instead.
        app.approve(&owner, &[("order_ready", "en")]).await;
        let r = app
            .post(
                "/api/v1/whatsapp/send",
                &owner.token,
                json!({"customer_id": cid, "message": {"type": "text", "body": "Your gown is ready"},
                       "fallback_template": {"type": "template", "name": "order_ready", "language": "en", "body": ["Ada", "SEW-0001"]}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        drain(&app).await;
        let items = thread(&app, &owner, "16505551234").await;
        let sent = items.iter().find(|m| m["id"] == r.body["id"]).unwrap();
        assert_eq!(sent["status"], "sent");
        assert_eq!(sent["kind"], "template");
        assert_eq!(sent["payload"]["template"]["components"][0]["parameters"][1]["text"], "SEW-0001");
    })
    .await;
}

#[tokio::test]
async fn meta_131047_inside_our_window_uses_the_fallback_or_fails() {
    run(|app, graph| async move {
        let owner = business(&app, "w47", PNID).await;
        let cid = customer_who_wrote(&app, &owner, "16505551234", 0).await;
        Mock::given(method("POST"))
            .and(body_partial_json(json!({"type": "text"})))
            .respond_with(graph_error(400, 131047, "(#131047) Re-engagement message", "Message failed to send because more than 24 hours have passed since the customer last replied to this number."))
            .expect(2)
            .mount(&graph)
            .await;
        Mock::given(method("POST"))
            .and(body_partial_json(json!({"type": "template"})))
            .respond_with(graph_ok("wamid.FB"))
            .expect(1)
            .mount(&graph)
            .await;
        app.approve(&owner, &[("hello_again", "en")]).await;
        let without = send(&app, &owner, &cid, json!({"type": "text", "body": "hello"})).await;
        let with = app
            .post(
                "/api/v1/whatsapp/send",
                &owner.token,
                json!({"customer_id": cid, "message": {"type": "text", "body": "hello"},
                       "fallback_template": {"type": "template", "name": "hello_again", "language": "en"}}),
            )
            .await;
        drain(&app).await;
        let items = thread(&app, &owner, "16505551234").await;
        let a = items.iter().find(|m| m["id"] == without.body["id"]).unwrap();
        assert_eq!(a["status"], "failed");
        assert_eq!(a["error"]["code"], 131047);
        let b = items.iter().find(|m| m["id"] == with.body["id"]).unwrap();
        assert_eq!(b["status"], "sent");
        assert_eq!(b["kind"], "template");
    })
    .await;
}

#[tokio::test]
async fn meta_limits_are_checked_before_anything_is_queued() {
    run(|app, graph| async move {
        let owner = business(&app, "lim", PNID).await;
        let cid = customer_who_wrote(&app, &owner, "16505551234", 0).await;
        let b = |t: &str| json!({"id": t, "title": t});
        let cases = [
            (json!({"type": "buttons", "body": "Pick", "buttons": [b("a"), b("b"), b("c"), b("d")]}), "message.buttons"),
            (json!({"type": "buttons", "body": "Pick", "buttons": [{"id": "a", "title": "A title that is far too long"}]}), "message.buttons[0].title"),
            (json!({"type": "text", "body": ""}), "message.body"),
            (json!({"type": "list", "body": "Menu", "button": "See", "sections": [{"rows": (0..11).map(|i| json!({"id": format!("r{i}"), "title": "Row"})).collect::<Vec<_>>()}]}), "message.sections"),
            (json!({"type": "carrier_pigeon"}), "message"),
        ];
        for (msg, field) in cases {
            let r = send(&app, &owner, &cid, msg.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{msg}: {:?}", r.body);
            let fields = r.body["error"]["fields"].as_object().unwrap();
            assert!(fields.keys().any(|k| k.starts_with(field)), "{msg}: {fields:?} should name {field}");
        }
        assert_eq!(count(&app.state.db, "SELECT COUNT(*) FROM wa_messages WHERE direction = 'outbound'").await, 0);
        assert_eq!(count(&app.state.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'send_message'").await, 0);
        assert!(graph.received_requests().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn argentina_and_mexico_numbers_are_one_identity_sent_to_the_working_form() {
    run(|app, graph| async move {
        let owner = business(&app, "arg", PNID).await;
        Mock::given(method("POST"))
            .and(body_partial_json(json!({"to": "541123456789"})))
            .respond_with(graph_ok("wamid.AR"))
            .expect(1)
            .mount(&graph)
            .await;
        Mock::given(method("POST"))
            .and(body_partial_json(json!({"to": "525512345678"})))
            .respond_with(graph_ok("wamid.MX"))
            .expect(1)
            .mount(&graph)
            .await;
        for (from, id) in [
            ("5491123456789", "wamid.ar1"),
            ("5215512345678", "wamid.mx1"),
            ("525512345678", "wamid.mx2"),
        ] {
            deliver(
                &app,
                &envelope(PNID, from, "Cliente", text(from, id, "hola")),
            )
            .await;
        }
        drain(&app).await;
        assert_eq!(
            count(&app.state.db, "SELECT COUNT(*) FROM customers").await,
            2,
            "521 and 52 are one customer"
        );
        // Staff typing the local form find the same customer.
        let typed = app
            .get("/api/v1/customers/by-wa/541123456789", &owner.token)
            .await;
        assert_eq!(typed.status, StatusCode::OK);
        assert_eq!(typed.body["phone"], "+5491123456789");
        let ar = customer_id(&app, &owner, "5491123456789").await;
        let mx = customer_id(&app, &owner, "525512345678").await;
        assert_eq!(thread(&app, &owner, "5215512345678").await.len(), 2);
        send(&app, &owner, &ar, json!({"type": "text", "body": "hola"})).await;
        send(&app, &owner, &mx, json!({"type": "text", "body": "hola"})).await;
        drain(&app).await;
        let ar_thread = thread(&app, &owner, "5491123456789").await;
        assert_eq!(ar_thread.last().unwrap()["status"], "sent");
        assert_eq!(ar_thread.last().unwrap()["to_number"], "541123456789");
    })
    .await;
}

#[tokio::test]
async fn media_is_downloaded_in_two_authenticated_steps() {
    run(|app, graph| async move {
        let owner = business(&app, "media", PNID).await;
        let bytes = b"\xff\xd8\xff\xe0fake-jpeg-bytes".to_vec();
        let digest = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(&bytes))
        };
        Mock::given(method("GET"))
            .and(path("/v21.0/2754859441498128"))
            .and(header("authorization", "Bearer EAAG-test-token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "messaging_product": "whatsapp", "url": format!("{}/lookaside/abc", graph.uri()),
                "mime_type": "image/jpeg", "sha256": digest, "file_size": bytes.len().to_string(), "id": "2754859441498128"})))
            .expect(1)
            .mount(&graph)
            .await;
        Mock::given(method("GET"))
            .and(path("/lookaside/abc"))
            .and(header("authorization", "Bearer EAAG-test-token"))
            .respond_with(ResponseTemplate::new(200).insert_header("content-type", "image/jpeg").set_body_bytes(bytes.clone()))
            .expect(1)
            .mount(&graph)
            .await;
        let from = "16505551234";
        let msg = json!({"from": from, "id": "wamid.IMG", "timestamp": "1739321024", "type": "image",
                         "image": {"caption": "this style", "mime_type": "image/jpeg", "sha256": digest, "id": "2754859441498128"}});
        deliver(&app, &envelope(PNID, from, "Ada", msg)).await;
        drain(&app).await;
        let items = thread(&app, &owner, from).await;
        assert_eq!(items[0]["kind"], "image");
        assert_eq!(items[0]["body"], "this style");
        assert!(items[0]["error"].is_null(), "{:?}", items[0]);
        let path: String = {
            let sql = sqlx::AssertSqlSafe("SELECT media_path FROM wa_messages".to_string());
            match &app.state.db {
                Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
                Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            }
        };
        assert!(path.ends_with(".jpg"), "{path}");
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
    })
    .await;
}

#[tokio::test]
async fn numbers_are_owned_sealed_and_isolated() {
    run(|app, _| async move {
        let owner = business(&app, "num", PNID).await;
        let other = business(&app, "num2", "2000").await;
        let list = app.get("/api/v1/whatsapp/numbers", &owner.token).await;
        let n = &list.body["items"][0];
        assert_eq!(n["phone_number_id"], PNID);
        assert_eq!(n["has_access_token"], true);
        assert!(!list.body.to_string().contains("EAAG"), "the token is never shown");
        let stored = count(&app.state.db, "SELECT COUNT(*) FROM wa_numbers WHERE access_token_sealed LIKE '%EAAG%'").await;
        assert_eq!(stored, 0, "the token is sealed at rest");

        let dup = app
            .post("/api/v1/whatsapp/numbers", &other.token, json!({"phone_number_id": PNID, "display_phone_number": "+1 555 000 0000", "access_token": "x"}))
            .await;
        assert_eq!(dup.status, StatusCode::CONFLICT);
        assert!(dup.field("phone_number_id").is_some());
        let bad = app
            .post("/api/v1/whatsapp/numbers", &owner.token, json!({"phone_number_id": "abc", "display_phone_number": "+1 555 000 0000"}))
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.field("phone_number_id").is_some() && bad.field("access_token").is_some());

        let staff = app.add_user(&owner, "staff@num.example", "staff").await;
        let r = app
            .post("/api/v1/whatsapp/numbers", &staff.token, json!({"phone_number_id": "3000", "display_phone_number": "+1 555 000 0000", "sandbox": true}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let id = n["id"].as_str().unwrap();
        let off = app.patch(&format!("/api/v1/whatsapp/numbers/{id}"), &owner.token, json!({"active": false})).await;
        assert_eq!(off.status, StatusCode::OK);
        assert_eq!(off.body["active"], false);
        let foreign = app.patch(&format!("/api/v1/whatsapp/numbers/{id}"), &other.token, json!({"active": true})).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);

        // Another business's customer thread is not found.
        let body = envelope(PNID, "16505551234", "Ada", text("16505551234", "wamid.iso", "hi"));
        app.patch(&format!("/api/v1/whatsapp/numbers/{id}"), &owner.token, json!({"active": true})).await;
        deliver(&app, &body).await;
        drain(&app).await;
        let cid = customer_id(&app, &owner, "16505551234").await;
        let r = app.get(&format!("/api/v1/whatsapp/messages/{cid}"), &other.token).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = send(&app, &other, &cid, json!({"type": "text", "body": "hi"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    })
    .await;
}

#[tokio::test]
async fn login_codes_reach_whatsapp_through_the_outbox() {
    run(|app, graph| async move {
        let owner = business(&app, "otp", PNID).await;
        let r = app
            .post(
                "/api/v1/users",
                &owner.token,
                json!({"name": "Tailor", "email": "t@otp.example", "password": "password123", "phone": "+2348031234567", "role": "staff"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        // The staff member never wrote to the number: only the (approved) template may go.
        app.approve(&owner, &[("otp_code", "en")]).await;
        Mock::given(method("POST"))
            .and(body_partial_json(json!({"to": "2348031234567", "type": "template", "template": {"name": "otp_code"}})))
            .respond_with(graph_ok("wamid.OTP"))
            .expect(1)
            .mount(&graph)
            .await;
        let r = app
            .public_post("/api/v1/auth/otp/send", json!({"phone": "+2348031234567"}))
            .await;
        assert!(r.status.is_success(), "{:?}", r.body);
        drain(&app).await;
        assert_eq!(count(&app.state.db, "SELECT COUNT(*) FROM outbox WHERE status = 'sent'").await, 1);
        assert_eq!(count(&app.state.db, "SELECT COUNT(*) FROM wa_messages WHERE status = 'sent' AND kind = 'template'").await, 1);
    })
    .await;
}

async fn get_text(app: &TestApp, uri: &str) -> (StatusCode, String) {
    let res = app
        .router
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn the_simulator_goes_through_the_real_intake_and_shows_replies() {
    run(|app, graph| async move {
        let owner = app.register("simulator", "tailor").await;
        for (pnid, sandbox, token) in [("100000000000001", true, None), ("777", false, Some("EAAG"))] {
            let r = app
                .post(
                    "/api/v1/whatsapp/numbers",
                    &owner.token,
                    json!({"phone_number_id": pnid, "display_phone_number": "+234 803 000 0001", "sandbox": sandbox, "access_token": token}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
        let (status, page) = get_text(&app, "/sandbox/chat").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("/sandbox/chat.js"));
        let numbers = app.request(Method::GET, "/sandbox/api/numbers", None, None).await;
        let listed: Vec<&str> = numbers.body["numbers"].as_array().unwrap().iter().map(|n| n["phone_number_id"].as_str().unwrap()).collect();
        assert_eq!(listed, ["100000000000001"], "real numbers are not offered");

        let msg = |pnid: &str, from: &str, message: Value| json!({"phone_number_id": pnid, "from": from, "profile_name": "Amaka", "message": message});
        let hello = json!({"type": "text", "text": {"body": "Is my gown ready?"}});
        for (body, field) in [
            (msg("777", "2348031234567", hello.clone()), "phone_number_id"),
            (msg("100000000000001", "+234 803", hello.clone()), "from"),
            (msg("100000000000001", "2348031234567", json!({"type": "text"})), "message"),
        ] {
            let r = app.public_post("/sandbox/api/inbound", body).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.body);
            assert!(r.field(field).is_some(), "{:?}", r.body);
        }
        assert_eq!(count(&app.state.db, "SELECT COUNT(*) FROM wa_events").await, 0);

        let sent = app.public_post("/sandbox/api/inbound", msg("100000000000001", "2348031234567", hello)).await;
        assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
        drain(&app).await;
        let poll = |after: String| {
            let app = &app;
            async move {
                app.request(
                    Method::GET,
                    &format!("/sandbox/api/thread?phone_number_id=100000000000001&wa_id=2348031234567&after={after}"),
                    None,
                    None,
                )
                .await
                .body
            }
        };
        let first = poll(String::new()).await;
        assert_eq!(first["messages"][0]["wamid"], sent.body["wamid"]);
        assert_eq!(first["messages"][0]["body"], "Is my gown ready?");
        let cursor = first["cursor"].as_str().unwrap().to_string();

        // The business answers from the API; the simulator sees it.
        let cid = customer_id(&app, &owner, "2348031234567").await;
        let r = send(&app, &owner, &cid, json!({"type": "buttons", "body": "Yes! When will you come?", "buttons": [{"id": "today", "title": "Today"}]})).await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        // The backlog as /metrics reads it: the reply waits, nothing else.
        let (_, metrics) = get_text(&app, "/metrics").await;
        assert!(metrics.contains(r#"sokoni_jobs{kind="send_message",state="queued"} 1"#), "{metrics}");
        assert!(metrics.contains("sokoni_wa_outbound_queued 1"), "{metrics}");
        assert!(!metrics.contains(r#"state="done""#), "done jobs are not counted: {metrics}");
        drain(&app).await;
        let next = poll(cursor.replace('+', "%2B")).await;
        let reply = next["messages"].as_array().unwrap().iter().find(|m| m["direction"] == "outbound").unwrap();
        assert_eq!(reply["status"], "sent");
        assert_eq!(reply["payload"]["interactive"]["action"]["buttons"][0]["reply"]["id"], "today");
        assert!(graph.received_requests().await.unwrap().is_empty(), "sandbox numbers never call Meta");

        let (status, metrics) = get_text(&app, "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        assert!(metrics.contains("sokoni_wa_outbound_queued 0"), "{metrics}");
        assert!(!metrics.contains("sokoni_wa_events_pending{"), "nothing waits: {metrics}");
    })
    .await;
}

#[tokio::test]
async fn a_full_rate_window_reschedules_sends_without_spending_attempts() {
    for db in store::testing::backends().await {
        let graph = MockServer::start().await;
        let config = server::config::Config {
            wa_rate_limit_per_sec: 1,
            ..common::whatsapp_config(&format!("{}/v21.0", graph.uri()))
        };
        let app = TestApp::whatsapp_with(db.clone(), config);
        let owner = business(&app, "limited", PNID).await;
        let cid = customer_who_wrote(&app, &owner, "16505551234", 0).await;
        for n in 0..3 {
            Mock::given(method("POST"))
                .and(path(format!("/v21.0/{PNID}/messages")))
                .and(body_partial_json(
                    json!({"text": {"body": format!("note {n}")}}),
                ))
                .respond_with(graph_ok(&format!("wamid.LIMIT{n}")))
                .expect(1)
                .mount(&graph)
                .await;
        }
        for n in 0..3 {
            let r = send(
                &app,
                &owner,
                &cid,
                json!({"type": "text", "body": format!("note {n}")}),
            )
            .await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "{:?}", r.body);
        }
        // One drain runs what is due now: one send fits this second, the
        // others wait for the next ones, their attempts untouched.
        drain(&app).await;
        let sent = count(
            &db,
            "SELECT COUNT(*) FROM wa_messages WHERE status = 'sent'",
        )
        .await;
        assert!(
            sent <= 2,
            "at most this second's and the next's slot: {sent} on {}",
            db.backend()
        );
        let waiting = store::jobs::list(&db, Some(store::jobs::JobStatus::Queued), 10)
            .await
            .unwrap();
        assert!(!waiting.is_empty(), "the rest wait for a later second");
        assert!(
            waiting
                .iter()
                .all(|j| j.kind == "send_message" && j.attempts == 0),
            "{waiting:?}"
        );
        assert!(
            waiting
                .iter()
                .all(|j| j.run_at > store::now() - chrono::Duration::seconds(1))
        );
        // Given the seconds, every note goes, once.
        for _ in 0..40 {
            if count(
                &db,
                "SELECT COUNT(*) FROM wa_messages WHERE status = 'sent'",
            )
            .await
                == 3
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            drain(&app).await;
        }
        assert_eq!(
            count(
                &db,
                "SELECT COUNT(*) FROM wa_messages WHERE status = 'sent'"
            )
            .await,
            3
        );
    }
}
