//! Baseline for the bulk-evaluation benchmark (`scripts/bench-jsonl.sh`): parse every line
//! of stdin into a `serde_json::Value` and do nothing else, so `jiqun evaluate --jsonl`
//! can be compared with the cost of merely reading the same JSON.
//!
//! Prints the number of lines and bytes to stderr; exits 1 on a line that is not JSON.
use std::io::{BufRead, BufReader};
use std::process::ExitCode;

fn main() -> ExitCode {
    let stdin = std::io::stdin().lock();
    let mut reader = BufReader::with_capacity(1 << 20, stdin);
    let mut line = String::new();
    let (mut lines, mut bytes, mut keys) = (0u64, 0u64, 0usize);
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(n) => bytes += n as u64,
            Err(e) => {
                eprintln!("read error: {e}");
                return ExitCode::from(1);
            }
        }
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<serde_json::Value>(&line) {
            // Touch the value so the parse cannot be optimised away.
            Ok(v) => keys += v.as_object().map_or(0, |o| o.len()),
            Err(e) => {
                eprintln!("line {}: {e}", lines + 1);
                return ExitCode::from(1);
            }
        }
        lines += 1;
    }
    eprintln!("parsed {lines} lines, {bytes} bytes ({keys} top-level keys)");
    ExitCode::SUCCESS
}
