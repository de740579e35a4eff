//! `jiqun load-generated`: fills an empty database with generated recognised clusters, their
//! frozen declarations and their annual reports, taken through the same store functions as
//! the pages (application, historical recognition, report saved → submitted → accepted), so
//! the dashboards and the assessment report can be measured at the national scale of
//! issue 7 (10,000 clusters × 100 enterprises × 5 years; `scripts/bench-dashboard.sh`).
//!
//! The clusters are spread over every county-level division of the reference table (statistical
//! zones excepted) and over the 2022 and 2024 national batches; each county, provincial-level
//! authority and the ministry gets one organisation and one account (random password, never
//! printed: these are measurement data, not logins).

use crate::env::{DbArgs, fatal};

/// Exit code for bad input.
const EXIT_INPUT: u8 = 2;
use crate::demo_history::at;
use crate::ops::prepare;
use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use jiqun_domain::clock::{Clock, SystemClock, china_date};
use jiqun_domain::division::{self, AdminCode, DivisionKind, Level};
use jiqun_domain::dynamic as rules;
use jiqun_domain::generate::{GenerateParams, Generated, generate_one, to_json};
use jiqun_domain::jurisdiction::{AuthorityKind, authorities, authority_for};
use jiqun_domain::role::Role;
use jiqun_store::applications::{self, Actor};
use jiqun_store::clusters::{self, NewCluster, Tier};
use jiqun_store::orgs::{self, NewOrg, OrgKind};
use jiqun_store::{Db, Scope, batches, dynamic, recognitions, users};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Debug, clap::Args)]
pub struct LoadArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// 集群数量
    #[arg(long, default_value_t = 1000)]
    pub clusters: u32,
    /// 每个集群的企业数
    #[arg(long, default_value_t = 100)]
    pub enterprises: u32,
    /// 申报数据的年数（3–10）
    #[arg(long, default_value_t = 5)]
    pub years: u32,
    /// 随机种子（相同种子生成相同数据）
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// The two national batches the clusters are spread over: (year, published, title).
const BATCHES: [(i32, (i32, u32, u32), &str); 2] = [
    (
        2022,
        (2023, 1, 20),
        "2022年度中小企业特色产业集群（生成数据）",
    ),
    (
        2024,
        (2025, 1, 20),
        "2024年度中小企业特色产业集群（生成数据）",
    ),
];

/// The last year whose annual report is loaded (reports are due the spring after).
const LAST_REPORT_YEAR: i32 = 2025;

pub async fn run(args: LoadArgs) -> anyhow::Result<ExitCode> {
    if args.clusters == 0 || args.enterprises == 0 {
        return Err(fatal(EXIT_INPUT, "--clusters 与 --enterprises 必须大于 0"));
    }
    if !(3..=10).contains(&args.years) {
        return Err(fatal(EXIT_INPUT, "--years 必须在 3 到 10 之间"));
    }
    let db = args.db.connect().await?;
    let clock = SystemClock;
    prepare(&db, &clock).await?;
    {
        let mut conn = db.acquire().await?;
        if !clusters::list(&mut conn, &Scope::National)
            .await?
            .is_empty()
        {
            return Err(fatal(
                EXIT_INPUT,
                "数据库中已有集群：load-generated 只向空数据库写入生成数据，请换一个数据目录或数据库",
            ));
        }
    }
    let started = Instant::now();
    let mut loader = Loader::new(&db).await?;
    let mut batch_ids = Vec::new();
    for (year, (py, pm, pd), title) in BATCHES {
        batch_ids.push((
            year,
            NaiveDate::from_ymd_opt(py, pm, pd),
            loader.batch(year, title).await?,
        ));
    }
    let counties = counties();
    if counties.is_empty() {
        return Err(anyhow::anyhow!("内置行政区划数据中没有县级行政区"));
    }
    let mut reports = 0usize;
    for i in 0..args.clusters {
        let county = counties[(i as usize * 7919) % counties.len()];
        let (batch_year, published, batch_id) = batch_ids[i as usize % batch_ids.len()];
        let published = published.context("批次公布日期无效")?;
        let params = GenerateParams {
            clusters: args.clusters,
            enterprises: args.enterprises,
            years: args.years,
            seed: args.seed,
            batch_year,
        };
        let g = generate_one(&params, i);
        reports += loader
            .cluster(i, county, &g, batch_id, batch_year, published, &args)
            .await?;
        if (i + 1) % 500 == 0 || i + 1 == args.clusters {
            let secs = started.elapsed().as_secs_f64();
            let rate = f64::from(i + 1) / secs.max(0.001);
            eprintln!(
                "已写入 {}/{} 个集群（{reports} 份年度报告），{secs:.0} 秒，每秒 {rate:.1} 个，预计还需 {:.0} 秒",
                i + 1,
                args.clusters,
                f64::from(args.clusters - i - 1) / rate.max(0.001)
            );
        }
    }
    {
        let mut tx = db.begin().await?;
        for (_, _, id) in &batch_ids {
            batches::close(&mut tx, *id).await?;
        }
        tx.commit().await?;
    }
    // A bulk load: bring the planner's statistics and the visibility map up to date, as
    // autovacuum would in time (PostgreSQL; nothing to do on SQLite).
    let vacuum = Instant::now();
    if db.refresh_statistics().await? {
        eprintln!(
            "已刷新 PostgreSQL 统计信息（VACUUM ANALYZE），用时 {:.1} 秒",
            vacuum.elapsed().as_secs_f64()
        );
    }
    println!(
        "已写入 {} 个认定集群（每个 {} 家企业、{} 年数据）和 {reports} 份年度报告，用时 {:.1} 秒。",
        args.clusters,
        args.enterprises,
        args.years,
        started.elapsed().as_secs_f64()
    );
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// County-level divisions that can hold a cluster (statistical zones left out), in table
/// order, each with a provincial-level authority.
fn counties() -> Vec<AdminCode> {
    division::divisions()
        .iter()
        .filter(|d| d.level == Level::County && d.kind == DivisionKind::County)
        .filter(|d| authority_for(&d.code).is_some())
        .map(|d| d.code)
        .collect()
}

struct Loader<'a> {
    db: &'a Db,
    hash: String,
    ministry: Actor,
    provinces: HashMap<String, Actor>,
    counties: HashMap<String, Actor>,
}

impl<'a> Loader<'a> {
    async fn new(db: &'a Db) -> anyhow::Result<Loader<'a>> {
        let hash = jiqun_web::auth::hash_password(&crate::ops::generate_password())
            .map_err(|e| anyhow::anyhow!(e))?;
        let now = SystemClock.now();
        let mut tx = db.begin().await?;
        let ministry = account(
            &mut tx,
            &hash,
            (
                "MIIT",
                "工业和信息化部（中小企业局）",
                OrgKind::Ministry,
                None,
                None,
            ),
            Role::Ministry,
            now,
        )
        .await?;
        let mut provinces = HashMap::new();
        for a in authorities() {
            let kind = match a.kind {
                AuthorityKind::Province => OrgKind::Province,
                AuthorityKind::PlanCity => OrgKind::PlanCity,
                AuthorityKind::Xpcc => OrgKind::Xpcc,
            };
            let name = format!("{}中小企业主管部门", a.name);
            let actor = account(
                &mut tx,
                &hash,
                (a.code, &name, kind, Some(a.code), Some(a.code)),
                Role::Province,
                now,
            )
            .await?;
            provinces.insert(a.code.to_string(), actor);
        }
        tx.commit().await?;
        Ok(Loader {
            db,
            hash,
            ministry,
            provinces,
            counties: HashMap::new(),
        })
    }

    async fn batch(&mut self, year: i32, title: &str) -> anyhow::Result<i64> {
        let mut tx = self.db.begin().await?;
        let b = batches::insert(
            &mut tx,
            &batches::NewBatch {
                level: "national",
                owner_authority: None,
                year,
                title,
                edition: "2022",
                first_batch: year == 2022,
                county_deadline: None,
                province_deadline: None,
                quota_default: 500,
                quota_small: 200,
                notice_days: 5,
                annual_report_due: "03-31",
            },
            at(year, 6, 1)?,
        )
        .await?;
        tx.commit().await?;
        Ok(b.id)
    }

    /// One cluster in one transaction: organisation and account of its county (first time),
    /// cluster, application, recognition, and its annual reports up to [`LAST_REPORT_YEAR`].
    /// Returns the number of reports written.
    #[allow(clippy::too_many_arguments)]
    async fn cluster(
        &mut self,
        i: u32,
        county: AdminCode,
        g: &Generated,
        batch_id: i64,
        batch_year: i32,
        published: NaiveDate,
        args: &LoadArgs,
    ) -> anyhow::Result<usize> {
        let authority = authority_for(&county)
            .with_context(|| format!("{} 不属于任何省级主管部门", county.as_str()))?;
        let when = at(batch_year, 6, 1)?;
        let mut tx = self.db.begin().await?;
        if !self.counties.contains_key(county.as_str()) {
            let name = format!("{}中小企业主管部门", county.full_name());
            let actor = account(
                &mut tx,
                &self.hash,
                (
                    county.as_str(),
                    &name,
                    OrgKind::County,
                    Some(county.as_str()),
                    Some(authority.code),
                ),
                Role::County,
                when,
            )
            .await?;
            self.counties.insert(county.as_str().to_string(), actor);
        }
        let county_actor = self
            .counties
            .get(county.as_str())
            .context("县级账号缺失")?
            .clone();
        let province = self
            .provinces
            .get(authority.code)
            .context("省级账号缺失")?
            .clone();
        let mut decl = g.declaration.clone();
        decl.cluster.name = format!("{}{}（生成{}）", county.name(), decl.cluster.name, i + 1);
        decl.cluster.county_code = county.as_str().to_string();
        decl.cluster.provincial_cluster = true;
        let cluster = clusters::insert(
            &mut tx,
            &NewCluster {
                name: &decl.cluster.name,
                county_code: county.as_str(),
                authority_code: authority.code,
                leading_industry: &decl.cluster.leading_industry,
                industry_codes: &decl.cluster.industry_codes,
                area_km2: None,
                tier: Tier::National,
            },
            when,
        )
        .await?;
        let text = serde_json::to_string(&to_json(&decl)?)?;
        let app =
            applications::create(&mut tx, &county_actor, cluster.id, batch_id, &text, when).await?;
        let rec = recognitions::import_historical(
            &mut tx,
            &self.ministry,
            app.id,
            published,
            at(published.year(), 1, 20)?,
        )
        .await?;
        let mut n = 0;
        for year in published.year()..=LAST_REPORT_YEAR {
            let filed = at(year + 1, 3, 1)?;
            let raw = report(&decl.cluster, year, args, u64::from(i) * 31 + year as u64)?;
            let parsed = rules::parse_annual_report(&raw, china_date(filed))
                .map_err(|e| anyhow::anyhow!("生成的年度报告无效：{e:?}"))?;
            dynamic::save_report(&mut tx, &county_actor, rec.id, &raw, &parsed, filed).await?;
            dynamic::submit_report(&mut tx, &county_actor, rec.id, year, filed).await?;
            dynamic::review_report(
                &mut tx,
                &province,
                rec.id,
                year,
                true,
                "材料齐全，同意报部。",
                at(year + 1, 3, 15)?,
            )
            .await?;
            n += 1;
        }
        tx.commit().await?;
        Ok(n)
    }
}

use chrono::Datelike;

/// An annual report for `year`: a generated declaration whose window ends with the year,
/// describing the same cluster, and progress on each plan target.
fn report(
    cluster: &jiqun_domain::declaration::ClusterInfo,
    year: i32,
    args: &LoadArgs,
    seed: u64,
) -> anyhow::Result<Value> {
    let g = generate_one(
        &GenerateParams {
            clusters: 1,
            enterprises: args.enterprises,
            years: 3,
            seed: args.seed ^ seed,
            batch_year: year + 1,
        },
        0,
    );
    let mut d = g.declaration;
    d.cluster = cluster.clone();
    let decl = to_json(&d)?;
    let targets = decl["plan"]["targets"].as_array().map_or(0, Vec::len);
    let progress: Vec<Value> = (0..targets)
        .map(|t| json!({"target": t, "status": if t == 1 { "partly" } else { "achieved" }}))
        .collect();
    Ok(json!({
        "year": year,
        "declaration": decl,
        "progress": progress,
        "work_done": format!("{year}年组织产业链供需对接活动，推动企业上云用平台。"),
        "problems": "高端人才引进难。",
        "measures": "联合高校共建实训基地。",
    }))
}

/// An organisation with one account of `role` (username `bench-` + organisation code).
async fn account(
    conn: &mut jiqun_store::Conn,
    hash: &str,
    org: (&str, &str, OrgKind, Option<&str>, Option<&str>),
    role: Role,
    now: DateTime<Utc>,
) -> anyhow::Result<Actor> {
    let (code, name, kind, division_code, authority_code) = org;
    let o = orgs::insert(
        conn,
        &NewOrg {
            code,
            name,
            kind,
            division_code,
            authority_code,
        },
        now,
    )
    .await?;
    let username = format!("bench-{code}");
    let user = users::insert(
        conn,
        &users::NewUser {
            username: &username,
            display_name: name,
            org_id: o.id,
            password_hash: hash,
            home_province: None,
            roles: &[role],
        },
        now,
    )
    .await?;
    let scope = Scope::for_user(&user.roles, &o);
    Ok(Actor {
        user_id: user.id,
        username,
        org_id: o.id,
        org_code: code.to_string(),
        roles: vec![role],
        scope,
    })
}
