//! The jiqun binary: one executable, one subcommand per job (SPEC §7 "CLI").

mod cmd_evaluate;
mod cmd_excel;
mod cmd_generate;
mod cmd_load;
mod cmd_report;
mod cmd_token;
mod demo;
mod demo_history;
mod env;
mod ops;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "jiqun",
    version,
    about = "jiqun（集群）：中小企业特色产业集群认定与管理系统",
    long_about = "jiqun（集群）：中小企业特色产业集群认定与管理系统。\n依据《促进中小企业特色产业集群发展暂行办法》（工信部企业〔2022〕119号）。"
)]
struct Cli {
    /// 日志格式：text 或 json
    #[arg(long, global = true, default_value = "text", env = "JIQUN_LOG_FORMAT")]
    log_format: env::LogFormat,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 启动 Web 服务（启动时自动执行数据库迁移）
    Serve(ops::ServeArgs),
    /// 创建全新的演示数据库（SQLite），写入演示机构、账号和集群，然后启动服务
    Demo(demo::DemoArgs),
    /// 执行数据库迁移
    Migrate(env::DbArgs),
    /// 账号管理
    #[command(subcommand)]
    User(ops::UserCommand),
    /// 法定工作日计算（依据国务院办公厅节假日安排，含调休）
    #[command(subcommand)]
    Calendar(ops::CalendarCommand),
    /// 审计日志（SM3 哈希链）
    #[command(subcommand)]
    Audit(ops::AuditCommand),
    /// 备份数据库（SQLite 在服务运行时也能得到一致副本）
    Backup(ops::BackupArgs),
    /// 按认定标准评价一份申报数据
    Evaluate(cmd_evaluate::EvaluateArgs),
    /// 生成合成申报数据（JSON lines），用于测试与基准
    Generate(cmd_generate::GenerateArgs),
    /// 向空数据库写入生成的认定集群、申报数据和年度报告（用于仪表板与评估报告的性能测量）
    LoadGenerated(cmd_load::LoadArgs),
    /// 导出 Excel：空白模板（含下拉列表与填表说明）或填好的申报数据表、年度报告
    #[command(subcommand)]
    Export(cmd_excel::ExportCommand),
    /// 导入 Excel 申报数据表或年度报告，输出 JSON（有问题时逐条列出，退出码 2）
    Import(cmd_excel::ImportArgs),
    /// API 令牌：为账号所在机构创建令牌（明文只显示一次，写入审计日志）
    #[command(subcommand)]
    Token(cmd_token::TokenCommand),
    /// 报告：集群发展评估报告（第十六条），输出 Word 文档（.docx）
    #[command(subcommand)]
    Report(cmd_report::ReportCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    env::init_tracing(cli.log_format);
    let result = match cli.command {
        Command::Serve(args) => env::runtime().and_then(|rt| rt.block_on(ops::serve(args))),
        Command::Demo(args) => env::runtime().and_then(|rt| rt.block_on(demo::run(args))),
        Command::Migrate(args) => env::runtime().and_then(|rt| rt.block_on(ops::migrate(args))),
        Command::User(cmd) => env::runtime().and_then(|rt| rt.block_on(ops::user(cmd))),
        Command::Calendar(cmd) => ops::calendar(cmd),
        Command::Audit(cmd) => env::runtime().and_then(|rt| rt.block_on(ops::audit(cmd))),
        Command::Backup(args) => env::runtime().and_then(|rt| rt.block_on(ops::backup(args))),
        Command::Evaluate(args) => cmd_evaluate::run(args),
        Command::Generate(args) => cmd_generate::run(args),
        Command::LoadGenerated(args) => {
            env::runtime().and_then(|rt| rt.block_on(cmd_load::run(args)))
        }
        Command::Export(cmd) => cmd_excel::export(cmd),
        Command::Import(args) => cmd_excel::import(args),
        Command::Token(cmd) => env::runtime().and_then(|rt| rt.block_on(cmd_token::run(cmd))),
        Command::Report(cmd) => env::runtime().and_then(|rt| rt.block_on(cmd_report::run(cmd))),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("错误：{err:#}");
            let code = err
                .downcast_ref::<env::Fatal>()
                .map(|f| f.exit_code)
                .unwrap_or(1);
            ExitCode::from(code)
        }
    }
}
