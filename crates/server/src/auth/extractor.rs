//! Who is calling, and whether their role allows the route. Handlers take
//! [`Reader`], [`Writer`] or [`Owner`], so every route states its minimum
//! role in its signature.

use crate::error::AppError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use domain::tenant::Role;
use domain::{TenantId, UserId};

/// An authenticated staff member of one tenant.
#[derive(Debug, Clone, Copy)]
pub struct Auth {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub role: Role,
}

async fn authenticate(parts: &Parts, state: &AppState) -> Result<Auth, AppError> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            AppError::unauthorized(
                "unauthenticated",
                "send Authorization: Bearer <access token>",
            )
        })?;
    let claims = state.keys.verify(token.trim()).ok_or_else(|| {
        AppError::unauthorized("invalid_token", "the access token is invalid or expired")
    })?;
    // The stored user decides: a deactivated user or a changed role takes
    // effect at once, not when the token expires.
    let user = match store::users::get(&state.db, claims.tid, claims.sub).await {
        Ok(u) => u,
        Err(store::StoreError::NotFound) => {
            return Err(AppError::unauthorized(
                "invalid_token",
                "the user no longer exists",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if !user.is_active {
        return Err(AppError::unauthorized(
            "user_inactive",
            "this user has been deactivated",
        ));
    }
    Ok(Auth {
        user_id: user.id,
        tenant_id: user.tenant_id,
        role: user.role,
    })
}

macro_rules! role_extractor {
    ($(#[$doc:meta])* $name:ident, $allowed:expr, $denied:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name(pub Auth);

        impl std::ops::Deref for $name {
            type Target = Auth;
            fn deref(&self) -> &Auth {
                &self.0
            }
        }

        impl FromRequestParts<AppState> for $name {
            type Rejection = AppError;
            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
                let auth = authenticate(parts, state).await?;
                let allowed: fn(Role) -> bool = $allowed;
                if !allowed(auth.role) {
                    return Err(AppError::Forbidden($denied));
                }
                Ok($name(auth))
            }
        }
    };
}

role_extractor!(
    /// Any role: reading.
    Reader,
    |_| true,
    "unreachable"
);
role_extractor!(
    /// Owner or staff: changing orders, customers and measurements.
    Writer,
    |r| r.can_write(),
    "viewers can only read"
);
role_extractor!(
    /// Owner only: users and business settings.
    Owner,
    |r| r.can_manage(),
    "only the owner can do this"
);
