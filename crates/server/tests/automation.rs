//! The automation engine end to end, on both databases: a fake clock drives
//! the cycle through the days of an unpaid balance (reminders on days 2, 5
//! and 10, a renewed link, silence once paid or after STOP), quiet hours
//! hold a night-time reminder for the morning, the other triggers fire once
//! per day, and the API checks configuration and previews without sending.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::chat::{Biz, Customer, business, drain, outbound, render, to_staff};
use common::{Owner, TestApp};
use domain::TenantId;
use serde_json::{Value, json};
use store::Db;
use store::automation::Outcome;

/// Monday 1 March 2027, 09:00 UTC: 10:00 in Lagos.
fn monday() -> DateTime<Utc> {
    "2027-03-01T09:00:00Z".parse().unwrap()
}

async fn served(db: &Db, now: DateTime<Utc>) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = TestApp::payments(db.clone(), &url, now);
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router.into_make_service()).await });
    app
}

/// A fixed-offset zone in which `at` is ten in the morning (give or take
/// the minutes).
fn morning_zone(at: DateTime<Utc>) -> String {
    let hour = i64::from(chrono::Timelike::hour(&at));
    let offset = (10 - hour + 36) % 24 - 12;
    // Etc/GMT signs are inverted: Etc/GMT-3 is three hours ahead of UTC.
    if offset >= 0 {
        format!("Etc/GMT-{offset}")
    } else {
        format!("Etc/GMT+{}", -offset)
    }
}

async fn cycle(app: &TestApp) -> engine::automation::CycleReport {
    let r = engine::automation::run_cycle(&app.state.services, None)
        .await
        .unwrap();
    drain(app).await;
    r
}

async fn ledger(app: &TestApp, tenant: TenantId) -> Vec<Outcome> {
    let mut rows = store::automation::outcomes(&app.state.db, tenant, &[], 10_000)
        .await
        .unwrap();
    rows.sort_by_key(|o| (o.day, o.kind.clone(), o.step.clone()));
    rows
}

/// The texts `wa_id` received, as their phone shows them.
async fn texts(app: &TestApp, tenant: TenantId, wa_id: &str) -> Vec<String> {
    outbound(&app.state.db, tenant, wa_id)
        .await
        .iter()
        .map(|m| render(m).0)
        .collect()
}

struct Debtor {
    wa_id: String,
    customer_id: String,
    order_id: String,
}

async fn debtor(app: &TestApp, owner: &Owner, name: &str, phone: &str) -> Debtor {
    let c = app.customer(owner, name, phone).await;
    let customer_id = c["id"].as_str().unwrap().to_string();
    let order = app.order(owner, &customer_id, json!({})).await;
    let order_id = order["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/payments/generate-link",
            &owner.token,
            json!({"order_id": order_id, "type": "deposit", "provider": "sandbox"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    Debtor {
        wa_id: phone.trim_start_matches('+').to_string(),
        customer_id,
        order_id,
    }
}

async fn pending_payment(app: &TestApp, owner: &Owner, order: &str) -> Value {
    let r = app
        .get(&format!("/api/v1/payments/order/{order}"), &owner.token)
        .await;
    r.body
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["status"] == "pending")
        .cloned()
        .unwrap()
}

fn sent_steps(rows: &[Outcome], customer: &str) -> Vec<(String, i64)> {
    let day0 = monday().date_naive();
    rows.iter()
        .filter(|o| o.kind == "unpaid_balance" && o.outcome == "sent")
        .filter(|o| o.customer_id.map(|c| c.to_string()).as_deref() == Some(customer))
        .map(|o| (o.step.clone(), (o.day - day0).num_days()))
        .collect()
}

fn count_containing(texts: &[String], needle: &str) -> usize {
    texts.iter().filter(|t| t.contains(needle)).count()
}

#[tokio::test]
async fn unpaid_balances_escalate_on_days_2_5_and_10_and_stop_when_paid_or_told_to() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = served(&db, monday()).await;
        let biz: Biz = business(&app, "auto-unpaid", "tailor", "en-NG", "100000000001").await;
        let ada = debtor(&app, &biz.owner, "Ada", "+2348030000001").await;
        let bola = debtor(&app, &biz.owner, "Bola", "+2348030000002").await;
        let chi = debtor(&app, &biz.owner, "Chi", "+2348030000003").await;
        drain(&app).await;
        let first_link = pending_payment(&app, &biz.owner, &ada.order_id).await["payment_link"]
            .as_str()
            .unwrap()
            .to_string();

        for h in (0..=12 * 24).step_by(3) {
            app.clock.set(monday() + Duration::hours(h));
            if h == 6 * 24 {
                // Bola pays after the firm reminder.
                let p = pending_payment(&app, &biz.owner, &bola.order_id).await;
                let r = app
                    .post(
                        &format!("/api/v1/payments/{}/confirm", p["id"].as_str().unwrap()),
                        &biz.owner.token,
                        json!({}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
            }
            if h == 3 * 24 {
                // Chi says stop after the gentle one.
                let mut chi_chat = Customer::new(&biz, &chi.wa_id, "Chi");
                chi_chat.say(&app, "STOP").await;
            }
            cycle(&app).await;
        }

        let rows = ledger(&app, biz.tenant).await;
        assert_eq!(
            sent_steps(&rows, &ada.customer_id),
            [
                ("gentle".into(), 2),
                ("firm".into(), 5),
                ("final".into(), 10)
            ],
            "{rows:#?}"
        );
        assert_eq!(
            sent_steps(&rows, &bola.customer_id),
            [("gentle".into(), 2), ("firm".into(), 5)]
        );
        assert_eq!(sent_steps(&rows, &chi.customer_id), [("gentle".into(), 2)]);
        let chi_skips: Vec<_> = rows
            .iter()
            .filter(|o| o.customer_id.map(|c| c.to_string()) == Some(chi.customer_id.clone()))
            .filter(|o| o.outcome == "skipped")
            .map(|o| (o.step.as_str(), o.reason.as_deref()))
            .collect();
        assert_eq!(
            chi_skips,
            [("firm", Some("opted_out")), ("final", Some("opted_out"))]
        );

        // What Ada's phone shows: each reminder once, each with a working
        // link (the day-1 link expired, so each reminder renewed it).
        let ada_texts = texts(&app, biz.tenant, &ada.wa_id).await;
        assert_eq!(
            count_containing(&ada_texts, "friendly reminder"),
            1,
            "{ada_texts:#?}"
        );
        assert_eq!(count_containing(&ada_texts, "is overdue"), 1);
        assert_eq!(count_containing(&ada_texts, "Final notice"), 1);
        for t in ada_texts
            .iter()
            .filter(|t| t.contains("reminder") || t.contains("overdue"))
        {
            assert!(t.contains("/sandbox/pay/"), "no link in {t:?}");
            assert!(!t.contains("{link}"), "unfilled link in {t:?}");
            assert!(
                !t.contains(&first_link),
                "the expired link was sent again: {t:?}"
            );
        }
        let bola_texts = texts(&app, biz.tenant, &bola.wa_id).await;
        assert_eq!(count_containing(&bola_texts, "Final notice"), 0);
        let chi_texts = texts(&app, biz.tenant, &chi.wa_id).await;
        assert_eq!(
            count_containing(&chi_texts, "is overdue"),
            0,
            "{chi_texts:#?}"
        );
        assert_eq!(count_containing(&chi_texts, "Final notice"), 0);
    }
}

#[tokio::test]
async fn a_reminder_due_at_night_waits_for_the_morning() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        // The link goes at 22:00 in Lagos, so day 2 begins at 22:00.
        let evening = monday() + Duration::hours(12);
        let app = served(&db, evening).await;
        let biz = business(&app, "auto-night", "tailor", "en-NG", "100000000002").await;
        let ada = debtor(&app, &biz.owner, "Ada", "+2348030000011").await;
        drain(&app).await;
        // 22:00, day 2: quiet hours.
        app.clock.set(evening + Duration::days(2));
        cycle(&app).await;
        let rows = ledger(&app, biz.tenant).await;
        let unpaid: Vec<_> = rows.iter().filter(|o| o.kind == "unpaid_balance").collect();
        assert_eq!(unpaid.len(), 1, "{rows:#?}");
        assert_eq!(unpaid[0].outcome, "deferred");
        assert_eq!(
            unpaid[0].until,
            Some(evening + Duration::days(2) + Duration::hours(10))
        );
        // 03:00: still quiet, still one deferred line.
        app.clock
            .set(evening + Duration::days(2) + Duration::hours(5));
        cycle(&app).await;
        // 08:00: it goes.
        app.clock
            .set(evening + Duration::days(2) + Duration::hours(10));
        cycle(&app).await;
        let rows = ledger(&app, biz.tenant).await;
        let gentle: Vec<_> = rows.iter().filter(|o| o.step == "gentle").collect();
        assert_eq!(gentle.len(), 1, "{rows:#?}");
        assert_eq!(gentle[0].outcome, "sent");
        let morning: NaiveDate = "2027-03-04".parse().unwrap();
        assert_eq!(gentle[0].day, morning);
        let t = texts(&app, biz.tenant, &ada.wa_id).await;
        assert_eq!(count_containing(&t, "friendly reminder"), 1);
        // Nothing more that day.
        app.clock.advance(Duration::hours(3));
        cycle(&app).await;
        let t = texts(&app, biz.tenant, &ada.wa_id).await;
        assert_eq!(count_containing(&t, "friendly reminder"), 1);
    }
}

async fn trigger_id(app: &TestApp, owner: &Owner, kind: &str) -> String {
    let r = app.get("/api/v1/automation/triggers", &owner.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == kind)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn exec(db: &Db, sql: &str, tenant: TenantId) {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match db {
        Db::Sqlite(p) => sqlx::query(sql).bind(tenant.0).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(sql).bind(tenant.0).execute(p).await.map(|_| ()),
    }
    .unwrap();
}

#[tokio::test]
async fn bad_configuration_is_refused_by_field_and_changes_nothing() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::new(db);
        let owner = app.register("auto-cfg", "tailor").await;
        let r = app.get("/api/v1/automation/triggers", &owner.token).await;
        let kinds: Vec<&str> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds.len(), 9, "{kinds:?}");
        let id = trigger_id(&app, &owner, "customer_inactive").await;
        let before = app
            .get("/api/v1/automation/triggers", &owner.token)
            .await
            .body;
        let path = format!("/api/v1/automation/triggers/{id}");
        for (body, field) in [
            (json!({"config": {"days": -3}}), "config.days"),
            (json!({"config": {"dayz": 3}}), "config.dayz"),
            (json!({"config": {"hours": 3}}), "config.hours"),
            (
                json!({"texts": {"en": {"auto_inactive": "Hi {nombre}"}}}),
                "texts.en.auto_inactive",
            ),
            (
                json!({"texts": {"en": {"auto_birthday": "Hi {name}"}}}),
                "texts.en.auto_birthday",
            ),
            (
                json!({"texts": {"xx": {"auto_inactive": "Hi {name}"}}}),
                "texts.xx.auto_inactive",
            ),
            (
                json!({"quiet_start": "25:00", "quiet_end": "08:00"}),
                "quiet_start",
            ),
            (json!({"quiet_start": "21:00"}), "quiet_end"),
        ] {
            let r = app.patch(&path, &owner.token, body.clone()).await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{body} → {:?}",
                r.body
            );
            assert!(
                r.field(field).is_some(),
                "{body}: expected {field} in {:?}",
                r.body
            );
        }
        let r = app
            .post(
                "/api/v1/automation/triggers",
                &owner.token,
                json!({"kind": "nagging"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.field("kind").is_some(), "{:?}", r.body);
        let r = app
            .put(
                "/api/v1/automation/settings",
                &owner.token,
                json!({"quiet_start": "9pm", "quiet_end": "08:00"}),
            )
            .await;
        assert!(r.field("quiet_start").is_some(), "{:?}", r.body);
        let after = app
            .get("/api/v1/automation/triggers", &owner.token)
            .await
            .body;
        assert_eq!(before, after, "a refused change changed something");

        // A good change sticks, and a viewer may not make one.
        let r = app
            .patch(
                &path,
                &owner.token,
                json!({"enabled": false, "config": {"days": 45}, "texts": {"en": {"auto_inactive": "Come back, {name}!"}},
                       "quiet_start": "22:00", "quiet_end": "07:30"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["enabled"], false);
        assert_eq!(r.body["params"], "days=45;quiet_days=14");
        assert_eq!(r.body["quiet_end"], "07:30");
        let viewer = app
            .add_user(&owner, "viewer@auto-cfg.example", "viewer")
            .await;
        let r = app
            .patch(&path, &viewer.token, json!({"enabled": true}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.get("/api/v1/automation/triggers", &viewer.token)
                .await
                .status,
            StatusCode::OK
        );

        // Another business's trigger is not found, to change or to test.
        let other = app.register("auto-cfg-2", "shop").await;
        let r = app
            .patch(&path, &other.token, json!({"enabled": true}))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .post(
                &format!("/api/v1/automation/test/{id}"),
                &other.token,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_dry_run_says_who_would_hear_what_and_sends_nothing() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = served(&db, monday()).await;
        let biz = business(&app, "auto-dry", "tailor", "en-NG", "100000000003").await;
        // Two customers who last ordered 40 days ago; one said stop.
        let a = app.customer(&biz.owner, "Ada", "+2348030000021").await;
        let b = app.customer(&biz.owner, "Bola", "+2348030000022").await;
        exec(
            &app.state.db,
            &format!(
                "UPDATE customers SET last_order_at = '{}', total_orders = 2 WHERE tenant_id = $1",
                sql_time(&app.state.db, monday() - Duration::days(40))
            ),
            biz.tenant,
        )
        .await;
        let mut bola = Customer::new(&biz, "2348030000022", "Bola");
        bola.say(&app, "STOP").await;
        drain(&app).await;
        // The sandbox approved the standard templates; Meta rejected this one.
        store::templates::set_status(
            &app.state.db,
            engine::templates::SANDBOX_WABA,
            "reengagement",
            "en",
            "rejected",
            Some("INCORRECT_CATEGORY"),
            monday() + Duration::seconds(1),
        )
        .await
        .unwrap();
        let id = trigger_id(&app, &biz.owner, "customer_inactive").await;
        let before = texts(&app, biz.tenant, "2348030000021").await.len();
        let r = app
            .post(
                &format!("/api/v1/automation/test/{id}"),
                &biz.owner.token,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let items = r.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{items:#?}");
        let ada = items.iter().find(|i| i["customer_id"] == a["id"]).unwrap();
        // No approved marketing template, and Ada's window is closed.
        assert_eq!(ada["outcome"], "skip");
        assert_eq!(ada["reason"], "no_approved_template");
        assert!(ada["text"].as_str().unwrap().contains("Ada"), "{ada}");
        let bo = items.iter().find(|i| i["customer_id"] == b["id"]).unwrap();
        assert_eq!(bo["reason"], "opted_out");
        // With the template approved Ada would get it; still nothing sent.
        store::templates::set_status(
            &app.state.db,
            engine::templates::SANDBOX_WABA,
            "reengagement",
            "en",
            "approved",
            None,
            monday() + Duration::seconds(2),
        )
        .await
        .unwrap();
        let r = app
            .post(
                &format!("/api/v1/automation/test/{id}"),
                &biz.owner.token,
                json!({}),
            )
            .await;
        let ada = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["customer_id"] == a["id"])
            .cloned()
            .unwrap();
        assert_eq!(
            (ada["outcome"].as_str(), ada["send_as"].as_str()),
            (Some("send"), Some("template"))
        );
        assert_eq!(ada["template"], "reengagement");
        assert!(ledger(&app, biz.tenant).await.is_empty());
        assert_eq!(texts(&app, biz.tenant, "2348030000021").await.len(), before);
        // The cycle then sends it once, and a second cycle that day does not.
        let r = cycle(&app).await;
        assert!(r.sent >= 1, "{r:?}");
        assert_eq!(
            texts(&app, biz.tenant, "2348030000021").await.len(),
            before + 1
        );
        app.clock.advance(Duration::hours(2));
        cycle(&app).await;
        assert_eq!(
            texts(&app, biz.tenant, "2348030000021").await.len(),
            before + 1
        );
        // The run is readable, with its outcome per target.
        let r = app.get("/api/v1/automation/runs", &biz.owner.token).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let outcomes: Vec<&str> = r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|run| run["outcomes"].as_array().unwrap())
            .filter(|o| o["kind"] == "customer_inactive")
            .map(|o| o["outcome"].as_str().unwrap())
            .collect();
        assert!(
            outcomes.contains(&"sent") && outcomes.contains(&"skipped"),
            "{outcomes:?}"
        );
    }
}

/// A time as the backend stores it, for a literal in SQL.
fn sql_time(db: &Db, t: DateTime<Utc>) -> String {
    match db {
        Db::Sqlite(_) => t.format("%Y-%m-%d %H:%M:%S%.6f+00:00").to_string(),
        Db::Postgres(_) => t.to_rfc3339(),
    }
}

#[tokio::test]
async fn the_other_triggers_fire_once_a_day_to_the_right_person() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        // Message times are the wall clock's: start there, with no quiet
        // hours, so "no message in 24 hours" sees the stage notice.
        let start = Utc::now();
        let app = served(&db, start).await;
        let biz = business(&app, "auto-all", "tailor", "en-NG", "100000000004").await;
        let r = app
            .put(
                "/api/v1/automation/settings",
                &biz.owner.token,
                json!({"quiet_start": "00:00", "quiet_end": "00:00"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        // "Once a day" is the business's day: put the wall clock's start at
        // ten in the morning there, so the hours the test moves on never
        // cross its midnight (in Lagos they would, run after 21:00 UTC).
        let r = app
            .patch(
                "/api/v1/settings",
                &biz.owner.token,
                json!({"timezone": morning_zone(start)}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let owner_wa = owner_wa(&app, &biz).await;
        // An order due in 30 hours, not started: the owner hears of it.
        let c = app.customer(&biz.owner, "Ada", "+2348030000031").await;
        let cid = c["id"].as_str().unwrap();
        let late = app
            .order(
                &biz.owner,
                cid,
                json!({"deadline": (start + Duration::hours(30)).to_rfc3339(), "deposit_amount": 0}),
            )
            .await;
        // An order ready with its balance due.
        let ready = app
            .order(&biz.owner, cid, json!({"deposit_amount": 0}))
            .await;
        for stage in ["cutting", "sewing", "ready"] {
            let r = app
                .patch(
                    &format!("/api/v1/orders/{}/stage", ready["id"].as_str().unwrap()),
                    &biz.owner.token,
                    json!({"stage": stage}),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{stage}: {:?}", r.body);
        }
        drain(&app).await;
        let told = texts(&app, biz.tenant, "2348030000031").await.len();
        // A scheduled message, for a customer whose window is open.
        let mut bola = Customer::new(&biz, "2348030000032", "Bola");
        bola.say(&app, "hello").await;
        let bola_id = store::customers::find_by_wa_id(&app.state.db, biz.tenant, "2348030000032")
            .await
            .unwrap()
            .unwrap()
            .id;
        let r = app
            .post(
                "/api/v1/automation/scheduled",
                &biz.owner.token,
                json!({"customer_id": bola_id.to_string(), "send_at": (start + Duration::hours(1)).to_rfc3339(),
                       "body": "Your fabric has arrived."}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let sched = r.body["id"].as_str().unwrap().to_string();
        // Another business sees none of it.
        let other = app.register("auto-all-2", "shop").await;
        let path = format!("/api/v1/automation/scheduled/{sched}");
        assert_eq!(
            app.get(&path, &other.token).await.status,
            StatusCode::NOT_FOUND
        );
        let r = app
            .patch(&path, &other.token, json!({"body": "hijacked"}))
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.get("/api/v1/automation/scheduled", &other.token).await;
        assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));

        // Now: the deadline alert reaches the owner; the ready order was
        // just announced, so nothing yet; the scheduled one waits.
        let r = cycle(&app).await;
        let owner_texts = to_staff(&app.state.db, biz.tenant, &owner_wa).await;
        assert_eq!(
            count_containing(&owner_texts, "Deadline at risk"),
            1,
            "{owner_texts:#?}"
        );
        assert!(
            owner_texts
                .iter()
                .any(|t| t.contains(late["order_ref"].as_str().unwrap()))
        );
        assert_eq!(
            texts(&app, biz.tenant, "2348030000031").await.len(),
            told,
            "{r:?}"
        );

        // Two hours on: the scheduled message goes; the alert is not repeated.
        app.clock.advance(Duration::hours(2));
        cycle(&app).await;
        let b = texts(&app, biz.tenant, "2348030000032").await;
        assert_eq!(
            count_containing(&b, "Your fabric has arrived."),
            1,
            "{b:#?}"
        );
        let r = app
            .get(
                &format!("/api/v1/automation/scheduled/{sched}"),
                &biz.owner.token,
            )
            .await;
        assert_eq!(r.body["status"], "sent");
        // The other business's runs show nothing of this one's targets.
        let r = app.get("/api/v1/automation/runs", &other.token).await;
        assert_eq!(
            r.body["items"].as_array().map(Vec::len),
            Some(0),
            "{:?}",
            r.body
        );
        let owner_texts = to_staff(&app.state.db, biz.tenant, &owner_wa).await;
        assert_eq!(count_containing(&owner_texts, "Deadline at risk"), 1);

        // A day on: the ready order's reminder with its balance, once.
        app.clock.advance(Duration::hours(24));
        cycle(&app).await;
        app.clock.advance(Duration::hours(1));
        cycle(&app).await;
        let a = texts(&app, biz.tenant, "2348030000031").await;
        assert_eq!(
            count_containing(&a, "is ready and waiting for you"),
            1,
            "{a:#?}"
        );
    }
}

async fn owner_wa(app: &TestApp, biz: &Biz) -> String {
    let r = app.get("/api/v1/auth/me", &biz.owner.token).await;
    r.body["user"]["phone"]
        .as_str()
        .or(r.body["phone"].as_str())
        .unwrap()
        .trim_start_matches('+')
        .to_string()
}

#[tokio::test]
async fn each_fire_time_is_one_cycle_whoever_ticks_and_a_missed_one_runs_once() {
    use engine::automation::scheduler::{self, AutomationCycle};
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::new(db);
        let svc = &app.state.services;
        let every = "*/15 * * * *";
        let cron = scheduler::parse(every).unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        // Two replicas tick in the same quarter hour: one cycle.
        let first = scheduler::tick(svc, &cron, every, at("2027-03-01T09:07:00Z"))
            .await
            .unwrap();
        assert_eq!(first, Some(at("2027-03-01T09:00:00Z")));
        let again = scheduler::tick(svc, &cron, every, at("2027-03-01T09:14:59Z"))
            .await
            .unwrap();
        assert_eq!(again, None, "the same fire time is not enqueued twice");
        // All replicas down for three hours: one cycle, for the latest time.
        let back = scheduler::tick(svc, &cron, every, at("2027-03-01T12:20:00Z"))
            .await
            .unwrap();
        assert_eq!(back, Some(at("2027-03-01T12:15:00Z")));
        let cycles: Vec<_> = store::jobs::list(&app.state.db, None, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|j| j.kind == <AutomationCycle as engine::jobs::Job>::KIND)
            .collect();
        assert_eq!(cycles.len(), 2, "{cycles:#?}");
        // Each job runs a cycle, recorded with its fire time.
        drain(&app).await;
        let sql = "SELECT COUNT(*) FROM automation_runs WHERE fire_at IS NOT NULL AND finished_at IS NOT NULL";
        let runs: i64 = match &app.state.db {
            Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        };
        assert_eq!(runs, 2);
        assert!(scheduler::parse("every day at noon").is_err());
    }
}

#[tokio::test]
async fn the_owner_gets_the_day_in_one_message_once() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let start = Utc::now();
        let app = served(&db, start).await;
        let biz = business(&app, "auto-day", "tailor", "en-NG", "100000000005").await;
        let owner_wa = owner_wa(&app, &biz).await;
        let r = app
            .put(
                "/api/v1/automation/settings",
                &biz.owner.token,
                json!({"quiet_start": "00:00", "quiet_end": "00:00"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        // The summary at midnight: always due today.
        let id = trigger_id(&app, &biz.owner, "daily_summary").await;
        let r = app
            .patch(
                &format!("/api/v1/automation/triggers/{id}"),
                &biz.owner.token,
                json!({"config": {"hour": 0}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let c = app.customer(&biz.owner, "Ada", "+2348030000041").await;
        app.order(
            &biz.owner,
            c["id"].as_str().unwrap(),
            json!({"price": 4_500_000, "deposit_amount": 0}),
        )
        .await;
        app.order(
            &biz.owner,
            c["id"].as_str().unwrap(),
            json!({"price": 1_000_000, "deposit_amount": 0}),
        )
        .await;
        drain(&app).await;
        engine::automation::run_cycle(&app.state.services, None)
            .await
            .unwrap();
        // The cycle's messages wait in the bulk queue, behind no reply.
        let queues: Vec<String> = store::jobs::list(&app.state.db, None, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|j| j.kind == "send_message" && j.status == store::jobs::JobStatus::Queued)
            .map(|j| j.queue)
            .collect();
        assert!(
            !queues.is_empty() && queues.iter().all(|q| q == "bulk"),
            "{queues:?}"
        );
        drain(&app).await;
        app.clock.advance(Duration::minutes(30));
        cycle(&app).await;
        let t = to_staff(&app.state.db, biz.tenant, &owner_wa).await;
        let summaries: Vec<_> = t.iter().filter(|m| m.contains("new orders")).collect();
        assert_eq!(summaries.len(), 1, "{t:#?}");
        assert!(summaries[0].contains("2 new orders"), "{}", summaries[0]);
        assert!(
            summaries[0].contains("2 unpaid (₦55,000"),
            "{}",
            summaries[0]
        );
    }
}
