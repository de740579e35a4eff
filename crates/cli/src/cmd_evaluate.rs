//! `jiqun evaluate` (being written).
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// Declaration file (JSON), or with --jsonl one declaration per line.
    pub file: std::path::PathBuf,
}

pub fn run(_args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not yet implemented")
}
