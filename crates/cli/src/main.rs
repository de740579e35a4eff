//! The jiqun binary (skeleton; subcommands are being wired).
mod cmd_evaluate;
mod cmd_generate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "jiqun", version, about = "中小企业特色产业集群认定与管理系统")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 按认定标准评价一份申报数据
    Evaluate(cmd_evaluate::EvaluateArgs),
    /// 生成合成申报数据（JSON lines），用于测试与基准
    Generate(cmd_generate::GenerateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Evaluate(args) => cmd_evaluate::run(args),
        Command::Generate(args) => cmd_generate::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("错误：{err:#}");
            ExitCode::from(1)
        }
    }
}
