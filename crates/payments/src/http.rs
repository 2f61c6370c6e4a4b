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

/// A field as text (a number or a string), empty strings counted absent.
pub(crate) fn text_field(data: &serde_json::Value, key: &str) -> Option<String> {
    data.get(key).and_then(json_text)
}

/// The provider's own words about a failure: its `message` (or `error`), or
/// the start of the body.
pub(crate) fn message_of(json: Option<&serde_json::Value>, body: &[u8]) -> String {
    json.and_then(|v| v.get("message").or_else(|| v.get("error")))
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| body_snippet(body))
}

/// A 2xx answer without what we need is most likely a proxy's page: try
/// again later rather than give up.
pub(crate) fn unreadable(provider: &str, what: &str, body: &[u8]) -> PayError {
    PayError::Retryable(format!(
        "{provider} answered without {what}: {}",
        body_snippet(body)
    ))
}

/// What a lookup (`verify`) found.
pub(crate) enum Found {
    /// The answer's `data` object.
    Data(serde_json::Value),
    /// The provider has no such transaction, in its words.
    Missing(String),
}

/// Sends a lookup and reads the `{status, message, data}` answer Paystack
/// and Flutterwave give: `succeeded` reads their `status`, and a 404 or a
/// refusal whose message holds one of `not_found` means no such
/// transaction.
pub(crate) async fn lookup(
    request: reqwest::RequestBuilder,
    provider: &str,
    succeeded: fn(Option<&serde_json::Value>) -> bool,
    not_found: &[&str],
) -> Result<Found, PayError> {
    let (status, bytes) = send_for_body(request).await?;
    let json: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
    let retryable = status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
    let message = message_of(json.as_ref(), &bytes);
    let lower = message.to_ascii_lowercase();
    if !retryable
        && (status == reqwest::StatusCode::NOT_FOUND
            || (!succeeded(json.as_ref()) && not_found.iter().any(|w| lower.contains(w))))
    {
        return Ok(Found::Missing(message));
    }
    if !status.is_success() {
        return Err(status_error(status, status.as_u16().to_string(), message));
    }
    if !succeeded(json.as_ref()) {
        return Err(PayError::Refused {
            code: status.as_u16().to_string(),
            message,
        });
    }
    json.as_ref()
        .and_then(|v| v.get("data"))
        .filter(|d| d.is_object())
        .cloned()
        .map(Found::Data)
        .ok_or_else(|| unreadable(provider, "data", &bytes))
}

/// A major-unit amount (a JSON number, or a string of one) in minor units,
/// rounded half away from zero. Works on the decimal text, so `0.29` is 29
/// cents, not 28.999….
pub(crate) fn major_to_minor(value: &serde_json::Value, digits: u32) -> Option<i64> {
    let text = match value {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    decimal_to_minor(&text, digits)
}

fn decimal_to_minor(text: &str, digits: u32) -> Option<i64> {
    let scale = 10i64.checked_pow(digits)?;
    if text.contains(['e', 'E']) {
        // Only huge or tiny floats print in exponent form; precision is moot there.
        let f: f64 = text.parse().ok()?;
        let minor = (f * scale as f64).round();
        return (minor.is_finite() && minor.abs() < 9.0e15).then_some(minor as i64);
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let width = digits as usize;
    let kept: String = fraction
        .chars()
        .chain(std::iter::repeat('0'))
        .take(width)
        .collect();
    let kept: i64 = if kept.is_empty() {
        0
    } else {
        kept.parse().ok()?
    };
    let round_up = fraction.as_bytes().get(width).is_some_and(|d| *d >= b'5');
    let minor = whole
        .checked_mul(scale)?
        .checked_add(kept)?
        .checked_add(i64::from(round_up))?;
    Some(if negative { -minor } else { minor })
}
