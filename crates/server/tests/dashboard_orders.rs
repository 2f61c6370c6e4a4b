//! The dashboard's Orders pages: the kanban, moving cards (form post and
//! script), the deposit rule on the card, the quick order form, the
//! order's panel, the kitchen, roles and other businesses' orders.

#![allow(
    clippy::unwrap_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::{Method, StatusCode};
use common::dashboard::{Html, Web};
use common::{Owner, TestApp, on_every_backend};
use serde_json::{Value, json};

/// The HTML of the kanban column for `stage`.
fn column<'a>(page: &'a Html, stage: &str) -> &'a str {
    let start = page
        .body
        .find(&format!("<section class=\"col\" data-stage=\"{stage}\""))
        .unwrap_or_else(|| panic!("no {stage} column: {}", page.body));
    let rest = &page.body[start + 10..];
    let end = rest.find("<section class=\"col\"").unwrap_or(rest.len());
    &page.body[start..start + 10 + end]
}

async fn stage_of(app: &TestApp, o: &Owner, id: &str) -> (String, usize) {
    let r = app.get(&format!("/api/v1/orders/{id}"), &o.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    (
        r.body["current_stage"].as_str().unwrap().to_string(),
        r.body["stages"].as_array().unwrap().len(),
    )
}

async fn order_count(app: &TestApp, o: &Owner) -> usize {
    let r = app.get("/api/v1/orders", &o.token).await;
    r.body["items"].as_array().unwrap().len()
}

async fn customer_count(app: &TestApp, o: &Owner) -> usize {
    let r = app.get("/api/v1/customers", &o.token).await;
    r.body["items"].as_array().unwrap().len()
}

/// A tailor with two customers' orders, no deposit asked.
async fn tailor_with_orders(app: &TestApp, slug: &str) -> (Owner, Web, Value, Value) {
    let o = app.register(slug, "tailor").await;
    let web = app.web(&o).await;
    let c1 = app.customer(&o, "Amaka Obi", "08031234567").await;
    let c2 = app.customer(&o, "Tunde Bello", "08039876543").await;
    let a = app
        .order(
            &o,
            c1["id"].as_str().unwrap(),
            json!({"style_name": "Ankara midi dress", "deposit_amount": 0}),
        )
        .await;
    let b = app
        .order(
            &o,
            c2["id"].as_str().unwrap(),
            json!({"style_name": "Senator suit", "deposit_amount": 0}),
        )
        .await;
    (o, web, a, b)
}

fn flash_of(page: &Html) -> String {
    let raw = page
        .set_cookies
        .iter()
        .find(|c| c.starts_with("sokoni_flash="))
        .map(|c| {
            c["sokoni_flash=".len()..]
                .split(';')
                .next()
                .unwrap()
                .to_string()
        })
        .unwrap_or_default();
    form_urlencoded::parse(format!("x={raw}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn the_kanban_shows_each_order_in_its_stage_column() {
    on_every_backend(|app| async move {
        let (o, web, a, b) = tailor_with_orders(&app, "kanban").await;
        let a_id = a["id"].as_str().unwrap();
        let r = app
            .patch(
                &format!("/api/v1/orders/{a_id}/stage"),
                &o.token,
                json!({"stage": "cutting"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);

        let page = app.page(&web, "/app/orders").await;
        assert_eq!(page.status, StatusCode::OK);
        let a_ref = a["order_ref"].as_str().unwrap();
        let b_ref = b["order_ref"].as_str().unwrap();
        // One column per stage of a tailor's pipeline.
        for s in [
            "received",
            "cutting",
            "sewing",
            "fitting",
            "ready",
            "delivered",
        ] {
            column(&page, s);
        }
        assert!(
            !page.body.contains("data-stage=\"packed\""),
            "not a tailor's stage"
        );
        assert!(column(&page, "cutting").contains(a_ref));
        assert!(!column(&page, "received").contains(a_ref));
        assert!(column(&page, "received").contains(b_ref));
        assert!(column(&page, "received").contains("Tunde Bello"));
        assert!(column(&page, "received").contains("Senator suit"));
        // The card's price, in the business's money, and its moves.
        assert!(page.shows("₦45,000"));
        assert!(column(&page, "cutting").contains("Move to Sewing"));
        assert!(page.body.contains("/app/static/orders.js"));

        // Filters: by stage, and a search by customer.
        let only = app.page(&web, "/app/orders?stage=cutting").await;
        assert!(only.shows(a_ref) && !only.shows(b_ref));
        // A move from a filtered board comes back to it.
        assert!(
            only.body
                .contains("name=\"back\" value=\"/app/orders?stage=cutting\"")
        );
        let found = app.page(&web, "/app/orders?q=tunde").await;
        assert!(found.shows(b_ref) && !found.shows(a_ref));
        let by_ref = app
            .page(&web, &format!("/app/orders?q={}", a_ref.to_lowercase()))
            .await;
        assert!(by_ref.shows(a_ref) && !by_ref.shows(b_ref));
        // A due range that holds neither.
        let none = app
            .page(&web, "/app/orders?due_from=2001-01-01&due_to=2001-01-02")
            .await;
        assert!(!none.shows(a_ref) && !none.shows(b_ref));
        // Nonsense filters are ignored, never a fault.
        let odd = app.page(&web, "/app/orders?stage=nope&due_from=soon").await;
        assert_eq!(odd.status, StatusCode::OK);
        assert!(odd.shows(a_ref) && odd.shows(b_ref));
    })
    .await;
}

#[tokio::test]
async fn moving_a_card_by_form_post_moves_the_order_and_its_history_grows() {
    on_every_backend(|app| async move {
        let (o, web, a, _) = tailor_with_orders(&app, "mover").await;
        let id = a["id"].as_str().unwrap();
        assert_eq!(stage_of(&app, &o, id).await, ("received".into(), 1));

        let r = app
            .form(
                &web,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "cutting")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location.as_deref(), Some("/app/orders"));
        assert!(
            flash_of(&r).contains("moved to Cutting"),
            "{:?}",
            r.set_cookies
        );
        assert_eq!(stage_of(&app, &o, id).await, ("cutting".into(), 2));

        // The same move as a script sends it: JSON, with the stages it may take next.
        let j = app
            .form_json(
                &web,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "sewing")],
            )
            .await;
        assert_eq!(j.status, StatusCode::OK, "{}", j.body);
        let body: Value = serde_json::from_str(&j.body).unwrap();
        assert_eq!(body["ok"], true);
        assert_eq!(body["stage"], "sewing");
        assert_eq!(body["next"], "fitting");
        assert_eq!(stage_of(&app, &o, id).await, ("sewing".into(), 3));

        // Who moved it: the signed-in owner, in the panel's history.
        let panel = app.page(&web, &format!("/app/orders/{id}")).await;
        assert!(panel.shows("by Owner"), "{}", panel.body);

        // A move the pipeline forbids: refused with the reason, nothing changes.
        let bad = app
            .form_json(
                &web,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "delivered")],
            )
            .await;
        assert_eq!(bad.status, StatusCode::CONFLICT);
        assert!(bad.shows("The order cannot move there from its stage."));
        let none = app
            .form_json(
                &web,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "flying")],
            )
            .await;
        assert_eq!(none.status, StatusCode::CONFLICT);
        assert_eq!(stage_of(&app, &o, id).await, ("sewing".into(), 3));
    })
    .await;
}

#[tokio::test]
async fn an_unpaid_deposit_keeps_a_tailor_order_received_with_the_reason_on_the_card() {
    on_every_backend(|app| async move {
        let o = app.register("deposit", "tailor").await;
        let web = app.web(&o).await;
        let c = app.customer(&o, "Amaka Obi", "08031234567").await;
        // ₦15,000 deposit asked, nothing paid.
        let ord = app.order(&o, c["id"].as_str().unwrap(), json!({})).await;
        let id = ord["id"].as_str().unwrap();
        let why = "The deposit is not paid yet";

        let board = app.page(&web, "/app/orders").await;
        assert!(column(&board, "received").contains("Deposit not paid"));

        let r = app
            .form(
                &web,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "cutting")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let to = r.location.clone().unwrap();
        assert_eq!(to, format!("/app/orders?refused={id}"));
        let notice = flash_of(&r);
        assert!(notice.starts_with(why), "{notice}");
        assert_eq!(stage_of(&app, &o, id).await, ("received".into(), 1));

        // The page it goes back to shows the reason on that card.
        let cookie = format!(
            "{}; sokoni_flash={}",
            web.cookie,
            form_urlencoded::byte_serialize(notice.as_bytes()).collect::<String>()
        );
        let back = app
            .web_request(Method::GET, &to, None, &[("cookie", &cookie)], None)
            .await;
        let card_start = back.body.find(&format!("id=\"card-{id}\"")).unwrap();
        let card = &back.body[card_start..];
        let card = &card[..card.find("</article>").unwrap()];
        assert!(
            card.contains("class=\"why\" role=\"alert\">The deposit is not paid yet"),
            "{card}"
        );

        // As a script: a 409 in the person's words.
        let j = app
            .form_json(
                &web,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "cutting")],
            )
            .await;
        assert_eq!(j.status, StatusCode::CONFLICT);
        let body: Value = serde_json::from_str(&j.body).unwrap();
        assert_eq!(body["error"]["code"], "deposit_due");
        assert!(body["error"]["message"].as_str().unwrap().starts_with(why));
        assert_eq!(stage_of(&app, &o, id).await, ("received".into(), 1));

        // Once the deposit is in, the same move goes through.
        let paid = app
            .post(
                "/api/v1/payments/manual",
                &o.token,
                json!({"order_id": id, "amount": 1_500_000, "method": "cash", "type": "deposit"}),
            )
            .await;
        assert_eq!(paid.status, StatusCode::CREATED, "{:?}", paid.body);
        let ok = app
            .form(
                &web,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "cutting")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(stage_of(&app, &o, id).await, ("cutting".into(), 2));
    })
    .await;
}

#[tokio::test]
async fn the_quick_form_shows_errors_next_to_its_fields_and_creates_nothing() {
    on_every_backend(|app| async move {
        let o = app.register("quickbad", "tailor").await;
        let web = app.web(&o).await;
        let r = app
            .form(
                &web,
                "/app/orders",
                &[
                    ("phone", "not a phone"),
                    ("name", "Ada"),
                    ("what", "Kaftan"),
                    ("price", "lots"),
                    ("due", "2001-01-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("id=\"q-phone-err\""));
        assert!(r.body.contains("id=\"q-price-err\""));
        assert!(r.body.contains("id=\"q-due-err\""));
        assert!(!r.body.contains("id=\"q-what-err\""), "what was fine");
        assert!(r.shows("Write the price as a number"));
        assert!(r.shows("That day has already passed."));
        // What was typed stays in the form, which is open.
        assert!(r.body.contains("value=\"Kaftan\""));
        assert!(r.body.contains("id=\"quick\" open"));
        assert_eq!(order_count(&app, &o).await, 0);
        assert_eq!(customer_count(&app, &o).await, 0);

        // A missing style and a date that is no date.
        let r = app
            .form(
                &web,
                "/app/orders",
                &[
                    ("phone", "08031234567"),
                    ("what", " "),
                    ("price", "45000"),
                    ("due", "soon"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"q-what-err\""));
        assert!(r.body.contains("id=\"q-due-err\""));
        assert!(!r.body.contains("id=\"q-phone-err\""));
        assert_eq!(order_count(&app, &o).await, 0);
        assert_eq!(customer_count(&app, &o).await, 0);

        // As a script: the fields named.
        let j = app
            .form_json(
                &web,
                "/app/orders",
                &[("phone", "x"), ("what", "Kaftan"), ("price", "0")],
            )
            .await;
        assert_eq!(j.status, StatusCode::UNPROCESSABLE_ENTITY);
        let body: Value = serde_json::from_str(&j.body).unwrap();
        assert!(body["error"]["fields"]["phone"].is_string());
        assert!(body["error"]["fields"]["price"].is_string());
        assert_eq!(order_count(&app, &o).await, 0);
    })
    .await;
}

#[tokio::test]
async fn a_good_quick_order_is_created_for_the_customer_with_that_number() {
    on_every_backend(|app| async move {
        let o = app.register("quickgood", "tailor").await;
        let web = app.web(&o).await;
        let known = app.customer(&o, "Amaka Obi", "+2348031234567").await;
        let due = (chrono::Utc::now() + chrono::Duration::days(10))
            .with_timezone(&chrono_tz::Africa::Lagos)
            .date_naive()
            .format("%Y-%m-%d")
            .to_string();

        // A new number: a new customer, with the name typed.
        let r = app
            .form(
                &web,
                "/app/orders",
                &[
                    ("phone", "0803 555 1234"),
                    ("name", "Ngozi Eze"),
                    ("what", "Agbada"),
                    ("price", "60,000"),
                    ("due", &due),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(flash_of(&r).contains("created"));
        let list = app.get("/api/v1/orders", &o.token).await;
        let items = list.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        let made = &items[0];
        assert_eq!(made["style_name"], "Agbada");
        assert_eq!(made["price"], 6_000_000);
        assert_eq!(made["source"], "dashboard");
        assert_eq!(made["current_stage"], "received");
        let deadline = made["deadline"].as_str().unwrap();
        let local = chrono::DateTime::parse_from_rfc3339(deadline)
            .unwrap()
            .with_timezone(&chrono_tz::Africa::Lagos);
        assert_eq!(
            local.format("%Y-%m-%d").to_string(),
            due,
            "end of that day in Lagos"
        );
        let cust = app
            .get(
                &format!(
                    "/api/v1/customers/{}",
                    made["customer_id"].as_str().unwrap()
                ),
                &o.token,
            )
            .await;
        assert_eq!(cust.body["phone"], "+2348035551234");
        assert_eq!(cust.body["name"], "Ngozi Eze");

        // A known number, typed locally: the same customer, who keeps their name.
        let j = app
            .form_json(
                &web,
                "/app/orders",
                &[
                    ("phone", "0803 123 4567"),
                    ("name", "Someone Else"),
                    ("what", "Buba"),
                    ("price", "15000"),
                ],
            )
            .await;
        assert_eq!(j.status, StatusCode::OK, "{}", j.body);
        let body: Value = serde_json::from_str(&j.body).unwrap();
        let made = app
            .get(
                &format!("/api/v1/orders/{}", body["id"].as_str().unwrap()),
                &o.token,
            )
            .await;
        assert_eq!(made.body["customer_id"], known["id"]);
        assert_eq!(customer_count(&app, &o).await, 2);
        let c = app
            .get(
                &format!("/api/v1/customers/{}", known["id"].as_str().unwrap()),
                &o.token,
            )
            .await;
        assert_eq!(c.body["name"], "Amaka Obi");

        let board = app.page(&web, "/app/orders").await;
        assert!(column(&board, "received").contains("Agbada"));
        assert!(column(&board, "received").contains("Buba"));
    })
    .await;
}

#[tokio::test]
async fn the_panel_is_a_fragment_and_shows_measurements_history_payments_and_the_thread() {
    on_every_backend(|app| async move {
        let o = app.register("panel", "tailor").await;
        let web = app.web(&o).await;
        let c = app.customer(&o, "Amaka Obi", "08031234567").await;
        let cid = c["id"].as_str().unwrap();
        let m = app
            .post(
                &format!("/api/v1/customers/{cid}/measurements"),
                &o.token,
                json!({"chest": 38, "waist": 32.5, "custom_fields": {"gown_length": 56}}),
            )
            .await;
        assert_eq!(m.status, StatusCode::CREATED, "{:?}", m.body);
        let ord = app
            .order(&o, cid, json!({"fabric_info": "Blue ankara, 6 yards"}))
            .await;
        let id = ord["id"].as_str().unwrap();
        let paid = app
            .post(
                "/api/v1/payments/manual",
                &o.token,
                json!({"order_id": id, "amount": 1_500_000, "method": "transfer", "type": "deposit"}),
            )
            .await;
        assert_eq!(paid.status, StatusCode::CREATED, "{:?}", paid.body);

        let frag = app
            .web_request(Method::GET, &format!("/app/orders/{id}"), Some(&web), &[("x-fragment", "1")], None)
            .await;
        assert_eq!(frag.status, StatusCode::OK);
        assert!(!frag.body.contains("<html"), "no layout in a fragment");
        assert!(!frag.body.contains("class=\"side\""));
        assert!(frag.body.contains("data-close-panel"));
        assert!(frag.shows(ord["order_ref"].as_str().unwrap()));
        assert!(frag.shows("Senator"));
        assert!(frag.shows("Blue ankara, 6 yards"));
        // The measurements the order holds, in the unit they were taken in.
        assert!(frag.shows("Version 1"));
        assert!(frag.shows("32.5"));
        assert!(frag.shows("gown length"));
        // Its history and the payment.
        assert!(frag.shows("Received"));
        assert!(frag.shows("₦15,000"));
        assert!(frag.shows("transfer"));
        assert!(frag.shows("₦30,000"), "the balance");
        // Work may start now: the move is offered.
        assert!(frag.shows("Move to Cutting"));
        assert!(frag.shows("No WhatsApp messages with this customer yet."));
        assert!(frag.body.contains(&format!("/app/customers/{cid}")));

        let full = app.page(&web, &format!("/app/orders/{id}")).await;
        assert_eq!(full.status, StatusCode::OK);
        assert!(full.body.contains("<html"));
        assert!(full.shows("Blue ankara, 6 yards"));

        // A move from the panel goes back to the panel's page.
        let r = app
            .form(
                &web,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "cutting"), ("back", &format!("/app/orders/{id}"))],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some(format!("/app/orders/{id}").as_str()));
        // ...but never to another site.
        let r = app
            .form(
                &web,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "sewing"), ("back", "https://evil.example/")],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/app/orders"));
    })
    .await;
}

#[tokio::test]
async fn the_kitchen_shows_todays_orders_newest_first_and_is_only_for_restaurants() {
    on_every_backend(|app| async move {
        let o = app.register("cocina", "restaurant").await;
        let web = app.web(&o).await;
        let c = app.customer(&o, "Lucía", "+5491123456789").await;
        let cid = c["id"].as_str().unwrap();
        let first = app
            .order(
                &o,
                cid,
                json!({"style_name": "Milanesa napolitana", "price": 950_000, "deposit_amount": 0}),
            )
            .await;
        let second = app
            .order(
                &o,
                cid,
                json!({"style_name": "Empanadas x12", "price": 1_200_000, "deposit_amount": 0}),
            )
            .await;
        let page = app.page(&web, "/app/kitchen").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("data-live=\"1\""));
        assert!(page.body.contains("data-live-region"));
        let a = page.body.find("Milanesa napolitana").unwrap();
        let b = page.body.find("Empanadas x12").unwrap();
        assert!(b < a, "newest first");
        // In Spanish, with the one big tap to the next stage.
        assert!(page.shows("Cocina"));
        assert!(page.shows("Pasar a En preparación"));

        // One tap moves it on and comes back to the kitchen.
        let id = first["id"].as_str().unwrap();
        let r = app
            .form(
                &web,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "preparing"), ("back", "/app/kitchen")],
            )
            .await;
        assert_eq!(r.location.as_deref(), Some("/app/kitchen"));
        assert_eq!(stage_of(&app, &o, id).await.0, "preparing");
        let page = app.page(&web, "/app/kitchen").await;
        let preparing = page.body.find("id=\"k-preparing\"").unwrap();
        let ready = page.body.find("id=\"k-ready\"").unwrap();
        let at = page.body.find("Milanesa napolitana").unwrap();
        assert!(preparing < at && at < ready, "in the preparing column");
        assert!(page.body.find("Empanadas x12").unwrap() < preparing);
        let _ = second;

        // A tailor has no kitchen.
        let t = app.register("sastre", "tailor").await;
        let tw = app.web(&t).await;
        assert_eq!(
            app.page(&tw, "/app/kitchen").await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[tokio::test]
async fn a_viewer_sees_the_board_without_controls_and_cannot_move() {
    on_every_backend(|app| async move {
        let (o, _, a, _) = tailor_with_orders(&app, "viewing").await;
        let viewer = app.add_user(&o, "viewer@example.com", "viewer").await;
        let vw = app.web(&viewer).await;
        let id = a["id"].as_str().unwrap();
        let page = app.page(&vw, "/app/orders").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.shows(a["order_ref"].as_str().unwrap()));
        assert!(!page.body.contains("/stage\""), "no move controls");
        assert!(!page.body.contains("draggable=\"true\""));
        assert!(
            !page.body.contains("action=\"/app/orders\" class=\"form\""),
            "no quick form"
        );

        let r = app
            .form(
                &vw,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "cutting")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let j = app
            .form_json(
                &vw,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "cutting")],
            )
            .await;
        assert_eq!(j.status, StatusCode::FORBIDDEN);
        assert_eq!(stage_of(&app, &o, id).await, ("received".into(), 1));
        let q = app
            .form(
                &vw,
                "/app/orders",
                &[("phone", "08031110000"), ("what", "X"), ("price", "100")],
            )
            .await;
        assert_eq!(q.status, StatusCode::FORBIDDEN);
        assert_eq!(order_count(&app, &o).await, 2);
    })
    .await;
}

#[tokio::test]
async fn another_business_order_is_not_found_on_every_page_and_post() {
    on_every_backend(|app| async move {
        let (o, _, a, _) = tailor_with_orders(&app, "mine").await;
        let other = app.register("theirs", "tailor").await;
        let ow = app.web(&other).await;
        let id = a["id"].as_str().unwrap();
        assert_eq!(
            app.page(&ow, &format!("/app/orders/{id}")).await.status,
            StatusCode::NOT_FOUND
        );
        let frag = app
            .web_request(
                Method::GET,
                &format!("/app/orders/{id}"),
                Some(&ow),
                &[("x-fragment", "1")],
                None,
            )
            .await;
        assert_eq!(frag.status, StatusCode::NOT_FOUND);
        let r = app
            .form(
                &ow,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "cutting")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let j = app
            .form_json(
                &ow,
                &format!("/app/orders/{id}/stage"),
                &[("stage", "cutting")],
            )
            .await;
        assert_eq!(j.status, StatusCode::NOT_FOUND);
        assert_eq!(stage_of(&app, &o, id).await, ("received".into(), 1));
        // Their board does not list it; a bad id is a 404, not a fault.
        let board = app.page(&ow, "/app/orders").await;
        assert!(!board.shows(a["order_ref"].as_str().unwrap()));
        assert_eq!(
            app.page(&ow, "/app/orders/not-an-id").await.status,
            StatusCode::NOT_FOUND
        );
        let bad = app
            .form(&ow, "/app/orders/not-an-id/stage", &[("stage", "cutting")])
            .await;
        assert_eq!(bad.status, StatusCode::NOT_FOUND);
    })
    .await;
}
