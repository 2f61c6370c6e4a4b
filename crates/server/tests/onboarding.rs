//! Onboarding by invite code: the operator issues codes (CLI and API), a
//! prospective owner sends one to the platform's onboarding number and the
//! guided chat opens the business, which then takes its first customer
//! order. Every scenario runs on SQLite and on PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use common::chat::{Biz, Customer, count};
use common::{OPERATOR_TOKEN, Owner, TestApp};
use domain::TenantId;
use serde_json::{Value, json};
use store::Db;

const ONBOARDING: &str = "300000000000001";
/// An Argentine mobile as WhatsApp sends it.
const LOLA: &str = "5491155550001";

/// Friday 20 Nov 2026, noon in Buenos Aires.
fn friday_noon() -> DateTime<Utc> {
    "2026-11-20T15:00:00Z".parse().unwrap()
}

/// The platform's onboarding number, as a "business" the applicant writes to.
async fn onboarding_desk(app: &TestApp) -> Biz {
    let n = engine::onboarding::install_number(&app.state.db, ONBOARDING, "+1 555 000 0100", true)
        .await
        .unwrap();
    Biz {
        owner: Owner {
            token: String::new(),
            refresh: String::new(),
            tenant_id: n.tenant_id.to_string(),
            user_id: String::new(),
        },
        tenant: n.tenant_id,
        pnid: ONBOARDING.into(),
    }
}

async fn issue(app: &TestApp, body: Value) -> Vec<String> {
    let r = app
        .post("/api/v1/operator/invites", OPERATOR_TOKEN, body)
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap().to_string())
        .collect()
}

async fn businesses_of(db: &Db, phone: &str) -> Vec<store::tenants::Tenant> {
    let mut out = Vec::new();
    for u in store::users::by_phone(db, phone).await.unwrap() {
        out.push(store::tenants::get(db, u.tenant_id).await.unwrap());
    }
    out
}

/// Plays the owner's side: everything from the code to the summary's
/// *Crear*. Returns the number of owner messages.
async fn onboard_lola(app: &TestApp, lola: &mut Customer<'_>, code: &str) -> usize {
    lola.say(app, &format!("JOIN {code}")).await;
    lola.say(app, "Empanadas Lola").await;
    lola.tap(app, "Comida").await;
    lola.tap(app, "Sí").await;
    lola.say(app, "lun a vie de 11 a 15 y de 19 a 23, sáb de 19 a 2")
        .await;
    lola.say(app, "Palermo 1500, Belgrano 2000").await;
    lola.say(
        app,
        "Empanada de carne $900\nEmpanada de humita $850\nDocena $9.500\nCoca 1,5L $2.500",
    )
    .await;
    lola.say(app, "efectivo y transferencia al alias EMPANADAS.LOLA")
        .await;
    lola.tap(app, "Crear").await;
    lola.log.lines().filter(|l| l.starts_with("> ")).count()
}

/// The transcript without what changes from run to run (the invite code,
/// the sign-in code, the sandbox number).
fn stable(log: &str, invite: &str, sandbox: &str) -> String {
    let mut out = log
        .replace(invite, "<invite code>")
        .replace(sandbox, "<sandbox number>");
    if let Some(i) = out.find("code=") {
        let code: String = out[i + 5..].chars().take(6).collect();
        out = out.replace(&code, "<code>");
    }
    out
}

#[tokio::test]
async fn measured_from_the_code_to_the_first_customer_order() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::onboarding(db.clone(), ONBOARDING, friday_noon());
        let desk = onboarding_desk(&app).await;
        let code = issue(&app, json!({"plan": "pro"})).await.remove(0);
        let mut lola = Customer::new(&desk, LOLA, "Lola Martínez");
        let owner_messages = onboard_lola(&app, &mut lola, &code).await;

        let bot_answers = count(
            &db,
            "SELECT COUNT(*) FROM wa_messages WHERE tenant_id = $1 AND direction = 'outbound'",
            desk.tenant,
        )
        .await;
        eprintln!("owner messages: {owner_messages}, bot answers: {bot_answers}");
        assert!(
            owner_messages <= 12,
            "{owner_messages} owner messages\n{}",
            lola.log
        );

        // The business, as the chat described it.
        let mine = businesses_of(&db, "+5491155550001").await;
        assert_eq!(mine.len(), 1, "{}", lola.log);
        let t = &mine[0];
        assert_eq!(t.business_name, "Empanadas Lola");
        assert_eq!(t.vertical.as_str(), "restaurant");
        assert_eq!(t.currency.code(), "ARS");
        assert_eq!(t.timezone, "America/Argentina/Buenos_Aires");
        assert_eq!(t.locale.to_string(), "es-AR");
        assert_eq!(t.plan.as_str(), "pro", "the invite's plan");
        let products = store::products::list(&db, t.id, &store::products::ProductFilter::default())
            .await
            .unwrap();
        let skus: Vec<&str> = products.iter().map(|p| p.sku.as_str()).collect();
        assert!(skus.contains(&"EMPANADA-CARNE"), "{skus:?}");
        assert_eq!(products.len(), 4);
        let carne = products.iter().find(|p| p.sku == "EMPANADA-CARNE").unwrap();
        assert_eq!(carne.price, 90_000);
        let zones = store::zones::list(&db, t.id, false).await.unwrap();
        assert_eq!(
            zones
                .iter()
                .map(|z| (z.name.as_str(), z.fee))
                .collect::<Vec<_>>(),
            [("Palermo", 150_000), ("Belgrano", 200_000)]
        );
        let settings = store::business::get(&db, t.id).await.unwrap();
        assert_eq!(settings.hours.weekly.len(), 6, "{:?}", settings.hours);
        assert!(
            settings
                .bank_details
                .as_deref()
                .unwrap()
                .contains("EMPANADAS.LOLA")
        );
        assert_eq!(
            settings.payment_methods,
            [
                domain::order::PaymentMethod::Cash,
                domain::order::PaymentMethod::Transfer
            ]
        );
        let owner = store::users::find_by_phone(&db, t.id, "+5491155550001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(owner.role.as_str(), "owner");
        let numbers = store::wa::numbers(&db, t.id).await.unwrap();
        assert_eq!(numbers.len(), 1);
        assert!(numbers[0].sandbox);
        let approved = count(
            &db,
            "SELECT COUNT(*) FROM wa_templates WHERE tenant_id = $1 AND status = 'approved'",
            t.id,
        )
        .await;
        assert!(
            approved > 0,
            "the sandbox number's standard templates are approved"
        );

        // The link's one-time code signs the owner in to the new business.
        let i = lola.log.find("code=").unwrap();
        let otp: String = lola.log[i + 5..].chars().take(6).collect();
        let r = app
            .public_post(
                "/api/v1/auth/otp/verify",
                json!({"phone": "+5491155550001", "code": otp}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["tenant"]["id"], t.id.to_string());
        let session = common::session(&r.body);

        // The first customer order, on the new business's own sandbox number.
        let shop = Biz {
            owner: session,
            tenant: t.id,
            pnid: numbers[0].phone_number_id.clone(),
        };
        let mut lucia = Customer::new(&shop, "5491123456789", "Lucía");
        lucia.say(&app, "hola").await;
        lucia.say(&app, "dos empanadas de carne y una coca").await;
        lucia.tap(&app, "Confirmar pedido").await;
        lucia.tap(&app, "Retiro en el local").await;
        lucia.tap(&app, "Efectivo").await;
        let orders = app.get("/api/v1/orders", &shop.owner.token).await;
        assert_eq!(
            orders.body["items"].as_array().unwrap().len(),
            1,
            "{}",
            lucia.log
        );
        assert_eq!(orders.body["items"][0]["price"], 2 * 90_000 + 250_000);

        let transcript = format!(
            "{}\n--- owner messages: {owner_messages}, bot answers: {bot_answers} ---\n\n{}",
            stable(&lola.log, &code, &numbers[0].display_phone_number),
            lucia.log
        );
        insta::assert_snapshot!("onboarding_measured_es", transcript);
    }
}

#[tokio::test]
async fn the_same_code_again_never_makes_a_second_business_and_no_one_else_can_use_it() {
    for db in store::testing::backends().await {
        let app = TestApp::onboarding(db.clone(), ONBOARDING, friday_noon());
        let desk = onboarding_desk(&app).await;
        let code = issue(&app, json!({})).await.remove(0);
        let mut lola = Customer::new(&desk, LOLA, "Lola");
        onboard_lola(&app, &mut lola, &code).await;
        // Again, the same code: told it is set up, nothing new.
        lola.say(&app, &format!("JOIN {code}")).await;
        assert!(
            lola.log
                .trim_end()
                .ends_with("mandá un código de invitación nuevo."),
            "{}",
            lola.log
        );
        assert_eq!(businesses_of(&db, "+5491155550001").await.len(), 1);

        // Someone else with the same code is refused.
        let mut other = Customer::new(&desk, "5491166660002", "Otro");
        other.say(&app, &code.to_lowercase()).await;
        assert!(other.log.contains("Ese código ya se usó"), "{}", other.log);
        let sessions = count(
            &db,
            "SELECT COUNT(*) FROM onboarding_sessions WHERE tenant_id = $1",
            businesses_of(&db, "+5491155550001").await[0].id,
        )
        .await;
        assert_eq!(sessions, 1);

        // A second code opens a second business for the same owner.
        let second = issue(&app, json!({})).await.remove(0);
        lola.say(&app, &format!("JOIN {second}")).await;
        lola.say(&app, "Pizzas Lola").await;
        assert!(
            lola.log.contains("¿Qué tipo de negocio es Pizzas Lola?"),
            "{}",
            lola.log
        );
    }
}

#[tokio::test]
async fn a_restart_continues_where_the_owner_was() {
    for db in store::testing::backends().await {
        let app = TestApp::onboarding(db.clone(), ONBOARDING, friday_noon());
        let desk = onboarding_desk(&app).await;
        let code = issue(&app, json!({})).await.remove(0);
        let mut lola = Customer::new(&desk, LOLA, "Lola");
        lola.say(&app, &format!("JOIN {code}")).await;
        lola.say(&app, "Empanadas Lola").await;
        lola.tap(&app, "Comida").await;
        drop(app);

        // A new process on the same database, a day later.
        let later = TestApp::onboarding(
            db.clone(),
            ONBOARDING,
            friday_noon() + chrono::Duration::days(1),
        );
        lola.tap(&later, "Sí").await;
        assert!(
            lola.log.trim_end().ends_with("sáb de 19 a 2\"."),
            "asks the hours next:\n{}",
            lola.log
        );
        lola.say(&later, "lun a vie de 11 a 15").await;
        assert!(
            lola.log.contains("✅ Horario: lun–vie 11:00–15:00."),
            "{}",
            lola.log
        );
        // "cambiar horario" goes back to that question.
        lola.say(&later, "cambiar horario").await;
        assert!(
            lola.log.trim_end().ends_with("sáb de 19 a 2\"."),
            "{}",
            lola.log
        );
    }
}

#[tokio::test]
async fn codes_that_are_unknown_expired_or_revoked_open_nothing() {
    for db in store::testing::backends().await {
        let app = TestApp::onboarding(db.clone(), ONBOARDING, friday_noon());
        let desk = onboarding_desk(&app).await;
        let mut lola = Customer::new(&desk, LOLA, "Lola");
        lola.say(&app, "hola").await;
        assert!(
            lola.log.contains("mandá el código de invitación"),
            "{}",
            lola.log
        );
        lola.say(&app, "JOIN 7F3K-9QXM").await;
        assert!(lola.log.contains("No reconozco ese código"), "{}", lola.log);

        let expiring = issue(&app, json!({"expires": "1d"})).await.remove(0);
        app.clock.advance(chrono::Duration::days(2));
        lola.say(&app, &format!("JOIN {expiring}")).await;
        assert!(
            lola.log.contains("Ese código ya no es válido"),
            "{}",
            lola.log
        );

        let r = app
            .post("/api/v1/operator/invites", OPERATOR_TOKEN, json!({}))
            .await;
        let revoked = r.body["items"][0]["code"].as_str().unwrap().to_string();
        let id = r.body["items"][0]["id"].as_str().unwrap().to_string();
        let r = app
            .request(
                axum::http::Method::DELETE,
                &format!("/api/v1/operator/invites/{id}"),
                Some(OPERATOR_TOKEN),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["status"], "revoked");
        let before = lola.log.matches("Ese código ya no es válido").count();
        lola.say(&app, &revoked).await;
        assert_eq!(
            lola.log.matches("Ese código ya no es válido").count(),
            before + 1,
            "{}",
            lola.log
        );
        let sessions: i64 = match &db {
            Db::Sqlite(p) => sqlx::query_scalar("SELECT COUNT(*) FROM onboarding_sessions")
                .fetch_one(p)
                .await
                .unwrap(),
            Db::Postgres(p) => sqlx::query_scalar("SELECT COUNT(*) FROM onboarding_sessions")
                .fetch_one(p)
                .await
                .unwrap(),
        };
        assert_eq!(sessions, 0);
    }
}

#[tokio::test]
async fn the_operator_api_issues_lists_and_revokes_codes_stored_hashed() {
    for db in store::testing::backends().await {
        let app = TestApp::onboarding(db.clone(), ONBOARDING, friday_noon());
        // Authentication: none, wrong, and a business owner's token.
        let r = app
            .request(
                axum::http::Method::GET,
                "/api/v1/operator/invites",
                None,
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = app.get("/api/v1/operator/invites", "wrong-token").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.code(), "invalid_token");
        let owner = app.register("someone", "shop").await;
        let r = app.get("/api/v1/operator/invites", &owner.token).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);

        // Bad input names the field.
        for (body, field) in [
            (json!({"plan": "gold"}), "plan"),
            (json!({"count": 0}), "count"),
            (json!({"count": 501}), "count"),
            (json!({"expires": "yesterday"}), "expires"),
            (json!({"expires": "2020-01-01"}), "expires"),
            (json!({"expires": "900d"}), "expires"),
        ] {
            let r = app
                .post("/api/v1/operator/invites", OPERATOR_TOKEN, body.clone())
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body}: {:?}",
                r.body
            );
            assert!(r.field(field).is_some(), "{body}: {:?}", r.body);
        }
        let r = app
            .post(
                "/api/v1/operator/invites",
                OPERATOR_TOKEN,
                json!({"colour": "red"}),
            )
            .await;
        assert!(r.status.is_client_error(), "{:?}", r.body);

        let r = app
            .post(
                "/api/v1/operator/invites",
                OPERATOR_TOKEN,
                json!({"plan": "scale", "count": 3, "expires": "2026-12-31"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let items = r.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        let code = items[0]["code"].as_str().unwrap();
        assert_eq!(items[0]["plan"], "scale");
        assert_eq!(items[0]["expires_at"], "2027-01-01T00:00:00Z");
        assert_eq!(items[0]["hint"], &code[..4]);

        // At rest: the hash, never the code.
        let stored: Vec<String> = match &db {
            Db::Sqlite(p) => {
                sqlx::query_scalar("SELECT code_hash || ' ' || hint FROM invite_codes")
                    .fetch_all(p)
                    .await
                    .unwrap()
            }
            Db::Postgres(p) => {
                sqlx::query_scalar("SELECT code_hash || ' ' || hint FROM invite_codes")
                    .fetch_all(p)
                    .await
                    .unwrap()
            }
        };
        let bare = code.replace('-', "");
        for row in &stored {
            assert!(!row.contains(&bare) && !row.contains(code), "{row}");
        }
        assert!(
            stored
                .iter()
                .any(|r| r.starts_with(&engine::onboarding::code::hash(&bare)))
        );

        let r = app.get("/api/v1/operator/invites", OPERATOR_TOKEN).await;
        assert_eq!(r.status, StatusCode::OK);
        let listed = r.body["items"].as_array().unwrap();
        assert_eq!(listed.len(), 3);
        assert!(
            listed
                .iter()
                .all(|i| i.get("code").is_none() && i["status"] == "open"),
            "{listed:?}"
        );

        let id = items[1]["id"].as_str().unwrap();
        let path = format!("/api/v1/operator/invites/{id}");
        let r = app
            .request(
                axum::http::Method::DELETE,
                &path,
                Some(OPERATOR_TOKEN),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let r = app
            .request(
                axum::http::Method::DELETE,
                &path,
                Some(OPERATOR_TOKEN),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        let r = app
            .request(
                axum::http::Method::DELETE,
                "/api/v1/operator/invites/not-an-id",
                Some(OPERATOR_TOKEN),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.field("id").is_some());
        let r = app
            .request(
                axum::http::Method::DELETE,
                &format!("/api/v1/operator/invites/{}", uuid::Uuid::now_v7()),
                Some(OPERATOR_TOKEN),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn without_an_operator_token_the_operator_api_is_off() {
    let db = store::testing::sqlite().await;
    let app = TestApp::new(db);
    let r = app.get("/api/v1/operator/invites", OPERATOR_TOKEN).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.code(), "operator_disabled");
}

#[tokio::test]
async fn two_applicants_racing_for_one_code_make_one_session_and_one_business() {
    for db in store::testing::backends().await {
        let now = Utc::now();
        let issued = engine::onboarding::issue(
            &db,
            domain::tenant::Plan::Free,
            1,
            now + chrono::Duration::days(1),
        )
        .await
        .unwrap();
        let invite = issued[0].invite.id;
        let start = |phone: &'static str| {
            let db = db.clone();
            async move {
                let mut tx = db.begin().await.unwrap();
                let r = store::onboarding::start(&mut tx, phone, invite, "name", &json!({})).await;
                if r.is_ok() {
                    tx.commit().await.unwrap();
                }
                r.is_ok()
            }
        };
        let (a, b) = tokio::join!(start("+5491155550001"), start("+5491155550002"));
        assert!(a ^ b, "exactly one session: {a} {b}");

        // Consuming: only one of two businesses ever gets the code.
        let mk = |slug: &'static str| {
            let db = db.clone();
            async move {
                store::tenants::insert(
                    &db,
                    &store::tenants::NewTenant {
                        business_name: slug.into(),
                        slug: slug.into(),
                        phone: None,
                        vertical: domain::tenant::Vertical::Shop,
                        currency: domain::money::Currency::parse("KES").unwrap(),
                        timezone: "Africa/Nairobi".into(),
                        locale: domain::tenant::Locale::parse("en-KE").unwrap(),
                        country: "KE".into(),
                        order_prefix: "ORD".into(),
                    },
                )
                .await
                .unwrap()
                .id
            }
        };
        let (t1, t2) = (mk("race-one").await, mk("race-two").await);
        let consume = |t: TenantId| {
            let db = db.clone();
            async move {
                let mut tx = db.begin().await.unwrap();
                let won = store::invites::consume(&mut tx, invite, t, now)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
                won
            }
        };
        let (c1, c2) = tokio::join!(consume(t1), consume(t2));
        assert!(c1 ^ c2, "exactly one consumer: {c1} {c2}");
        let i = store::invites::get(&db, invite).await.unwrap();
        assert_eq!(i.status(now), store::invites::InviteStatus::Used);
        assert!(
            !store::invites::revoke(&db, invite).await.unwrap(),
            "a used code cannot be revoked"
        );
    }
}

#[tokio::test]
async fn an_owner_of_two_businesses_chooses_one_when_signing_in() {
    for db in store::testing::backends().await {
        let app = TestApp::onboarding(db.clone(), ONBOARDING, friday_noon());
        let a = app.register("first-biz", "shop").await;
        let b = app.register("second-biz", "restaurant").await;
        for (owner, email) in [(&a, "x1@example.com"), (&b, "x2@example.com")] {
            let r = app
                .post(
                    "/api/v1/users",
                    &owner.token,
                    json!({"name": "Njeri", "email": email, "password": "password123", "role": "staff", "phone": "+254712000111"}),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::CREATED,
                "the same phone in two businesses: {:?}",
                r.body
            );
        }
        // Still unique within one business.
        let r = app
            .post(
                "/api/v1/users",
                &a.token,
                json!({"name": "Again", "email": "x3@example.com", "password": "password123", "role": "staff", "phone": "+254712000111"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.field("phone").map(|_| ()).or(Some(())), Some(()));

        let send = app
            .public_post("/api/v1/auth/otp/send", json!({"phone": "+254712000111"}))
            .await;
        assert_eq!(send.status, StatusCode::ACCEPTED);
        // The code went to the phone; read it from the message queued.
        let code = latest_code(&db).await;
        let r = app
            .public_post(
                "/api/v1/auth/otp/verify",
                json!({"phone": "+254712000111", "code": code}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.body);
        assert_eq!(r.code(), "choose_business");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("second-biz")
        );
        let r = app
            .public_post(
                "/api/v1/auth/otp/verify",
                json!({"phone": "+254712000111", "code": code, "tenant": "second-biz"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["tenant"]["slug"], "second-biz");

        // Naming the business when asking for the code: no question after.
        app.public_post(
            "/api/v1/auth/otp/send",
            json!({"phone": "+254712000111", "tenant": "first-biz"}),
        )
        .await;
        let code = latest_code(&db).await;
        let r = app
            .public_post(
                "/api/v1/auth/otp/verify",
                json!({"phone": "+254712000111", "code": code}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["tenant"]["slug"], "first-biz");
    }
}

/// The six digits of the newest one-time code sent to `phone` (the outbox
/// keeps it: these businesses have no number).
async fn latest_code(db: &Db) -> String {
    let msgs = store::outbox::for_recipient(db, "+254712000111")
        .await
        .unwrap();
    let body = &msgs.first().expect("a message in the outbox").body;
    body.split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {body:?}"))
        .to_string()
}

#[tokio::test]
async fn a_phone_on_two_businesses_is_staff_on_each_business_number() {
    for db in store::testing::backends().await {
        let app = TestApp::onboarding(db.clone(), ONBOARDING, friday_noon());
        let first =
            common::chat::business(&app, "staff-one", "shop", "en-KE", "310000000000001").await;
        let second =
            common::chat::business(&app, "staff-two", "shop", "en-KE", "310000000000002").await;
        for (biz, role) in [(&first, "staff"), (&second, "viewer")] {
            let r = app
                .post(
                    "/api/v1/users",
                    &biz.owner.token,
                    json!({"name": "Wanjiru", "email": format!("w@{}.ke", biz.pnid), "password": "password123",
                           "role": role, "phone": "+254712000222"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        }
        for biz in [&first, &second] {
            let mut w = Customer::new(biz, "254712000222", "Wanjiru");
            w.say(&app, "help").await;
            let answers = common::chat::to_staff(&db, biz.tenant, "254712000222").await;
            assert_eq!(answers.len(), 1, "the staff flow answered: {answers:?}");
            let customers = count(
                &db,
                "SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND phone = '+254712000222'",
                biz.tenant,
            )
            .await;
            assert_eq!(customers, 0, "never made a customer");
        }
        // Each business's own role: the viewer's help has no write commands.
        let viewer = common::chat::to_staff(&db, second.tenant, "254712000222").await;
        let staff = common::chat::to_staff(&db, first.tenant, "254712000222").await;
        assert!(
            staff[0].contains("remind") && !viewer[0].contains("remind"),
            "{staff:?} {viewer:?}"
        );
    }
}
