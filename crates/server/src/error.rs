//! The one error type at the HTTP edge and its JSON envelope.
//!
//! Policy: a user error has a stable `code`, a readable `message` and, for
//! validation, the `fields` that are wrong. Anything else (a database or
//! library failure) is logged with its cause and answered as a generic 500;
//! the cause never reaches the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::BTreeMap;
use store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// 422: input that parsed but is wrong, field by field.
    Validation(BTreeMap<String, String>),
    /// 400 / 415: a request we cannot read at all.
    BadRequest {
        status: StatusCode,
        code: &'static str,
        message: String,
    },
    /// 401.
    Unauthorized { code: &'static str, message: String },
    /// 403: authenticated but the role does not allow it.
    Forbidden(&'static str),
    /// 404, also for other tenants' objects.
    NotFound,
    /// 409: the request conflicts with what is stored.
    Conflict {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// 429.
    TooMany { code: &'static str, message: String },
    /// 500, cause logged only.
    Internal(anyhow::Error),
}

pub type ApiResult<T> = Result<T, AppError>;

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `validation_failed`, `not_found`, `conflict`, ...
    pub code: String,
    pub message: String,
    /// For validation errors: field path → what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<BTreeMap<String, String>>,
}

impl AppError {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::Validation(BTreeMap::from([(field.to_string(), message.into())]))
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Unauthorized {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>, field: Option<&str>) -> Self {
        AppError::Conflict {
            code,
            message: message.into(),
            field: field.map(str::to_string),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message, fields) = match self {
            AppError::Validation(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "some fields are invalid".to_string(),
                Some(fields),
            ),
            AppError::BadRequest {
                status,
                code,
                message,
            } => (status, code, message, None),
            AppError::Unauthorized { code, message } => {
                (StatusCode::UNAUTHORIZED, code, message, None)
            }
            AppError::Forbidden(message) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                message.to_string(),
                None,
            ),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "not found".to_string(),
                None,
            ),
            AppError::Conflict {
                code,
                message,
                field,
            } => {
                let fields = field.map(|f| BTreeMap::from([(f, message.clone())]));
                (StatusCode::CONFLICT, code, message, fields)
            }
            AppError::TooMany { code, message } => {
                (StatusCode::TOO_MANY_REQUESTS, code, message, None)
            }
            AppError::Internal(e) => {
                tracing::error!(error = format!("{e:#}"), "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on our side".to_string(),
                    None,
                )
            }
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_string(),
                message,
                fields,
            },
        };
        (status, axum::Json(body)).into_response()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Unique(index) => unique_conflict(index),
            other => AppError::Internal(other.into()),
        }
    }
}

/// Which request field a unique index protects, and how to say it: the one
/// place a constraint becomes a client-facing conflict.
fn unique_conflict(index: &'static str) -> AppError {
    let (code, field, message) = match index {
        "tenants_slug_key" => ("conflict", "business.slug", "this slug is taken"),
        "users_email_key" => ("conflict", "email", "a user with this email already exists"),
        "users_tenant_phone_key" => ("conflict", "phone", "a user with this phone already exists"),
        "customers_tenant_phone_key" | "customers_tenant_wa_id_key" => (
            "customer_exists",
            "phone",
            "a customer with this phone number already exists",
        ),
        "measurements_version_key" | "measurements_current_key" => (
            "conflict",
            "version",
            "the measurements changed at the same time; try again",
        ),
        "products_tenant_sku_key" => ("conflict", "sku", "a product with this sku already exists"),
        "delivery_zones_tenant_name_key" => (
            "conflict",
            "name",
            "a delivery zone with this name already exists",
        ),
        "payments_open_key" => (
            "conflict",
            "type",
            "another request of this kind was made at the same time; try again",
        ),
        "wa_numbers_phone_number_id_key" => (
            "conflict",
            "phone_number_id",
            "this WhatsApp number is already connected to a business",
        ),
        _ => ("conflict", "", "this conflicts with an existing record"),
    };
    AppError::Conflict {
        code,
        message: message.to_string(),
        field: (!field.is_empty()).then(|| field.to_string()),
    }
}

impl AppError {
    /// Places a conflict's field inside a nested request object
    /// (`email` becomes `owner.email`).
    pub fn in_object(self, prefix: &str) -> Self {
        match self {
            AppError::Conflict {
                code,
                message,
                field: Some(f),
            } => AppError::Conflict {
                code,
                message,
                field: Some(format!("{prefix}.{f}")),
            },
            other => other,
        }
    }
}

impl From<engine::accounts::AccountError> for AppError {
    fn from(e: engine::accounts::AccountError) -> Self {
        use engine::accounts::AccountError as E;
        match e {
            E::Taken { index, in_owner } => {
                let conflict = unique_conflict(index);
                if in_owner {
                    conflict.in_object("owner")
                } else {
                    conflict
                }
            }
            E::LastOwner => AppError::conflict(
                "last_owner",
                "a business needs at least one active owner",
                Some("role"),
            ),
            E::NotFound => AppError::NotFound,
            e @ E::Hash(_) => AppError::Internal(e.into()),
            E::Store(e) => e.into(),
        }
    }
}

impl From<engine::error::ServiceError> for AppError {
    fn from(e: engine::error::ServiceError) -> Self {
        use engine::error::ServiceError as E;
        match e {
            E::NotFound => AppError::NotFound,
            E::Invalid { field, message } => AppError::field(&field, message),
            E::Conflict {
                code,
                message,
                field,
            } => AppError::conflict(code, message, field),
            E::Internal(m) => AppError::Internal(anyhow::anyhow!(m)),
            E::Store(e) => e.into(),
        }
    }
}

/// How a refused send from the API is told: a message that breaks
/// WhatsApp's limits names its field in the request; the rest as any
/// service error.
pub fn outbound(e: engine::outbound::OutboundError) -> AppError {
    match e {
        engine::outbound::OutboundError::Invalid(field, msg) => {
            let field = match field.strip_prefix("fallback") {
                Some(rest) => format!("fallback_template{rest}"),
                None => format!("message.{field}"),
            };
            AppError::field(&field, msg)
        }
        other => engine::error::ServiceError::from(other).into(),
    }
}

impl From<anyhow::Error> for AppError {
    fn from(e: anyhow::Error) -> Self {
        AppError::Internal(e)
    }
}

/// Collects field errors and fails once with all of them.
#[derive(Default)]
pub struct Validator {
    fields: BTreeMap<String, String>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.fields
            .entry(field.to_string())
            .or_insert_with(|| message.into());
    }

    /// Records `message` for `field` unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, message: &str) {
        if !ok {
            self.error(field, message);
        }
    }

    /// Takes the value of a fallible parse, recording its error.
    pub fn take<T, E: std::fmt::Display>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(field, e.to_string());
                None
            }
        }
    }

    pub fn finish(self) -> ApiResult<()> {
        if self.fields.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.fields))
        }
    }
}

/// Puts every error response that is not already our JSON envelope into
/// it: axum's and the framework's own rejections (a path id that is not
/// UTF-8, a wrong method, a body over the limit) answer in plain text or
/// with an empty body otherwise. The status stays; the code names it.
pub async fn envelope_errors(res: Response) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json") || ct.starts_with("text/html"));
    // JSON errors are envelopes already; HTML ones are the dashboard's pages.
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let (parts, body) = res.into_parts();
    // Framework rejections are short texts; never read more than that.
    let text = axum::body::to_bytes(body, 16 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        s if s.is_server_error() => "internal",
        _ => "request_refused",
    };
    let message = if text.is_empty() || status.is_server_error() {
        status
            .canonical_reason()
            .unwrap_or("request refused")
            .to_lowercase()
    } else {
        text
    };
    let mut out = (
        status,
        axum::Json(serde_json::json!({"error": {"code": code, "message": message}})),
    )
        .into_response();
    // Keep what the framework said about the request (`Allow` on a 405).
    for (name, value) in &parts.headers {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
