//! Request extractors that answer in our error envelope: JSON bodies with
//! the failing field named, ids that answer 404 when malformed, and query
//! strings.

use crate::error::AppError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::str::FromStr;

/// A JSON body. Unreadable JSON is a 400; JSON of the wrong shape is a 422
/// naming the field (`business.vertical`).
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/json") || ct.contains("+json"));
        if !is_json {
            return Err(AppError::BadRequest {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                code: "unsupported_media_type",
                message: "send the body as JSON with Content-Type: application/json".into(),
            });
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest {
                status: e.status(),
                code: "unreadable_body",
                message: e.body_text(),
            })?;
        parse_json(&bytes).map(Json)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if let Some(field) = nul_field(bytes) {
        return Err(AppError::field(
            &field,
            "must not contain the NUL character (U+0000)",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            AppError::BadRequest {
                status: StatusCode::BAD_REQUEST,
                code: "malformed_json",
                message: format!("the body is not valid JSON: {inner}"),
            }
        } else {
            let field = if path == "." {
                "body".to_string()
            } else {
                path
            };
            AppError::Validation(BTreeMap::from([(
                field,
                clean_serde_message(&inner.to_string()),
            )]))
        }
    })?;
    // One JSON value and nothing after it.
    de.end().map_err(|e| AppError::BadRequest {
        status: StatusCode::BAD_REQUEST,
        code: "malformed_json",
        message: format!("the body is not valid JSON: {e}"),
    })?;
    Ok(value)
}

/// The field of a body whose text holds a NUL character (`\u0000`), which
/// PostgreSQL cannot store in text: named as serde names fields
/// (`business.name`, `items[0].sku`). Only bodies with the escape in them
/// are read twice.
fn nul_field(bytes: &[u8]) -> Option<String> {
    const ESCAPE: &[u8] = b"\\u0000";
    if !bytes.windows(ESCAPE.len()).any(|w| w == ESCAPE) {
        return None;
    }
    fn walk(v: &serde_json::Value, path: &str) -> Option<String> {
        use serde_json::Value;
        match v {
            Value::String(s) if s.contains('\0') => Some(path.to_string()),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, x)| walk(x, &format!("{path}[{i}]"))),
            Value::Object(map) => map.iter().find_map(|(k, x)| {
                if k.contains('\0') {
                    return Some(if path.is_empty() {
                        "body".into()
                    } else {
                        path.to_string()
                    });
                }
                walk(
                    x,
                    &if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    },
                )
            }),
            _ => None,
        }
    }
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    walk(&v, "").map(|p| if p.is_empty() { "body".into() } else { p })
}

/// Drops serde's " at line 1 column 42" suffix: the field is already named.
fn clean_serde_message(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// Query parameters; a wrong one is a 422 naming it.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(q.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let path = e.path().to_string();
                let field = if path == "." {
                    "query".to_string()
                } else {
                    path
                };
                AppError::field(&field, e.into_inner().to_string())
            })
    }
}

/// Parses an id from a path segment; anything that is not an id of ours is
/// simply not found.
pub fn id<T: FromStr>(raw: &str) -> Result<T, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// For PATCH bodies: distinguishes an absent field (`None`) from an explicit
/// `null` (`Some(None)`), which clears the value.
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
