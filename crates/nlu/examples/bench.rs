//! Messages per second of `nlu::parse` on one thread.
//! `cargo run --release -p nlu --example bench [MESSAGES]`

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    println!("{}", nlu::bench(n));
}
