//! Body measurements: the named fields every tailor uses, any custom ones,
//! and the unit they were taken in.

use serde::{Deserialize, Serialize};

/// The standard measurement fields (seed schema columns).
pub const STANDARD_FIELDS: [&str; 7] = [
    "chest", "waist", "hip", "shoulder", "sleeve", "inseam", "neck",
];

pub const CM_PER_INCH: f64 = 2.54;

/// The unit a set of measurements was taken in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    #[default]
    In,
    Cm,
}

impl Unit {
    pub fn as_str(&self) -> &'static str {
        match self {
            Unit::In => "in",
            Unit::Cm => "cm",
        }
    }

    /// Converts `value` from this unit into `to`, rounded to 2 decimals.
    pub fn convert(&self, value: f64, to: Unit) -> f64 {
        let v = match (self, to) {
            (Unit::In, Unit::Cm) => value * CM_PER_INCH,
            (Unit::Cm, Unit::In) => value / CM_PER_INCH,
            _ => value,
        };
        (v * 100.0).round() / 100.0
    }

    /// The largest plausible body measurement in this unit (a sanity bound).
    pub fn max_plausible(&self) -> f64 {
        match self {
            Unit::In => 120.0,
            Unit::Cm => 305.0,
        }
    }
}

crate::tenant::str_enum!(Unit, Unit::In, Unit::Cm);

/// A custom field name: lowercase letters, digits and underscores, and not a
/// standard field (those have their own columns).
pub fn valid_custom_field(name: &str) -> bool {
    (1..=40).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !STANDARD_FIELDS.contains(&name)
}

/// Whether a measurement value is a plausible positive number in `unit`.
pub fn valid_value(value: f64, unit: Unit) -> bool {
    value.is_finite() && value > 0.0 && value <= unit.max_plausible()
}

/// One measurement that differs between two versions of a customer's
/// measurements: added (`before` is `None`), removed (`after` is `None`)
/// or changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub field: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

impl Change {
    /// `after - before` when both are known.
    pub fn delta(&self) -> Option<f64> {
        match (self.before, self.after) {
            (Some(b), Some(a)) => Some(((a - b) * 100.0).round() / 100.0),
            _ => None,
        }
    }
}

/// What changed from one version to the next. Both lists hold every
/// measurement of their version, by name, in the same unit; values that
/// differ by less than half a hundredth (a conversion's rounding) are the
/// same. Fields come in `after`'s order, then the ones `after` dropped.
pub fn changes(before: &[(String, f64)], after: &[(String, f64)]) -> Vec<Change> {
    let find =
        |list: &[(String, f64)], name: &str| list.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
    let mut out: Vec<Change> = after
        .iter()
        .filter_map(|(name, a)| {
            let b = find(before, name);
            match b {
                Some(b) if (a - b).abs() < 0.005 => None,
                _ => Some(Change {
                    field: name.clone(),
                    before: b,
                    after: Some(*a),
                }),
            }
        })
        .collect();
    out.extend(
        before
            .iter()
            .filter(|(name, _)| find(after, name).is_none())
            .map(|(name, b)| Change {
                field: name.clone(),
                before: Some(*b),
                after: None,
            }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[(&str, f64)]) -> Vec<(String, f64)> {
        items.iter().map(|(n, v)| (n.to_string(), *v)).collect()
    }

    #[test]
    fn changes_between_versions_name_each_field_once() {
        let v1 = list(&[("chest", 38.0), ("waist", 32.0), ("hip", 40.0)]);
        let v2 = list(&[("chest", 38.0), ("waist", 33.0), ("sleeve", 24.5)]);
        let c = changes(&v1, &v2);
        assert_eq!(
            c,
            vec![
                Change {
                    field: "waist".into(),
                    before: Some(32.0),
                    after: Some(33.0)
                },
                Change {
                    field: "sleeve".into(),
                    before: None,
                    after: Some(24.5)
                },
                Change {
                    field: "hip".into(),
                    before: Some(40.0),
                    after: None
                },
            ]
        );
        assert_eq!(c[0].delta(), Some(1.0));
        assert_eq!(c[1].delta(), None);
    }

    #[test]
    fn a_conversion_rounding_is_no_change() {
        // 32 in stored as cm and read back in inches.
        let back = Unit::Cm.convert(Unit::In.convert(32.0, Unit::Cm), Unit::In);
        let c = changes(&list(&[("waist", 32.0)]), &list(&[("waist", back)]));
        assert!(c.is_empty(), "{c:?}");
        assert!(changes(&[], &[]).is_empty());
        let shrink = changes(&list(&[("waist", 33.5)]), &list(&[("waist", 32.25)]));
        assert_eq!(shrink[0].delta(), Some(-1.25));
    }

    #[test]
    fn converts_both_ways_to_two_decimals() {
        assert_eq!(Unit::Cm.convert(97.0, Unit::In), 38.19);
        assert_eq!(Unit::Cm.convert(76.0, Unit::In), 29.92);
        assert_eq!(Unit::In.convert(40.0, Unit::Cm), 101.6);
        assert_eq!(Unit::In.convert(40.0, Unit::In), 40.0);
    }

    #[test]
    fn validates_values_and_names() {
        assert!(valid_value(38.5, Unit::In));
        assert!(!valid_value(0.0, Unit::In));
        assert!(!valid_value(-3.0, Unit::Cm));
        assert!(!valid_value(f64::NAN, Unit::Cm));
        assert!(!valid_value(200.0, Unit::In));
        assert!(valid_value(200.0, Unit::Cm));
        assert!(valid_custom_field("agbada_length"));
        assert!(!valid_custom_field("chest"));
        assert!(!valid_custom_field("Arm Hole"));
    }
}
