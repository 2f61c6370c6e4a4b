#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! The Cloud API client against a local mock Graph API that speaks protocols §1.5, §1.6, §1.8.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use channels::outbound::{Button, MediaKind, OutMessage, Row, Section, TemplateButton};
use channels::{
    Channel, CloudApi, Downloaded, MediaError, MediaLimits, PermanentError, SendError, Sender,
    extension_for,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PNID: &str = "106540352242922";
const TOKEN: &str = "EAAGm0PX4ZCpsBAtest";
const TO: &str = "2348031234567";
const WAMID: &str = "wamid.HBgLMTY0NjcwNDM1OTUVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA";
const MEDIA_ID: &str = "2621233374848975";

fn sender() -> Sender<'static> {
    Sender {
        phone_number_id: PNID,
        access_token: TOKEN,
    }
}

fn api(server: &MockServer) -> CloudApi {
    CloudApi::new(&format!("{}/v21.0", server.uri()), Duration::from_secs(5))
}

fn messages_path() -> String {
    format!("/v21.0/{PNID}/messages")
}

fn success_body() -> Value {
    json!({"messaging_product": "whatsapp",
           "contacts": [{"input": TO, "wa_id": TO}],
           "messages": [{"id": WAMID}]})
}

fn graph_error(code: i64, message: &str, details: &str) -> Value {
    json!({"error": {"message": message, "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": details},
        "error_subcode": 2494010, "fbtrace_id": "AbCdEf123"}})
}

/// Mounts a messages endpoint answering `status` with `body` for any POST.
async fn answer(server: &MockServer, status: u16, body: Value) {
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

// ---------------------------------------------------------------------------------------------
// send: requests

#[tokio::test]
async fn text_send_speaks_the_documented_protocol() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": TO,
            "type": "text", "text": {"preview_url": false, "body": "Your order is confirmed"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(success_body()))
        .expect(1)
        .mount(&server)
        .await;

    let id = api(&server)
        .send(&sender(), TO, &OutMessage::text("Your order is confirmed"))
        .await
        .unwrap();
    assert_eq!(id, WAMID);
    server.verify().await;
}

#[tokio::test]
async fn buttons_send_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(body_json(json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": TO, "type": "interactive",
            "interactive": {"type": "button", "body": {"text": "Pay now?"},
                "action": {"buttons": [
                    {"type": "reply", "reply": {"id": "pay", "title": "Pay"}},
                    {"type": "reply", "reply": {"id": "later", "title": "Later"}}]}}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(success_body()))
        .expect(1)
        .mount(&server)
        .await;
    let msg = OutMessage::Buttons {
        header: None,
        body: "Pay now?".into(),
        footer: None,
        buttons: vec![
            Button {
                id: "pay".into(),
                title: "Pay".into(),
            },
            Button {
                id: "later".into(),
                title: "Later".into(),
            },
        ],
    };
    assert_eq!(api(&server).send(&sender(), TO, &msg).await.unwrap(), WAMID);
}

#[tokio::test]
async fn template_send_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .and(body_json(json!({
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": "919867800451", "type": "template",
            "template": {"name": "order_confirmation", "language": {"code": "en"},
              "components": [
                {"type": "body", "parameters": [{"type": "text", "text": "Asha"}, {"type": "text", "text": "ORD-9271"}]},
                {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "A12345"}]}]}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(success_body()))
        .expect(1)
        .mount(&server)
        .await;
    let msg = OutMessage::Template {
        name: "order_confirmation".into(),
        language: "en".into(),
        header: vec![],
        body: vec!["Asha".into(), "ORD-9271".into()],
        buttons: vec![TemplateButton::url(0, "A12345")],
    };
    assert_eq!(
        api(&server)
            .send(&sender(), "919867800451", &msg)
            .await
            .unwrap(),
        WAMID
    );
}

#[tokio::test]
async fn every_message_kind_is_posted_as_its_graph_body() {
    let messages = vec![
        OutMessage::List {
            header: Some("Delivery".into()),
            body: "When?".into(),
            footer: None,
            button: "Choose".into(),
            sections: vec![Section {
                title: None,
                rows: vec![Row {
                    id: "today".into(),
                    title: "Today".into(),
                    description: Some("Before 6pm".into()),
                }],
            }],
        },
        OutMessage::Product {
            body: Some("Fresh".into()),
            footer: None,
            catalog_id: "146265584024623".into(),
            product_retailer_id: "HAMBURGER".into(),
        },
        OutMessage::ProductList {
            header: "Menu".into(),
            body: "Lunch".into(),
            footer: None,
            catalog_id: "146265584024623".into(),
            sections: vec![channels::ProductSection {
                title: "Burgers".into(),
                product_retailer_ids: vec!["HAMBURGER".into()],
            }],
        },
        OutMessage::Media {
            kind: MediaKind::Image,
            id: Some("1234".into()),
            link: None,
            caption: Some("Receipt".into()),
            filename: None,
        },
    ];
    for msg in messages {
        let server = MockServer::start().await;
        let expected = msg.to_graph(TO);
        // Spot-check the bodies against §1.5 rather than trusting to_graph blindly.
        match msg.kind() {
            "list" => assert_eq!(
                expected["interactive"]["action"]["sections"][0]["rows"][0]["description"],
                "Before 6pm"
            ),
            "product" => assert_eq!(
                expected["interactive"]["action"]["product_retailer_id"],
                "HAMBURGER"
            ),
            "product_list" => assert_eq!(
                expected["interactive"]["action"]["sections"][0]["product_items"],
                json!([{"product_retailer_id": "HAMBURGER"}])
            ),
            "media" => assert_eq!(
                expected["image"],
                json!({"id": "1234", "caption": "Receipt"})
            ),
            other => panic!("unexpected kind {other}"),
        }
        Mock::given(method("POST"))
            .and(path(messages_path()))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .and(body_json(expected))
            .respond_with(ResponseTemplate::new(200).set_body_json(success_body()))
            .expect(1)
            .mount(&server)
            .await;
        assert_eq!(
            api(&server).send(&sender(), TO, &msg).await.unwrap(),
            WAMID,
            "{}",
            msg.kind()
        );
        server.verify().await;
    }
}

#[tokio::test]
async fn trailing_slash_in_base_is_tolerated() {
    let server = MockServer::start().await;
    answer(&server, 200, success_body()).await;
    let api = CloudApi::new(&format!("{}/v21.0/", server.uri()), Duration::from_secs(5));
    assert_eq!(api.base(), format!("{}/v21.0", server.uri()));
    assert_eq!(
        api.send(&sender(), TO, &OutMessage::text("hi"))
            .await
            .unwrap(),
        WAMID
    );
}

#[tokio::test]
async fn invalid_message_makes_no_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(success_body()))
        .expect(0)
        .mount(&server)
        .await;
    let err = api(&server)
        .send(&sender(), TO, &OutMessage::text("x".repeat(4097)))
        .await
        .unwrap_err();
    match &err {
        SendError::Invalid(e) => {
            assert_eq!(e.field, "body");
            assert_eq!(e.message, "at most 4096 characters (got 4097)");
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "the message breaks a WhatsApp limit: body: at most 4096 characters (got 4097)"
    );

    let err = api(&server)
        .send(&sender(), "not a number", &OutMessage::text("hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SendError::Invalid(e) if e.field == "to"),
        "{err:?}"
    );
    server.verify().await;
}

// ---------------------------------------------------------------------------------------------
// send: responses and errors

#[tokio::test]
async fn rate_limit_429_is_retryable() {
    let server = MockServer::start().await;
    answer(
        &server,
        429,
        graph_error(
            130429,
            "(#130429) Rate limit hit",
            "Cloud API message throughput has been reached.",
        ),
    )
    .await;
    let err = api(&server)
        .send(&sender(), TO, &OutMessage::text("hi"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SendError::Retryable {
            status: Some(429),
            code: Some(130429),
            message: "Rate limit hit".into()
        }
    );
    assert!(err.is_retryable());
    assert_eq!(err.code(), Some(130429));
    assert_eq!(
        err.to_string(),
        "WhatsApp send failed for now and may be retried (HTTP 429, code 130429): Rate limit hit"
    );
}

#[tokio::test]
async fn server_error_500_is_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream exploded"))
        .expect(1)
        .mount(&server)
        .await;
    let err = api(&server)
        .send(&sender(), TO, &OutMessage::text("hi"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SendError::Retryable {
            status: Some(500),
            code: None,
            message: "upstream exploded".into()
        }
    );
}

#[tokio::test]
async fn transient_codes_are_retryable_even_on_400() {
    for code in [131000, 131016, 80007, 4, 2, 130429] {
        let server = MockServer::start().await;
        answer(
            &server,
            400,
            graph_error(code, &format!("(#{code}) Busy"), "try later"),
        )
        .await;
        let err = api(&server)
            .send(&sender(), TO, &OutMessage::text("hi"))
            .await
            .unwrap_err();
        assert!(err.is_retryable(), "{code}: {err:?}");
        assert_eq!(err.code(), Some(code));
    }
}

#[tokio::test]
async fn reengagement_131047_is_permanent() {
    let server = MockServer::start().await;
    let details = "Message failed to send because more than 24 hours have passed since the customer last replied to this number.";
    answer(
        &server,
        400,
        graph_error(131047, "(#131047) Re-engagement message", details),
    )
    .await;
    let err = api(&server)
        .send(&sender(), TO, &OutMessage::text("hi"))
        .await
        .unwrap_err();
    let expected = PermanentError {
        status: 400,
        code: 131047,
        title: "Re-engagement message".into(),
        details: Some(details.into()),
        fbtrace_id: Some("AbCdEf123".into()),
    };
    assert_eq!(err, SendError::Permanent(expected.clone()));
    assert!(!err.is_retryable());
    assert!(expected.is_reengagement());
    assert_eq!(
        err.to_string(),
        format!(
            "WhatsApp refused the message (HTTP 400, code 131047): Re-engagement message: {details}"
        )
    );
}

#[tokio::test]
async fn other_client_errors_are_permanent() {
    for (status, code, message) in [
        (400, 131026, "(#131026) Message undeliverable"),
        (
            400,
            131030,
            "(#131030) Recipient phone number not in allowed list",
        ),
        (400, 100, "(#100) Invalid parameter"),
    ] {
        let server = MockServer::start().await;
        answer(&server, status, graph_error(code, message, "d")).await;
        let err = api(&server)
            .send(&sender(), TO, &OutMessage::text("hi"))
            .await
            .unwrap_err();
        match err {
            SendError::Permanent(p) => {
                assert_eq!(p.status, status);
                assert_eq!(p.code, code);
                assert!(!p.title.starts_with("(#"), "{}", p.title);
                assert!(message.ends_with(&p.title));
            }
            other => panic!("{code}: expected Permanent, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn expired_token_190_on_401_is_permanent() {
    let server = MockServer::start().await;
    answer(
        &server,
        401,
        json!({"error": {"message": "Error validating access token: Session has expired on Tuesday.",
                         "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "Ax9"}}),
    )
    .await;
    let err = api(&server)
        .send(&sender(), TO, &OutMessage::text("hi"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        SendError::Permanent(PermanentError {
            status: 401,
            code: 190,
            title: "Error validating access token: Session has expired on Tuesday.".into(),
            details: None,
            fbtrace_id: Some("Ax9".into()),
        })
    );
}

#[tokio::test]
async fn client_error_without_json_is_permanent_with_code_0() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(ResponseTemplate::new(403).set_body_string("<html>Forbidden</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let err = api(&server)
        .send(&sender(), TO, &OutMessage::text("hi"))
        .await
        .unwrap_err();
    match err {
        SendError::Permanent(p) => {
            assert_eq!(p.status, 403);
            assert_eq!(p.code, 0);
            assert_eq!(p.details.as_deref(), Some("<html>Forbidden</html>"));
        }
        other => panic!("expected Permanent, got {other:?}"),
    }
}

/// Decision: a 2xx without `messages[0].id` is Permanent (code 0). Meta may have accepted the
/// message, so a retry could send it twice.
#[tokio::test]
async fn success_without_message_id_is_permanent() {
    for body in [
        json!({"messaging_product": "whatsapp", "messages": []}),
        json!("ok"),
    ] {
        let server = MockServer::start().await;
        answer(&server, 200, body.clone()).await;
        let err = api(&server)
            .send(&sender(), TO, &OutMessage::text("hi"))
            .await
            .unwrap_err();
        match err {
            SendError::Permanent(p) => {
                assert_eq!((p.status, p.code), (200, 0), "{body}");
                assert!(p.title.contains("no message id"));
            }
            other => panic!("expected Permanent for {body}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn timeout_is_retryable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(messages_path()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(success_body())
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let api = CloudApi::new(
        &format!("{}/v21.0", server.uri()),
        Duration::from_millis(300),
    );
    let err = api
        .send(&sender(), TO, &OutMessage::text("hi"))
        .await
        .unwrap_err();
    match &err {
        SendError::Retryable {
            status,
            code,
            message,
        } => {
            assert_eq!((*status, *code), (None, None));
            assert!(message.contains("timed out"), "{message}");
        }
        other => panic!("expected Retryable, got {other:?}"),
    }
}

#[tokio::test]
async fn connection_refused_is_retryable() {
    // Bind and drop a listener to get a local port that refuses connections.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let api = CloudApi::new(
        &format!("http://127.0.0.1:{port}/v21.0"),
        Duration::from_secs(2),
    );
    let err = api
        .send(&sender(), TO, &OutMessage::text("hi"))
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

// ---------------------------------------------------------------------------------------------
// media

fn jpeg_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0];
    b.extend((0..n.saturating_sub(4)).map(|i| (i % 251) as u8));
    b
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

fn sha256_b64(b: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b))
}

/// Step 1 answering with a download URL on `server` at `dl_path`.
fn media_info_mock(server: &MockServer, dl_path: &str, mime: &str, sha: &str, size: &str) -> Mock {
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{MEDIA_ID}")))
        .and(query_param("phone_number_id", PNID))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "url": format!("{}{dl_path}", server.uri()),
            "mime_type": mime, "sha256": sha, "file_size": size, "id": MEDIA_ID})))
}

fn download_mock(dl_path: &str, body: Vec<u8>, mime: &str) -> Mock {
    Mock::given(method("GET"))
        .and(path(dl_path.to_string()))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, mime))
}

async fn fetch(server: &MockServer, limits: &MediaLimits) -> Result<Downloaded, MediaError> {
    api(server).fetch_media(&sender(), MEDIA_ID, limits).await
}

#[tokio::test]
async fn media_happy_path_sends_the_bearer_on_both_steps() {
    let server = MockServer::start().await;
    let body = jpeg_bytes(303_833);
    media_info_mock(
        &server,
        "/whatsapp_business/attachments/",
        "image/jpeg",
        &sha256_hex(&body),
        "303833",
    )
    .expect(1)
    .mount(&server)
    .await;
    download_mock(
        "/whatsapp_business/attachments/",
        body.clone(),
        "image/jpeg",
    )
    .expect(1)
    .mount(&server)
    .await;

    let got = fetch(&server, &MediaLimits::default()).await.unwrap();
    assert_eq!(
        got,
        Downloaded {
            bytes: body.clone(),
            mime_type: "image/jpeg".into(),
            sha256_hex: sha256_hex(&body),
        }
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.method.as_str(), "GET");
        assert_eq!(
            r.headers.get("authorization").unwrap().to_str().unwrap(),
            format!("Bearer {TOKEN}")
        );
    }
    assert_eq!(requests[0].url.path(), format!("/v21.0/{MEDIA_ID}"));
    assert_eq!(
        requests[0].url.query(),
        Some(format!("phone_number_id={PNID}").as_str())
    );
    assert_eq!(requests[1].url.path(), "/whatsapp_business/attachments/");
    server.verify().await;
}

#[tokio::test]
async fn media_hash_in_base64_and_mime_parameters_are_accepted() {
    let server = MockServer::start().await;
    let body = b"OggS voice note".to_vec();
    media_info_mock(
        &server,
        "/dl/voice",
        "audio/ogg; codecs=opus",
        &sha256_b64(&body),
        "15",
    )
    .mount(&server)
    .await;
    download_mock("/dl/voice", body.clone(), "audio/ogg")
        .mount(&server)
        .await;
    let got = fetch(&server, &MediaLimits::default()).await.unwrap();
    assert_eq!(got.bytes, body);
    assert_eq!(got.mime_type, "audio/ogg");
    assert_eq!(extension_for(&got.mime_type), "ogg");
}

#[tokio::test]
async fn media_too_large_by_file_size_is_refused_before_downloading() {
    let server = MockServer::start().await;
    media_info_mock(&server, "/dl/big", "video/mp4", "", "16777217")
        .expect(1)
        .mount(&server)
        .await;
    download_mock("/dl/big", vec![0; 10], "video/mp4")
        .expect(0)
        .mount(&server)
        .await;
    let err = fetch(&server, &MediaLimits::default()).await.unwrap_err();
    assert_eq!(
        err,
        MediaError::TooLarge {
            size: 16_777_217,
            limit: 16 * 1024 * 1024
        }
    );
    assert!(!err.is_retryable());
    server.verify().await;
}

#[tokio::test]
async fn media_exactly_at_the_limit_passes() {
    let server = MockServer::start().await;
    let body = jpeg_bytes(1000);
    media_info_mock(
        &server,
        "/dl/edge",
        "image/jpeg",
        &sha256_hex(&body),
        "1000",
    )
    .mount(&server)
    .await;
    download_mock("/dl/edge", body.clone(), "image/jpeg")
        .mount(&server)
        .await;
    let limits = MediaLimits {
        max_bytes: 1000,
        ..MediaLimits::default()
    };
    assert_eq!(fetch(&server, &limits).await.unwrap().bytes.len(), 1000);
}

#[tokio::test]
async fn media_too_large_by_actual_content_despite_a_small_file_size() {
    let server = MockServer::start().await;
    media_info_mock(&server, "/dl/liar", "image/jpeg", "", "100")
        .mount(&server)
        .await;
    download_mock("/dl/liar", jpeg_bytes(5000), "image/jpeg")
        .mount(&server)
        .await;
    let limits = MediaLimits {
        max_bytes: 1000,
        ..MediaLimits::default()
    };
    let err = fetch(&server, &limits).await.unwrap_err();
    assert!(
        matches!(err, MediaError::TooLarge { size, limit: 1000 } if size > 1000),
        "{err:?}"
    );
}

/// What the raw download server sends.
#[derive(Clone, Copy)]
enum RawBody {
    /// `Transfer-Encoding: chunked`, no Content-Length, `n` bytes in 1 KiB chunks.
    Chunked(usize),
    /// A Content-Length header of `declared`, followed by `declared` bytes.
    Declared(u64),
}

/// A hand-written HTTP/1.1 server for step 2, to control framing that wiremock fixes for us.
/// Returns its base URL and the request heads it saw.
async fn raw_download_server(body: RawBody) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let mut head = Vec::new();
            let mut buf = [0u8; 1024];
            while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                match sock.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => head.extend_from_slice(&buf[..n]),
                }
            }
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&head).to_string());
            let chunk = vec![b'a'; 1024];
            match body {
                RawBody::Chunked(total) => {
                    let _ = sock
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                        .await;
                    let mut sent = 0;
                    while sent < total {
                        let n = (total - sent).min(chunk.len());
                        let frame =
                            [format!("{n:x}\r\n").as_bytes(), &chunk[..n], b"\r\n"].concat();
                        if sock.write_all(&frame).await.is_err() {
                            break;
                        }
                        sent += n;
                    }
                    let _ = sock.write_all(b"0\r\n\r\n").await;
                }
                RawBody::Declared(declared) => {
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
                    );
                    let _ = sock.write_all(head.as_bytes()).await;
                    let mut sent = 0u64;
                    while sent < declared {
                        let n = (declared - sent).min(1024);
                        if sock.write_all(&chunk[..n as usize]).await.is_err() {
                            break;
                        }
                        sent += n;
                    }
                }
            }
            let _ = sock.shutdown().await;
        }
    });
    (format!("http://{addr}"), seen)
}

async fn step1_pointing_at(server: &MockServer, url: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp", "url": url, "mime_type": "image/jpeg",
            "file_size": "10", "id": MEDIA_ID})))
        .mount(server)
        .await;
}

#[tokio::test]
async fn media_stream_without_content_length_is_capped() {
    let (dl, seen) = raw_download_server(RawBody::Chunked(200 * 1024)).await;
    let server = MockServer::start().await;
    step1_pointing_at(&server, &format!("{dl}/media/1")).await;
    let limits = MediaLimits {
        max_bytes: 50 * 1024,
        ..MediaLimits::default()
    };
    let err = fetch(&server, &limits).await.unwrap_err();
    match err {
        MediaError::TooLarge { size, limit } => {
            assert_eq!(limit, 50 * 1024);
            assert!(
                size > limit && size <= limit + 1024,
                "stopped early: {size}"
            );
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let heads = seen.lock().unwrap().clone();
    assert_eq!(heads.len(), 1);
    assert!(heads[0].starts_with("GET /media/1 "), "{}", heads[0]);
    assert!(
        heads[0].to_ascii_lowercase().contains(&format!(
            "authorization: bearer {}",
            TOKEN.to_ascii_lowercase()
        )),
        "{}",
        heads[0]
    );
}

#[tokio::test]
async fn media_chunked_stream_within_the_limit_is_downloaded() {
    let (dl, _) = raw_download_server(RawBody::Chunked(3000)).await;
    let server = MockServer::start().await;
    step1_pointing_at(&server, &format!("{dl}/media/2")).await;
    let got = fetch(&server, &MediaLimits::default()).await.unwrap();
    assert_eq!(got.bytes, vec![b'a'; 3000]);
    assert_eq!(got.sha256_hex, sha256_hex(&vec![b'a'; 3000]));
}

#[tokio::test]
async fn media_declared_content_length_over_the_limit_is_refused() {
    let (dl, _) = raw_download_server(RawBody::Declared(64 * 1024)).await;
    let server = MockServer::start().await;
    step1_pointing_at(&server, &format!("{dl}/media/3")).await;
    let limits = MediaLimits {
        max_bytes: 4096,
        ..MediaLimits::default()
    };
    let err = fetch(&server, &limits).await.unwrap_err();
    assert_eq!(
        err,
        MediaError::TooLarge {
            size: 64 * 1024,
            limit: 4096
        }
    );
}

#[tokio::test]
async fn media_with_a_disallowed_mime_is_refused_before_downloading() {
    let server = MockServer::start().await;
    media_info_mock(&server, "/dl/exe", "application/x-msdownload", "", "10")
        .mount(&server)
        .await;
    download_mock("/dl/exe", vec![0; 10], "application/x-msdownload")
        .expect(0)
        .mount(&server)
        .await;
    let err = fetch(&server, &MediaLimits::default()).await.unwrap_err();
    assert_eq!(
        err,
        MediaError::Mime {
            mime: "application/x-msdownload".into()
        }
    );
    server.verify().await;
}

#[tokio::test]
async fn empty_allowed_list_accepts_any_type() {
    let server = MockServer::start().await;
    media_info_mock(&server, "/dl/any", "application/zip", "", "3")
        .mount(&server)
        .await;
    download_mock("/dl/any", b"PK\x03".to_vec(), "application/zip")
        .mount(&server)
        .await;
    let limits = MediaLimits {
        max_bytes: 100,
        allowed_mime: vec![],
    };
    let got = fetch(&server, &limits).await.unwrap();
    assert_eq!(got.mime_type, "application/zip");
    assert_eq!(extension_for(&got.mime_type), "bin");
}

#[tokio::test]
async fn media_without_mime_in_step_1_uses_the_content_type() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "url": format!("{}/dl/nomime", server.uri()), "id": MEDIA_ID})))
        .mount(&server)
        .await;
    download_mock("/dl/nomime", b"%PDF-1.7".to_vec(), "application/pdf")
        .mount(&server)
        .await;
    let got = fetch(&server, &MediaLimits::default()).await.unwrap();
    assert_eq!(got.mime_type, "application/pdf");

    // ... and that type is still checked.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "url": format!("{}/dl/html", server.uri()), "id": MEDIA_ID})))
        .mount(&server)
        .await;
    download_mock("/dl/html", b"<html>".to_vec(), "text/html")
        .mount(&server)
        .await;
    let err = fetch(&server, &MediaLimits::default()).await.unwrap_err();
    assert_eq!(
        err,
        MediaError::Mime {
            mime: "text/html".into()
        }
    );
}

#[tokio::test]
async fn media_hash_mismatch() {
    let server = MockServer::start().await;
    let body = jpeg_bytes(100);
    let other = sha256_hex(b"something else");
    media_info_mock(&server, "/dl/hash", "image/jpeg", &other, "100")
        .mount(&server)
        .await;
    download_mock("/dl/hash", body.clone(), "image/jpeg")
        .mount(&server)
        .await;
    let err = fetch(&server, &MediaLimits::default()).await.unwrap_err();
    assert_eq!(
        err,
        MediaError::Hash {
            expected: other,
            actual: sha256_hex(&body)
        }
    );

    // An unreadable hash is a mismatch too.
    let server = MockServer::start().await;
    media_info_mock(&server, "/dl/hash", "image/jpeg", "not-a-hash!", "100")
        .mount(&server)
        .await;
    download_mock("/dl/hash", body, "image/jpeg")
        .mount(&server)
        .await;
    assert!(matches!(
        fetch(&server, &MediaLimits::default()).await.unwrap_err(),
        MediaError::Hash { .. }
    ));
}

#[tokio::test]
async fn expired_url_is_fetched_again_once() {
    for expired_status in [401, 404] {
        let server = MockServer::start().await;
        let body = jpeg_bytes(64);
        // The first lookup hands out a URL that has expired; the second a fresh one.
        media_info_mock(&server, "/dl/old", "image/jpeg", &sha256_hex(&body), "64")
            .up_to_n_times(1)
            .expect(1)
            .mount(&server)
            .await;
        media_info_mock(&server, "/dl/new", "image/jpeg", &sha256_hex(&body), "64")
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/dl/old"))
            .respond_with(ResponseTemplate::new(expired_status))
            .expect(1)
            .mount(&server)
            .await;
        download_mock("/dl/new", body.clone(), "image/jpeg")
            .expect(1)
            .mount(&server)
            .await;
        let got = fetch(&server, &MediaLimits::default()).await.unwrap();
        assert_eq!(got.bytes, body, "{expired_status}");
        server.verify().await;
    }
}

#[tokio::test]
async fn expired_url_twice_is_permanent() {
    let server = MockServer::start().await;
    media_info_mock(&server, "/dl/gone", "image/jpeg", "", "64")
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/dl/gone"))
        .respond_with(ResponseTemplate::new(404))
        .expect(2)
        .mount(&server)
        .await;
    let err = fetch(&server, &MediaLimits::default()).await.unwrap_err();
    assert!(
        matches!(&err, MediaError::Permanent(m) if m.contains("404")),
        "{err:?}"
    );
    server.verify().await;
}

#[tokio::test]
async fn download_rate_limits_and_server_errors_are_retryable() {
    for status in [429, 500, 503] {
        let server = MockServer::start().await;
        media_info_mock(&server, "/dl/busy", "image/jpeg", "", "64")
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/dl/busy"))
            .respond_with(ResponseTemplate::new(status))
            .expect(1)
            .mount(&server)
            .await;
        let err = fetch(&server, &MediaLimits::default()).await.unwrap_err();
        assert!(err.is_retryable(), "{status}: {err:?}");
        server.verify().await;
    }
}

#[tokio::test]
async fn download_forbidden_is_permanent() {
    let server = MockServer::start().await;
    media_info_mock(&server, "/dl/no", "image/jpeg", "", "64")
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/dl/no"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    let err = fetch(&server, &MediaLimits::default()).await.unwrap_err();
    assert!(
        matches!(&err, MediaError::Permanent(m) if m.contains("403")),
        "{err:?}"
    );
    server.verify().await;
}

#[tokio::test]
async fn download_timeout_is_retryable() {
    let server = MockServer::start().await;
    media_info_mock(&server, "/dl/slow", "image/jpeg", "", "64")
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/dl/slow"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(jpeg_bytes(64), "image/jpeg")
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let api = CloudApi::new(
        &format!("{}/v21.0", server.uri()),
        Duration::from_millis(300),
    );
    let err = api
        .fetch_media(&sender(), MEDIA_ID, &MediaLimits::default())
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
}

#[tokio::test]
async fn lookup_errors_are_classified() {
    let cases = [
        (
            400,
            json!({"error": {"message": "(#100) Invalid parameter", "type": "OAuthException", "code": 100}}),
            false,
        ),
        (404, json!({}), false),
        (
            401,
            json!({"error": {"message": "Error validating access token", "code": 190}}),
            false,
        ),
        (500, json!({}), true),
        (429, json!({}), true),
        (
            400,
            json!({"error": {"message": "(#4) Application request limit reached", "code": 4}}),
            true,
        ),
    ];
    for (status, body, retryable) in cases {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!("/v21.0/{MEDIA_ID}")))
            .respond_with(ResponseTemplate::new(status).set_body_json(body.clone()))
            .expect(1)
            .mount(&server)
            .await;
        let err = fetch(&server, &MediaLimits::default()).await.unwrap_err();
        assert_eq!(err.is_retryable(), retryable, "{status} {body}: {err:?}");
        if !retryable {
            assert!(matches!(err, MediaError::Permanent(_)), "{err:?}");
        }
        server.verify().await;
    }
}

#[tokio::test]
async fn lookup_without_url_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/v21.0/{MEDIA_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": MEDIA_ID})))
        .mount(&server)
        .await;
    let err = fetch(&server, &MediaLimits::default()).await.unwrap_err();
    assert!(
        matches!(&err, MediaError::Permanent(m) if m.contains("no url")),
        "{err:?}"
    );
}

#[tokio::test]
async fn invalid_media_id_makes_no_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    for id in ["", "../me", "123?x=1", "12 34"] {
        let err = api(&server)
            .fetch_media(&sender(), id, &MediaLimits::default())
            .await
            .unwrap_err();
        assert!(matches!(err, MediaError::Permanent(_)), "{id}: {err:?}");
    }
    server.verify().await;
}

#[test]
fn media_limits_default() {
    let l = MediaLimits::default();
    assert_eq!(l.max_bytes, 16 * 1024 * 1024);
    for mime in [
        "image/jpeg",
        "image/png",
        "image/webp",
        "video/mp4",
        "video/3gpp",
        "audio/ogg",
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/amr",
        "application/pdf",
        "text/plain",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ] {
        assert!(l.allows(mime), "{mime}");
    }
    assert!(l.allows("Audio/OGG; codecs=opus"));
    assert!(!l.allows("text/html"));
    assert!(!l.allows("application/octet-stream"));
}

#[test]
fn extensions() {
    for (mime, ext) in [
        ("image/jpeg", "jpg"),
        ("image/png", "png"),
        ("image/webp", "webp"),
        ("video/mp4", "mp4"),
        ("video/3gpp", "3gp"),
        ("audio/ogg; codecs=opus", "ogg"),
        ("audio/mpeg", "mp3"),
        ("audio/mp4", "m4a"),
        ("audio/aac", "aac"),
        ("audio/amr", "amr"),
        ("application/pdf", "pdf"),
        ("text/plain", "txt"),
        ("application/msword", "doc"),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        ("application/vnd.ms-excel", "xls"),
        (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        ("application/vnd.ms-powerpoint", "ppt"),
        (
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ),
        ("IMAGE/PNG", "png"),
        ("application/x-unknown", "bin"),
        ("", "bin"),
    ] {
        assert_eq!(extension_for(mime), ext, "{mime}");
    }
}

#[test]
fn media_error_display() {
    assert_eq!(
        MediaError::TooLarge {
            size: 20,
            limit: 10
        }
        .to_string(),
        "the media is too large (20 bytes or more; the limit is 10)"
    );
    assert_eq!(
        MediaError::Mime {
            mime: "text/html".into()
        }
        .to_string(),
        "media of type \"text/html\" is not accepted"
    );
    assert!(MediaError::Retryable("x".into()).is_retryable());
    assert!(!MediaError::Permanent("x".into()).is_retryable());
}

#[tokio::test]
async fn bad_phone_number_id_makes_no_request() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(success_body()))
        .expect(0)
        .mount(&server)
        .await;
    for pnid in ["", "1/2", "../x"] {
        let from = Sender {
            phone_number_id: pnid,
            access_token: TOKEN,
        };
        let err = api(&server)
            .send(&from, TO, &OutMessage::text("hi"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, SendError::Permanent(p) if p.status == 0 && p.title.contains("phone_number_id")),
            "{pnid}: {err:?}"
        );
    }
    server.verify().await;
}
