//! The sandbox only where asked: the chat simulator and the sandbox
//! checkout answer 404 under `serve` unless `sandbox` is set; with it,
//! the simulator's APIs need a login as the business that owns the
//! number; only `demo` keeps the no-login simulator. Sandbox sends log
//! masked phones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::chat::{Biz, business, count, drain};
use common::{APP_SECRET, Resp, SANDBOX_PAY_SECRET, TestApp};
use serde_json::{Value, json};
use server::config::Config;
use std::sync::{Arc, Mutex, OnceLock};
use store::Db;

/// `serve`'s configuration with WhatsApp and the sandbox payment secret
/// set; `sandbox` and `demo` as given.
fn config(sandbox: bool, demo: bool) -> Config {
    Config {
        wa_app_secret: Some(APP_SECRET.to_string().into()),
        sandbox_payments_secret: Some(SANDBOX_PAY_SECRET.to_string().into()),
        data_dir: std::env::temp_dir().join(format!("sokoni-sandbox-{}", uuid::Uuid::now_v7())),
        sandbox,
        demo,
        ..Config::default()
    }
}

async fn with_config(db: Db, sandbox: bool, demo: bool) -> TestApp {
    TestApp::with_config(db, config(sandbox, demo))
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Resp {
    app.request(method, path, token, body).await
}

/// Webhook deliveries stored for the business.
async fn events(app: &TestApp, biz: &Biz) -> i64 {
    count(
        &app.state.db,
        "SELECT COUNT(*) FROM wa_events WHERE tenant_id = $1",
        biz.tenant,
    )
    .await
}

fn hello(pnid: &str, from: &str) -> Value {
    json!({"phone_number_id": pnid, "from": from, "profile_name": "Amaka",
           "message": {"type": "text", "text": {"body": "Good morning ma"}}})
}

fn thread_path(pnid: &str, wa_id: &str) -> String {
    format!("/sandbox/api/thread?phone_number_id={pnid}&wa_id={wa_id}&after=")
}

#[tokio::test]
async fn without_the_setting_every_sandbox_path_answers_404() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        // The payment secret alone does not mount the sandbox either.
        let app = with_config(db, false, false).await;
        let biz = business(&app, "nosandbox", "tailor", "en-NG", "100000000000101").await;
        for (method, path, body) in [
            (Method::GET, "/sandbox/chat".to_string(), None),
            (Method::GET, "/sandbox/chat.js".to_string(), None),
            (Method::GET, "/sandbox/api/numbers".to_string(), None),
            (
                Method::POST,
                "/sandbox/api/inbound".to_string(),
                Some(hello(&biz.pnid, "2348031234567")),
            ),
            (Method::GET, thread_path(&biz.pnid, "2348031234567"), None),
            (
                Method::POST,
                "/sandbox/pay/api/charges".to_string(),
                Some(
                    json!({"reference": "r1", "amount": 100, "currency": "NGN", "description": "d", "return_url": "http://x"}),
                ),
            ),
            (Method::GET, "/sandbox/pay/r1".to_string(), None),
            (Method::POST, "/sandbox/pay/r1/pay".to_string(), None),
            (
                Method::POST,
                "/payments/webhook/sandbox".to_string(),
                Some(json!({"event": "charge.paid"})),
            ),
        ] {
            for token in [None, Some(biz.owner.token.as_str())] {
                let r = call(&app, method.clone(), &path, token, body.clone()).await;
                assert_eq!(
                    r.status,
                    StatusCode::NOT_FOUND,
                    "{method} {path}: {:?}",
                    r.body
                );
                assert_eq!(r.code(), "not_found", "{method} {path}: the error envelope");
            }
        }
        assert_eq!(events(&app, &biz).await, 0);
        // Every provider's return page stays.
        let r = call(&app, Method::GET, "/payments/return/r1", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn with_the_setting_the_simulator_needs_the_business_login() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = with_config(db, true, false).await;
        let a = business(&app, "sandbox-a", "tailor", "en-NG", "100000000000201").await;
        let b = business(&app, "sandbox-b", "tailor", "en-NG", "100000000000202").await;
        let customer = "2348031112233";

        // Mounted.
        let page = call(&app, Method::GET, "/sandbox/chat", None, None).await;
        assert_eq!(page.status, StatusCode::OK);
        let charge = call(&app, Method::POST, "/sandbox/pay/api/charges", None,
            Some(json!({"reference": "ref-setting-1", "amount": 100, "currency": "NGN", "description": "d", "return_url": "http://x"}))).await;
        assert_eq!(charge.status, StatusCode::CREATED, "{:?}", charge.body);

        // No login: nothing listed, sent or read.
        for (method, path, body) in [
            (Method::GET, "/sandbox/api/numbers".to_string(), None),
            (
                Method::POST,
                "/sandbox/api/inbound".to_string(),
                Some(hello(&a.pnid, customer)),
            ),
            (Method::GET, thread_path(&a.pnid, customer), None),
        ] {
            let r = call(&app, method.clone(), &path, None, body).await;
            assert_eq!(
                r.status,
                StatusCode::UNAUTHORIZED,
                "{method} {path}: {:?}",
                r.body
            );
            assert_eq!(r.code(), "unauthenticated");
        }
        assert_eq!(events(&app, &a).await, 0);

        // Each business sees only its own numbers.
        let listed = call(
            &app,
            Method::GET,
            "/sandbox/api/numbers",
            Some(&a.owner.token),
            None,
        )
        .await;
        assert_eq!(listed.status, StatusCode::OK);
        let pnids: Vec<&str> = listed.body["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["phone_number_id"].as_str().unwrap())
            .collect();
        assert_eq!(pnids, [a.pnid.as_str()]);

        // Another business's login is refused as if the number did not exist.
        let r = call(
            &app,
            Method::POST,
            "/sandbox/api/inbound",
            Some(&b.owner.token),
            Some(hello(&a.pnid, customer)),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
        assert_eq!(events(&app, &a).await, 0);

        // The owner chats on their own number.
        let sent = call(
            &app,
            Method::POST,
            "/sandbox/api/inbound",
            Some(&a.owner.token),
            Some(hello(&a.pnid, customer)),
        )
        .await;
        assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
        drain(&app).await;
        drain(&app).await;
        let own = call(
            &app,
            Method::GET,
            &thread_path(&a.pnid, customer),
            Some(&a.owner.token),
            None,
        )
        .await;
        assert_eq!(own.status, StatusCode::OK, "{:?}", own.body);
        assert_eq!(own.body["messages"][0]["wamid"], sent.body["wamid"]);

        let other = call(
            &app,
            Method::GET,
            &thread_path(&a.pnid, customer),
            Some(&b.owner.token),
            None,
        )
        .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND, "{:?}", other.body);
        assert!(other.body.get("messages").is_none());
        let anonymous = call(
            &app,
            Method::GET,
            &thread_path(&a.pnid, customer),
            None,
            None,
        )
        .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

        // The same thread through the API: the owner only.
        let found = app
            .get(
                &format!("/api/v1/customers/by-wa/{customer}"),
                &a.owner.token,
            )
            .await;
        assert_eq!(found.status, StatusCode::OK, "{:?}", found.body);
        let path = format!(
            "/api/v1/whatsapp/messages/{}",
            found.body["id"].as_str().unwrap()
        );
        assert_eq!(app.get(&path, &a.owner.token).await.status, StatusCode::OK);
        let r = app.get(&path, &b.owner.token).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.body);
        let r = call(&app, Method::GET, &path, None, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{:?}", r.body);
    }
}

#[tokio::test]
async fn only_demo_reads_a_thread_without_a_login() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = with_config(db, false, true).await;
        let a = business(&app, "sandbox-demo", "tailor", "en-NG", "100000000000301").await;
        let customer = "2348034445566";
        let sent = call(
            &app,
            Method::POST,
            "/sandbox/api/inbound",
            None,
            Some(hello(&a.pnid, customer)),
        )
        .await;
        assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
        drain(&app).await;
        let r = call(
            &app,
            Method::GET,
            &thread_path(&a.pnid, customer),
            None,
            None,
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["messages"][0]["wamid"], sent.body["wamid"]);
        let numbers = call(&app, Method::GET, "/sandbox/api/numbers", None, None).await;
        assert_eq!(
            numbers.body["numbers"][0]["phone_number_id"],
            a.pnid.as_str()
        );
        // The API itself still needs the login, demo or not.
        let found = app
            .get(
                &format!("/api/v1/customers/by-wa/{customer}"),
                &a.owner.token,
            )
            .await;
        let path = format!(
            "/api/v1/whatsapp/messages/{}",
            found.body["id"].as_str().unwrap()
        );
        assert_eq!(
            call(&app, Method::GET, &path, None, None).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

/// Everything logged at `info` and above in this test binary.
fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = buf.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || Capture(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
        buf
    })
    .clone()
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn sandbox_sends_log_masked_phones_only() {
    let logs = captured_logs();
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = with_config(db, false, true).await;
        let a = business(&app, "sandbox-logs", "tailor", "en-NG", "100000000000401").await;
        let customer = "2348037778899";
        let sent = call(
            &app,
            Method::POST,
            "/sandbox/api/inbound",
            None,
            Some(hello(&a.pnid, customer)),
        )
        .await;
        assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
        drain(&app).await;
        drain(&app).await;
        let thread = call(
            &app,
            Method::GET,
            &thread_path(&a.pnid, customer),
            None,
            None,
        )
        .await;
        let replies = thread.body["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["direction"] == "outbound")
            .count();
        assert!(replies > 0, "the bot answered: {:?}", thread.body);
    }
    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("sandbox send") && text.contains("234********99"),
        "{text}"
    );
    assert!(
        !text.contains("2348037778899") && !text.contains("8037778899"),
        "a whole phone in the logs:\n{text}"
    );
}

#[tokio::test]
async fn a_staff_member_sees_their_own_chat_with_the_number() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = with_config(db, true, true).await;
        let a = business(&app, "sandbox-staff", "tailor", "en-NG", "100000000000203").await;
        // The owner's phone (the test businesses' owners are +23480 and the
        // number's last eight digits).
        let owner = "2348000000203";
        let sent = call(
            &app,
            Method::POST,
            "/sandbox/api/inbound",
            Some(&a.owner.token),
            Some(json!({"phone_number_id": a.pnid, "from": owner,
                        "message": {"type": "text", "text": {"body": "orders today"}}})),
        )
        .await;
        assert_eq!(sent.status, StatusCode::OK, "{:?}", sent.body);
        drain(&app).await;
        let thread = call(
            &app,
            Method::GET,
            &thread_path(&a.pnid, owner),
            Some(&a.owner.token),
            None,
        )
        .await;
        assert_eq!(thread.status, StatusCode::OK, "{:?}", thread.body);
        let messages = thread.body["messages"].as_array().unwrap();
        assert_eq!(messages.len(), 2, "{messages:#?}");
        assert_eq!(messages[0]["wamid"], sent.body["wamid"]);
        assert_eq!(messages[1]["direction"], "outbound");
        assert!(
            messages[1]["body"]
                .as_str()
                .is_some_and(|b| b.starts_with("Due today or overdue")),
            "{messages:#?}"
        );
        // Another phone that is neither a customer nor staff sees nothing.
        let stranger = call(
            &app,
            Method::GET,
            &thread_path(&a.pnid, "2348039999999"),
            Some(&a.owner.token),
            None,
        )
        .await;
        assert_eq!(stranger.body["messages"], json!([]));
    }
}
