//! Password hashing with argon2id, off the async executor (it is slow on
//! purpose).

use anyhow::anyhow;
use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow!("hashing password: {e}"))
    })
    .await?
}

/// Verifies `password` against a stored hash. With no stored hash (unknown
/// email) it still does the work against a fixed hash, so response time does
/// not reveal which emails exist.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let dummy = DUMMY_HASH;
        let hash_text = stored.as_deref().unwrap_or(dummy);
        let parsed =
            PasswordHash::new(hash_text).map_err(|e| anyhow!("stored hash unreadable: {e}"))?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(ok && stored.is_some())
    })
    .await?
}

/// argon2id of a random string nobody knows, with default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29rb25pLWR1bW15LXNhbHQ$0vQ+0yWo9XVxOQjvnwTeE7j0z1lzjS1BpyixlR4mJbM";

/// Minimum password rules, checked at registration and user creation.
pub fn acceptable(password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 8 {
        return Err("must be at least 8 characters");
    }
    if password.len() > 256 {
        return Err("must be at most 256 bytes");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_do_not() {
        let h = hash("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify("correct horse".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("wrong horse".into(), Some(h)).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }

    #[test]
    fn rules() {
        assert!(acceptable("short").is_err());
        assert!(acceptable("long enough").is_ok());
    }
}
