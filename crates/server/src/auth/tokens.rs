//! Access tokens (short-lived JWT, HS256) and refresh tokens (random,
//! stored hashed, rotated on every use).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::tenant::Role;
use domain::{TenantId, UserId};
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: UserId,
    pub tid: TenantId,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
}

/// Keys derived from the one configured secret, one per purpose.
#[derive(Clone)]
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    otp: [u8; 32],
}

fn derive(secret: &SecretString, purpose: &str) -> [u8; 32] {
    // HMAC keyed by the secret gives independent keys per purpose.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.expose_secret().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

impl Keys {
    pub fn new(secret: &SecretString) -> Self {
        let jwt = derive(secret, "sokoni/jwt/v1");
        Keys {
            encoding: EncodingKey::from_secret(&jwt),
            decoding: DecodingKey::from_secret(&jwt),
            otp: derive(secret, "sokoni/otp/v1"),
        }
    }

    pub fn issue(&self, claims: &Claims) -> anyhow::Result<String> {
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &self.encoding,
        )?)
    }

    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 5;
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &v)
            .ok()
            .map(|d| d.claims)
    }

    /// Keyed hash of a one-time code, so a leaked table cannot be
    /// brute-forced offline (six digits are a small space).
    pub fn otp_hash(&self, phone: &str, code: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.otp)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(phone.as_bytes());
        mac.update(b":");
        mac.update(code.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// `bytes` random bytes, URL-safe base64.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill_random(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

fn fill_random(buf: &mut [u8]) {
    // The OS random source failing is not something to carry on from.
    if let Err(e) = getrandom::fill(buf) {
        panic!("the operating system's random source failed: {e}");
    }
}

/// A uniformly random six-digit code.
pub fn otp_code() -> String {
    loop {
        let mut b = [0u8; 4];
        fill_random(&mut b);
        let n = u32::from_le_bytes(b);
        // Reject the top sliver so every code is equally likely.
        if n < 4_294_000_000 {
            return format!("{:06}", n % 1_000_000);
        }
    }
}

/// How refresh tokens are stored: SHA-256 hex (they are long and random, so
/// a plain hash suffices).
pub fn hash_refresh(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Constant-time string comparison.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_tokens_round_trip_and_reject_tampering() {
        let keys = Keys::new(&SecretString::from("s".repeat(40)));
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: UserId::new(),
            tid: TenantId::new(),
            role: Role::Staff,
            iat: now,
            exp: now + 60,
        };
        let t = keys.issue(&claims).unwrap();
        let back = keys.verify(&t).unwrap();
        assert_eq!(back.sub, claims.sub);
        assert_eq!(back.role, Role::Staff);
        let other = Keys::new(&SecretString::from("x".repeat(40)));
        assert!(other.verify(&t).is_none(), "signed with another key");
        let expired = Claims {
            exp: now - 60,
            ..claims
        };
        assert!(keys.verify(&keys.issue(&expired).unwrap()).is_none());
    }

    #[test]
    fn codes_are_six_digits_and_vary() {
        let a: Vec<String> = (0..20).map(|_| otp_code()).collect();
        assert!(
            a.iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(a.iter().any(|c| c != &a[0]));
        assert_eq!(random_token(32).len(), 43);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
