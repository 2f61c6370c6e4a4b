//! Prints the evaluation report for a labelled file (default: the shipped set).
//! `cargo run --release -p nlu --example eval [FILE]`

use std::io::BufReader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let report = match std::env::args().nth(1) {
        Some(path) => nlu::evaluate(BufReader::new(std::fs::File::open(path)?))?,
        None => nlu::evaluate(std::io::Cursor::new(nlu::LABELLED))?,
    };
    println!("{report}");
    Ok(())
}
