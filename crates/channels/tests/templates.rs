#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! The template client against a mock Graph API speaking protocols §1.9.

use std::time::Duration;

use channels::{CloudApi, NewTemplate, Submitted, TemplateApi, TemplateError};
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const WABA: &str = "102290129340398";
const TOKEN: &str = "EAAG-templates";

fn api(server: &MockServer) -> CloudApi {
    CloudApi::new(&format!("{}/v21.0", server.uri()), Duration::from_secs(5))
}

fn tpl(name: &str, lang: &str, status: &str) -> serde_json::Value {
    json!({"name": name, "language": lang, "status": status, "category": "UTILITY", "id": format!("id-{name}-{lang}"),
           "components": [{"type": "BODY", "text": "Hi {{1}}, order {{2}}"}]})
}

#[tokio::test]
async fn the_list_follows_paging_next_until_it_is_absent() {
    let server = MockServer::start().await;
    let list = format!("/v21.0/{WABA}/message_templates");
    Mock::given(method("GET"))
        .and(path(&list))
        .and(query_param(
            "fields",
            "name,status,category,language,components",
        ))
        .and(query_param("limit", "100"))
        .and(query_param_is_missing("after"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [tpl("payment_reminder", "en", "APPROVED"), {"status": "APPROVED"}],
            "paging": {"cursors": {"before": "b", "after": "P2"},
                       "next": format!("{}{list}?limit=100&after=P2", server.uri())}
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(&list))
        .and(query_param("after", "P2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [tpl("order_update", "es", "REJECTED")],
            "paging": {"cursors": {"before": "c", "after": "P3"}}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let got = api(&server).list_templates(WABA, TOKEN).await.unwrap();
    let names: Vec<_> = got
        .iter()
        .map(|t| (t.name.as_str(), t.language.as_str(), t.status.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("payment_reminder", "en", "APPROVED"),
            ("order_update", "es", "REJECTED")
        ],
        "the nameless one is skipped"
    );
    assert_eq!(got[0].body, "Hi {{1}}, order {{2}}");
    assert_eq!(got[0].params(), 2);
    assert_eq!(got[0].id.as_deref(), Some("id-payment_reminder-en"));
}

#[tokio::test]
async fn a_next_page_elsewhere_is_asked_for_here_with_its_cursor() {
    let server = MockServer::start().await;
    let list = format!("/v21.0/{WABA}/message_templates");
    Mock::given(method("GET"))
        .and(path(&list))
        .and(query_param_is_missing("after"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [tpl("a", "en", "APPROVED")],
            "paging": {"cursors": {"after": "NEXT"}, "next": "https://elsewhere.example/v21.0/x?after=NEXT"}
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(&list))
        .and(query_param("after", "NEXT"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"data": [tpl("b", "en", "PENDING")]})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let got = api(&server).list_templates(WABA, TOKEN).await.unwrap();
    assert_eq!(got.len(), 2);
}

#[tokio::test]
async fn create_posts_uppercase_category_and_the_body_example() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/v21.0/{WABA}/message_templates")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(json!({
            "name": "payment_reminder", "language": "en", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "Order {{1}}: {{2}} due. Pay: {{3}}",
                            "example": {"body_text": [["SEW-0042", "₦15,000", "https://pay.example/abc"]]}}]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "5944", "status": "PENDING", "category": "UTILITY"})))
        .expect(1)
        .mount(&server)
        .await;
    let got = api(&server)
        .create_template(
            WABA,
            TOKEN,
            &NewTemplate {
                name: "payment_reminder",
                language: "en",
                category: "utility",
                body: "Order {{1}}: {{2}} due. Pay: {{3}}",
                examples: &["SEW-0042", "₦15,000", "https://pay.example/abc"],
            },
        )
        .await
        .unwrap();
    assert_eq!(
        got,
        Submitted::Created {
            id: Some("5944".into()),
            status: Some("PENDING".into()),
            category: Some("UTILITY".into())
        }
    );
}

#[tokio::test]
async fn an_existing_name_and_language_is_already_submitted_other_errors_are_mapped() {
    let server = MockServer::start().await;
    let new = |name| NewTemplate {
        name,
        language: "en",
        category: "marketing",
        body: "Hi {{1}}",
        examples: &["Ada"],
    };
    Mock::given(method("POST"))
        .and(body_json(json!({"name": "dup", "language": "en", "category": "MARKETING",
            "components": [{"type": "BODY", "text": "Hi {{1}}", "example": {"body_text": [["Ada"]]}}]})))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "message": "Invalid parameter", "type": "OAuthException", "code": 100, "error_subcode": 2388024,
            "error_user_title": "Content in This Language Already Exists", "fbtrace_id": "A1"}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_json(json!({"name": "bad", "language": "en", "category": "MARKETING",
            "components": [{"type": "BODY", "text": "Hi {{1}}", "example": {"body_text": [["Ada"]]}}]})))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {
            "message": "(#190) Invalid OAuth access token", "type": "OAuthException", "code": 190}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_json(json!({"name": "busy", "language": "en", "category": "MARKETING",
            "components": [{"type": "BODY", "text": "Hi {{1}}", "example": {"body_text": [["Ada"]]}}]})))
        .respond_with(ResponseTemplate::new(503).set_body_string("down"))
        .mount(&server)
        .await;
    let api = api(&server);
    assert_eq!(
        api.create_template(WABA, TOKEN, &new("dup")).await.unwrap(),
        Submitted::AlreadyExists
    );
    match api.create_template(WABA, TOKEN, &new("bad")).await {
        Err(TemplateError::Refused(p)) => {
            assert_eq!((p.status, p.code), (401, 190));
            assert_eq!(p.title, "Invalid OAuth access token");
        }
        other => panic!("{other:?}"),
    }
    let busy = api.create_template(WABA, TOKEN, &new("busy")).await;
    assert!(
        busy.as_ref().is_err_and(TemplateError::is_retryable),
        "{busy:?}"
    );
    assert!(matches!(
        api.create_template("../x", TOKEN, &new("dup")).await,
        Err(TemplateError::Invalid(_))
    ));
}
