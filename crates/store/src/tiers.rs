//! Provincial tiers (issue 8): the cultivation library (培育库) and each cluster's tier
//! history, library → provincial → national.
//!
//! - 第五条: "工业和信息化部……引导和支持地方培育一批省级集群" — provinces cultivate
//!   provincial clusters.
//! - 第七条: "省级中小企业主管部门制定和完善本地区集群发展规划和专项扶持政策，建立集群培育库" —
//!   each province keeps a library; here its counties propose their clusters with reasons,
//!   the province accepts them, withdraws them (with reasons) or records their provincial
//!   recognition (date and decision document number), which moves the entry out as
//!   `promoted`.
//! - 第十二条: "申报认定的集群应在县级区划范围内，并已认定为省级集群（首批申请除外）" —
//!   [`holds_provincial_on`] answers it from the record, and [`evaluate_with_record`] runs
//!   the criteria engine with `P.provincial` taken from there (see `jiqun_domain::tiers`).
//!
//! Jurisdiction (SPEC §1): a county sees and proposes only its own clusters; a province acts
//! on and sees only its own library; anything else is `NotFound`. Every step is audited and
//! written as a `tier_events` row. National recognitions are not copied: the history reads
//! them from `recognitions` (crates/store/src/recognitions.rs records them).

use crate::applications::Actor;
use crate::audit::{self, NewEvent};
use crate::batches::Batch;
use crate::clusters::{self, Cluster, Tier};
use crate::{Conn, Result, Scope, StoreError, time};
use chrono::{DateTime, NaiveDate, Utc};
use jiqun_domain::criteria::{Edition, Evaluation, Lang};
use jiqun_domain::declaration::Declaration;
use jiqun_domain::role::Role;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Longest reasons / decision text accepted, in characters.
const MAX_TEXT: usize = 2000;

/// State of a library entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryStatus {
    /// Proposed by the county, awaiting the province.
    Proposed,
    InLibrary,
    /// Left the library on provincial recognition.
    Promoted,
    Withdrawn,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Proposed => "proposed",
            EntryStatus::InLibrary => "in_library",
            EntryStatus::Promoted => "promoted",
            EntryStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<EntryStatus> {
        [
            EntryStatus::Proposed,
            EntryStatus::InLibrary,
            EntryStatus::Promoted,
            EntryStatus::Withdrawn,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            EntryStatus::Proposed => "县级推荐，待省级入库",
            EntryStatus::InLibrary => "在培育库",
            EntryStatus::Promoted => "已认定为省级集群",
            EntryStatus::Withdrawn => "已移出",
        }
    }
}

/// One entry of a province's cultivation library, with its cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: i64,
    pub cluster_id: i64,
    pub cluster_name: String,
    pub county_code: String,
    pub authority_code: String,
    /// Code of the proposing organisation (the county bureau).
    pub proposed_by: String,
    pub reasons: String,
    pub status: EntryStatus,
    pub proposed_on: NaiveDate,
    pub entered_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub leave_reason: Option<String>,
    /// Document number of the provincial recognition.
    pub decision_no: Option<String>,
}

const COLUMNS: &str = "e.id, e.cluster_id, c.name AS cluster_name, c.county_code, e.authority_code, \
     o.code AS proposed_by, e.reasons, e.status, e.proposed_on, e.entered_on, e.left_on, \
     e.leave_reason, e.decision_no";
const FROM: &str = "FROM cultivation_entries e JOIN clusters c ON c.id = e.cluster_id \
     JOIN organisations o ON o.id = e.proposed_by";

fn opt_date(row: &AnyRow, name: &str) -> Result<Option<NaiveDate>> {
    let s: Option<String> = row.try_get(name)?;
    s.as_deref().map(time::date_from_text).transpose()
}

fn from_row(row: &AnyRow) -> Result<Entry> {
    let status: String = row.try_get("status")?;
    let proposed: String = row.try_get("proposed_on")?;
    Ok(Entry {
        id: row.try_get("id")?,
        cluster_id: row.try_get("cluster_id")?,
        cluster_name: row.try_get("cluster_name")?,
        county_code: row.try_get("county_code")?,
        authority_code: row.try_get("authority_code")?,
        proposed_by: row.try_get("proposed_by")?,
        reasons: row.try_get("reasons")?,
        status: EntryStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("未知培育库状态「{status}」")))?,
        proposed_on: time::date_from_text(&proposed)?,
        entered_on: opt_date(row, "entered_on")?,
        left_on: opt_date(row, "left_on")?,
        leave_reason: row.try_get("leave_reason")?,
        decision_no: row.try_get("decision_no")?,
    })
}

fn required_text<'a>(text: &'a str, field: &str, hint: &str) -> Result<&'a str> {
    let t = text.trim();
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

fn require_role(actor: &Actor, role: Role, what: &str) -> Result<()> {
    if actor.roles.contains(&role) {
        Ok(())
    } else {
        Err(StoreError::Refused(format!(
            "「{what}」只能由{}办理",
            role.name_zh()
        )))
    }
}

/// One entry, if it exists and `scope` may see it (a county: its own clusters; a province:
/// its own library).
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<Entry>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE e.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let e = from_row(&row)?;
    Ok(scope.allows(&e.authority_code, &e.county_code).then_some(e))
}

/// The entries `scope` may see, newest first within county and cluster name.
pub async fn list(conn: &mut Conn, scope: &Scope) -> Result<Vec<Entry>> {
    let mut w = crate::Where::new();
    scope.restrict(&mut w, "e.authority_code", "c.county_code");
    let sql = format!(
        "SELECT {COLUMNS} {FROM} {} ORDER BY c.county_code, c.name, e.id DESC",
        w.sql()
    );
    let rows = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Every entry of one cluster (oldest first); `NotFound` outside `scope`.
pub async fn for_cluster(conn: &mut Conn, scope: &Scope, cluster_id: i64) -> Result<Vec<Entry>> {
    clusters::get(conn, scope, cluster_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE e.cluster_id = $1 ORDER BY e.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(cluster_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

struct Step<'a> {
    cluster: &'a Cluster,
    entry_id: i64,
    to_tier: Tier,
    on: NaiveDate,
    decision: &'a str,
    source: &'a str,
    before: EntryStatus,
    after: EntryStatus,
}

/// The tier event, the cluster's tier (never lowered below national by this module) and the
/// audit event of one step.
async fn write_step(
    conn: &mut Conn,
    actor: &Actor,
    s: &Step<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO tier_events (cluster_id, entry_id, from_tier, to_tier, on_date, decision,
             actor_user_id, actor, actor_org, source, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(s.cluster.id)
    .bind(s.entry_id)
    .bind(s.cluster.tier.as_str())
    .bind(s.to_tier.as_str())
    .bind(time::date_to_text(s.on))
    .bind(s.decision)
    .bind(actor.user_id)
    .bind(actor.username.as_str())
    .bind(actor.org_code.as_str())
    .bind(s.source)
    .bind(time::to_text(now))
    .execute(&mut *conn)
    .await?;
    if s.to_tier != s.cluster.tier && s.cluster.tier != Tier::National {
        sqlx::query("UPDATE clusters SET tier = $1 WHERE id = $2")
            .bind(s.to_tier.as_str())
            .bind(s.cluster.id)
            .execute(&mut *conn)
            .await?;
    }
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: s.source,
            object_type: "cultivation_entry",
            object_id: s.entry_id.to_string(),
            before_state: Some(s.before.as_str()),
            after_state: Some(s.after.as_str()),
            comment: Some(s.decision),
            detail: serde_json::json!({
                "cluster_id": s.cluster.id,
                "from_tier": s.cluster.tier.as_str(),
                "to_tier": s.to_tier.as_str(),
                "on": time::date_to_text(s.on),
            }),
        },
        now,
    )
    .await?;
    Ok(())
}

/// The county proposes one of its clusters for its province's library (第七条), with reasons.
/// Refused when the cluster already has an open entry or is already provincial or national.
pub async fn propose(
    conn: &mut Conn,
    actor: &Actor,
    cluster_id: i64,
    reasons: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Entry> {
    require_role(actor, Role::County, "推荐入培育库")?;
    let reasons = required_text(reasons, "推荐理由", "请写明集群的主导产业、规模和培育基础")?;
    let cluster = clusters::get(conn, &actor.scope, cluster_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if matches!(cluster.tier, Tier::Provincial | Tier::National) {
        return Err(StoreError::Refused(format!(
            "集群「{}」已是{}，无需推荐入培育库",
            cluster.name,
            cluster.tier.name_zh()
        )));
    }
    let open: Option<(String,)> = sqlx::query_as(
        "SELECT status FROM cultivation_entries WHERE cluster_id = $1
           AND status IN ('proposed', 'in_library')",
    )
    .bind(cluster.id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((status,)) = open {
        let s = EntryStatus::parse(&status).map_or("处理中", EntryStatus::name_zh);
        return Err(StoreError::Conflict(format!(
            "集群「{}」已有培育库记录（{s}），不能重复推荐",
            cluster.name
        )));
    }
    let row = sqlx::query(
        "INSERT INTO cultivation_entries (cluster_id, authority_code, proposed_by, proposed_by_user,
             reasons, status, proposed_on, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7, $7) RETURNING id",
    )
    .bind(cluster.id)
    .bind(cluster.authority_code.as_str())
    .bind(actor.org_id)
    .bind(actor.user_id)
    .bind(reasons)
    .bind(time::date_to_text(today))
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    write_step(
        conn,
        actor,
        &Step {
            cluster: &cluster,
            entry_id: id,
            to_tier: cluster.tier,
            on: today,
            decision: reasons,
            source: "library_proposal",
            before: EntryStatus::Proposed,
            after: EntryStatus::Proposed,
        },
        now,
    )
    .await?;
    get(conn, &Scope::National, id)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The province's entry to act on: in its jurisdiction (else `NotFound`) and in one of
/// `allowed` states.
async fn province_entry(
    conn: &mut Conn,
    actor: &Actor,
    entry_id: i64,
    what: &str,
    allowed: &[EntryStatus],
) -> Result<(Entry, Cluster)> {
    require_role(actor, Role::Province, what)?;
    let entry = get(conn, &actor.scope, entry_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !allowed.contains(&entry.status) {
        return Err(StoreError::Refused(format!(
            "集群「{}」的培育库记录当前为「{}」，不能{what}",
            entry.cluster_name,
            entry.status.name_zh()
        )));
    }
    let cluster = clusters::get(conn, &Scope::National, entry.cluster_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok((entry, cluster))
}

/// The province adds a proposed cluster to its library (第七条 "建立集群培育库").
pub async fn accept(
    conn: &mut Conn,
    actor: &Actor,
    entry_id: i64,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Entry> {
    let what = "纳入培育库";
    let (entry, cluster) =
        province_entry(conn, actor, entry_id, what, &[EntryStatus::Proposed]).await?;
    sqlx::query(
        "UPDATE cultivation_entries SET status = 'in_library', entered_on = $1, updated_at = $2
         WHERE id = $3",
    )
    .bind(time::date_to_text(today))
    .bind(time::to_text(now))
    .bind(entry.id)
    .execute(&mut *conn)
    .await?;
    let to = if cluster.tier == Tier::Candidate {
        Tier::Library
    } else {
        cluster.tier
    };
    write_step(
        conn,
        actor,
        &Step {
            cluster: &cluster,
            entry_id: entry.id,
            to_tier: to,
            on: today,
            decision: "省级中小企业主管部门纳入集群培育库",
            source: "library_entry",
            before: entry.status,
            after: EntryStatus::InLibrary,
        },
        now,
    )
    .await?;
    get(conn, &Scope::National, entry.id)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The province withdraws a proposal or a library entry, with reasons (required).
pub async fn withdraw(
    conn: &mut Conn,
    actor: &Actor,
    entry_id: i64,
    reasons: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Entry> {
    let what = "移出培育库";
    let reasons = required_text(reasons, "移出理由", "请写明移出培育库的原因")?;
    let (entry, cluster) = province_entry(
        conn,
        actor,
        entry_id,
        what,
        &[EntryStatus::Proposed, EntryStatus::InLibrary],
    )
    .await?;
    sqlx::query(
        "UPDATE cultivation_entries SET status = 'withdrawn', left_on = $1, leave_reason = $2,
             updated_at = $3 WHERE id = $4",
    )
    .bind(time::date_to_text(today))
    .bind(reasons)
    .bind(time::to_text(now))
    .bind(entry.id)
    .execute(&mut *conn)
    .await?;
    let to = if cluster.tier == Tier::Library {
        Tier::Candidate
    } else {
        cluster.tier
    };
    write_step(
        conn,
        actor,
        &Step {
            cluster: &cluster,
            entry_id: entry.id,
            to_tier: to,
            on: today,
            decision: reasons,
            source: "withdrawal",
            before: entry.status,
            after: EntryStatus::Withdrawn,
        },
        now,
    )
    .await?;
    get(conn, &Scope::National, entry.id)
        .await?
        .ok_or(StoreError::NotFound)
}

/// The province records the provincial recognition of a library cluster (第五条 "培育一批
/// 省级集群"): the date of the decision and its document number. The entry leaves the
/// library as `promoted`; from `on` the cluster holds provincial status for 第十二条.
/// `on` may not be after today.
pub async fn recognise_provincial(
    conn: &mut Conn,
    actor: &Actor,
    entry_id: i64,
    on: NaiveDate,
    decision_no: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Entry> {
    let what = "登记省级认定";
    let decision_no = required_text(
        decision_no,
        "认定文号",
        "请填写省级认定文件的文号，例如「浙经信企业〔2024〕12号」",
    )?;
    if on > today {
        return Err(StoreError::Invalid(format!(
            "「认定日期」{on} 晚于今天（{today}）：请填写省级认定文件的印发日期"
        )));
    }
    let (entry, cluster) =
        province_entry(conn, actor, entry_id, what, &[EntryStatus::InLibrary]).await?;
    if entry.entered_on.is_some_and(|d| on < d) {
        return Err(StoreError::Invalid(format!(
            "「认定日期」{on} 早于入库日期 {}：请核对省级认定文件的日期",
            entry.entered_on.map(time::date_to_text).unwrap_or_default()
        )));
    }
    sqlx::query(
        "UPDATE cultivation_entries SET status = 'promoted', left_on = $1, leave_reason = $2,
             decision_no = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(time::date_to_text(on))
    .bind("认定为省级集群")
    .bind(decision_no)
    .bind(time::to_text(now))
    .bind(entry.id)
    .execute(&mut *conn)
    .await?;
    let decision = format!("认定为省级集群（{decision_no}）");
    write_step(
        conn,
        actor,
        &Step {
            cluster: &cluster,
            entry_id: entry.id,
            to_tier: Tier::Provincial,
            on,
            decision: &decision,
            source: "provincial_recognition",
            before: entry.status,
            after: EntryStatus::Promoted,
        },
        now,
    )
    .await?;
    get(conn, &Scope::National, entry.id)
        .await?
        .ok_or(StoreError::NotFound)
}

/// One line of a cluster's tier history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryItem {
    pub on: NaiveDate,
    pub from_tier: String,
    pub to_tier: String,
    /// `library_proposal`, `library_entry`, `withdrawal`, `provincial_recognition`,
    /// `national_recognition` or `revocation`.
    pub source: String,
    pub decision: String,
    /// User name, or `-` for lines read from national recognitions.
    pub actor: String,
}

impl HistoryItem {
    pub fn source_zh(&self) -> &'static str {
        match self.source.as_str() {
            "library_proposal" => "县级推荐入库",
            "library_entry" => "纳入省级培育库",
            "withdrawal" => "移出培育库",
            "provincial_recognition" => "认定为省级集群",
            "national_recognition" => "认定为国家级集群",
            "revocation" => "撤销认定",
            _ => "其他",
        }
    }
    pub fn tier_zh(tier: &str) -> &'static str {
        Tier::parse(tier).map_or("未知", Tier::name_zh)
    }
}

/// The tier history of a cluster, oldest first: library steps and provincial recognition
/// from `tier_events`; national recognitions (and provincial ones made by a provincial
/// batch), with their revocations, from `recognitions`.
/// `NotFound` outside `scope`.
pub async fn history(conn: &mut Conn, scope: &Scope, cluster_id: i64) -> Result<Vec<HistoryItem>> {
    clusters::get(conn, scope, cluster_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let rows = sqlx::query(
        "SELECT on_date, from_tier, to_tier, source, decision, actor FROM tier_events
         WHERE cluster_id = $1 ORDER BY on_date, id",
    )
    .bind(cluster_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len() + 2);
    for r in &rows {
        let on: String = r.try_get("on_date")?;
        out.push(HistoryItem {
            on: time::date_from_text(&on)?,
            from_tier: r.try_get("from_tier")?,
            to_tier: r.try_get("to_tier")?,
            source: r.try_get("source")?,
            decision: r.try_get("decision")?,
            actor: r.try_get("actor")?,
        });
    }
    let recs = sqlx::query(
        "SELECT r.level, r.valid_from, r.valid_until, r.revoked_on, r.revoked_ground, b.title
         FROM recognitions r JOIN batches b ON b.id = r.batch_id
         WHERE r.cluster_id = $1 ORDER BY r.valid_from, r.id",
    )
    .bind(cluster_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &recs {
        let from: String = r.try_get("valid_from")?;
        let until: String = r.try_get("valid_until")?;
        let title: String = r.try_get("title")?;
        let level: String = r.try_get("level")?;
        let (tier, source) = if level == "national" {
            (Tier::National, "national_recognition")
        } else {
            (Tier::Provincial, "provincial_recognition")
        };
        let before = out
            .iter()
            .rev()
            .find(|h| h.to_tier != tier.as_str())
            .map_or(Tier::Candidate.as_str().to_string(), |h| h.to_tier.clone());
        out.push(HistoryItem {
            on: time::date_from_text(&from)?,
            from_tier: before.clone(),
            to_tier: tier.as_str().into(),
            source: source.into(),
            decision: format!("{title}，有效期至 {until}"),
            actor: "-".into(),
        });
        let revoked: Option<String> = r.try_get("revoked_on")?;
        if let Some(on) = revoked {
            let ground: Option<String> = r.try_get("revoked_ground")?;
            out.push(HistoryItem {
                on: time::date_from_text(&on)?,
                from_tier: tier.as_str().into(),
                to_tier: before,
                source: "revocation".into(),
                decision: ground.unwrap_or_else(|| format!("撤销{}认定", tier.name_zh())),
                actor: "-".into(),
            });
        }
    }
    out.sort_by_key(|h| h.on);
    Ok(out)
}

/// Whether the cluster holds provincial (or national) status on `date`: a provincial
/// recognition recorded in the library dated on or before it, or a national or provincial
/// recognition of the recognition workflow (`recognitions`) valid on it and not revoked by
/// then (第十二条 "已认定为省级集群").
pub async fn holds_provincial_on(
    conn: &mut Conn,
    cluster_id: i64,
    date: NaiveDate,
) -> Result<bool> {
    let d = time::date_to_text(date);
    let provincial: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM tier_events WHERE cluster_id = $1 AND source = 'provincial_recognition'
           AND on_date <= $2 ORDER BY id LIMIT 1",
    )
    .bind(cluster_id)
    .bind(d.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    if provincial.is_some() {
        return Ok(true);
    }
    let national: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM recognitions WHERE cluster_id = $1
           AND level IN ('national', 'provincial') AND valid_from <= $2 AND valid_until >= $2
           AND (revoked_on IS NULL OR revoked_on > $2) ORDER BY id LIMIT 1",
    )
    .bind(cluster_id)
    .bind(d.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(national.is_some())
}

/// The date on which a batch asks for provincial status: the provinces' recommendation
/// deadline, else the counties' deadline, else the last day of the batch year.
pub fn batch_date(batch: &Batch) -> NaiveDate {
    batch
        .province_deadline
        .or(batch.county_deadline)
        .or_else(|| NaiveDate::from_ymd_opt(batch.year, 12, 31))
        .unwrap_or(NaiveDate::MIN)
}

/// Evaluates a declaration with the batch's edition, `P.provincial` decided from the record
/// on [`batch_date`] and the batch's `first_batch` flag; a false claim is flagged as
/// `X.provincial_claim` (see `jiqun_domain::tiers`); `C8.policy` from the policy outreach
/// register (see [`evaluate_on`]).
pub async fn evaluate_with_record(
    conn: &mut Conn,
    cluster_id: i64,
    batch: &Batch,
    decl: &Declaration,
) -> Result<Evaluation> {
    let edition = Edition::builtin(&batch.edition).ok_or_else(|| {
        StoreError::Refused(format!(
            "本批次的认定标准版本「{}」不存在，请联系工业和信息化部",
            batch.edition
        ))
    })?;
    evaluate_on(
        conn,
        cluster_id,
        edition,
        batch_date(batch),
        batch.first_batch,
        decl,
    )
    .await
}

/// The one evaluation of a declaration of a cluster the system knows, used by every caller
/// (self-evaluation, the API, annual reports, re-examinations, the demo): the tier record
/// on `on` decides `P.provincial` (and a false claim is flagged as `X.provincial_claim`),
/// and the policy outreach register (reaches dated on or before `on`) decides `C8.policy`,
/// naming the roster enterprises not yet reached (`crate::outreach`).
pub async fn evaluate_on(
    conn: &mut Conn,
    cluster_id: i64,
    edition: &Edition,
    on: NaiveDate,
    first_batch: bool,
    decl: &Declaration,
) -> Result<Evaluation> {
    let holds = holds_provincial_on(conn, cluster_id, on).await?;
    let reached = crate::outreach::reached(conn, cluster_id, on).await?;
    Ok(jiqun_domain::tiers::evaluate_on(
        decl,
        edition,
        jiqun_domain::tiers::Record {
            holds_provincial: holds,
            first_batch,
            on,
        },
        Some(&reached),
        Lang::Zh,
    ))
}

/// A provincial recognition made before jiqun (real provinces already keep lists), recorded
/// by the province with its date and document number: from `on` the cluster holds provincial
/// status for 第十二条. Refused for a cluster with an open library entry (record it there),
/// one already recorded as provincial, and a date after today. Audited
/// (`prior_provincial_recognition`) and written as a `tier_events` row.
pub async fn record_prior(
    conn: &mut Conn,
    actor: &Actor,
    cluster_id: i64,
    on: NaiveDate,
    decision_no: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<()> {
    require_role(actor, Role::Province, "登记既有省级认定")?;
    let decision_no = required_text(
        decision_no,
        "认定文号",
        "请填写省级认定文件的文号，例如「浙经信企业〔2021〕30号」",
    )?;
    if on > today {
        return Err(StoreError::Invalid(format!(
            "「认定日期」{on} 晚于今天（{today}）：请填写省级认定文件的印发日期"
        )));
    }
    let cluster = clusters::get(conn, &actor.scope, cluster_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let recorded: Option<(String,)> = sqlx::query_as(
        "SELECT on_date FROM tier_events WHERE cluster_id = $1 AND source = 'provincial_recognition'
         ORDER BY id LIMIT 1",
    )
    .bind(cluster.id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some((d,)) = recorded {
        return Err(StoreError::Conflict(format!(
            "集群「{}」已登记省级认定（{d}），无需重复登记",
            cluster.name
        )));
    }
    let open: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM cultivation_entries WHERE cluster_id = $1
           AND status IN ('proposed', 'in_library')",
    )
    .bind(cluster.id)
    .fetch_optional(&mut *conn)
    .await?;
    if open.is_some() {
        return Err(StoreError::Refused(format!(
            "集群「{}」在培育库中有待办记录，请在「省级集群培育库」中登记省级认定",
            cluster.name
        )));
    }
    let decision = format!("既有省级认定（{decision_no}），在本系统启用前作出");
    sqlx::query(
        "INSERT INTO tier_events (cluster_id, entry_id, from_tier, to_tier, on_date, decision,
             actor_user_id, actor, actor_org, source, created_at)
         VALUES ($1, NULL, $2, $3, $4, $5, $6, $7, $8, 'provincial_recognition', $9)",
    )
    .bind(cluster.id)
    .bind(cluster.tier.as_str())
    .bind(Tier::Provincial.as_str())
    .bind(time::date_to_text(on))
    .bind(decision.as_str())
    .bind(actor.user_id)
    .bind(actor.username.as_str())
    .bind(actor.org_code.as_str())
    .bind(time::to_text(now))
    .execute(&mut *conn)
    .await?;
    if matches!(cluster.tier, Tier::Candidate | Tier::Library) {
        sqlx::query("UPDATE clusters SET tier = $1 WHERE id = $2")
            .bind(Tier::Provincial.as_str())
            .bind(cluster.id)
            .execute(&mut *conn)
            .await?;
    }
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "prior_provincial_recognition",
            object_type: "cluster",
            object_id: cluster.id.to_string(),
            before_state: Some(cluster.tier.as_str()),
            after_state: Some(Tier::Provincial.as_str()),
            comment: Some(&decision),
            detail: serde_json::json!({
                "on": time::date_to_text(on),
                "decision_no": decision_no,
            }),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Provincial recognitions recorded in `scope` (library promotions and prior ones), as
/// (cluster id, cluster name, county code, date, decision), newest first.
pub async fn provincial_recognitions(
    conn: &mut Conn,
    scope: &Scope,
) -> Result<Vec<(i64, String, String, NaiveDate, String)>> {
    let mut w = crate::Where::new();
    scope.restrict(&mut w, "c.authority_code", "c.county_code");
    w.raw("t.source = 'provincial_recognition'");
    let sql = format!(
        "SELECT c.id, c.name, c.county_code, t.on_date, t.decision FROM tier_events t
         JOIN clusters c ON c.id = t.cluster_id {} ORDER BY t.on_date DESC, t.id DESC",
        w.sql()
    );
    let rows = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            let on: String = r.try_get("on_date")?;
            Ok((
                r.try_get("id")?,
                r.try_get("name")?,
                r.try_get("county_code")?,
                time::date_from_text(&on)?,
                r.try_get("decision")?,
            ))
        })
        .collect()
}
