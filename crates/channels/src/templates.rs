//! Message templates through the WhatsApp Business Management API
//! (protocols §1.9): listing a WhatsApp Business Account's templates and
//! submitting new ones for Meta's review. Same base URL (with its API
//! version), HTTP client and error classification as the send client in
//! [`crate::cloud`].
//!
//! - List: `GET {base}/{waba-id}/message_templates?fields=name,status,category,language,components&limit=100`,
//!   following `paging.next` until it is absent.
//! - Create: `POST {base}/{waba-id}/message_templates` with `name`, `language`,
//!   `category` (UPPERCASE on the wire) and a `BODY` component with its
//!   `example.body_text`. A name+language that already exists is
//!   [`Submitted::AlreadyExists`], not an error: its status is read on the
//!   next list.

use crate::cloud::{
    CloudApi, classify_send_failure, is_path_segment, snippet, transport_send_error,
};
use crate::{PermanentError, SendError};
use serde_json::{Value, json};

/// Pages followed at most on one list (100 templates a page).
const MAX_PAGES: usize = 50;

/// A template as Meta lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteTemplate {
    /// Meta's template id.
    pub id: Option<String>,
    pub name: String,
    /// Meta's language code (`en`, `es`, `en_US`, …).
    pub language: String,
    /// As Meta sends it (`APPROVED`, `PENDING`, `REJECTED`, …).
    pub status: String,
    /// As Meta sends it (`UTILITY`, `MARKETING`, `AUTHENTICATION`).
    pub category: String,
    /// The text of the `BODY` component, when it has one.
    pub body: String,
    /// Meta's `components` exactly as listed.
    pub components: Value,
    /// Meta's rejection reason, when listed.
    pub reason: Option<String>,
}

impl RemoteTemplate {
    /// The highest `{{n}}` of the body: how many parameters it takes.
    pub fn params(&self) -> usize {
        body_params(&self.body)
    }
}

/// The highest `{{n}}` placeholder in `body`.
pub fn body_params(body: &str) -> usize {
    let mut max = 0;
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        rest = &rest[start + 2..];
        if let Some(end) = rest.find("}}") {
            if let Ok(n) = rest[..end].trim().parse::<usize>() {
                max = max.max(n);
            }
            rest = &rest[end + 2..];
        } else {
            break;
        }
    }
    max
}

/// A template to submit for review.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTemplate<'a> {
    /// Lowercase letters, digits and underscores.
    pub name: &'a str,
    pub language: &'a str,
    /// `utility`, `marketing` or `authentication` (any case; sent UPPERCASE).
    pub category: &'a str,
    /// The body with `{{1}}`, `{{2}}`… in order.
    pub body: &'a str,
    /// One example value per body parameter.
    pub examples: &'a [&'a str],
}

impl NewTemplate<'_> {
    /// The `components` Meta is sent.
    pub fn components(&self) -> Value {
        let mut body = json!({ "type": "BODY", "text": self.body });
        if !self.examples.is_empty() {
            body["example"] = json!({ "body_text": [self.examples] });
        }
        json!([body])
    }

    /// The request body of the create call.
    pub fn to_graph(&self) -> Value {
        json!({
            "name": self.name,
            "language": self.language,
            "category": self.category.to_ascii_uppercase(),
            "components": self.components(),
        })
    }
}

/// What Meta answered a submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Accepted for review (or approved at once).
    Created {
        id: Option<String>,
        /// As Meta sends it (`PENDING`, `APPROVED`, `REJECTED`).
        status: Option<String>,
        /// The category Meta filed it under (it may re-categorise).
        category: Option<String>,
    },
    /// A template of this name and language exists already on the account.
    AlreadyExists,
}

/// Why a template call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    /// The request is wrong before anything is sent (a bad WABA id).
    #[error("invalid template request: {0}")]
    Invalid(String),
    /// Timeouts, connection errors, 408/429/5xx and throttling codes.
    #[error("WhatsApp template call failed for now and may be retried: {0}")]
    Retryable(String),
    /// Meta refused it (token, permissions, the template's content).
    #[error("WhatsApp refused the template call (HTTP {}, code {}): {}{}", .0.status, .0.code, .0.title,
        .0.details.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Refused(PermanentError),
    /// A 2xx whose body is not what the API documents.
    #[error("unreadable answer from WhatsApp: {0}")]
    Unreadable(String),
}

impl TemplateError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, TemplateError::Retryable(_))
    }
}

impl From<SendError> for TemplateError {
    fn from(e: SendError) -> Self {
        match e {
            SendError::Invalid(l) => TemplateError::Invalid(l.to_string()),
            SendError::Retryable {
                status,
                code,
                message,
            } => {
                let mut s = String::new();
                if let Some(st) = status {
                    s.push_str(&format!("HTTP {st}, "));
                }
                if let Some(c) = code {
                    s.push_str(&format!("code {c}, "));
                }
                s.push_str(&message);
                TemplateError::Retryable(s)
            }
            SendError::Permanent(p) => TemplateError::Refused(p),
        }
    }
}

/// The templates of a WhatsApp Business Account.
#[async_trait::async_trait]
pub trait TemplateApi: Send + Sync {
    /// Every template of `waba_id`, all pages.
    async fn list_templates(
        &self,
        waba_id: &str,
        token: &str,
    ) -> Result<Vec<RemoteTemplate>, TemplateError>;

    /// Submits one template for review.
    async fn create_template(
        &self,
        waba_id: &str,
        token: &str,
        t: &NewTemplate<'_>,
    ) -> Result<Submitted, TemplateError>;
}

fn waba_segment(waba_id: &str) -> Result<(), TemplateError> {
    if is_path_segment(waba_id) {
        Ok(())
    } else {
        Err(TemplateError::Invalid(format!(
            "invalid WhatsApp Business Account id {waba_id:?}"
        )))
    }
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &reqwest::Url) -> String {
    url.origin().ascii_serialization()
}

/// Whether a Graph error body says the name+language exists already
/// ([UNCONFIRMED] codes: subcode 2388024 "Content in This Language Already
/// Exists", 2388023; else the words "already exists" in the message).
fn already_exists(body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    let Some(e) = v.get("error") else {
        return false;
    };
    let sub = e.get("error_subcode").and_then(Value::as_i64);
    if matches!(sub, Some(2_388_023 | 2_388_024)) {
        return true;
    }
    ["message", "error_user_title", "error_user_msg"]
        .iter()
        .filter_map(|k| e.get(*k).and_then(Value::as_str))
        .any(|m| m.to_ascii_lowercase().contains("already exists"))
}

fn string(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => Some(s.clone()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_remote(v: &Value) -> Option<RemoteTemplate> {
    let name = string(v, "name")?;
    let language = string(v, "language")?;
    let components = v.get("components").cloned().unwrap_or_else(|| json!([]));
    let body = components
        .as_array()
        .and_then(|cs| {
            cs.iter().find(|c| {
                c.get("type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case("body"))
            })
        })
        .and_then(|c| c.get("text").and_then(Value::as_str))
        .unwrap_or_default()
        .to_string();
    Some(RemoteTemplate {
        id: string(v, "id"),
        name,
        language,
        status: string(v, "status").unwrap_or_else(|| "PENDING".into()),
        category: string(v, "category").unwrap_or_else(|| "UTILITY".into()),
        body,
        components,
        reason: string(v, "rejected_reason").filter(|r| r != "NONE"),
    })
}

impl CloudApi {
    /// One GET; the body as JSON, or the classified failure.
    async fn get_json(&self, url: reqwest::Url, token: &str) -> Result<Value, TemplateError> {
        let resp = self
            .client()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .map_err(|e| TemplateError::from(transport_send_error(&e)))?;
        let status = resp.status().as_u16();
        let body = resp
            .bytes()
            .await
            .map_err(|e| TemplateError::Retryable(format!("reading the response: {e}")))?;
        if !(200..300).contains(&status) {
            return Err(classify_send_failure(status, &body).into());
        }
        serde_json::from_slice(&body)
            .map_err(|e| TemplateError::Unreadable(format!("{e}: {}", snippet(&body))))
    }
}

#[async_trait::async_trait]
impl TemplateApi for CloudApi {
    async fn list_templates(
        &self,
        waba_id: &str,
        token: &str,
    ) -> Result<Vec<RemoteTemplate>, TemplateError> {
        waba_segment(waba_id)?;
        let first = format!("{}/{}/message_templates", self.base(), waba_id);
        let mut url = reqwest::Url::parse(&first)
            .map_err(|e| TemplateError::Invalid(format!("bad URL {first:?}: {e}")))?;
        url.query_pairs_mut()
            .append_pair("fields", "name,status,category,language,components")
            .append_pair("limit", "100");
        let ours = origin(&url);
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = self.get_json(url.clone(), token).await?;
            let data = page
                .get("data")
                .and_then(Value::as_array)
                .ok_or_else(|| TemplateError::Unreadable("the list has no data array".into()))?;
            for t in data {
                match parse_remote(t) {
                    Some(r) => out.push(r),
                    None => tracing::warn!("skipping a listed template without a name or language"),
                }
            }
            // The next page: Meta's URL when it points at the API we were
            // given (the token goes nowhere else), else its `after` cursor.
            let next = page
                .pointer("/paging/next")
                .and_then(Value::as_str)
                .and_then(|n| reqwest::Url::parse(n).ok());
            match next {
                Some(n) if origin(&n) == ours => url = n,
                Some(_) => {
                    let Some(after) = page
                        .pointer("/paging/cursors/after")
                        .and_then(Value::as_str)
                    else {
                        return Ok(out);
                    };
                    let mut n = reqwest::Url::parse(&first)
                        .map_err(|e| TemplateError::Invalid(format!("bad URL {first:?}: {e}")))?;
                    n.query_pairs_mut()
                        .append_pair("fields", "name,status,category,language,components")
                        .append_pair("limit", "100")
                        .append_pair("after", after);
                    url = n;
                }
                None => return Ok(out),
            }
        }
        tracing::warn!(
            waba_id,
            pages = MAX_PAGES,
            "template list stopped after the page limit"
        );
        Ok(out)
    }

    async fn create_template(
        &self,
        waba_id: &str,
        token: &str,
        t: &NewTemplate<'_>,
    ) -> Result<Submitted, TemplateError> {
        waba_segment(waba_id)?;
        let url = format!("{}/{}/message_templates", self.base(), waba_id);
        let resp = self
            .client()
            .post(url)
            .bearer_auth(token)
            .json(&t.to_graph())
            .send()
            .await
            .map_err(|e| TemplateError::from(transport_send_error(&e)))?;
        let status = resp.status().as_u16();
        let body = resp
            .bytes()
            .await
            .map_err(|e| TemplateError::Retryable(format!("reading the response: {e}")))?;
        if !(200..300).contains(&status) {
            if already_exists(&body) {
                return Ok(Submitted::AlreadyExists);
            }
            let err = TemplateError::from(classify_send_failure(status, &body));
            tracing::warn!(status, name = t.name, language = t.language, error = %err, "template submission failed");
            return Err(err);
        }
        let v: Value = serde_json::from_slice(&body)
            .map_err(|e| TemplateError::Unreadable(format!("{e}: {}", snippet(&body))))?;
        Ok(Submitted::Created {
            id: string(&v, "id"),
            status: string(&v, "status"),
            category: string(&v, "category"),
        })
    }
}
