//! Menu photos and speech to text against wiremock servers speaking each
//! wire protocol: what is sent, what is read back, retries and failures.
#![expect(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

use std::time::Duration;

use secrecy::SecretString;
use serde_json::{Value, json};
use understand::{
    Anthropic, Audio, BuiltIn, OpenAiCompatible, Photo, PhotoError, ProviderConfig, ProviderError,
    ReadMenuPhoto, SpeechToText, Transcribe,
};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn config(server: &MockServer) -> ProviderConfig {
    ProviderConfig::new(
        server.uri(),
        "test-model",
        SecretString::from("test-key".to_owned()),
    )
    .with_timeout(Duration::from_secs(2))
    .with_retries(2, Duration::from_millis(10))
}

const JPEG: &[u8] = b"\xff\xd8\xff\xe0menu-photo";

fn photo() -> Photo<'static> {
    Photo {
        bytes: JPEG,
        mime: "image/jpeg",
    }
}

fn products() -> Value {
    json!({"products": [
        {"name": "Empanada de carne", "price": 1200, "aliases": ["carne"], "sku": "EMP-CARNE"},
        {"name": "Docena surtida", "price": 13500.5}
    ]})
}

async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

fn body(r: &wiremock::Request) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

// ---------------------------------------------------------------- photos

#[tokio::test]
async fn builtin_cannot_read_photos() {
    let r = BuiltIn.read_menu_photo(photo(), 2).await;
    assert!(matches!(r, Err(PhotoError::NotAvailable)), "{r:?}");
}

#[tokio::test]
async fn anthropic_reads_a_menu_photo_sent_as_an_image_block() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "test-model",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "extract_products", "input": products()}],
            "stop_reason": "tool_use"
        })))
        .mount(&server)
        .await;
    let a = Anthropic::new(config(&server))
        .read_menu_photo(photo(), 2)
        .await
        .unwrap();
    assert_eq!(a.provider, "anthropic");
    assert_eq!(a.products.len(), 2);
    assert_eq!(a.products[0].price_minor, 120_000);
    assert_eq!(a.products[1].price_minor, 1_350_050);
    let sent = body(&requests(&server).await[0]);
    let content = &sent["messages"][0]["content"];
    assert_eq!(content[0]["type"], "image");
    assert_eq!(content[0]["source"]["type"], "base64");
    assert_eq!(content[0]["source"]["media_type"], "image/jpeg");
    use base64::Engine as _;
    assert_eq!(
        content[0]["source"]["data"],
        base64::engine::general_purpose::STANDARD.encode(JPEG)
    );
    assert_eq!(content[1]["type"], "text");
    assert_eq!(sent["tool_choice"]["name"], "extract_products");
}

#[tokio::test]
async fn openai_reads_a_menu_photo_sent_as_a_data_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "c1", "object": "chat.completion", "model": "test-model",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": products().to_string()}}]
        })))
        .mount(&server)
        .await;
    let a = OpenAiCompatible::new("openai", config(&server))
        .read_menu_photo(photo(), 2)
        .await
        .unwrap();
    assert_eq!(a.provider, "openai");
    assert_eq!(a.products[0].name, "Empanada de carne");
    let sent = body(&requests(&server).await[0]);
    let parts = &sent["messages"][1]["content"];
    let url = parts[1]["image_url"]["url"].as_str().unwrap();
    assert!(url.starts_with("data:image/jpeg;base64,/9j/"), "{url}");
}

#[tokio::test]
async fn a_photo_the_model_cannot_read_is_an_error_not_a_guess() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "{\"products\": [{\"name\": \"Pizza\", \"price\": \"cheap\"}]}"}}]
        })))
        .mount(&server)
        .await;
    let r = OpenAiCompatible::new("groq", config(&server))
        .read_menu_photo(photo(), 2)
        .await;
    assert!(
        matches!(r, Err(PhotoError::Provider(ProviderError::Invalid(_)))),
        "{r:?}"
    );
}

#[tokio::test]
async fn photos_of_other_types_or_too_large_are_never_sent() {
    let server = MockServer::start().await;
    let p = Anthropic::new(config(&server));
    let pdf = Photo {
        bytes: b"%PDF-1.4",
        mime: "application/pdf",
    };
    assert!(matches!(
        p.read_menu_photo(pdf, 2).await,
        Err(PhotoError::Unsupported(_))
    ));
    let big = vec![0u8; understand::MAX_PHOTO_BYTES + 1];
    let r = p
        .read_menu_photo(
            Photo {
                bytes: &big,
                mime: "image/png",
            },
            2,
        )
        .await;
    assert!(matches!(r, Err(PhotoError::TooLarge { .. })), "{r:?}");
    assert!(requests(&server).await.is_empty());
}

// ---------------------------------------------------------------- speech to text

const OGG: &[u8] = b"OggS\x00\x02\x00\x00voice-note-bytes";

fn audio() -> Audio<'static> {
    Audio {
        bytes: OGG,
        mime: "audio/ogg",
        language: Some("es"),
    }
}

fn stt(server: &MockServer) -> SpeechToText {
    SpeechToText::new("groq", config(server))
}

#[tokio::test]
async fn transcription_uploads_the_file_model_and_language() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/audio/transcriptions"))
        .and(header("authorization", "Bearer test-key"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"text": " dos de carne para mañana "})),
        )
        .mount(&server)
        .await;
    let text = stt(&server).transcribe(audio()).await.unwrap();
    assert_eq!(text, "dos de carne para mañana");
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 1);
    let ct = reqs[0]
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
    let sent = String::from_utf8_lossy(&reqs[0].body);
    assert!(sent.contains(&format!("--{boundary}\r\n")));
    assert!(
        sent.contains("name=\"model\"\r\n\r\ntest-model\r\n"),
        "{sent}"
    );
    assert!(sent.contains("name=\"language\"\r\n\r\nes\r\n"), "{sent}");
    assert!(
        sent.contains("name=\"response_format\"\r\n\r\njson\r\n"),
        "{sent}"
    );
    assert!(
        sent.contains("name=\"file\"; filename=\"voice.ogg\""),
        "{sent}"
    );
    let start = reqs[0]
        .body
        .windows(OGG.len())
        .position(|w| w == OGG)
        .unwrap();
    assert!(start > 0, "the audio is sent verbatim");
}

#[tokio::test]
async fn transcription_retries_429_and_5xx_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"text": "orders today"})))
        .mount(&server)
        .await;
    assert_eq!(
        stt(&server).transcribe(audio()).await.unwrap(),
        "orders today"
    );
    assert_eq!(requests(&server).await.len(), 3);
}

#[tokio::test]
async fn transcription_gives_up_after_its_retries() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let r = stt(&server).transcribe(audio()).await;
    assert!(
        matches!(r, Err(ProviderError::Http { status: 500, .. })),
        "{r:?}"
    );
    assert_eq!(requests(&server).await.len(), 3, "one try and two retries");
}

#[tokio::test]
async fn transcription_client_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": {"message": "could not process file", "type": "invalid_request_error"}}),
        ))
        .mount(&server)
        .await;
    let r = stt(&server).transcribe(audio()).await;
    assert!(matches!(r, Err(ProviderError::Http { status: 400, .. })));
    assert_eq!(requests(&server).await.len(), 1);
}

#[tokio::test]
async fn transcription_times_out_within_its_budget() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"text": "late"}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let cfg = config(&server).with_timeout(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let r = SpeechToText::new("openai", cfg).transcribe(audio()).await;
    assert!(matches!(r, Err(ProviderError::Timeout)), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_transcription_without_text_is_malformed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"task": "transcribe"})))
        .mount(&server)
        .await;
    let r = stt(&server).transcribe(audio()).await;
    assert!(matches!(r, Err(ProviderError::Malformed(_))), "{r:?}");
}
