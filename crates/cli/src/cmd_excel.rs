//! `jiqun export template|declaration|annual` and `jiqun import FILE.xlsx`: the Excel
//! workbooks officials fill in (SPEC §7), see docs/excel.md.
//!
//! Import writes the JSON (a declaration, SPEC §3, or an annual report) to `--out` or to
//! standard output and exits 0; on problems it prints every one, one per line in Chinese, to
//! standard error, writes nothing and exits 2.

use anyhow::Context as _;
use jiqun_domain::criteria::parse_declaration;
use jiqun_xlsx::{CellError, TemplateKind};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KindArg {
    /// 申报数据表
    Declaration,
    /// 年度培育情况报告
    Annual,
}

impl From<KindArg> for TemplateKind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Declaration => TemplateKind::Declaration,
            KindArg::Annual => TemplateKind::Annual,
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// 导出空白 Excel 模板（含填表说明、下拉列表、示例行）
    Template(TemplateArgs),
    /// 把申报数据（JSON）导出为填好的 Excel 申报数据表
    Declaration(ExportFileArgs),
    /// 把年度培育情况报告（JSON）导出为填好的 Excel 工作簿
    Annual(ExportFileArgs),
}

#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    /// 模板种类
    #[arg(long, value_enum, default_value = "declaration")]
    pub kind: KindArg,
    /// 输出的 .xlsx 文件
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ExportFileArgs {
    /// 输入的 JSON 文件
    pub file: PathBuf,
    /// 输出的 .xlsx 文件
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// 要导入的 .xlsx 文件
    pub file: PathBuf,
    /// 工作簿种类
    #[arg(long, value_enum, default_value = "declaration")]
    pub kind: KindArg,
    /// 输出的 JSON 文件（默认标准输出）
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn export(cmd: ExportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ExportCommand::Template(args) => {
            let bytes = jiqun_xlsx::export_template(args.kind.into())?;
            write_file(&args.out, &bytes)?;
            Ok(ExitCode::SUCCESS)
        }
        ExportCommand::Declaration(args) => {
            let text = read_text(&args.file)?;
            let decl = match parse_declaration(&text) {
                Ok(d) => d,
                Err(errors) => {
                    let mut err = std::io::stderr().lock();
                    writeln!(err, "申报数据无效（{} 处问题）：", errors.len())?;
                    for e in &errors {
                        writeln!(err, "  {}: {}", e.path, e.message)?;
                    }
                    return Ok(ExitCode::from(2));
                }
            };
            let bytes = jiqun_xlsx::export_declaration(&decl)?;
            write_file(&args.out, &bytes)?;
            Ok(ExitCode::SUCCESS)
        }
        ExportCommand::Annual(args) => {
            let text = read_text(&args.file)?;
            let value: serde_json::Value = match serde_json::from_str(&text) {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("年度报告数据不是有效的 JSON：{e}");
                    return Ok(ExitCode::from(2));
                }
            };
            match jiqun_xlsx::export_annual(&value) {
                Ok(bytes) => {
                    write_file(&args.out, &bytes)?;
                    Ok(ExitCode::SUCCESS)
                }
                Err(jiqun_xlsx::ExportError::Invalid(errors)) => {
                    let mut err = std::io::stderr().lock();
                    writeln!(err, "年度报告数据无效（{} 处问题）：", errors.len())?;
                    for e in &errors {
                        writeln!(err, "  {e}")?;
                    }
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

pub fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("无法读取 {}", args.file.display()))?
        .len();
    if size > jiqun_xlsx::MAX_BYTES as u64 {
        return report(&[CellError::file(format!(
            "文件大小 {:.1} MB，超过上限 {} MB；请删除多余内容或分批导入",
            size as f64 / (1024.0 * 1024.0),
            jiqun_xlsx::MAX_BYTES / (1024 * 1024)
        ))]);
    }
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("无法读取 {}", args.file.display()))?;
    let json = match args.kind {
        KindArg::Declaration => match jiqun_xlsx::import_declaration(&bytes) {
            Ok(decl) => jiqun_domain::generate::to_json(&decl)?,
            Err(errors) => return report(&errors),
        },
        KindArg::Annual => match jiqun_xlsx::import_annual(&bytes) {
            Ok(v) => v,
            Err(errors) => return report(&errors),
        },
    };
    let mut text = serde_json::to_string_pretty(&json)?;
    text.push('\n');
    match &args.out {
        Some(path) => write_file(path, text.as_bytes())?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Every problem on standard error, one per line; exit 2.
fn report(errors: &[CellError]) -> anyhow::Result<ExitCode> {
    let mut err = std::io::stderr().lock();
    writeln!(err, "Excel 文件有 {} 处问题，未导入：", errors.len())?;
    for e in errors {
        writeln!(err, "{e}")?;
    }
    Ok(ExitCode::from(2))
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("无法读取 {}", path.display()))
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("无法写入 {}", path.display()))
}
