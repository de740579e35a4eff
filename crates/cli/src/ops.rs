//! Operations subcommands: serve, migrate, user, calendar, backup.

use crate::env::{self, DbArgs, EXIT_ENVIRONMENT, fatal};
use anyhow::Context;
use jiqun_domain::calendar::Calendar;
use jiqun_domain::clock::{Clock, SystemClock};
use jiqun_domain::role::Role;
use jiqun_store::{Backend, Db, jobs, migrate, orgs, reference, users};
use jiqun_web::{AppState, WebConfig};
use rand::Rng;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Exit code for bad input.
pub const EXIT_INPUT: u8 = 2;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// 监听地址
    #[arg(long, env = "JIQUN_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// 会话空闲超时（分钟）
    #[arg(long, env = "JIQUN_IDLE_TIMEOUT_MINUTES", default_value_t = 30)]
    pub idle_timeout_minutes: u64,
    /// 通过 HTTPS 提供服务时开启，Cookie 将带 Secure 标记
    #[arg(long, env = "JIQUN_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// 本节点标识，记录在其执行的定时任务上（多节点共用一个 PostgreSQL 时应各不相同）；缺省为“主机名-进程号”
    #[arg(long, env = "JIQUN_NODE_ID")]
    pub node_id: Option<String>,
    /// 定时任务轮询间隔（毫秒）
    #[arg(long, env = "JIQUN_SCHEDULER_INTERVAL_MS", default_value_t = 30_000)]
    pub scheduler_interval_ms: u64,
    /// 本节点不运行定时任务（例如只提供网页服务的节点）
    #[arg(long, env = "JIQUN_NO_SCHEDULER")]
    pub no_scheduler: bool,
}

/// The scheduler loop of one server node (docs/scheduler.md).
#[derive(Debug, Clone)]
pub struct SchedulerConfig {
    /// Recorded as `lease_owner` / `finished_by` on the jobs this node runs.
    pub node_id: String,
    /// Time between two rounds.
    pub interval: Duration,
    /// How long a claimed job stays this node's before another node may take it over.
    pub lease: chrono::Duration,
    /// Most jobs run in one round, so a shutdown never waits long.
    pub max_jobs_per_tick: usize,
}

impl SchedulerConfig {
    pub fn new(node_id: Option<&str>, interval_ms: u64) -> SchedulerConfig {
        let node_id = match node_id.map(str::trim) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => default_node_id(),
        };
        SchedulerConfig {
            node_id,
            interval: Duration::from_millis(interval_ms.max(10)),
            lease: chrono::Duration::minutes(5),
            max_jobs_per_tick: 100,
        }
    }
}

/// "hostname-pid": unique among the nodes of one deployment.
pub fn default_node_id() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "jiqun".to_string());
    format!("{host}-{}", std::process::id())
}

impl ServeArgs {
    pub fn web_config(&self) -> WebConfig {
        WebConfig {
            idle_timeout: Duration::from_secs(self.idle_timeout_minutes.max(1) * 60),
            secure_cookies: self.secure_cookies,
            files_dir: self.db.data_dir.join("files"),
            ..WebConfig::default()
        }
    }

    /// The scheduler of this node, unless `--no-scheduler`.
    pub fn scheduler(&self) -> Option<SchedulerConfig> {
        (!self.no_scheduler)
            .then(|| SchedulerConfig::new(self.node_id.as_deref(), self.scheduler_interval_ms))
    }
}

/// Checks the embedded reference data, migrates, and fills the reference tables.
/// Documents backfilled at start beyond which the statistics are refreshed at once.
const BULK_DOCUMENTS: usize = 1000;

pub async fn prepare(db: &Db, clock: &dyn Clock) -> anyhow::Result<()> {
    jiqun_domain::division::check_data().context("内置行政区划数据损坏")?;
    jiqun_domain::industry::check_data().context("内置行业分类数据损坏")?;
    Calendar::check_official().context("内置节假日数据损坏")?;
    let applied = migrate::run(db, clock.now())
        .await
        .map_err(|e| fatal(EXIT_ENVIRONMENT, e.to_string()))?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    let counts = reference::sync(db).await.context("写入参考数据失败")?;
    tracing::debug!(?counts, "reference data synchronised");
    let filled = jiqun_store::monitoring::backfill(db)
        .await
        .context("补算监测指标失败")?;
    if filled != jiqun_store::monitoring::Backfill::default() {
        tracing::info!(?filled, "indicator values backfilled");
    }
    let (refreshed, warnings) = after_backfill(db, &filled).await?;
    if refreshed {
        tracing::info!("statistics refreshed (VACUUM ANALYZE) after the backfill");
    }
    for warning in warnings {
        tracing::warn!("{warning}");
    }
    Ok(())
}

/// After the start-up backfill: a large one (an upgrade over years of reports) rewrites the
/// table the dashboards aggregate, so the statistics are refreshed now rather than when
/// autovacuum gets to it; and the database server's settings that need changing.
async fn after_backfill(
    db: &Db,
    filled: &jiqun_store::monitoring::Backfill,
) -> anyhow::Result<(bool, Vec<String>)> {
    let refreshed =
        filled.declarations + filled.reports >= BULK_DOCUMENTS && db.refresh_statistics().await?;
    Ok((refreshed, db.server_warnings().await?))
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let db = args.db.connect().await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    prepare(&db, clock.as_ref()).await?;
    run_server(db, clock, &args.bind, args.web_config(), args.scheduler()).await
}

/// Runs the scheduler every `interval` until `stop` changes (or its sender is gone). A
/// round that fails is logged and the next one tried; a round in progress is finished
/// before stopping, so no job is left half-done by a shutdown.
async fn scheduler_loop(
    db: Db,
    clock: Arc<dyn Clock>,
    config: SchedulerConfig,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(
        node = %config.node_id,
        interval_ms = u64::try_from(config.interval.as_millis()).unwrap_or(u64::MAX),
        "scheduler started"
    );
    let mut interval = tokio::time::interval(config.interval);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            _ = stop.changed() => break,
        }
        match jobs::tick(
            &db,
            &config.node_id,
            clock.now(),
            config.lease,
            config.max_jobs_per_tick,
        )
        .await
        {
            Ok(r) if r.ran() > 0 || r.sweep_enqueued => tracing::info!(
                node = %config.node_id,
                done = r.done,
                failed = r.failed,
                lease_lost = r.lease_lost,
                sweep_enqueued = r.sweep_enqueued,
                "scheduler round"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(node = %config.node_id, error = %e, "scheduler round failed"),
        }
    }
    tracing::info!(node = %config.node_id, "scheduler stopped");
}

pub async fn run_server(
    db: Db,
    clock: Arc<dyn Clock>,
    bind: &str,
    config: WebConfig,
    scheduler: Option<SchedulerConfig>,
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(bind).await.map_err(|e| {
        fatal(
            EXIT_ENVIRONMENT,
            format!("无法监听 {bind}：{e}。端口可能已被占用，请用 --bind 指定其他地址"),
        )
    })?;
    let addr = listener.local_addr().context("无法读取监听地址")?;
    tracing::info!(%addr, backend = db.backend().name(), "jiqun serving");
    println!("jiqun 已启动：http://{addr}/  （按 Ctrl+C 停止）");
    let (stop_scheduler, stopped) = tokio::sync::watch::channel(false);
    let scheduler =
        scheduler.map(|s| tokio::spawn(scheduler_loop(db.clone(), clock.clone(), s, stopped)));
    let app = jiqun_web::router(AppState::new(db.clone(), clock, config));
    // Connection info lets per-client limits (objections) see the peer address.
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    let _ = stop_scheduler.send(true);
    if let Some(handle) = scheduler
        && let Err(e) = handle.await
    {
        tracing::error!(error = %e, "scheduler task ended abnormally");
    }
    served.context("服务异常退出")?;
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl+C, or SIGTERM (what systemd and container runtimes send to stop a service).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; stopping on Ctrl+C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutting down");
}

pub async fn migrate(args: DbArgs) -> anyhow::Result<ExitCode> {
    let db = args.connect().await?;
    let clock = SystemClock;
    let before = migrate::run(&db, clock.now())
        .await
        .map_err(|e| fatal(EXIT_ENVIRONMENT, e.to_string()))?;
    let counts = reference::sync(&db).await.context("写入参考数据失败")?;
    let filled = jiqun_store::monitoring::backfill(&db)
        .await
        .context("补算监测指标失败")?;
    if before.is_empty() {
        println!("数据库已是最新结构，无需迁移。");
    } else {
        println!("已执行迁移：{before:?}");
    }
    println!(
        "参考数据：行政区划 {} 条，行业分类 {} 条，节假日安排 {} 条。",
        counts.divisions, counts.industries, counts.holidays
    );
    println!(
        "监测指标：补算申报书 {} 份、年度报告 {} 份，清除已退回报告的指标 {} 条。",
        filled.declarations, filled.reports, filled.stale_removed
    );
    let (refreshed, warnings) = after_backfill(&db, &filled).await?;
    if refreshed {
        println!("已刷新 PostgreSQL 统计信息（VACUUM ANALYZE）。");
    }
    for warning in warnings {
        eprintln!("警告：{warning}");
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// 新增账号。密码从标准输入读取（--password-stdin），否则随机生成并只显示一次
    Add(UserAddArgs),
}

#[derive(Debug, clap::Args)]
pub struct UserAddArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// 所属机构代码（行政区划代码，或 MIIT 等机构代码）
    #[arg(long)]
    pub org: String,
    /// 角色：county、province、ministry、expert、operator、sysadmin、secadmin、auditor
    #[arg(long)]
    pub role: Role,
    /// 登录用户名
    #[arg(long)]
    pub name: String,
    /// 显示姓名（缺省同用户名）
    #[arg(long)]
    pub display_name: Option<String>,
    /// 专家所在省份代码（用于回避本省集群）
    #[arg(long)]
    pub home_province: Option<String>,
    /// 从标准输入读取密码（一行）
    #[arg(long)]
    pub password_stdin: bool,
}

/// A random password of 16 characters from an alphabet without look-alikes.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

pub async fn user(cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let UserCommand::Add(args) = cmd;
    let username = args.name.trim().to_string();
    if username.is_empty() {
        return Err(fatal(EXIT_INPUT, "用户名不能为空（--name）"));
    }
    let (password, generated) = if args.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("无法从标准输入读取密码")?;
        (line.trim_end_matches(['\r', '\n']).to_string(), false)
    } else {
        (generate_password(), true)
    };
    jiqun_domain::password::check(&username, &password)
        .map_err(|e| fatal(EXIT_INPUT, format!("密码不符合要求：{e}")))?;
    if let Some(p) = &args.home_province {
        jiqun_domain::division::AdminCode::parse(p)
            .map_err(|e| fatal(EXIT_INPUT, format!("--home-province：{e}")))?;
    }
    let db = args.db.connect().await?;
    let clock = SystemClock;
    prepare(&db, &clock).await?;
    let mut tx = db.begin().await?;
    let org = orgs::by_code(&mut tx, args.org.trim())
        .await?
        .ok_or_else(|| {
            fatal(
                EXIT_INPUT,
                format!("机构代码「{}」不存在（--org）", args.org),
            )
        })?;
    users::check_role_fits_org(args.role, org.kind).map_err(|e| fatal(EXIT_INPUT, e))?;
    let hash = jiqun_web::auth::hash_password(&password).map_err(|e| anyhow::anyhow!(e))?;
    let display = args
        .display_name
        .clone()
        .unwrap_or_else(|| username.clone());
    let created = users::insert(
        &mut tx,
        &users::NewUser {
            username: &username,
            display_name: &display,
            org_id: org.id,
            password_hash: &hash,
            home_province: args.home_province.as_deref(),
            roles: &[args.role],
        },
        clock.now(),
    )
    .await
    .map_err(|e| fatal(EXIT_INPUT, e.to_string()))?;
    tx.commit().await.context("提交失败")?;
    println!(
        "已创建账号「{}」（{}，{}）。",
        created.username,
        org.name,
        args.role.name_zh()
    );
    if generated {
        println!("初始密码（只显示这一次，请妥善转交）：{password}");
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Subcommand)]
pub enum CalendarCommand {
    /// 计算 N 个工作日期间的最后一天：期间从 --from 当天或之后的第一个工作日开始
    Workdays {
        /// 起算日期 YYYY-MM-DD
        #[arg(long)]
        from: String,
        /// 工作日数（≥ 1）
        #[arg(long)]
        count: u32,
    },
}

pub fn calendar(cmd: CalendarCommand) -> anyhow::Result<ExitCode> {
    let CalendarCommand::Workdays { from, count } = cmd;
    let date = chrono::NaiveDate::parse_from_str(from.trim(), "%Y-%m-%d").map_err(|_| {
        fatal(
            EXIT_INPUT,
            format!("--from：日期「{from}」无效，应为 YYYY-MM-DD 格式的真实日期，例如 2024-09-23"),
        )
    })?;
    let end = Calendar::official()
        .period_end(date, count)
        .map_err(|e| fatal(EXIT_INPUT, e.to_string()))?;
    println!("{}", end.format("%Y-%m-%d"));
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// 备份文件路径（不得已存在）
    #[arg(long)]
    pub out: PathBuf,
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let url = args.db.resolve()?;
    if Backend::from_url(&url)? == Backend::Postgres {
        return Err(fatal(
            EXIT_INPUT,
            "PostgreSQL 数据库请使用 pg_dump 备份，例如：pg_dump --format=custom --file=jiqun.dump \"$JIQUN_DATABASE_URL\"（见 docs/operations.md）",
        ));
    }
    if args.out.exists() {
        return Err(fatal(
            EXIT_INPUT,
            format!(
                "备份文件 {} 已存在，请指定新的文件名（--out）",
                args.out.display()
            ),
        ));
    }
    let out = env::absolute(&args.out)?;
    if let Some(parent) = out.parent()
        && !parent.is_dir()
    {
        return Err(fatal(
            EXIT_INPUT,
            format!("目录 {} 不存在（--out）", parent.display()),
        ));
    }
    let db = Db::connect(&url)
        .await
        .map_err(|e| fatal(EXIT_ENVIRONMENT, e.to_string()))?;
    jiqun_store::backup_sqlite(&db, &out)
        .await
        .map_err(|e| fatal(EXIT_ENVIRONMENT, format!("备份失败：{e}")))?;
    db.close().await;
    println!("已备份到 {}", out.display());
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// 校验审计日志哈希链，报告第一处断链（退出码：0 完整，1 已被篡改）
    Verify(DbArgs),
}

pub async fn audit(cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    let AuditCommand::Verify(args) = cmd;
    let db = args.connect().await?;
    let clock = SystemClock;
    migrate::run(&db, clock.now())
        .await
        .map_err(|e| fatal(EXIT_ENVIRONMENT, e.to_string()))?;
    let v = jiqun_store::audit::verify(&db)
        .await
        .context("读取审计日志失败")?;
    db.close().await;
    match v.broken {
        None => {
            println!(
                "审计日志完整：共 {} 条记录，哈希链校验通过（SM3）。",
                v.events
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(b) => {
            println!(
                "审计日志已被篡改：第 {} 条记录处断链——{}。此前 {} 条记录校验通过。",
                b.seq, b.reason, v.events
            );
            Ok(ExitCode::from(1))
        }
    }
}
