//! The staff-command grammar against its labelled set (data/commands.jsonl):
//! it is our own grammar, so every line must come out exactly as labelled,
//! language included. Plus property tests for amounts, refs, phones and
//! fuzzy keywords.

use nlu::{Command, CommandParse, OrderRef, StockChange, parse_command};
use proptest::prelude::*;
use serde_json::Value;

const SET: &str = include_str!("../data/commands.jsonl");

type Rows = Vec<(String, Value)>;

fn rows() -> Result<Rows, Box<dyn std::error::Error>> {
    let mut rows = Vec::new();
    for (n, l) in SET
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value = serde_json::from_str(l).map_err(|e| format!("line {}: {e}", n + 1))?;
        let text = v["text"]
            .as_str()
            .ok_or_else(|| format!("line {}: no text", n + 1))?
            .to_owned();
        rows.push((text, v["expected"].clone()));
    }
    Ok(rows)
}

#[test]
fn every_labelled_command_parses_as_labelled() -> Result<(), Box<dyn std::error::Error>> {
    let rows = rows()?;
    let mut failures = Vec::new();
    for (text, expected) in &rows {
        let got = serde_json::to_value(parse_command(text))?;
        if &got != expected {
            failures.push(format!(
                "{text:?}\n   expected {expected}\n   got      {got}"
            ));
        }
    }
    println!(
        "commands: {}/{} exactly as labelled",
        rows.len() - failures.len(),
        rows.len()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    Ok(())
}

#[test]
fn the_set_covers_every_command_in_every_language_and_negatives()
-> Result<(), Box<dyn std::error::Error>> {
    let rows = rows()?;
    assert!(rows.len() >= 150, "only {} lines", rows.len());
    let has = |kind: &str, command: Option<&str>, lang: Option<&str>| {
        rows.iter().any(|(_, e)| {
            e["kind"] == kind
                && command.is_none_or(|c| e["command"] == c)
                && lang.is_none_or(|l| e["language"] == l)
        })
    };
    for command in [
        "orders",
        "order",
        "set_stage",
        "cancel",
        "paid",
        "remind",
        "stock",
        "snooze",
        "unsnooze",
        "sales",
        "customer",
        "open",
        "close",
        "pause_bot",
        "resume_bot",
        "done",
        "undo",
        "help",
    ] {
        assert!(has("command", Some(command), None), "no {command} line");
        if command != "order" && command != "stock" {
            for lang in ["en", "es", "sw"] {
                assert!(
                    has("command", Some(command), Some(lang)),
                    "no {command} line in {lang}"
                );
            }
        }
    }
    assert!(has("unknown", None, None));
    assert!(has("not_a_command", None, None));
    for (text, e) in &rows {
        if e["kind"] == "unknown" {
            let s = e["suggestions"].as_array();
            assert!(
                s.is_some_and(|s| !s.is_empty()),
                "{text:?} has no suggestions"
            );
        }
    }
    Ok(())
}

fn paid_amount(text: &str) -> Option<i64> {
    match parse_command(text) {
        CommandParse::Command {
            command: Command::Paid { amount, .. },
            ..
        } => Some(amount),
        _ => None,
    }
}

fn grouped(n: i64, sep: char) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn the_ref(text: &str) -> Option<String> {
    match parse_command(text) {
        CommandParse::Command {
            command:
                Command::Order { order_ref }
                | Command::SetStage { order_ref, .. }
                | Command::Remind { order_ref },
            ..
        } => Some(order_ref.to_string()),
        _ => None,
    }
}

const NOT_PREFIXES: &[&str] = &[
    "order", "pedido", "oda", "orden", "no", "nro", "number", "numero", "namba", "n", "ksh",
    "kshs", "kes", "sh", "shs", "ngn", "ars", "tsh", "naira", "pesos", "peso", "bob", "kg", "k",
    "m", "mil", "cash", "bank", "card", "mpesa", "elfu", "the", "for", "de", "del", "ya", "za",
    "con", "por", "via", "by", "kwa", "en", "in",
];

const KEYWORDS: &[(&str, &str)] = &[
    ("orders", "orders"),
    ("pedidos", "orders"),
    ("delivered", "stage"),
    ("entregado", "stage"),
    ("kumbusha", "remind"),
    ("recordar", "remind"),
    ("remind", "remind"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn any_text_parses_deterministically(text in any::<String>()) {
        let a = parse_command(&text);
        prop_assert_eq!(&a, &parse_command(&text));
        if let CommandParse::Unknown { suggestions } = a {
            prop_assert!(!suggestions.is_empty());
        }
    }

    #[test]
    fn amounts_in_any_grouping_are_exact(n in 1i64..10_000_000_000) {
        for s in [n.to_string(), grouped(n, ','), grouped(n, '.'), format!("{n}.00"), format!("₦{}", grouped(n, ','))] {
            prop_assert_eq!(paid_amount(&format!("paid SEW-0042 {s}")), Some(n), "{}", s);
        }
        prop_assert_eq!(paid_amount(&format!("paid SEW-0042 {n}k")), Some(n * 1000));
        prop_assert_eq!(paid_amount(&format!("cobrado PED-0003 {n} mil efectivo")), Some(n * 1000));
    }

    #[test]
    fn fractions_of_a_thousand_are_exact(int in 0i64..1000, tenth in 1i64..10) {
        prop_assert_eq!(paid_amount(&format!("paid SEW-0042 {int}.{tenth}k")), Some(int * 1000 + tenth * 100));
        // Money is whole units: a fraction is refused, not rounded.
        prop_assert_eq!(paid_amount(&format!("paid SEW-0042 {int}.{tenth}")), None);
    }

    #[test]
    fn refs_normalise(prefix in "[A-Za-z]{2,6}", n in 1u32..999_999) {
        let want = format!("{}-{n:04}", prefix.to_ascii_uppercase());
        prop_assert_eq!(OrderRef::new(Some(&prefix), n).map(|r| r.to_string()), Some(want.clone()));
        let mut forms = vec![
            format!("ready {prefix}-{n:04}"),
            format!("ready {prefix}-{n}"),
            format!("remind {}-{n:06}", prefix.to_lowercase()),
        ];
        // Without the dash, words that mean something else are not prefixes:
        // "oda 42" is "order #42", "ksh500" an amount.
        if !NOT_PREFIXES.contains(&prefix.to_lowercase().as_str()) {
            forms.push(format!("ready {prefix} {n}"));
            forms.push(format!("READY {prefix}{n}"));
        }
        for text in forms {
            prop_assert_eq!(the_ref(&text), Some(want.clone()), "{}", text);
        }
    }

    #[test]
    fn stock_counts(product in "[a-z]{3,10}( [a-z]{3,10})?", n in 0u32..100_000) {
        prop_assume!(nlu::parse_command(&product) == CommandParse::NotACommand);
        let change = |text: &str| match parse_command(text) {
            CommandParse::Command { command: Command::Stock { product, change }, .. } => Some((product, change)),
            _ => None,
        };
        prop_assert_eq!(change(&format!("stock {product} +{n}")), Some((product.clone(), StockChange::Add(n))));
        prop_assert_eq!(change(&format!("stock {product} -{n}")), Some((product.clone(), StockChange::Remove(n))));
        prop_assert_eq!(change(&format!("stock {product} {n}")), Some((product.clone(), StockChange::Set(n))));
    }

    #[test]
    fn one_typo_in_a_long_keyword_is_forgiven(k in 0usize..7, pos in 0usize..20, c in "[a-z]") {
        let (word, name) = KEYWORDS[k];
        let pos = pos % word.len();
        let typo: String = word.char_indices().map(|(i, x)| if i == pos { c.chars().next().unwrap_or(x) } else { x }).collect();
        let text = format!("{typo} SEW-0042");
        let got = match parse_command(&text) {
            CommandParse::Command { command, .. } => Some(command.name()),
            _ => None,
        };
        let want = if name == "orders" { "order" } else { name };
        prop_assert_eq!(got, Some(want), "{}", text);
    }
}
