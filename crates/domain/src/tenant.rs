//! Businesses (tenants), their staff roles and their regional settings.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of business a tenant is; it picks the order pipeline, the
/// conversation flow and the order-ref prefix.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vertical {
    Tailor,
    Shop,
    Restaurant,
}

impl Vertical {
    pub const ALL: [Vertical; 3] = [Vertical::Tailor, Vertical::Shop, Vertical::Restaurant];

    pub fn as_str(&self) -> &'static str {
        match self {
            Vertical::Tailor => "tailor",
            Vertical::Shop => "shop",
            Vertical::Restaurant => "restaurant",
        }
    }

    /// The default order-ref prefix: `SEW-0001`, `ORD-0001`, `PED-0001`.
    pub fn default_order_prefix(&self) -> &'static str {
        match self {
            Vertical::Tailor => "SEW",
            Vertical::Shop => "ORD",
            Vertical::Restaurant => "PED",
        }
    }
}

/// A staff member's role. Viewers read; staff run orders and customers; the
/// owner also manages users and settings.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Staff,
    Viewer,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Staff => "staff",
            Role::Viewer => "viewer",
        }
    }
    pub fn can_write(&self) -> bool {
        matches!(self, Role::Owner | Role::Staff)
    }
    pub fn can_manage(&self) -> bool {
        matches!(self, Role::Owner)
    }
}

/// A tenant's subscription plan.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    Free,
    Pro,
    Scale,
}

impl Plan {
    pub fn as_str(&self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Pro => "pro",
            Plan::Scale => "scale",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown value {0:?}")]
pub struct UnknownValue(pub String);

macro_rules! str_enum {
    ($ty:ty, $($variant:expr),+) => {
        impl std::str::FromStr for $ty {
            type Err = $crate::tenant::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                [$($variant),+]
                    .into_iter()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::tenant::UnknownValue(s.to_string()))
            }
        }
        impl TryFrom<String> for $ty {
            type Error = $crate::tenant::UnknownValue;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use str_enum;

str_enum!(
    Vertical,
    Vertical::Tailor,
    Vertical::Shop,
    Vertical::Restaurant
);
str_enum!(Role, Role::Owner, Role::Staff, Role::Viewer);
str_enum!(Plan, Plan::Free, Plan::Pro, Plan::Scale);

/// A BCP 47 locale as tenants use them: `en-NG`, `en-KE`, `sw-KE`, `es-AR`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Locale {
    language: String,
    region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a locale like en-NG, sw-KE or es-AR")]
pub struct LocaleError(pub String);

/// Languages we have customer-facing text for.
pub const LANGUAGES: &[&str] = &["en", "es", "sw"];

impl Locale {
    pub fn parse(s: &str) -> Result<Self, LocaleError> {
        let s = s.trim().replace('_', "-");
        let mut parts = s.split('-');
        let language = parts.next().unwrap_or_default().to_ascii_lowercase();
        let region = parts.next().map(|r| r.to_ascii_uppercase());
        let ok_lang = LANGUAGES.contains(&language.as_str());
        let ok_region = region
            .as_ref()
            .is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()));
        if !ok_lang || !ok_region || parts.next().is_some() {
            return Err(LocaleError(s));
        }
        Ok(Locale { language, region })
    }

    pub fn language(&self) -> &str {
        &self.language
    }

    /// The region, used as the default country for phone numbers.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.region {
            Some(r) => write!(f, "{}-{}", self.language, r),
            None => f.write_str(&self.language),
        }
    }
}

impl TryFrom<String> for Locale {
    type Error = LocaleError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Locale::parse(&s)
    }
}

impl From<Locale> for String {
    fn from(l: Locale) -> String {
        l.to_string()
    }
}

/// Checks an IANA timezone name (`Africa/Lagos`).
pub fn parse_timezone(s: &str) -> Option<chrono_tz::Tz> {
    s.parse().ok()
}

/// A tenant slug: lowercase letters, digits and dashes, 3 to 60 long.
pub fn valid_slug(s: &str) -> bool {
    (3..=60).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// An order-ref prefix: 2 to 6 uppercase letters.
pub fn valid_order_prefix(s: &str) -> bool {
    (2..=6).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_parse_and_give_a_country() {
        let l = Locale::parse("es_ar").unwrap();
        assert_eq!(l.to_string(), "es-AR");
        assert_eq!(l.region(), Some("AR"));
        assert_eq!(Locale::parse("sw").unwrap().region(), None);
        assert!(Locale::parse("fr-FR").is_err());
        assert!(Locale::parse("en-NGA").is_err());
    }

    #[test]
    fn roles_gate_writes_and_management() {
        assert!(Role::Owner.can_manage() && Role::Owner.can_write());
        assert!(Role::Staff.can_write() && !Role::Staff.can_manage());
        assert!(!Role::Viewer.can_write());
        assert_eq!("viewer".parse::<Role>().unwrap(), Role::Viewer);
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn slugs_and_prefixes() {
        assert!(valid_slug("funmi-couture"));
        assert!(!valid_slug("Funmi"));
        assert!(!valid_slug("-ab"));
        assert!(!valid_slug("ab"));
        assert!(valid_order_prefix("SEW"));
        assert!(!valid_order_prefix("sew"));
        assert!(parse_timezone("Africa/Lagos").is_some());
        assert!(parse_timezone("Mars/Olympus").is_none());
    }
}
