//! Transcript tests of the conversation engine: a scripted customer writes
//! through the real signed webhook intake, the jobs run, and the business's
//! replies (through the sandbox channel) are rendered as a transcript and
//! compared with an insta snapshot. Every scenario runs on SQLite and on
//! PostgreSQL and must read the same on both.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use common::TestApp;
use common::chat::{Customer, business, count, drain, stock};
use serde_json::json;
use store::Db;

/// Friday 20 Nov 2026, 15:00 UTC: noon in Buenos Aires, 18:00 in Nairobi,
/// 16:00 in Lagos. Everyone is open.
fn friday_afternoon() -> DateTime<Utc> {
    "2026-11-20T15:00:00Z".parse().unwrap()
}

/// Monday 23 Nov 2026, 10:00 in Buenos Aires: the kitchen opens at 11:00.
fn monday_morning_ba() -> DateTime<Utc> {
    "2026-11-23T13:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn a_tailor_order_with_measurements_then_measures_reuse() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let biz = business(&app, "funmi-tests", "tailor", "en-NG", "200000000000001").await;
        let mut amaka = Customer::new(&biz, "2348031234567", "Amaka Okonkwo");
        amaka.say(&app, "Good morning").await;
        amaka
            .say(
                &app,
                "Good morning ma, I want an ankara midi dress for Dec 12, chest 38 waist 32",
            )
            .await;
        amaka.say(&app, "Please I want to sew a buba").await;
        amaka.say(&app, "Dec 20").await;
        amaka.tap(&app, "Use saved").await;
        amaka.say(&app, "how far with my order?").await;
        amaka.say(&app, "cancel SEW-0002").await;
        insta::assert_snapshot!("tailor_en", amaka.log);

        // Two orders from WhatsApp, the first with its measurements as a
        // new version and a 50% deposit, the second on the same version.
        let orders = app
            .get("/api/v1/orders?source=whatsapp", &biz.owner.token)
            .await;
        let items = orders.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{:?}", orders.body);
        let first = items.iter().find(|o| o["order_ref"] == "SEW-0001").unwrap();
        assert_eq!(first["price"], 4_500_000);
        assert_eq!(first["deposit_amount"], 2_250_000);
        assert_eq!(first["source"], "whatsapp");
        let second = items.iter().find(|o| o["order_ref"] == "SEW-0002").unwrap();
        assert_eq!(second["current_stage"], "cancelled");
        assert_eq!(first["measurement_id"], second["measurement_id"]);
        let detail = app
            .get(
                &format!("/api/v1/orders/{}", first["id"].as_str().unwrap()),
                &biz.owner.token,
            )
            .await;
        let customer = detail.body["customer_id"].as_str().unwrap();
        assert_eq!(
            detail.body["thread_url"],
            format!("/api/v1/whatsapp/messages/{customer}")
        );
    }
}

#[tokio::test]
async fn a_tailor_order_in_spanish() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let biz = business(&app, "sastre-tests", "tailor", "es-AR", "200000000000002").await;
        let mut lucia = Customer::new(&biz, "5491123456789", "Lucía Fernández");
        lucia.say(&app, "Hola").await;
        lucia
            .say(&app, "quiero un vestido de fiesta para el 24 de diciembre")
            .await;
        lucia
            .say(&app, "pecho 96 cm, cintura 80 cm, cadera 104 cm")
            .await;
        lucia.say(&app, "MEDIDAS").await;
        insta::assert_snapshot!("tailor_es", lucia.log);
        let n = count(
            &db,
            "SELECT COUNT(*) FROM measurements WHERE tenant_id = $1",
            biz.tenant,
        )
        .await;
        assert_eq!(n, 1);
    }
}

#[tokio::test]
async fn a_restaurant_cart_with_delivery_zone_and_transfer() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let biz = business(
            &app,
            "martin-tests",
            "restaurant",
            "es-AR",
            "200000000000003",
        )
        .await;
        let mut lucia = Customer::new(&biz, "5491123456789", "Lucía Fernández");
        lucia.say(&app, "Hola").await;
        lucia.tap(&app, "Empanadas").await;
        lucia.tap(&app, "Empanada de carne").await;
        lucia.say(&app, "dos de humita y una coca").await;
        lucia.tap(&app, "Confirmar pedido").await;
        lucia.tap(&app, "Envío a domicilio").await;
        lucia.tap(&app, "Palermo").await;
        lucia.say(&app, "media docena de carne").await;
        lucia.tap(&app, "Confirmar pedido").await;
        lucia.tap(&app, "Palermo").await;
        lucia.say(&app, "Thames 1234, 3B").await;
        lucia.tap(&app, "Transferencia").await;
        insta::assert_snapshot!("restaurant_es", lucia.log);

        let orders = app.get("/api/v1/orders", &biz.owner.token).await;
        let o = &orders.body["items"][0];
        assert_eq!(o["order_ref"], "PED-0001", "{:?}", orders.body);
        assert_eq!(o["delivery_zone"], "Palermo");
        assert_eq!(o["delivery_fee"], 150_000);
        // 7 de carne + 2 de humita + coca = 13.800, + envío 1.500.
        assert_eq!(o["price"], 1_530_000);
        assert_eq!(o["payment_method"], "transfer");
        let detail = app
            .get(
                &format!("/api/v1/orders/{}", o["id"].as_str().unwrap()),
                &biz.owner.token,
            )
            .await;
        assert_eq!(
            detail.body["items"].as_array().unwrap().len(),
            3,
            "{:?}",
            detail.body
        );
    }
}

#[tokio::test]
async fn a_catalog_cart_and_a_location_pin() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let biz = business(
            &app,
            "martin-catalog",
            "restaurant",
            "es-AR",
            "200000000000004",
        )
        .await;
        let mut santi = Customer::new(&biz, "5491134567890", "Santiago Pérez");
        santi
            .catalog_order(&app, &[("EMP-CARNE", 12), ("COCA-15", 1)])
            .await;
        santi.tap(&app, "Envío a domicilio").await;
        santi.tap(&app, "Villa Crespo").await;
        santi.location(&app, -34.5997, -58.4381, "Casa").await;
        santi.tap(&app, "Efectivo").await;
        insta::assert_snapshot!("restaurant_catalog_es", santi.log);
        let address = count(
            &db,
            "SELECT COUNT(*) FROM orders WHERE tenant_id = $1 AND delivery_address LIKE 'Casa (📍 -34.5997%'",
            biz.tenant,
        )
        .await;
        assert_eq!(address, 1);
    }
}

#[tokio::test]
async fn a_shop_order_in_swahili_with_pickup_and_stock() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let biz = business(&app, "njeri-tests", "shop", "en-KE", "200000000000005").await;
        let mut wambui = Customer::new(&biz, "254712345678", "Wambui Kamau");
        wambui.say(&app, "Habari").await;
        wambui.say(&app, "Nataka unga mbili na sukari moja").await;
        wambui.say(&app, "nataka mafuta").await;
        wambui.say(&app, "sukari kumi").await;
        wambui.tap(&app, "Place order").await;
        wambui.tap(&app, "Pickup").await;
        wambui.tap(&app, "Cash").await;
        insta::assert_snapshot!("shop_sw", wambui.log);
        // Reserved, not yet consumed: 2 unga, and all 6 sugar.
        assert_eq!(stock(&db, biz.tenant, "UNGA-2KG").await, (40, 2));
        assert_eq!(stock(&db, biz.tenant, "SUGAR-1KG").await, (6, 6));

        // Another customer now finds the sugar sold out.
        let mut otieno = Customer::new(&biz, "254723456789", "Otieno");
        otieno.say(&app, "2 sugar").await;
        assert!(
            otieno.log.contains("Sukari 1kg is sold out"),
            "{}",
            otieno.log
        );

        // Cancelling the order releases the stock.
        let r = app.get("/api/v1/orders", &biz.owner.token).await;
        let id = r.body["items"][0]["id"].as_str().unwrap().to_string();
        let r = app
            .request(
                axum::http::Method::PATCH,
                &format!("/api/v1/orders/{id}/stage"),
                Some(&biz.owner.token),
                Some(json!({"stage": "cancelled"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(stock(&db, biz.tenant, "SUGAR-1KG").await, (6, 0));
    }
}

#[tokio::test]
async fn closed_hours_refuse_with_the_next_opening_or_schedule() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", monday_morning_ba());
        let biz = business(
            &app,
            "martin-closed",
            "restaurant",
            "es-AR",
            "200000000000006",
        )
        .await;
        let mut lucia = Customer::new(&biz, "5491123456789", "Lucía");
        lucia.say(&app, "hola").await;
        lucia.say(&app, "una pizza muzzarella").await;
        lucia.tap(&app, "Confirmar pedido").await;
        lucia.tap(&app, "Programar pedido").await;
        lucia.tap(&app, "Retiro en el local").await;
        lucia.tap(&app, "Efectivo").await;
        insta::assert_snapshot!("closed_schedule_es", lucia.log);
        let scheduled = count(
            &db,
            "SELECT COUNT(*) FROM orders WHERE tenant_id = $1 AND scheduled_for IS NOT NULL",
            biz.tenant,
        )
        .await;
        assert_eq!(scheduled, 1);

        // A business that does not take scheduled orders just refuses.
        let shop = business(&app, "njeri-closed", "shop", "en-KE", "200000000000007").await;
        let mut otieno = Customer::new(&shop, "254723456789", "Otieno");
        let late = TestApp::chat(
            db.clone(),
            "http://127.0.0.1:9",
            "2026-11-20T19:00:00Z".parse().unwrap(),
        );
        otieno.say(&late, "2 milk").await;
        otieno.tap(&late, "Place order").await;
        insta::assert_snapshot!("closed_refusal_en", otieno.log);
        let n = count(
            &db,
            "SELECT COUNT(*) FROM orders WHERE tenant_id = $1",
            shop.tenant,
        )
        .await;
        assert_eq!(n, 0);
    }
}

#[tokio::test]
async fn opting_out_is_recorded_and_respected() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let biz = business(
            &app,
            "martin-optout",
            "restaurant",
            "es-AR",
            "200000000000008",
        )
        .await;
        let mut lucia = Customer::new(&biz, "5491123456789", "Lucía");
        lucia.say(&app, "chau, no quiero más mensajes").await;
        let c = store::customers::find_by_wa_id(&db, biz.tenant, "5491123456789")
            .await
            .unwrap()
            .unwrap();
        assert!(c.opted_out_at.is_some());

        // A promotion is refused; a notice about the customer's order is not.
        let note = |purpose, body: &str| {
            engine::outbound::Note::text(
                biz.tenant,
                engine::outbound::To::Customer(&c),
                purpose,
                "es",
                body.to_string(),
                vec!["EMP-0001".into(), body.to_string()],
            )
        };
        use domain::outbound::Purpose;
        let refused =
            engine::outbound::send(&db, &note(Purpose::Promotion, "2x1 los martes")).await;
        assert!(
            matches!(refused, Err(engine::outbound::OutboundError::OptedOut)),
            "{refused:?}"
        );
        let reminder =
            engine::outbound::send(&db, &note(Purpose::PaymentReminder, "Te recordamos")).await;
        assert!(matches!(
            reminder,
            Err(engine::outbound::OutboundError::OptedOut)
        ));
        assert!(
            engine::outbound::send(&db, &note(Purpose::StageNotice, "Tu pedido está en camino"))
                .await
                .is_ok()
        );

        // A broadcast to many: one opt-out query, each its own outcome.
        let mut tomas = Customer::new(&biz, "5491123456780", "Tomás");
        tomas.say(&app, "hola").await;
        let t = store::customers::find_by_wa_id(&db, biz.tenant, "5491123456780")
            .await
            .unwrap()
            .unwrap();
        let promo = |c| {
            engine::outbound::Note::text(
                biz.tenant,
                engine::outbound::To::Customer(c),
                Purpose::Promotion,
                "es",
                "2x1 los martes".to_string(),
                Vec::new(),
            )
        };
        let outcomes = engine::outbound::send_many(&db, biz.tenant, &[promo(&c), promo(&t)])
            .await
            .unwrap();
        assert!(matches!(
            outcomes[0],
            Err(engine::outbound::OutboundError::OptedOut)
        ));
        let queued = outcomes[1].as_ref().unwrap();
        let m = store::wa::message(&db, *queued).await.unwrap();
        assert_eq!(m.body.as_deref(), Some("2x1 los martes"));
        let bulk = store::jobs::list(&db, Some(store::jobs::JobStatus::Queued), 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|j| j.queue == "bulk" && j.kind == "send_message")
            .count();
        assert_eq!(bulk, 1, "a promotion waits in the bulk queue");

        lucia.say(&app, "BAJA").await;
        lucia.say(&app, "ALTA").await;
        insta::assert_snapshot!("opt_out_es", lucia.log);
        let c = store::customers::find_by_wa_id(&db, biz.tenant, "5491123456789")
            .await
            .unwrap()
            .unwrap();
        assert!(c.opted_out_at.is_none());
    }
}

#[tokio::test]
async fn a_person_takes_over_and_the_staff_are_told() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let biz = business(
            &app,
            "martin-human",
            "restaurant",
            "es-AR",
            "200000000000009",
        )
        .await;
        let alerts = || {
            count(
                &db,
                "SELECT COUNT(*) FROM outbox WHERE tenant_id = $1 AND kind = 'needs_person'",
                biz.tenant,
            )
        };
        let mut lucia = Customer::new(&biz, "5491123456789", "Lucía");
        lucia.say(&app, "asdfgh").await;
        lucia.say(&app, "qwerty").await;
        lucia.say(&app, "zxcvb").await;
        assert_eq!(alerts().await, 1, "the third miss goes to a person");
        // Paused: stored, not answered; greetings and the menu word are
        // for the person too, and asking again does not alert again.
        lucia.say(&app, "¿hola? ¿alguien?").await;
        lucia.say(&app, "menu").await;
        lucia.say(&app, "hi").await;
        lucia.say(&app, "quiero hablar con una persona").await;
        assert_eq!(alerts().await, 1);
        let inbox = app.get("/api/v1/inbox", &biz.owner.token).await;
        let items = inbox.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{:?}", inbox.body);
        assert_eq!(items[0]["reason"], "not_understood");
        assert_eq!(
            items[0]["last_message"]["body"],
            "quiero hablar con una persona"
        );

        // The person answered: resolving hands the conversation back.
        let id = items[0]["id"].as_str().unwrap();
        let r = app
            .post(
                &format!("/api/v1/inbox/{id}/resolve"),
                &biz.owner.token,
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        lucia.say(&app, "menu").await;
        lucia.say(&app, "quiero hablar con una persona").await;
        insta::assert_snapshot!("handoff_es", lucia.log);
        assert_eq!(alerts().await, 2, "the owner is told each time");
        let inbox = app.get("/api/v1/inbox", &biz.owner.token).await;
        assert_eq!(inbox.body["items"][0]["reason"], "asked_for_person");
        assert_ne!(inbox.body["items"][0]["id"], id, "a new entry");
    }
}

#[tokio::test]
async fn a_restart_in_the_middle_of_a_conversation_loses_nothing() {
    for fresh in store::testing::backends_fresh().await {
        let db = fresh.db.clone();
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let biz = business(
            &app,
            "martin-restart",
            "restaurant",
            "es-AR",
            "200000000000010",
        )
        .await;
        let mut lucia = Customer::new(&biz, "5491123456789", "Lucía");
        lucia.say(&app, "tres de carne y una coca").await;
        lucia.tap(&app, "Confirmar pedido").await;
        lucia.tap(&app, "Envío a domicilio").await;
        drop(app);
        db.close().await;

        // A new process: a new pool and a new engine over the same database.
        let db = Db::connect(&fresh.url).await.unwrap();
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        lucia.tap(&app, "Belgrano").await;
        lucia.tap(&app, "Seguir comprando").await;
        lucia.tap(&app, "Pizzas").await;
        lucia.tap(&app, "Pizza napolitana").await;
        lucia.tap(&app, "Confirmar pedido").await;
        lucia.tap(&app, "Belgrano").await;
        lucia.say(&app, "Juramento 2000").await;
        lucia.tap(&app, "Efectivo").await;
        insta::assert_snapshot!("restart_es", lucia.log);
        let n = count(
            &db,
            "SELECT COUNT(*) FROM orders WHERE tenant_id = $1",
            biz.tenant,
        )
        .await;
        assert_eq!(n, 1);
    }
}

#[tokio::test]
async fn two_customers_of_two_businesses_at_once() {
    for db in store::testing::backends().await {
        let app = TestApp::chat(db.clone(), "http://127.0.0.1:9", friday_afternoon());
        let martin = business(&app, "martin-two", "restaurant", "es-AR", "200000000000011").await;
        let njeri = business(&app, "njeri-two", "shop", "en-KE", "200000000000012").await;
        let mut lucia = Customer::new(&martin, "5491123456789", "Lucía");
        let mut wambui = Customer::new(&njeri, "254712345678", "Wambui");
        // Both write before either is processed, then the workers run.
        let script: [(&str, &str); 3] = [
            ("una docena de carne", "unga mbili"),
            ("retiro", "pickup"),
            ("efectivo", "cash"),
        ];
        for (es, sw) in script {
            let m1 = lucia.message("text", json!({"body": es}));
            lucia.post(&app, m1, es.into()).await;
            let m2 = wambui.message("text", json!({"body": sw}));
            wambui.post(&app, m2, sw.into()).await;
            drain(&app).await;
            lucia.collect(&db).await;
            wambui.collect(&db).await;
        }
        insta::assert_snapshot!("two_at_once_es", lucia.log);
        insta::assert_snapshot!("two_at_once_en", wambui.log);
        let a = count(
            &db,
            "SELECT COUNT(*) FROM orders WHERE tenant_id = $1",
            martin.tenant,
        )
        .await;
        let b = count(
            &db,
            "SELECT COUNT(*) FROM orders WHERE tenant_id = $1",
            njeri.tenant,
        )
        .await;
        assert_eq!((a, b), (1, 1));
        // Each business sees only its own order.
        let theirs = app.get("/api/v1/orders", &martin.owner.token).await;
        let id = theirs.body["items"][0]["id"].as_str().unwrap();
        let r = app
            .get(&format!("/api/v1/orders/{id}"), &njeri.owner.token)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
}
