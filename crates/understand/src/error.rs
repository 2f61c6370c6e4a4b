//! Why a hosted provider could not answer.

/// Every way a provider call can fail; each one leads to the built-in parser.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("timed out")]
    Timeout,
    #[error("HTTP {status}: {body}")]
    Http { status: u16, body: String },
    #[error("transport error: {0}")]
    Transport(String),
    #[error("malformed response: {0}")]
    Malformed(String),
    #[error("the model did not call the {0} tool")]
    NoToolCall(String),
    #[error("output does not satisfy the contract: {0}")]
    Invalid(String),
}

impl ProviderError {
    /// The metrics label of the failure: `timeout`, `http_4xx`, `http_5xx`,
    /// `transport`, `malformed`, `no_tool_call` or `invalid`.
    pub fn reason(&self) -> &'static str {
        match self {
            ProviderError::Timeout => "timeout",
            ProviderError::Http { status, .. } if *status >= 500 => "http_5xx",
            ProviderError::Http { .. } => "http_4xx",
            ProviderError::Transport(_) => "transport",
            ProviderError::Malformed(_) => "malformed",
            ProviderError::NoToolCall(_) => "no_tool_call",
            ProviderError::Invalid(_) => "invalid",
        }
    }

    /// A few words for the `provider` label of a fall-back answer.
    pub fn short(&self) -> String {
        match self {
            ProviderError::Timeout => "timeout".to_owned(),
            ProviderError::Http { status, .. } => format!("http {status}"),
            ProviderError::Transport(_) => "transport error".to_owned(),
            ProviderError::Malformed(_) => "malformed output".to_owned(),
            ProviderError::NoToolCall(_) => "no tool call".to_owned(),
            ProviderError::Invalid(_) => "invalid output".to_owned(),
        }
    }
}
