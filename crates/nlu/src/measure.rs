//! Body measurements: "Chest-40", "bust: 36", "waist 81cm", "sleeve 25\"",
//! "cintura 70", "kiuno 30", in any order and punctuation. Reported in inches
//! rounded to two decimals (cm ÷ 2.54).

use std::collections::BTreeMap;

use crate::Lang;
use crate::text::Text;

/// Multi-word names first so that "sleeve length" wins over "sleeve".
const MULTI: &[(&str, &str)] = &[
    ("sleeve length", "sleeve"),
    ("arm length", "sleeve"),
    ("round sleeve", "round_sleeve"),
    ("round arm", "round_sleeve"),
    ("trouser length", "trouser_length"),
    ("trousers length", "trouser_length"),
    ("top length", "top_length"),
    ("shirt length", "top_length"),
    ("blouse length", "top_length"),
    ("gown length", "gown_length"),
    ("dress length", "gown_length"),
    ("skirt length", "skirt_length"),
    ("full length", "full_length"),
    ("inside leg", "inseam"),
    ("under bust", "underbust"),
    ("round knee", "knee"),
    ("largo de manga", "sleeve"),
    ("largo de falda", "skirt_length"),
    ("largo de pollera", "skirt_length"),
    ("largo de pantalon", "trouser_length"),
    ("ancho de espalda", "shoulder"),
    ("urefu wa mkono", "sleeve"),
];

fn single(w: &str) -> Option<&'static str> {
    Some(match w {
        "chest" | "bust" | "burst" | "busto" | "pecho" | "kifua" => "chest",
        "waist" | "cintura" | "kiuno" => "waist",
        "hip" | "hips" | "cadera" | "caderas" | "nyonga" => "hip",
        "shoulder" | "shoulders" | "hombro" | "hombros" | "espalda" | "bega" | "mabega" => {
            "shoulder"
        }
        "sleeve" | "sleeves" | "arm" | "hand" | "manga" | "mangas" | "mkono" => "sleeve",
        "inseam" | "entrepierna" => "inseam",
        "neck" | "cuello" | "shingo" | "collar" => "neck",
        "length" | "largo" | "urefu" => "length",
        "thigh" | "thighs" | "muslo" => "thigh",
        "knee" | "rodilla" => "knee",
        "wrist" | "muneca" => "wrist",
        "ankle" | "tobillo" => "ankle",
        "bicep" | "biceps" => "bicep",
        "armhole" => "armhole",
        "underbust" => "underbust",
        "tiro" => "rise",
        _ => return None,
    })
}

/// Is `w` a measurement word (used to tell "Chest-40" from an order ref)?
pub(crate) fn is_measurement_word(w: &str) -> bool {
    single(w).is_some()
}

/// The measurement name starting at `i`: (key, end).
fn name_at(t: &Text<'_>, i: usize) -> Option<(&'static str, usize)> {
    let w = t.s(i);
    // Most tokens start no measurement name: skip the phrase scan for them.
    if single(w).is_none() && !MULTI.iter().any(|(p, _)| p.split(' ').next() == Some(w)) {
        return None;
    }
    for (phrase, key) in MULTI {
        if let Some(end) = t.phrase_at(i, phrase) {
            return Some((key, end));
        }
    }
    single(t.s(i)).map(|k| (k, i + 1))
}

#[derive(Clone, Copy, PartialEq)]
enum Unit {
    Cm,
    Inch,
}

fn unit_word(w: &str) -> Option<Unit> {
    match w {
        "cm" | "cms" | "centimetros" | "centimetro" | "centimeters" => Some(Unit::Cm),
        "in" | "inch" | "inches" | "ins" | "pulgadas" | "\"" | "''" | "inchi" => Some(Unit::Inch),
        _ => None,
    }
}

/// A unit right after the number at `i - 1`: (unit, end).
fn unit_at(t: &Text<'_>, i: usize) -> (Option<Unit>, usize) {
    if t.s(i) == "'" && t.s(i + 1) == "'" && t.glued(i) {
        return (Some(Unit::Inch), i + 2);
    }
    // "in" is only a unit when glued or when no number follows ("32 in, waist").
    if t.s(i) == "in" && t.is_num(i + 1) {
        return (None, i);
    }
    match unit_word(t.s(i)) {
        Some(u) => (Some(u), i + 1),
        None => (None, i),
    }
}

/// A measurement value starting at `i` (skipping ":", "-", "=", "is"):
/// (value, unit, first token, end).
fn value_at(
    t: &Text<'_>,
    used: &[bool],
    mut i: usize,
) -> Option<(f64, Option<Unit>, usize, usize)> {
    let mut steps = 0;
    while steps < 2
        && matches!(
            t.s(i),
            ":" | "-" | "=" | "is" | "es" | "ni" | "of" | "de" | "—" | "_" | ")" | "("
        )
    {
        i += 1;
        steps += 1;
    }
    if !t.is_num(i) || used.get(i).copied().unwrap_or(true) || t.digits(i) > 4 {
        return None;
    }
    let mut v = t.value(i);
    let mut end = i + 1;
    // "15 1/2", "15 3/4"
    if t.is_num(end)
        && t.s(end + 1) == "/"
        && t.glued(end + 1)
        && t.glued(end + 2)
        && t.is_num(end + 2)
    {
        let (a, b) = (t.value(end), t.value(end + 2));
        if b > a && matches!(b as u32, 2 | 4 | 8) {
            v += a / b;
            end += 3;
        }
    } else if t.s(end) == "½" {
        v += 0.5;
        end += 1;
    } else if matches!(t.s(end), "and" | "y") && t.s(end + 1) == "half" {
        v += 0.5;
        end += 2;
    } else if t.s(end) == "and" && t.s(end + 1) == "a" && t.s(end + 2) == "half" {
        v += 0.5;
        end += 3;
    }
    let (unit, end) = unit_at(t, end);
    (v > 0.0 && v < 400.0).then_some((v, unit, i, end))
}

/// Extracts all measurements, marking their tokens as used.
pub(crate) fn extract(t: &Text<'_>, used: &mut [bool], lang: Lang) -> BTreeMap<String, f64> {
    let mut found: Vec<(&'static str, f64, Option<Unit>)> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let Some((key, name_end)) = name_at(t, i) else {
            i += 1;
            continue;
        };
        if let Some((v, unit, _, end)) = value_at(t, used, name_end) {
            found.push((key, v, unit));
            for u in &mut used[i..end] {
                *u = true;
            }
            i = end;
            continue;
        }
        // "38 bust": the number before the name, when it is free.
        if i > 0 && t.is_num(i - 1) && !used[i - 1] && t.digits(i - 1) <= 3 {
            let v = t.value(i - 1);
            if (5.0..400.0).contains(&v) {
                found.push((key, v, None));
                for u in &mut used[i - 1..name_end] {
                    *u = true;
                }
            }
        }
        i = name_end;
    }
    if found.is_empty() {
        return BTreeMap::new();
    }
    // The unit of values that carry none: an explicit one elsewhere in the
    // message ("hip 97cm, waist 76"), else the locale's habit (Argentine
    // tailors measure in cm), else inches unless circumferences are too large
    // to be inches.
    let explicit = found.iter().find_map(|f| f.2);
    let mentioned_cm =
        (0..t.len()).any(|i| matches!(t.s(i), "cm" | "cms" | "centimetros" | "centimeters"));
    let big = found
        .iter()
        .filter(|f| matches!(f.0, "chest" | "waist" | "hip"))
        .any(|f| f.2.is_none() && f.1 > 65.0);
    let default = explicit.unwrap_or(if mentioned_cm || lang == Lang::Es || big {
        Unit::Cm
    } else {
        Unit::Inch
    });
    let mut out = BTreeMap::new();
    for (key, v, unit) in found {
        let inches = match unit.unwrap_or(default) {
            Unit::Cm => v / 2.54,
            Unit::Inch => v,
        };
        out.insert(key.to_owned(), (inches * 100.0).round() / 100.0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Vec<(String, f64)> {
        let t = Text::new(s);
        let mut used = vec![false; t.len()];
        extract(&t, &mut used, Lang::En).into_iter().collect()
    }

    #[test]
    fn forms() {
        assert_eq!(
            m("hip 97cm, waist 76 cm"),
            [("hip".into(), 38.19), ("waist".into(), 29.92)]
        );
        assert_eq!(m("Chest-40, bust: 36"), [("chest".into(), 36.0)]);
        assert_eq!(
            m("sleeve 25\" neck 15.5"),
            [("neck".into(), 15.5), ("sleeve".into(), 25.0)]
        );
        assert_eq!(
            m("Sleeve length: 24, round sleeve 14"),
            [("round_sleeve".into(), 14.0), ("sleeve".into(), 24.0)]
        );
    }
}
