//! `/api/v1/users`: the owner manages staff; everyone can see who is on the team.

use crate::api::auth::{normalise_email, required_text};
use crate::auth::extractor::{Owner, Reader};
use crate::auth::password;
use crate::error::{ApiResult, ErrorBody, Validator};
use crate::extract::{Json, id};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use domain::tenant::Role;
use domain::{E164, TenantId, UserId};
use serde::{Deserialize, Serialize};
use store::users::{User, UserPatch};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<User>,
}

/// The business's users.
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "OK", body = UserList), (status = 401, description = "Not authenticated", body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, auth: Reader) -> ApiResult<axum::Json<UserList>> {
    let items = store::users::list(&state.db, auth.tenant_id).await?;
    Ok(axum::Json(UserList { items }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub name: String,
    pub email: String,
    /// At least 8 characters.
    pub password: String,
    pub phone: Option<String>,
    /// `staff` or `viewer` (or another `owner`).
    pub role: Role,
}

/// Adds a staff member (owner only).
#[utoipa::path(post, path = "/users", tag = "users", security(("bearer" = [])), request_body = NewUserRequest,
    responses((status = 201, description = "Created", body = User), (status = 403, description = "The role does not allow this", body = ErrorBody), (status = 409, description = "Conflicts with what is stored", body = ErrorBody),
              (status = 422, description = "Invalid fields, named in the error", body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Owner,
    Json(body): Json<NewUserRequest>,
) -> ApiResult<(StatusCode, axum::Json<User>)> {
    let user = add_user(&state, auth.tenant_id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(user)))
}

/// Checks and adds a team member; shared by the API and the dashboard.
pub(crate) async fn add_user(
    state: &AppState,
    tenant_id: TenantId,
    body: NewUserRequest,
) -> ApiResult<User> {
    let tenant = store::tenants::get(&state.db, tenant_id).await?;
    let mut v = Validator::new();
    let name = required_text(&mut v, "name", &body.name, 150);
    let email = normalise_email(&mut v, "email", &body.email);
    if let Err(m) = password::acceptable(&body.password) {
        v.error("password", m);
    }
    let phone = body
        .phone
        .as_deref()
        .and_then(|p| v.take("phone", E164::parse(p, &tenant.country)));
    v.finish()?;
    Ok(engine::accounts::add_staff(
        &state.db,
        tenant_id,
        engine::accounts::Person {
            name,
            email,
            phone: phone.map(|p| p.to_string()),
            password: body.password,
        },
        body.role,
    )
    .await?)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatchRequest {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// False deactivates the user and ends their sessions.
    pub is_active: Option<bool>,
}

/// Changes a user's name, role or active flag (owner only). The last active
/// owner cannot be demoted or deactivated.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", security(("bearer" = [])), request_body = UserPatchRequest,
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, description = "OK", body = User), (status = 404, description = "Not found, or another business's", body = ErrorBody), (status = 409, description = "Conflicts with what is stored", body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Owner,
    Path(raw): Path<String>,
    Json(body): Json<UserPatchRequest>,
) -> ApiResult<axum::Json<User>> {
    let user_id: UserId = id(&raw)?;
    Ok(axum::Json(
        change_user(&state, auth.tenant_id, user_id, body).await?,
    ))
}

/// Checks and applies a change of a team member; shared by the API and the
/// dashboard. The last active owner stays (the engine refuses).
pub(crate) async fn change_user(
    state: &AppState,
    tenant: TenantId,
    user_id: UserId,
    body: UserPatchRequest,
) -> ApiResult<User> {
    let mut v = Validator::new();
    let name = body
        .name
        .as_deref()
        .map(|n| required_text(&mut v, "name", n, 150));
    v.finish()?;
    let patch = UserPatch {
        name,
        role: body.role,
        is_active: body.is_active,
    };
    Ok(engine::accounts::update_staff(&state.db, tenant, user_id, &patch).await?)
}
