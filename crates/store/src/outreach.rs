//! Policy outreach register (issue 8; docs/provincial-tiers.md, "Policy outreach register").
//!
//! 认定标准 八: "促进中小企业发展政策宣贯实现集群全覆盖，确保惠企政策受益主体不漏户、不漏人".
//! Provinces and counties record the support policies they issue (title, issuer, date, scope
//! and the clusters each covers) and which roster enterprises (by USCC) each policy reached,
//! how (走访, 座谈, 线上推送, …) and when. `C8.policy` of an application, an annual report
//! or a re-examination is computed from here ([`reached`], used by
//! `crate::tiers::evaluate_on`): coverage = roster enterprises reached by at least one
//! policy / roster size.
//!
//! Jurisdiction (SPEC §1): a province records and sees policies over its own clusters; a
//! county over its own clusters, and sees every policy covering one of them; another
//! jurisdiction's policy or cluster is `NotFound`. Every write is audited.

use crate::applications::Actor;
use crate::audit::{self, NewEvent};
use crate::clusters::{self, Cluster};
use crate::{Conn, Result, Scope, StoreError, time};
use chrono::{DateTime, NaiveDate, Utc};
use jiqun_domain::declaration::Declaration;
use jiqun_domain::role::Role;
use jiqun_domain::tiers::uscc_key;
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, BTreeSet};

/// Longest title or issuer accepted, in characters.
const MAX_TEXT: usize = 200;

/// How a policy reached an enterprise.
pub const METHODS: &[&str] = &["走访", "座谈", "线上推送", "培训会", "电话", "其他"];

/// Who issued a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Province,
    County,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::County => "county",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Level::Province => "省级",
            Level::County => "县级",
        }
    }
    fn parse(s: &str) -> Option<Level> {
        [Level::Province, Level::County]
            .into_iter()
            .find(|l| l.as_str() == s)
    }
}

/// A support policy and the clusters it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub id: i64,
    pub title: String,
    pub issuer: String,
    pub issued_on: NaiveDate,
    pub level: Level,
    pub authority_code: String,
    pub county_code: Option<String>,
    /// (cluster id, cluster name), by name.
    pub clusters: Vec<(i64, String)>,
}

/// A new policy, as entered.
pub struct NewPolicy<'a> {
    pub title: &'a str,
    pub issuer: &'a str,
    pub issued_on: NaiveDate,
    pub cluster_ids: &'a [i64],
}

/// One enterprise reached by one policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reach {
    pub policy_id: i64,
    pub uscc: String,
    pub method: String,
    pub reached_on: NaiveDate,
    /// The organisation whose user recorded it (only it may withdraw the record).
    pub org_id: i64,
}

fn text<'a>(value: &'a str, field: &str, hint: &str) -> Result<&'a str> {
    let t = value.trim();
    if t.is_empty() {
        return Err(StoreError::Invalid(format!("「{field}」未填写：{hint}")));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(StoreError::Invalid(format!(
            "「{field}」过长：请控制在 {MAX_TEXT} 个字以内"
        )));
    }
    Ok(t)
}

fn writer_level(actor: &Actor) -> Result<Level> {
    match &actor.scope {
        Scope::Authority(_) if actor.roles.contains(&Role::Province) => Ok(Level::Province),
        Scope::County(_) if actor.roles.contains(&Role::County) => Ok(Level::County),
        _ => Err(StoreError::Refused(
            "惠企政策宣贯登记只能由省级或县级中小企业主管部门办理".into(),
        )),
    }
}

async fn policy_clusters(conn: &mut Conn, policy_id: i64) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT c.id, c.name FROM outreach_policy_clusters pc JOIN clusters c ON c.id = pc.cluster_id
         WHERE pc.policy_id = $1 ORDER BY c.name, c.id",
    )
    .bind(policy_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}

async fn from_row(conn: &mut Conn, row: &AnyRow) -> Result<Policy> {
    let id: i64 = row.try_get("id")?;
    let level: String = row.try_get("level")?;
    let issued: String = row.try_get("issued_on")?;
    Ok(Policy {
        id,
        title: row.try_get("title")?,
        issuer: row.try_get("issuer")?,
        issued_on: time::date_from_text(&issued)?,
        level: Level::parse(&level)
            .ok_or_else(|| StoreError::Corrupt(format!("未知政策层级「{level}」")))?,
        authority_code: row.try_get("authority_code")?,
        county_code: row.try_get("county_code")?,
        clusters: policy_clusters(conn, id).await?,
    })
}

const COLUMNS: &str =
    "p.id, p.title, p.issuer, p.issued_on, p.level, p.authority_code, p.county_code";

/// The policies `scope` may see, newest first: a province its own authority's, a county the
/// ones it issued or that cover one of its clusters, the ministry all.
pub async fn list(conn: &mut Conn, scope: &Scope) -> Result<Vec<Policy>> {
    let (cond, bind) = match scope {
        Scope::National => ("1 = 1", None),
        Scope::Authority(code) => ("p.authority_code = $1", Some(code.clone())),
        Scope::County(code) => (
            "(p.county_code = $1 OR EXISTS (SELECT 1 FROM outreach_policy_clusters pc
               JOIN clusters c ON c.id = pc.cluster_id
               WHERE pc.policy_id = p.id AND c.county_code = $1))",
            Some(code.clone()),
        ),
        // A 设区市 sees the policies covering a cluster of one of its counties.
        Scope::City(code) => (
            "EXISTS (SELECT 1 FROM outreach_policy_clusters pc
               JOIN clusters c ON c.id = pc.cluster_id
               WHERE pc.policy_id = p.id AND c.county_code LIKE $1)",
            Some(format!("{}%", crate::city_prefix(code))),
        ),
        Scope::Nothing => return Ok(Vec::new()),
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM outreach_policies p WHERE {cond} ORDER BY p.issued_on DESC, p.id DESC"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(b) = bind {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(from_row(conn, r).await?);
    }
    Ok(out)
}

/// The policies covering one cluster (oldest first); `NotFound` outside `scope`.
pub async fn for_cluster(conn: &mut Conn, scope: &Scope, cluster_id: i64) -> Result<Vec<Policy>> {
    clusters::get(conn, scope, cluster_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let sql = format!(
        "SELECT {COLUMNS} FROM outreach_policies p JOIN outreach_policy_clusters pc
           ON pc.policy_id = p.id WHERE pc.cluster_id = $1 ORDER BY p.issued_on, p.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(cluster_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        out.push(from_row(conn, r).await?);
    }
    Ok(out)
}

/// Records a support policy of the actor's province or county, covering the given clusters
/// (at least one, all within the actor's jurisdiction; one outside it is `NotFound`).
pub async fn create(
    conn: &mut Conn,
    actor: &Actor,
    p: &NewPolicy<'_>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Policy> {
    let level = writer_level(actor)?;
    let title = text(p.title, "政策名称", "请填写政策文件的名称")?;
    let issuer = text(p.issuer, "发文单位", "请填写政策的发文单位")?;
    if p.issued_on > today {
        return Err(StoreError::Invalid(format!(
            "「发布日期」{} 晚于今天（{today}）：请填写政策文件的印发日期",
            p.issued_on
        )));
    }
    let ids: BTreeSet<i64> = p.cluster_ids.iter().copied().collect();
    if ids.is_empty() {
        return Err(StoreError::Invalid(
            "「覆盖集群」未选择：请至少选择一个本政策覆盖的集群".into(),
        ));
    }
    let mut covered: Vec<Cluster> = Vec::with_capacity(ids.len());
    for id in &ids {
        covered.push(
            clusters::get(conn, &actor.scope, *id)
                .await?
                .ok_or(StoreError::NotFound)?,
        );
    }
    let authority = covered
        .first()
        .map(|c| c.authority_code.clone())
        .ok_or(StoreError::NotFound)?;
    let county = match (&actor.scope, level) {
        (Scope::County(code), Level::County) => Some(code.clone()),
        _ => None,
    };
    let row = sqlx::query(
        "INSERT INTO outreach_policies (title, issuer, issued_on, level, authority_code, county_code,
             created_by, created_org, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(title)
    .bind(issuer)
    .bind(time::date_to_text(p.issued_on))
    .bind(level.as_str())
    .bind(authority.as_str())
    .bind(county.as_deref())
    .bind(actor.user_id)
    .bind(actor.org_code.as_str())
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    for c in &covered {
        sqlx::query("INSERT INTO outreach_policy_clusters (policy_id, cluster_id) VALUES ($1, $2)")
            .bind(id)
            .bind(c.id)
            .execute(&mut *conn)
            .await?;
    }
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "outreach_policy",
            object_type: "outreach_policy",
            object_id: id.to_string(),
            before_state: None,
            after_state: Some(level.as_str()),
            comment: Some(title),
            detail: serde_json::json!({
                "issuer": issuer,
                "issued_on": time::date_to_text(p.issued_on),
                "clusters": ids.iter().collect::<Vec<_>>(),
            }),
        },
        now,
    )
    .await?;
    let sql = format!("SELECT {COLUMNS} FROM outreach_policies p WHERE p.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    from_row(conn, &row).await
}

/// The roster of a cluster: the enterprises of its latest declaration (the latest annual
/// report, else the latest application version). Empty when the system has none.
pub async fn roster(conn: &mut Conn, cluster_id: i64) -> Result<Option<Declaration>> {
    let report: Option<(String,)> = sqlx::query_as(
        "SELECT a.content FROM annual_reports a JOIN recognitions r ON r.id = a.recognition_id
         WHERE r.cluster_id = $1 ORDER BY a.year DESC, a.id DESC LIMIT 1",
    )
    .bind(cluster_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((content,)) = report {
        let v: serde_json::Value = serde_json::from_str(&content)
            .map_err(|e| StoreError::Corrupt(format!("年度报告内容无法读取：{e}")))?;
        if let Some(d) = v.get("declaration")
            && let Ok(decl) = jiqun_domain::criteria::parse_declaration_value(d)
        {
            return Ok(Some(decl));
        }
    }
    let version: Option<(String,)> = sqlx::query_as(
        "SELECT v.declaration FROM applications a JOIN application_versions v
           ON v.application_id = a.id AND v.version = a.current_version
         WHERE a.cluster_id = $1 ORDER BY a.id DESC LIMIT 1",
    )
    .bind(cluster_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(version.and_then(|(text,)| jiqun_domain::criteria::parse_declaration(&text).ok()))
}

/// The USCCs (see `jiqun_domain::tiers::uscc_key`) the register shows as reached in this
/// cluster by at least one policy on or before `on`. Not scoped: used by the evaluation of a
/// declaration the caller already holds.
pub async fn reached(conn: &mut Conn, cluster_id: i64, on: NaiveDate) -> Result<BTreeSet<String>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT uscc FROM outreach_reaches WHERE cluster_id = $1 AND reached_on <= $2",
    )
    .bind(cluster_id)
    .bind(time::date_to_text(on))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

/// Every reach recorded in a cluster, by USCC; `NotFound` outside `scope`.
pub async fn reaches(
    conn: &mut Conn,
    scope: &Scope,
    cluster_id: i64,
) -> Result<BTreeMap<String, Vec<Reach>>> {
    clusters::get(conn, scope, cluster_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let rows = sqlx::query(
        "SELECT r.policy_id, r.uscc, r.method, r.reached_on, u.org_id
         FROM outreach_reaches r JOIN users u ON u.id = r.created_by
         WHERE r.cluster_id = $1 ORDER BY r.reached_on, r.id",
    )
    .bind(cluster_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: BTreeMap<String, Vec<Reach>> = BTreeMap::new();
    for r in &rows {
        let on: String = r.try_get("reached_on")?;
        let reach = Reach {
            policy_id: r.try_get("policy_id")?,
            uscc: r.try_get("uscc")?,
            method: r.try_get("method")?,
            reached_on: time::date_from_text(&on)?,
            org_id: r.try_get("org_id")?,
        };
        out.entry(reach.uscc.clone()).or_default().push(reach);
    }
    Ok(out)
}

/// One line to record: an enterprise of the roster reached by the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReachLine {
    /// Line number shown in errors (the form's row, or the .csv file's line).
    pub line: usize,
    pub uscc: String,
    pub method: String,
    pub on: String,
}

/// A problem with one line of a batch of reaches (`line` counts from 1; for a .csv file it
/// is the file's line number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

/// Records that `policy_id` reached the given roster enterprises of a cluster. Every line
/// is checked first (USCC in the cluster's roster and not yet recorded for this policy,
/// method one of [`METHODS`], date `YYYY-MM-DD` not before the policy and not after today);
/// on any problem nothing is written and every problem is returned by line
/// (`Ok(Err(errors))`). The policy must cover the cluster and both must be in the actor's
/// jurisdiction (else `NotFound`).
#[allow(clippy::too_many_arguments)]
pub async fn record_reaches(
    conn: &mut Conn,
    actor: &Actor,
    cluster_id: i64,
    policy_id: i64,
    lines: &[ReachLine],
    source: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<std::result::Result<usize, Vec<LineError>>> {
    writer_level(actor)?;
    let policies = for_cluster(conn, &actor.scope, cluster_id).await?;
    let policy = policies
        .iter()
        .find(|p| p.id == policy_id)
        .ok_or(StoreError::NotFound)?;
    if lines.is_empty() {
        return Err(StoreError::Invalid(
            "「企业」未选择：请至少勾选或上传一家已宣贯的企业".into(),
        ));
    }
    let roster = roster(conn, cluster_id).await?;
    let members: BTreeMap<String, String> = roster
        .iter()
        .flat_map(|d| d.enterprises.iter())
        .map(|e| (uscc_key(&e.uscc), e.name.clone()))
        .collect();
    let existing: BTreeSet<String> = sqlx::query_as::<_, (String,)>(
        "SELECT uscc FROM outreach_reaches WHERE policy_id = $1 AND cluster_id = $2",
    )
    .bind(policy_id)
    .bind(cluster_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|(u,)| u)
    .collect();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    let mut ok: Vec<(String, &str, NaiveDate)> = Vec::with_capacity(lines.len());
    for l in lines {
        let line = l.line;
        let mut err = |m: String| errors.push(LineError { line, message: m });
        let key = uscc_key(&l.uscc);
        let mut good = true;
        if key.is_empty() {
            err("「统一社会信用代码」未填写".into());
            good = false;
        } else if !members.contains_key(&key)
            && let Err(e) = jiqun_domain::uscc::validate(&key)
        {
            err(format!("「统一社会信用代码」{key} 无效：{e}"));
            good = false;
        } else if !members.contains_key(&key) {
            err(format!(
                "「统一社会信用代码」{key} 不在本集群的企业名录中（名录取自最近一次申报或年度报告）"
            ));
            good = false;
        } else if existing.contains(&key) {
            err(format!(
                "「统一社会信用代码」{key} 已登记为本政策宣贯对象，无需重复登记"
            ));
            good = false;
        } else if !seen.insert(key.clone()) {
            err(format!("「统一社会信用代码」{key} 在本次提交中重复"));
            good = false;
        }
        let method = l.method.trim();
        if !METHODS.contains(&method) {
            err(format!(
                "「宣贯方式」「{method}」无效：可选 {}",
                METHODS.join("、")
            ));
            good = false;
        }
        let raw = l.on.trim();
        let date = match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) if d > today => {
                err(format!("「宣贯日期」{d} 晚于今天（{today}）"));
                None
            }
            Ok(d) if d < policy.issued_on => {
                err(format!(
                    "「宣贯日期」{d} 早于政策发布日期 {}",
                    policy.issued_on
                ));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                err(format!(
                    "「宣贯日期」「{raw}」无法识别：请按 YYYY-MM-DD 填写"
                ));
                None
            }
        };
        if let (true, Some(d)) = (good, date) {
            ok.push((key, method, d));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let stamp = time::to_text(now);
    for (uscc, method, on) in &ok {
        sqlx::query(
            "INSERT INTO outreach_reaches (policy_id, cluster_id, uscc, method, reached_on,
                 created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(policy_id)
        .bind(cluster_id)
        .bind(uscc.as_str())
        .bind(*method)
        .bind(time::date_to_text(*on))
        .bind(actor.user_id)
        .bind(stamp.as_str())
        .execute(&mut *conn)
        .await?;
    }
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "outreach_reach",
            object_type: "outreach_policy",
            object_id: policy_id.to_string(),
            before_state: None,
            after_state: None,
            comment: Some(source),
            detail: serde_json::json!({
                "cluster_id": cluster_id,
                "reached": ok.iter().map(|(u, m, d)| serde_json::json!({
                    "uscc": u, "method": m, "on": time::date_to_text(*d),
                })).collect::<Vec<_>>(),
            }),
        },
        now,
    )
    .await?;
    Ok(Ok(ok.len()))
}

/// Withdraws (撤销) reaches recorded by mistake: the given enterprises of a cluster are no
/// longer counted as reached by `policy_id`, so `C8.policy` is computed without them from
/// now on. All or nothing: every USCC must be a reach of this policy in this cluster,
/// recorded by the actor's own organisation, and a reason is required; otherwise nothing
/// is removed. The rows are deleted and the audit event keeps each of them (USCC, method,
/// date, who recorded it) with the reason. The policy must cover the cluster and both must
/// be in the actor's jurisdiction (else `NotFound`).
#[allow(clippy::too_many_arguments)]
pub async fn withdraw_reaches(
    conn: &mut Conn,
    actor: &Actor,
    cluster_id: i64,
    policy_id: i64,
    usccs: &[String],
    reason: &str,
    now: DateTime<Utc>,
) -> Result<usize> {
    writer_level(actor)?;
    let policies = for_cluster(conn, &actor.scope, cluster_id).await?;
    if !policies.iter().any(|p| p.id == policy_id) {
        return Err(StoreError::NotFound);
    }
    let reason = text(
        reason,
        "撤销理由",
        "请说明为什么撤销这些登记（如：误登记、企业未实际参加）",
    )?;
    let wanted: BTreeSet<String> = usccs.iter().map(|u| uscc_key(u)).collect();
    if wanted.is_empty() || wanted.iter().any(String::is_empty) {
        return Err(StoreError::Invalid(
            "「企业」未选择：请勾选要撤销登记的企业".into(),
        ));
    }
    let rows = sqlx::query(
        "SELECT r.id, r.uscc, r.method, r.reached_on, r.created_by, u.org_id, o.name AS org_name
         FROM outreach_reaches r JOIN users u ON u.id = r.created_by
         JOIN organisations o ON o.id = u.org_id
         WHERE r.policy_id = $1 AND r.cluster_id = $2",
    )
    .bind(policy_id)
    .bind(cluster_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut recorded: BTreeMap<String, &AnyRow> = BTreeMap::new();
    for r in &rows {
        recorded.insert(r.try_get("uscc")?, r);
    }
    let mut ids = Vec::with_capacity(wanted.len());
    let mut detail = Vec::with_capacity(wanted.len());
    for uscc in &wanted {
        let row = recorded.get(uscc).ok_or_else(|| {
            StoreError::Invalid(format!(
                "「统一社会信用代码」{uscc} 没有登记为本政策的宣贯对象，无需撤销"
            ))
        })?;
        let org_id: i64 = row.try_get("org_id")?;
        if org_id != actor.org_id {
            let org: String = row.try_get("org_name")?;
            return Err(StoreError::Refused(format!(
                "{uscc} 的宣贯登记由「{org}」录入，只能由录入单位撤销"
            )));
        }
        ids.push(row.try_get::<i64, _>("id")?);
        detail.push(serde_json::json!({
            "uscc": uscc,
            "method": row.try_get::<String, _>("method")?,
            "on": row.try_get::<String, _>("reached_on")?,
            "recorded_by": row.try_get::<i64, _>("created_by")?,
        }));
    }
    for id in &ids {
        sqlx::query("DELETE FROM outreach_reaches WHERE id = $1")
            .bind(*id)
            .execute(&mut *conn)
            .await?;
    }
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "outreach_reach_withdrawn",
            object_type: "outreach_policy",
            object_id: policy_id.to_string(),
            before_state: None,
            after_state: None,
            comment: Some(reason),
            detail: serde_json::json!({"cluster_id": cluster_id, "withdrawn": detail}),
        },
        now,
    )
    .await?;
    Ok(ids.len())
}

/// Parses a .csv of `USCC,方式,日期` lines (UTF-8, optional BOM and header line starting with
/// 统一社会信用代码 or USCC). Returns the lines with their file line numbers, or every
/// problem of form by line.
pub fn parse_csv(bytes: &[u8]) -> std::result::Result<Vec<ReachLine>, Vec<LineError>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(vec![LineError {
            line: 0,
            message: "文件不是 UTF-8 编码的 .csv 文本：请在 Excel 中另存为「CSV UTF-8」".into(),
        }]);
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.is_empty() {
            continue;
        }
        if i == 0 && (l.starts_with("统一社会信用代码") || l.to_uppercase().starts_with("USCC"))
        {
            continue;
        }
        let cols: Vec<&str> = l.split([',', '，']).map(str::trim).collect();
        if cols.len() != 3 {
            errors.push(LineError {
                line,
                message: format!(
                    "应为 3 列（统一社会信用代码,宣贯方式,宣贯日期），实为 {} 列",
                    cols.len()
                ),
            });
            continue;
        }
        out.push(ReachLine {
            line,
            uscc: cols[0].to_string(),
            method: cols[1].to_string(),
            on: cols[2].to_string(),
        });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(LineError {
            line: 0,
            message: "文件中没有数据行".into(),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}
