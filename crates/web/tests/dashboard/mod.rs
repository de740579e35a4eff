//! Monitoring dashboards (issue 7): every figure checked against values computed by hand on
//! a small dataset, on SQLite and PostgreSQL; jurisdiction (a province and a county see only
//! their own figures); the .xlsx downloads unzip and hold the numbers.
//!
//! The dataset (today is 2026-03-02, the `TestApp` clock):
//!
//! | cluster | county | authority | code | tier | batch 2022 application | recognition |
//! |---|---|---|---|---|---|---|
//! | A 义乌 | 330782 | 330000 | C3857 | national | recognized | active 2024-01-15, report 2024 accepted |
//! | B 永康 | 330784 | 330000 | C3321 | provincial | rejected after recommendation | — |
//! | C 宁海 | 330226 | 330200 | C2411 | national | recognized | active 2023-06-01, no report, open R3 case |
//! | D 义乌 | 330782 | 330000 | A0511 | library | returned | — |
//! | E 永康 | 330784 | 330000 | C3399 | candidate | draft | — |
//! | F 义乌 | 330782 | 330000 | C1781 | provincial | recognized | revoked |
//!
//! and a 2024 batch where only B has submitted. Quota override: 宁波 (330200) has 2 in 2022.

use crate::both;
use crate::support::{NowUtc, TestApp};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jiqun_domain::role::Role;
use jiqun_store::batches;
use jiqun_store::clusters::{self, NewCluster, Tier};
use jiqun_store::monitoring::{self, Filters};
use jiqun_store::orgs::OrgKind;
use jiqun_store::{Conn, Scope};
use serde_json::{Value, json};
use std::io::Read;
use tower::ServiceExt;

pub(crate) struct World {
    batch1: i64,
    batch2: i64,
    pub(crate) rec_a: i64,
    rec_c: i64,
    rec_f: i64,
}

/// One enterprise's outputs per year; every other figure is fixed so that shares, densities
/// and intensities are easy to compute by hand: E1 (leading industry, medium, 小巨人 2020,
/// uses an IIP) has 800 employees, R&D 1000, 14 patents; E2 (not leading, large, no IIP)
/// 200 employees, R&D 500, 7 patents; CO₂ is 0.08 t per 万元 of output for both.
fn declaration(
    county: &str,
    batch_year: i32,
    years: &[i32],
    e1: &[i64],
    e2: &[i64],
    area: i64,
) -> Value {
    let figures = |outputs: &[i64], employees: i64, rd: i64, patents: i64| -> Value {
        let mut m = serde_json::Map::new();
        for (y, o) in years.iter().zip(outputs) {
            m.insert(
                y.to_string(),
                json!({"output_value": o, "employees": employees, "rd_expenditure": rd,
                       "valid_invention_patents": patents, "co2_t": o * 8 / 100}),
            );
        }
        Value::Object(m)
    };
    json!({
        "edition": "2022", "batch_year": batch_year, "first_batch": false,
        "cluster": {"name": "测试集群", "county_code": county, "leading_industry": "测试产业",
            "industry_codes": ["C3857"], "area_km2": area, "provincial_cluster": true,
            "operator": {"name": "测试集群管理委员会", "type": "management_committee"},
            "high_energy_industry": false, "high_water_industry": false},
        "years": years,
        "enterprises": [
            {"uscc": "91330784MA2001000L", "name": "甲公司", "industry_code": "C3857",
             "in_leading_industry": true, "declared_size": "medium",
             "titles": [{"kind": "little_giant", "year": 2020}], "uses_iip": true, "policy_reached": true,
             "figures": figures(e1, 800, 1000, 14)},
            {"uscc": "91330784MA2001037D", "name": "乙公司", "industry_code": "C3857",
             "in_leading_industry": false, "declared_size": "large",
             "titles": [], "uses_iip": false, "policy_reached": true,
             "figures": figures(e2, 200, 500, 7)}
        ],
        "plan": {"targets": [
            {"area": "industry", "metric": "集群产值（万元）", "baseline": 400000, "target": 600000, "year": 2024},
            {"area": "digital", "metric": "工业互联网平台应用普及率（%）", "baseline": 50, "target": 60.5, "year": 2024}
        ]}
    })
}

async fn exec(conn: &mut Conn, sql: &str, binds: &[&dyn ToBind]) -> i64 {
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()));
    for b in binds {
        q = b.bind_to(q);
    }
    let row = q.fetch_optional(&mut *conn).await.unwrap();
    row.map_or(0, |r| sqlx::Row::try_get::<i64, _>(&r, 0).unwrap_or(0))
}

trait ToBind {
    fn bind_to<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;
}
impl ToBind for i64 {
    fn bind_to<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        q.bind(*self)
    }
}
impl ToBind for &str {
    fn bind_to<'q>(
        &self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        q.bind(self.to_string())
    }
}

const NOW: &str = "2026-03-02T01:00:00.000000Z";

/// An application with its frozen declaration and the given path through the workflow.
async fn application(
    conn: &mut Conn,
    user: i64,
    org: i64,
    cluster: (i64, &str, &str),
    batch: i64,
    path: &[&str],
    decl: &Value,
) -> i64 {
    let state = path.last().copied().unwrap_or("draft");
    let id = exec(
        conn,
        "INSERT INTO applications (cluster_id, batch_id, authority_code, county_code, state, current_version,
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
        &[&cluster.0, &batch, &cluster.2, &cluster.1, &state, &NOW],
    )
    .await;
    exec(
        conn,
        "INSERT INTO application_versions (application_id, version, declaration, frozen, created_by, created_at)
         VALUES ($1, 1, $2, 1, $3, $4)",
        &[&id, &decl.to_string().as_str(), &user, &NOW],
    )
    .await;
    let mut from = "draft";
    for to in path {
        exec(
            conn,
            "INSERT INTO transitions (application_id, action, from_state, to_state, version, actor_user_id,
                 actor_org_id, at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7)",
            &[&id, &"step", &from, to, &user, &org, &NOW],
        )
        .await;
        from = to;
    }
    id
}

async fn recognition(
    conn: &mut Conn,
    cluster: i64,
    app: i64,
    batch: i64,
    from: &str,
    until: &str,
    status: &str,
) -> i64 {
    exec(
        conn,
        "INSERT INTO recognitions (cluster_id, application_id, batch_id, level, valid_from, valid_until, status,
             created_at) VALUES ($1, $2, $3, 'national', $4, $5, $6, $7) RETURNING id",
        &[&cluster, &app, &batch, &from, &until, &status, &NOW],
    )
    .await
}

const FULL: [&str; 8] = [
    "submitted",
    "accepted",
    "recommended",
    "under_review",
    "expert_review",
    "shortlisted",
    "in_public_notice",
    "recognized",
];

pub(crate) async fn seed(app: &TestApp) -> World {
    let miit_org = app
        .org("MIIT", "工业和信息化部", OrgKind::Ministry, None)
        .await;
    app.org(
        "330000",
        "浙江省经济和信息化厅",
        OrgKind::Province,
        Some("330000"),
    )
    .await;
    app.org(
        "330200",
        "宁波市经济和信息化局",
        OrgKind::PlanCity,
        Some("330200"),
    )
    .await;
    app.org(
        "330782",
        "义乌市经济和信息化局",
        OrgKind::County,
        Some("330000"),
    )
    .await;
    let miit = app.user("miit", "MIIT", Role::Ministry).await;
    app.user("zhejiang", "330000", Role::Province).await;
    app.user("ningbo", "330200", Role::Province).await;
    app.user("yiwu", "330782", Role::County).await;

    let mut conn = app.db.acquire().await.unwrap();
    let now = app.clock.now_utc();
    let mut cluster = async |name: &str,
                             county: &'static str,
                             authority: &'static str,
                             code: &str,
                             tier: Tier| {
        let c = clusters::insert(
            &mut conn,
            &NewCluster {
                name,
                county_code: county,
                authority_code: authority,
                leading_industry: "测试产业",
                industry_codes: &[code.to_string()],
                area_km2: None,
                tier,
            },
            now,
        )
        .await
        .unwrap();
        (c.id, county, authority)
    };
    let a = cluster("义乌A集群", "330782", "330000", "C3857", Tier::National).await;
    let b = cluster("永康B集群", "330784", "330000", "C3321", Tier::Provincial).await;
    let c = cluster("宁海C模具集群", "330226", "330200", "C2411", Tier::National).await;
    let d = cluster("义乌D农业集群", "330782", "330000", "A0511", Tier::Library).await;
    let e = cluster("永康E集群", "330784", "330000", "C3399", Tier::Candidate).await;
    let f = cluster("义乌F集群", "330782", "330000", "C1781", Tier::Provincial).await;

    let mut new_batch = async |year: i32, title: &str| {
        batches::insert(&mut conn, &crate::support::national_batch(year, title), now)
            .await
            .unwrap()
            .id
    };
    let batch1 = new_batch(2022, "2022年度国家级集群").await;
    let batch2 = new_batch(2024, "2024年度国家级集群").await;
    batches::set_quota(&mut conn, batch1, "330200", 2)
        .await
        .unwrap();

    let y3 = [2019, 2020, 2021];
    let decl_a = declaration(
        "330782",
        2022,
        &y3,
        &[300000, 330000, 363000],
        &[100000, 110000, 121000],
        50,
    );
    let decl_c = declaration(
        "330226",
        2022,
        &y3,
        &[200000, 220000, 242000],
        &[200000, 220000, 242000],
        80,
    );
    let decl_f = declaration(
        "330782",
        2022,
        &y3,
        &[900000, 900000, 900000],
        &[1, 1, 1],
        10,
    );
    let app_a = application(&mut conn, miit, miit_org, a, batch1, &FULL, &decl_a).await;
    application(
        &mut conn,
        miit,
        miit_org,
        b,
        batch1,
        &[
            "submitted",
            "accepted",
            "recommended",
            "under_review",
            "rejected",
        ],
        &decl_a,
    )
    .await;
    let app_c = application(&mut conn, miit, miit_org, c, batch1, &FULL, &decl_c).await;
    application(
        &mut conn,
        miit,
        miit_org,
        d,
        batch1,
        &["submitted", "returned"],
        &decl_a,
    )
    .await;
    application(&mut conn, miit, miit_org, e, batch1, &[], &decl_a).await;
    let app_f = application(&mut conn, miit, miit_org, f, batch1, &FULL, &decl_f).await;
    application(
        &mut conn,
        miit,
        miit_org,
        b,
        batch2,
        &["submitted"],
        &decl_a,
    )
    .await;

    let rec_a = recognition(
        &mut conn,
        a.0,
        app_a,
        batch1,
        "2024-01-15",
        "2027-01-14",
        "active",
    )
    .await;
    let rec_c = recognition(
        &mut conn,
        c.0,
        app_c,
        batch1,
        "2023-06-01",
        "2026-05-31",
        "active",
    )
    .await;
    let rec_f = recognition(
        &mut conn,
        f.0,
        app_f,
        batch1,
        "2023-06-01",
        "2026-05-31",
        "revoked",
    )
    .await;

    // A's 2024 report: years 2021–2024; its 2021 corrects the declaration's (E2 131000).
    let report = json!({"year": 2024,
        "declaration": declaration("330782", 2025, &[2021, 2022, 2023, 2024],
            &[363000, 363000, 400000, 440000], &[131000, 121000, 130000, 160000], 50),
        "progress": [{"target": 0, "status": "achieved", "actual": 600000}],
        "work_done": "", "problems": "", "measures": ""});
    exec(
        &mut conn,
        "INSERT INTO annual_reports (recognition_id, year, status, content, due_date, created_by, created_at,
             updated_at, submitted_at) VALUES ($1, 2024, 'accepted', $2, '2025-04-30', $3, $4, $4, $4)",
        &[&rec_a, &report.to_string().as_str(), &miit, &NOW],
    )
    .await;
    // A draft for 2025 is not filed and must not count.
    let draft = json!({"year": 2025,
        "declaration": declaration("330782", 2026, &[2023, 2024, 2025],
            &[1, 1, 1], &[1, 1, 1], 50),
        "progress": [], "work_done": "", "problems": "", "measures": ""});
    exec(
        &mut conn,
        "INSERT INTO annual_reports (recognition_id, year, status, content, due_date, created_by, created_at,
             updated_at) VALUES ($1, 2025, 'draft', $2, '2026-04-30', $3, $4, $4)",
        &[&rec_a, &draft.to_string().as_str(), &miit, &NOW],
    )
    .await;
    exec(
        &mut conn,
        "INSERT INTO revocation_cases (recognition_id, ground, ref_key, status, facts, evidence, opened_by,
             opened_org, created_at) VALUES ($1, 'R3', 'report:2023', 'open', '逾期未报', '-', 'system', 'MIIT', $2)",
        &[&rec_c, &NOW],
    )
    .await;
    drop(conn);
    // The rows above bypass the store's write path (which fills the indicator table when a
    // declaration is frozen at recognition or a report is filed): fill it the way
    // `jiqun migrate` and the server start do.
    let filled = monitoring::backfill(&app.db).await.unwrap();
    assert_eq!((filled.declarations, filled.reports), (3, 1));
    World {
        batch1,
        batch2,
        rec_a,
        rec_c,
        rec_f,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6 * b.abs().max(1.0)
}

fn dist<'a>(ind: &'a monitoring::Indicators, key: &str) -> &'a monitoring::Distribution {
    ind.distributions.iter().find(|d| d.key == key).unwrap()
}

fn trend(ind: &monitoring::Indicators, key: &str) -> Vec<(i32, f64, usize)> {
    ind.trends
        .iter()
        .find(|t| t.key == key)
        .unwrap()
        .points
        .iter()
        .map(|p| (p.year, p.value, p.clusters))
        .collect()
}

async fn figures_match_hand_computed_values(app: TestApp) {
    let w = seed(&app).await;
    let mut conn = app.db.acquire().await.unwrap();
    let all = Filters::default();
    let nat = Scope::National;
    let zj = Scope::Authority("330000".into());

    // Tiers: E candidate, D library, B and F provincial, A and C national.
    let t = monitoring::clusters_by_tier(&mut conn, &nat, &all)
        .await
        .unwrap();
    assert_eq!(
        (t.candidate, t.library, t.provincial, t.national),
        (1, 1, 2, 2)
    );
    let t = monitoring::clusters_by_tier(&mut conn, &zj, &all)
        .await
        .unwrap();
    assert_eq!(
        (t.candidate, t.library, t.provincial, t.national),
        (1, 1, 2, 1)
    );
    let t = monitoring::clusters_by_tier(&mut conn, &Scope::County("330782".into()), &all)
        .await
        .unwrap();
    assert_eq!(
        (t.candidate, t.library, t.provincial, t.national),
        (0, 1, 1, 1)
    );
    // Filters: the 2024 batch has B only; section A has D only; the province filter.
    let f2 = Filters {
        batch_id: Some(w.batch2),
        ..Filters::default()
    };
    let t = monitoring::clusters_by_tier(&mut conn, &nat, &f2)
        .await
        .unwrap();
    assert_eq!((t.provincial, t.total()), (1, 1));
    let fa = Filters {
        section: Some("A".into()),
        ..Filters::default()
    };
    let t = monitoring::clusters_by_tier(&mut conn, &nat, &fa)
        .await
        .unwrap();
    assert_eq!((t.library, t.total()), (1, 1));
    let fnb = Filters {
        authority: Some("330200".into()),
        ..Filters::default()
    };
    let t = monitoring::clusters_by_tier(&mut conn, &nat, &fnb)
        .await
        .unwrap();
    assert_eq!((t.national, t.total()), (1, 1));
    // A province filter cannot widen a province's scope.
    let t = monitoring::clusters_by_tier(&mut conn, &zj, &fnb)
        .await
        .unwrap();
    assert_eq!(t.total(), 0);

    // By authority, most national clusters first (浙江 1 national of 5, 宁波 1 of 1: then by total).
    let g = monitoring::clusters_by_authority(&mut conn, &nat, &all)
        .await
        .unwrap();
    let got: Vec<(&str, &str, i64, i64)> = g
        .iter()
        .map(|g| {
            (
                g.key.as_str(),
                g.label.as_str(),
                g.tiers.national,
                g.tiers.total(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![("330000", "浙江省", 1, 5), ("330200", "宁波市", 1, 1)]
    );
    let g = monitoring::clusters_by_section(&mut conn, &nat, &all)
        .await
        .unwrap();
    let got: Vec<(&str, i64)> = g
        .iter()
        .map(|g| (g.key.as_str(), g.tiers.total()))
        .collect();
    assert_eq!(got, vec![("C", 5), ("A", 1)]);
    assert_eq!(g[0].label, "C 制造业");

    // Recognitions by batch and status.
    let r = monitoring::recognitions_by_batch(&mut conn, &nat, &all)
        .await
        .unwrap();
    assert_eq!(r.len(), 1);
    assert_eq!(
        (r[0].batch.id, r[0].active, r[0].revoked, r[0].total()),
        (w.batch1, 2, 1, 3)
    );
    let r = monitoring::recognitions_by_batch(&mut conn, &zj, &all)
        .await
        .unwrap();
    assert_eq!((r[0].active, r[0].revoked), (1, 1));

    // Progress to the 200 of 第五条.
    let p = monitoring::national_progress(&mut conn, &nat, &all)
        .await
        .unwrap();
    assert_eq!((p.target, p.recognised_in_plan, p.live), (200, 3, 2));
    assert!(close(p.percent(), 1.5));
    let p = monitoring::national_progress(&mut conn, &zj, &all)
        .await
        .unwrap();
    assert_eq!((p.recognised_in_plan, p.live), (2, 1));

    // Quota: 31 provinces × 5 + 6 small authorities × 3 = 173, less 1 for 宁波's override
    // of 2 in 2022. Used: A, B (rejected after recommendation), C, F.
    let q = monitoring::quota_use(&mut conn, &nat, &all).await.unwrap();
    let got: Vec<(i64, i64, i64, usize)> = q
        .iter()
        .map(|q| (q.batch.id, q.quota, q.used, q.authorities))
        .collect();
    assert_eq!(got, vec![(w.batch1, 172, 4, 37), (w.batch2, 173, 0, 37)]);
    let q = monitoring::quota_use(&mut conn, &zj, &all).await.unwrap();
    assert_eq!((q[0].quota, q[0].used), (5, 3));
    let q = monitoring::quota_use(&mut conn, &Scope::Authority("330200".into()), &all)
        .await
        .unwrap();
    assert_eq!((q[0].quota, q[0].used), (2, 1));
    assert!(
        monitoring::quota_use(&mut conn, &Scope::County("330782".into()), &all)
            .await
            .unwrap()
            .is_empty()
    );

    // Funnel: submitted A B C D F; recommended A B C F (B was rejected later); shortlisted
    // A C F; recognised A C F. E (draft) never entered.
    let fu = monitoring::funnel(&mut conn, &nat, &all).await.unwrap();
    let got: Vec<(i64, [i64; 4])> = fu.iter().map(|f| (f.batch.id, f.stages())).collect();
    assert_eq!(
        got,
        vec![(w.batch1, [5, 4, 3, 3]), (w.batch2, [1, 0, 0, 0])]
    );
    let fu = monitoring::funnel(
        &mut conn,
        &zj,
        &Filters {
            batch_id: Some(w.batch1),
            ..Filters::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(fu.len(), 1);
    assert_eq!(fu[0].stages(), [4, 3, 2, 2]);

    // Indicators: A (latest = its 2024 report) and C (its declaration); F is revoked.
    let ind = monitoring::indicators(&mut conn, &nat, &all).await.unwrap();
    assert_eq!(
        (ind.recognitions, ind.from_reports, ind.unreadable),
        (2, 1, 0)
    );
    assert_eq!(ind.edition, "2022");
    let out = dist(&ind, "output");
    assert_eq!(out.values, vec![600000.0, 484000.0]);
    assert_eq!(
        (out.threshold, out.comparator.as_str(), out.unit),
        (Some(400000.0), "以上", "万元")
    );
    let lead = dist(&ind, "leading_share");
    assert!(close(lead.values[0], 440000.0 / 600000.0 * 100.0) && close(lead.values[1], 50.0));
    assert_eq!(
        (lead.threshold, lead.comparator.as_str()),
        (Some(70.0), "高于")
    );
    let sme = dist(&ind, "sme_share");
    assert!(close(sme.values[0], 440000.0 / 600000.0 * 100.0) && close(sme.values[1], 50.0));
    // Growth 2022→2024 for A: (600000/484000)^(1/2) − 1; C: exactly 10%.
    let g = dist(&ind, "output_growth");
    assert!(
        close(
            g.values[0],
            ((600000.0_f64 / 484000.0).sqrt() - 1.0) * 100.0
        ),
        "{:?}",
        g.values
    );
    assert!(close(g.values[1], 10.0), "{:?}", g.values);
    assert_eq!(g.threshold, Some(10.0));
    // 21 patents per 1000 employees = 210 per 10,000; 1 of 2 enterprises on an IIP.
    assert_eq!(dist(&ind, "patent_density").values, vec![210.0, 210.0]);
    assert_eq!(dist(&ind, "patent_density").threshold, Some(15.0));
    assert_eq!(dist(&ind, "iip").values, vec![50.0, 50.0]);
    assert_eq!(dist(&ind, "iip").threshold, Some(15.0));
    assert_eq!(dist(&ind, "titled").values, vec![1.0, 1.0]);
    assert_eq!(dist(&ind, "titled").threshold, Some(10.0));
    assert_eq!(dist(&ind, "area").values, vec![50.0, 80.0]);
    assert_eq!(dist(&ind, "rd_growth").values, vec![0.0, 0.0]);
    let co2 = dist(&ind, "co2_intensity");
    assert!(
        co2.values.iter().all(|v| close(*v, 0.08)),
        "{:?}",
        co2.values
    );
    assert_eq!(co2.threshold, None, "持续下降 has no fixed bound");

    // Trends: 2019–2020 from both declarations; 2021 from A's report (494000, it corrects
    // the declaration's 484000) and C's declaration; 2022–2024 from A's report only. The
    // 2025 draft does not count.
    assert_eq!(
        trend(&ind, "output"),
        vec![
            (2019, 800000.0, 2),
            (2020, 880000.0, 2),
            (2021, 978000.0, 2),
            (2022, 484000.0, 1),
            (2023, 530000.0, 1),
            (2024, 600000.0, 1),
        ]
    );
    assert_eq!(trend(&ind, "rd")[0], (2019, 3000.0, 2));
    assert_eq!(trend(&ind, "patents")[5], (2024, 21.0, 1));
    assert_eq!(trend(&ind, "iip"), vec![(2021, 50.0, 2), (2024, 50.0, 1)]);
    assert!(
        trend(&ind, "co2_intensity")
            .iter()
            .all(|p| close(p.1, 0.08))
    );

    // A province sees its own: only A.
    let ind = monitoring::indicators(&mut conn, &zj, &all).await.unwrap();
    assert_eq!(ind.recognitions, 1);
    assert_eq!(dist(&ind, "output").values, vec![600000.0]);
    assert_eq!(trend(&ind, "output")[0], (2019, 400000.0, 1));

    // Lists on 2026-03-02: C's 2023 and 2024 reports are overdue, its recognition ends
    // 2026-05-31 (within 6 months), its R3 case is open; A is in order; F is revoked.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let l = monitoring::watchlists(&mut conn, &nat, &all, today)
        .await
        .unwrap();
    let overdue: Vec<(&str, i32)> = l
        .overdue
        .iter()
        .map(|(m, d)| (m.cluster_name.as_str(), d.year))
        .collect();
    assert_eq!(
        overdue,
        vec![("宁海C模具集群", 2023), ("宁海C模具集群", 2024)]
    );
    assert_eq!(l.open_cases.len(), 1);
    assert_eq!(l.expiring.len(), 1);
    let l = monitoring::watchlists(&mut conn, &zj, &all, today)
        .await
        .unwrap();
    assert!(l.overdue.is_empty() && l.open_cases.is_empty() && l.expiring.is_empty());
    // The section filter narrows the lists too (C is in section C, not A).
    let l = monitoring::watchlists(&mut conn, &nat, &fa, today)
        .await
        .unwrap();
    assert!(l.overdue.is_empty() && l.open_cases.is_empty());
}
both!(figures_match_hand_computed_values);

async fn get_bytes(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, String, Vec<u8>) {
    let req = Request::get(path)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let ct = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, ct, bytes)
}

/// The parts of an xlsx: its workbook, first sheet and shared strings.
fn unzip(bytes: &[u8]) -> (String, String, String) {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the xlsx"))
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    (
        part("xl/workbook.xml"),
        part("xl/worksheets/sheet1.xml"),
        part("xl/sharedStrings.xml"),
    )
}

/// The number in cell `r` (e.g. "C5") of a sheet's XML.
fn cell(sheet: &str, r: &str) -> Option<String> {
    let at = sheet.find(&format!("<c r=\"{r}\""))?;
    let rest = &sheet[at..];
    let end = rest.find("</c>")?;
    let c = &rest[..end];
    let v = c.find("<v>")?;
    Some(c[v + 3..c.find("</v>")?].to_string())
}

async fn pages_jurisdiction_and_xlsx(app: TestApp) {
    let w = seed(&app).await;
    let miit = app.login("miit").await;
    let zj = app.login("zhejiang").await;
    let yiwu = app.login("yiwu").await;

    let page = app.get("/dashboard", Some(&miit.cookie)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let b = &page.body;
    assert!(b.contains("监测看板：全国"));
    assert!(b.contains("<svg") && b.contains("viewBox") && !b.contains("<script"));
    assert!(b.contains("各省级单位集群数") && b.contains("宁波市"));
    assert!(b.contains("宁海C模具集群"), "the overdue list names C");
    assert!(b.contains("认定门槛：以上 400000万元"));
    assert!(b.contains("/dashboard/data/funnel.xlsx"));
    assert!(b.contains("href=\"/dashboard\">监测看板</a>"), "nav link");
    // The filter form keeps the filters in the download links.
    let page = app
        .get(
            &format!("/dashboard?batch={}&province=330000&industry=C", w.batch1),
            Some(&miit.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!(
        "/dashboard/data/tiers.xlsx?batch={}&#38;province=330000&#38;industry=C",
        w.batch1
    )));
    assert!(page.body.contains("省份：浙江省"));

    // A province: its own figures, no province chart, nothing of 宁波's.
    let page = app
        .get("/dashboard?province=330200", Some(&zj.cookie))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("监测看板：浙江省经济和信息化厅"));
    assert!(!page.body.contains("各省级单位集群数"));
    assert!(!page.body.contains("宁海C模具集群"));
    assert!(!page.body.contains("宁波市"));

    // Downloads: a zip with xl/workbook.xml holding the numbers.
    let (status, ct, bytes) = get_bytes(&app, "/dashboard/data/funnel.xlsx", &miit.cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.contains("spreadsheetml"), "{ct}");
    assert!(bytes.starts_with(b"PK"));
    let (workbook, sheet, strings) = unzip(&bytes);
    assert!(workbook.contains("<sheet "), "{workbook}");
    assert!(strings.contains("提交申报") && strings.contains("2022年度国家级集群"));
    // Header on row 4; 2022 on row 5: 5 submitted, 4 recommended, 3 shortlisted, 3 recognised.
    let row5: Vec<Option<String>> = ["B5", "C5", "D5", "E5", "F5"]
        .iter()
        .map(|r| cell(&sheet, r))
        .collect();
    assert_eq!(
        row5,
        ["2022", "5", "4", "3", "3"]
            .map(|s| Some(s.to_string()))
            .to_vec()
    );
    assert_eq!(cell(&sheet, "C6").as_deref(), Some("1"));

    // The province's download is its own, whatever it asks for.
    let (_, _, bytes) = get_bytes(
        &app,
        "/dashboard/data/funnel.xlsx?province=330200",
        &zj.cookie,
    )
    .await;
    let (_, sheet, _) = unzip(&bytes);
    let row5: Vec<Option<String>> = ["C5", "D5", "E5", "F5"]
        .iter()
        .map(|r| cell(&sheet, r))
        .collect();
    assert_eq!(
        row5,
        ["4", "3", "2", "2"].map(|s| Some(s.to_string())).to_vec()
    );
    let (_, _, bytes) = get_bytes(&app, "/dashboard/data/tiers.xlsx", &zj.cookie).await;
    let (_, sheet, _) = unzip(&bytes);
    let tiers: Vec<Option<String>> = ["B5", "B6", "B7", "B8"]
        .iter()
        .map(|r| cell(&sheet, r))
        .collect();
    assert_eq!(
        tiers,
        ["1", "1", "2", "1"].map(|s| Some(s.to_string())).to_vec()
    );
    // The ministry's province chart is not the province's to download.
    let (status, _, _) = get_bytes(&app, "/dashboard/data/provinces.xlsx", &zj.cookie).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A county: its clusters (A, D, F).
    let (_, _, bytes) = get_bytes(&app, "/dashboard/data/tiers.xlsx", &yiwu.cookie).await;
    let (_, sheet, _) = unzip(&bytes);
    let tiers: Vec<Option<String>> = ["B5", "B6", "B7", "B8"]
        .iter()
        .map(|r| cell(&sheet, r))
        .collect();
    assert_eq!(
        tiers,
        ["0", "1", "1", "1"].map(|s| Some(s.to_string())).to_vec()
    );
    // Indicator and list downloads.
    let (_, _, bytes) = get_bytes(&app, "/dashboard/data/trend_output.xlsx", &miit.cookie).await;
    let (_, sheet, _) = unzip(&bytes);
    assert_eq!(cell(&sheet, "A5").as_deref(), Some("2019"));
    assert_eq!(cell(&sheet, "B7").as_deref(), Some("978000"));
    let (_, _, bytes) = get_bytes(&app, "/dashboard/data/overdue.xlsx", &miit.cookie).await;
    let (_, sheet, strings) = unzip(&bytes);
    assert!(strings.contains("宁海C模具集群"));
    assert_eq!(cell(&sheet, "D6").as_deref(), Some("2024"));

    // Bad filters and unknown charts.
    let r = app.get("/dashboard?industry=ZZ", Some(&miit.cookie)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("行业门类"), "{}", r.body);
    let r = app.get("/dashboard?batch=abc", Some(&miit.cookie)).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("批次"));
    let (status, _, _) = get_bytes(&app, "/dashboard/data/nothing.xlsx", &miit.cookie).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = get_bytes(&app, "/dashboard/data/tiers.csv", &miit.cookie).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Not logged in: to the login page.
    let r = app.get("/dashboard", None).await;
    assert!(r.status.is_redirection(), "{}", r.status);
}
both!(pages_jurisdiction_and_xlsx);

/// The cluster profile (集群画像): indicators per document against the 2022 thresholds,
/// plan targets against the report's actuals, and percentiles computed by hand:
///
/// | recognition | latest document | output (万元) | patent density |
/// |---|---|---|---|
/// | A (active) | its 2024 report | 600000 | 210 |
/// | C (active) | its declaration | 484000 | 210 |
/// | F (revoked) | its declaration | 900001 | ≈ 1 |
///
/// Batch 1 peers of A and C are {A, C} (F is revoked); F's own profile counts F itself:
/// A output 100 × (1 + ½·1) / 2 = 75, C 100 × (0 + ½) / 2 = 25, F 100 × (2 + ½) / 3 = 83.33;
/// patent density A and C tie: 100 × (0 + ½·2) / 2 = 50. All three are in section C at the
/// national level, so the section percentiles are the same.
async fn profile_page(app: TestApp) {
    let w = seed(&app).await;
    let mut conn = app.db.acquire().await.unwrap();
    let nat = Scope::National;
    let pa = monitoring::profile(&mut conn, &nat, w.rec_a)
        .await
        .unwrap()
        .unwrap();
    let idx = |p: &monitoring::Profile, key: &str| {
        p.indicators.iter().position(|i| i.key == key).unwrap()
    };
    // Two documents: the declaration (window 2019–2021) and the 2024 report.
    let docs: Vec<(i64, Option<i32>, bool)> = pa
        .docs
        .iter()
        .map(|d| (d.doc_rank, d.latest_year, d.readable))
        .collect();
    assert_eq!(docs, vec![(0, Some(2021), true), (2024, Some(2024), true)]);
    let g = idx(&pa, "output_growth");
    let o = idx(&pa, "output");
    // The declaration: 400000 → 484000 over two years is exactly 10%, and 高于 10% excludes
    // the bound: 未达标. Its output 484000 is 以上 400000: 达标.
    let d0 = pa.docs[0].values[g].unwrap();
    assert!(close(d0.value, 10.0), "{}", d0.value);
    assert_eq!(d0.passes, Some(false));
    assert_eq!(pa.docs[0].values[o].unwrap().passes, Some(true));
    // The 2024 report: (600000 / 484000)^(1/2) − 1 = 11.34% > 10%: 达标.
    let d1 = pa.docs[1].values[g].unwrap();
    assert!(close(
        d1.value,
        ((600000.0_f64 / 484000.0).sqrt() - 1.0) * 100.0
    ));
    assert_eq!(d1.passes, Some(true));
    // CO₂ intensity has no fixed bound.
    let co2 = idx(&pa, "co2_intensity");
    assert_eq!(pa.docs[1].values[co2].unwrap().passes, None);

    let rank = |p: &monitoring::Profile, key: &str| -> (f64, f64, f64, (i64, i64, i64)) {
        let r = p.ranks.iter().find(|r| r.key == key).unwrap();
        let b = r.batch.unwrap();
        (
            r.value,
            b.value(),
            r.section.unwrap().value(),
            (b.peers, b.below, b.equal),
        )
    };
    assert_eq!(rank(&pa, "output"), (600000.0, 75.0, 75.0, (2, 1, 1)));
    assert_eq!(rank(&pa, "patent_density"), (210.0, 50.0, 50.0, (2, 0, 2)));
    let pc = monitoring::profile(&mut conn, &nat, w.rec_c)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rank(&pc, "output"), (484000.0, 25.0, 25.0, (2, 0, 1)));
    let pf = monitoring::profile(&mut conn, &nat, w.rec_f)
        .await
        .unwrap()
        .unwrap();
    let (v, b, s, counts) = rank(&pf, "output");
    assert_eq!((v, counts), (900001.0, (3, 2, 1)));
    assert!(close(b, 250.0 / 3.0) && close(s, 250.0 / 3.0), "{b} {s}");

    // Plan targets of the declaration against the 2024 report's progress.
    assert_eq!(pa.report_years, vec![2024]);
    let t: Vec<_> = pa
        .targets
        .iter()
        .map(|t| {
            (
                t.area,
                t.baseline.as_str(),
                t.target.as_str(),
                t.actuals.clone(),
            )
        })
        .collect();
    assert_eq!(
        t,
        vec![
            (
                "提升集群主导产业优势",
                "400000",
                "600000",
                vec![Some(("600000".to_string(), "已完成"))]
            ),
            ("推进集群数字化升级", "50", "60.5", vec![None]),
        ]
    );
    drop(conn);

    // The page, with jurisdiction: the ministry sees all; 义乌 (county) its own A, not C;
    // 宁波 (计划单列市) its own C, not A.
    let miit = app.login("miit").await;
    let yiwu = app.login("yiwu").await;
    let ningbo = app.login("ningbo").await;
    let page = app
        .get(
            &format!("/recognitions/{}/profile", w.rec_a),
            Some(&miit.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let b = &page.body;
    assert!(b.contains("集群画像：义乌A集群"));
    assert!(b.contains("申报书（数据截至2021年）") && b.contains("2024年度报告"));
    assert!(b.contains("75（2 个中低于 1 个、相同 0 个）"), "{b}");
    assert!(b.contains("50（2 个中低于 0 个、相同 1 个）"));
    assert!(b.contains("未达标") && b.contains("达标"));
    assert!(b.contains("600000（已完成）") && b.contains("未填报"));
    assert!(b.contains("2024年度实际"));
    let page = app
        .get(
            &format!("/recognitions/{}/profile", w.rec_a),
            Some(&yiwu.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    for (who, rec) in [(&yiwu, w.rec_c), (&ningbo, w.rec_a)] {
        let page = app
            .get(&format!("/recognitions/{rec}/profile"), Some(&who.cookie))
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{rec}");
    }
    let page = app
        .get(
            &format!("/recognitions/{}/profile", w.rec_c),
            Some(&ningbo.cookie),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("25（2 个中低于 0 个、相同 0 个）"));
    // Unknown and malformed ids: 404.
    for path in ["/recognitions/999999/profile", "/recognitions/abc/profile"] {
        assert_eq!(
            app.get(path, Some(&miit.cookie)).await.status,
            StatusCode::NOT_FOUND
        );
    }
    // The dashboard's lists link to the profile (C is overdue), and so does the
    // recognition's page.
    let page = app.get("/dashboard", Some(&miit.cookie)).await;
    assert!(
        page.body
            .contains(&format!("href=\"/recognitions/{}/profile\"", w.rec_c))
    );
    let page = app
        .get(&format!("/recognitions/{}", w.rec_a), Some(&miit.cookie))
        .await;
    assert!(
        page.body
            .contains(&format!("href=\"/recognitions/{}/profile\"", w.rec_a))
    );
}
both!(profile_page);

/// Every part of a zip, by name.
fn zip_parts(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().unwrap().to_string(), data);
    }
    out
}

/// The assessment report (第十六条) on the seeded data: the .docx unzips with its parts, a
/// PNG picture per chart with its relationship, the headings, and summary numbers equal to
/// the dashboard's figures from the same queries (and to the hand-computed ones); the
/// appendix holds the same numbers; the button's downloads respect jurisdiction.
async fn assessment_report(app: TestApp) {
    seed(&app).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let mut conn = app.db.acquire().await.unwrap();
    let nat = Scope::National;
    let d = monitoring::dashboard(&mut conn, &nat, &Filters::default(), today)
        .await
        .unwrap();
    let a = jiqun_web::report::assess(&mut conn, &nat, "全国", 2022, today)
        .await
        .unwrap();
    drop(conn);
    let parts = zip_parts(&jiqun_web::report::docx(&a).unwrap());
    for p in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/_rels/document.xml.rels",
        "word/media/image1.png",
    ] {
        assert!(parts.contains_key(p), "{p}: {:?}", parts.keys());
    }
    let pngs: Vec<&String> = parts
        .keys()
        .filter(|k| k.starts_with("word/media/"))
        .collect();
    // One picture per SVG of the dashboard's charts.
    let svgs: usize = a.charts.iter().map(|c| c.svg.matches("<svg").count()).sum();
    assert!(svgs >= 10, "{svgs}");
    assert_eq!(pngs.len(), svgs);
    for p in &pngs {
        assert_eq!(&parts[*p][..8], b"\x89PNG\r\n\x1a\n", "{p}");
    }
    let text = |name: &str| String::from_utf8(parts[name].clone()).unwrap();
    let rels = text("word/_rels/document.xml.rels");
    let doc = text("word/document.xml");
    assert!(text("[Content_Types].xml").contains("Extension=\"png\" ContentType=\"image/png\""));
    for i in 1..=svgs {
        assert!(rels.contains(&format!(
            "Id=\"rIdImg{i}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/image{i}.png\""
        )));
        assert!(doc.contains(&format!("r:embed=\"rIdImg{i}\"")));
    }
    for h in [
        "2022年度中小企业特色产业集群发展评估报告",
        "总体情况",
        "一、认定进度与集群分布",
        "二、推荐名额与申报情况",
        "三、主要指标分布",
        "四、发展趋势",
        "五、省际比较",
        "六、问题清单",
    ] {
        assert!(doc.contains(&format!("preserve\">{h}</w:t>")), "{h}");
    }
    // The summary's numbers are the dashboard's (6 clusters: 2 national, 2 provincial, 1 in
    // the library; 2 recognitions in force, 1 from its report; C's 2 overdue reports, 1
    // open case, 1 expiring).
    let t = &d.tiers;
    assert_eq!(
        (t.total(), t.national, t.provincial, t.library),
        (6, 2, 2, 1)
    );
    assert!(doc.contains(&format!(
        "共有集群 {} 个，其中国家级中小企业特色产业集群 {} 个、省级集群 {} 个、省级培育库 {} 个",
        t.total(),
        t.national,
        t.provincial,
        t.library
    )));
    assert!(doc.contains(&format!(
        "纳入指标统计的有效认定 {} 个，其中 {} 个取自年度培育情况报告",
        d.indicators.recognitions, d.indicators.from_reports
    )));
    assert_eq!(
        (
            d.lists.overdue.len(),
            d.lists.open_cases.len(),
            d.lists.expiring.len()
        ),
        (2, 1, 1)
    );
    assert!(doc.contains("逾期未报送的年度报告 2 份，待办撤销案件 1 件，6 个月内到期的认定 1 个"));
    // Trends stop at the assessment year: 2022's 484000 is in, 2023's 530000 is not.
    let tr = a.charts.iter().find(|c| c.key == "trend_output").unwrap();
    let years: Vec<String> = tr.rows.iter().map(|r| r[0].show()).collect();
    assert_eq!(years, ["2019", "2020", "2021", "2022"]);
    assert!(doc.contains(">484000<") && !doc.contains(">530000<"));

    // The appendix: the summary sheet and one sheet per chart, numbers as numbers.
    let x = zip_parts(&jiqun_web::report::appendix(&a).unwrap());
    let wb = String::from_utf8(x["xl/workbook.xml"].clone()).unwrap();
    assert!(wb.contains("name=\"总体情况\"") && wb.contains("name=\"集群层级分布\""));
    let sheets = x
        .keys()
        .filter(|k| k.starts_with("xl/worksheets/sheet"))
        .count();
    assert_eq!(sheets, 1 + a.charts.len());
    let s1 = String::from_utf8(x["xl/worksheets/sheet1.xml"].clone()).unwrap();
    assert_eq!(cell(&s1, "B5").as_deref(), Some("6"));
    assert_eq!(cell(&s1, "B6").as_deref(), Some("2"));
    assert_eq!(
        cell(&s1, "B13").as_deref(),
        Some("2"),
        "recognitions in force"
    );
    assert_eq!(cell(&s1, "B15").as_deref(), Some("2"), "overdue reports");
    assert_eq!(cell(&s1, "B16").as_deref(), Some("1"), "open cases");

    // The button: the ministry and a province download, a county may not.
    let miit = app.login("miit").await;
    let zj = app.login("zhejiang").await;
    let yiwu = app.login("yiwu").await;
    let page = app.get("/dashboard", Some(&miit.cookie)).await;
    assert!(
        page.body.contains("生成评估报告")
            && page.body.contains("action=\"/dashboard/report.docx\"")
    );
    let page = app.get("/dashboard", Some(&yiwu.cookie)).await;
    assert!(!page.body.contains("生成评估报告"));
    let (status, ct, bytes) =
        get_bytes(&app, "/dashboard/report.docx?year=2024", &miit.cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.contains("wordprocessingml.document"), "{ct}");
    let p = zip_parts(&bytes);
    assert!(p.contains_key("word/media/image1.png"));
    let doc = String::from_utf8(p["word/document.xml"].clone()).unwrap();
    assert!(
        doc.contains("2024年度中小企业特色产业集群发展评估报告") && doc.contains("共有集群 6 个")
    );
    // A province: its own clusters only (A, B, D, E, F of 浙江; C is 宁波's).
    let (status, _, bytes) = get_bytes(&app, "/dashboard/report.docx?year=2024", &zj.cookie).await;
    assert_eq!(status, StatusCode::OK);
    let doc = String::from_utf8(zip_parts(&bytes)["word/document.xml"].clone()).unwrap();
    assert!(doc.contains("共有集群 5 个") && !doc.contains("宁海C模具集群"));
    assert!(
        !doc.contains("五、省际比较"),
        "the provincial comparison is the ministry's"
    );
    let (status, ct, bytes) = get_bytes(&app, "/dashboard/report.xlsx?year=2024", &zj.cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.contains("spreadsheetml"));
    let s1 = String::from_utf8(zip_parts(&bytes)["xl/worksheets/sheet1.xml"].clone()).unwrap();
    assert_eq!(cell(&s1, "B5").as_deref(), Some("5"));
    let (status, _, _) = get_bytes(&app, "/dashboard/report.docx", &yiwu.cookie).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A bad year is refused, naming the field.
    let page = app
        .get("/dashboard/report.docx?year=20x4", Some(&miit.cookie))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("评估年度"), "{}", page.body);
    let page = app
        .get("/dashboard/report.docx?year=1999", Some(&miit.cookie))
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
}
both!(assessment_report);
