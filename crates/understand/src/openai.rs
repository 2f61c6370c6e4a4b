//! OpenAI-compatible chat completions (protocols.md §6.2): OpenAI, Groq and a
//! local Ollama. `POST {base}/chat/completions` with a Bearer key; the answer
//! is constrained by a JSON schema where the model supports it, else by JSON
//! mode or a forced function call.

use async_trait::async_trait;
use nlu::{Context, Message};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::{
    Answer, ExtractProducts, Photo, PhotoError, ProductsAnswer, ProviderConfig, ProviderError,
    ReadMenuPhoto, Structured, Task, Understand, http,
};

/// How the model is made to answer in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResponseMode {
    /// `response_format: json_schema` (OpenAI, Groq's newer models, Ollama ≥ 0.5).
    /// Falls back to `JsonObject` when the server says the model does not support it.
    #[default]
    JsonSchema,
    /// `response_format: json_object`, with the fields described in the prompt.
    JsonObject,
    /// A forced function call; `arguments` is a JSON string.
    Tools,
}

/// A model behind the OpenAI chat completions API.
pub struct OpenAiCompatible {
    config: ProviderConfig,
    client: reqwest::Client,
    name: String,
    mode: ResponseMode,
}

impl OpenAiCompatible {
    /// `name` labels answers ("openai", "groq", "ollama").
    pub fn new(name: impl Into<String>, config: ProviderConfig) -> Self {
        let client = http::client(&config);
        OpenAiCompatible {
            config,
            client,
            name: name.into(),
            mode: ResponseMode::default(),
        }
    }

    pub fn with_mode(mut self, mode: ResponseMode) -> Self {
        self.mode = mode;
        self
    }

    fn body(&self, task: &Task, mode: ResponseMode) -> Value {
        let mut system = task.system.clone();
        if mode == ResponseMode::JsonObject {
            // JSON mode requires the prompt itself to ask for JSON.
            system.push_str("\n\nReply with only one JSON object that follows this JSON Schema:\n");
            system.push_str(&task.schema.to_string());
        }
        let user = match &task.image {
            None => json!(task.user),
            Some(img) => json!([
                {"type": "text", "text": task.user},
                {"type": "image_url", "image_url": {"url": format!("data:{};base64,{}", img.mime, img.base64)}}
            ]),
        };
        let mut body = json!({
            "model": self.config.model,
            "messages": [
                {"role": "system", "content": system},
                {"role": "user", "content": user}
            ],
            "temperature": 0,
            "max_tokens": self.config.max_tokens
        });
        match mode {
            ResponseMode::JsonSchema => {
                body["response_format"] = json!({
                    "type": "json_schema",
                    "json_schema": {"name": task.tool_name, "schema": task.schema, "strict": false}
                });
            }
            ResponseMode::JsonObject => body["response_format"] = json!({"type": "json_object"}),
            ResponseMode::Tools => {
                body["tools"] = json!([{
                    "type": "function",
                    "function": {"name": task.tool_name, "description": task.tool_description, "parameters": task.schema}
                }]);
                body["tool_choice"] =
                    json!({"type": "function", "function": {"name": task.tool_name}});
            }
        }
        body
    }

    async fn send(&self, task: &Task, mode: ResponseMode) -> Result<Value, ProviderError> {
        let url = self.config.endpoint("chat/completions");
        let body = self.body(task, mode);
        let budget = crate::budget(&self.config, task);
        let resp = http::send_json(&self.config, || {
            self.client
                .post(&url)
                .timeout(budget)
                .bearer_auth(self.config.api_key.expose_secret())
                .json(&body)
        })
        .await?;
        extract(&resp, task.tool_name, mode)
    }
}

/// The JSON object in a chat completion: message content, or the arguments
/// string of the forced function call.
fn extract(resp: &Value, tool: &str, mode: ResponseMode) -> Result<Value, ProviderError> {
    let choice = resp
        .get("choices")
        .and_then(Value::as_array)
        .and_then(|c| c.first())
        .ok_or_else(|| ProviderError::Malformed("no choices".to_owned()))?;
    if choice.get("finish_reason").and_then(Value::as_str) == Some("length") {
        return Err(ProviderError::Malformed(
            "answer cut off (finish_reason length)".to_owned(),
        ));
    }
    let message = choice
        .get("message")
        .ok_or_else(|| ProviderError::Malformed("no message".to_owned()))?;
    let text = if mode == ResponseMode::Tools {
        message
            .get("tool_calls")
            .and_then(Value::as_array)
            .and_then(|calls| {
                calls
                    .iter()
                    .find(|c| c.pointer("/function/name").and_then(Value::as_str) == Some(tool))
            })
            .and_then(|c| c.pointer("/function/arguments"))
            .and_then(Value::as_str)
            .ok_or_else(|| ProviderError::NoToolCall(tool.to_owned()))?
    } else {
        message
            .get("content")
            .and_then(Value::as_str)
            .ok_or_else(|| ProviderError::Malformed("no message content".to_owned()))?
    };
    // Some models wrap JSON in a Markdown fence despite JSON mode.
    let text = text.trim();
    let text = text
        .strip_prefix("```json")
        .or_else(|| text.strip_prefix("```"))
        .and_then(|t| t.strip_suffix("```"))
        .unwrap_or(text);
    serde_json::from_str(text.trim())
        .map_err(|e| ProviderError::Malformed(format!("model output is not JSON: {e}")))
}

fn schema_unsupported(err: &ProviderError) -> bool {
    match err {
        ProviderError::Http { status: 400, body } => {
            let b = body.to_ascii_lowercase();
            b.contains("json_schema")
                || b.contains("response_format")
                || b.contains("response format")
        }
        _ => false,
    }
}

#[async_trait]
impl Structured for OpenAiCompatible {
    fn name(&self) -> &str {
        &self.name
    }

    fn config(&self) -> &ProviderConfig {
        &self.config
    }

    async fn call(&self, task: &Task) -> Result<Value, ProviderError> {
        match self.send(task, self.mode).await {
            Err(e) if self.mode == ResponseMode::JsonSchema && schema_unsupported(&e) => {
                tracing::info!(provider = %self.name, model = %self.config.model, "json_schema unsupported; retrying with json_object");
                self.send(task, ResponseMode::JsonObject).await
            }
            other => other,
        }
    }
}

#[async_trait]
impl Understand for OpenAiCompatible {
    async fn understand(&self, msg: &Message, ctx: &Context) -> Answer {
        crate::understand_via(self, msg, ctx).await
    }
}

#[async_trait]
impl ExtractProducts for OpenAiCompatible {
    async fn extract_products(&self, text: &str, minor_digits: u32) -> ProductsAnswer {
        crate::products_via(self, text, minor_digits).await
    }
}

#[async_trait]
impl ReadMenuPhoto for OpenAiCompatible {
    async fn read_menu_photo(
        &self,
        photo: Photo<'_>,
        minor_digits: u32,
    ) -> Result<ProductsAnswer, PhotoError> {
        crate::photo::photo_via(self, photo, minor_digits).await
    }
}
