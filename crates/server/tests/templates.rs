//! WhatsApp message templates end to end on both backends: sync from a mock
//! Graph API (paging), submitting the standard templates, Meta's status
//! webhook (and its redelivery), the rule that only an approved template
//! goes outside the window, the sandbox approving at once, roles and
//! isolation.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{APP_SECRET, Owner, TestApp};
use domain::TenantId;
use domain::outbound::Purpose;
use engine::outbound::{Note, To};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;
use wiremock::matchers::{body_json, body_partial_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";

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

/// A business with a real number on account `WABA`.
async fn business(app: &TestApp, slug: &str, vertical: &str) -> Owner {
    let owner = app.register(slug, vertical).await;
    let r = app
        .post(
            "/api/v1/whatsapp/numbers",
            &owner.token,
            json!({"phone_number_id": PNID, "display_phone_number": "+1 555 078 3881", "waba_id": WABA, "access_token": "EAAG-test-token"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    owner
}

fn tenant(owner: &Owner) -> TenantId {
    TenantId(owner.tenant_id.parse().unwrap())
}

async fn templates(app: &TestApp, owner: &Owner) -> Vec<Value> {
    let r = app.get("/api/v1/whatsapp/templates", &owner.token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

fn find<'a>(items: &'a [Value], name: &str, language: &str) -> &'a Value {
    items
        .iter()
        .find(|t| t["name"] == name && t["language"] == language)
        .unwrap_or_else(|| panic!("no {name} {language} in {items:?}"))
}

async fn signed(app: &TestApp, body: &str) -> Value {
    let sig = channels::signature::sign(APP_SECRET.as_bytes(), body.as_bytes());
    let req = Request::builder()
        .method(Method::POST)
        .uri("/webhook/whatsapp")
        .header("content-type", "application/json")
        .header("x-hub-signature-256", sig)
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

fn status_update(event: &str, name: &str, language: &str, reason: &str, time: i64) -> String {
    json!({"object": "whatsapp_business_account", "entry": [{"id": WABA, "time": time, "changes": [{
        "field": "message_template_status_update",
        "value": {"event": event, "message_template_id": 594425479261596_i64, "message_template_name": name,
                  "message_template_language": language, "reason": reason}}]}]})
    .to_string()
}

fn listed(name: &str, language: &str, status: &str, category: &str) -> Value {
    json!({"name": name, "language": language, "status": status, "category": category, "id": format!("m-{name}-{language}"),
           "components": [{"type": "BODY", "text": "Hello {{1}}, order {{2}} is ready."}]})
}

async fn drain(app: &TestApp) {
    let registry = engine::registry(app.state.services.clone());
    engine::worker::run_due(&app.state.db, &registry, "test-worker")
        .await
        .unwrap();
}

#[tokio::test]
async fn sync_follows_paging_and_stores_statuses() {
    run(|app, graph| async move {
        let owner = business(&app, "tsync", "tailor").await;
        let list = format!("/v21.0/{WABA}/message_templates");
        Mock::given(method("GET"))
            .and(path(&list))
            .and(query_param("limit", "100"))
            .and(query_param("fields", "name,status,category,language,components"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [listed("order_update", "en", "APPROVED", "UTILITY"), listed("reengagement", "en", "PENDING", "MARKETING")],
                "paging": {"cursors": {"after": "P2"}, "next": format!("{}{list}?after=P2", graph.uri())}})))
            .up_to_n_times(1)
            .expect(1)
            .mount(&graph)
            .await;
        Mock::given(method("GET"))
            .and(path(&list))
            .and(query_param("after", "P2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [listed("payment_reminder", "es", "REJECTED", "UTILITY")]})))
            .expect(1)
            .mount(&graph)
            .await;
        let r = app.post("/api/v1/whatsapp/templates/sync", &owner.token, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["written"], 3);
        assert_eq!(r.body["accounts"], json!([WABA]));
        let items = templates(&app, &owner).await;
        assert_eq!(items.len(), 3);
        assert_eq!(find(&items, "order_update", "en")["status"], "approved");
        assert_eq!(find(&items, "order_update", "en")["params"], 2);
        assert_eq!(find(&items, "order_update", "en")["meta_id"], "m-order_update-en");
        assert_eq!(find(&items, "reengagement", "en")["category"], "marketing");
        assert_eq!(find(&items, "payment_reminder", "es")["status"], "rejected");
        assert!(store::templates::approved(&app.state.db, tenant(&owner), "order_update", "en").await.unwrap());
    })
    .await;
}

#[tokio::test]
async fn submit_posts_the_standard_templates_and_stores_them_pending() {
    run(|app, graph| async move {
        // An Argentine restaurant speaks es, and en.
        let owner = business(&app, "tsub", "restaurant").await;
        let create = format!("/v21.0/{WABA}/message_templates");
        Mock::given(method("POST"))
            .and(path(&create))
            .and(body_json(json!({
                "name": "loyalty_offer", "language": "es", "category": "MARKETING",
                "components": [{"type": "BODY",
                    "text": engine::templates::body("loyalty_offer", "es").unwrap(),
                    "example": {"body_text": [["Ada", "an ankara wrap dress", "Funmi Couture"]]}}]})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "777", "status": "PENDING", "category": "MARKETING"})))
            .expect(1)
            .mount(&graph)
            .await;
        // Meta has this one already: submitted, its status read on sync.
        Mock::given(method("POST"))
            .and(path(&create))
            .and(body_partial_json(json!({"name": "order_update", "language": "en"})))
            .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
                "message": "Invalid parameter", "type": "OAuthException", "code": 100, "error_subcode": 2388024,
                "error_user_title": "Content in This Language Already Exists"}})))
            .expect(1)
            .mount(&graph)
            .await;
        Mock::given(method("POST"))
            .and(path(&create))
            .and(body_partial_json(json!({"name": "staff_alert", "category": "UTILITY",
                "components": [{"type": "BODY"}]})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "9", "status": "PENDING"})))
            .expect(2)
            .mount(&graph)
            .await;
        Mock::given(method("POST"))
            .and(path(&create))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "1", "status": "PENDING"})))
            .expect(10)
            .mount(&graph)
            .await;
        let r = app.post("/api/v1/whatsapp/templates/submit", &owner.token, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["written"], 14, "7 templates in es and en");
        let items = templates(&app, &owner).await;
        assert_eq!(items.len(), 14);
        assert!(items.iter().all(|t| t["status"] == "pending" && t["waba_id"] == WABA), "{items:?}");
        let l = find(&items, "loyalty_offer", "es");
        assert_eq!((l["meta_id"].as_str(), l["params"].as_i64(), l["category"].as_str()), (Some("777"), Some(3), Some("marketing")));
        assert!(!store::templates::approved(&app.state.db, tenant(&owner), "loyalty_offer", "es").await.unwrap());
        // Again: everything is stored, nothing is posted.
        let r = app.post("/api/v1/whatsapp/templates/submit", &owner.token, json!({})).await;
        assert_eq!((r.body["written"].as_i64(), r.body["unchanged"].as_i64()), (Some(0), Some(14)));
    })
    .await;
}

#[tokio::test]
async fn the_status_webhook_updates_the_row_and_a_redelivery_changes_nothing() {
    run(|app, graph| async move {
        let owner = business(&app, "thook", "tailor").await;
        let other = app.register("thook-other", "tailor").await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"id": "1", "status": "PENDING"})),
            )
            .mount(&graph)
            .await;
        let r = app
            .post("/api/v1/whatsapp/templates/submit", &owner.token, json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let t0 = chrono::Utc::now().timestamp() + 5;
        let approved = status_update("APPROVED", "payment_reminder", "en", "NONE", t0);
        assert_eq!(signed(&app, &approved).await["templates"], 1);
        let items = templates(&app, &owner).await;
        assert_eq!(find(&items, "payment_reminder", "en")["status"], "approved");
        assert_eq!(
            find(&items, "payment_reminder", "en")["reason"],
            Value::Null
        );
        let rejected = status_update(
            "REJECTED",
            "payment_reminder",
            "en",
            "INCORRECT_CATEGORY",
            t0 + 60,
        );
        assert_eq!(signed(&app, &rejected).await["templates"], 1);
        let before = templates(&app, &owner).await;
        let row = find(&before, "payment_reminder", "en");
        assert_eq!(
            (row["status"].as_str(), row["reason"].as_str()),
            (Some("rejected"), Some("INCORRECT_CATEGORY"))
        );
        // Redelivered, in any order: nothing changes.
        assert_eq!(signed(&app, &rejected).await["templates"], 0);
        assert_eq!(signed(&app, &approved).await["templates"], 0);
        assert_eq!(templates(&app, &owner).await, before);
        // The other business on no account saw nothing.
        assert!(templates(&app, &other).await.is_empty());
    })
    .await;
}

/// A customer who never wrote: their window is closed.
async fn customer(app: &TestApp, owner: &Owner, phone: &str) -> store::customers::Customer {
    let c = app.customer(owner, "Ada", phone).await;
    let id: domain::CustomerId = c["id"].as_str().unwrap().parse().unwrap();
    store::customers::get(&app.state.db, tenant(owner), id)
        .await
        .unwrap()
}

async fn remind(
    app: &TestApp,
    owner: &Owner,
    c: &store::customers::Customer,
) -> domain::WaMessageId {
    let note = Note::text(
        tenant(owner),
        To::Customer(c),
        Purpose::PaymentReminder,
        "en",
        "Order SEW-0001 has ₦15,000.00 left to pay".into(),
        vec![
            "SEW-0001".into(),
            "₦15,000.00".into(),
            "https://pay.example/x".into(),
        ],
    );
    let mut tx = app.state.db.begin().await.unwrap();
    let id = engine::outbound::send(&mut tx, &note).await.unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn outside_the_window_only_an_approved_template_goes() {
    run(|app, graph| async move {
        let owner = business(&app, "twin", "tailor").await;
        Mock::given(method("POST"))
            .and(path(format!("/v21.0/{PNID}/messages")))
            .and(body_partial_json(json!({"type": "template", "template": {"name": "payment_reminder", "language": {"code": "en"}}})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"messages": [{"id": "wamid.TPL"}]})))
            .expect(1)
            .mount(&graph)
            .await;
        let c = customer(&app, &owner, "+2348031234567").await;
        // Not approved: queued without a fallback, blocked when sent.
        let blocked = remind(&app, &owner, &c).await;
        drain(&app).await;
        let m = store::wa::message(&app.state.db, blocked).await.unwrap();
        assert_eq!(m.status, domain::outbound::MessageStatus::Blocked);
        assert!(m.fallback.is_none());
        // Approved: sent as the template, with the sender's parameters.
        app.approve(&owner, &[("payment_reminder", "en")]).await;
        let sent = remind(&app, &owner, &c).await;
        drain(&app).await;
        let m = store::wa::message(&app.state.db, sent).await.unwrap();
        assert_eq!(m.status, domain::outbound::MessageStatus::Sent);
        assert_eq!(m.wa_message_id.as_deref(), Some("wamid.TPL"));
    })
    .await;
}

#[tokio::test]
async fn a_sandbox_number_approves_the_standard_templates_at_once() {
    run(|app, _graph| async move {
        let owner = app.register("tsand", "restaurant").await;
        let r = app
            .post(
                "/api/v1/whatsapp/numbers",
                &owner.token,
                json!({"phone_number_id": "999000111", "display_phone_number": "+54 9 11 5555 0000", "sandbox": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let items = templates(&app, &owner).await;
        assert_eq!(items.len(), 14, "es and en");
        assert!(items.iter().all(|t| t["status"] == "approved" && t["waba_id"] == "sandbox"));
        for s in &engine::templates::STANDARD {
            assert!(store::templates::approved(&app.state.db, tenant(&owner), s.name, "es").await.unwrap());
        }
        // Submitting again (owner) changes nothing; no HTTP either way.
        let r = app.post("/api/v1/whatsapp/templates/submit", &owner.token, json!({})).await;
        assert_eq!((r.body["written"].as_i64(), r.body["unchanged"].as_i64()), (Some(0), Some(14)));
        // A real number attached later is not submitted for the owner.
        let r = app
            .post(
                "/api/v1/whatsapp/numbers",
                &owner.token,
                json!({"phone_number_id": "999000222", "display_phone_number": "+54 9 11 5555 0001", "waba_id": "W2", "access_token": "tok"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(templates(&app, &owner).await.len(), 14);
    })
    .await;
}

#[tokio::test]
async fn viewers_read_only_owners_act_and_businesses_are_isolated() {
    run(|app, _graph| async move {
        let owner = app.register("trole", "tailor").await;
        let r = app
            .post(
                "/api/v1/whatsapp/numbers",
                &owner.token,
                json!({"phone_number_id": "999000333", "display_phone_number": "+234 800 000 0333", "sandbox": true}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        let viewer = app.add_user(&owner, "v@trole.example", "viewer").await;
        let staff = app.add_user(&owner, "s@trole.example", "staff").await;
        assert_eq!(templates(&app, &viewer).await.len(), 7, "an en business: en only");
        for who in [&viewer, &staff] {
            for action in ["sync", "submit"] {
                let r = app.post(&format!("/api/v1/whatsapp/templates/{action}"), &who.token, json!({})).await;
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{action}: {:?}", r.body);
            }
        }
        let r = app.post("/api/v1/whatsapp/templates/sync", &owner.token, json!({})).await;
        assert_eq!(r.status, StatusCode::OK, "the sandbox has nothing to list: {:?}", r.body);
        let other = app.register("trole-other", "tailor").await;
        assert!(templates(&app, &other).await.is_empty());
        let r = app.post("/api/v1/whatsapp/templates/submit", &other.token, json!({})).await;
        assert_eq!(r.status, StatusCode::CONFLICT, "no number, no account: {:?}", r.body);
        assert!(!store::templates::approved(&app.state.db, tenant(&other), "order_update", "en").await.unwrap());
    })
    .await;
}
