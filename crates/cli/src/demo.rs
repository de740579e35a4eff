//! `jiqun demo`: a fresh SQLite database with realistic organisations, one account per
//! role and about twenty clusters, then the server.
//!
//! Cluster names marked (2022)/(2024) are real national clusters from the published lists
//! (`shared/reference/clusters_*.csv`); those marked 示例 are illustrative provincial ones.

use crate::env::{DbArgs, EXIT_ENVIRONMENT, ensure_data_dir, fatal};
use crate::ops::{ServeArgs, prepare, run_server};
use anyhow::Context;
use jiqun_domain::clock::{Clock, SystemClock};
use jiqun_domain::division::AdminCode;
use jiqun_domain::jurisdiction::authority_for;
use jiqun_domain::role::Role;
use jiqun_store::clusters::{self, NewCluster, Tier};
use jiqun_store::orgs::{self, NewOrg, OrgKind};
use jiqun_store::{Db, users};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// 监听地址
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// 演示数据目录（其中的演示数据库每次启动都会重建）
    #[arg(long, default_value = "jiqun-demo")]
    pub data_dir: PathBuf,
    /// 只生成演示数据，不启动服务
    #[arg(long)]
    pub no_serve: bool,
}

/// The password of every demo account. Demo only: real accounts get their own.
pub const DEMO_PASSWORD: &str = "Jiqun-Demo-2026";

pub const MINISTRY_CODE: &str = "MIIT";
pub const EXPERT_POOL_CODE: &str = "MIIT-EXPERTS";

/// (code, name, kind)
const AUTHORITIES: &[(&str, &str, OrgKind)] = &[
    ("320000", "江苏省工业和信息化厅", OrgKind::Province),
    ("330000", "浙江省经济和信息化厅", OrgKind::Province),
    ("440000", "广东省工业和信息化厅", OrgKind::Province),
    ("330200", "宁波市经济和信息化局", OrgKind::PlanCity),
    ("440300", "深圳市工业和信息化局", OrgKind::PlanCity),
    ("530000", "云南省工业和信息化厅", OrgKind::Province),
];

/// (county code, bureau name)
const COUNTIES: &[(&str, &str)] = &[
    ("320581", "常熟市工业和信息化局"),
    ("320481", "溧阳市工业和信息化局"),
    ("320206", "无锡市惠山区工业和信息化局"),
    ("320312", "徐州市铜山区工业和信息化局"),
    ("320114", "南京市雨花台区工业和信息化局"),
    ("320214", "无锡市新吴区经济发展局"),
    ("330502", "湖州市吴兴区经济和信息化局"),
    ("330784", "永康市经济和信息化局"),
    ("440112", "广州市黄埔区工业和信息化局"),
    ("440605", "佛山市南海区经济促进局"),
    ("440114", "广州市花都区工业和信息化局"),
    ("440881", "廉江市工业和信息化局"),
    ("440282", "南雄市工业和信息化局"),
    ("440113", "广州市番禺区工业和信息化局"),
    ("440402", "珠海市香洲区工业和信息化局"),
    ("440305", "深圳市南山区工业和信息化局"),
    ("440306", "深圳市宝安区工业和信息化局"),
    ("440311", "深圳市光明区工业和信息化局"),
    ("330226", "宁海县经济和信息化局"),
    ("330282", "慈溪市经济和信息化局"),
    ("440606", "佛山市顺德区经济和科技促进局"),
    ("530181", "安宁市工业和信息化局"),
];

/// (name, county, leading industry, GB/T 4754 codes, tier)
const CLUSTERS: &[(&str, &str, &str, &str, Tier)] = &[
    (
        "江苏省常熟市电子氟材料产业集群",
        "320581",
        "电子氟材料",
        "C2614",
        Tier::National,
    ),
    (
        "溧阳市动力电池产业集群",
        "320481",
        "动力电池",
        "C3841",
        Tier::National,
    ),
    (
        "无锡市惠山区智能基础零部件制造产业集群",
        "320206",
        "智能基础零部件制造",
        "C345",
        Tier::National,
    ),
    (
        "徐州市铜山区安全应急产业集群",
        "320312",
        "安全应急",
        "C35",
        Tier::National,
    ),
    (
        "南京市雨花台区轨道交通动力装备产业集群",
        "320114",
        "轨道交通动力装备",
        "C371",
        Tier::National,
    ),
    (
        "无锡市新吴区物联网微机电系统传感器产业集群",
        "320214",
        "物联网微机电系统传感器",
        "C3973",
        Tier::National,
    ),
    (
        "浙江省湖州市吴兴区智能物流装备产业集群",
        "330502",
        "智能物流装备",
        "C343",
        Tier::National,
    ),
    (
        "金华市永康市五金工具产业集群（示例）",
        "330784",
        "五金工具",
        "C332",
        Tier::Provincial,
    ),
    (
        "广州市黄埔区智能制造装备产业集群",
        "440112",
        "智能制造装备",
        "C349",
        Tier::National,
    ),
    (
        "广州市黄埔区有机高分子材料产业集群",
        "440112",
        "有机高分子材料",
        "C265",
        Tier::National,
    ),
    (
        "佛山市南海区氢能产业集群",
        "440605",
        "氢能",
        "C3825",
        Tier::National,
    ),
    (
        "佛山市南海区安全应急产业集群",
        "440605",
        "安全应急",
        "C35",
        Tier::National,
    ),
    (
        "广州市花都区箱包皮具产业集群",
        "440114",
        "箱包皮具",
        "C192",
        Tier::National,
    ),
    (
        "湛江市廉江市小家电产业集群",
        "440881",
        "小家电",
        "C385",
        Tier::National,
    ),
    (
        "韶关市南雄市涂料产业集群",
        "440282",
        "涂料",
        "C264",
        Tier::National,
    ),
    (
        "广州市番禺区纺织服装产业集群",
        "440113",
        "纺织服装",
        "C18",
        Tier::National,
    ),
    (
        "珠海市香洲区打印设备及耗材产业集群",
        "440402",
        "打印设备及耗材",
        "C347",
        Tier::National,
    ),
    (
        "深圳市南山区智能终端芯片设计产业集群",
        "440305",
        "智能终端芯片设计",
        "I652",
        Tier::National,
    ),
    (
        "深圳市宝安区锂电池设备制造产业集群",
        "440306",
        "锂电池设备制造",
        "C356",
        Tier::National,
    ),
    (
        "深圳市光明区智能传输及感知器件产业集群",
        "440311",
        "智能传输及感知器件",
        "C398",
        Tier::National,
    ),
    (
        "宁波市宁海县模具产业集群（示例）",
        "330226",
        "模具",
        "C352",
        Tier::Provincial,
    ),
    (
        "宁波市慈溪市小家电产业集群（示例）",
        "330282",
        "小家电",
        "C385",
        Tier::Library,
    ),
    (
        "佛山市顺德区家用电器产业集群（示例）",
        "440606",
        "家用电器",
        "C385",
        Tier::Provincial,
    ),
    (
        "昆明市安宁市绿色铝材产业集群（示例）",
        "530181",
        "铝材加工",
        "C3252",
        Tier::Library,
    ),
];

/// (username, display name, org code, role, home province)
const ACCOUNTS: &[(&str, &str, &str, Role, Option<&str>)] = &[
    (
        "yunnan",
        "云南省工信厅 杨科长",
        "530000",
        Role::Province,
        None,
    ),
    ("kunming", "昆明市工信局 赵科长", "530100", Role::City, None),
    (
        "anning",
        "安宁市工信局 段主任",
        "530181",
        Role::County,
        None,
    ),
    (
        "miit",
        "工信部中小企业局 王处长",
        MINISTRY_CODE,
        Role::Ministry,
        None,
    ),
    (
        "jiangsu",
        "江苏省工信厅 李科长",
        "320000",
        Role::Province,
        None,
    ),
    (
        "zhejiang",
        "浙江省经信厅 陈科长",
        "330000",
        Role::Province,
        None,
    ),
    (
        "guangdong",
        "广东省工信厅 黄科长",
        "440000",
        Role::Province,
        None,
    ),
    (
        "ningbo",
        "宁波市经信局 周科长",
        "330200",
        Role::Province,
        None,
    ),
    (
        "shenzhen",
        "深圳市工信局 刘科长",
        "440300",
        Role::Province,
        None,
    ),
    (
        "changshu",
        "常熟市工信局 张科员",
        "320581",
        Role::County,
        None,
    ),
    (
        "huangpu",
        "黄埔区工信局 吴科员",
        "440112",
        Role::County,
        None,
    ),
    (
        "ninghai",
        "宁海县经信局 徐科员",
        "330226",
        Role::County,
        None,
    ),
    (
        "nanshan",
        "南山区工信局 郑科员",
        "440305",
        Role::County,
        None,
    ),
    (
        "yongkang",
        "永康市经信局 胡科员",
        "330784",
        Role::County,
        None,
    ),
    (
        "shunde",
        "顺德区经科局 梁科员",
        "440606",
        Role::County,
        None,
    ),
    (
        "expert-zhao",
        "赵教授（评审专家，浙江）",
        EXPERT_POOL_CODE,
        Role::Expert,
        Some("330000"),
    ),
    (
        "expert-sun",
        "孙研究员（评审专家，江苏）",
        EXPERT_POOL_CODE,
        Role::Expert,
        Some("320000"),
    ),
    (
        "expert-he",
        "何高工（评审专家，广东）",
        EXPERT_POOL_CODE,
        Role::Expert,
        Some("440000"),
    ),
    (
        "operator-changshu",
        "常熟电子氟材料集群管委会",
        "OP-320581",
        Role::Operator,
        None,
    ),
    (
        "sysadmin",
        "系统管理员",
        MINISTRY_CODE,
        Role::Sysadmin,
        None,
    ),
    (
        "secadmin",
        "安全管理员",
        MINISTRY_CODE,
        Role::Secadmin,
        None,
    ),
    ("auditor", "安全审计员", MINISTRY_CODE, Role::Auditor, None),
];

pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    ensure_data_dir(&args.data_dir)?;
    for suffix in ["jiqun.db", "jiqun.db-wal", "jiqun.db-shm"] {
        let path = args.data_dir.join(suffix);
        if path.exists() {
            std::fs::remove_file(&path).map_err(|e| {
                fatal(
                    EXIT_ENVIRONMENT,
                    format!("无法删除旧的演示数据库 {}：{e}", path.display()),
                )
            })?;
        }
    }
    let db_args = DbArgs {
        database_url: None,
        data_dir: args.data_dir.clone(),
    };
    let db = db_args.connect().await?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    prepare(&db, clock.as_ref()).await?;
    let summary = seed(&db, clock.as_ref()).await?;
    print_logins(&db_args, &summary);
    if args.no_serve {
        db.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let serve = ServeArgs {
        db: db_args,
        bind: args.bind.clone(),
        idle_timeout_minutes: 30,
        secure_cookies: false,
        node_id: None,
        scheduler_interval_ms: 30_000,
        no_scheduler: false,
    };
    run_server(db, clock, &args.bind, serve.web_config(), serve.scheduler()).await
}

pub struct Summary {
    pub recognitions: usize,
    pub orgs: usize,
    pub clusters: usize,
    pub applications: usize,
    pub accounts: Vec<(String, String, String)>,
}

/// Writes the demo organisations, accounts and clusters in one transaction.
pub async fn seed(db: &Db, clock: &dyn Clock) -> anyhow::Result<Summary> {
    let now = clock.now();
    let mut tx = db.begin().await?;
    let mut org_count = 0;
    orgs::insert(
        &mut tx,
        &NewOrg {
            code: MINISTRY_CODE,
            name: "工业和信息化部（中小企业局）",
            kind: OrgKind::Ministry,
            division_code: None,
            authority_code: None,
        },
        now,
    )
    .await?;
    orgs::insert(
        &mut tx,
        &NewOrg {
            code: EXPERT_POOL_CODE,
            name: "工业和信息化部评审专家库",
            kind: OrgKind::ExpertPool,
            division_code: None,
            authority_code: None,
        },
        now,
    )
    .await?;
    org_count += 2;
    for (code, name, kind) in AUTHORITIES {
        orgs::insert(
            &mut tx,
            &NewOrg {
                code,
                name,
                kind: *kind,
                division_code: Some(code),
                authority_code: Some(code),
            },
            now,
        )
        .await?;
        org_count += 1;
    }
    for (code, name) in COUNTIES {
        let authority = authority_of(code)?;
        orgs::insert(
            &mut tx,
            &NewOrg {
                code,
                name,
                kind: OrgKind::County,
                division_code: Some(code),
                authority_code: Some(&authority),
            },
            now,
        )
        .await?;
        org_count += 1;
    }
    orgs::insert(
        &mut tx,
        &NewOrg {
            code: "OP-320581",
            name: "常熟电子氟材料产业集群管理委员会",
            kind: OrgKind::Operator,
            division_code: Some("320581"),
            authority_code: Some("320000"),
        },
        now,
    )
    .await?;
    org_count += 1;
    // A 设区市 for the city step of 云南's provincial batch.
    orgs::insert(
        &mut tx,
        &NewOrg {
            code: "530100",
            name: "昆明市工业和信息化局",
            kind: OrgKind::City,
            division_code: Some("530100"),
            authority_code: Some("530000"),
        },
        now,
    )
    .await?;
    org_count += 1;

    let mut cluster_count = 0;
    for (name, county, industry, codes, tier) in CLUSTERS {
        let authority = authority_of(county)?;
        let codes: Vec<String> = codes.split(',').map(str::to_string).collect();
        clusters::insert(
            &mut tx,
            &NewCluster {
                name,
                county_code: county,
                authority_code: &authority,
                leading_industry: industry,
                industry_codes: &codes,
                area_km2: None,
                tier: *tier,
            },
            now,
        )
        .await?;
        cluster_count += 1;
    }

    let hash = jiqun_web::auth::hash_password(DEMO_PASSWORD).map_err(|e| anyhow::anyhow!(e))?;
    let mut accounts = Vec::new();
    for (username, display, org_code, role, home) in ACCOUNTS {
        let org = orgs::by_code(&mut tx, org_code)
            .await?
            .with_context(|| format!("演示机构 {org_code} 缺失"))?;
        users::check_role_fits_org(*role, org.kind).map_err(|e| anyhow::anyhow!(e))?;
        users::insert(
            &mut tx,
            &users::NewUser {
                username,
                display_name: display,
                org_id: org.id,
                password_hash: &hash,
                home_province: *home,
                roles: &[*role],
            },
            now,
        )
        .await?;
        accounts.push((
            username.to_string(),
            role.name_zh().to_string(),
            org.name.clone(),
        ));
    }
    // One data-entry account per remaining county (c + county code), so every county can
    // file its reports; listed in one line of the printout.
    for (code, name) in COUNTIES {
        if ACCOUNTS.iter().any(|a| a.2 == *code) {
            continue;
        }
        let org = orgs::by_code(&mut tx, code)
            .await?
            .with_context(|| format!("演示机构 {code} 缺失"))?;
        let username = format!("c{code}");
        let display = format!("{name} 填报员");
        users::insert(
            &mut tx,
            &users::NewUser {
                username: &username,
                display_name: &display,
                org_id: org.id,
                password_hash: &hash,
                home_province: None,
                roles: &[Role::County],
            },
            now,
        )
        .await?;
    }
    tx.commit().await.context("提交演示数据失败")?;
    let applications = seed_workflow(db, clock).await?;
    let recognitions = crate::demo_history::seed(db, clock).await?;
    Ok(Summary {
        orgs: org_count,
        clusters: cluster_count,
        applications,
        recognitions,
        accounts,
    })
}

/// The clusters of the demo that were recognised in the 2024 batch (reference/clusters_2024.csv);
/// the other national ones are from the 2022 batch.
pub(crate) const BATCH_2024: &[&str] = &[
    "无锡市新吴区物联网微机电系统传感器产业集群",
    "广州市黄埔区有机高分子材料产业集群",
    "广州市番禺区纺织服装产业集群",
    "珠海市香洲区打印设备及耗材产业集群",
    "深圳市光明区智能传输及感知器件产业集群",
];

/// The county account of a county code: the named demo account, or `c` + code.
pub(crate) async fn county_username(
    _conn: &mut jiqun_store::Conn,
    code: &str,
) -> anyhow::Result<String> {
    Ok(ACCOUNTS
        .iter()
        .find(|a| a.2 == code && a.3 == Role::County)
        .map(|a| a.0.to_string())
        .unwrap_or_else(|| format!("c{code}")))
}

fn authority_of(county: &str) -> anyhow::Result<String> {
    let code = AdminCode::parse(county).map_err(|e| anyhow::anyhow!("演示数据：{e}"))?;
    let authority = authority_for(&code)
        .with_context(|| format!("演示数据：{county} 不属于任何省级主管部门"))?;
    Ok(authority.code.to_string())
}

fn print_logins(db: &DbArgs, summary: &Summary) {
    println!(
        "jiqun 演示环境已就绪：{} 个机构，{} 个集群，{} 份进行中的申报（2026年度批次），{} 项已认定集群的动态管理记录（2022、2024年度批次）。",
        summary.orgs, summary.clusters, summary.applications, summary.recognitions
    );
    println!("数据库：{}", db.data_dir.join("jiqun.db").display());
    println!();
    println!("演示账号（密码均为 {DEMO_PASSWORD}）：");
    for (username, role, org) in &summary.accounts {
        println!("  {username:<20} {role:<12} {org}");
    }
    println!("  其余各县（市、区）的填报账号为 c + 县级代码，例如 c320481（溧阳市），密码相同。");
    println!();
}

/// The open 2026 national batch (quotas as in the 2025 notice: 8 per province, 2 per
/// 计划单列市/兵团; annual reports due 31 March as from the 2024 notice), and three
/// applications at different steps, each taken through the real workflow functions so the
/// audit chain and the inboxes are as they would be.
async fn seed_workflow(db: &Db, clock: &dyn Clock) -> anyhow::Result<usize> {
    use jiqun_domain::generate::{GenerateParams, generate_one, to_json};
    use jiqun_domain::workflow::Action;
    use jiqun_store::applications;
    use jiqun_store::{batches, reviews};

    let now = clock.now();
    let today = clock.today();
    let mut tx = db.begin().await?;
    let batch = batches::insert(
        &mut tx,
        &batches::NewBatch {
            level: "national",
            owner_authority: None,
            year: 2026,
            title: "2026年度中小企业特色产业集群认定（第五批）",
            edition: "2022",
            first_batch: false,
            county_deadline: chrono::NaiveDate::from_ymd_opt(2026, 12, 31),
            province_deadline: chrono::NaiveDate::from_ymd_opt(2027, 1, 31),
            quota_default: 8,
            quota_small: 2,
            notice_days: 5,
            annual_report_due: "03-31",
        },
        now,
    )
    .await?;

    // (cluster name, county user, final step)
    let plan: [(&str, &str, &[Action]); 3] = [
        ("金华市永康市五金工具产业集群（示例）", "yongkang", &[]),
        (
            "宁波市宁海县模具产业集群（示例）",
            "ninghai",
            &[Action::Submit],
        ),
        (
            "佛山市顺德区家用电器产业集群（示例）",
            "shunde",
            &[Action::Submit, Action::Accept],
        ),
    ];
    let params = GenerateParams {
        clusters: 1,
        enterprises: 40,
        years: 3,
        seed: 2026,
        batch_year: 2026,
    };
    let mut created = 0;
    for (i, (name, county_user, steps)) in plan.iter().enumerate() {
        let county = actor(&mut tx, county_user).await?;
        let cluster = jiqun_store::clusters::list(&mut tx, &county.scope)
            .await?
            .into_iter()
            .find(|c| c.name == *name)
            .with_context(|| format!("演示集群 {name} 缺失"))?;
        // A realistic generated declaration, made to describe this cluster.
        let mut decl = generate_one(&params, u32::try_from(i).unwrap_or(0) * 7).declaration;
        decl.cluster.name = cluster.name.clone();
        decl.cluster.county_code = cluster.county_code.clone();
        decl.cluster.leading_industry = cluster.leading_industry.clone();
        decl.cluster.industry_codes = cluster.industry_codes.clone();
        decl.cluster.provincial_cluster = true;
        let json = serde_json::to_string_pretty(&to_json(&decl)?)?;
        let app = applications::create(&mut tx, &county, cluster.id, batch.id, &json, now).await?;
        // The province's list of clusters it recognised before jiqun: the first two are on
        // it; the third claims provincial status the record does not show, so reviewers see
        // the X.provincial_claim flag (issue 8).
        if i < 2 {
            let province = actor(&mut tx, province_user(&cluster.authority_code)).await?;
            jiqun_store::tiers::record_prior(
                &mut tx,
                &province,
                cluster.id,
                chrono::NaiveDate::from_ymd_opt(2021, 6, 30).unwrap_or(today),
                &format!("省级集群认定文件〔2021〕{}号", 10 + i),
                today,
                now,
            )
            .await?;
        }
        let eval =
            jiqun_store::tiers::evaluate_with_record(&mut tx, cluster.id, &batch, &decl).await?;
        applications::record_evaluation(
            &mut tx,
            &app,
            &serde_json::to_string(&eval)?,
            eval.eligible,
            now,
        )
        .await?;
        for step in steps.iter() {
            let who = match step {
                Action::Submit => county.clone(),
                _ => actor(&mut tx, province_user(&cluster.authority_code)).await?,
            };
            if *step == Action::Accept {
                applications::apply(&mut tx, &who, app.id, *step, None, now).await?;
                reviews::record(
                    &mut tx,
                    &who,
                    app.id,
                    &reviews::NewReview {
                        kind: reviews::ReviewKind::Preliminary,
                        held_on: today,
                        people: "黄科长、省中小企业发展促进中心 2 人",
                        findings: "申报材料齐全，产值、企业名录与统计数据基本一致，建议实地抽查龙头企业 3 家。",
                        conclusion: reviews::Conclusion::Pass,
                    },
                    today,
                    now,
                )
                .await?;
            } else {
                applications::apply(&mut tx, &who, app.id, *step, None, now).await?;
            }
        }
        created += 1;
    }
    created += seed_provincial(&mut tx, &params, now).await?;
    tx.commit().await.context("提交演示申报失败")?;
    Ok(created)
}

/// 云南's own 2026 provincial batch (edition `yunnan`, with the 设区市 step, 3 per city) and
/// 安宁's application in it, submitted and waiting for 昆明 (docs/provincial-tiers.md).
async fn seed_provincial(
    tx: &mut jiqun_store::Tx,
    params: &jiqun_domain::generate::GenerateParams,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<usize> {
    use jiqun_domain::criteria::{self, Lang};
    use jiqun_domain::generate::{generate_one, to_json};
    use jiqun_domain::workflow::Action;
    use jiqun_store::{applications, batches};

    let batch = batches::insert(
        tx,
        &batches::NewBatch {
            level: "provincial",
            owner_authority: Some("530000"),
            year: 2026,
            title: "2026年度云南省省级中小企业特色产业集群认定",
            edition: "yunnan",
            first_batch: false,
            county_deadline: chrono::NaiveDate::from_ymd_opt(2026, 11, 30),
            province_deadline: chrono::NaiveDate::from_ymd_opt(2026, 12, 31),
            quota_default: 0,
            quota_small: 0,
            notice_days: 5,
            annual_report_due: "04-30",
        },
        now,
    )
    .await?;
    batches::set_city_step(tx, batch.id, Some(3)).await?;
    let county = actor(tx, "anning").await?;
    let cluster = jiqun_store::clusters::list(tx, &county.scope)
        .await?
        .into_iter()
        .next()
        .context("演示集群（安宁）缺失")?;
    let mut decl = generate_one(params, 5).declaration;
    decl.edition = "yunnan".into();
    decl.cluster.name = cluster.name.clone();
    decl.cluster.county_code = cluster.county_code.clone();
    decl.cluster.leading_industry = cluster.leading_industry.clone();
    decl.cluster.industry_codes = cluster.industry_codes.clone();
    decl.cluster.provincial_cluster = false;
    let json = serde_json::to_string_pretty(&to_json(&decl)?)?;
    let app = applications::create(tx, &county, cluster.id, batch.id, &json, now).await?;
    let edition = criteria::Edition::builtin("yunnan").context("云南省认定标准缺失")?;
    let eval = criteria::evaluate(&decl, edition, Lang::Zh);
    applications::record_evaluation(tx, &app, &serde_json::to_string(&eval)?, eval.eligible, now)
        .await?;
    applications::apply(tx, &county, app.id, Action::Submit, None, now).await?;
    Ok(1)
}

pub(crate) fn province_user(authority: &str) -> &'static str {
    match authority {
        "330200" => "ningbo",
        "440300" => "shenzhen",
        "330000" => "zhejiang",
        "320000" => "jiangsu",
        _ => "guangdong",
    }
}

pub(crate) async fn actor(
    conn: &mut jiqun_store::Conn,
    username: &str,
) -> anyhow::Result<jiqun_store::applications::Actor> {
    let user = users::by_username(conn, username)
        .await?
        .with_context(|| format!("演示账号 {username} 缺失"))?;
    let org = orgs::by_id(conn, user.org_id)
        .await?
        .with_context(|| format!("演示账号 {username} 的机构缺失"))?;
    let scope = jiqun_store::Scope::for_user(&user.roles, &org);
    Ok(jiqun_store::applications::Actor {
        user_id: user.id,
        username: user.username.clone(),
        org_id: org.id,
        org_code: org.code.clone(),
        roles: user.roles.clone(),
        scope,
    })
}
