//! `jiqun token create`: an API token for a user's organisation from the command line
//! (docs/api.md), for the first token of a provincial system before anyone logs in. The
//! same rules as the `/tokens` page: the user must be a county, province or ministry
//! account; the secret is printed once and only its SM3 hash is stored; the creation is
//! written to the audit chain (`api_token_create`, `"via": "cli"`).

use crate::env::{DbArgs, fatal};
use crate::ops::{EXIT_INPUT, prepare};
use anyhow::Context;
use jiqun_domain::clock::{Clock, SystemClock};
use jiqun_store::tokens::TokenScope;
use jiqun_store::{orgs, users};
use std::process::ExitCode;

/// Longest lifetime, in days (as on the page).
const MAX_DAYS: i64 = 365;

#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// 为账号所在机构创建 API 令牌；令牌明文只显示这一次
    Create(TokenCreateArgs),
}

#[derive(Debug, clap::Args)]
pub struct TokenCreateArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// 创建人的登录用户名（县级、省级主管部门或工业和信息化部的账号）；令牌以其所在机构的管辖范围办理
    #[arg(long)]
    pub user: String,
    /// 权限范围：read（只读）或 write（读写）
    #[arg(long)]
    pub scope: String,
    /// 有效天数（1–365）
    #[arg(long)]
    pub days: i64,
    /// 令牌名称（用途）
    #[arg(long, default_value = "命令行创建的令牌")]
    pub name: String,
}

pub async fn run(cmd: TokenCommand) -> anyhow::Result<ExitCode> {
    let TokenCommand::Create(args) = cmd;
    let scope = TokenScope::parse(args.scope.trim()).ok_or_else(|| {
        fatal(
            EXIT_INPUT,
            format!(
                "--scope：「{}」无效，应为 read（只读）或 write（读写）",
                args.scope
            ),
        )
    })?;
    if !(1..=MAX_DAYS).contains(&args.days) {
        return Err(fatal(
            EXIT_INPUT,
            format!(
                "--days：{} 无效，应为 1 到 {MAX_DAYS} 之间的天数",
                args.days
            ),
        ));
    }
    let name = args.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(fatal(
            EXIT_INPUT,
            "--name：令牌名称不能为空，且不超过 100 个字",
        ));
    }
    let db = args.db.connect().await?;
    let clock = SystemClock;
    prepare(&db, &clock).await?;
    let now = clock.now();
    let mut tx = db.begin().await?;
    let user = users::by_username(&mut tx, args.user.trim())
        .await?
        .ok_or_else(|| fatal(EXIT_INPUT, format!("--user：账号「{}」不存在", args.user)))?;
    if user.disabled {
        return Err(fatal(
            EXIT_INPUT,
            format!("--user：账号「{}」已停用", user.username),
        ));
    }
    if !jiqun_web::tokens::may_manage(&user) {
        return Err(fatal(
            EXIT_INPUT,
            format!(
                "--user：账号「{}」不是县级、省级中小企业主管部门或工业和信息化部的账号，不能持有 API 令牌",
                user.username
            ),
        ));
    }
    let org = orgs::by_id(&mut tx, user.org_id)
        .await?
        .ok_or_else(|| fatal(EXIT_INPUT, "账号所属机构不存在"))?;
    let (t, secret) =
        jiqun_web::tokens::issue(&mut tx, &user, &org, name, scope, args.days, "cli", now)
            .await
            .map_err(|e| fatal(EXIT_INPUT, e.to_string()))?;
    tx.commit().await.context("提交失败")?;
    println!(
        "已为「{}」创建{}令牌「{}」（编号 {}），有效期至 {}。",
        org.name,
        t.scope.name_zh(),
        t.name,
        t.id,
        jiqun_store::time::to_text(t.expires_at)
    );
    println!("令牌（只显示这一次，请妥善保存）：");
    println!("{secret}");
    db.close().await;
    Ok(ExitCode::SUCCESS)
}
