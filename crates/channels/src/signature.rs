//! `X-Hub-Signature-256`: HMAC-SHA256 of the raw webhook body, keyed with the App Secret
//! (protocols §1.2).
//!
//! Always pass the bytes exactly as received: Meta signs its own (unicode-escaped) serialization,
//! so re-serialized JSON will not match.
//!
//! The hex digits are compared case-insensitively: Meta sends lowercase, and an uppercase
//! rendering of the same digest is the same MAC, so it is accepted.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The header value prefix Meta uses.
pub const PREFIX: &str = "sha256=";

/// Why a webhook signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the request has no X-Hub-Signature-256 header")]
    Missing,
    #[error("the X-Hub-Signature-256 header is not of the form sha256=<64 hex digits>")]
    Malformed,
    #[error("the X-Hub-Signature-256 header does not match the body")]
    Mismatch,
}

fn mac(secret: &[u8], body: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (long keys are hashed, short ones padded).
    let Ok(mut mac) = HmacSha256::new_from_slice(secret) else {
        unreachable!("HMAC-SHA256 accepts keys of any length")
    };
    mac.update(body);
    mac
}

/// The header value for `body`: `sha256=<lowercase hex HMAC-SHA256(secret, body)>`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let tag = mac(secret, body).finalize().into_bytes();
    format!("{PREFIX}{}", hex::encode(tag))
}

/// Checks `header` (the `X-Hub-Signature-256` value, if any) against the raw `body`,
/// in constant time.
pub fn verify(secret: &[u8], body: &[u8], header: Option<&str>) -> Result<(), SignatureError> {
    let header = header.map(str::trim).ok_or(SignatureError::Missing)?;
    if header.is_empty() {
        return Err(SignatureError::Missing);
    }
    let digits = header
        .strip_prefix(PREFIX)
        .ok_or(SignatureError::Malformed)?;
    let tag = hex::decode(digits).map_err(|_| SignatureError::Malformed)?;
    if tag.len() != 32 {
        return Err(SignatureError::Malformed);
    }
    mac(secret, body)
        .verify_slice(&tag)
        .map_err(|_| SignatureError::Mismatch)
}
