//! Secrets at rest (WhatsApp access tokens, later provider keys): sealed
//! with AES-256-GCM under a key derived from the server's secret key.
//! Sealed text is `v1.` + base64(nonce ‖ ciphertext ‖ tag).

use aes_gcm::aead::Aead;
use aes_gcm::{Aes256Gcm, KeyInit};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "v1.";
const NONCE: usize = 12;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("the sealed value is malformed")]
    Malformed,
    #[error("the sealed value does not open with this key (was the secret key changed?)")]
    Key,
    #[error("no random numbers are available to seal with")]
    Random,
}

#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// A sealer whose key is HMAC-SHA256(secret, purpose label), so the
    /// server secret is never used as an encryption key directly.
    pub fn new(secret: &[u8]) -> Self {
        let key = derive(secret, b"sokoni/seal/v1");
        Sealer {
            cipher: Aes256Gcm::new(&key.into()),
        }
    }

    pub fn seal(&self, plaintext: &str) -> Result<String, SealError> {
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).map_err(|_| SealError::Random)?;
        let ct = self
            .cipher
            .encrypt(&nonce.into(), plaintext.as_bytes())
            .map_err(|_| SealError::Random)?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(format!("{PREFIX}{}", STANDARD.encode(out)))
    }

    pub fn open(&self, sealed: &str) -> Result<String, SealError> {
        let b64 = sealed.strip_prefix(PREFIX).ok_or(SealError::Malformed)?;
        let raw = STANDARD.decode(b64).map_err(|_| SealError::Malformed)?;
        if raw.len() < NONCE + 16 {
            return Err(SealError::Malformed);
        }
        let (nonce, ct) = raw.split_at(NONCE);
        let nonce: [u8; NONCE] = nonce.try_into().map_err(|_| SealError::Malformed)?;
        let pt = self
            .cipher
            .decrypt(&nonce.into(), ct)
            .map_err(|_| SealError::Key)?;
        String::from_utf8(pt).map_err(|_| SealError::Malformed)
    }
}

fn derive(secret: &[u8], label: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    // HMAC accepts keys of any length.
    if let Ok(mut mac) = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(secret) {
        mac.update(label);
        out.copy_from_slice(&mac.finalize().into_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_fresh_nonces() {
        let s = Sealer::new(b"server secret key, at least 32 bytes long");
        let a = s.seal("EAAG-token").unwrap();
        let b = s.seal("EAAG-token").unwrap();
        assert_ne!(a, b, "each seal uses a new nonce");
        assert!(!a.contains("EAAG"));
        assert_eq!(s.open(&a).unwrap(), "EAAG-token");
        assert_eq!(s.open(&b).unwrap(), "EAAG-token");
    }

    #[test]
    fn another_key_or_tampering_does_not_open() {
        let s = Sealer::new(b"one secret");
        let other = Sealer::new(b"another secret");
        let sealed = s.seal("token").unwrap();
        assert_eq!(other.open(&sealed), Err(SealError::Key));
        let mut raw = STANDARD.decode(&sealed[3..]).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        let tampered = format!("v1.{}", STANDARD.encode(raw));
        assert_eq!(s.open(&tampered), Err(SealError::Key));
        assert_eq!(s.open("token"), Err(SealError::Malformed));
        assert_eq!(s.open("v1.AAAA"), Err(SealError::Malformed));
    }
}
