//! Invite codes: eight characters from an alphabet without look-alikes
//! (no 0/O, 1/I/L, 5/S, 2/Z, 8/B), shown as `7F3K-9QXM`, drawn from the
//! operating system's CSPRNG. Only a SHA-256 of the normalised code is
//! stored: an owner may type it in lower case, with or without the dash,
//! after `JOIN`, and still hash to the same row.

use sha2::{Digest, Sha256};

/// 25 unambiguous characters: about 37 bits per code.
pub const ALPHABET: &[u8] = b"34679ACDEFGHJKMNPQRTUVWXY";
const LEN: usize = 8;

/// A new code, `XXXX-XXXX`.
pub fn generate() -> String {
    let mut out = String::with_capacity(LEN + 1);
    let mut drawn = 0;
    // Rejection sampling keeps every character equally likely.
    let limit = 256 - (256 % ALPHABET.len());
    while drawn < LEN {
        let mut buf = [0u8; 16];
        if let Err(e) = getrandom::fill(&mut buf) {
            panic!("the operating system's random source failed: {e}");
        }
        for b in buf {
            if drawn == LEN {
                break;
            }
            if usize::from(b) >= limit {
                continue;
            }
            if drawn == 4 {
                out.push('-');
            }
            out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
            drawn += 1;
        }
    }
    out
}

/// The code in a message (`JOIN 7F3K-9QXM`, `join 7f3k9qxm`, the code
/// alone), normalised to its eight characters; `None` when the message is
/// not a code.
pub fn find(text: &str) -> Option<String> {
    let t = text.trim();
    let rest = strip_keyword(t).unwrap_or(t);
    normalise(rest)
}

fn strip_keyword(t: &str) -> Option<&str> {
    let (first, rest) = t.split_once(char::is_whitespace)?;
    [
        "join", "unirme", "unir", "codigo", "código", "code", "jiunge",
    ]
    .iter()
    .any(|k| first.eq_ignore_ascii_case(k))
    .then_some(rest.trim())
}

/// Eight alphabet characters, with an optional dash or space in the middle.
pub fn normalise(s: &str) -> Option<String> {
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}'..='\u{2015}'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (cleaned.len() == LEN && cleaned.bytes().all(|b| ALPHABET.contains(&b))).then_some(cleaned)
}

/// The stored form: SHA-256 of the normalised code, hex.
pub fn hash(normalised: &str) -> String {
    Sha256::digest(normalised.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The first four characters, kept in clear to tell codes apart.
pub fn hint(normalised: &str) -> String {
    normalised.chars().take(4).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_two_groups_of_four_unambiguous_characters() {
        for _ in 0..200 {
            let c = generate();
            assert_eq!(c.len(), 9, "{c}");
            assert_eq!(&c[4..5], "-");
            assert!(
                c.bytes()
                    .filter(|b| *b != b'-')
                    .all(|b| ALPHABET.contains(&b)),
                "{c}"
            );
            for bad in ['0', 'O', '1', 'I', 'L', '5', 'S', '2', 'Z', '8', 'B'] {
                assert!(!c.contains(bad), "{c} has {bad}");
            }
        }
    }

    #[test]
    fn codes_do_not_repeat() {
        let codes: std::collections::HashSet<String> = (0..2000).map(|_| generate()).collect();
        assert_eq!(codes.len(), 2000);
    }

    #[test]
    fn a_code_is_found_however_it_is_typed() {
        let want = Some("7F3K9QXM".to_string());
        assert_eq!(find("JOIN 7F3K-9QXM"), want);
        assert_eq!(find("join 7f3k9qxm"), want);
        assert_eq!(find("  7F3K 9QXM "), want);
        assert_eq!(find("7F3K-9QXM"), want);
        assert_eq!(find("Unirme 7f3k-9qxm"), want);
        assert_eq!(find("hola"), None);
        assert_eq!(find("JOIN 7F3K-9QX"), None, "too short");
        assert_eq!(find("JOIN 0F3K-9QXM"), None, "0 is not in the alphabet");
    }

    #[test]
    fn the_hash_is_of_the_normalised_code_and_hides_it() {
        let a = hash(&normalise("7f3k-9qxm").unwrap());
        let b = hash(&normalise("7F3K9QXM").unwrap());
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        assert!(!a.to_ascii_uppercase().contains("7F3K"));
        assert_eq!(hint("7F3K9QXM"), "7F3K");
    }
}
