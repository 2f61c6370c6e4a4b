//! Onboarding: a pasted price list becomes catalog entries.
//!
//! Handles the formats owners actually paste: "Empanada de carne $900",
//! "Docena $9.500" (Argentine thousands dot), "Muzza grande 7500",
//! "Unga 2kg - 180", "Sugar 1kg: KES 160", "Agbada ₦45,000", "Senator 25k",
//! "1. Coca 1,5L ........ $2.500,50". The price is the last amount on the line;
//! the name is what precedes it, minus bullets, numbering and leaders.

use serde::{Deserialize, Serialize};

use crate::text::{fold, parse_number};

/// One product read from a price list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractedProduct {
    pub name: String,
    /// Price in minor units (cents, kobo, centavos).
    pub price_minor: i64,
    /// Folded short names customers are likely to use ("carne", "coca").
    pub aliases: Vec<String>,
    /// A suggested SKU ("EMPANADA-CARNE"); the owner may change it.
    pub sku: Option<String>,
}

const CURRENCY_WORDS: &[&str] = &[
    "kes", "ksh", "kshs", "sh", "shs", "ngn", "ars", "usd", "naira", "pesos", "peso", "bob", "n",
];

fn is_currency_word(w: &str) -> bool {
    CURRENCY_WORDS.contains(&w.to_ascii_lowercase().trim_end_matches('.'))
}

/// Splits off the last whitespace-separated word: (head, last word).
fn split_last_word(s: &str) -> Option<(&str, &str)> {
    let (pos, c) = s.char_indices().rev().find(|(_, c)| c.is_whitespace())?;
    Some((&s[..pos], &s[pos + c.len_utf8()..]))
}

/// Strips bullets and "1." / "2)" numbering from the start of a line.
fn strip_bullet(line: &str) -> &str {
    let s = line.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '*' | '•' | '·' | '>' | '–' | '—' | '+')
    });
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        let rest = &s[digits..];
        if let Some(r) = rest.strip_prefix(['.', ')', '-'])
            && r.starts_with(char::is_whitespace)
        {
            return r.trim_start();
        }
    }
    s
}

/// Finds the price at the end of `s`: (value, byte index where it starts).
fn trailing_price(s: &str) -> Option<(f64, usize)> {
    let mut end = s.trim_end().len();
    let t = &s[..end];
    // Trailing currency words or "/-" ("65/-", "180/=", "900.-", "KES").
    let trimmed = t.trim_end_matches(['/', '-', '=', '.', ' ']);
    end = trimmed.len();
    let mut t = &s[..end];
    if let Some((head, last)) = split_last_word(t)
        && is_currency_word(last)
    {
        end = head.trim_end().len();
        t = &s[..end];
    }
    let mut mult = 1.0;
    if t.ends_with(['k', 'K']) && t[..t.len() - 1].ends_with(|c: char| c.is_ascii_digit()) {
        mult = 1000.0;
        end -= 1;
        t = &s[..end];
    }
    // The numeric run: digits with . or , between digits.
    let bytes = t.as_bytes();
    let mut start = end;
    while start > 0 {
        let c = bytes[start - 1];
        if c.is_ascii_digit()
            || ((c == b'.' || c == b',')
                && start >= 2
                && bytes[start - 2].is_ascii_digit()
                && start < end)
        {
            start -= 1;
        } else {
            break;
        }
    }
    if start == end {
        return None;
    }
    // A number glued to letters on its left ("Coca1500") is still a price, but
    // one glued to a unit on its right was handled above (no unit can trail).
    let num = &t[start..end];
    let v = parse_number(num) * mult;
    (v > 0.0).then_some((v, start))
}

/// Removes leaders and currency markers between a name and its price.
fn clean_name(s: &str) -> String {
    let mut name = s.trim_end();
    loop {
        let before = name;
        name = name.trim_end_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '.' | '-'
                        | ':'
                        | '='
                        | '@'
                        | '$'
                        | '₦'
                        | '–'
                        | '—'
                        | '|'
                        | '…'
                        | '_'
                        | '('
                        | '/'
                )
        });
        if let Some((head, last)) = split_last_word(name) {
            if is_currency_word(last)
                || last.eq_ignore_ascii_case("at")
                || last.eq_ignore_ascii_case("a")
            {
                name = head;
            }
        } else if is_currency_word(name) {
            name = "";
        }
        // "N" glued to a price was cut with it; "Agbada ₦" leaves the symbol.
        if name == before {
            break;
        }
    }
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn words(s: &str) -> Vec<String> {
    fold(s)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn aliases_for(name: &str) -> Vec<String> {
    let folded = fold(name);
    let ws = words(name);
    let mut out: Vec<String> = Vec::new();
    let mut push = |a: String| {
        if !a.is_empty() && a != folded && !out.contains(&a) {
            out.push(a);
        }
    };
    if let Some(p) = ws
        .iter()
        .position(|w| matches!(w.as_str(), "de" | "of" | "con"))
        && p > 0
        && p + 1 < ws.len()
    {
        push(ws[p + 1..].join(" "));
    }
    // "Unga 2kg", "Coca 1,5L": the name without its size.
    let has_size = ws
        .iter()
        .skip(1)
        .any(|w| w.starts_with(|c: char| c.is_ascii_digit()));
    if has_size {
        let base: Vec<&str> = ws
            .iter()
            .take_while(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
            .map(String::as_str)
            .collect();
        if !base.is_empty() {
            push(base.join(" "));
        }
    }
    out
}

fn sku_for(name: &str) -> Option<String> {
    let parts: Vec<String> = words(name)
        .into_iter()
        .filter(|w| {
            !matches!(
                w.as_str(),
                "de" | "of" | "y" | "and" | "con" | "with" | "the" | "la" | "el"
            )
        })
        .take(3)
        .map(|w| w.to_ascii_uppercase())
        .filter(|w| w.bytes().all(|b| b.is_ascii_alphanumeric()))
        .collect();
    (!parts.is_empty()).then(|| parts.join("-"))
}

/// Extracts products and prices from free text, one product per line.
/// `minor_digits` is the currency's number of decimals (2 for ARS, KES, NGN).
pub fn extract_price_list(text: &str, minor_digits: u32) -> Vec<ExtractedProduct> {
    let scale = 10f64.powi(minor_digits.min(6) as i32);
    let mut out = Vec::new();
    for line in text.lines() {
        let line = strip_bullet(line.trim());
        if line.is_empty() {
            continue;
        }
        let Some((value, start)) = trailing_price(line) else {
            continue;
        };
        // "Unga 2kg": a number inside a size is not a price.
        let before = &line[..start];
        if before.ends_with(|c: char| c.is_alphabetic())
            && !before.ends_with(['N', '$'])
            && !before.to_ascii_lowercase().ends_with("ksh")
            && !before.to_ascii_lowercase().ends_with("kes")
        {
            // "Coca1500" is unusual; a size like "x2" or "500ml" more so. Skip.
            continue;
        }
        let name = clean_name(before);
        if !name.chars().any(char::is_alphabetic) {
            continue;
        }
        let price_minor = (value * scale).round() as i64;
        out.push(ExtractedProduct {
            aliases: aliases_for(&name),
            sku: sku_for(&name),
            name,
            price_minor,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> (String, i64) {
        let v = extract_price_list(line, 2);
        assert_eq!(v.len(), 1, "{line}: {v:?}");
        (v[0].name.clone(), v[0].price_minor)
    }

    #[test]
    fn formats() {
        assert_eq!(
            one("Empanada de carne $900"),
            ("Empanada de carne".into(), 90_000)
        );
        assert_eq!(one("Docena $9.500"), ("Docena".into(), 950_000));
        assert_eq!(one("Muzza grande 7500"), ("Muzza grande".into(), 750_000));
        assert_eq!(one("Unga 2kg - 180"), ("Unga 2kg".into(), 18_000));
        assert_eq!(one("Sugar 1kg: KES 160"), ("Sugar 1kg".into(), 16_000));
        assert_eq!(one("Agbada ₦45,000"), ("Agbada".into(), 4_500_000));
        assert_eq!(
            one("1. Coca 1,5L ........ $2.500,50"),
            ("Coca 1,5L".into(), 250_050)
        );
        assert_eq!(one("- Senator 25k"), ("Senator".into(), 2_500_000));
        assert_eq!(one("Milk 500ml = 65/-"), ("Milk 500ml".into(), 6_500));
        assert_eq!(one("Bread @ 60 bob"), ("Bread".into(), 6_000));
        assert_eq!(one("Agbada N45,000"), ("Agbada".into(), 4_500_000));
    }

    #[test]
    fn list_and_aliases() {
        let v = extract_price_list(
            "MENÚ\nEmpanada de carne $900\nDocena $9.500\n\nMuzza grande 7500\nUnga 2kg\n",
            2,
        );
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].aliases, ["carne"]);
        assert_eq!(v[0].sku.as_deref(), Some("EMPANADA-CARNE"));
        let c = extract_price_list("Coca 1,5L $2500", 2);
        assert_eq!(c[0].aliases, ["coca"]);
    }
}
