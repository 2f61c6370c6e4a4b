#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests fail loudly, at the line that broke"
)]
//! `X-Hub-Signature-256` against the vectors in protocols §1.2.

use channels::signature::{SignatureError, sign, verify};

const VECTOR_1: &str = "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914";
const VECTOR_2_BODY: &[u8] = br#"{"object":"whatsapp_business_account","entry":[]}"#;
const VECTOR_2: &str = "sha256=dec6a680679a968e7e0319355b23599cbfc54502c0784668e9618baa0c633756";

#[test]
fn third_party_sdk_vector() {
    assert_eq!(sign(b"secret", b"test"), VECTOR_1);
    assert_eq!(verify(b"secret", b"test", Some(VECTOR_1)), Ok(()));
}

#[test]
fn computed_envelope_vector() {
    assert_eq!(sign(b"test_app_secret", VECTOR_2_BODY), VECTOR_2);
    assert_eq!(
        verify(b"test_app_secret", VECTOR_2_BODY, Some(VECTOR_2)),
        Ok(())
    );
}

#[test]
fn tampered_body_is_a_mismatch() {
    let tampered = br#"{"object":"whatsapp_business_account","entry":[{}]}"#;
    assert_eq!(
        verify(b"test_app_secret", tampered, Some(VECTOR_2)),
        Err(SignatureError::Mismatch)
    );
    // Even whitespace counts: the bytes are what is signed.
    let spaced = br#"{"object": "whatsapp_business_account","entry":[]}"#;
    assert_eq!(
        verify(b"test_app_secret", spaced, Some(VECTOR_2)),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn wrong_secret_is_a_mismatch() {
    assert_eq!(
        verify(b"other_secret", VECTOR_2_BODY, Some(VECTOR_2)),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn missing_header() {
    assert_eq!(
        verify(b"secret", b"test", None),
        Err(SignatureError::Missing)
    );
    assert_eq!(
        verify(b"secret", b"test", Some("")),
        Err(SignatureError::Missing)
    );
}

#[test]
fn header_without_prefix_is_malformed() {
    let bare = VECTOR_1.trim_start_matches("sha256=");
    assert_eq!(
        verify(b"secret", b"test", Some(bare)),
        Err(SignatureError::Malformed)
    );
    let sha1 = format!("sha1={bare}");
    assert_eq!(
        verify(b"secret", b"test", Some(&sha1)),
        Err(SignatureError::Malformed)
    );
}

#[test]
fn bad_hex_is_malformed() {
    for header in [
        "sha256=zz29a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914",
        "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c091",
        "sha256=0329a06b",
        "sha256=",
        // 33 bytes
        "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c091400",
    ] {
        assert_eq!(
            verify(b"secret", b"test", Some(header)),
            Err(SignatureError::Malformed),
            "{header}"
        );
    }
}

/// Decision: the hex digits are case-insensitive. Meta sends lowercase; uppercase encodes the
/// same MAC, so it is accepted (the comparison is on the decoded bytes, in constant time).
#[test]
fn uppercase_hex_is_accepted() {
    let upper = format!(
        "sha256={}",
        VECTOR_1.trim_start_matches("sha256=").to_uppercase()
    );
    assert_eq!(verify(b"secret", b"test", Some(&upper)), Ok(()));
    // ... but the prefix itself is exact.
    let upper_prefix = VECTOR_1.replace("sha256=", "SHA256=");
    assert_eq!(
        verify(b"secret", b"test", Some(&upper_prefix)),
        Err(SignatureError::Malformed)
    );
}

#[test]
fn surrounding_whitespace_in_the_header_is_tolerated() {
    let padded = format!(" {VECTOR_1} ");
    assert_eq!(verify(b"secret", b"test", Some(&padded)), Ok(()));
}

#[test]
fn escaped_unicode_body_is_signed_as_raw_bytes() {
    // Meta sends `äöå` escaped; the signature covers those escape sequences, not the characters.
    let escaped = br#"{"text":{"body":"\u00e4\u00f6\u00e5"}}"#;
    let header = sign(b"app_secret", escaped);
    assert_eq!(verify(b"app_secret", escaped, Some(&header)), Ok(()));

    // Re-serializing the parsed JSON yields the unescaped UTF-8 form, which no longer matches.
    let value: serde_json::Value = serde_json::from_slice(escaped).unwrap();
    let reserialized = serde_json::to_vec(&value).unwrap();
    assert_eq!(reserialized, "{\"text\":{\"body\":\"äöå\"}}".as_bytes());
    assert_ne!(reserialized.as_slice(), escaped.as_slice());
    assert_eq!(
        verify(b"app_secret", &reserialized, Some(&header)),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn sign_is_lowercase_hex_with_prefix() {
    let s = sign(b"k", b"");
    let digits = s.strip_prefix("sha256=").unwrap();
    assert_eq!(digits.len(), 64);
    assert!(
        digits
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    );
}

#[test]
fn long_and_empty_secrets_work() {
    let long = vec![7u8; 200]; // longer than the SHA-256 block: hashed first
    let h = sign(&long, b"body");
    assert_eq!(verify(&long, b"body", Some(&h)), Ok(()));
    assert_eq!(
        verify(&long[..199], b"body", Some(&h)),
        Err(SignatureError::Mismatch)
    );
    let h = sign(b"", b"body");
    assert_eq!(verify(b"", b"body", Some(&h)), Ok(()));
}

#[test]
fn errors_read_as_sentences() {
    assert_eq!(
        SignatureError::Missing.to_string(),
        "the request has no X-Hub-Signature-256 header"
    );
    assert!(
        SignatureError::Malformed
            .to_string()
            .contains("sha256=<64 hex digits>")
    );
    assert_eq!(
        SignatureError::Mismatch.to_string(),
        "the X-Hub-Signature-256 header does not match the body"
    );
}
