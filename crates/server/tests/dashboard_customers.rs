//! The dashboard's customers and inbox: search, the profile's figures and
//! measurement changes, the thread's reply box and the 24-hour window,
//! opt-out, taking a conversation over and handing it back, roles, and
//! another business's ids.

#![allow(
    clippy::unwrap_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::http::StatusCode;
use channels::outbound::OutMessage;
use common::TestApp;
use common::chat::{Biz, Customer, business, drain, outbound};
use domain::messages::Attention;
use domain::{CustomerId, TenantId};
use serde_json::{Value, json};

/// Every scenario on SQLite, and on PostgreSQL when configured, with the
/// chat engine answering (clock now) and sandbox numbers.
async fn run<F, Fut>(scenario: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in store::testing::backends().await {
        eprintln!("backend: {}", db.backend());
        scenario(TestApp::chat(db, "http://127.0.0.1:9", chrono::Utc::now())).await;
    }
}

async fn customer_id(app: &TestApp, biz: &Biz, wa_id: &str) -> String {
    let c = app
        .get(
            &format!("/api/v1/customers/by-wa/{wa_id}"),
            &biz.owner.token,
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{:?}", c.body);
    c.body["id"].as_str().unwrap().to_string()
}

fn cid(id: &str) -> CustomerId {
    CustomerId(id.parse().unwrap())
}

/// Outbound messages of the business to `wa_id`.
async fn sent_to(app: &TestApp, biz: &Biz, wa_id: &str) -> Vec<OutMessage> {
    outbound(&app.state.db, biz.tenant, wa_id).await
}

/// Opens an inbox entry for the customer, as the bot does.
async fn needs_person(app: &TestApp, tenant: TenantId, customer: &str, detail: &str) -> String {
    let mut tx = app.state.db.begin().await.unwrap();
    let id = engine::inbox::needs_person(
        &mut tx,
        tenant,
        cid(customer),
        Attention::AskedForPerson,
        detail,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    drain(app).await;
    id.to_string()
}

async fn paused(app: &TestApp, tenant: TenantId, customer: &str) -> bool {
    store::chat::flags(&app.state.db, tenant, cid(customer))
        .await
        .unwrap()
        .bot_paused_until
        .is_some_and(|u| u > now(app))
}

fn now(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    engine::clock::Clock::now(&app.clock)
}

#[tokio::test]
async fn search_finds_by_part_of_the_name_or_phone_and_never_another_business() {
    run(|app| async move {
        let biz = business(&app, "lagos", "tailor", "en-NG", "100000000001").await;
        let other = business(&app, "other", "tailor", "en-NG", "100000000002").await;
        let amaka = app
            .customer(&biz.owner, "Amaka Obi", "+2348031112222")
            .await;
        app.customer(&biz.owner, "Bola Ade", "+2348039998888").await;
        app.customer(&other.owner, "Amaka Elsewhere", "+2348031115555")
            .await;
        let web = app.web(&biz.owner).await;

        let all = app.page(&web, "/app/customers").await;
        assert_eq!(all.status, StatusCode::OK);
        assert!(
            all.shows("Amaka Obi") && all.shows("Bola Ade"),
            "{}",
            all.body
        );
        assert!(!all.shows("Amaka Elsewhere"));

        let by_name = app.page(&web, "/app/customers?q=AMAK").await;
        assert!(by_name.shows("Amaka Obi"), "{}", by_name.body);
        assert!(!by_name.shows("Bola Ade"));
        assert!(!by_name.shows("Amaka Elsewhere"));
        assert!(
            by_name
                .body
                .contains(&format!("/app/customers/{}", amaka["id"].as_str().unwrap()))
        );

        let by_phone = app.page(&web, "/app/customers?q=999888").await;
        assert!(by_phone.shows("Bola Ade"), "{}", by_phone.body);
        assert!(!by_phone.shows("Amaka Obi"));

        let none = app.page(&web, "/app/customers?q=zzz").await;
        assert!(none.shows("No customer matches “zzz”."), "{}", none.body);
        // Another business's own search finds only its own.
        let web_other = app.web(&other.owner).await;
        let theirs = app.page(&web_other, "/app/customers?q=amaka").await;
        assert!(theirs.shows("Amaka Elsewhere") && !theirs.shows("Amaka Obi"));
    })
    .await;
}

#[tokio::test]
async fn the_list_is_paged() {
    run(|app| async move {
        let biz = business(&app, "paged", "shop", "en-KE", "100000000003").await;
        for i in 0..27 {
            app.customer(
                &biz.owner,
                &format!("Buyer {i:02}"),
                &format!("+2547220000{i:02}"),
            )
            .await;
        }
        let web = app.web(&biz.owner).await;
        let first = app.page(&web, "/app/customers").await;
        let rows = first.body.matches("class=\"cust-name\"").count();
        assert_eq!(rows, 25);
        assert!(
            first.body.contains("href=\"/app/customers?page=2\""),
            "{}",
            first.body
        );
        let second = app.page(&web, "/app/customers?page=2").await;
        assert_eq!(second.body.matches("class=\"cust-name\"").count(), 2);
        assert!(second.body.contains("rel=\"prev\""));
        assert!(!second.body.contains("rel=\"next\""));
    })
    .await;
}

#[tokio::test]
async fn the_profile_shows_the_lifetime_value_paid_and_what_changed_in_the_measurements() {
    run(|app| async move {
        let biz = business(&app, "tailor", "tailor", "en-NG", "100000000004").await;
        let c = app.customer(&biz.owner, "Ngozi Eze", "+2348035550004").await;
        let id = c["id"].as_str().unwrap().to_string();
        let order = app.order(&biz.owner, &id, json!({})).await;
        let r = app
            .post(
                "/api/v1/payments/manual",
                &biz.owner.token,
                json!({"order_id": order["id"], "amount": 1_500_000, "method": "cash", "type": "deposit"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let r = app
            .post(
                &format!("/api/v1/customers/{id}/measurements"),
                &biz.owner.token,
                json!({"unit": "in", "chest": 38, "waist": 32, "hip": 40}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let r = app
            .post(
                &format!("/api/v1/customers/{id}/measurements/new-version"),
                &biz.owner.token,
                json!({"waist": 33}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        drain(&app).await;

        let web = app.web(&biz.owner).await;
        let page = app.page(&web, &format!("/app/customers/{id}")).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        // The lifetime value is what was paid, as stored.
        let row = store::customers::get(&app.state.db, biz.tenant, cid(&id)).await.unwrap();
        assert_eq!(row.total_spent, 1_500_000);
        assert!(page.body.contains("<div class=\"value\" id=\"ltv\">₦15,000</div>"), "{}", page.body);
        // The order links into the panel, with what is still due.
        assert!(page.body.contains(&format!("href=\"/app/orders/{}\" data-panel", order["id"].as_str().unwrap())));
        assert!(page.shows(order["order_ref"].as_str().unwrap()));
        assert!(page.shows("₦30,000 due"), "{}", page.body);
        // Two versions, and what changed between them.
        assert!(page.shows("Version 2"), "{}", page.body);
        assert!(page.shows("What changed from version 1"));
        assert!(page.shows("Waist: 32 in → 33 in"), "{}", page.body);
        assert!(page.body.contains("(+1)"));
        // Chest did not change: it is not listed as a change.
        assert!(!page.shows("Chest: 38 in →"));
        assert!(page.shows("In inches"));
    })
    .await;
}

#[tokio::test]
async fn a_reply_inside_the_window_is_queued_as_text_and_shows_its_status() {
    run(|app| async move {
        let biz = business(&app, "replies", "tailor", "en-NG", "100000000005").await;
        let mut ada = Customer::new(&biz, "2348035550005", "Ada");
        ada.say(&app, "hello").await;
        let id = customer_id(&app, &biz, "2348035550005").await;
        let before = sent_to(&app, &biz, "2348035550005").await.len();
        let web = app.web(&biz.owner).await;

        let page = app.page(&web, &format!("/app/customers/{id}")).await;
        assert!(page.shows("you may write freely until"), "{}", page.body);
        assert!(page.body.contains("name=\"text\""));
        assert!(page.shows("hello"), "the thread shows what the customer wrote");

        // An empty message is refused next to the box, nothing queued.
        let empty = app
            .form(&web, &format!("/app/customers/{id}/reply"), &[("mode", "text"), ("text", "  ")])
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
        assert!(empty.body.contains("id=\"reply-text-err\""));
        assert!(empty.shows("Write a message."));
        assert_eq!(sent_to(&app, &biz, "2348035550005").await.len(), before);

        let ok = app
            .form(
                &web,
                &format!("/app/customers/{id}/reply"),
                &[("mode", "text"), ("text", "Your gown is ready, Ada")],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        assert_eq!(ok.location.as_deref(), Some(format!("/app/customers/{id}#thread").as_str()));
        let sent = sent_to(&app, &biz, "2348035550005").await;
        assert_eq!(sent.len(), before + 1);
        assert!(
            matches!(sent.last(), Some(OutMessage::Text { body, .. }) if body == "Your gown is ready, Ada"),
            "{sent:?}"
        );
        drain(&app).await;
        let page = app.page(&web, &format!("/app/customers/{id}")).await;
        assert!(page.shows("Your gown is ready, Ada"));
        assert!(page.body.contains("data-status>sent<"), "{}", page.body);

        // The same post from a script answers JSON.
        let js = app
            .form_json(&web, &format!("/app/customers/{id}/reply"), &[("text", "One more thing")])
            .await;
        assert_eq!(js.status, StatusCode::OK, "{}", js.body);
        let v: Value = serde_json::from_str(&js.body).unwrap();
        assert_eq!(v["ok"], true);
        assert_eq!(v["message"], "Message queued.");
        assert_eq!(sent_to(&app, &biz, "2348035550005").await.len(), before + 2);
        drain(&app).await;
    })
    .await;
}

#[tokio::test]
async fn outside_the_window_free_text_is_refused_and_an_approved_template_goes() {
    run(|app| async move {
        let biz = business(&app, "window", "tailor", "en-NG", "100000000006").await;
        let mut ada = Customer::new(&biz, "2348035550006", "Ada");
        ada.say(&app, "hello").await;
        let id = customer_id(&app, &biz, "2348035550006").await;
        app.clock.advance(chrono::Duration::hours(25));
        let before = sent_to(&app, &biz, "2348035550006").await.len();
        let web = app.web(&biz.owner).await;

        let page = app.page(&web, &format!("/app/customers/{id}")).await;
        assert!(
            page.shows("More than 24 hours since the customer last wrote"),
            "{}",
            page.body
        );
        assert!(
            !page.body.contains("name=\"text\""),
            "no free-text box outside the window"
        );
        assert!(
            page.body.contains("value=\"reengagement\""),
            "{}",
            page.body
        );

        let refused = app
            .form(
                &web,
                &format!("/app/customers/{id}/reply"),
                &[("mode", "text"), ("text", "Are you there?")],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.body
        );
        assert!(refused.body.contains("aria-describedby=\"reply-text-err\""));
        assert!(refused.body.contains("id=\"reply-text-err\""));
        assert!(
            refused.shows(
                "More than 24 hours since the customer last wrote: pick an approved template."
            )
        );
        assert!(refused.shows("Are you there?"), "what was typed is kept");
        assert!(
            refused.body.contains("value=\"reengagement\""),
            "the picker is shown"
        );
        assert_eq!(sent_to(&app, &biz, "2348035550006").await.len(), before);

        let js = app
            .form_json(
                &web,
                &format!("/app/customers/{id}/reply"),
                &[("text", "Are you there?")],
            )
            .await;
        assert_eq!(js.status, StatusCode::CONFLICT, "{}", js.body);
        let v: Value = serde_json::from_str(&js.body).unwrap();
        assert_eq!(v["error"]["code"], "window_closed");
        assert!(
            v["error"]["fields"]["text"]
                .as_str()
                .unwrap()
                .starts_with("More than 24 hours")
        );

        // A template without its parameters is refused; nothing queued.
        let missing = app
            .form(
                &web,
                &format!("/app/customers/{id}/reply"),
                &[
                    ("mode", "template"),
                    ("template", "reengagement"),
                    ("language", "en"),
                    ("param", "Ada"),
                ],
            )
            .await;
        assert_eq!(
            missing.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            missing.body
        );
        assert!(missing.shows("Fill in every parameter."));
        assert!(
            missing.body.contains("value=\"Ada\""),
            "what was typed is kept"
        );
        // A template the business does not have approved is refused too.
        let unknown = app
            .form(
                &web,
                &format!("/app/customers/{id}/reply"),
                &[
                    ("mode", "template"),
                    ("template", "made_up"),
                    ("language", "en"),
                ],
            )
            .await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unknown.shows("Pick one of the approved templates."));
        assert_eq!(sent_to(&app, &biz, "2348035550006").await.len(), before);

        let ok = app
            .form(
                &web,
                &format!("/app/customers/{id}/reply"),
                &[
                    ("mode", "template"),
                    ("template", "reengagement"),
                    ("language", "en"),
                    ("param", "Ada"),
                    ("param", "Biz window"),
                ],
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let sent = sent_to(&app, &biz, "2348035550006").await;
        assert_eq!(sent.len(), before + 1);
        match sent.last() {
            Some(OutMessage::Template {
                name,
                language,
                body,
                ..
            }) => {
                assert_eq!(name, "reengagement");
                assert_eq!(language, "en");
                assert_eq!(body, &vec!["Ada".to_string(), "Biz window".to_string()]);
            }
            other => panic!("expected a template, got {other:?}"),
        }
        drain(&app).await;
    })
    .await;
}

#[tokio::test]
async fn an_opted_out_customer_is_not_sent_a_template() {
    run(|app| async move {
        let biz = business(&app, "optout", "tailor", "en-NG", "100000000007").await;
        let mut ada = Customer::new(&biz, "2348035550007", "Ada");
        ada.say(&app, "hello").await;
        let id = customer_id(&app, &biz, "2348035550007").await;
        store::chat::set_opted_out(&app.state.db, biz.tenant, cid(&id), Some(now(&app)))
            .await
            .unwrap();
        app.clock.advance(chrono::Duration::hours(30));
        let before = sent_to(&app, &biz, "2348035550007").await.len();
        let web = app.web(&biz.owner).await;
        let page = app.page(&web, &format!("/app/customers/{id}")).await;
        assert!(page.shows("Asked not to get promotions or reminders"));
        let r = app
            .form(
                &web,
                &format!("/app/customers/{id}/reply"),
                &[
                    ("mode", "template"),
                    ("template", "reengagement"),
                    ("language", "en"),
                    ("param", "Ada"),
                    ("param", "Biz"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(
            r.shows("This customer asked not to get messages."),
            "{}",
            r.body
        );
        let js = app
            .form_json(
                &web,
                &format!("/app/customers/{id}/reply"),
                &[
                    ("mode", "template"),
                    ("template", "reengagement"),
                    ("language", "en"),
                    ("param", "Ada"),
                    ("param", "Biz"),
                ],
            )
            .await;
        assert_eq!(js.status, StatusCode::CONFLICT);
        assert!(js.body.contains("\"opted_out\""), "{}", js.body);
        assert_eq!(sent_to(&app, &biz, "2348035550007").await.len(), before);
    })
    .await;
}

#[tokio::test]
async fn the_inbox_takes_over_hands_back_and_resolves() {
    run(|app| async move {
        let biz = business(&app, "inbox", "tailor", "en-NG", "100000000008").await;
        let mut ada = Customer::new(&biz, "2348035550008", "Ada");
        ada.say(&app, "hello").await;
        let id = customer_id(&app, &biz, "2348035550008").await;
        let entry = needs_person(&app, biz.tenant, &id, "can I speak to someone").await;
        let web = app.web(&biz.owner).await;

        let inbox = app.page(&web, "/app/inbox").await;
        assert_eq!(inbox.status, StatusCode::OK);
        assert!(inbox.shows("Ada"), "{}", inbox.body);
        assert!(inbox.shows("Asked for a person"));
        assert!(inbox.shows("can I speak to someone"));
        assert!(inbox.shows("1 waiting"));
        assert!(!paused(&app, biz.tenant, &id).await);

        let r = app
            .form(
                &web,
                &format!("/app/customers/{id}/take-over"),
                &[("next", "/app/inbox")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location.as_deref(), Some("/app/inbox"));
        assert!(paused(&app, biz.tenant, &id).await, "the bot is quiet");
        let inbox = app.page(&web, "/app/inbox").await;
        assert!(inbox.shows("A person is answering until"), "{}", inbox.body);
        assert!(inbox.shows("Hand back to the bot"));
        let profile = app.page(&web, &format!("/app/customers/{id}")).await;
        assert!(profile.shows("A person is answering: the bot is quiet until"));

        let r = app
            .form(
                &web,
                &format!("/app/customers/{id}/hand-back"),
                &[("next", "/app/inbox")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            !paused(&app, biz.tenant, &id).await,
            "the bot answers again"
        );
        let e = store::inbox::get(&app.state.db, biz.tenant, entry.parse().unwrap())
            .await
            .unwrap();
        assert!(e.resolved_at.is_some(), "handing back resolves the entry");
        let inbox = app.page(&web, "/app/inbox").await;
        assert!(
            inbox.shows("Nobody is waiting for a person."),
            "{}",
            inbox.body
        );

        // A new entry, resolved from the inbox.
        let entry = needs_person(&app, biz.tenant, &id, "I have paid").await;
        app.form(&web, &format!("/app/customers/{id}/take-over"), &[])
            .await;
        assert!(paused(&app, biz.tenant, &id).await);
        let r = app
            .form(&web, &format!("/app/inbox/{entry}/resolve"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location.as_deref(), Some("/app/inbox"));
        let e = store::inbox::get(&app.state.db, biz.tenant, entry.parse().unwrap())
            .await
            .unwrap();
        assert!(e.resolved_at.is_some());
        assert!(
            !paused(&app, biz.tenant, &id).await,
            "resolving hands back to the bot"
        );
        // Resolving again changes nothing and still answers.
        let again = app
            .form_json(&web, &format!("/app/inbox/{entry}/resolve"), &[])
            .await;
        assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    })
    .await;
}

#[tokio::test]
async fn a_viewer_sees_no_controls_and_their_posts_change_nothing() {
    run(|app| async move {
        let biz = business(&app, "viewer", "tailor", "en-NG", "100000000009").await;
        let mut ada = Customer::new(&biz, "2348035550009", "Ada");
        ada.say(&app, "hello").await;
        let id = customer_id(&app, &biz, "2348035550009").await;
        let entry = needs_person(&app, biz.tenant, &id, "help").await;
        let viewer = app
            .add_user(&biz.owner, "reader@example.com", "viewer")
            .await;
        let web = app.web(&viewer).await;
        let before = sent_to(&app, &biz, "2348035550009").await.len();

        let page = app.page(&web, &format!("/app/customers/{id}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.shows("hello"), "a viewer reads the thread");
        assert!(!page.body.contains("/reply\""), "no reply box");
        assert!(!page.body.contains("/take-over\""));
        let inbox = app.page(&web, "/app/inbox").await;
        assert!(inbox.shows("Asked for a person"));
        assert!(!inbox.body.contains("/resolve\""));

        let r = app
            .form(
                &web,
                &format!("/app/customers/{id}/reply"),
                &[("mode", "text"), ("text", "hi")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .form(&web, &format!("/app/customers/{id}/take-over"), &[])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .form(&web, &format!("/app/inbox/{entry}/resolve"), &[])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(sent_to(&app, &biz, "2348035550009").await.len(), before);
        assert!(!paused(&app, biz.tenant, &id).await);
        let e = store::inbox::get(&app.state.db, biz.tenant, entry.parse().unwrap())
            .await
            .unwrap();
        assert!(e.resolved_at.is_none());
    })
    .await;
}

#[tokio::test]
async fn another_business_ids_are_not_found_on_every_page_and_post() {
    run(|app| async move {
        let biz = business(&app, "mine", "tailor", "en-NG", "100000000010").await;
        let other = business(&app, "theirs", "shop", "en-KE", "100000000011").await;
        let mut ada = Customer::new(&biz, "2348035550010", "Ada");
        ada.say(&app, "hello").await;
        let id = customer_id(&app, &biz, "2348035550010").await;
        let entry = needs_person(&app, biz.tenant, &id, "help").await;
        let before = sent_to(&app, &biz, "2348035550010").await.len();
        let intruder = app.web(&other.owner).await;

        let page = app.page(&intruder, &format!("/app/customers/{id}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(!page.shows("hello"));
        for (path, fields) in [
            (
                format!("/app/customers/{id}/reply"),
                vec![("mode", "text"), ("text", "hi")],
            ),
            (format!("/app/customers/{id}/take-over"), vec![]),
            (format!("/app/customers/{id}/hand-back"), vec![]),
            (format!("/app/inbox/{entry}/resolve"), vec![]),
        ] {
            let r = app.form(&intruder, &path, &fields).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}");
        }
        for path in [
            "/app/customers/not-an-id",
            "/app/customers/00000000-0000-0000-0000-000000000000",
        ] {
            assert_eq!(
                app.page(&intruder, path).await.status,
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        let r = app.form(&intruder, "/app/inbox/nope/resolve", &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Nothing of the first business changed.
        assert_eq!(sent_to(&app, &biz, "2348035550010").await.len(), before);
        assert!(!paused(&app, biz.tenant, &id).await);
        let e = store::inbox::get(&app.state.db, biz.tenant, entry.parse().unwrap())
            .await
            .unwrap();
        assert!(e.resolved_at.is_none());
        let theirs = app.page(&intruder, "/app/inbox").await;
        assert!(!theirs.shows("Ada"));
    })
    .await;
}
