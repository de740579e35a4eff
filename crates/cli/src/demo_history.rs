//! Demo history: the national clusters of the 2022 and 2024 batches as recognitions imported
//! from before jiqun, then three years of dynamic management taken through the real store
//! functions at their historical dates — annual reports (one returned, one late, one still
//! missing), a change report, an incident, the 2025 re-examination of the 2022 batch (all
//! pass but one, as in reality 97 of 100 passed), so every list of /recognitions has rows.
//!
//! Batch numbers and due dates are real (reference/notices.md: 工信部企业函〔2023〕3号 and
//! 〔2024〕267号; reports due 04-30, moved to 03-31 by the 2024 notice); the days of
//! publication are illustrative.

use crate::demo::actor;
use anyhow::Context;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use jiqun_domain::clock::Clock;
use jiqun_domain::dynamic as rules;
use jiqun_domain::generate::{GenerateParams, generate_one, to_json};
use jiqun_store::applications::{self, Actor};
use jiqun_store::clusters::Cluster;
use jiqun_store::dynamic::{self, NewChange, NewIncident};
use jiqun_store::{Db, Scope, batches, recognitions};
use serde_json::{Value, json};

/// Which 2022-batch clusters play which part (by name, so the named demo accounts see a
/// typical case: 常熟 had a report returned once, then everything in order).
const RETURNED: &str = "常熟市";
const LATE: &str = "惠山区";
const MISSING: &str = "溧阳市";
const PENDING: &str = "雨花台区";
const FAILS: &str = "铜山区";

/// 09:00 China time.
pub(crate) fn at(y: i32, m: u32, d: u32) -> anyhow::Result<DateTime<Utc>> {
    Utc.with_ymd_and_hms(y, m, d, 1, 0, 0)
        .single()
        .context("演示日期无效")
}

fn day(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).context("演示日期无效")
}

/// A generated declaration describing `cluster`, with its window ending in `batch_year − 1`.
fn declaration(cluster: &Cluster, batch_year: i32, seed: u64) -> anyhow::Result<Value> {
    let g = generate_one(
        &GenerateParams {
            clusters: 1,
            enterprises: 30,
            years: 3,
            seed,
            batch_year,
        },
        0,
    );
    let mut d = g.declaration;
    d.cluster.name = cluster.name.clone();
    d.cluster.county_code = cluster.county_code.clone();
    d.cluster.leading_industry = cluster.leading_industry.clone();
    d.cluster.industry_codes = cluster.industry_codes.clone();
    d.cluster.provincial_cluster = true;
    Ok(to_json(&d)?)
}

fn report(cluster: &Cluster, year: i32, seed: u64) -> anyhow::Result<Value> {
    let decl = declaration(cluster, year + 1, seed)?;
    let targets = decl["plan"]["targets"].as_array().map_or(0, Vec::len);
    let progress: Vec<Value> = (0..targets)
        .map(|i| {
            if i == 1 {
                json!({"target": i, "status": "partly", "note": "受外需波动影响，完成进度约 80%"})
            } else {
                json!({"target": i, "status": "achieved"})
            }
        })
        .collect();
    Ok(json!({
        "year": year,
        "declaration": decl,
        "progress": progress,
        "work_done": format!("{year}年组织产业链供需对接活动 4 场，推动 6 家企业上云用平台，新增专精特新中小企业 3 家。"),
        "problems": "高端人才引进难，部分企业融资成本偏高。",
        "measures": "联合高校共建实训基地，推动设立集群专项信贷产品。",
    }))
}

async fn file_report(
    db: &Db,
    county: &Actor,
    rec: i64,
    cluster: &Cluster,
    year: i32,
    when: DateTime<Utc>,
) -> anyhow::Result<()> {
    let raw = report(cluster, year, (rec as u64) * 31 + year as u64)?;
    let parsed = rules::parse_annual_report(&raw, jiqun_domain::clock::china_date(when))
        .map_err(|e| anyhow::anyhow!("演示年度报告无效：{e:?}"))?;
    let mut tx = db.begin().await?;
    dynamic::save_report(&mut tx, county, rec, &raw, &parsed, when).await?;
    dynamic::submit_report(&mut tx, county, rec, year, when).await?;
    tx.commit().await?;
    Ok(())
}

async fn review(
    db: &Db,
    province: &Actor,
    rec: i64,
    year: i32,
    when: DateTime<Utc>,
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    dynamic::review_report(
        &mut tx,
        province,
        rec,
        year,
        true,
        "材料齐全，同意报部。",
        when,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The county account for a county code (the demo creates one per county).
async fn county_actor(db: &Db, code: &str) -> anyhow::Result<Actor> {
    let mut conn = db.acquire().await?;
    let user = crate::demo::county_username(&mut conn, code).await?;
    actor(&mut conn, &user).await
}

async fn province_actor(db: &Db, authority: &str) -> anyhow::Result<Actor> {
    let mut conn = db.acquire().await?;
    actor(&mut conn, crate::demo::province_user(authority)).await
}

struct Imported {
    rec: i64,
    cluster: Cluster,
}

async fn import_batch(
    db: &Db,
    miit: &Actor,
    year: i32,
    title: &str,
    due: &str,
    published: NaiveDate,
    clusters: &[Cluster],
) -> anyhow::Result<Vec<Imported>> {
    let when = at(year, 6, 1)?;
    let mut tx = db.begin().await?;
    let batch = batches::insert(
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
            quota_default: if year == 2022 { 5 } else { 8 },
            quota_small: if year == 2022 { 3 } else { 2 },
            notice_days: 5,
            annual_report_due: due,
        },
        when,
    )
    .await?;
    let mut out = Vec::new();
    for (i, c) in clusters.iter().enumerate() {
        let county = {
            let user = crate::demo::county_username(&mut tx, &c.county_code).await?;
            actor(&mut tx, &user).await?
        };
        let decl = serde_json::to_string_pretty(&declaration(c, year, 100 + i as u64)?)?;
        let app = applications::create(&mut tx, &county, c.id, batch.id, &decl, when).await?;
        let r = recognitions::import_historical(
            &mut tx,
            miit,
            app.id,
            published,
            at(published.year(), 1, 20)?,
        )
        .await?;
        out.push(Imported {
            rec: r.id,
            cluster: c.clone(),
        });
    }
    batches::close(&mut tx, batch.id).await?;
    tx.commit().await?;
    Ok(out)
}

use chrono::Datelike;

/// Seeds the history; returns the number of recognitions.
pub async fn seed(db: &Db, clock: &dyn Clock) -> anyhow::Result<usize> {
    let miit = {
        let mut conn = db.acquire().await?;
        actor(&mut conn, "miit").await?
    };
    let national: Vec<Cluster> = {
        let mut conn = db.acquire().await?;
        jiqun_store::clusters::list(&mut conn, &Scope::National)
            .await?
            .into_iter()
            .filter(|c| c.tier == jiqun_store::clusters::Tier::National)
            .collect()
    };
    let (b2024, b2022): (Vec<Cluster>, Vec<Cluster>) = national
        .into_iter()
        .partition(|c| crate::demo::BATCH_2024.contains(&c.name.as_str()));
    let first = import_batch(
        db,
        &miit,
        2022,
        "2022年度中小企业特色产业集群（第一批，工信部企业函〔2023〕3号）",
        "04-30",
        day(2023, 1, 6)?,
        &b2022,
    )
    .await?;
    let third = import_batch(
        db,
        &miit,
        2024,
        "2024年度中小企业特色产业集群（第三批，工信部企业函〔2024〕267号）",
        "03-31",
        day(2024, 12, 20)?,
        &b2024,
    )
    .await?;
    let today = clock.today();

    // 2022 batch: valid 2023-01-06 … 2026-01-05; reports 2023–2025 due 30 April. In time
    // order: the 2023 and 2024 reports, the 2025 re-examination, then the 2025 reports.
    let mut people = Vec::new();
    for r in &first {
        people.push((
            county_actor(db, &r.cluster.county_code).await?,
            province_actor(db, &r.cluster.authority_code).await?,
        ));
    }
    for (r, (county, province)) in first.iter().zip(&people) {
        for year in [2023, 2024] {
            let when = if r.cluster.name.contains(LATE) && year == 2024 {
                at(year + 1, 5, 12)? // late
            } else {
                at(year + 1, 4, 20)?
            };
            file_report(db, county, r.rec, &r.cluster, year, when).await?;
            if r.cluster.name.contains(RETURNED) && year == 2024 {
                // Returned once for more detail, then filed again.
                let mut tx = db.begin().await?;
                dynamic::review_report(
                    &mut tx,
                    province,
                    r.rec,
                    year,
                    false,
                    "请补充目标进展的佐证数据。",
                    at(year + 1, 4, 22)?,
                )
                .await?;
                tx.commit().await?;
                file_report(db, county, r.rec, &r.cluster, year, at(year + 1, 4, 25)?).await?;
            }
            review(db, province, r.rec, year, at(year + 1, 5, 15)?).await?;
        }
    }
    for (i, (r, (county, province))) in first.iter().zip(&people).enumerate() {
        // The 2025 re-examination (window 2025-07-06 … 2026-01-05); one fails.
        let mut raw = json!({
            "declaration": declaration(&r.cluster, 2025, 500 + i as u64)?,
            "progress": [],
            "summary": "三年发展规划目标总体完成，主导产业规模和创新能力稳步提升。",
        });
        let targets = raw["declaration"]["plan"]["targets"]
            .as_array()
            .map_or(0, Vec::len);
        raw["progress"] = json!((0..targets)
            .map(|t| if r.cluster.name.contains(FAILS) && t == 0 {
                json!({"target": t, "status": "not_achieved", "note": "主导产业产值较基期下降 12%"})
            } else {
                json!({"target": t, "status": "achieved"})
            })
            .collect::<Vec<_>>());
        let form =
            rules::parse_reexam_form(&raw).map_err(|e| anyhow::anyhow!("演示复核表无效：{e:?}"))?;
        let pass = !r.cluster.name.contains(FAILS);
        let opinion = if pass {
            "经核查，规划目标基本完成。"
        } else {
            "主导产业产值连续下降，两项规划目标未完成。"
        };
        let mut tx = db.begin().await?;
        dynamic::submit_reexam(&mut tx, county, r.rec, &raw, &form, at(2025, 9, 10)?).await?;
        dynamic::check_reexam(&mut tx, province, r.rec, pass, opinion, at(2025, 10, 15)?).await?;
        dynamic::decide_reexam(
            &mut tx,
            &miit,
            r.rec,
            pass,
            if pass {
                ""
            } else {
                "复核未通过（第十五条、第十七条（一））"
            },
            at(2025, 12, 18)?,
        )
        .await?;
        tx.commit().await?;
    }
    for (r, (county, province)) in first.iter().zip(&people) {
        let when = at(2026, 4, 20)?;
        // MISSING: overdue → R3 candidate after the sweep; FAILS: revoked.
        if r.cluster.name.contains(MISSING)
            || r.cluster.name.contains(FAILS)
            || when.date_naive() > today
        {
            continue;
        }
        file_report(db, county, r.rec, &r.cluster, 2025, when).await?;
        if !r.cluster.name.contains(PENDING) {
            review(db, province, r.rec, 2025, at(2026, 5, 15)?).await?;
        }
    }

    // 2024 batch: valid 2024-12-20 … 2027-12-19; reports 2024–2026 due 31 March.
    for (i, r) in third.iter().enumerate() {
        let county = county_actor(db, &r.cluster.county_code).await?;
        let province = province_actor(db, &r.cluster.authority_code).await?;
        for year in [2024, 2025] {
            let when = at(year + 1, 3, 20)?;
            if when.date_naive() > today {
                continue;
            }
            file_report(db, &county, r.rec, &r.cluster, year, when).await?;
            if !(i == 0 && year == 2025) {
                review(db, &province, r.rec, year, at(year + 1, 4, 10)?).await?;
            }
        }
        if i == 1 {
            let mut tx = db.begin().await?;
            dynamic::record_change(
                &mut tx,
                &county,
                r.rec,
                &NewChange {
                    kind: jiqun_domain::dynamic::ChangeKind::Operator,
                    after_value: "集群发展促进中心（事业单位）",
                    effective_date: day(2025, 7, 1)?,
                    description: "机构改革，原管委会职能划转",
                },
                at(2025, 7, 3)?,
            )
            .await?;
            dynamic::record_incident(
                &mut tx,
                &province,
                r.rec,
                &NewIncident {
                    kind: jiqun_domain::declaration::IncidentKind::Safety,
                    level: jiqun_domain::declaration::IncidentLevel::General,
                    occurred_on: day(2025, 8, 14)?,
                    source: "市应急管理局通报",
                    description: "一家成员企业发生一般生产安全事故，无人员死亡，已整改",
                },
                at(2025, 8, 20)?,
            )
            .await?;
            tx.commit().await?;
        }
    }

    // Today's sweep: overdue reports become R3 candidates; reminders are queued.
    let mut tx = db.begin().await?;
    dynamic::sweep(&mut tx, clock.now()).await?;
    tx.commit().await?;
    Ok(first.len() + third.len())
}
