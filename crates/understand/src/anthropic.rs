//! Anthropic Messages API (protocols.md §6.1): `POST {base}/v1/messages` with
//! forced tool use, so the answer arrives as a `tool_use` block whose `input`
//! is already a JSON object.

use async_trait::async_trait;
use nlu::{Context, Message};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::{
    Answer, ExtractProducts, Photo, PhotoError, ProductsAnswer, ProviderConfig, ProviderError,
    ReadMenuPhoto, Structured, Task, Understand, http,
};

pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Claude through the Messages API.
pub struct Anthropic {
    config: ProviderConfig,
    client: reqwest::Client,
}

impl Anthropic {
    /// `config.base_url` is the API root, e.g. `https://api.anthropic.com`.
    pub fn new(config: ProviderConfig) -> Self {
        let client = http::client(&config);
        Anthropic { config, client }
    }

    fn body(&self, task: &Task) -> Value {
        let content = match &task.image {
            None => json!(task.user),
            Some(img) => json!([
                {"type": "image", "source": {"type": "base64", "media_type": img.mime, "data": img.base64}},
                {"type": "text", "text": task.user}
            ]),
        };
        json!({
            "model": self.config.model,
            "max_tokens": self.config.max_tokens,
            "temperature": 0,
            "system": task.system,
            "messages": [{"role": "user", "content": content}],
            "tools": [{"name": task.tool_name, "description": task.tool_description, "input_schema": task.schema}],
            "tool_choice": {"type": "tool", "name": task.tool_name}
        })
    }
}

/// The `input` of the `tool_use` block that called `tool`.
fn tool_input(resp: &Value, tool: &str) -> Result<Value, ProviderError> {
    let content = resp
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| ProviderError::Malformed("no content array".to_owned()))?;
    content
        .iter()
        .find(|b| {
            b.get("type").and_then(Value::as_str) == Some("tool_use")
                && b.get("name").and_then(Value::as_str) == Some(tool)
        })
        .and_then(|b| b.get("input"))
        .cloned()
        .ok_or_else(|| ProviderError::NoToolCall(tool.to_owned()))
}

#[async_trait]
impl Structured for Anthropic {
    fn name(&self) -> &str {
        "anthropic"
    }

    fn config(&self) -> &ProviderConfig {
        &self.config
    }

    async fn call(&self, task: &Task) -> Result<Value, ProviderError> {
        let url = self.config.endpoint("v1/messages");
        let body = self.body(task);
        let budget = crate::budget(&self.config, task);
        let resp = http::send_json(&self.config, || {
            self.client
                .post(&url)
                .timeout(budget)
                .header("x-api-key", self.config.api_key.expose_secret())
                .header("anthropic-version", ANTHROPIC_VERSION)
                .header("content-type", "application/json")
                .json(&body)
        })
        .await?;
        tool_input(&resp, task.tool_name)
    }
}

#[async_trait]
impl Understand for Anthropic {
    async fn understand(&self, msg: &Message, ctx: &Context) -> Answer {
        crate::understand_via(self, msg, ctx).await
    }
}

#[async_trait]
impl ExtractProducts for Anthropic {
    async fn extract_products(&self, text: &str, minor_digits: u32) -> ProductsAnswer {
        crate::products_via(self, text, minor_digits).await
    }
}

#[async_trait]
impl ReadMenuPhoto for Anthropic {
    async fn read_menu_photo(
        &self,
        photo: Photo<'_>,
        minor_digits: u32,
    ) -> Result<ProductsAnswer, PhotoError> {
        crate::photo::photo_via(self, photo, minor_digits).await
    }
}
