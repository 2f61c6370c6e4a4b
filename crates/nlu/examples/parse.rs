//! `nlu parse` as an example: JSON lines on stdin, JSON lines on stdout.
//! `cargo run -p nlu --example parse < input.jsonl`

fn main() -> std::io::Result<()> {
    nlu::parse_stream(std::io::stdin().lock(), std::io::stdout().lock())
}
