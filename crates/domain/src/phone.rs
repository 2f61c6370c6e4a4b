//! Phone identity. A customer is known by one canonical E.164 number whether
//! staff typed it in local form (`08031234567` in Lagos) or it arrived as a
//! WhatsApp id (`2348031234567`).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("not a phone number")]
    Unparseable,
    #[error("not a valid number for its country")]
    Invalid,
    #[error("unknown country code {0:?}")]
    UnknownCountry(String),
}

/// A canonical E.164 number, `+` and digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "+2348031234567"))]
pub struct E164(String);

impl E164 {
    /// Parses what a person typed, with `country` (ISO 3166 alpha-2) as the
    /// default for numbers written without an international prefix.
    pub fn parse(input: &str, country: &str) -> Result<Self, PhoneError> {
        let id: phonenumber::country::Id = country
            .trim()
            .to_ascii_uppercase()
            .parse()
            .map_err(|_| PhoneError::UnknownCountry(country.to_string()))?;
        let trimmed = input.trim();
        if trimmed.is_empty() || trimmed.len() > 32 {
            return Err(PhoneError::Unparseable);
        }
        // "00" international prefix is common in Argentina and Kenya.
        let normalised = match trimmed.strip_prefix("00") {
            Some(rest) => format!("+{rest}"),
            None => trimmed.to_string(),
        };
        let number =
            phonenumber::parse(Some(id), &normalised).map_err(|_| PhoneError::Unparseable)?;
        Self::from_number(&number)
    }

    /// A WhatsApp id: digits only, country code first, no `+`.
    pub fn from_wa_id(wa_id: &str) -> Result<Self, PhoneError> {
        let digits = wa_id.trim().trim_start_matches('+');
        if digits.is_empty() || digits.len() > 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError::Unparseable);
        }
        let number =
            phonenumber::parse(None, format!("+{digits}")).map_err(|_| PhoneError::Unparseable)?;
        Self::from_number(&number)
    }

    fn from_number(number: &phonenumber::PhoneNumber) -> Result<Self, PhoneError> {
        let code = number.code().value();
        let national = number.national().value().to_string();
        // Country quirks (protocols.md §8): one identity per person.
        let canonical = match code {
            // Argentina: WhatsApp sends mobiles as 54 9 + 10 digits; staff type
            // them without the 9. The mobile form is the identity.
            54 if national.len() == 10 => format!("+549{national}"),
            // Mexico: the legacy 1 after 52 is dropped.
            52 if national.len() == 11 && national.starts_with('1') => {
                format!("+52{}", &national[1..])
            }
            _ => {
                if !phonenumber::is_valid(number) {
                    return Err(PhoneError::Invalid);
                }
                format!("+{code}{national}")
            }
        };
        if code == 54 || code == 52 {
            // The quirk forms above are not all "valid" to libphonenumber;
            // check the length at least.
            let digits = canonical.len() - 1;
            if !(11..=15).contains(&digits) {
                return Err(PhoneError::Invalid);
            }
        }
        Ok(E164(canonical))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The WhatsApp id form of this identity (digits, no `+`).
    pub fn wa_id(&self) -> String {
        self.0.trim_start_matches('+').to_string()
    }

    /// The number to send to (protocols.md §8): Argentine mobiles are
    /// identified as `549…` but receive on `54…`; Mexican ones are already
    /// stored without the legacy `1`. Everything else sends to its wa_id.
    pub fn send_to(&self) -> String {
        let digits = self.wa_id();
        match digits.strip_prefix("549") {
            Some(national) if national.len() == 10 => format!("54{national}"),
            _ => digits,
        }
    }

    /// For logs: keeps the country code and the last two digits.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// Wraps a value read back from our own storage (already canonical).
    pub fn from_trusted(s: String) -> Self {
        E164(s)
    }
}

/// Whether `country` is an ISO 3166 alpha-2 code with phone numbering rules.
pub fn valid_country(country: &str) -> bool {
    country.len() == 2
        && country.bytes().all(|b| b.is_ascii_uppercase())
        && country.parse::<phonenumber::country::Id>().is_ok()
}

/// Masks a phone number for logs: `+234*******67`.
pub fn mask(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 6 {
        return "*".repeat(chars.len());
    }
    let keep_start = 4.min(chars.len());
    let keep_end = 2;
    let mut out: String = chars[..keep_start].iter().collect();
    out.push_str(&"*".repeat(chars.len() - keep_start - keep_end));
    out.extend(&chars[chars.len() - keep_end..]);
    out
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lagos_local_form_and_wa_id_are_one_identity() {
        let typed = E164::parse("08031234567", "NG").unwrap();
        let wa = E164::from_wa_id("2348031234567").unwrap();
        assert_eq!(typed, wa);
        assert_eq!(typed.as_str(), "+2348031234567");
        assert_eq!(typed.wa_id(), "2348031234567");
        let spaced = E164::parse("+234 803 123 4567", "KE").unwrap();
        assert_eq!(spaced, typed);
    }

    #[test]
    fn nairobi_forms_agree() {
        let a = E164::parse("0712 345 678", "KE").unwrap();
        let b = E164::from_wa_id("254712345678").unwrap();
        let c = E164::parse("00254712345678", "KE").unwrap();
        assert_eq!(a, b);
        assert_eq!(b, c);
    }

    #[test]
    fn argentina_mobile_with_and_without_nine_is_one_identity() {
        let inbound = E164::from_wa_id("5491123456789").unwrap();
        let typed = E164::parse("11 2345-6789", "AR").unwrap();
        let intl_no_nine = E164::parse("+54 11 2345 6789", "AR").unwrap();
        assert_eq!(inbound.as_str(), "+5491123456789");
        assert_eq!(inbound, typed);
        assert_eq!(inbound, intl_no_nine);
    }

    #[test]
    fn send_to_forms_follow_the_country_rules() {
        let ar = E164::from_wa_id("5491123456789").unwrap();
        assert_eq!(ar.wa_id(), "5491123456789");
        assert_eq!(ar.send_to(), "541123456789");
        let mx = E164::from_wa_id("5215512345678").unwrap();
        assert_eq!(mx.send_to(), "525512345678");
        let ng = E164::parse("08031234567", "NG").unwrap();
        assert_eq!(ng.send_to(), "2348031234567");
        let ke = E164::parse("0712345678", "KE").unwrap();
        assert_eq!(ke.send_to(), "254712345678");
    }

    #[test]
    fn mexico_legacy_one_is_dropped() {
        let legacy = E164::from_wa_id("5215512345678").unwrap();
        let modern = E164::from_wa_id("525512345678").unwrap();
        assert_eq!(legacy, modern);
        assert_eq!(modern.as_str(), "+525512345678");
    }

    #[test]
    fn rejects_garbage() {
        assert!(E164::parse("hello", "NG").is_err());
        assert!(E164::parse("", "NG").is_err());
        assert!(E164::parse("123", "NG").is_err());
        assert!(E164::from_wa_id("23480abc").is_err());
        assert!(matches!(
            E164::parse("0803", "ZZ"),
            Err(PhoneError::UnknownCountry(_))
        ));
    }

    #[test]
    fn countries() {
        assert!(valid_country("NG") && valid_country("AR"));
        assert!(!valid_country("ng") && !valid_country("ZZ") && !valid_country("NGA"));
    }

    #[test]
    fn masks_for_logs() {
        assert_eq!(mask("+2348031234567"), "+234********67");
        assert_eq!(mask("12345"), "*****");
    }
}
