//! The inbox of conversations waiting for a person, end to end through the
//! signed webhook: every answer in which the bot promises a person (a photo
//! or voice note, "I have paid", transfer details the business has not
//! set, a request for a person, the third misunderstood message) puts the
//! customer on the inbox once and alerts the staff; staff who write to
//! their own number are not made customers; resolving is for writers, of
//! their own business only. Every scenario runs on SQLite and PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use common::TestApp;
use common::chat::{Biz, Customer, business, count};
use serde_json::{Value, json};
use store::Db;

/// Friday 20 Nov 2026, 15:00 UTC: everyone is open.
fn friday_afternoon() -> DateTime<Utc> {
    "2026-11-20T15:00:00Z".parse().unwrap()
}

/// The business owner's phone, as `business()` registers it.
fn owner_phone(biz: &Biz) -> String {
    format!("+23480{}", &biz.pnid[biz.pnid.len() - 8..])
}

/// Staff alerts queued for the owner.
async fn alerts(db: &Db, biz: &Biz) -> Vec<store::outbox::OutboxMessage> {
    store::outbox::for_recipient(db, &owner_phone(biz))
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == "needs_person")
        .collect()
}

async fn inbox(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app.get("/api/v1/inbox", token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// Checks that `wa_id` has exactly one open entry, for `reason`, and that
/// the owner got `alerts_now` alerts, the last one naming the reason.
async fn expect_entry(app: &TestApp, biz: &Biz, wa_id: &str, reason: &str, alerts_now: usize) {
    let items = inbox(app, &biz.owner.token).await;
    let phone = format!("+{wa_id}");
    let mine: Vec<_> = items
        .iter()
        .filter(|i| i["customer_phone"] == phone.as_str())
        .collect();
    assert_eq!(mine.len(), 1, "one open entry for {wa_id}: {items:?}");
    assert_eq!(mine[0]["reason"], reason, "{items:?}");
    let sent = alerts(&app.state.db, biz).await;
    assert_eq!(sent.len(), alerts_now, "{sent:?}");
    let why = domain::text::Key::template(
        reason.parse::<domain::messages::Attention>().unwrap().key(),
        "es",
    );
    assert!(
        sent.iter().any(|m| m.body.contains(why)),
        "an alert says {why:?}: {sent:?}"
    );
}

#[tokio::test]
async fn every_promise_of_a_person_reaches_the_inbox_and_the_staff() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let biz = business(&app, "inbox-five", "restaurant", "es-AR", "200000000000101").await;

        // 1. A voice note the bot cannot listen to.
        let mut ana = Customer::new(&biz, "5491123456701", "Ana");
        let note = ana.message(
            "audio",
            json!({"id": "media-1", "mime_type": "audio/ogg", "voice": true}),
        );
        ana.post(&app, note, "(voice note)".into()).await;
        ana.replies(&app).await;
        assert!(ana.log.contains("lo va a revisar"), "{}", ana.log);
        expect_entry(&app, &biz, "5491123456701", "media", 1).await;

        // 2. "I have paid" (the same customer: her entry moves on).
        ana.say(&app, "ya te pagué, te mandé la transferencia")
            .await;
        assert!(ana.log.contains("Revisamos el pago"), "{}", ana.log);
        expect_entry(&app, &biz, "5491123456701", "payment_claimed", 2).await;

        // 3. Asking for a person.
        let mut beto = Customer::new(&biz, "5491123456702", "Beto");
        beto.say(&app, "quiero hablar con una persona").await;
        expect_entry(&app, &biz, "5491123456702", "asked_for_person", 3).await;

        // 4. Three messages in a row the bot cannot place.
        let mut caro = Customer::new(&biz, "5491123456703", "Caro");
        for m in ["asdf", "qwer", "zxcv"] {
            caro.say(&app, m).await;
        }
        expect_entry(&app, &biz, "5491123456703", "not_understood", 4).await;

        // 5. Bank transfer, and the business has no bank details.
        let mut tx = db.begin().await.unwrap();
        store::business::update(
            &mut tx,
            biz.tenant,
            &store::business::SettingsPatch {
                bank_details: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut dani = Customer::new(&biz, "5491123456704", "Dani");
        dani.say(&app, "dos de carne").await;
        dani.tap(&app, "Confirmar pedido").await;
        dani.tap(&app, "Retiro en el local").await;
        dani.tap(&app, "Transferencia").await;
        assert!(dani.log.contains("te pasamos los datos"), "{}", dani.log);
        expect_entry(&app, &biz, "5491123456704", "transfer_details", 5).await;
        let detail = inbox(&app, &biz.owner.token).await[0]["detail"].clone();
        assert!(
            detail.as_str().unwrap().starts_with("PED-0001"),
            "{detail:?}"
        );

        // Newest first, each with who and what they said last.
        let items = inbox(&app, &biz.owner.token).await;
        assert_eq!(items.len(), 4);
        let phones: Vec<_> = items.iter().map(|i| i["customer_phone"].clone()).collect();
        assert_eq!(
            phones,
            [
                "+5491123456704",
                "+5491123456703",
                "+5491123456702",
                "+5491123456701"
            ]
        );
        assert_eq!(items[3]["customer_name"], "Ana");
        assert_eq!(items[3]["last_message"]["kind"], "text");
        assert_eq!(
            items[3]["last_message"]["body"],
            "ya te pagué, te mandé la transferencia"
        );
        assert!(items[3]["since"].as_str().unwrap() <= items[3]["updated_at"].as_str().unwrap());
        let rows = count(
            &db,
            "SELECT COUNT(*) FROM inbox WHERE tenant_id = $1",
            biz.tenant,
        )
        .await;
        assert_eq!(rows, 4, "one entry per customer, updated, not duplicated");
    }
}

#[tokio::test]
async fn a_staff_member_writing_to_their_own_number_is_not_a_customer() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let biz = business(&app, "inbox-staff", "tailor", "en-NG", "200000000000102").await;
        let owner_wa = owner_phone(&biz).trim_start_matches('+').to_string();
        let mut funmi = Customer::new(&biz, &owner_wa, "Funmi");
        funmi
            .say(
                &app,
                "good morning, is everything fine with the shop today?",
            )
            .await;

        let customers = count(
            &db,
            "SELECT COUNT(*) FROM customers WHERE tenant_id = $1",
            biz.tenant,
        )
        .await;
        assert_eq!(customers, 0, "no customer row for the owner");
        // The message is kept, outside any customer's thread.
        let stored = count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM wa_messages WHERE tenant_id = $1 AND direction = 'inbound' \
                 AND customer_id IS NULL AND from_number = '{owner_wa}' AND body = 'good morning, is everything fine with the shop today?'"
            ),
            biz.tenant,
        )
        .await;
        assert_eq!(stored, 1);
        let sessions = count(
            &db,
            "SELECT COUNT(*) FROM chat_sessions WHERE tenant_id = $1",
            biz.tenant,
        )
        .await;
        assert_eq!(sessions, 0);
        // The staff flow answers with what they can do, in the business's
        // language.
        let help = store::outbox::for_recipient(&db, &owner_phone(&biz))
            .await
            .unwrap();
        assert_eq!(help.len(), 1, "{help:?}");
        assert_eq!(help[0].kind, "staff_help");
        assert!(
            help[0].body.starts_with("Hello Owner!") && help[0].body.contains("dashboard"),
            "{}",
            help[0].body
        );
        // They just wrote, so their own window is open: the answer goes as
        // text, not as the template kept for a closed window.
        let as_text = count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM wa_messages WHERE tenant_id = $1 AND direction = 'outbound' \
                 AND customer_id IS NULL AND to_number = '{owner_wa}' AND status = 'sent' AND kind = 'text'"
            ),
            biz.tenant,
        )
        .await;
        assert_eq!(
            as_text, 1,
            "the help went as text inside the staff member's window"
        );

        // The same number writing to another business is that business's
        // customer.
        let other = business(&app, "inbox-other", "tailor", "en-NG", "200000000000103").await;
        let mut as_customer = Customer::new(&other, &owner_wa, "Funmi");
        as_customer.say(&app, "Good morning").await;
        let theirs = count(
            &db,
            "SELECT COUNT(*) FROM customers WHERE tenant_id = $1",
            other.tenant,
        )
        .await;
        assert_eq!(theirs, 1);
        assert!(
            as_customer.log.contains("Welcome to"),
            "{}",
            as_customer.log
        );
    }
}

#[tokio::test]
async fn resolving_is_for_writers_of_the_same_business_and_wakes_the_bot() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let biz = business(&app, "inbox-res", "shop", "en-KE", "200000000000104").await;
        let other = business(&app, "inbox-res2", "shop", "en-KE", "200000000000105").await;
        let mut wambui = Customer::new(&biz, "254711000001", "Wambui");
        wambui.say(&app, "I want to talk to a person").await;
        let c = store::customers::find_by_wa_id(&db, biz.tenant, "254711000001")
            .await
            .unwrap()
            .unwrap();
        assert!(c.bot_paused_until.is_some());
        // While a person holds the conversation, opting out and back in is
        // still the bot's to answer, and leaves the pause as it is.
        let before = wambui.log.len();
        wambui.say(&app, "STOP").await;
        wambui.say(&app, "START").await;
        let said = &wambui.log[before..];
        assert!(
            said.contains("won't send you any more messages") && said.contains("Welcome back"),
            "{said}"
        );
        let c = store::customers::find_by_wa_id(&db, biz.tenant, "254711000001")
            .await
            .unwrap()
            .unwrap();
        assert!(c.bot_paused_until.is_some() && c.opted_out_at.is_none());
        let items = inbox(&app, &biz.owner.token).await;
        let id = items[0]["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/inbox/{id}/resolve");

        // Another business sees nothing and cannot resolve it.
        assert!(inbox(&app, &other.owner.token).await.is_empty());
        let r = app.post(&path, &other.owner.token, json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .post(
                "/api/v1/inbox/not-an-id/resolve",
                &biz.owner.token,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // A viewer reads the inbox but does not resolve.
        let viewer = app
            .add_user(&biz.owner, "viewer@inbox-res.example.com", "viewer")
            .await;
        assert_eq!(inbox(&app, &viewer.token).await.len(), 1);
        let r = app.post(&path, &viewer.token, json!({})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.get("/api/v1/inbox?limit=0", &biz.owner.token).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        let r = app.post(&path, &biz.owner.token, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["resolved_by"], biz.owner.user_id.as_str());
        let resolved_at = r.body["resolved_at"].clone();
        assert!(resolved_at.is_string());
        assert!(inbox(&app, &biz.owner.token).await.is_empty());
        let c = store::customers::find_by_wa_id(&db, biz.tenant, "254711000001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.bot_paused_until, None, "the bot answers again");
        // Twice: the same answer, nothing changes.
        let again = app.post(&path, &biz.owner.token, json!({})).await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.body["resolved_at"], resolved_at);

        let before = wambui.log.len();
        wambui.say(&app, "Habari").await;
        assert!(wambui.log[before..].contains("Karibu"), "{}", wambui.log);
    }
}

/// A conversation engine that fails on every message.
struct Broken;

#[async_trait::async_trait]
impl engine::conversation::ConversationEngine for Broken {
    async fn on_message(
        &self,
        _tx: &mut store::Tx,
        _turn: &engine::conversation::Turn<'_>,
    ) -> anyhow::Result<()> {
        anyhow::bail!("the parser fell over")
    }
}

#[tokio::test]
async fn a_message_the_bot_fails_on_every_time_is_kept_and_a_person_told() {
    for db in store::testing::backends().await {
        let app = TestApp::with_engine(db.clone(), std::sync::Arc::new(Broken));
        let biz = business(&app, "inbox-broken", "tailor", "en-NG", "200000000000109").await;
        let mut c = Customer::new(&biz, "2348031230000", "Bisi");
        c.say(&app, "I want a buba for Friday").await;
        // Each attempt fails and backs off; the last one degrades.
        for _ in 0..10 {
            store::testing::make_jobs_due(&db).await;
            common::chat::drain(&app).await;
        }
        let dead = count(
            &db,
            "SELECT COUNT(*) FROM jobs WHERE tenant_id = $1 AND status = 'dead'",
            biz.tenant,
        )
        .await;
        assert_eq!(dead, 0, "the job did not die on {}", db.backend());
        let kept = count(
            &db,
            "SELECT COUNT(*) FROM wa_messages WHERE tenant_id = $1 AND direction = 'inbound' \
             AND body = 'I want a buba for Friday' AND customer_id IS NOT NULL",
            biz.tenant,
        )
        .await;
        assert_eq!(kept, 1, "the message is in the customer's thread");
        let items = inbox(&app, &biz.owner.token).await;
        assert_eq!(items.len(), 1, "{items:?}");
        assert_eq!(items[0]["reason"], "bot_failed");
        assert_eq!(items[0]["detail"], "I want a buba for Friday");
        let sent = alerts(&db, &biz).await;
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert!(
            sent[0]
                .body
                .contains("wrote a message the bot could not answer"),
            "{sent:?}"
        );
    }
}
