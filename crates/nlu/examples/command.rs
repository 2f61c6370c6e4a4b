//! Staff commands as an example: one message a line on stdin, its reading as
//! one JSON object a line on stdout (the shape of `data/commands.jsonl`).
//! `cargo run -p nlu --example command < messages.txt`

use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut out = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let text = line?;
        let expected = serde_json::to_value(nlu::parse_command(&text))?;
        let row = serde_json::json!({ "text": text, "expected": expected });
        writeln!(out, "{row}")?;
    }
    Ok(())
}
