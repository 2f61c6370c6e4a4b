//! Language models and voice notes wired into the binary, end to end on
//! both databases: the configuration picks the provider, a mock LLM parses
//! a chat order, a failing or slow one falls back to the built-in parser
//! (counted on `/metrics`), and voice notes go through a mock speech-to-text
//! server (customer orders, staff commands, failures to a person, retries
//! answered once). The Graph API is a mock too: media comes from it and
//! replies go to it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, Utc};
use common::chat::{Biz, Customer, count, drain, outbound, to_staff};
use common::{TestApp, session};
use engine::clock::ManualClock;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use server::config::Config;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use store::Db;
use tower::ServiceExt;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request as MockRequest, Respond, ResponseTemplate};

/// Friday 20 Nov 2026, 15:00 UTC: the shop is open.
fn friday_afternoon() -> DateTime<Utc> {
    "2026-11-20T15:00:00Z".parse().unwrap()
}

/// The app as the binary builds it from `config`: the chat engine and the
/// services on `config.models()`, the clock at `now`.
fn app(db: Db, config: Config, now: DateTime<Utc>) -> TestApp {
    server::metrics::install();
    let clock = ManualClock::at(now);
    let engine =
        engine::chat::ChatEngine::with_models(&config.models()).with_clock(Arc::new(clock.clone()));
    let secret =
        secrecy::SecretString::from("test-secret-key-that-is-long-enough-1234".to_string());
    let state = server::state_with_clock(
        db,
        &secret,
        config,
        Some(Arc::new(engine)),
        Arc::new(clock.clone()),
    );
    let router = server::app::router(state.clone())
        .layer(MockConnectInfo(SocketAddr::from(([10, 0, 0, 1], 5555))));
    TestApp {
        state,
        router,
        clock,
    }
}

/// Answers every send with a new wamid, as the Graph API does.
struct Sent(AtomicU64);

impl Respond for Sent {
    fn respond(&self, _: &MockRequest) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::SeqCst);
        ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": "x", "wa_id": "x"}],
            "messages": [{"id": format!("wamid.out-{n}-{}", uuid::Uuid::now_v7())}]
        }))
    }
}

/// A mock Graph API that takes every send and serves one voice note as
/// media `media_id`.
async fn graph(media_id: &str, audio: &[u8]) -> MockServer {
    let graph = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex_messages())
        .respond_with(Sent(AtomicU64::new(0)))
        .mount(&graph)
        .await;
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(audio))
    };
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{media_id}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp", "url": format!("{}/lookaside/{media_id}", graph.uri()),
            "mime_type": "audio/ogg", "sha256": digest, "file_size": audio.len().to_string(), "id": media_id})))
        .mount(&graph)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/lookaside/{media_id}")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "audio/ogg")
                .set_body_bytes(audio.to_vec()),
        )
        .mount(&graph)
        .await;
    graph
}

fn path_regex_messages() -> wiremock::matchers::PathRegexMatcher {
    wiremock::matchers::path_regex(r"^/v21\.0/[0-9]+/messages$")
}

/// WhatsApp against `graph`, plus whatever models the test sets.
fn config(graph: &MockServer) -> Config {
    common::whatsapp_config(&format!("{}/v21.0", graph.uri()))
}

/// A shop (KES, Nairobi) in `locale` on a Cloud API number, with the demo
/// catalog; the owner's phone is `+23480` and the number's last 8 digits.
async fn shop(app: &TestApp, slug: &str, locale: &str, pnid: &str) -> Biz {
    let r = app
        .public_post(
            "/api/v1/auth/register",
            json!({
                "business": {"name": format!("Biz {slug}"), "slug": slug, "vertical": "shop",
                             "currency": "KES", "timezone": "Africa/Nairobi", "locale": locale},
                "owner": {"name": "Owner", "email": format!("{slug}@example.com"),
                          "password": "password123", "phone": format!("+23480{}", &pnid[pnid.len() - 8..])}
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let owner = session(&r.body);
    let r = app
        .post(
            "/api/v1/whatsapp/numbers",
            &owner.token,
            json!({"phone_number_id": pnid, "display_phone_number": "+1 555 000 0000", "access_token": "EAAG-test-token"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let tenant = domain::TenantId(owner.tenant_id.parse().unwrap());
    let t = store::tenants::get(&app.state.db, tenant).await.unwrap();
    let mut tx = app.state.db.begin().await.unwrap();
    server::demo_catalog::seed(&mut tx, tenant, t.vertical, t.currency)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    Biz {
        owner,
        tenant,
        pnid: pnid.to_string(),
    }
}

fn owner_wa(biz: &Biz) -> String {
    format!("23480{}", &biz.pnid[biz.pnid.len() - 8..])
}

/// The value of one series on `/metrics` (0 when absent).
async fn metric(app: &TestApp, series: &str) -> f64 {
    let res = app
        .router
        .clone()
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text =
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    text.lines()
        .find_map(|l| {
            l.strip_prefix(series)
                .and_then(|rest| rest.trim().parse::<f64>().ok())
        })
        .unwrap_or(0.0)
}

/// A chat completion whose content is `answer` (JSON-schema mode).
fn completion(answer: Value) -> Value {
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1_700_000_000, "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": answer.to_string()}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}
    })
}

fn with_llm(mut c: Config, provider: &str, base: &str, timeout_ms: u64) -> Config {
    c.llm_provider = Some(provider.into());
    c.llm_api_key = Some("sk-test".to_string().into());
    c.llm_base_url = Some(base.into());
    c.llm_timeout_ms = timeout_ms;
    c
}

fn with_stt(mut c: Config, base: &str) -> Config {
    c.stt_provider = Some("groq".into());
    c.stt_api_key = Some("gsk-test".to_string().into());
    c.stt_base_url = Some(base.into());
    c.stt_timeout_ms = 3000;
    c
}

async fn llm_answering(response: ResponseTemplate) -> MockServer {
    let llm = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .respond_with(response)
        .mount(&llm)
        .await;
    llm
}

async fn stt_answering(response: ResponseTemplate) -> MockServer {
    let stt = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/audio/transcriptions"))
        .respond_with(response)
        .mount(&stt)
        .await;
    stt
}

async fn received(server: &MockServer) -> Vec<MockRequest> {
    server.received_requests().await.unwrap_or_default()
}

// ---------------------------------------------------------------- language models

#[tokio::test]
async fn a_chat_order_is_parsed_by_the_configured_model() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let graph = graph("unused", b"").await;
        let llm = llm_answering(ResponseTemplate::new(200).set_body_json(completion(json!({
            "intent": "new_order", "items": [{"sku": "UNGA-2KG", "qty": 2}]
        }))))
        .await;
        let app = app(
            db.clone(),
            with_llm(config(&graph), "openai", &llm.uri(), 2000),
            friday_afternoon(),
        );
        assert_eq!(app.state.services.models.provider, "openai");
        let biz = shop(&app, "llm-order", "en-KE", "300000000001").await;
        let mut c = Customer::new(&biz, "254711000001", "Wanjiru");
        c.say(&app, "the usual, twice please").await;
        assert!(c.log.contains("2 × Unga 2kg"), "{}", c.log);
        // What the provider was sent: the words and the catalog.
        let reqs = received(&llm).await;
        assert_eq!(reqs.len(), 1);
        let body: Value = serde_json::from_slice(&reqs[0].body).unwrap();
        assert_eq!(body["messages"][1]["content"], "the usual, twice please");
        let system = body["messages"][0]["content"].as_str().unwrap();
        assert!(
            system.contains("UNGA-2KG") && system.contains("Sukari 1kg"),
            "{system}"
        );
        assert_eq!(
            reqs[0].headers.get("authorization").unwrap(),
            "Bearer sk-test"
        );
        // The built-in parser alone does not read it as an order.
        use understand::Understand as _;
        let offline = understand::BuiltIn
            .understand(
                &nlu::Message::new("the usual, twice please"),
                &nlu::Context {
                    locale: "en-KE".into(),
                    vertical: nlu::Vertical::Shop,
                    now: friday_afternoon().fixed_offset(),
                    timezone: chrono_tz::Africa::Nairobi,
                    catalog: vec![nlu::CatalogItem {
                        sku: "UNGA-2KG".into(),
                        name: "Unga 2kg".into(),
                        aliases: vec!["unga".into()],
                    }],
                },
            )
            .await;
        assert!(
            offline.understanding.items.is_none(),
            "the order came from the model: {offline:?}"
        );
    }
}

#[tokio::test]
async fn a_failing_or_slow_model_falls_back_to_the_builtin_parser_and_is_counted() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let graph = graph("unused", b"").await;

        // Errors: every attempt a 500.
        let llm = llm_answering(ResponseTemplate::new(500)).await;
        let app1 = app(
            db.clone(),
            with_llm(config(&graph), "groq", &llm.uri(), 3000),
            friday_afternoon(),
        );
        let series = r#"sokoni_llm_fallback_total{provider="groq",reason="http_5xx"}"#;
        let before = metric(&app1, series).await;
        let biz = shop(&app1, "llm-down", "en-KE", "300000000002").await;
        let mut c = Customer::new(&biz, "254711000002", "Otieno");
        c.say(&app1, "2 sugar").await;
        assert!(c.log.contains("2 × Sukari 1kg"), "{}", c.log);
        assert_eq!(received(&llm).await.len(), 3, "one try and two retries");
        assert!(metric(&app1, series).await >= before + 1.0);
        let requests = r#"sokoni_llm_requests_total{provider="groq",outcome="http_5xx"}"#;
        assert!(metric(&app1, requests).await >= 1.0);

        // Too slow: the budget runs out first.
        let slow = llm_answering(
            ResponseTemplate::new(200)
                .set_body_json(completion(json!({"intent": "greeting"})))
                .set_delay(std::time::Duration::from_secs(3)),
        )
        .await;
        let app2 = app(
            db.clone(),
            with_llm(config(&graph), "ollama", &slow.uri(), 300),
            friday_afternoon(),
        );
        let series = r#"sokoni_llm_fallback_total{provider="ollama",reason="timeout"}"#;
        let before = metric(&app2, series).await;
        let mut c = Customer::new(&biz, "254711000003", "Akinyi");
        c.say(&app2, "3 unga").await;
        assert!(c.log.contains("3 × Unga 2kg"), "{}", c.log);
        assert!(metric(&app2, series).await >= before + 1.0);
    }
}

// ---------------------------------------------------------------- voice notes

const VOICE: &[u8] = b"OggS\x00\x02\x00\x00\x00\x00voice-note";

fn voice_note(c: &Customer<'_>, media_id: &str) -> Value {
    c.message(
        "audio",
        json!({"id": media_id, "mime_type": "audio/ogg; codecs=opus", "voice": true}),
    )
}

async fn transcript(app: &TestApp, biz: &Biz, wamid: &str) -> Option<String> {
    let m = store::wa::message_by_wamid(&app.state.db, wamid)
        .await
        .unwrap()
        .unwrap();
    store::wa::transcript(&app.state.db, biz.tenant, m.id)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_customer_voice_note_is_heard_and_answered_as_typed_once() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let graph = graph("voice-1", VOICE).await;
        let stt = stt_answering(
            ResponseTemplate::new(200).set_body_json(json!({"text": "nataka unga mbili"})),
        )
        .await;
        let app = app(
            db.clone(),
            with_stt(config(&graph), &stt.uri()),
            friday_afternoon(),
        );
        assert!(app.state.services.models.hears_voice());
        let biz = shop(&app, "voice-shop", "sw-KE", "300000000003").await;
        let mut c = Customer::new(&biz, "254711000004", "Wambui");
        let note = voice_note(&c, "voice-1");
        let wamid = note["id"].as_str().unwrap().to_string();
        c.post(&app, note.clone(), "(voice note)".into()).await;
        c.replies(&app).await;
        let heard = c.log.find("🎤 Nimesikia: “nataka unga mbili”");
        let cart = c.log.find("2 × Unga 2kg");
        assert!(
            heard.is_some() && cart.is_some() && heard < cart,
            "heard first, then the order step:\n{}",
            c.log
        );
        assert_eq!(
            transcript(&app, &biz, &wamid).await.as_deref(),
            Some("nataka unga mbili")
        );
        // The thread shows what was heard under the voice note.
        let found = app
            .get("/api/v1/customers/by-wa/254711000004", &biz.owner.token)
            .await;
        let thread = app
            .get(
                &format!(
                    "/api/v1/whatsapp/messages/{}",
                    found.body["id"].as_str().unwrap()
                ),
                &biz.owner.token,
            )
            .await;
        let items = thread.body["items"].as_array().unwrap();
        let note_row = items.iter().find(|m| m["wamid"] == wamid.as_str()).unwrap();
        assert_eq!(note_row["transcript"], "nataka unga mbili");
        // The audio went in the business's language.
        let reqs = received(&stt).await;
        assert_eq!(reqs.len(), 1);
        let form = String::from_utf8_lossy(&reqs[0].body);
        assert!(form.contains("name=\"language\"\r\n\r\nsw\r\n"), "{form}");
        assert!(
            form.contains("name=\"model\"\r\n\r\nwhisper-large-v3\r\n"),
            "{form}"
        );
        assert!(reqs[0].body.windows(VOICE.len()).any(|w| w == VOICE));
        let sent = outbound(&app.state.db, biz.tenant, "254711000004")
            .await
            .len();
        assert!(
            count(
                &app.state.db,
                "SELECT COUNT(*) FROM inbox WHERE tenant_id = $1",
                biz.tenant
            )
            .await
                == 0
        );

        // The job runs again (a crash after its commit, a retry): nothing is
        // transcribed or answered twice.
        let requeue = "UPDATE jobs SET status = 'queued', locked_by = NULL, locked_until = NULL \
                       WHERE kind = 'transcribe_voice' AND tenant_id = $1";
        match &app.state.db {
            Db::Sqlite(p) => {
                sqlx::query(requeue)
                    .bind(biz.tenant.0)
                    .execute(p)
                    .await
                    .unwrap();
            }
            Db::Postgres(p) => {
                sqlx::query(requeue)
                    .bind(biz.tenant.0)
                    .execute(p)
                    .await
                    .unwrap();
            }
        }
        let queued = count(
            &app.state.db,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'transcribe_voice' AND status = 'queued' AND tenant_id = $1",
            biz.tenant,
        )
        .await;
        assert_eq!(queued, 1, "the job is due again");
        drain(&app).await;
        // And the webhook delivers the same message again.
        c.post(&app, note, "(the same voice note, redelivered)".into())
            .await;
        c.replies(&app).await;
        assert_eq!(received(&stt).await.len(), 1, "transcribed once");
        assert_eq!(
            outbound(&app.state.db, biz.tenant, "254711000004")
                .await
                .len(),
            sent,
            "answered once:\n{}",
            c.log
        );
    }
}

#[tokio::test]
async fn a_staff_voice_note_runs_as_a_typed_command() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let graph = graph("voice-2", VOICE).await;
        let stt = stt_answering(
            ResponseTemplate::new(200).set_body_json(json!({"text": "Orders today."})),
        )
        .await;
        let app = app(
            db.clone(),
            with_stt(config(&graph), &stt.uri()),
            friday_afternoon(),
        );
        let biz = shop(&app, "voice-staff", "en-KE", "300000000004").await;
        let c = app.customer(&biz.owner, "Ada Obi", "+254711000005").await;
        let order = app
            .order(
                &biz.owner,
                c["id"].as_str().unwrap(),
                json!({"deadline": (friday_afternoon() + chrono::Duration::hours(2)).to_rfc3339()}),
            )
            .await;
        let r#ref = order["order_ref"].as_str().unwrap().to_string();
        let me = owner_wa(&biz);
        let mut staff = Customer::new(&biz, &me, "Owner");
        let note = voice_note(&staff, "voice-2");
        staff.post(&app, note, "(voice note)".into()).await;
        drain(&app).await;
        drain(&app).await;
        let answers = to_staff(&app.state.db, biz.tenant, &me).await.join("\n");
        assert!(
            answers.contains(&r#ref) && answers.contains("Ada Obi"),
            "the command's answer: {answers}"
        );
        assert_eq!(received(&stt).await.len(), 1);
        let lang = String::from_utf8_lossy(&received(&stt).await[0].body)
            .contains("name=\"language\"\r\n\r\nen\r\n");
        assert!(lang, "an en-KE business is heard in English");
        // Staff are never made customers.
        assert_eq!(
            count(
                &app.state.db,
                "SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND wa_id LIKE '23480%'",
                biz.tenant
            )
            .await,
            0
        );
    }
}

#[tokio::test]
async fn a_voice_note_that_cannot_be_heard_goes_to_a_person_as_before() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let graph = graph("voice-3", VOICE).await;
        let stt = stt_answering(ResponseTemplate::new(503)).await;
        let app = app(
            db.clone(),
            with_stt(config(&graph), &stt.uri()),
            friday_afternoon(),
        );
        let series = r#"sokoni_stt_fallback_total{provider="groq",reason="http_5xx"}"#;
        let before = metric(&app, series).await;
        let biz = shop(&app, "voice-fail", "en-KE", "300000000005").await;
        let mut c = Customer::new(&biz, "254711000006", "Kamau");
        let note = voice_note(&c, "voice-3");
        let wamid = note["id"].as_str().unwrap().to_string();
        c.post(&app, note, "(voice note)".into()).await;
        c.replies(&app).await;
        assert_eq!(received(&stt).await.len(), 3, "tried with its retries");
        assert!(
            c.log.contains("A person from Biz voice-fail will check it"),
            "{}",
            c.log
        );
        assert!(!c.log.contains("🎤"), "{}", c.log);
        // On the inbox, and the staff alerted, as without speech to text.
        let r = app.get("/api/v1/inbox", &biz.owner.token).await;
        let items = r.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0]["reason"], "media", "{items:?}");
        let alerts: Vec<_> =
            store::outbox::for_recipient(&app.state.db, &format!("+{}", owner_wa(&biz)))
                .await
                .unwrap()
                .into_iter()
                .filter(|m| m.kind == "needs_person")
                .collect();
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(transcript(&app, &biz, &wamid).await.as_deref(), Some(""));
        assert!(metric(&app, series).await >= before + 1.0);
        // Nothing was ordered.
        assert_eq!(
            count(
                &app.state.db,
                "SELECT COUNT(*) FROM orders WHERE tenant_id = $1",
                biz.tenant
            )
            .await,
            0
        );
    }
}
