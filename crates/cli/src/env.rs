//! Configuration shared by subcommands: the data directory, the database URL, logging.
//! Read once from flags and environment; the database password is never printed.

use anyhow::Context;
use std::path::{Path, PathBuf};
use tracing_subscriber::EnvFilter;

/// An error that ends the program with a specific exit code.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Fatal {
    pub message: String,
    pub exit_code: u8,
}

/// Exit code for a problem with the environment (data directory, database), as opposed to
/// bad input (2).
pub const EXIT_ENVIRONMENT: u8 = 3;

pub fn fatal(exit_code: u8, message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(Fatal {
        message: message.into(),
        exit_code,
    })
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

pub fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_env("JIQUN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info,usvg=error"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时")
}

#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// 数据库地址：postgres://… 使用 PostgreSQL；缺省时使用数据目录下的 SQLite 文件 jiqun.db
    #[arg(long, env = "JIQUN_DATABASE_URL")]
    pub database_url: Option<String>,
    /// 数据目录（SQLite 数据库与上传文件）
    #[arg(long, env = "JIQUN_DATA_DIR", default_value = "jiqun-data")]
    pub data_dir: PathBuf,
}

impl DbArgs {
    /// The database URL to use; for SQLite makes sure the data directory is usable first.
    pub fn resolve(&self) -> anyhow::Result<String> {
        ensure_data_dir(&self.data_dir)?;
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => Ok(url.trim().to_string()),
            _ => Ok(jiqun_store::Db::sqlite_url(
                &absolute(&self.data_dir)?.join("jiqun.db"),
            )),
        }
    }

    pub async fn connect(&self) -> anyhow::Result<jiqun_store::Db> {
        let url = self.resolve()?;
        jiqun_store::Db::connect(&url)
            .await
            .map_err(|e| fatal(EXIT_ENVIRONMENT, e.to_string()))
    }
}

pub fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(p).with_context(|| format!("无法解析路径 {}", p.display()))
}

/// Creates the data directory if needed and checks that it is writable.
pub fn ensure_data_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(fatal(
            EXIT_ENVIRONMENT,
            format!(
                "数据目录 {} 已存在但不是目录，请换一个路径（--data-dir）",
                dir.display()
            ),
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        fatal(
            EXIT_ENVIRONMENT,
            format!(
                "无法创建数据目录 {}：{e}。请检查路径与权限，或用 --data-dir 指定其他目录",
                dir.display()
            ),
        )
    })?;
    let probe = dir.join(".jiqun-write-test");
    std::fs::write(&probe, b"ok").map_err(|e| {
        fatal(
            EXIT_ENVIRONMENT,
            format!(
                "数据目录 {} 不可写：{e}。请检查权限，或用 --data-dir 指定其他目录",
                dir.display()
            ),
        )
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}
