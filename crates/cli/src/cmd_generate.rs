//! `jiqun generate`: synthetic declarations as JSON lines (SPEC §3 format), for tests and
//! benchmarks. Deterministic for a seed; streams one cluster at a time.
use anyhow::Context as _;
use jiqun_domain::generate::{GenerateParams, generate, write_json_line};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// 集群数 (number of declarations)
    #[arg(long, default_value_t = 1)]
    pub clusters: u32,
    /// 每个集群的企业数
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub enterprises: u32,
    /// 数据年数（至少3年：批次年度前三个完整年度）
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(3..=30))]
    pub years: u32,
    /// 随机种子（同一种子输出完全相同）
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// 批次年度
    #[arg(long, default_value_t = 2024, value_parser = clap::value_parser!(i32).range(2000..=2100))]
    pub batch_year: i32,
    /// 输出文件（默认标准输出）
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let params = GenerateParams {
        clusters: args.clusters,
        enterprises: args.enterprises,
        years: args.years,
        seed: args.seed,
        batch_year: args.batch_year,
    };
    match &args.out {
        Some(path) => {
            let file = File::create(path)
                .with_context(|| format!("无法创建输出文件 {}", path.display()))?;
            write_all(&params, BufWriter::with_capacity(1 << 20, file))
                .with_context(|| format!("写入 {} 失败", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout().lock();
            match write_all(&params, BufWriter::with_capacity(1 << 20, stdout)) {
                Ok(()) => {}
                // `jiqun generate | head` closes the pipe early: not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(e).context("写入标准输出失败"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_all<W: Write>(params: &GenerateParams, mut w: W) -> std::io::Result<()> {
    for decl in generate(params) {
        write_json_line(&mut w, &decl)?;
    }
    w.flush()
}
