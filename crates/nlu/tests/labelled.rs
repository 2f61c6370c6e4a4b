//! The labelled set (data/labelled.jsonl) must stay at least 90% fully correct.
//! Run with `--nocapture` to see the full report.

use std::io::Cursor;

use nlu::{Intent, LABELLED, Vertical, evaluate};

#[test]
fn labelled_set_is_at_least_90_percent_fully_correct() -> Result<(), nlu::EvalError> {
    let report = evaluate(Cursor::new(LABELLED))?;
    println!("{report}");
    assert!(report.total >= 260, "the labelled set has {} messages", report.total);
    assert!(
        report.fully_correct_fraction() >= 0.90,
        "fully correct: {:.1}%",
        100.0 * report.fully_correct_fraction()
    );
    Ok(())
}

#[test]
fn every_intent_is_represented_in_every_vertical() {
    let mut seen = std::collections::BTreeSet::new();
    for line in LABELLED.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
        let vertical = v["vertical"].as_str().unwrap_or_default().to_owned();
        let intent = v["expected"]["intent"].as_str().unwrap_or_default().to_owned();
        seen.insert((vertical, intent));
    }
    for vertical in [Vertical::Tailor, Vertical::Shop, Vertical::Restaurant] {
        for intent in Intent::ALL {
            assert!(
                seen.contains(&(vertical.as_str().to_owned(), intent.as_str().to_owned())),
                "{} has no {} example",
                vertical.as_str(),
                intent.as_str()
            );
        }
    }
}
