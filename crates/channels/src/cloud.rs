//! The Cloud API client: sending messages (protocols §1.5, §1.6) and the two-step media
//! download (§1.8).
//!
//! Error classification for sends:
//! - a message that breaks Meta's limits is [`SendError::Invalid`], and no request is made;
//! - HTTP 408, 429 and 5xx, timeouts and connection errors, and the throttling / transient
//!   Graph codes in [`RETRYABLE_CODES`] (even on a 4xx) are [`SendError::Retryable`];
//! - every other error status is [`SendError::Permanent`] (a 4xx without a JSON error body
//!   gets code 0);
//! - a 2xx whose body has no `messages[0].id` is [`SendError::Permanent`] with code 0:
//!   Meta may well have accepted the message, so retrying risks a duplicate. Treat it as
//!   "outcome unknown, do not resend".

use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::outbound::{LimitError, OutMessage};
use crate::{Channel, Sender};

/// Graph error codes that mean "try again later", whatever the HTTP status:
/// 130429 rate limit, 131000 something went wrong, 131016 service unavailable,
/// 131056 pair rate limit, 2 service temporarily unavailable, 4 too many calls,
/// 80007 throughput.
pub const RETRYABLE_CODES: &[i64] = &[130429, 131000, 131016, 131056, 2, 4, 80007];

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SendError {
    #[error("the message breaks a WhatsApp limit: {0}")]
    Invalid(LimitError),
    #[error("{}", retryable_display(*.status, *.code, .message))]
    Retryable {
        status: Option<u16>,
        code: Option<i64>,
        message: String,
    },
    #[error(transparent)]
    Permanent(PermanentError),
}

fn retryable_display(status: Option<u16>, code: Option<i64>, message: &str) -> String {
    let mut s = String::from("WhatsApp send failed for now and may be retried");
    match (status, code) {
        (Some(st), Some(c)) => s.push_str(&format!(" (HTTP {st}, code {c})")),
        (Some(st), None) => s.push_str(&format!(" (HTTP {st})")),
        (None, Some(c)) => s.push_str(&format!(" (code {c})")),
        (None, None) => {}
    }
    s.push_str(": ");
    s.push_str(message);
    s
}

impl SendError {
    /// Whether the same send may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, SendError::Retryable { .. })
    }

    /// The Graph error code, when Meta gave one.
    pub fn code(&self) -> Option<i64> {
        match self {
            SendError::Invalid(_) => None,
            SendError::Retryable { code, .. } => *code,
            SendError::Permanent(p) => Some(p.code),
        }
    }
}

/// Meta refused the message for good (until something changes: the token, the window, the number).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[error("{}", permanent_display(self))]
pub struct PermanentError {
    /// HTTP status (0 when no response was involved).
    pub status: u16,
    /// Graph error code (0 when the response had none).
    pub code: i64,
    /// The error message without its leading `(#code) `.
    pub title: String,
    /// `error.error_data.details`.
    pub details: Option<String>,
    pub fbtrace_id: Option<String>,
}

fn permanent_display(p: &PermanentError) -> String {
    let mut s = format!(
        "WhatsApp refused the message (HTTP {}, code {}): {}",
        p.status, p.code, p.title
    );
    if let Some(d) = &p.details {
        s.push_str(": ");
        s.push_str(d);
    }
    s
}

impl PermanentError {
    /// 131047: the 24-hour window is closed; only a template can be sent (§1.7).
    pub fn is_reengagement(&self) -> bool {
        self.code == 131047
    }
}

/// Limits for [`Channel::fetch_media`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaLimits {
    pub max_bytes: u64,
    /// Allowed MIME types (without parameters, compared case-insensitively).
    /// An empty list allows every type.
    pub allowed_mime: Vec<String>,
}

impl Default for MediaLimits {
    /// 16 MiB; the common image, video, audio and document types.
    fn default() -> Self {
        let allowed = [
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
        ];
        MediaLimits {
            max_bytes: 16 * 1024 * 1024,
            allowed_mime: allowed.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl MediaLimits {
    /// Whether `mime` (parameters ignored) is allowed.
    pub fn allows(&self, mime: &str) -> bool {
        let essence = mime_essence(mime);
        self.allowed_mime.is_empty() || self.allowed_mime.iter().any(|a| mime_essence(a) == essence)
    }
}

/// A downloaded media file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Downloaded {
    pub bytes: Vec<u8>,
    /// Lowercase, without parameters (`audio/ogg`, not `audio/ogg; codecs=opus`).
    pub mime_type: String,
    /// Lowercase hex SHA-256 of `bytes`.
    pub sha256_hex: String,
}

/// Why a media download failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// `size` is Meta's `file_size`, or the bytes received when the stream passed the limit.
    #[error("the media is too large ({size} bytes or more; the limit is {limit})")]
    TooLarge { size: u64, limit: u64 },
    #[error("media of type {mime:?} is not accepted")]
    Mime { mime: String },
    #[error("the media content does not match Meta's sha256 (expected {expected}, got {actual})")]
    Hash { expected: String, actual: String },
    #[error("media download failed for now and may be retried: {0}")]
    Retryable(String),
    #[error("media download failed: {0}")]
    Permanent(String),
}

impl MediaError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, MediaError::Retryable(_))
    }
}

/// `image/jpeg; q=1` → `image/jpeg`.
fn mime_essence(mime: &str) -> String {
    mime.split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// A file extension (without the dot) for a MIME type; `bin` when unknown.
pub fn extension_for(mime: &str) -> &'static str {
    match mime_essence(mime).as_str() {
        "image/jpeg" | "image/jpg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "video/mp4" => "mp4",
        "video/3gpp" => "3gp",
        "audio/ogg" => "ogg",
        "audio/mpeg" => "mp3",
        "audio/mp4" => "m4a",
        "audio/aac" => "aac",
        "audio/amr" => "amr",
        "application/pdf" => "pdf",
        "text/plain" => "txt",
        "application/msword" => "doc",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "docx",
        "application/vnd.ms-excel" => "xls",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "xlsx",
        "application/vnd.ms-powerpoint" => "ppt",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation" => "pptx",
        _ => "bin",
    }
}

/// The WhatsApp Business Cloud API over HTTP.
#[derive(Debug, Clone)]
pub struct CloudApi {
    client: reqwest::Client,
    base: String,
}

impl CloudApi {
    /// `base` like "https://graph.facebook.com/v21.0" or a wiremock URI + "/v21.0"; a trailing slash tolerated.
    /// `timeout` bounds each whole request, body included.
    pub fn new(base: &str, timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot build the HTTP client with a timeout; using the default client");
                reqwest::Client::new()
            });
        CloudApi::with_client(base, client)
    }

    /// Uses a client you configured (timeouts, proxy, pool).
    pub fn with_client(base: &str, client: reqwest::Client) -> Self {
        CloudApi {
            client,
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// The base URL without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The HTTP client (shared with the template calls).
    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }
}

/// What a Graph error body says.
#[derive(Debug, Default)]
struct GraphError {
    code: Option<i64>,
    title: Option<String>,
    details: Option<String>,
    fbtrace_id: Option<String>,
}

fn graph_error(body: &[u8]) -> Option<GraphError> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let e = v.get("error")?.as_object()?;
    let string = |key: &str| e.get(key).and_then(Value::as_str).map(str::to_string);
    let code = e.get("code").and_then(|c| match c {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    });
    let title = string("message")
        .map(|m| strip_code_prefix(&m).to_string())
        .or_else(|| string("type"));
    Some(GraphError {
        code,
        title,
        details: e
            .get("error_data")
            .and_then(|d| d.get("details"))
            .and_then(Value::as_str)
            .map(str::to_string),
        fbtrace_id: string("fbtrace_id"),
    })
}

/// `(#131047) Re-engagement message` → `Re-engagement message`.
fn strip_code_prefix(message: &str) -> &str {
    if let Some(rest) = message.strip_prefix("(#")
        && let Some((digits, tail)) = rest.split_once(')')
        && !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
    {
        return tail.trim_start();
    }
    message
}

pub(crate) fn snippet(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(body);
    let s = s.trim();
    match s.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn is_retryable_status(status: u16) -> bool {
    status == 408 || status == 429 || status >= 500
}

pub(crate) fn transport_send_error(e: &reqwest::Error) -> SendError {
    if e.is_builder() {
        return SendError::Permanent(PermanentError {
            status: 0,
            code: 0,
            title: format!("cannot build the request: {e}"),
            details: None,
            fbtrace_id: None,
        });
    }
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "transport error"
    };
    SendError::Retryable {
        status: e.status().map(|s| s.as_u16()),
        code: None,
        message: format!("{what}: {e}"),
    }
}

pub(crate) fn classify_send_failure(status: u16, body: &[u8]) -> SendError {
    let err = graph_error(body);
    let code = err.as_ref().and_then(|e| e.code);
    if is_retryable_status(status) || code.is_some_and(|c| RETRYABLE_CODES.contains(&c)) {
        let message = err
            .as_ref()
            .and_then(|e| e.title.clone())
            .unwrap_or_else(|| snippet(body));
        return SendError::Retryable {
            status: Some(status),
            code,
            message,
        };
    }
    match err {
        Some(e) => SendError::Permanent(PermanentError {
            status,
            code: e.code.unwrap_or(0),
            title: e.title.unwrap_or_default(),
            details: e.details,
            fbtrace_id: e.fbtrace_id,
        }),
        None => SendError::Permanent(PermanentError {
            status,
            code: 0,
            title: format!("HTTP {status} without a Graph error body"),
            details: Some(snippet(body)).filter(|s| !s.is_empty()),
            fbtrace_id: None,
        }),
    }
}

/// `to` must be the digits of a phone number, optionally with a leading `+`.
fn validate_recipient(to: &str) -> Result<(), LimitError> {
    let digits = to.strip_prefix('+').unwrap_or(to);
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(LimitError::new(
            "to",
            format!("must be the digits of a phone number (got {to:?})"),
        ));
    }
    Ok(())
}

/// Checks the message and the recipient before anything is sent (shared with the sandbox).
pub(crate) fn validate_send(to: &str, msg: &OutMessage) -> Result<(), SendError> {
    validate_recipient(to).map_err(SendError::Invalid)?;
    msg.validate().map_err(SendError::Invalid)
}

/// A single path segment: no separators, no spaces.
pub(crate) fn is_path_segment(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[derive(Debug)]
struct MediaInfo {
    url: String,
    mime_type: Option<String>,
    sha256: Option<String>,
    file_size: Option<u64>,
}

enum Step2 {
    /// 401/404: the URL expired (it lives 5 minutes); fetch a new one.
    Expired(u16),
    Failed(MediaError),
}

fn media_transport_error(step: &str, e: &reqwest::Error) -> MediaError {
    if e.is_builder() {
        MediaError::Permanent(format!("{step}: cannot build the request: {e}"))
    } else if e.is_timeout() {
        MediaError::Retryable(format!("{step}: timed out: {e}"))
    } else {
        MediaError::Retryable(format!("{step}: {e}"))
    }
}

fn media_status_error(step: &str, status: u16, body: &[u8]) -> MediaError {
    let err = graph_error(body);
    let code = err.as_ref().and_then(|e| e.code);
    let what = match &err {
        Some(e) => format!(
            "{step}: HTTP {status}, code {}: {}",
            code.unwrap_or(0),
            e.title.clone().unwrap_or_default()
        ),
        None => format!("{step}: HTTP {status}"),
    };
    if is_retryable_status(status) || code.is_some_and(|c| RETRYABLE_CODES.contains(&c)) {
        MediaError::Retryable(what)
    } else {
        MediaError::Permanent(what)
    }
}

/// Meta's `sha256` as bytes: 64 hex digits, or base64 (standard or URL-safe, padded or not).
fn decode_hash(s: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_PAD_INDIFFERENT, URL_SAFE_PAD_INDIFFERENT};
    let s = s.trim();
    if s.len() == 64
        && let Ok(bytes) = hex::decode(s)
    {
        return Some(bytes);
    }
    STANDARD_PAD_INDIFFERENT
        .decode(s)
        .or_else(|_| URL_SAFE_PAD_INDIFFERENT.decode(s))
        .ok()
        .filter(|b| b.len() == 32)
}

fn lenient_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl CloudApi {
    async fn media_info(&self, from: &Sender<'_>, media_id: &str) -> Result<MediaInfo, MediaError> {
        const STEP: &str = "media lookup";
        let mut url = reqwest::Url::parse(&format!("{}/{}", self.base, media_id))
            .map_err(|e| MediaError::Permanent(format!("{STEP}: bad URL: {e}")))?;
        url.query_pairs_mut()
            .append_pair("phone_number_id", from.phone_number_id);
        let resp = self
            .client
            .get(url)
            .bearer_auth(from.access_token)
            .send()
            .await
            .map_err(|e| media_transport_error(STEP, &e))?;
        let status = resp.status().as_u16();
        let body = resp
            .bytes()
            .await
            .map_err(|e| media_transport_error(STEP, &e))?;
        if !(200..300).contains(&status) {
            return Err(media_status_error(STEP, status, &body));
        }
        let v: Value = serde_json::from_slice(&body).map_err(|e| {
            MediaError::Permanent(format!(
                "{STEP}: unreadable response ({e}): {}",
                snippet(&body)
            ))
        })?;
        let string = |key: &str| {
            v.get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        let url = string("url").ok_or_else(|| {
            MediaError::Permanent(format!(
                "{STEP}: the response has no url: {}",
                snippet(&body)
            ))
        })?;
        Ok(MediaInfo {
            url,
            mime_type: string("mime_type"),
            sha256: string("sha256"),
            file_size: v.get("file_size").and_then(lenient_u64),
        })
    }

    /// Checks what step 1 announced before anything is downloaded.
    fn precheck(info: &MediaInfo, limits: &MediaLimits) -> Result<(), MediaError> {
        if let Some(size) = info.file_size
            && size > limits.max_bytes
        {
            return Err(MediaError::TooLarge {
                size,
                limit: limits.max_bytes,
            });
        }
        if let Some(mime) = &info.mime_type
            && !limits.allows(mime)
        {
            return Err(MediaError::Mime {
                mime: mime_essence(mime),
            });
        }
        Ok(())
    }

    /// Step 2: the bytes, capped at `limits.max_bytes`, and the Content-Type.
    async fn download(
        &self,
        url: &str,
        token: &str,
        limits: &MediaLimits,
    ) -> Result<(Vec<u8>, Option<String>), Step2> {
        const STEP: &str = "media download";
        let mut resp = self
            .client
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| Step2::Failed(media_transport_error(STEP, &e)))?;
        let status = resp.status().as_u16();
        if status == 401 || status == 404 {
            return Err(Step2::Expired(status));
        }
        if !(200..300).contains(&status) {
            let body = resp.bytes().await.unwrap_or_default();
            return Err(Step2::Failed(media_status_error(STEP, status, &body)));
        }
        let limit = limits.max_bytes;
        if let Some(declared) = resp.content_length()
            && declared > limit
        {
            return Err(Step2::Failed(MediaError::TooLarge {
                size: declared,
                limit,
            }));
        }
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let capacity = resp.content_length().unwrap_or(0).min(limit);
        let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        // Never trust Content-Length: count what actually arrives.
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| Step2::Failed(media_transport_error(STEP, &e)))?
        {
            let total = bytes.len() as u64 + chunk.len() as u64;
            if total > limit {
                return Err(Step2::Failed(MediaError::TooLarge { size: total, limit }));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((bytes, content_type))
    }
}

#[async_trait::async_trait]
impl Channel for CloudApi {
    async fn send(
        &self,
        from: &Sender<'_>,
        to: &str,
        msg: &OutMessage,
    ) -> Result<String, SendError> {
        validate_send(to, msg)?;
        if !is_path_segment(from.phone_number_id) {
            return Err(SendError::Permanent(PermanentError {
                status: 0,
                code: 0,
                title: format!("invalid phone_number_id {:?}", from.phone_number_id),
                details: None,
                fbtrace_id: None,
            }));
        }
        let url = format!("{}/{}/messages", self.base, from.phone_number_id);
        let resp = self
            .client
            .post(url)
            .bearer_auth(from.access_token)
            .json(&msg.to_graph(to))
            .send()
            .await
            .map_err(|e| transport_send_error(&e))?;
        let status = resp.status().as_u16();
        let body = resp.bytes().await.map_err(|e| SendError::Retryable {
            status: Some(status),
            code: None,
            message: format!("reading the response: {e}"),
        })?;
        if !(200..300).contains(&status) {
            let err = classify_send_failure(status, &body);
            tracing::warn!(status, error = %err, "WhatsApp send failed");
            return Err(err);
        }
        let id = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| {
                v.pointer("/messages/0/id")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .filter(|id| !id.is_empty());
        match id {
            Some(id) => Ok(id),
            None => Err(SendError::Permanent(PermanentError {
                status,
                code: 0,
                title: "the response has no message id; the message may or may not have been sent"
                    .into(),
                details: Some(snippet(&body)).filter(|s| !s.is_empty()),
                fbtrace_id: None,
            })),
        }
    }

    async fn fetch_media(
        &self,
        from: &Sender<'_>,
        media_id: &str,
        limits: &MediaLimits,
    ) -> Result<Downloaded, MediaError> {
        if !is_path_segment(media_id) {
            return Err(MediaError::Permanent(format!(
                "invalid media id {media_id:?}"
            )));
        }
        let mut info = self.media_info(from, media_id).await?;
        Self::precheck(&info, limits)?;

        let mut refetched = false;
        let (bytes, content_type) = loop {
            match self.download(&info.url, from.access_token, limits).await {
                Ok(done) => break done,
                Err(Step2::Expired(status)) if !refetched => {
                    tracing::info!(status, media_id, "media URL expired; fetching a new one");
                    refetched = true;
                    info = self.media_info(from, media_id).await?;
                    Self::precheck(&info, limits)?;
                }
                Err(Step2::Expired(status)) => {
                    return Err(MediaError::Permanent(format!(
                        "media download: HTTP {status} again after fetching a new URL"
                    )));
                }
                Err(Step2::Failed(e)) => return Err(e),
            }
        };

        let mime = info
            .mime_type
            .as_deref()
            .or(content_type.as_deref())
            .map(mime_essence)
            .filter(|m| !m.is_empty())
            .ok_or_else(|| MediaError::Mime {
                mime: "unknown".into(),
            })?;
        if !limits.allows(&mime) {
            return Err(MediaError::Mime { mime });
        }

        let digest = Sha256::digest(&bytes);
        let sha256_hex = hex::encode(digest);
        if let Some(expected) = &info.sha256 {
            let matches = decode_hash(expected).is_some_and(|e| e.as_slice() == digest.as_slice());
            if !matches {
                return Err(MediaError::Hash {
                    expected: expected.clone(),
                    actual: sha256_hex,
                });
            }
        }
        Ok(Downloaded {
            bytes,
            mime_type: mime,
            sha256_hex,
        })
    }
}
