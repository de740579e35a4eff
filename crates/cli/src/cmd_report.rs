//! `jiqun report assessment --year Y [--province CODE] --out FILE.docx`: the cluster
//! development assessment report (集群发展评估报告, 第十六条: “工业和信息化部组织开展监督和考核，
//! 编制集群发展评估报告”), issue 7 item 3 — a minimal but real, editable Word document.
//!
//! The document and its .xlsx appendix are composed by `jiqun_web::report` (the dashboard's
//! button 生成评估报告 uses the same code): every number comes from the dashboard's own
//! queries, each chart is a PNG picture, and the appendix lists every number.

use crate::env::{self, DbArgs, EXIT_ENVIRONMENT, fatal};
use crate::ops::EXIT_INPUT;
use jiqun_domain::clock::{Clock, SystemClock};
use jiqun_domain::jurisdiction::authority_by_code;
use jiqun_store::Scope;
use jiqun_web::report;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// 集群发展评估报告（第十六条），输出可编辑的 Word 文档（.docx）
    Assessment(AssessmentArgs),
}

#[derive(Debug, clap::Args)]
pub struct AssessmentArgs {
    /// 评估年度（趋势数据截至该年度）
    #[arg(long)]
    pub year: i32,
    /// 只评估一个省级单位（6 位代码，如 330000）；缺省为全国
    #[arg(long)]
    pub province: Option<String>,
    /// 输出的 .docx 文件
    #[arg(long)]
    pub out: PathBuf,
    /// 附件数据表（.xlsx，列出报告中的每一个数字）；缺省为与 .docx 同名的 .xlsx
    #[arg(long)]
    pub appendix: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

pub async fn run(cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    let ReportCommand::Assessment(args) = cmd;
    if !(2000..=2100).contains(&args.year) {
        return Err(fatal(
            EXIT_INPUT,
            format!(
                "评估年度 {} 无效（--year），应为 2000–2100 之间的年份",
                args.year
            ),
        ));
    }
    let (scope, scope_name) = match args.province.as_deref().map(str::trim) {
        None | Some("") => (Scope::National, "全国".to_string()),
        Some(code) => {
            let a = authority_by_code(code).ok_or_else(|| {
                fatal(
                    EXIT_INPUT,
                    format!(
                        "省级单位代码「{code}」无效（--province）：应为 6 位代码，如浙江省 330000、宁波市 330200、新疆生产建设兵团 660000"
                    ),
                )
            })?;
            (Scope::Authority(a.code.to_string()), a.name.to_string())
        }
    };
    let out = env::absolute(&args.out)?;
    if out.extension().and_then(|e| e.to_str()) != Some("docx") {
        return Err(fatal(
            EXIT_INPUT,
            format!("输出文件 {} 应以 .docx 结尾（--out）", out.display()),
        ));
    }
    if let Some(parent) = out.parent()
        && !parent.is_dir()
    {
        return Err(fatal(
            EXIT_INPUT,
            format!("目录 {} 不存在（--out）", parent.display()),
        ));
    }
    let appendix = match &args.appendix {
        Some(p) => env::absolute(p)?,
        None => out.with_extension("xlsx"),
    };
    if appendix.extension().and_then(|e| e.to_str()) != Some("xlsx") {
        return Err(fatal(
            EXIT_INPUT,
            format!(
                "附件文件 {} 应以 .xlsx 结尾（--appendix）",
                appendix.display()
            ),
        ));
    }
    if let Some(parent) = appendix.parent()
        && !parent.is_dir()
    {
        return Err(fatal(
            EXIT_INPUT,
            format!("目录 {} 不存在（--appendix）", parent.display()),
        ));
    }
    let db = args.db.connect().await?;
    let today = SystemClock.today();
    let mut conn = db
        .acquire()
        .await
        .map_err(|e| fatal(EXIT_ENVIRONMENT, e.to_string()))?;
    let a = report::assess(&mut conn, &scope, &scope_name, args.year, today)
        .await
        .map_err(|e| fatal(EXIT_ENVIRONMENT, format!("读取监测数据失败：{e}")))?;
    drop(conn);
    db.close().await;
    let docx = report::docx(&a).map_err(|e| fatal(EXIT_ENVIRONMENT, e.to_string()))?;
    let xlsx = report::appendix(&a).map_err(|e| fatal(EXIT_ENVIRONMENT, e.to_string()))?;
    write(&out, &docx)?;
    write(&appendix, &xlsx)?;
    println!("已生成评估报告 {}", out.display());
    println!("附件数据表 {}", appendix.display());
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).map_err(|e| {
        fatal(
            EXIT_ENVIRONMENT,
            format!("无法写入 {}：{e}", path.display()),
        )
    })
}
