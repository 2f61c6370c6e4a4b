//! Sending a JSON request with bounded retries on 429, 5xx (and Anthropic's
//! 529) and connection errors.

use std::time::Duration;

use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

use crate::{ProviderConfig, ProviderError};

/// Longest wait between two attempts, whatever Retry-After says: the whole
/// call has a budget of a few seconds.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() || status.as_u16() == 529
}

fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    let v = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?;
    v.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64)
}

/// Sends `build()` until it succeeds or retries run out; returns the JSON body
/// of a 2xx response.
pub(crate) async fn send_json(
    cfg: &ProviderConfig,
    build: impl Fn() -> RequestBuilder,
) -> Result<Value, ProviderError> {
    let mut attempt = 0u32;
    loop {
        let wait = cfg
            .backoff
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(MAX_BACKOFF);
        match build().send().await {
            Ok(resp) => {
                let status = resp.status();
                if status.is_success() {
                    let bytes = resp
                        .bytes()
                        .await
                        .map_err(|e| ProviderError::Transport(e.to_string()))?;
                    return serde_json::from_slice(&bytes).map_err(|e| {
                        ProviderError::Malformed(format!("response is not JSON: {e}"))
                    });
                }
                let hinted = retry_after(&resp);
                let body = resp.text().await.unwrap_or_default();
                let body: String = body.chars().take(500).collect();
                if retryable(status) && attempt < cfg.max_retries {
                    tracing::debug!(status = status.as_u16(), attempt, "retrying LLM request");
                    tokio::time::sleep(hinted.map_or(wait, |h| h.min(MAX_BACKOFF))).await;
                    attempt += 1;
                    continue;
                }
                return Err(ProviderError::Http {
                    status: status.as_u16(),
                    body,
                });
            }
            Err(e) if e.is_timeout() => return Err(ProviderError::Timeout),
            Err(e) => {
                if (e.is_connect() || e.is_request()) && attempt < cfg.max_retries {
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                    continue;
                }
                return Err(ProviderError::Transport(e.to_string()));
            }
        }
    }
}

/// An HTTP client whose own timeout backs up the call budget.
pub(crate) fn client(cfg: &ProviderConfig) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(cfg.timeout)
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}
