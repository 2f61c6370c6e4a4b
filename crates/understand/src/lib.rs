//! # understand: one interface over the built-in parser and hosted LLMs
//!
//! The conversation engine asks an [`Understand`] implementation what a
//! message means and never cares which one answered. [`BuiltIn`] wraps the
//! offline `nlu::parse`; [`Anthropic`] (Messages API, forced tool use) and
//! [`OpenAiCompatible`] (chat completions: OpenAI, Groq, a local Ollama) ask a
//! hosted model for the same nlu.md JSON.
//!
//! Hosted providers are optional and never trusted: every call has a time
//! budget (3 s by default), retries 429/5xx with a small bounded backoff, and
//! its output is validated strictly against the contract (unknown intents or
//! malformed fields reject the whole answer; items whose SKU is not in the
//! catalog are dropped). On any failure the built-in parser answers instead,
//! the reason is logged with `tracing::warn!`, and [`Answer::provider`] says
//! so, e.g. `builtin (fallback: anthropic timeout)`.
//!
//! The same providers can turn a pasted price list into catalog entries
//! ([`ExtractProducts`]), with `nlu::extract_price_list` as the fall-back,
//! and a photo of a menu or price board into the same entries
//! ([`ReadMenuPhoto`], vision-capable models only; there is no offline
//! fall-back, so without a provider it answers [`PhotoError::NotAvailable`]
//! and the caller asks for the list as text).
//!
//! Speech to text is separate ([`Transcribe`], [`SpeechToText`]): the
//! OpenAI-compatible `/audio/transcriptions` that OpenAI and Groq serve.
//!
//! Every hosted call is counted with the `metrics` facade:
//! `sokoni_llm_requests_total{provider,outcome}` (outcome `ok` or the
//! failure's [`ProviderError::reason`]), `sokoni_llm_fallback_total{provider,reason}`
//! for each answer the built-in parser gave instead, and
//! `sokoni_stt_requests_total{provider,outcome}` for transcriptions.

mod anthropic;
mod error;
mod http;
mod openai;
mod photo;
mod prompt;
mod stt;
mod validate;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use nlu::{Context, ExtractedProduct, Message, Understanding};
use secrecy::SecretString;
use serde_json::Value;

pub use anthropic::Anthropic;
pub use error::ProviderError;
pub use openai::{OpenAiCompatible, ResponseMode};
pub use photo::{MAX_PHOTO_BYTES, Photo, PhotoError, ReadMenuPhoto};
pub use stt::{Audio, SpeechToText, SttKind, Transcribe};

/// What a provider understood, and who answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub understanding: Understanding,
    /// "builtin", "anthropic", "openai", "groq", ..., or
    /// "builtin (fallback: <provider> <reason>)".
    pub provider: String,
}

/// Understands one chat message in its tenant's context.
#[async_trait]
pub trait Understand: Send + Sync {
    async fn understand(&self, msg: &Message, ctx: &Context) -> Answer;
}

/// Products read from a pasted price list, and who read them.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductsAnswer {
    pub products: Vec<ExtractedProduct>,
    pub provider: String,
}

/// Turns a pasted price list into catalog entries (onboarding).
#[async_trait]
pub trait ExtractProducts: Send + Sync {
    /// `minor_digits`: the currency's decimals (2 for ARS, KES, NGN).
    async fn extract_products(&self, text: &str, minor_digits: u32) -> ProductsAnswer;
}

/// The offline parser: deterministic, free, microseconds per message.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltIn;

pub const BUILTIN: &str = "builtin";

#[async_trait]
impl Understand for BuiltIn {
    async fn understand(&self, msg: &Message, ctx: &Context) -> Answer {
        Answer {
            understanding: nlu::parse(msg, ctx),
            provider: BUILTIN.to_owned(),
        }
    }
}

#[async_trait]
impl ExtractProducts for BuiltIn {
    async fn extract_products(&self, text: &str, minor_digits: u32) -> ProductsAnswer {
        ProductsAnswer {
            products: nlu::extract_price_list(text, minor_digits),
            provider: BUILTIN.to_owned(),
        }
    }
}

/// Every job a language-model provider does; every provider here
/// (the built-in parser included) implements it.
pub trait Provider: Understand + ExtractProducts + ReadMenuPhoto {}

impl<T: Understand + ExtractProducts + ReadMenuPhoto> Provider for T {}

/// The providers Sokoni can be configured with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    BuiltIn,
    Anthropic,
    OpenAi,
    Groq,
    Ollama,
}

impl ProviderKind {
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::BuiltIn => BUILTIN,
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::OpenAi => "openai",
            ProviderKind::Groq => "groq",
            ProviderKind::Ollama => "ollama",
        }
    }

    /// The public API root, used when the configuration names none.
    pub fn default_base_url(self) -> Option<&'static str> {
        match self {
            ProviderKind::BuiltIn => None,
            ProviderKind::Anthropic => Some("https://api.anthropic.com"),
            ProviderKind::OpenAi => Some("https://api.openai.com/v1"),
            ProviderKind::Groq => Some("https://api.groq.com/openai/v1"),
            ProviderKind::Ollama => Some("http://127.0.0.1:11434/v1"),
        }
    }

    /// The model used when the configuration names none: small, fast ones
    /// that follow tool calls (and, but for Groq's, read images).
    pub fn default_model(self) -> Option<&'static str> {
        match self {
            ProviderKind::BuiltIn => None,
            ProviderKind::Anthropic => Some("claude-haiku-4-5"),
            ProviderKind::OpenAi => Some("gpt-4o-mini"),
            ProviderKind::Groq => Some("llama-3.3-70b-versatile"),
            ProviderKind::Ollama => Some("llama3.2"),
        }
    }

    /// Whether the provider needs an API key (a local Ollama does not).
    pub fn needs_key(self) -> bool {
        matches!(
            self,
            ProviderKind::Anthropic | ProviderKind::OpenAi | ProviderKind::Groq
        )
    }

    /// Builds the provider; hosted kinds without a configuration get the
    /// built-in parser (nothing in the default path needs a network).
    pub fn build(self, config: Option<ProviderConfig>) -> Arc<dyn Provider> {
        match (self, config) {
            (ProviderKind::Anthropic, Some(c)) => Arc::new(Anthropic::new(c)),
            (ProviderKind::OpenAi | ProviderKind::Groq, Some(c)) => {
                Arc::new(OpenAiCompatible::new(self.name(), c))
            }
            // Ollama's OpenAI layer supports function calling on every tool-capable model;
            // json_schema needs a recent server, so tools is the safer default.
            (ProviderKind::Ollama, Some(c)) => {
                Arc::new(OpenAiCompatible::new(self.name(), c).with_mode(ResponseMode::Tools))
            }
            _ => Arc::new(BuiltIn),
        }
    }
}

impl std::str::FromStr for ProviderKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "builtin" | "built-in" | "none" | "" => Ok(ProviderKind::BuiltIn),
            "anthropic" | "claude" => Ok(ProviderKind::Anthropic),
            "openai" => Ok(ProviderKind::OpenAi),
            "groq" => Ok(ProviderKind::Groq),
            "ollama" => Ok(ProviderKind::Ollama),
            other => Err(format!(
                "unknown LLM provider {other:?} (builtin, anthropic, openai, groq, ollama)"
            )),
        }
    }
}

/// Where and how to reach a hosted model.
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// Anthropic: `https://api.anthropic.com`; OpenAI: `https://api.openai.com/v1`;
    /// Groq: `https://api.groq.com/openai/v1`; Ollama: `http://localhost:11434/v1`.
    pub base_url: String,
    pub model: String,
    pub api_key: SecretString,
    /// Budget for one call, retries included (default 3 s).
    pub timeout: Duration,
    /// Retries after the first attempt on 429, 5xx, 529 and connection errors (default 2).
    pub max_retries: u32,
    /// First backoff; doubles per retry, capped at 1 s (default 200 ms).
    pub backoff: Duration,
    pub max_tokens: u32,
}

impl ProviderConfig {
    pub fn new(
        base_url: impl Into<String>,
        model: impl Into<String>,
        api_key: SecretString,
    ) -> Self {
        ProviderConfig {
            base_url: base_url.into(),
            model: model.into(),
            api_key,
            timeout: Duration::from_secs(3),
            max_retries: 2,
            backoff: Duration::from_millis(200),
            max_tokens: 1024,
        }
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn with_retries(mut self, max_retries: u32, backoff: Duration) -> Self {
        self.max_retries = max_retries;
        self.backoff = backoff;
        self
    }

    pub(crate) fn endpoint(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.base_url.trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }
}

/// One structured-extraction request, independent of the wire protocol.
pub(crate) struct Task {
    pub system: String,
    pub user: String,
    pub tool_name: &'static str,
    pub tool_description: &'static str,
    pub schema: Value,
    /// A picture sent with the user's text (menu photos).
    pub image: Option<photo::Image>,
}

/// A hosted model that can answer a [`Task`] with a JSON object.
#[async_trait]
pub(crate) trait Structured: Send + Sync {
    /// "anthropic", "openai", "groq", ...
    fn name(&self) -> &str;
    fn config(&self) -> &ProviderConfig;
    /// Sends the task (with retries) and returns the model's JSON object.
    async fn call(&self, task: &Task) -> Result<Value, ProviderError>;
}

/// The time budget of `task`: the configured one, or for a photo at least
/// [`photo::PHOTO_BUDGET`].
pub(crate) fn budget(cfg: &ProviderConfig, task: &Task) -> Duration {
    match task.image {
        Some(_) => cfg.timeout.max(photo::PHOTO_BUDGET),
        None => cfg.timeout,
    }
}

/// Runs `task` under the provider's time budget.
async fn call_with_budget(p: &dyn Structured, task: &Task) -> Result<Value, ProviderError> {
    match tokio::time::timeout(budget(p.config(), task), p.call(task)).await {
        Ok(r) => r,
        Err(_) => Err(ProviderError::Timeout),
    }
}

/// Counts one hosted call (`sokoni_llm_requests_total`), and the fall-back
/// to the built-in parser it caused, if any (`sokoni_llm_fallback_total`).
pub(crate) fn count_llm<T>(provider: &str, result: &Result<T, ProviderError>, falls_back: bool) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(e) => e.reason(),
    };
    metrics::counter!("sokoni_llm_requests_total", "provider" => provider.to_owned(), "outcome" => outcome)
        .increment(1);
    if let (Err(e), true) = (result, falls_back) {
        metrics::counter!("sokoni_llm_fallback_total", "provider" => provider.to_owned(), "reason" => e.reason())
            .increment(1);
    }
}

pub(crate) async fn understand_via(p: &dyn Structured, msg: &Message, ctx: &Context) -> Answer {
    let task = prompt::understand_task(msg, ctx);
    let result = call_with_budget(p, &task)
        .await
        .and_then(|v| validate::understanding(v, ctx));
    count_llm(p.name(), &result, true);
    match result {
        Ok(understanding) => Answer {
            understanding,
            provider: p.name().to_owned(),
        },
        Err(err) => {
            tracing::warn!(provider = p.name(), model = %p.config().model, reason = %err, "LLM understanding failed; using the built-in parser");
            Answer {
                understanding: nlu::parse(msg, ctx),
                provider: format!("{BUILTIN} (fallback: {} {})", p.name(), err.short()),
            }
        }
    }
}

pub(crate) async fn products_via(
    p: &dyn Structured,
    text: &str,
    minor_digits: u32,
) -> ProductsAnswer {
    let task = prompt::products_task(text);
    let result = call_with_budget(p, &task)
        .await
        .and_then(|v| validate::products(v, minor_digits));
    count_llm(p.name(), &result, true);
    match result {
        Ok(products) => ProductsAnswer {
            products,
            provider: p.name().to_owned(),
        },
        Err(err) => {
            tracing::warn!(provider = p.name(), model = %p.config().model, reason = %err, "LLM price-list extraction failed; using the built-in extractor");
            ProductsAnswer {
                products: nlu::extract_price_list(text, minor_digits),
                provider: format!("{BUILTIN} (fallback: {} {})", p.name(), err.short()),
            }
        }
    }
}
