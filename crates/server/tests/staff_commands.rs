//! Staff run the business from WhatsApp: commands written to their own
//! business's number go through the same services as the API and are
//! answered in the catalog's words, on both databases.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use common::TestApp;
use common::chat::{Customer, business, drain, outbound, render, to_staff};
use engine::clock::Clock as _;
use serde_json::json;

#[tokio::test]
async fn the_owner_lists_moves_and_records_money_from_whatsapp() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", Utc::now());
        let biz = business(&app, "cmd-tailor", "tailor", "en-NG", "100000000101").await;
        let owner_wa = "2348000000101";
        let c = app.customer(&biz.owner, "Ada", "+2348030000101").await;
        let order = app
            .order(
                &biz.owner,
                c["id"].as_str().unwrap(),
                json!({"deadline": (Utc::now() + Duration::hours(20)).to_rfc3339()}),
            )
            .await;
        let r#ref = order["order_ref"].as_str().unwrap().to_string();
        let mut me = Customer::new(&biz, owner_wa, "Owner");
        let mut said = 0;
        let mut say = async |text: &str| staff_says(&app, &biz, &mut me, &mut said, text).await;

        let a = say("orders urgent").await;
        assert!(a.contains(&r#ref) && a.contains("Ada"), "{a}");
        let a = say(&format!("{} ", r#ref.to_lowercase())).await;
        assert!(a.contains("Senator") && a.contains("₦45,000"), "{a}");
        // The deposit rule holds over WhatsApp as in the API.
        let a = say(&format!("stage {} cutting", r#ref)).await;
        assert!(a.starts_with("Not done") && a.contains("deposit"), "{a}");
        let a = say(&format!("paid {} 15,000 cash", r#ref)).await;
        assert!(
            a.contains("Recorded ₦15,000") && a.contains("₦30,000"),
            "{a}"
        );
        for stage in ["cutting", "sewing"] {
            let a = say(&format!("stage {} {stage}", r#ref)).await;
            assert!(a.contains(&format!("is now {stage}")), "{a}");
        }
        let a = say(&format!("ready {}", r#ref)).await;
        assert!(a.contains("is now ready"), "{a}");
        // The customer heard it from the business.
        let told: Vec<String> = outbound(&app.state.db, biz.tenant, "2348030000101")
            .await
            .iter()
            .map(|m| render(m).0)
            .collect();
        assert!(
            told.iter()
                .any(|t| t.contains(&r#ref) && t.to_lowercase().contains("ready")),
            "{told:#?}"
        );
        let o = app
            .get(
                &format!("/api/v1/orders/{}", order["id"].as_str().unwrap()),
                &biz.owner.token,
            )
            .await;
        assert_eq!(o.body["current_stage"], "ready");
        assert_eq!(o.body["amount_paid"], 1_500_000);
        // The day's money, a customer, and the bot paused for them.
        let a = say("sales today").await;
        assert!(
            a.contains("₦15,000") && a.contains("payments received: 1"),
            "{a}"
        );
        let a = say("customer 0803 000 0101").await;
        assert!(a.starts_with("Ada (+2348030000101)"), "{a}");
        let paused = || async {
            store::customers::find_by_wa_id(&app.state.db, biz.tenant, "2348030000101")
                .await
                .unwrap()
                .unwrap()
                .bot_paused_until
        };
        let a = say("pause 08030000101").await;
        assert!(a.contains("quiet for Ada"), "{a}");
        assert!(paused().await.is_some());
        let a = say("resume 08030000101").await;
        assert!(a.contains("answers Ada again"), "{a}");
        assert!(paused().await.is_none());
        // Small typos are forgiven; a command without what it needs gets
        // the closest commands, never a customer's menu.
        let a = say("oders tday").await;
        assert!(a.starts_with("Due today or overdue"), "{a}");
        let a = say("remnd").await;
        assert!(a.contains("Did you mean: remind"), "{a}");
        let a = say("SEW-9999").await;
        assert!(a.contains("no order SEW-9999"), "{a}");
    }
}

#[tokio::test]
async fn a_viewer_reads_but_cannot_change_anything() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", Utc::now());
        let biz = business(&app, "cmd-viewer", "tailor", "en-NG", "100000000102").await;
        let r = app
            .post(
                "/api/v1/users",
                &biz.owner.token,
                json!({"name": "Vee", "email": "vee@example.com", "password": "password123",
                       "role": "viewer", "phone": "+2348030000199"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let c = app.customer(&biz.owner, "Ada", "+2348030000102").await;
        let order = app
            .order(&biz.owner, c["id"].as_str().unwrap(), json!({}))
            .await;
        let r#ref = order["order_ref"].as_str().unwrap();
        let mut vee = Customer::new(&biz, "2348030000199", "Vee");
        vee.say(&app, &format!("paid {ref} 15000")).await;
        drain(&app).await;
        vee.say(&app, "help").await;
        drain(&app).await;
        let a = to_staff(&app.state.db, biz.tenant, "2348030000199").await;
        assert!(a[0].contains("can look but not change"), "{a:#?}");
        assert!(
            a[1].contains("orders today") && !a[1].contains("remind"),
            "a viewer's help lists only what they may do: {}",
            a[1]
        );
        let o = app
            .get(
                &format!("/api/v1/orders/{}", order["id"].as_str().unwrap()),
                &biz.owner.token,
            )
            .await;
        assert_eq!(o.body["amount_paid"], 0, "nothing recorded");
    }
}

/// Says `text` as staff member `me` and answers what the business sent
/// them since `*said` messages.
async fn staff_says(
    app: &TestApp,
    biz: &common::chat::Biz,
    me: &mut Customer<'_>,
    said: &mut usize,
    text: &str,
) -> String {
    me.say(app, text).await;
    drain(app).await;
    let all = to_staff(&app.state.db, biz.tenant, me.wa_id()).await;
    let new = all[*said..].join("\n");
    *said = all.len();
    new
}

async fn product(app: &TestApp, biz: &common::chat::Biz, sku: &str) -> serde_json::Value {
    let r = app
        .get("/api/v1/products?limit=100", &biz.owner.token)
        .await;
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["sku"] == sku)
        .unwrap_or_else(|| panic!("no {sku} in {:?}", r.body))
        .clone()
}

#[tokio::test]
async fn the_shopkeeper_counts_stock_closes_for_the_day_and_undoes() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", Utc::now());
        let biz = business(&app, "cmd-shop", "shop", "en-KE", "100000000103").await;
        let mut me = Customer::new(&biz, "2348000000103", "Owner");
        let mut said = 0;
        let start = product(&app, &biz, "SUGAR-1KG").await["stock_on_hand"]
            .as_i64()
            .unwrap();

        let a = staff_says(&app, &biz, &mut me, &mut said, "stock sugar +20").await;
        let on_hand = start + 20;
        assert!(
            a.contains(&format!("Sukari 1kg: {on_hand} in stock")) && a.contains("undo"),
            "{a}"
        );
        // Swahili keyword, the Swahili answer; a letter off is forgiven.
        let a = staff_says(&app, &biz, &mut me, &mut said, "punguza sukary 3").await;
        assert!(a.contains(&format!("{} ziko stoo", on_hand - 3)), "{a}");
        let a = staff_says(&app, &biz, &mut me, &mut said, "stock sukari 35").await;
        assert!(a.contains("35 in stock"), "{a}");
        let a = staff_says(&app, &biz, &mut me, &mut said, "stock sukari 35").await;
        assert!(a.contains("already has 35"), "{a}");
        let a = staff_says(&app, &biz, &mut me, &mut said, "undo").await;
        assert!(
            a.starts_with("Taken back") && a.contains(&format!("{} in stock", on_hand - 3)),
            "{a}"
        );
        assert_eq!(
            product(&app, &biz, "SUGAR-1KG").await["stock_on_hand"],
            on_hand - 3
        );
        // Each change is a movement with the command as its reason.
        let p = product(&app, &biz, "SUGAR-1KG").await;
        let m = app
            .get(
                &format!("/api/v1/inventory/{}/movements", p["id"].as_str().unwrap()),
                &biz.owner.token,
            )
            .await;
        let reasons: Vec<&str> = m.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["reason"].as_str())
            .collect();
        assert!(
            reasons.contains(&"stock sugar +20") && reasons.contains(&"undo"),
            "{reasons:?}"
        );
        // Undo runs once.
        let a = staff_says(&app, &biz, &mut me, &mut said, "undo").await;
        assert!(a.starts_with("Nothing to undo"), "{a}");
        // Out of stock leaves nothing to sell; an unknown or ambiguous
        // product is said back.
        let a = staff_says(&app, &biz, &mut me, &mut said, "out of stock milk").await;
        assert!(
            a.contains("Maziwa 500ml") && a.contains("0 available"),
            "{a}"
        );
        let a = staff_says(&app, &biz, &mut me, &mut said, "stock pizza +2").await;
        assert!(a.contains("No product is called \"pizza\""), "{a}");

        // Closed for the day: the hours say so, `open` and `undo` move it.
        let a = staff_says(&app, &biz, &mut me, &mut said, "close today").await;
        assert!(a.starts_with("Closed for the rest of today"), "{a}");
        let h = app.get("/api/v1/hours", &biz.owner.token).await;
        let today = app
            .clock
            .now()
            .with_timezone(&chrono_tz::Africa::Nairobi)
            .date_naive()
            .to_string();
        assert_eq!(h.body["closed_dates"], json!([today]), "{:?}", h.body);
        let a = staff_says(&app, &biz, &mut me, &mut said, "close today").await;
        assert!(a.contains("already closed"), "{a}");
        let a = staff_says(&app, &biz, &mut me, &mut said, "fungua").await;
        assert!(a.starts_with("Imefunguliwa tena leo"), "{a}");
        let h = app.get("/api/v1/hours", &biz.owner.token).await;
        assert_eq!(h.body["closed_dates"], json!([]));
        // A minute later there is nothing left to undo.
        app.clock.advance(Duration::seconds(61));
        let a = staff_says(&app, &biz, &mut me, &mut said, "undo").await;
        assert!(a.starts_with("Nothing to undo"), "{a}");
        let h = app.get("/api/v1/hours", &biz.owner.token).await;
        assert_eq!(h.body["closed_dates"], json!([]));
    }
}

#[tokio::test]
async fn the_kitchen_takes_a_dish_off_the_menu_and_back() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", Utc::now());
        let biz = business(&app, "cmd-kitchen", "restaurant", "es-AR", "100000000104").await;
        let mut me = Customer::new(&biz, "2348000000104", "Dueña");
        let mut said = 0;
        let a = staff_says(&app, &biz, &mut me, &mut said, "pausar carne").await;
        assert!(a.starts_with("Empanada de carne no se ofrece"), "{a}");
        assert_eq!(
            product(&app, &biz, "EMP-CARNE").await["is_available"],
            false
        );
        let a = staff_says(&app, &biz, &mut me, &mut said, "deshacer").await;
        assert!(a.contains("se ofrece de nuevo"), "{a}");
        assert_eq!(product(&app, &biz, "EMP-CARNE").await["is_available"], true);
        // "Sin stock" on a dish that counts no stock takes it off the menu.
        let a = staff_says(&app, &biz, &mut me, &mut said, "sin stock carne").await;
        assert!(a.starts_with("Empanada de carne no se ofrece"), "{a}");
        let a = staff_says(&app, &biz, &mut me, &mut said, "activar carne").await;
        assert!(a.contains("se ofrece de nuevo"), "{a}");
        assert_eq!(product(&app, &biz, "EMP-CARNE").await["is_available"], true);
        let a = staff_says(&app, &biz, &mut me, &mut said, "pausar empanada").await;
        assert!(
            a.contains("puede ser: Empanada de carne, Empanada de jamón y queso"),
            "{a}"
        );
    }
}

#[tokio::test]
async fn cancelling_an_order_asks_first_with_buttons() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", Utc::now());
        let biz = business(&app, "cmd-cancel", "tailor", "en-NG", "100000000105").await;
        let c = app.customer(&biz.owner, "Ada", "+2348030000105").await;
        let order = app
            .order(&biz.owner, c["id"].as_str().unwrap(), json!({}))
            .await;
        let r#ref = order["order_ref"].as_str().unwrap().to_string();
        let stage = || async {
            app.get(
                &format!("/api/v1/orders/{}", order["id"].as_str().unwrap()),
                &biz.owner.token,
            )
            .await
            .body["current_stage"]
                .clone()
        };
        let mut me = Customer::new(&biz, "2348000000105", "Owner");
        let mut said = 0;
        let a = staff_says(&app, &biz, &mut me, &mut said, &format!("cancel {ref}")).await;
        assert!(a.starts_with(&format!("Cancel {ref} for Ada?")), "{a}");
        // The question went with its two buttons.
        let asked = common::chat::outbound_to_staff(&app.state.db, biz.tenant, "2348000000105")
            .await
            .pop()
            .unwrap();
        let (shown, buttons) = common::chat::render(&asked);
        assert!(shown.contains("[Yes, cancel] [No, keep it]"), "{shown}");
        assert_eq!(buttons[0].0, "staff:yes");
        let a = staff_says(&app, &biz, &mut me, &mut said, "no").await;
        assert_eq!(a, format!("{ref} stays as it is."));
        assert_eq!(stage().await, "received");
        // Another command in between drops the question: a later "yes" is
        // just chat.
        staff_says(&app, &biz, &mut me, &mut said, &format!("cancel {ref}")).await;
        staff_says(&app, &biz, &mut me, &mut said, "orders today").await;
        let a = staff_says(&app, &biz, &mut me, &mut said, "yes").await;
        assert!(!a.contains("cancelled"), "{a}");
        assert_eq!(stage().await, "received");
        // A yes with nothing waiting is said so.
        me.press(&app, "staff:yes", "Yes, cancel").await;
        drain(&app).await;
        let all = to_staff(&app.state.db, biz.tenant, "2348000000105").await;
        assert_eq!(all.last().unwrap(), "Nothing is waiting for a yes.");
        said = all.len();
        staff_says(&app, &biz, &mut me, &mut said, &format!("cancel {ref}")).await;
        me.press(&app, "staff:yes", "Yes, cancel").await;
        drain(&app).await;
        let all = to_staff(&app.state.db, biz.tenant, "2348000000105").await;
        assert_eq!(
            all.last().unwrap(),
            &format!("{ref} is cancelled; the customer has been told.")
        );
        assert_eq!(stage().await, "cancelled");
        // A question left too long expires.
        let other = app
            .order(&biz.owner, c["id"].as_str().unwrap(), json!({}))
            .await;
        said = all.len();
        staff_says(
            &app,
            &biz,
            &mut me,
            &mut said,
            &format!("cancel {}", other["order_ref"].as_str().unwrap()),
        )
        .await;
        app.clock.advance(Duration::minutes(11));
        let a = staff_says(&app, &biz, &mut me, &mut said, "yes").await;
        assert!(a.starts_with("That question expired"), "{a}");
    }
}

#[tokio::test]
async fn staff_answer_a_customer_by_replying_to_the_alert_and_hand_back_with_done() {
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", Utc::now());
        let biz = business(&app, "cmd-reply", "tailor", "en-NG", "100000000106").await;
        let owner_wa = "2348000000106";
        let mut ada = Customer::new(&biz, "2348030000106", "Ada");
        ada.say(&app, "I want to talk to a person please").await;
        let alerts = common::chat::to_staff_sent(&app.state.db, biz.tenant, owner_wa).await;
        let (alert, text) = alerts.last().unwrap().clone();
        assert!(
            text.contains("Ada") && text.contains("needs a person"),
            "{text}"
        );

        let mut me = Customer::new(&biz, owner_wa, "Owner");
        me.reply_to(&app, &alert, "Hi Ada, this is Funmi. How can I help?")
            .await;
        ada.replies(&app).await;
        assert!(
            ada.log.contains("Hi Ada, this is Funmi. How can I help?"),
            "the customer got the staff's words from the business:\n{}",
            ada.log
        );
        let staff = to_staff(&app.state.db, biz.tenant, owner_wa).await;
        assert!(
            staff.last().unwrap().starts_with("Sent to Ada"),
            "{staff:#?}"
        );
        let told = staff.len();

        // What Ada says now reaches the owner (and not the bot's menu).
        let before = ada.log.len();
        ada.say(&app, "I need the gown altered by Friday").await;
        assert_eq!(ada.log[before..].lines().count(), 1, "{}", ada.log);
        let sent = common::chat::to_staff_sent(&app.state.db, biz.tenant, owner_wa).await;
        let (forwarded, text) = sent.last().unwrap().clone();
        assert!(
            text.contains("Ada: \"I need the gown altered by Friday\""),
            "{text}"
        );
        // A reply to the forwarded message also reaches her, without a
        // second confirmation to the owner.
        me.reply_to(&app, &forwarded, "Friday works, bring it Thursday")
            .await;
        ada.replies(&app).await;
        assert!(ada.log.contains("Friday works, bring it Thursday"));
        assert_eq!(
            to_staff(&app.state.db, biz.tenant, owner_wa).await.len(),
            told + 1
        );

        // `done` hands her back to the bot: the inbox entry is resolved.
        me.say(&app, "done").await;
        drain(&app).await;
        let staff = to_staff(&app.state.db, biz.tenant, owner_wa).await;
        assert_eq!(staff.last().unwrap(), "Ada is back with the bot.");
        let inbox = app.get("/api/v1/inbox", &biz.owner.token).await;
        assert_eq!(inbox.body["items"], json!([]), "{:?}", inbox.body);
        let c = store::customers::find_by_wa_id(&app.state.db, biz.tenant, "2348030000106")
            .await
            .unwrap()
            .unwrap();
        assert!(c.bot_paused_until.is_none());
        let before = ada.log.len();
        ada.say(&app, "menu").await;
        assert!(
            ada.log[before..].lines().count() > 1,
            "the bot answers again: {}",
            ada.log
        );

        // Outside the customer's 24 hours nothing is sent, and staff are told.
        app.clock.advance(Duration::hours(25));
        let sent = common::chat::to_staff_sent(&app.state.db, biz.tenant, owner_wa).await;
        let before = ada.log.len();
        me.reply_to(&app, &sent[0].0, "Are you still there?").await;
        ada.replies(&app).await;
        assert_eq!(ada.log.len(), before, "{}", ada.log);
        let staff = to_staff(&app.state.db, biz.tenant, owner_wa).await;
        assert!(
            staff.last().unwrap().contains("more than 24 hours ago"),
            "{staff:#?}"
        );
    }
}
