//! Signing in to the dashboard (email and password, or a phone and the
//! code sent on WhatsApp), the demo's sign-in links, and signing out. The
//! checks are the API's own (`api::auth::{check_password, send_code,
//! check_code}`); this module only speaks HTML.

use super::session::{self, Cookies, PRE_COOKIE, SESSION_COOKIE};
use super::{Look, render_status};
use crate::api::auth::{self, OtpSendRequest, OtpVerifyRequest};
use crate::auth::tokens;
use crate::error::AppError;
use crate::net::ClientIp;
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Extension, Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(show).post(with_password))
        .route("/login/code", post(send_code))
        .route("/login/verify", post(with_code))
        .route("/login/link/{token}", get(with_link))
        .route("/logout", post(logout))
}

#[derive(Template)]
#[template(path = "dashboard/login.html")]
struct LoginPage {
    look: Look,
    csrf: String,
    next: String,
    /// `password`, `phone` (ask for a code) or `code` (type it).
    mode: &'static str,
    email: String,
    phone: String,
    code: String,
    /// Businesses to choose from when the phone runs several: (slug, name).
    businesses: Vec<(String, String)>,
    errors: BTreeMap<&'static str, String>,
    notice: Option<String>,
}

impl LoginPage {
    fn err(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

#[derive(Deserialize, Default)]
pub struct Shown {
    #[serde(default)]
    next: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    notice: String,
}

/// The pre-sign-in CSRF token: the cookie's, or a new one to set.
fn pre_token(headers: &HeaderMap) -> (String, bool) {
    match Cookies::from_headers(headers).get(PRE_COOKIE) {
        Some(t) => (t.to_string(), false),
        None => (tokens::random_token(24), true),
    }
}

fn page(look: Look, csrf: String, next: String, mode: &'static str) -> LoginPage {
    LoginPage {
        look,
        csrf,
        next,
        mode,
        email: String::new(),
        phone: String::new(),
        code: String::new(),
        businesses: Vec::new(),
        errors: BTreeMap::new(),
        notice: None,
    }
}

fn answer(state: &AppState, status: StatusCode, p: LoginPage, set_pre: bool) -> Response {
    let mut res = render_status(status, &p);
    if set_pre {
        res.headers_mut().append(
            header::SET_COOKIE,
            session::cookie(state, PRE_COOKIE, &p.csrf, 3600 * 12),
        );
    }
    res
}

async fn show(
    State(state): State<AppState>,
    Extension(look): Extension<Look>,
    headers: HeaderMap,
    signed_in: Option<Extension<std::sync::Arc<super::PageData>>>,
    Query(q): Query<Shown>,
) -> Response {
    if signed_in.is_some() {
        return Redirect::to(session::safe_next(&q.next)).into_response();
    }
    let (csrf, set) = pre_token(&headers);
    // The onboarding chat's link carries the phone and its code.
    let mode = if !q.code.is_empty() {
        "code"
    } else if !q.phone.is_empty() {
        "phone"
    } else {
        "password"
    };
    let mut p = page(look.clone(), csrf, q.next, mode);
    p.phone = q.phone;
    p.code = q
        .code
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect();
    p.notice = match q.notice.as_str() {
        "signed_out" => Some(look.w.t("login.signed_out").to_string()),
        "link" => Some(look.w.t("login.link_invalid").to_string()),
        _ => None,
    };
    answer(&state, StatusCode::OK, p, set)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

async fn with_password(
    State(state): State<AppState>,
    Extension(look): Extension<Look>,
    headers: HeaderMap,
    Form(f): Form<PasswordForm>,
) -> Response {
    let (csrf, set) = pre_token(&headers);
    let mut p = page(look.clone(), csrf, f.next.clone(), "password");
    p.email = f.email.trim().to_string();
    let w = look.w;
    if p.email.is_empty() {
        p.errors.insert("email", w.t("login.required").into());
    }
    if f.password.is_empty() {
        p.errors.insert("password", w.t("login.required").into());
    }
    if !p.errors.is_empty() {
        return answer(&state, StatusCode::UNPROCESSABLE_ENTITY, p, set);
    }
    match auth::check_password(&state, &f.email, f.password).await {
        Ok((user, _)) => session::start(&state, &user, &f.next)
            .await
            .unwrap_or_else(IntoResponse::into_response),
        Err(e) => {
            let (field, key) = match &e {
                AppError::Unauthorized {
                    code: "user_inactive",
                    ..
                } => ("email", "login.inactive"),
                AppError::Unauthorized { .. } => ("password", "login.invalid"),
                _ => return super::Fault::from(e).into_response(),
            };
            p.errors.insert(field, w.t(key).into());
            answer(&state, StatusCode::UNPROCESSABLE_ENTITY, p, set)
        }
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    tenant: String,
    #[serde(default)]
    next: String,
}

/// A code refused, in words next to the field it concerns.
fn code_error(w: super::Words, e: &AppError) -> Option<(&'static str, &'static str)> {
    Some(match e {
        AppError::Validation(_) => ("phone", "login.phone_invalid"),
        AppError::TooMany {
            code: "otp_locked", ..
        } => ("code", "login.code_locked"),
        AppError::TooMany { .. } => ("phone", "login.rate_limited"),
        AppError::Unauthorized { .. } => ("code", "login.code_invalid"),
        _ => {
            let _ = w;
            return None;
        }
    })
}

async fn send_code(
    State(state): State<AppState>,
    Extension(look): Extension<Look>,
    headers: HeaderMap,
    ip: ClientIp,
    Form(f): Form<CodeForm>,
) -> Response {
    let (csrf, set) = pre_token(&headers);
    let w = look.w;
    let mut p = page(look, csrf, f.next.clone(), "phone");
    p.phone = f.phone.trim().to_string();
    if p.phone.is_empty() {
        p.errors.insert("phone", w.t("login.required").into());
        return answer(&state, StatusCode::UNPROCESSABLE_ENTITY, p, set);
    }
    let req = OtpSendRequest {
        phone: f.phone.clone(),
        country: None,
        tenant: Some(f.tenant.clone()).filter(|t| !t.is_empty()),
    };
    match auth::send_code(&state, &ip, &req).await {
        Ok(()) => {
            p.mode = "code";
            p.notice = Some(w.t("login.code_sent").into());
            answer(&state, StatusCode::OK, p, set)
        }
        Err(e) => match code_error(w, &e) {
            Some((field, key)) => {
                p.errors.insert(field, w.t(key).into());
                answer(&state, StatusCode::UNPROCESSABLE_ENTITY, p, set)
            }
            None => super::Fault::from(e).into_response(),
        },
    }
}

async fn with_code(
    State(state): State<AppState>,
    Extension(look): Extension<Look>,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> Response {
    let (csrf, set) = pre_token(&headers);
    let w = look.w;
    let mut p = page(look, csrf, f.next.clone(), "code");
    p.phone = f.phone.trim().to_string();
    p.code = f.code.trim().to_string();
    if p.code.is_empty() {
        p.errors.insert("code", w.t("login.required").into());
        return answer(&state, StatusCode::UNPROCESSABLE_ENTITY, p, set);
    }
    let req = OtpVerifyRequest {
        phone: f.phone.clone(),
        country: None,
        code: f.code.clone(),
        tenant: Some(f.tenant.clone()).filter(|t| !t.is_empty()),
    };
    match auth::check_code(&state, &req).await {
        Ok((user, _)) => session::start(&state, &user, &f.next)
            .await
            .unwrap_or_else(IntoResponse::into_response),
        Err(AppError::Conflict {
            code: "choose_business",
            ..
        }) => {
            // The code is still good: pick the business and send it again.
            p.businesses = businesses_of(&state, &p.phone).await;
            p.errors
                .insert("tenant", w.t("login.choose_business").into());
            answer(&state, StatusCode::CONFLICT, p, set)
        }
        Err(e) => match code_error(w, &e) {
            Some((field, key)) => {
                p.errors.insert(field, w.t(key).into());
                answer(&state, StatusCode::UNPROCESSABLE_ENTITY, p, set)
            }
            None => super::Fault::from(e).into_response(),
        },
    }
}

/// The active businesses a phone's users belong to: (slug, name).
async fn businesses_of(state: &AppState, phone: &str) -> Vec<(String, String)> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let Ok(e164) = domain::E164::from_wa_id(&digits) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for u in store::users::by_phone(&state.db, e164.as_str())
        .await
        .unwrap_or_default()
    {
        if let Ok(t) = store::tenants::get(&state.db, u.tenant_id).await
            && t.is_active
            && u.is_active
        {
            out.push((t.slug, t.business_name));
        }
    }
    out
}

/// How long a sign-in link printed by `sokoni demo` or `sokoni login-link`
/// works.
pub const LINK_HOURS: i64 = 24;

/// Creates a sign-in link for a user: `{public_url}/login/link/{token}`.
pub async fn issue_link(
    state: &AppState,
    user: &store::users::User,
) -> Result<String, store::StoreError> {
    let token = tokens::random_token(32);
    store::web_sessions::insert_link(
        &state.db,
        user.tenant_id,
        user.id,
        &tokens::hash_refresh(&token),
        chrono::Duration::hours(LINK_HOURS),
    )
    .await?;
    Ok(format!("{}/login/link/{token}", state.config.public_url()))
}

/// Signs in with a link and goes to `?next=` (one of our pages) or Today.
async fn with_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<Shown>,
) -> Response {
    let found = store::web_sessions::link_user(
        &state.db,
        &tokens::hash_refresh(token.trim()),
        store::now(),
    )
    .await;
    let user = match found {
        Ok(Some((tenant, user))) => store::users::get(&state.db, tenant, user).await.ok(),
        Ok(None) => None,
        Err(e) => return session::internal(e).into_response(),
    };
    match user.filter(|u| u.is_active) {
        Some(u) => session::start(&state, &u, &q.next)
            .await
            .unwrap_or_else(IntoResponse::into_response),
        None => Redirect::to("/login?notice=link").into_response(),
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let cookies = Cookies::from_headers(&headers);
    if let Some(t) = cookies.get(SESSION_COOKIE)
        && let Ok(Some(s)) =
            store::web_sessions::by_token(&state.db, &tokens::hash_refresh(t)).await
        && let Err(e) = store::web_sessions::end(&state.db, s.id).await
    {
        return session::internal(e).into_response();
    }
    let mut res = Redirect::to("/login?notice=signed_out").into_response();
    res.headers_mut().append(
        header::SET_COOKIE,
        session::cookie(&state, SESSION_COOKIE, "", 0),
    );
    res
}
