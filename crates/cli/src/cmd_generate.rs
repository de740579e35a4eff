//! `jiqun generate` (being written).
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    #[arg(long, default_value_t = 1)]
    pub clusters: u32,
}

pub fn run(_args: GenerateArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not yet implemented")
}
