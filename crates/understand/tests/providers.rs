//! The hosted providers against wiremock servers that speak each wire
//! protocol (protocols.md §6): success, retries, and every fall-back path.
#![expect(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

use std::time::Duration;

use nlu::{Context, InputLine, Intent, Message};
use secrecy::SecretString;
use serde_json::{Value, json};
use understand::{
    Anthropic, BuiltIn, ExtractProducts, OpenAiCompatible, ProviderConfig, ResponseMode, Understand,
};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn ctx() -> Context {
    let line: InputLine = serde_json::from_value(json!({
        "text": "",
        "locale": "sw-KE",
        "vertical": "shop",
        "now": "2026-11-20T09:30:00+03:00",
        "timezone": "Africa/Nairobi",
        "catalog": [
            {"sku": "SUGAR-1KG", "name": "Sugar 1kg", "aliases": ["sukari"]},
            {"sku": "UNGA-2KG", "name": "Unga 2kg", "aliases": ["unga"]}
        ]
    }))
    .unwrap();
    line.into_parts().unwrap().1
}

fn msg() -> Message {
    Message::new("Nataka sukari tatu kesho")
}

/// A mock provider that answers every POST with `response`.
async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

fn config(server: &MockServer) -> ProviderConfig {
    ProviderConfig::new(
        server.uri(),
        "test-model",
        SecretString::from("test-key".to_owned()),
    )
    .with_timeout(Duration::from_secs(2))
    .with_retries(2, Duration::from_millis(10))
}

fn model_answer() -> Value {
    json!({
        "intent": "new_order",
        "items": [{"sku": "SUGAR-1KG", "qty": 3}, {"sku": "PHANTOM", "qty": 9}],
        "deadline": "2026-11-21",
        "style": null,
        "measurements": null,
        "amount": null
    })
}

fn anthropic_tool_use(input: Value) -> Value {
    json!({
        "id": "msg_012899dyMDyCX4FgMNNbao8k",
        "type": "message",
        "role": "assistant",
        "model": "test-model",
        "content": [
            {"type": "text", "text": "Recording the order."},
            {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "extract_order", "input": input}
        ],
        "stop_reason": "tool_use",
        "stop_sequence": null,
        "usage": {"input_tokens": 412, "output_tokens": 60}
    })
}

fn anthropic_error(kind: &str) -> Value {
    json!({"type": "error", "error": {"type": kind, "message": "try later"}, "request_id": "req_011"})
}

fn chat_completion(message: Value, finish: &str) -> Value {
    json!({
        "id": "chatcmpl-123",
        "object": "chat.completion",
        "created": 1_677_652_288,
        "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 400, "completion_tokens": 40, "total_tokens": 440}
    })
}

fn chat_content(content: &str) -> Value {
    chat_completion(json!({"role": "assistant", "content": content}), "stop")
}

/// The answer expected from the model above, after validation.
fn assert_model_answer(a: &understand::Answer, provider: &str) {
    assert_eq!(a.provider, provider);
    assert_eq!(a.understanding.intent, Intent::NewOrder);
    let items = a.understanding.items.clone().unwrap();
    assert_eq!(
        items.len(),
        1,
        "items outside the catalog are dropped: {items:?}"
    );
    assert_eq!(items[0].sku, "SUGAR-1KG");
    assert_eq!(items[0].qty, 3);
    assert_eq!(
        a.understanding.deadline.map(|d| d.to_string()).as_deref(),
        Some("2026-11-21")
    );
}

fn assert_fallback(a: &understand::Answer, provider: &str) {
    assert_eq!(a.provider, provider);
    assert_eq!(
        a.understanding,
        nlu::parse(&msg(), &ctx()),
        "the fall-back is the built-in answer"
    );
}

async fn requests(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.unwrap_or_default()
}

// ---------------------------------------------------------------- built-in

#[tokio::test]
async fn builtin_answers_offline() {
    let a = BuiltIn.understand(&msg(), &ctx()).await;
    assert_eq!(a.provider, "builtin");
    assert_eq!(a.understanding.intent, Intent::NewOrder);
    let p = BuiltIn
        .extract_products("Unga 2kg - 180\nSugar 1kg: KES 160", 2)
        .await;
    assert_eq!(p.products.len(), 2);
    assert_eq!(p.provider, "builtin");
}

// ---------------------------------------------------------------- Anthropic

#[tokio::test]
async fn anthropic_success_with_forced_tool_use() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .and(header("x-api-key", "test-key"))
        .and(header("anthropic-version", "2023-06-01"))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(json!({
            "model": "test-model",
            "tool_choice": {"type": "tool", "name": "extract_order"},
            "messages": [{"role": "user", "content": "Nataka sukari tatu kesho"}]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(anthropic_tool_use(model_answer())))
        .expect(1)
        .mount(&server)
        .await;
    let a = Anthropic::new(config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_model_answer(&a, "anthropic");
    // The request carries the system prompt (top-level) and the tool schema.
    let body: Value = serde_json::from_slice(&requests(&server).await[0].body).unwrap();
    assert!(body["system"].as_str().unwrap().contains("SUGAR-1KG"));
    assert!(body["max_tokens"].as_u64().is_some());
    assert_eq!(body["tools"][0]["name"], "extract_order");
    assert_eq!(body["tools"][0]["input_schema"]["type"], "object");
}

#[tokio::test]
async fn anthropic_retries_429_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(
            ResponseTemplate::new(429)
                .set_body_json(anthropic_error("rate_limit_error"))
                .insert_header("retry-after", "0"),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(anthropic_tool_use(model_answer())))
        .expect(1)
        .mount(&server)
        .await;
    let a = Anthropic::new(config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_model_answer(&a, "anthropic");
}

#[tokio::test]
async fn anthropic_retries_529_overloaded() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(529).set_body_json(anthropic_error("overloaded_error")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(anthropic_tool_use(model_answer())))
        .mount(&server)
        .await;
    let a = Anthropic::new(config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_model_answer(&a, "anthropic");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn anthropic_500_exhausted_falls_back() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(anthropic_error("api_error")))
        .expect(3)
        .mount(&server)
        .await;
    let a = Anthropic::new(config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_fallback(&a, "builtin (fallback: anthropic http 500)");
}

#[tokio::test]
async fn anthropic_client_errors_are_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401).set_body_json(anthropic_error("authentication_error")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let a = Anthropic::new(config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_fallback(&a, "builtin (fallback: anthropic http 401)");
}

#[tokio::test]
async fn anthropic_timeout_falls_back() {
    let server = answering(
        ResponseTemplate::new(200)
            .set_body_json(anthropic_tool_use(model_answer()))
            .set_delay(Duration::from_secs(3)),
    )
    .await;
    let cfg = config(&server).with_timeout(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let a = Anthropic::new(cfg).understand(&msg(), &ctx()).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the budget bounds the wait"
    );
    assert_fallback(&a, "builtin (fallback: anthropic timeout)");
}

#[tokio::test]
async fn anthropic_unknown_intent_falls_back() {
    let server = MockServer::start().await;
    let mut bad = model_answer();
    bad["intent"] = json!("buy_stuff");
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(anthropic_tool_use(bad)))
        .mount(&server)
        .await;
    let a = Anthropic::new(config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_fallback(&a, "builtin (fallback: anthropic invalid output)");
}

#[tokio::test]
async fn anthropic_malformed_fields_fall_back() {
    let server = MockServer::start().await;
    for bad in [
        json!({"intent": "new_order", "deadline": "next Friday"}),
        json!({"intent": "new_order", "items": [{"sku": "SUGAR-1KG", "qty": -3}]}),
        json!({"intent": "add_measurements", "measurements": {"chest": "forty"}}),
        json!({"intent": "new_order", "fulfilment": "drone"}),
        json!({"intent": "new_order", "mood": "happy"}),
        json!("new_order"),
    ] {
        server.reset().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(anthropic_tool_use(bad.clone())))
            .mount(&server)
            .await;
        let a = Anthropic::new(config(&server))
            .understand(&msg(), &ctx())
            .await;
        assert_fallback(&a, "builtin (fallback: anthropic invalid output)");
    }
}

#[tokio::test]
async fn anthropic_without_tool_use_falls_back() {
    let server = MockServer::start().await;
    let body = json!({
        "id": "msg_1", "type": "message", "role": "assistant", "model": "test-model",
        "content": [{"type": "text", "text": "I think they want sugar."}],
        "stop_reason": "end_turn", "stop_sequence": null,
        "usage": {"input_tokens": 10, "output_tokens": 30}
    });
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let a = Anthropic::new(config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_fallback(&a, "builtin (fallback: anthropic no tool call)");
}

#[tokio::test]
async fn anthropic_non_json_body_falls_back() {
    let server = answering(ResponseTemplate::new(200).set_body_string("<html>proxy</html>")).await;
    let a = Anthropic::new(config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_fallback(&a, "builtin (fallback: anthropic malformed output)");
}

#[tokio::test]
async fn anthropic_unreachable_falls_back() {
    // Nothing listens on this port once the listener is dropped.
    let uri = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let cfg = ProviderConfig::new(uri, "m", SecretString::from("k".to_owned()))
        .with_retries(1, Duration::from_millis(5));
    let a = Anthropic::new(cfg).understand(&msg(), &ctx()).await;
    assert_fallback(&a, "builtin (fallback: anthropic transport error)");
}

#[tokio::test]
async fn anthropic_extracts_products() {
    let server = MockServer::start().await;
    let input = json!({"products": [
        {"name": "Empanada de carne", "price": 900, "aliases": ["carne"], "sku": "EMP-CARNE"},
        {"name": "Coca 1,5L", "price": 2500.5}
    ]});
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"tool_choice": {"type": "tool", "name": "extract_products"}})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "msg_2", "type": "message", "role": "assistant", "model": "m",
            "content": [{"type": "tool_use", "id": "toolu_2", "name": "extract_products", "input": input}],
            "stop_reason": "tool_use", "stop_sequence": null, "usage": {"input_tokens": 1, "output_tokens": 1}
        })))
        .mount(&server)
        .await;
    let p = Anthropic::new(config(&server))
        .extract_products("Empanada de carne $900\nCoca 1,5L $2.500,50", 2)
        .await;
    assert_eq!(p.provider, "anthropic");
    assert_eq!(p.products.len(), 2);
    assert_eq!(p.products[0].price_minor, 90_000);
    assert_eq!(p.products[1].price_minor, 250_050);
    assert_eq!(p.products[0].sku.as_deref(), Some("EMP-CARNE"));
}

#[tokio::test]
async fn anthropic_products_fall_back_to_the_builtin_extractor() {
    let server = answering(ResponseTemplate::new(503)).await;
    let text = "Empanada de carne $900\nDocena $9.500";
    let p = Anthropic::new(config(&server))
        .extract_products(text, 2)
        .await;
    assert_eq!(p.provider, "builtin (fallback: anthropic http 503)");
    assert_eq!(p.products, nlu::extract_price_list(text, 2));
}

// ---------------------------------------------------------------- OpenAI-compatible

#[tokio::test]
async fn openai_json_schema_success() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat/completions"))
        .and(header("authorization", "Bearer test-key"))
        .and(body_partial_json(json!({
            "model": "test-model",
            "response_format": {"type": "json_schema", "json_schema": {"name": "extract_order"}}
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(chat_content(&model_answer().to_string())),
        )
        .expect(1)
        .mount(&server)
        .await;
    let a = OpenAiCompatible::new("openai", config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_model_answer(&a, "openai");
    let body: Value = serde_json::from_slice(&requests(&server).await[0].body).unwrap();
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["content"], "Nataka sukari tatu kesho");
}

#[tokio::test]
async fn groq_without_json_schema_support_uses_json_object() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/openai/v1/chat/completions"))
        .and(body_partial_json(
            json!({"response_format": {"type": "json_schema"}}),
        ))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "message": "This model does not support response format `json_schema`.",
            "type": "invalid_request_error", "param": "response_format", "code": null
        }})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/openai/v1/chat/completions"))
        .and(body_partial_json(
            json!({"response_format": {"type": "json_object"}}),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(chat_content(&format!("```json\n{}\n```", model_answer()))),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cfg = ProviderConfig::new(
        format!("{}/openai/v1/", server.uri()),
        "llama-3.3-70b-versatile",
        SecretString::from("gsk".to_owned()),
    );
    let a = OpenAiCompatible::new("groq", cfg)
        .understand(&msg(), &ctx())
        .await;
    assert_model_answer(&a, "groq");
    // JSON mode needs the prompt to ask for JSON.
    let reqs = requests(&server).await;
    let body: Value = serde_json::from_slice(&reqs[1].body).unwrap();
    assert!(
        body["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("JSON")
    );
}

#[tokio::test]
async fn ollama_with_forced_function_call() {
    let server = MockServer::start().await;
    let message = json!({
        "role": "assistant",
        "content": null,
        "tool_calls": [{"id": "call_abc", "type": "function", "function": {"name": "extract_order", "arguments": model_answer().to_string()}}]
    });
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer ollama"))
        .and(body_partial_json(
            json!({"tool_choice": {"type": "function", "function": {"name": "extract_order"}}}),
        ))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(chat_completion(message, "tool_calls")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let cfg = ProviderConfig::new(
        format!("{}/v1", server.uri()),
        "llama3.2",
        SecretString::from("ollama".to_owned()),
    );
    let a = OpenAiCompatible::new("ollama", cfg)
        .with_mode(ResponseMode::Tools)
        .understand(&msg(), &ctx())
        .await;
    assert_model_answer(&a, "ollama");
}

#[tokio::test]
async fn openai_retries_429_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429).set_body_json(json!({"error": {"message": "rate limited"}})),
        )
        .up_to_n_times(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(chat_content(&model_answer().to_string())),
        )
        .expect(1)
        .mount(&server)
        .await;
    let a = OpenAiCompatible::new("openai", config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_model_answer(&a, "openai");
}

#[tokio::test]
async fn openai_500_exhausted_falls_back() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502))
        .expect(3)
        .mount(&server)
        .await;
    let a = OpenAiCompatible::new("openai", config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_fallback(&a, "builtin (fallback: openai http 502)");
}

#[tokio::test]
async fn openai_timeout_falls_back() {
    let server = answering(
        ResponseTemplate::new(200)
            .set_body_json(chat_content("{}"))
            .set_delay(Duration::from_secs(3)),
    )
    .await;
    let a = OpenAiCompatible::new(
        "groq",
        config(&server).with_timeout(Duration::from_millis(300)),
    )
    .understand(&msg(), &ctx())
    .await;
    assert_fallback(&a, "builtin (fallback: groq timeout)");
}

#[tokio::test]
async fn openai_malformed_model_output_falls_back() {
    let server = answering(
        ResponseTemplate::new(200)
            .set_body_json(chat_content("Sure! The customer wants 3 sugars.")),
    )
    .await;
    let a = OpenAiCompatible::new("openai", config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_fallback(&a, "builtin (fallback: openai malformed output)");
}

#[tokio::test]
async fn openai_truncated_output_falls_back() {
    let server = answering(ResponseTemplate::new(200).set_body_json(chat_completion(
        json!({"role": "assistant", "content": "{\"intent\": \"new_"}),
        "length",
    )))
    .await;
    let a = OpenAiCompatible::new("openai", config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_fallback(&a, "builtin (fallback: openai malformed output)");
}

#[tokio::test]
async fn openai_invalid_contract_falls_back() {
    let server = answering(
        ResponseTemplate::new(200).set_body_json(chat_content(r#"{"intent": "order_pizza"}"#)),
    )
    .await;
    let a = OpenAiCompatible::new("openai", config(&server))
        .understand(&msg(), &ctx())
        .await;
    assert_fallback(&a, "builtin (fallback: openai invalid output)");
}

#[tokio::test]
async fn openai_tools_mode_without_tool_call_falls_back() {
    let server =
        answering(ResponseTemplate::new(200).set_body_json(chat_content("I cannot call tools.")))
            .await;
    let a = OpenAiCompatible::new("ollama", config(&server))
        .with_mode(ResponseMode::Tools)
        .understand(&msg(), &ctx())
        .await;
    assert_fallback(&a, "builtin (fallback: ollama no tool call)");
}

#[tokio::test]
async fn openai_extracts_products_in_json_mode() {
    let server = MockServer::start().await;
    let content =
        json!({"products": [{"name": "Agbada", "price": 45000, "aliases": []}]}).to_string();
    Mock::given(method("POST"))
        .and(body_partial_json(
            json!({"response_format": {"type": "json_object"}}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(chat_content(&content)))
        .mount(&server)
        .await;
    let p = OpenAiCompatible::new("openai", config(&server))
        .with_mode(ResponseMode::JsonObject)
        .extract_products("Agbada ₦45,000", 2)
        .await;
    assert_eq!(p.provider, "openai");
    assert_eq!(p.products[0].name, "Agbada");
    assert_eq!(p.products[0].price_minor, 4_500_000);
}

// ---------------------------------------------------------------- configuration

#[tokio::test]
async fn provider_kinds_build_and_default_to_builtin() {
    use understand::ProviderKind;
    let kind: ProviderKind = "Groq".parse().unwrap();
    assert_eq!(
        kind.default_base_url(),
        Some("https://api.groq.com/openai/v1")
    );
    assert!("gemini".parse::<ProviderKind>().is_err());
    // A hosted kind without configuration answers offline.
    let p = ProviderKind::Anthropic.build(None);
    assert_eq!(p.understand(&msg(), &ctx()).await.provider, "builtin");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/messages"))
        .respond_with(ResponseTemplate::new(200).set_body_json(anthropic_tool_use(model_answer())))
        .mount(&server)
        .await;
    let p = ProviderKind::Anthropic.build(Some(config(&server)));
    assert_model_answer(&p.understand(&msg(), &ctx()).await, "anthropic");
}
