//! Who is signed in to the dashboard: the session cookie, the CSRF check on
//! every state-changing request, and the extractors pages take ([`Page`]
//! for any role, [`EditPage`] for those who may change things, [`OwnerPage`]
//! for the business's settings and team).

use super::Look;
use super::words::Words;
use crate::auth::tokens;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use std::collections::HashMap;
use std::sync::Arc;
use store::tenants::Tenant;
use store::users::User;
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "sokoni_session";
/// Before sign-in, forms are protected by a random token in this cookie
/// that the form repeats (double submit); after it, by the session's own.
pub const PRE_COOKIE: &str = "sokoni_pre";
pub const THEME_COOKIE: &str = "sokoni_theme";
pub const FLASH_COOKIE: &str = "sokoni_flash";
/// The form field and the header that carry the CSRF token.
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in person, their business and how the page should look.
#[derive(Debug)]
pub struct PageData {
    pub user: User,
    pub tenant: Tenant,
    pub session_id: Uuid,
    pub csrf: String,
    pub w: Words,
    pub theme: &'static str,
    /// A one-off notice from the previous request (saved, moved, refused).
    pub flash: Option<String>,
    /// The path asked for, to mark the menu.
    pub path: String,
    /// When the page was made, in microseconds: live updates report what
    /// changed after it.
    pub rendered: i64,
}

impl PageData {
    pub fn can_write(&self) -> bool {
        self.user.role.can_write()
    }
    pub fn can_manage(&self) -> bool {
        self.user.role.can_manage()
    }
    pub fn is_restaurant(&self) -> bool {
        self.tenant.vertical == domain::tenant::Vertical::Restaurant
    }
    /// Whether the menu entry for `prefix` is the current page.
    pub fn at(&self, prefix: &str) -> bool {
        if prefix == "/app" {
            self.path == "/app" || self.path == "/app/"
        } else {
            self.path.starts_with(prefix)
        }
    }
    pub fn role_key(&self) -> &'static str {
        match self.user.role {
            domain::tenant::Role::Owner => "role.owner",
            domain::tenant::Role::Staff => "role.staff",
            domain::tenant::Role::Viewer => "role.viewer",
        }
    }
}

/// Any signed-in role: reading.
#[derive(Debug, Clone)]
pub struct Page(pub Arc<PageData>);

impl std::ops::Deref for Page {
    type Target = PageData;
    fn deref(&self) -> &PageData {
        &self.0
    }
}

/// Owner or staff: a viewer's request is refused (403), as in the API.
#[derive(Debug, Clone)]
pub struct EditPage(pub Page);

/// Owner only: settings and the team.
#[derive(Debug, Clone)]
pub struct OwnerPage(pub Page);

macro_rules! deref_page {
    ($($t:ty),*) => {$(
        impl std::ops::Deref for $t {
            type Target = PageData;
            fn deref(&self) -> &PageData {
                &self.0
            }
        }
    )*};
}
deref_page!(EditPage, OwnerPage);

/// Why a page was not served; the dashboard layer renders it as a page in
/// the person's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub status: StatusCode,
    pub key: &'static str,
}

impl Fault {
    pub const NOT_FOUND: Fault = Fault {
        status: StatusCode::NOT_FOUND,
        key: "error.not_found",
    };
    pub const FORBIDDEN: Fault = Fault {
        status: StatusCode::FORBIDDEN,
        key: "error.forbidden",
    };
    pub const CSRF: Fault = Fault {
        status: StatusCode::FORBIDDEN,
        key: "error.csrf",
    };
    pub const BAD_REQUEST: Fault = Fault {
        status: StatusCode::BAD_REQUEST,
        key: "error.bad_request",
    };
    pub const INTERNAL: Fault = Fault {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        key: "error.internal",
    };
}

impl IntoResponse for Fault {
    fn into_response(self) -> Response {
        let mut res = self.status.into_response();
        res.extensions_mut().insert(self);
        res
    }
}

/// Not signed in: a page goes to sign-in and comes back; a script's
/// request gets a 401 it can act on.
pub struct SignIn {
    next: String,
    script: bool,
}

impl IntoResponse for SignIn {
    fn into_response(self) -> Response {
        if self.script {
            return (
                StatusCode::UNAUTHORIZED,
                axum::Json(serde_json::json!({"error": {"code": "unauthenticated", "message": "sign in again"}})),
            )
                .into_response();
        }
        let next: String = form_urlencoded::byte_serialize(self.next.as_bytes()).collect();
        Redirect::to(&format!("/login?next={next}")).into_response()
    }
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("application/json") || a.starts_with("text/event-stream"))
}

impl FromRequestParts<AppState> for Page {
    type Rejection = SignIn;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, SignIn> {
        match parts.extensions.get::<Arc<PageData>>() {
            Some(p) => Ok(Page(p.clone())),
            None => Err(SignIn {
                next: parts
                    .uri
                    .path_and_query()
                    .map_or("/app".into(), |p| p.as_str().to_string()),
                script: wants_json(&parts.headers),
            }),
        }
    }
}

impl FromRequestParts<AppState> for EditPage {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        let page = Page::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        if !page.can_write() {
            return Err(Fault::FORBIDDEN.into_response());
        }
        Ok(EditPage(page))
    }
}

impl FromRequestParts<AppState> for OwnerPage {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Response> {
        let page = Page::from_request_parts(parts, s)
            .await
            .map_err(IntoResponse::into_response)?;
        if !page.can_manage() {
            return Err(Fault::FORBIDDEN.into_response());
        }
        Ok(OwnerPage(page))
    }
}

// ---- cookies ----------------------------------------------------------------

/// The request's cookies by name.
pub struct Cookies(HashMap<String, String>);

impl Cookies {
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut map = HashMap::new();
        for v in headers.get_all(header::COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            for pair in v.split(';') {
                if let Some((k, val)) = pair.trim().split_once('=') {
                    map.entry(k.trim().to_string())
                        .or_insert_with(|| val.trim().to_string());
                }
            }
        }
        Cookies(map)
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// A `Set-Cookie` value: HttpOnly and SameSite=Lax always, Secure when the
/// dashboard is served over HTTPS. `max_age` 0 deletes it.
pub fn cookie(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let v = cookie_value(name, value, max_age, &state.config.public_url());
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static("x=; Max-Age=0"))
}

fn cookie_value(name: &str, value: &str, max_age: i64, public_url: &str) -> String {
    let secure = if public_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

/// A flash notice for the next page, URL-encoded into its cookie.
pub fn flash_cookie(state: &AppState, text: &str) -> HeaderValue {
    let enc: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
    cookie(state, FLASH_COOKIE, &enc, 60)
}

fn decode(v: &str) -> String {
    form_urlencoded::parse(format!("x={v}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

// ---- sessions -----------------------------------------------------------------

/// Starts a browser session for a user who proved who they are, and answers
/// with its cookie and a redirect to `next`.
pub async fn start(state: &AppState, user: &User, next: &str) -> Result<Response, Fault> {
    let token = tokens::random_token(32);
    let csrf = tokens::random_token(24);
    let mut tx = state.db.begin().await.map_err(internal)?;
    store::users::touch_login(&mut tx, user.tenant_id, user.id)
        .await
        .map_err(internal)?;
    store::web_sessions::insert(
        &mut tx,
        user.tenant_id,
        user.id,
        &tokens::hash_refresh(&token),
        &csrf,
        Duration::days(state.config.dashboard_session_days),
    )
    .await
    .map_err(internal)?;
    tx.commit().await.map_err(internal)?;
    let mut res = Redirect::to(safe_next(next)).into_response();
    let max_age = state.config.dashboard_session_days * 86_400;
    res.headers_mut().append(
        header::SET_COOKIE,
        cookie(state, SESSION_COOKIE, &token, max_age),
    );
    res.headers_mut()
        .append(header::SET_COOKIE, cookie(state, PRE_COOKIE, "", 0));
    Ok(res)
}

/// Only our own pages are places to go back to after signing in.
pub fn safe_next(next: &str) -> &str {
    if next.starts_with("/app") && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/app"
    }
}

pub fn internal(e: impl std::fmt::Display) -> Fault {
    tracing::error!(error = %e, "dashboard");
    Fault::INTERNAL
}

/// The live session the cookie names, with its user and business, both
/// still active; a stale or ended one is None.
async fn resolve(
    state: &AppState,
    token: &str,
) -> Result<Option<(store::web_sessions::WebSession, User, Tenant)>, store::StoreError> {
    let Some(s) = store::web_sessions::by_token(&state.db, &tokens::hash_refresh(token)).await?
    else {
        return Ok(None);
    };
    let now = store::now();
    let idle = Duration::minutes(state.config.dashboard_idle_minutes);
    if !s.is_live(now, idle) {
        return Ok(None);
    }
    let user = match store::users::get(&state.db, s.tenant_id, s.user_id).await {
        Ok(u) => u,
        Err(store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let tenant = store::tenants::get(&state.db, s.tenant_id).await?;
    if !user.is_active || !tenant.is_active {
        return Ok(None);
    }
    store::web_sessions::touch(&state.db, s.id, now, now - Duration::minutes(1)).await?;
    Ok(Some((s, user, tenant)))
}

/// The language for pages without a business (sign-in, errors): the
/// browser's first choice between English and Spanish.
fn browser_words(headers: &HeaderMap) -> Words {
    let lang = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("en");
    Words::for_lang(lang.trim_start())
}

fn theme(cookies: &Cookies) -> &'static str {
    match cookies.get(THEME_COOKIE) {
        Some("dark") => "dark",
        Some("light") => "light",
        _ => "",
    }
}

/// The CSRF token a request carries: the header, or the form's `_csrf`
/// field (the body is read and put back).
async fn carried_token(req: Request) -> Result<(Request, Option<String>), Fault> {
    if let Some(v) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let v = v.to_string();
        return Ok((req, Some(v)));
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 256 * 1024)
        .await
        .map_err(|_| Fault::BAD_REQUEST)?;
    let token = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned());
    Ok((Request::from_parts(parts, Body::from(bytes)), token))
}

/// The dashboard's layer: finds the session, checks the CSRF token of
/// every state-changing request, and turns a [`Fault`] into a page in the
/// person's language.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cookies = Cookies::from_headers(req.headers());
    let theme = theme(&cookies);
    let flash = cookies.get(FLASH_COOKIE).map(decode);
    let path = req.uri().path().to_string();
    let session = match cookies.get(SESSION_COOKIE) {
        Some(t) => match resolve(&state, t).await {
            Ok(s) => s,
            Err(e) => {
                return render_fault(
                    &state,
                    None,
                    browser_words(req.headers()),
                    theme,
                    internal(e),
                );
            }
        },
        None => None,
    };
    let page = session.map(|(s, user, tenant)| {
        Arc::new(PageData {
            w: Words::for_lang(tenant.locale.language()),
            user,
            tenant,
            session_id: s.id,
            csrf: s.csrf_token,
            theme,
            flash: flash.clone(),
            path: path.clone(),
            rendered: store::now().timestamp_micros(),
        })
    });
    let words = page
        .as_ref()
        .map_or_else(|| browser_words(req.headers()), |p| p.w);
    let mut req = req;
    // Signing out of a session that already ended has nothing to protect.
    let stale_logout = page.is_none() && path == "/logout";
    if !stale_logout && !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let expected = page
            .as_ref()
            .map(|p| p.csrf.clone())
            .or_else(|| cookies.get(PRE_COOKIE).map(str::to_string));
        let (r, carried) = match carried_token(req).await {
            Ok(x) => x,
            Err(f) => return render_fault(&state, page.as_deref(), words, theme, f),
        };
        let ok = matches!((&expected, &carried), (Some(e), Some(c)) if tokens::same(e, c));
        if !ok {
            return render_fault(&state, page.as_deref(), words, theme, Fault::CSRF);
        }
        req = r;
    }
    if let Some(p) = &page {
        req.extensions_mut().insert(p.clone());
    }
    req.extensions_mut().insert(Look {
        w: words,
        theme,
        flash: flash.clone(),
    });
    let mut res = next.run(req).await;
    if let Some(f) = res.extensions().get::<Fault>().copied() {
        let mut out = render_fault(&state, page.as_deref(), words, theme, f);
        for c in res.headers().get_all(header::SET_COOKIE) {
            out.headers_mut().append(header::SET_COOKIE, c.clone());
        }
        return out;
    }
    // A notice is shown once: the page that showed it clears it.
    let shown = res.status() == StatusCode::OK
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if flash.is_some() && shown {
        res.headers_mut()
            .append(header::SET_COOKIE, cookie(&state, FLASH_COOKIE, "", 0));
    }
    res
}

fn render_fault(
    state: &AppState,
    page: Option<&PageData>,
    w: Words,
    theme: &'static str,
    f: Fault,
) -> Response {
    let _ = state;
    let body = super::fault_page(page, w, theme, f);
    let mut res = (f.status, body).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_our_pages_are_places_to_return_to() {
        assert_eq!(
            safe_next("/app/orders?stage=cutting"),
            "/app/orders?stage=cutting"
        );
        assert_eq!(safe_next("https://evil.example/app"), "/app");
        assert_eq!(safe_next("//evil.example"), "/app");
        assert_eq!(safe_next("/api/v1/orders"), "/app");
        assert_eq!(safe_next("/app\\..\\x"), "/app");
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_behind_https() {
        let c = cookie_value(SESSION_COOKIE, "t", 60, "https://shop.example");
        assert_eq!(
            c,
            "sokoni_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        let plain = cookie_value(SESSION_COOKIE, "", 0, "http://127.0.0.1:8080");
        assert_eq!(
            plain,
            "sokoni_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
        );
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; sokoni_theme=dark; b="),
        );
        let c = Cookies::from_headers(&h);
        assert_eq!(c.get("a"), Some("1"));
        assert_eq!(theme(&c), "dark");
        assert_eq!(c.get("b"), None);
    }
}
