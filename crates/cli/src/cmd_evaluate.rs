//! `jiqun evaluate FILE [--format json|text] [--lang zh|en] [--edition ID|FILE.toml] [--jsonl]`
//!
//! Evaluates a declaration against the recognition criteria (SPEC §3). Exit status: 0 when
//! it evaluated (eligible or not); 2 when the input is invalid, with every problem listed by
//! JSON path on stderr. With `--jsonl` the file holds one declaration per line and one
//! result per line is written, streaming in constant memory; an invalid line yields
//! `{"line": N, "errors": [...]}` for that line and the run goes on (exit 2 at the end if
//! any line was invalid).

use anyhow::Context as _;
use jiqun_domain::criteria::{self, Edition, Evaluation, InputError, Lang};
use jiqun_domain::declaration::Declaration;
use serde_json::json;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LangArg {
    Zh,
    En,
}

#[derive(Debug, clap::Args)]
pub struct EvaluateArgs {
    /// 申报数据文件（JSON）；`-` 表示标准输入。With --jsonl: one declaration per line.
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
    /// Language of explanations and of the report.
    #[arg(long, value_enum, default_value = "zh")]
    pub lang: LangArg,
    /// Criteria edition: a built-in id ("2022", "yunnan") or a path to an edition .toml.
    /// Default: the edition the declaration names.
    #[arg(long)]
    pub edition: Option<String>,
    /// Bulk mode: one declaration per line in, one JSON result per line out.
    #[arg(long)]
    pub jsonl: bool,
}

pub fn run(args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    match run_inner(args) {
        // `jiqun evaluate … | head`: the reader left; that is not a failure.
        Err(e) if is_broken_pipe(&e) => Ok(ExitCode::SUCCESS),
        other => other,
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let io = c.downcast_ref::<std::io::Error>().map(std::io::Error::kind);
        let json = c
            .downcast_ref::<serde_json::Error>()
            .and_then(serde_json::Error::io_error_kind);
        io.or(json) == Some(std::io::ErrorKind::BrokenPipe)
    })
}

fn run_inner(args: EvaluateArgs) -> anyhow::Result<ExitCode> {
    let lang = match args.lang {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    };
    let edition = match &args.edition {
        Some(e) => Some(load_edition(e)?),
        None => None,
    };
    if args.jsonl {
        if args.format == Format::Text {
            anyhow::bail!("--jsonl 只输出 JSON（--format json）");
        }
        return run_jsonl(&args.file, edition.as_ref(), lang);
    }
    let mut input = String::new();
    open(&args.file)?
        .read_to_string(&mut input)
        .with_context(|| format!("读取 {} 失败", args.file.display()))?;
    match evaluate_one(&input, edition.as_ref(), lang) {
        Ok((decl, edition, eval)) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            match args.format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut out, &eval)?;
                    writeln!(out)?;
                }
                Format::Text => {
                    write!(
                        out,
                        "{}",
                        criteria::render_text(&decl, &edition, &eval, lang)
                    )?;
                }
            }
            out.flush()?;
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            let mut err = std::io::stderr().lock();
            match lang {
                Lang::Zh => writeln!(err, "申报数据无效（{} 处问题）：", errors.len())?,
                Lang::En => writeln!(err, "invalid declaration ({} problems):", errors.len())?,
            }
            for e in &errors {
                let msg = lang.pick(&e.message, &e.message_en);
                writeln!(err, "  {}: {msg}", e.path)?;
            }
            Ok(ExitCode::from(2))
        }
    }
}

/// An edition given on the command line: a built-in id or a file.
fn load_edition(spec: &str) -> anyhow::Result<Edition> {
    if let Some(e) = Edition::builtin(spec) {
        return Ok(e.clone());
    }
    let path = Path::new(spec);
    if !path.exists() {
        anyhow::bail!(
            "未知的认定标准版本 {spec:?}：既不是内置版本（{}），也不是文件",
            Edition::builtin_ids().join("、")
        );
    }
    let src =
        std::fs::read_to_string(path).with_context(|| format!("读取 {} 失败", path.display()))?;
    Edition::from_toml_str(&src).with_context(|| format!("认定标准文件 {} 无效", path.display()))
}

type Evaluated = (Declaration, Edition, Evaluation);

/// Parse, pick the edition (the one given, else the declaration's built-in one), evaluate.
fn evaluate_one(
    input: &str,
    edition: Option<&Edition>,
    lang: Lang,
) -> Result<Evaluated, Vec<InputError>> {
    let decl = criteria::parse_declaration(input)?;
    let edition = match edition {
        Some(e) => e.clone(),
        None => criteria::builtin_edition_for(&decl)?.clone(),
    };
    let eval = criteria::evaluate(&decl, &edition, lang);
    Ok((decl, edition, eval))
}

fn open(path: &Path) -> anyhow::Result<Box<dyn Read>> {
    if path.as_os_str() == "-" {
        Ok(Box::new(std::io::stdin()))
    } else {
        let f =
            std::fs::File::open(path).with_context(|| format!("打开 {} 失败", path.display()))?;
        Ok(Box::new(f))
    }
}

fn run_jsonl(path: &Path, edition: Option<&Edition>, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut reader = BufReader::with_capacity(1 << 16, open(path)?);
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line = String::new();
    let mut number = 0usize;
    let mut invalid = 0usize;
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .with_context(|| format!("读取 {} 第 {} 行失败", path.display(), number + 1))?;
        if n == 0 {
            break;
        }
        number += 1;
        let text = line.trim_end_matches(['\n', '\r']);
        let result = if text.trim().is_empty() {
            Err(vec![InputError {
                path: "$".into(),
                message: "空行".into(),
                message_en: "empty line".into(),
            }])
        } else {
            match edition {
                Some(e) => {
                    criteria::parse_declaration(text).map(|d| criteria::evaluate(&d, e, lang))
                }
                None => criteria::evaluate_json(text, lang),
            }
        };
        match result {
            Ok(eval) => serde_json::to_writer(&mut out, &eval)?,
            Err(errors) => {
                invalid += 1;
                let errors: Vec<_> = errors
                    .iter()
                    .map(|e| json!({"path": e.path, "message": lang.pick(&e.message, &e.message_en)}))
                    .collect();
                serde_json::to_writer(&mut out, &json!({"line": number, "errors": errors}))?;
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(if invalid == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
