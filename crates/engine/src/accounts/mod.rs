//! The accounts service: businesses and the people who run them. A front
//! end parses the input (the API's field checks, the CLI's flags); the
//! rules live here: a business is registered with its owner in one
//! transaction, passwords are hashed with argon2id off the executor, and a
//! business always keeps an active owner.

pub mod password;

use domain::tenant::Role;
use domain::{TenantId, UserId};
use store::tenants::{NewTenant, Tenant};
use store::users::{NewUser, User, UserPatch};
use store::{Db, StoreError, Tx};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// A unique field is taken; `in_owner` when it is the owner's (the
    /// business's own fields otherwise).
    #[error("unique constraint {index} violated")]
    Taken { index: &'static str, in_owner: bool },
    /// The change would leave the business without an active owner.
    #[error("a business needs at least one active owner")]
    LastOwner,
    #[error("not found")]
    NotFound,
    #[error("hashing the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AccountError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AccountError::NotFound,
            StoreError::Unique(index) => AccountError::Taken {
                index,
                in_owner: false,
            },
            e => AccountError::Store(e),
        }
    }
}

/// A person to add to a business.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub password: String,
}

/// Registers a business and its owner in the caller's transaction (which
/// may also open the owner's first session).
pub async fn register_in(
    tx: &mut Tx,
    tenant: &NewTenant,
    owner: Person,
) -> Result<(Tenant, User), AccountError> {
    let hash = password::hash(owner.password)
        .await
        .map_err(|e| AccountError::Hash(e.to_string()))?;
    let tenant = store::tenants::insert(&mut *tx, tenant).await?;
    let user = store::users::insert(
        &mut *tx,
        &NewUser {
            tenant_id: tenant.id,
            name: &owner.name,
            email: &owner.email,
            phone: owner.phone.as_deref(),
            password_hash: &hash,
            role: Role::Owner,
        },
    )
    .await
    .map_err(|e| match AccountError::from(e) {
        AccountError::Taken { index, .. } => AccountError::Taken {
            index,
            in_owner: true,
        },
        other => other,
    })?;
    crate::automation::install_defaults(&mut *tx, tenant.id, tenant.vertical, tenant.created_at)
        .await?;
    Ok((tenant, user))
}

/// Adds a staff member with `role`.
pub async fn add_staff(
    db: &Db,
    tenant: TenantId,
    person: Person,
    role: Role,
) -> Result<User, AccountError> {
    let hash = password::hash(person.password)
        .await
        .map_err(|e| AccountError::Hash(e.to_string()))?;
    Ok(store::users::insert(
        db,
        &NewUser {
            tenant_id: tenant,
            name: &person.name,
            email: &person.email,
            phone: person.phone.as_deref(),
            password_hash: &hash,
            role,
        },
    )
    .await?)
}

/// Whether a change to `current` leaves the business without an active
/// owner, given how many active owners it has.
pub fn loses_last_owner(current: &User, patch: &UserPatch, active_owners: i64) -> bool {
    let demoted = patch.role.is_some_and(|r| r != Role::Owner);
    let deactivated = patch.is_active == Some(false);
    current.role == Role::Owner
        && current.is_active
        && (demoted || deactivated)
        && active_owners <= 1
}

/// Changes a staff member's name, role or active flag; a user deactivated
/// or given another role has their sessions ended.
pub async fn update_staff(
    db: &Db,
    tenant: TenantId,
    user: UserId,
    patch: &UserPatch,
) -> Result<User, AccountError> {
    let mut tx = db.begin().await?;
    let current = store::users::get(&mut tx, tenant, user).await?;
    let owners = store::users::count_active_owners(&mut tx, tenant).await?;
    if loses_last_owner(&current, patch, owners) {
        return Err(AccountError::LastOwner);
    }
    store::users::update(&mut tx, tenant, user, patch).await?;
    if patch.is_active == Some(false) || patch.role.is_some_and(|r| r != current.role) {
        store::users::revoke_user_tokens(&mut tx, tenant, user).await?;
    }
    let user = store::users::get(&mut tx, tenant, user).await?;
    tx.commit().await?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, active: bool) -> User {
        User {
            id: UserId::new(),
            tenant_id: TenantId::new(),
            name: "Funmi".into(),
            email: "funmi@example.com".into(),
            phone: None,
            role,
            is_active: active,
            last_login_at: None,
            created_at: chrono::Utc::now(),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_last_active_owner_cannot_be_demoted_or_deactivated() {
        let owner = user(Role::Owner, true);
        let demote = UserPatch {
            role: Some(Role::Staff),
            ..UserPatch::default()
        };
        let deactivate = UserPatch {
            is_active: Some(false),
            ..UserPatch::default()
        };
        let rename = UserPatch {
            name: Some("Funmilayo".into()),
            ..UserPatch::default()
        };
        assert!(loses_last_owner(&owner, &demote, 1));
        assert!(loses_last_owner(&owner, &deactivate, 1));
        assert!(!loses_last_owner(&owner, &rename, 1));
        assert!(
            !loses_last_owner(&owner, &demote, 2),
            "another owner remains"
        );
        assert!(!loses_last_owner(&user(Role::Staff, true), &deactivate, 1));
    }
}
