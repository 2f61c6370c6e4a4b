//! `/api/v1/auth/...`: registering a business, logging in with a password or
//! a phone code, and rotating sessions.

use crate::auth::tokens::{self, Claims};
use crate::auth::{Auth, password};
use crate::error::{ApiResult, AppError, ErrorBody, Validator};
use crate::extract::Json;
use crate::net::ClientIp;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Duration;
use domain::E164;
use domain::messages::Msg;
use domain::money::Currency;
use domain::phone::valid_country;
use domain::tenant::{Locale, Vertical, parse_timezone, valid_order_prefix, valid_slug};
use serde::{Deserialize, Serialize};
use store::tenants::{NewTenant, Tenant};
use store::users::{NewOtp, User};
use store::{Ex, Tx};
use utoipa::ToSchema;
use uuid::Uuid;

/// A logged-in session: a short access token and a refresh token to renew it.
#[derive(Serialize, ToSchema)]
pub struct Session {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single use: each refresh returns a new one.
    pub refresh_token: String,
    pub user: User,
    pub tenant: Tenant,
}

/// Signs an access token and stores a refresh token in `family` (a new
/// family for a fresh login).
pub(crate) async fn issue_session(
    state: &AppState,
    ex: impl Into<Ex<'_>>,
    user: User,
    tenant: Tenant,
    family: Option<Uuid>,
) -> ApiResult<Session> {
    let now = chrono::Utc::now().timestamp();
    let ttl = state.config.access_token_minutes * 60;
    let claims = Claims {
        sub: user.id,
        tid: user.tenant_id,
        role: user.role,
        iat: now,
        exp: now + ttl,
    };
    let access_token = state.keys.issue(&claims)?;
    let refresh_token = tokens::random_token(32);
    store::users::insert_refresh_token(
        ex,
        user.tenant_id,
        user.id,
        family.unwrap_or_else(Uuid::now_v7),
        &tokens::hash_refresh(&refresh_token),
        Duration::days(state.config.refresh_token_days),
    )
    .await?;
    Ok(Session {
        access_token,
        token_type: "Bearer",
        expires_in: ttl,
        refresh_token,
        user,
        tenant,
    })
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub business: BusinessInput,
    pub owner: OwnerInput,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessInput {
    /// Shown to customers.
    #[schema(example = "Funmi Couture")]
    pub name: String,
    /// Lowercase letters, digits and dashes.
    #[schema(example = "funmi-couture")]
    pub slug: String,
    pub phone: Option<String>,
    pub vertical: Vertical,
    #[schema(example = "NGN")]
    pub currency: String,
    #[schema(example = "Africa/Lagos")]
    pub timezone: String,
    #[schema(example = "en-NG")]
    pub locale: String,
    /// ISO 3166 country; defaults to the locale's region.
    pub country: Option<String>,
    /// Order refs prefix, e.g. `SEW`; defaults by vertical.
    pub order_prefix: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerInput {
    pub name: String,
    pub email: String,
    pub password: String,
    pub phone: Option<String>,
}

/// Normalises an email: trimmed, lowercase, and roughly the right shape.
pub(crate) fn normalise_email(v: &mut Validator, field: &str, email: &str) -> String {
    let e = email.trim().to_lowercase();
    let ok = e.len() <= 254
        && e.split_once('@')
            .is_some_and(|(a, b)| !a.is_empty() && b.contains('.') && !b.starts_with('.'))
        && !e.contains(char::is_whitespace);
    v.check(ok, field, "must be an email address");
    e
}

pub(crate) fn required_text(v: &mut Validator, field: &str, text: &str, max: usize) -> String {
    let t = text.trim().to_string();
    v.check(!t.is_empty(), field, "must not be empty");
    v.check(
        t.chars().count() <= max,
        field,
        &format!("must be at most {max} characters"),
    );
    t
}

/// Validated registration, ready to store.
struct Registration {
    tenant: NewTenant,
    owner_name: String,
    email: String,
    phone: Option<String>,
    password: String,
}

fn validate_register(r: RegisterRequest) -> ApiResult<Registration> {
    let mut v = Validator::new();
    let b = r.business;
    let name = required_text(&mut v, "business.name", &b.name, 200);
    let slug = b.slug.trim().to_string();
    v.check(
        valid_slug(&slug),
        "business.slug",
        "use 3-60 lowercase letters, digits and dashes",
    );
    let currency = v.take("business.currency", Currency::parse(&b.currency));
    v.check(
        parse_timezone(&b.timezone).is_some(),
        "business.timezone",
        "must be an IANA timezone like Africa/Lagos",
    );
    let locale = v.take("business.locale", Locale::parse(&b.locale));
    let country = b
        .country
        .map(|c| c.trim().to_ascii_uppercase())
        .or_else(|| locale.as_ref().and_then(|l| l.region().map(str::to_string)));
    match &country {
        Some(c) if valid_country(c) => {}
        Some(_) => v.error(
            "business.country",
            "must be an ISO 3166 country code like NG",
        ),
        None => v.error("business.country", "required when the locale has no region"),
    }
    let country = country.unwrap_or_default();
    let prefix = b
        .order_prefix
        .unwrap_or_else(|| b.vertical.default_order_prefix().to_string());
    v.check(
        valid_order_prefix(&prefix),
        "business.order_prefix",
        "use 2-6 uppercase letters",
    );
    let business_phone = b
        .phone
        .as_deref()
        .and_then(|p| v.take("business.phone", E164::parse(p, &country)));
    let o = r.owner;
    let owner_name = required_text(&mut v, "owner.name", &o.name, 150);
    let email = normalise_email(&mut v, "owner.email", &o.email);
    if let Err(m) = password::acceptable(&o.password) {
        v.error("owner.password", m);
    }
    let phone = o
        .phone
        .as_deref()
        .and_then(|p| v.take("owner.phone", E164::parse(p, &country)));
    v.finish()?;
    let (Some(currency), Some(locale)) = (currency, locale) else {
        return Err(AppError::field("business", "invalid"));
    };
    Ok(Registration {
        tenant: NewTenant {
            business_name: name,
            slug,
            phone: business_phone.map(|p| p.to_string()),
            vertical: b.vertical,
            currency,
            timezone: b.timezone.trim().to_string(),
            locale,
            country,
            order_prefix: prefix,
        },
        owner_name,
        email,
        phone: phone.map(|p| p.to_string()),
        password: o.password,
    })
}

/// Registers a business and its owner, and logs the owner in.
#[utoipa::path(post, path = "/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, description = "Created", body = Session), (status = 409, description = "Conflicts with what is stored", body = ErrorBody), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    Json(body): Json<RegisterRequest>,
) -> ApiResult<(StatusCode, axum::Json<Session>)> {
    let session = register_business(&state, body).await?;
    Ok((StatusCode::CREATED, axum::Json(session)))
}

/// Validates and creates a tenant and its owner in one transaction (the
/// API, `tenant create` and the demo share it).
pub async fn register_business(state: &AppState, req: RegisterRequest) -> ApiResult<Session> {
    let Registration {
        tenant,
        owner_name,
        email,
        phone,
        password,
    } = validate_register(req)?;
    let mut tx: Tx = state.db.begin().await?;
    let (tenant, user) = engine::accounts::register_in(
        &mut tx,
        &tenant,
        engine::accounts::Person {
            name: owner_name,
            email,
            phone,
            password,
        },
    )
    .await?;
    let session = issue_session(state, &mut tx, user, tenant, None).await?;
    tx.commit().await?;
    Ok(session)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// Logs in with email and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, description = "OK", body = Session), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    Json(body): Json<LoginRequest>,
) -> ApiResult<axum::Json<Session>> {
    let (user, tenant) = check_password(&state, &body.email, body.password).await?;
    start_session(&state, user, tenant).await.map(axum::Json)
}

/// The active user and business an email and password sign in, for the API
/// and the dashboard alike.
pub(crate) async fn check_password(
    state: &AppState,
    email: &str,
    password: String,
) -> ApiResult<(User, Tenant)> {
    let email = email.trim().to_lowercase();
    let creds = match store::users::credentials_by_email(&state.db, &email).await {
        Ok(c) => Some(c),
        Err(store::StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let ok = password::verify(password, creds.as_ref().map(|c| c.password_hash.clone())).await?;
    let invalid = || AppError::unauthorized("invalid_credentials", "email or password is wrong");
    let Some(creds) = creds.filter(|_| ok) else {
        return Err(invalid());
    };
    let tenant = store::tenants::get(&state.db, creds.user.tenant_id).await?;
    if !creds.user.is_active || !tenant.is_active {
        return Err(AppError::unauthorized(
            "user_inactive",
            "this account is not active",
        ));
    }
    Ok((creds.user, tenant))
}

async fn start_session(state: &AppState, user: User, tenant: Tenant) -> ApiResult<Session> {
    let mut tx = state.db.begin().await?;
    store::users::touch_login(&mut tx, user.tenant_id, user.id).await?;
    let session = issue_session(state, &mut tx, user, tenant, None).await?;
    tx.commit().await?;
    Ok(session)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Exchanges a refresh token for a new session. Each refresh token works
/// once; presenting a used one revokes every token of its family (it was
/// stolen, or the client is confused, and either way the session ends).
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, description = "OK", body = Session), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    Json(body): Json<RefreshRequest>,
) -> ApiResult<axum::Json<Session>> {
    let invalid = || {
        AppError::unauthorized(
            "invalid_refresh_token",
            "the refresh token is invalid, expired or already used",
        )
    };
    let hash = tokens::hash_refresh(body.refresh_token.trim());
    let Some(token) = store::users::refresh_token_by_hash(&state.db, &hash).await? else {
        return Err(invalid());
    };
    if token.family_revoked {
        return Err(invalid());
    }
    if token.used_at.is_some() {
        let n = store::users::revoke_family(&state.db, token.family_id).await?;
        tracing::warn!(family = %token.family_id, revoked = n, "refresh token reused: family revoked");
        return Err(invalid());
    }
    if token.expires_at < store::now() {
        return Err(invalid());
    }
    let mut tx = state.db.begin().await?;
    if !store::users::use_refresh_token(&mut tx, token.id).await? {
        // Lost a race with another refresh of the same token: that is reuse.
        drop(tx);
        store::users::revoke_family(&state.db, token.family_id).await?;
        return Err(invalid());
    }
    let user = store::users::get(&mut tx, token.tenant_id, token.user_id).await?;
    let tenant = store::tenants::get(&mut tx, token.tenant_id).await?;
    if !user.is_active || !tenant.is_active {
        return Err(AppError::unauthorized(
            "user_inactive",
            "this account is not active",
        ));
    }
    let session = issue_session(&state, &mut tx, user, tenant, Some(token.family_id)).await?;
    tx.commit().await?;
    Ok(axum::Json(session))
}

/// Ends the session of a refresh token (its whole family).
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = RefreshRequest,
    responses((status = 204, description = "Done")))]
pub async fn logout(
    State(state): State<AppState>,
    Json(body): Json<RefreshRequest>,
) -> ApiResult<StatusCode> {
    let hash = tokens::hash_refresh(body.refresh_token.trim());
    if let Some(token) = store::users::refresh_token_by_hash(&state.db, &hash).await? {
        store::users::revoke_family(&state.db, token.family_id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub tenant: Tenant,
}

/// The caller and their business.
#[utoipa::path(get, path = "/auth/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = Me), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    auth: crate::auth::extractor::Reader,
) -> ApiResult<axum::Json<Me>> {
    let Auth {
        tenant_id, user_id, ..
    } = *auth;
    let user = store::users::get(&state.db, tenant_id, user_id).await?;
    let tenant = store::tenants::get(&state.db, tenant_id).await?;
    Ok(axum::Json(Me { user, tenant }))
}

// ---- phone one-time codes -------------------------------------------------

pub const OTP_MINUTES: i64 = 10;
pub const OTP_MAX_ATTEMPTS: i32 = 5;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OtpSendRequest {
    /// International form (`+2348031234567`), or local with `country`.
    pub phone: String,
    pub country: Option<String>,
    /// The business's slug, when the phone runs several (optional: without
    /// it, the verify step asks which one).
    pub tenant: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OtpSent {
    /// Always true: whether the phone belongs to a user is not revealed.
    pub sent: bool,
    pub expires_in: i64,
}

fn parse_login_phone(phone: &str, country: Option<&str>) -> ApiResult<E164> {
    let parsed = match country {
        Some(c) => E164::parse(phone, c),
        // Without a country the number must be international: keep the digits.
        None => E164::from_wa_id(
            &phone
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>(),
        ),
    };
    parsed.map_err(|e| {
        AppError::field(
            "phone",
            format!("{e}: use the international form like +2348031234567"),
        )
    })
}

/// Sends a six-digit login code to a staff member's WhatsApp. Limited per
/// phone and per IP.
#[utoipa::path(post, path = "/auth/otp/send", tag = "auth", request_body = OtpSendRequest,
    responses((status = 202, description = "Accepted", body = OtpSent), (status = 422, description = "Invalid fields, named in the error", body = ErrorBody), (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn otp_send(
    State(state): State<AppState>,
    ip: ClientIp,
    Json(body): Json<OtpSendRequest>,
) -> ApiResult<(StatusCode, axum::Json<OtpSent>)> {
    send_code(&state, &ip, &body).await?;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(OtpSent {
            sent: true,
            expires_in: OTP_MINUTES * 60,
        }),
    ))
}

/// Sends a sign-in code to the phone's WhatsApp when it belongs to an active
/// user, within the per-phone and per-IP limits (the API and the dashboard).
pub(crate) async fn send_code(
    state: &AppState,
    ip: &ClientIp,
    body: &OtpSendRequest,
) -> ApiResult<()> {
    let phone = parse_login_phone(&body.phone, body.country.as_deref())?;
    let since = store::now() - Duration::hours(1);
    let mut tx = state.db.begin().await?;
    let (by_phone, by_ip) =
        store::users::count_recent_otps(&mut tx, phone.as_str(), &ip.0, since).await?;
    if by_phone >= state.config.otp_per_phone_per_hour || by_ip >= state.config.otp_per_ip_per_hour
    {
        return Err(AppError::TooMany {
            code: "rate_limited",
            message: "too many codes requested; try again later".into(),
        });
    }
    let users = active_users_by_phone(&mut tx, phone.as_str()).await?;
    // The code names its user when there is no doubt which one; a phone of
    // several businesses chooses at the verify step.
    let chosen = match &body.tenant {
        Some(slug) => users.iter().find(|(_, t)| t.slug == *slug),
        None if users.len() == 1 => users.first(),
        None => None,
    };
    let user = chosen.map(|(u, _)| u.clone());
    let sender = chosen.or(users.first()).map(|(_, t)| t.clone());
    let code = tokens::otp_code();
    store::users::insert_otp(
        &mut tx,
        &NewOtp {
            tenant_id: user.as_ref().map(|u| u.tenant_id),
            user_id: user.as_ref().map(|u| u.id),
            phone: phone.as_str(),
            ip: &ip.0,
            code_hash: &state.keys.otp_hash(phone.as_str(), &code),
            ttl: Duration::minutes(OTP_MINUTES),
        },
    )
    .await?;
    if let Some(tenant) = &sender {
        let msg = Msg::OtpCode {
            business: &tenant.business_name,
            code: &code,
            minutes: OTP_MINUTES as u32,
        };
        state
            .notifier
            .notify(
                Ex::from(&mut tx),
                Some(tenant.id),
                &phone,
                tenant.locale.language(),
                &msg,
            )
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OtpVerifyRequest {
    pub phone: String,
    pub country: Option<String>,
    pub code: String,
    /// The business's slug, when the phone runs several and the code was
    /// sent without one (a 409 `choose_business` names them).
    pub tenant: Option<String>,
}

/// The active users with `phone` and their businesses, oldest first.
async fn active_users_by_phone(
    ex: impl Into<Ex<'_>>,
    phone: &str,
) -> ApiResult<Vec<(User, store::tenants::Tenant)>> {
    let mut ex = ex.into();
    let users: Vec<User> = store::users::by_phone(ex.re(), phone)
        .await?
        .into_iter()
        .filter(|u| u.is_active)
        .collect();
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        let t = store::tenants::get(ex.re(), u.tenant_id).await?;
        if t.is_active {
            out.push((u, t));
        }
    }
    Ok(out)
}

/// Logs in with the code sent to the phone. Five wrong tries lock the code.
#[utoipa::path(post, path = "/auth/otp/verify", tag = "auth", request_body = OtpVerifyRequest,
    responses((status = 200, description = "OK", body = Session), (status = 401, description = "Not authenticated", body = ErrorBody), (status = 429, description = "Too many requests", body = ErrorBody)))]
pub async fn otp_verify(
    State(state): State<AppState>,
    Json(body): Json<OtpVerifyRequest>,
) -> ApiResult<axum::Json<Session>> {
    let (user, tenant) = check_code(&state, &body).await?;
    start_session(&state, user, tenant).await.map(axum::Json)
}

/// The user and business a phone's code signs in, consuming the code (the
/// API and the dashboard alike). A phone of several businesses without a
/// chosen one is a 409 `choose_business` naming their slugs.
pub(crate) async fn check_code(
    state: &AppState,
    body: &OtpVerifyRequest,
) -> ApiResult<(User, Tenant)> {
    let phone = parse_login_phone(&body.phone, body.country.as_deref())?;
    let invalid = || AppError::unauthorized("otp_invalid", "the code is wrong or has expired");
    let locked = || AppError::TooMany {
        code: "otp_locked",
        message: "too many wrong codes; request a new one".into(),
    };
    let Some(otp) = store::users::latest_otp(&state.db, phone.as_str()).await? else {
        return Err(invalid());
    };
    if otp.expires_at < store::now() {
        return Err(invalid());
    }
    // The attempt is taken before the guess is compared: concurrent guesses
    // each need one of their own.
    let Some(attempts) =
        store::users::take_otp_attempt(&state.db, otp.id, OTP_MAX_ATTEMPTS).await?
    else {
        return Err(locked());
    };
    let expected = state.keys.otp_hash(phone.as_str(), body.code.trim());
    if !tokens::same(&expected, &otp.code_hash) {
        return Err(if attempts >= OTP_MAX_ATTEMPTS {
            locked()
        } else {
            invalid()
        });
    }
    let users = active_users_by_phone(&state.db, phone.as_str()).await?;
    let chosen = match (otp.user_id, &body.tenant) {
        (Some(id), _) => users.into_iter().find(|(u, _)| u.id.0 == id),
        (None, Some(slug)) => users.into_iter().find(|(_, t)| t.slug == *slug),
        (None, None) if users.len() > 1 => {
            let slugs: Vec<&str> = users.iter().map(|(_, t)| t.slug.as_str()).collect();
            return Err(AppError::conflict(
                "choose_business",
                format!(
                    "this phone runs several businesses ({}): send tenant with one of them",
                    slugs.join(", ")
                ),
                Some("tenant"),
            ));
        }
        (None, None) => None,
    };
    let Some((user, tenant)) = chosen else {
        return Err(invalid());
    };
    if !store::users::consume_otp(&state.db, otp.id).await? {
        return Err(invalid());
    }
    Ok((user, tenant))
}
