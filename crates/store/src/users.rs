//! Staff accounts, refresh-token families and phone one-time codes.

use crate::{Ex, StoreError, StoreResult, now, run};
use chrono::{DateTime, Duration, Utc};
use domain::tenant::Role;
use domain::{TenantId, UserId};
use serde::Serialize;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct User {
    #[sqlx(try_from = "Uuid")]
    pub id: UserId,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub is_active: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user with the stored password hash, for login only; never serialised.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    #[sqlx(flatten)]
    pub user: User,
    pub password_hash: String,
}

const COLUMNS: &str =
    "id, tenant_id, name, email, phone, role, is_active, last_login_at, created_at, updated_at";

pub struct NewUser<'a> {
    pub tenant_id: TenantId,
    pub name: &'a str,
    pub email: &'a str,
    pub phone: Option<&'a str>,
    pub password_hash: &'a str,
    pub role: Role,
}

pub async fn insert(ex: impl Into<Ex<'_>>, u: &NewUser<'_>) -> StoreResult<User> {
    let id = UserId::new();
    let at = now();
    run!(ex, c => sqlx::query(
        "INSERT INTO users (id, tenant_id, name, email, phone, password_hash, role, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(id.0)
    .bind(u.tenant_id.0)
    .bind(u.name)
    .bind(u.email)
    .bind(u.phone)
    .bind(u.password_hash)
    .bind(u.role.as_str())
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(User {
        id,
        tenant_id: u.tenant_id,
        name: u.name.to_string(),
        email: u.email.to_string(),
        phone: u.phone.map(str::to_string),
        role: u.role,
        is_active: true,
        last_login_at: None,
        created_at: at,
        updated_at: at,
    })
}

pub async fn get(ex: impl Into<Ex<'_>>, tenant: TenantId, id: UserId) -> StoreResult<User> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, User>(sql).bind(tenant.0).bind(id.0).fetch_one(c).await)?)
}

pub async fn list(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<Vec<User>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY id"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, User>(sql).bind(tenant.0).fetch_all(c).await)?)
}

/// Login looks a user up by email across tenants: emails are unique on the
/// server, and the user row names its tenant.
pub async fn credentials_by_email(ex: impl Into<Ex<'_>>, email: &str) -> StoreResult<Credentials> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS}, password_hash FROM users WHERE email = $1"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, Credentials>(sql).bind(email).fetch_one(c).await)?)
}

/// The users with `phone`, one per business at most (an owner may run
/// several businesses), oldest first.
pub async fn by_phone(ex: impl Into<Ex<'_>>, phone: &str) -> StoreResult<Vec<User>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE phone = $1 ORDER BY created_at, id"
    ));
    Ok(run!(ex, c => sqlx::query_as::<_, User>(sql).bind(phone).fetch_all(c).await)?)
}

/// The business's user with `phone`, if it has one (phones are unique
/// within a business).
pub async fn find_by_phone(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    phone: &str,
) -> StoreResult<Option<User>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM users WHERE tenant_id = $1 AND phone = $2"
    ));
    Ok(
        run!(ex, c => sqlx::query_as::<_, User>(sql).bind(tenant.0).bind(phone).fetch_optional(c).await)?,
    )
}

pub async fn touch_login(ex: impl Into<Ex<'_>>, tenant: TenantId, id: UserId) -> StoreResult<()> {
    run!(ex, c => sqlx::query("UPDATE users SET last_login_at = $3 WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.0)
        .bind(id.0)
        .bind(now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

pub async fn update(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    id: UserId,
    p: &UserPatch,
) -> StoreResult<()> {
    let done = run!(ex, c => sqlx::query(
        "UPDATE users SET name = COALESCE($3, name), role = COALESCE($4, role), \
         is_active = COALESCE($5, is_active), updated_at = $6 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.0)
    .bind(id.0)
    .bind(&p.name)
    .bind(p.role.map(|r| r.as_str()))
    .bind(p.is_active)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// How many active owners a tenant has (the last one cannot be demoted).
pub async fn count_active_owners(ex: impl Into<Ex<'_>>, tenant: TenantId) -> StoreResult<i64> {
    Ok(run!(ex, c => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND role = 'owner' AND is_active = TRUE",
    )
    .bind(tenant.0)
    .fetch_one(c)
    .await)?)
}

// ---- refresh tokens -------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefreshToken {
    pub id: Uuid,
    #[sqlx(try_from = "Uuid")]
    pub tenant_id: TenantId,
    #[sqlx(try_from = "Uuid")]
    pub user_id: UserId,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// Some token of the family was revoked: the whole family is dead, even
    /// a token issued by a refresh that committed after the revocation.
    pub family_revoked: bool,
}

pub async fn insert_refresh_token(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    user: UserId,
    family_id: Uuid,
    token_hash: &str,
    ttl: Duration,
) -> StoreResult<()> {
    let at = now();
    run!(ex, c => sqlx::query(
        "INSERT INTO refresh_tokens (id, tenant_id, user_id, family_id, token_hash, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(Uuid::now_v7())
    .bind(tenant.0)
    .bind(user.0)
    .bind(family_id)
    .bind(token_hash)
    .bind(at + ttl)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn refresh_token_by_hash(
    ex: impl Into<Ex<'_>>,
    token_hash: &str,
) -> StoreResult<Option<RefreshToken>> {
    Ok(run!(ex, c => sqlx::query_as::<_, RefreshToken>(
        "SELECT t.id, t.tenant_id, t.user_id, t.family_id, t.expires_at, t.used_at, t.revoked_at, \
         EXISTS (SELECT 1 FROM refresh_tokens f WHERE f.family_id = t.family_id AND f.revoked_at IS NOT NULL) \
           AS family_revoked \
         FROM refresh_tokens t WHERE t.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)?)
}

/// Marks a token used. Returns false if it was already used or revoked,
/// which is how a concurrent double refresh is caught.
pub async fn use_refresh_token(ex: impl Into<Ex<'_>>, id: Uuid) -> StoreResult<bool> {
    let done = run!(ex, c => sqlx::query(
        "UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

pub async fn revoke_family(ex: impl Into<Ex<'_>>, family_id: Uuid) -> StoreResult<u64> {
    let done = run!(ex, c => sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
    )
    .bind(family_id)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

/// Revokes every session of a user (deactivation, role change).
pub async fn revoke_user_tokens(
    ex: impl Into<Ex<'_>>,
    tenant: TenantId,
    user: UserId,
) -> StoreResult<()> {
    run!(ex, c => sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND user_id = $2 AND revoked_at IS NULL",
    )
    .bind(tenant.0)
    .bind(user.0)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

// ---- one-time codes -------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OtpCode {
    pub id: Uuid,
    pub user_id: Option<Uuid>,
    pub code_hash: String,
    pub attempts: i32,
    pub expires_at: DateTime<Utc>,
}

pub struct NewOtp<'a> {
    pub tenant_id: Option<TenantId>,
    pub user_id: Option<UserId>,
    pub phone: &'a str,
    pub ip: &'a str,
    pub code_hash: &'a str,
    pub ttl: Duration,
}

pub async fn insert_otp(ex: impl Into<Ex<'_>>, o: &NewOtp<'_>) -> StoreResult<()> {
    let at = now();
    run!(ex, c => sqlx::query(
        "INSERT INTO otp_codes (id, tenant_id, user_id, phone, ip, code_hash, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::now_v7())
    .bind(o.tenant_id.map(|t| t.0))
    .bind(o.user_id.map(|u| u.0))
    .bind(o.phone)
    .bind(o.ip)
    .bind(o.code_hash)
    .bind(at + o.ttl)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Codes requested since `since` for this phone and from this IP: the rows
/// are the rate-limit window, shared by every replica.
pub async fn count_recent_otps(
    ex: impl Into<Ex<'_>>,
    phone: &str,
    ip: &str,
    since: DateTime<Utc>,
) -> StoreResult<(i64, i64)> {
    Ok(run!(ex, c => sqlx::query_as::<_, (i64, i64)>(
        "SELECT \
           (SELECT COUNT(*) FROM otp_codes WHERE phone = $1 AND created_at >= $3), \
           (SELECT COUNT(*) FROM otp_codes WHERE ip = $2 AND created_at >= $3)",
    )
    .bind(phone)
    .bind(ip)
    .bind(since)
    .fetch_one(c)
    .await)?)
}

/// The newest unconsumed code for a phone, if any.
pub async fn latest_otp(ex: impl Into<Ex<'_>>, phone: &str) -> StoreResult<Option<OtpCode>> {
    Ok(run!(ex, c => sqlx::query_as::<_, OtpCode>(
        "SELECT id, user_id, code_hash, attempts, expires_at FROM otp_codes \
         WHERE phone = $1 AND consumed_at IS NULL ORDER BY id DESC LIMIT 1",
    )
    .bind(phone)
    .fetch_optional(c)
    .await)?)
}

/// Takes one of the code's `max` attempts before the guess is compared, in
/// one conditional update, so concurrent guesses cannot share an attempt.
/// Returns the attempts now used, or `None` when none is left (or the code
/// was used).
pub async fn take_otp_attempt(
    ex: impl Into<Ex<'_>>,
    id: Uuid,
    max: i32,
) -> StoreResult<Option<i32>> {
    Ok(run!(ex, c => sqlx::query_scalar::<_, i32>(
        "UPDATE otp_codes SET attempts = attempts + 1 \
         WHERE id = $1 AND attempts < $2 AND consumed_at IS NULL RETURNING attempts",
    )
    .bind(id)
    .bind(max)
    .fetch_optional(c)
    .await)?)
}

/// Consumes a code once; false if someone else consumed it first.
pub async fn consume_otp(ex: impl Into<Ex<'_>>, id: Uuid) -> StoreResult<bool> {
    let done = run!(ex, c => sqlx::query(
        "UPDATE otp_codes SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL",
    )
    .bind(id)
    .bind(now())
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}
