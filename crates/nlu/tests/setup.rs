//! The onboarding parsers against their labelled set (data/setup.jsonl):
//! every line must come out exactly as labelled. Plus property tests: any
//! input gets an answer without panicking, long inputs included.

use nlu::{
    HoursProblem, ParsedHours, ParsedZones, PaymentReading, parse_hours, parse_payment_details,
    parse_zones, read_payment_details,
};
use proptest::prelude::*;
use serde_json::Value;

const SET: &str = include_str!("../data/setup.jsonl");

struct Row {
    line: usize,
    kind: String,
    lang: String,
    text: String,
    minor_digits: u32,
    expect: Value,
}

fn rows() -> Result<Vec<Row>, Box<dyn std::error::Error>> {
    let mut rows = Vec::new();
    for (n, l) in SET
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value = serde_json::from_str(l).map_err(|e| format!("line {}: {e}", n + 1))?;
        let field = |k: &str| {
            v[k].as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("line {}: no {k}", n + 1))
        };
        rows.push(Row {
            line: n + 1,
            kind: field("kind")?,
            lang: field("lang")?,
            text: field("text")?,
            minor_digits: v["minor_digits"].as_u64().map_or(2, |d| d as u32),
            expect: v["expect"].clone(),
        });
    }
    Ok(rows)
}

/// What the parser says about a row, in the label's shape.
fn got(row: &Row) -> Result<Value, Box<dyn std::error::Error>> {
    Ok(match row.kind.as_str() {
        "hours" => match parse_hours(&row.text) {
            Ok(h) => serde_json::to_value(h)?,
            Err(p) => serde_json::to_value(p)?,
        },
        "zones" => serde_json::to_value(parse_zones(&row.text, row.minor_digits))?,
        "payments" => serde_json::to_value(read_payment_details(&row.text))?,
        other => return Err(format!("line {}: unknown kind {other:?}", row.line).into()),
    })
}

#[test]
fn every_labelled_line_parses_as_labelled() -> Result<(), Box<dyn std::error::Error>> {
    let rows = rows()?;
    let mut failures = Vec::new();
    for row in &rows {
        let got = got(row)?;
        if got != row.expect {
            failures.push(format!(
                "line {} ({} {}): {:?}\n   expected {}\n   got      {}",
                row.line, row.kind, row.lang, row.text, row.expect, got
            ));
        }
    }
    println!(
        "setup: {}/{} exactly as labelled",
        rows.len() - failures.len(),
        rows.len()
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    Ok(())
}

#[test]
fn labels_deserialize_into_the_output_types() -> Result<(), Box<dyn std::error::Error>> {
    // The labels are the types' own wire form, so the engine can store them.
    for row in rows()? {
        let e = row.expect.clone();
        let ok = match row.kind.as_str() {
            "hours" if e.get("days").is_some() => serde_json::from_value::<ParsedHours>(e).is_ok(),
            "hours" => serde_json::from_value::<HoursProblem>(e).is_ok(),
            "zones" => serde_json::from_value::<ParsedZones>(e).is_ok(),
            _ => serde_json::from_value::<PaymentReading>(e).is_ok(),
        };
        assert!(ok, "line {}: label is not the output shape", row.line);
    }
    Ok(())
}

#[test]
fn the_set_covers_every_kind_language_and_refusals() -> Result<(), Box<dyn std::error::Error>> {
    let rows = rows()?;
    assert!(rows.len() >= 120, "only {} lines", rows.len());
    for kind in ["hours", "zones", "payments"] {
        for lang in ["en", "es", "sw"] {
            assert!(
                rows.iter().any(|r| r.kind == kind && r.lang == lang),
                "no {kind} line in {lang}"
            );
        }
    }
    for problem in [
        "empty",
        "no_days",
        "no_times",
        "unreadable",
        "bad_time",
        "open_ended",
    ] {
        assert!(
            rows.iter().any(|r| r.expect["problem"] == problem),
            "no {problem} line"
        );
    }
    assert!(rows.iter().any(|r| r.expect["pickup_only"] == true));
    assert!(
        rows.iter()
            .any(|r| r.kind == "zones"
                && r.expect["unread"].as_array().is_some_and(|u| !u.is_empty()))
    );
    assert!(
        rows.iter().any(|r| r.kind == "payments"
            && r.expect["unread"].as_array().is_some_and(|u| !u.is_empty()))
    );
    Ok(())
}

#[test]
fn parse_payment_details_is_the_reading_without_unread() -> Result<(), Box<dyn std::error::Error>> {
    for row in rows()?.iter().filter(|r| r.kind == "payments") {
        assert_eq!(
            parse_payment_details(&row.text),
            read_payment_details(&row.text).details,
            "line {}",
            row.line
        );
    }
    Ok(())
}

/// Words that reach deep into the three grammars, mixed with noise.
fn wordy() -> impl Strategy<Value = String> {
    let vocab = prop::sample::select(vec![
        "lunes",
        "a",
        "viernes",
        "de",
        "11",
        "15",
        "y",
        "19",
        "23",
        "sábados",
        "domingo",
        "cerrado",
        "mon-fri",
        "9am",
        "6pm",
        "-",
        "to",
        "every",
        "day",
        "9",
        "daily",
        "weekdays",
        "weekends",
        "closed",
        "jumatatu",
        "hadi",
        "ijumaa",
        "saa",
        "2",
        "asubuhi",
        "12",
        "jioni",
        "usiku",
        "mchana",
        "kila",
        "siku",
        "todos",
        "los",
        "días",
        "20",
        "00",
        "11:30",
        "11.30",
        "hs",
        "h",
        "pm",
        "a.m.",
        "24/7",
        "24",
        "horas",
        "except",
        "menos",
        "también",
        "na",
        "nusu",
        "kasorobo",
        "kumi",
        "mbili",
        "noon",
        "medianoche",
        "la",
        "noche",
        "tarde",
        "Palermo",
        "1500",
        "1.500",
        "1,500",
        "$",
        "KSh",
        "Ksh.",
        "₦",
        "N",
        "/-",
        "gratis",
        "solo",
        "retiro",
        "pickup",
        "only",
        ":",
        ";",
        "/",
        ",",
        "\n",
        "1.",
        "k",
        "mil",
        "alias",
        "empanadas.lola",
        "CBU",
        "2850590940090418135201",
        "till",
        "123456",
        "paybill",
        "400200",
        "account",
        "7788",
        "a/c",
        "paystack",
        "efectivo",
        "cash",
        "transferencia",
        "M-PESA",
        "no",
        "sin",
        "GTBank",
        "0123456789",
        "bank",
        "99999999999999999999999",
        "9:75",
        "0",
        "1.2.3",
        "ñ",
        "🙂",
        "",
    ]);
    prop::collection::vec(
        (vocab, prop::sample::select(vec![" ", "", ", ", "\n", "-"])),
        0..40,
    )
    .prop_map(|v| v.into_iter().map(|(w, s)| format!("{w}{s}")).collect())
}

fn all_three(text: &str) {
    let a = parse_hours(text);
    assert_eq!(a, parse_hours(text));
    if let Ok(h) = &a {
        assert!(h.days.iter().all(|d| d.len() <= 64));
    }
    for digits in [0, 2, 3] {
        let z = parse_zones(text, digits);
        assert!(z.zones.iter().all(|z| z.fee >= 0 && !z.name.is_empty()));
        assert!(!z.pickup_only || z.zones.is_empty());
    }
    let p = read_payment_details(text);
    assert_eq!(p.details, parse_payment_details(text));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    #[test]
    fn any_unicode_gets_an_answer(text in any::<String>()) {
        all_three(&text);
    }

    #[test]
    fn wordy_text_gets_an_answer(text in wordy()) {
        all_three(&text);
    }

    #[test]
    fn found_zone_fees_come_from_the_text(name in "[A-Z][a-z]{2,10}", fee in 0i64..10_000_000) {
        let z = parse_zones(&format!("{name} {fee}"), 2);
        prop_assert_eq!(z.zones.len(), 1);
        prop_assert_eq!(&z.zones[0].name, &name);
        prop_assert_eq!(z.zones[0].fee, fee * 100);
    }

    #[test]
    fn any_valid_day_range_reads_back(open in 0u32..24, close in 0u32..24, m in prop::sample::select(vec![0u32, 15, 30, 45])) {
        // 10, 11 and 12 are twelve-hour faces: the range picks their half of the day.
        prop_assume!(open != close && !(10..=12).contains(&open) && !(10..=12).contains(&close));
        let text = format!("lunes a domingo de {open:02}:{m:02} a {close:02}:{m:02}");
        let h = parse_hours(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        for d in &h.days {
            prop_assert_eq!(d.len(), 1);
            prop_assert_eq!(d[0].to_string(), format!("{open:02}:{m:02}-{close:02}:{m:02}"));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Long messages: the parsers are single passes with bounded look-ahead,
    /// so these finish quickly (not timed here: CI machines vary).
    #[test]
    fn long_inputs_get_an_answer(parts in prop::collection::vec(wordy(), 50..120), noise in "\\PC{2000,6000}") {
        let text = parts.concat();
        all_three(&text);
        all_three(&noise);
        all_three(&format!("{text}{noise}{text}"));
    }
}
