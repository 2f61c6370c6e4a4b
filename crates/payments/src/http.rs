//! The HTTP client settings every provider shares, and how responses map
//! to [`PayError`].

use crate::PayError;
use std::time::Duration;

/// Where a provider's API is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// e.g. `https://api.paystack.co`; a mock server's URL in tests.
    pub base_url: String,
    pub timeout: Duration,
}

impl HttpConfig {
    pub fn new(base_url: &str) -> Self {
        HttpConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            timeout: Duration::from_secs(15),
        }
    }

    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }
}

/// A transport failure is always worth retrying.
pub(crate) fn transport(e: reqwest::Error) -> PayError {
    PayError::Retryable(e.to_string())
}

/// 429 and 5xx are retryable; other non-2xx statuses are refusals.
pub(crate) fn status_error(status: reqwest::StatusCode, code: String, message: String) -> PayError {
    if status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        PayError::Retryable(format!("HTTP {status}: {message}"))
    } else {
        PayError::Refused { code, message }
    }
}

/// Sends `request` and reads the whole answer: its status and raw body.
/// A failure to send or to read (timeouts included) is retryable.
pub(crate) async fn send_for_body(
    request: reqwest::RequestBuilder,
) -> Result<(reqwest::StatusCode, Vec<u8>), PayError> {
    let response = request.send().await.map_err(transport)?;
    let status = response.status();
    let body = response.bytes().await.map_err(transport)?;
    Ok((status, body.to_vec()))
}

/// Percent-encodes one URL path segment: only RFC 3986 unreserved characters
/// pass through, so a reference can never add a segment or a query.
pub(crate) fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An integer the provider may send as a number or as a string
/// (`40333`, `"40333"`, `40333.0`).
pub(crate) fn json_int(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An id or code as text, whether the provider sent a number or a string;
/// empty strings count as absent.
pub(crate) fn json_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// The start of a response body, for error messages.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    match text.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}
