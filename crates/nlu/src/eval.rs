//! The CLI-facing helpers: `parse_stream` (nlu.md JSON lines), `evaluate`
//! (accuracy on a labelled file) and `bench` (messages per second).

use std::collections::BTreeMap;
use std::fmt;
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::{BadInput, Context, InputLine, Message, Understanding, Vertical, parse};

/// The labelled set shipped with the crate (crates/nlu/data/labelled.jsonl).
pub const LABELLED: &str = include_str!("../data/labelled.jsonl");

/// The output fields scored one by one, in report order.
pub const FIELDS: [&str; 12] = [
    "intent",
    "style",
    "quantity",
    "deadline",
    "items",
    "measurements",
    "fulfilment",
    "payment_method",
    "payment_ref",
    "amount",
    "order_ref",
    "name",
];

/// Reads nlu.md input lines and writes one output line per input line, in
/// order. A line that is not a valid input becomes `{"error": "..."}`; blank
/// lines are skipped. Only IO errors end the stream early.
pub fn parse_stream(input: impl BufRead, mut output: impl Write) -> std::io::Result<()> {
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let out = match crate::parse_line(&line) {
            Ok(u) => serde_json::to_string(&u),
            Err(e) => serde_json::to_string(&serde_json::json!({ "error": e.0 })),
        }
        .map_err(std::io::Error::other)?;
        output.write_all(out.as_bytes())?;
        output.write_all(b"\n")?;
    }
    output.flush()
}

#[derive(Deserialize)]
struct LabelledLine {
    #[serde(flatten)]
    input: InputLine,
    expected: Understanding,
}

/// Why a labelled file could not be evaluated.
#[derive(Debug)]
pub enum EvalError {
    Io(std::io::Error),
    /// A line (1-based) that is not an input line with an `expected` object.
    BadLine {
        line: usize,
        message: String,
    },
    Empty,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Io(e) => write!(f, "reading the labelled file: {e}"),
            EvalError::BadLine { line, message } => write!(f, "line {line}: {message}"),
            EvalError::Empty => f.write_str("the labelled file has no examples"),
        }
    }
}

impl std::error::Error for EvalError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EvalError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for EvalError {
    fn from(e: std::io::Error) -> Self {
        EvalError::Io(e)
    }
}

/// Accuracy of one field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldScore {
    /// Messages where the field matched (both absent counts as a match).
    pub correct: usize,
    pub total: usize,
    /// Messages where the field is expected or produced.
    pub relevant: usize,
    pub relevant_correct: usize,
}

impl FieldScore {
    pub fn accuracy(&self) -> f64 {
        ratio(self.correct, self.total)
    }

    /// Accuracy over the messages where the field is expected or produced.
    pub fn relevant_accuracy(&self) -> f64 {
        ratio(self.relevant_correct, self.relevant)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

/// One message the parser got wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub line: usize,
    pub vertical: Vertical,
    pub text: String,
    pub wrong_fields: Vec<&'static str>,
    pub expected: Understanding,
    pub got: Understanding,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EvalReport {
    pub total: usize,
    pub fully_correct: usize,
    /// Keyed by field name (see [`FIELDS`]).
    pub fields: BTreeMap<&'static str, FieldScore>,
    /// (fully correct, total) per vertical.
    pub verticals: BTreeMap<Vertical, (usize, usize)>,
    /// (fully correct, total) per expected intent.
    pub intents: BTreeMap<&'static str, (usize, usize)>,
    pub failures: Vec<Failure>,
}

impl EvalReport {
    /// Fraction of messages with every field right.
    pub fn fully_correct_fraction(&self) -> f64 {
        ratio(self.fully_correct, self.total)
    }

    pub fn field_accuracy(&self, field: &str) -> Option<f64> {
        self.fields.get(field).map(FieldScore::accuracy)
    }

    pub fn vertical_accuracy(&self, v: Vertical) -> Option<f64> {
        self.verticals.get(&v).map(|&(c, t)| ratio(c, t))
    }
}

fn norm_style(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Compares one field; floats within 0.01, styles and names case-insensitive,
/// items order-insensitive.
fn field_eq(field: &str, e: &Understanding, g: &Understanding) -> bool {
    match field {
        "intent" => e.intent == g.intent,
        "style" => e.style.as_deref().map(norm_style) == g.style.as_deref().map(norm_style),
        "quantity" => e.quantity == g.quantity,
        "deadline" => e.deadline == g.deadline,
        "items" => {
            let sort = |u: &Understanding| {
                let mut v: Vec<(String, u32)> = u
                    .items
                    .iter()
                    .flatten()
                    .map(|i| (i.sku.clone(), i.qty))
                    .collect();
                v.sort();
                v
            };
            sort(e) == sort(g)
        }
        "measurements" => {
            let empty = BTreeMap::new();
            let a = e.measurements.as_ref().unwrap_or(&empty);
            let b = g.measurements.as_ref().unwrap_or(&empty);
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| (v - w).abs() <= 0.011))
        }
        "fulfilment" => e.fulfilment == g.fulfilment,
        "payment_method" => e.payment_method == g.payment_method,
        "payment_ref" => {
            e.payment_ref.as_deref().map(str::to_uppercase)
                == g.payment_ref.as_deref().map(str::to_uppercase)
        }
        "amount" => e.amount == g.amount,
        "order_ref" => {
            e.order_ref.as_deref().map(str::to_uppercase)
                == g.order_ref.as_deref().map(str::to_uppercase)
        }
        "name" => {
            e.name.as_deref().map(str::to_lowercase) == g.name.as_deref().map(str::to_lowercase)
        }
        _ => true,
    }
}

fn field_present(field: &str, u: &Understanding) -> bool {
    match field {
        "intent" => true,
        "style" => u.style.is_some(),
        "quantity" => u.quantity.is_some(),
        "deadline" => u.deadline.is_some(),
        "items" => u.items.as_ref().is_some_and(|v| !v.is_empty()),
        "measurements" => u.measurements.as_ref().is_some_and(|m| !m.is_empty()),
        "fulfilment" => u.fulfilment.is_some(),
        "payment_method" => u.payment_method.is_some(),
        "payment_ref" => u.payment_ref.is_some(),
        "amount" => u.amount.is_some(),
        "order_ref" => u.order_ref.is_some(),
        "name" => u.name.is_some(),
        _ => false,
    }
}

/// Scores the parser on a labelled file: each line is an nlu.md input line
/// plus an `"expected"` output object.
pub fn evaluate(input: impl BufRead) -> Result<EvalReport, EvalError> {
    let mut report = EvalReport::default();
    for f in FIELDS {
        report.fields.insert(f, FieldScore::default());
    }
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| EvalError::BadLine {
            line: n + 1,
            message,
        };
        let labelled: LabelledLine = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        let expected = labelled.expected;
        let (msg, ctx) = labelled.input.into_parts().map_err(|BadInput(m)| bad(m))?;
        let got = parse(&msg, &ctx);
        let mut wrong = Vec::new();
        for f in FIELDS {
            let ok = field_eq(f, &expected, &got);
            let score = report.fields.entry(f).or_default();
            score.total += 1;
            score.correct += usize::from(ok);
            if field_present(f, &expected) || field_present(f, &got) {
                score.relevant += 1;
                score.relevant_correct += usize::from(ok);
            }
            if !ok {
                wrong.push(f);
            }
        }
        report.total += 1;
        let all_ok = wrong.is_empty();
        report.fully_correct += usize::from(all_ok);
        let v = report.verticals.entry(ctx.vertical).or_default();
        v.0 += usize::from(all_ok);
        v.1 += 1;
        let i = report.intents.entry(expected.intent.as_str()).or_default();
        i.0 += usize::from(all_ok);
        i.1 += 1;
        if !all_ok {
            report.failures.push(Failure {
                line: n + 1,
                vertical: ctx.vertical,
                text: msg.text,
                wrong_fields: wrong,
                expected,
                got,
            });
        }
    }
    if report.total == 0 {
        return Err(EvalError::Empty);
    }
    Ok(report)
}

impl fmt::Display for EvalReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "fully correct: {}/{} = {:.1}%",
            self.fully_correct,
            self.total,
            100.0 * self.fully_correct_fraction()
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "{:<16} {:>9} {:>22}",
            "field", "accuracy", "where present (n)"
        )?;
        for name in FIELDS {
            if let Some(s) = self.fields.get(name) {
                writeln!(
                    f,
                    "{:<16} {:>8.1}% {:>15.1}% ({:>3})",
                    name,
                    100.0 * s.accuracy(),
                    100.0 * s.relevant_accuracy(),
                    s.relevant
                )?;
            }
        }
        writeln!(f)?;
        writeln!(f, "{:<16} {:>9} {:>9}", "vertical", "correct", "messages")?;
        for (v, (c, t)) in &self.verticals {
            writeln!(
                f,
                "{:<16} {:>8.1}% {:>9}",
                v.as_str(),
                100.0 * ratio(*c, *t),
                t
            )?;
        }
        writeln!(f)?;
        writeln!(f, "{:<20} {:>9} {:>9}", "intent", "correct", "messages")?;
        for (i, (c, t)) in &self.intents {
            writeln!(f, "{:<20} {:>8.1}% {:>9}", i, 100.0 * ratio(*c, *t), t)?;
        }
        if !self.failures.is_empty() {
            writeln!(f)?;
            writeln!(f, "failures ({}):", self.failures.len())?;
            for x in &self.failures {
                let e = serde_json::to_string(&x.expected).unwrap_or_default();
                let g = serde_json::to_string(&x.got).unwrap_or_default();
                writeln!(
                    f,
                    "- line {} [{}] {:?}",
                    x.line,
                    x.vertical.as_str(),
                    x.text
                )?;
                writeln!(f, "    wrong:    {}", x.wrong_fields.join(", "))?;
                writeln!(f, "    expected: {e}")?;
                writeln!(f, "    got:      {g}")?;
            }
        }
        Ok(())
    }
}

/// The result of [`bench`].
#[derive(Debug, Clone, PartialEq)]
pub struct BenchReport {
    pub messages: usize,
    pub elapsed: Duration,
    /// Distinct messages in the set that was cycled through.
    pub distinct: usize,
}

impl BenchReport {
    pub fn messages_per_second(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s == 0.0 {
            f64::INFINITY
        } else {
            self.messages as f64 / s
        }
    }

    /// Mean time per message.
    pub fn micros_per_message(&self) -> f64 {
        if self.messages == 0 {
            0.0
        } else {
            self.elapsed.as_secs_f64() * 1e6 / self.messages as f64
        }
    }
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "nlu::parse: {} messages ({} distinct, cycled) in {:.3} s on one thread = {:.0} messages/s ({:.2} µs/message)",
            self.messages,
            self.distinct,
            self.elapsed.as_secs_f64(),
            self.messages_per_second(),
            self.micros_per_message()
        )
    }
}

/// Parses `messages` messages from the labelled set, cycling through it, on
/// the current thread, and reports the throughput. Input lines are decoded
/// before the clock starts: only `parse` is timed.
pub fn bench(messages: usize) -> BenchReport {
    let set: Vec<(Message, Context)> = LABELLED
        .lines()
        .filter_map(|l| serde_json::from_str::<LabelledLine>(l).ok())
        .filter_map(|l| l.input.into_parts().ok())
        .collect();
    if set.is_empty() {
        return BenchReport {
            messages: 0,
            elapsed: Duration::ZERO,
            distinct: 0,
        };
    }
    // Warm up caches and branch predictors.
    for (m, c) in set.iter().take(200) {
        std::hint::black_box(parse(m, c));
    }
    let start = Instant::now();
    for (m, c) in set.iter().cycle().take(messages) {
        std::hint::black_box(parse(std::hint::black_box(m), c));
    }
    BenchReport {
        messages,
        elapsed: start.elapsed(),
        distinct: set.len(),
    }
}
