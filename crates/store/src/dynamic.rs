//! Dynamic management after recognition (第四章, 第十五条–第十七条): annual reports, change
//! reports, incidents, re-examination, revocation cases and the daily sweep that sends
//! reminders and opens cases. The rules themselves are pure functions in
//! [`jiqun_domain::dynamic`]; this module keeps the records, checks who may act, and writes
//! every step to the audit chain in the caller's transaction.
//!
//! Who does what:
//! - the county (第十六条 "组织集群…填报") files annual reports, change reports and the
//!   re-examination form for clusters in its county;
//! - the province accepts or returns reports, records incidents and changes it discovered,
//!   checks re-examinations (reasons required for a failure) and gives its opinion on cases;
//! - the ministry records incidents, opens cases, and decides re-examinations and cases
//!   (第十五条, 第十七条).

use crate::applications::Actor;
use crate::audit::{self, NewEvent};
use crate::{Conn, Result, Scope, StoreError, time};
use chrono::{DateTime, NaiveDate, Utc};
use jiqun_domain::clock::china_date;
use jiqun_domain::criteria::Edition;
use jiqun_domain::declaration::{IncidentKind, IncidentLevel};
use jiqun_domain::dynamic::{
    self as rules, AnnualReport, ChangeKind, Deadline, Ground, ReexamForm,
};
use jiqun_domain::role::Role;
use sqlx::Row;
use sqlx::any::AnyRow;

/// A recognition with what dynamic management needs of its cluster and batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Managed {
    pub id: i64,
    pub cluster_id: i64,
    pub cluster_name: String,
    pub county_code: String,
    pub authority_code: String,
    pub leading_industry: String,
    pub batch_id: i64,
    pub batch_title: String,
    pub batch_year: i32,
    pub edition: String,
    pub level: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// `active`, `extended` or `revoked`.
    pub status: String,
    pub revoked_on: Option<NaiveDate>,
    pub revoked_ground: Option<String>,
    pub extensions: i64,
    /// "MM-DD" (第十六条: 04-30; some batches 03-31).
    pub annual_report_due: String,
    pub reexam_window_months: u32,
}

impl Managed {
    pub fn is_live(&self) -> bool {
        matches!(self.status.as_str(), "active" | "extended")
    }
    pub fn status_zh(&self) -> &'static str {
        match self.status.as_str() {
            "active" => "有效",
            "extended" => "复核通过，已延期",
            "revoked" => "已撤销",
            _ => "未知",
        }
    }
    /// The due date of the report for `year`.
    pub fn report_due(&self, year: i32) -> Result<NaiveDate> {
        rules::report_due(year, &self.annual_report_due).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "批次「{}」的年度报告截止日「{}」无效",
                self.batch_title, self.annual_report_due
            ))
        })
    }
    pub fn report_years(&self) -> Vec<i32> {
        rules::report_years(self.valid_from, self.valid_until)
    }
}

const MANAGED: &str = "SELECT r.id, r.cluster_id, c.name AS cluster_name, c.county_code, c.authority_code,
        c.leading_industry, r.batch_id, b.title AS batch_title, b.year AS batch_year, b.edition,
        r.level, r.valid_from, r.valid_until, r.status, r.revoked_on, r.revoked_ground, r.extensions,
        b.annual_report_due, b.reexam_window_months
     FROM recognitions r JOIN clusters c ON c.id = r.cluster_id JOIN batches b ON b.id = r.batch_id";

fn managed_from_row(row: &AnyRow) -> Result<Managed> {
    let from: String = row.try_get("valid_from")?;
    let until: String = row.try_get("valid_until")?;
    let revoked: Option<String> = row.try_get("revoked_on")?;
    let year: i64 = row.try_get("batch_year")?;
    let months: i64 = row.try_get("reexam_window_months")?;
    Ok(Managed {
        id: row.try_get("id")?,
        cluster_id: row.try_get("cluster_id")?,
        cluster_name: row.try_get("cluster_name")?,
        county_code: row.try_get("county_code")?,
        authority_code: row.try_get("authority_code")?,
        leading_industry: row.try_get("leading_industry")?,
        batch_id: row.try_get("batch_id")?,
        batch_title: row.try_get("batch_title")?,
        batch_year: year as i32,
        edition: row.try_get("edition")?,
        level: row.try_get("level")?,
        valid_from: time::date_from_text(&from)?,
        valid_until: time::date_from_text(&until)?,
        status: row.try_get("status")?,
        revoked_on: revoked.as_deref().map(time::date_from_text).transpose()?,
        revoked_ground: row.try_get("revoked_ground")?,
        extensions: row.try_get("extensions")?,
        annual_report_due: row.try_get("annual_report_due")?,
        reexam_window_months: u32::try_from(months).unwrap_or(6),
    })
}

/// One recognition, if `scope` may see it (otherwise `None`: the caller answers 404).
pub async fn managed(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<Managed>> {
    let sql = format!("{MANAGED} WHERE r.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(m) = row.as_ref().map(managed_from_row).transpose()? else {
        return Ok(None);
    };
    Ok(scope.allows(&m.authority_code, &m.county_code).then_some(m))
}

/// Recognitions visible in `scope`, by authority, county and name.
pub async fn list_managed(conn: &mut Conn, scope: &Scope) -> Result<Vec<Managed>> {
    let mut w = crate::Where::new();
    scope.restrict(&mut w, "c.authority_code", "c.county_code");
    let sql = format!(
        "{MANAGED} {} ORDER BY c.authority_code, c.county_code, c.name, r.id",
        w.sql()
    );
    let rows = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(managed_from_row).collect()
}

/// Filters of the recognition list (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManagedFilter {
    pub authority_code: Option<String>,
    pub batch_id: Option<i64>,
    /// `active`, `extended`, `revoked` or `expired`.
    pub status: Option<String>,
}

/// One page of the recognitions visible in `scope`, in the order of [`list_managed`].
pub async fn list_managed_page(
    conn: &mut Conn,
    scope: &Scope,
    f: &ManagedFilter,
    page: crate::PageReq,
) -> Result<crate::Paged<Managed>> {
    let mut w = crate::Where::new();
    scope.restrict(&mut w, "c.authority_code", "c.county_code");
    if let Some(a) = &f.authority_code {
        w.eq("c.authority_code", crate::Bind::Text(a.clone()));
    }
    if let Some(b) = f.batch_id {
        w.eq("r.batch_id", crate::Bind::Int(b));
    }
    if let Some(s) = &f.status {
        w.eq("r.status", crate::Bind::Text(s.clone()));
    }
    crate::fetch_page(
        conn,
        MANAGED,
        &w,
        "c.authority_code, c.county_code, c.name, r.id",
        page,
    )
    .await?
    .try_map(|r| managed_from_row(&r))
}

fn refused(msg: impl Into<String>) -> StoreError {
    StoreError::Refused(msg.into())
}

fn require(actor: &Actor, roles: &[Role], what: &str) -> Result<()> {
    if roles.iter().any(|r| actor.roles.contains(r)) {
        return Ok(());
    }
    let names: Vec<&str> = roles.iter().map(|r| r.name_zh()).collect();
    Err(refused(format!("「{what}」只能由{}办理", names.join("或"))))
}

fn require_live(m: &Managed) -> Result<()> {
    if m.is_live() {
        Ok(())
    } else {
        Err(refused(format!(
            "集群「{}」的认定已撤销，不能再办理此事项",
            m.cluster_name
        )))
    }
}

fn require_reason(text: &str, field: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(StoreError::Invalid(format!("{field}：必须填写")));
    }
    if t.chars().count() > rules::MAX_TEXT_CHARS {
        return Err(StoreError::Invalid(format!(
            "{field}：不能超过 {} 字",
            rules::MAX_TEXT_CHARS
        )));
    }
    Ok(t.to_string())
}

#[allow(clippy::too_many_arguments)]
async fn log(
    conn: &mut Conn,
    actor: Option<&Actor>,
    action: &str,
    object_type: &str,
    object_id: i64,
    before: Option<&str>,
    after: Option<&str>,
    comment: Option<&str>,
    detail: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: actor.map(|a| a.user_id),
            actor: actor.map_or("system", |a| a.username.as_str()),
            actor_org: actor.map_or("-", |a| a.org_code.as_str()),
            action,
            object_type,
            object_id: object_id.to_string(),
            before_state: before,
            after_state: after,
            comment,
            detail,
        },
        now,
    )
    .await?;
    Ok(())
}

async fn notify(
    conn: &mut Conn,
    org_code: &str,
    kind: &str,
    title: &str,
    body: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    crate::notifications::notify_org_code(conn, org_code, kind, title, body, Some(link), now).await
}

fn link(m: &Managed) -> String {
    format!("/recognitions/{}", m.id)
}

/// Evaluates the declaration of a report with the one evaluation of a known cluster
/// (`crate::tiers::evaluate_on`): `P.provincial` from the tier record and `C8.policy` from
/// the policy outreach register, both as of `on`.
async fn evaluate(
    conn: &mut Conn,
    cluster_id: i64,
    on: NaiveDate,
    decl: &jiqun_domain::declaration::Declaration,
) -> Result<(String, bool)> {
    let edition = Edition::builtin(&decl.edition).ok_or_else(|| {
        StoreError::Invalid(format!(
            "edition：未知的认定标准版本「{}」（可选：{}）",
            decl.edition,
            Edition::builtin_ids().join("、")
        ))
    })?;
    let ev = crate::tiers::evaluate_on(conn, cluster_id, edition, on, false, decl).await?;
    let json = serde_json::to_string(&ev)
        .map_err(|e| StoreError::Corrupt(format!("评价结果无法序列化：{e}")))?;
    Ok((json, ev.eligible))
}

// ---------------------------------------------------------------------------------------
// Annual reports (第十六条)

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnualReportRow {
    pub id: i64,
    pub recognition_id: i64,
    pub year: i32,
    /// `draft`, `submitted`, `returned` or `accepted`.
    pub status: String,
    pub content: String,
    pub due_date: NaiveDate,
    pub late: bool,
    pub eligible: Option<bool>,
    pub evaluation: Option<String>,
    pub comment: Option<String>,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    pub updated_at: String,
}

impl AnnualReportRow {
    pub fn status_zh(&self) -> &'static str {
        match self.status.as_str() {
            "draft" => "草稿",
            "submitted" => "已报送，待省级审核",
            "returned" => "已退回修改",
            "accepted" => "省级已审核，已报工业和信息化部",
            _ => "未知",
        }
    }
    /// Filed in time or late, but filed.
    pub fn is_filed(&self) -> bool {
        matches!(self.status.as_str(), "submitted" | "accepted")
    }
}

const REPORT_COLUMNS: &str =
    "id, recognition_id, year, status, content, due_date, late, eligible, evaluation,
     comment, submitted_at, decided_at, updated_at";

fn report_from_row(row: &AnyRow) -> Result<AnnualReportRow> {
    let year: i64 = row.try_get("year")?;
    let due: String = row.try_get("due_date")?;
    let late: i64 = row.try_get("late")?;
    let eligible: Option<i64> = row.try_get("eligible")?;
    Ok(AnnualReportRow {
        id: row.try_get("id")?,
        recognition_id: row.try_get("recognition_id")?,
        year: year as i32,
        status: row.try_get("status")?,
        content: row.try_get("content")?,
        due_date: time::date_from_text(&due)?,
        late: late != 0,
        eligible: eligible.map(|e| e != 0),
        evaluation: row.try_get("evaluation")?,
        comment: row.try_get("comment")?,
        submitted_at: row.try_get("submitted_at")?,
        decided_at: row.try_get("decided_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn reports(conn: &mut Conn, recognition_id: i64) -> Result<Vec<AnnualReportRow>> {
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM annual_reports WHERE recognition_id = $1 ORDER BY year"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(recognition_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(report_from_row).collect()
}

pub async fn report(
    conn: &mut Conn,
    recognition_id: i64,
    year: i32,
) -> Result<Option<AnnualReportRow>> {
    let sql = format!(
        "SELECT {REPORT_COLUMNS} FROM annual_reports WHERE recognition_id = $1 AND year = $2"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(recognition_id)
        .bind(i64::from(year))
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(report_from_row).transpose()
}

/// Saves (creates or replaces) the draft of an annual report; the county of the cluster
/// only, for a year of validity that has ended. `raw` is the report as submitted (kept
/// verbatim), `parsed` its validated form.
pub async fn save_report(
    conn: &mut Conn,
    actor: &Actor,
    recognition_id: i64,
    raw: &serde_json::Value,
    parsed: &AnnualReport,
    now: DateTime<Utc>,
) -> Result<AnnualReportRow> {
    require(actor, &[Role::County], "填报年度培育情况")?;
    let m = managed(conn, &actor.scope, recognition_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    require_live(&m)?;
    let year = parsed.year;
    if !m.report_years().contains(&year) {
        return Err(StoreError::Invalid(format!(
            "year：{year}年不在认定有效期内的报告年度中（{}）",
            m.report_years()
                .iter()
                .map(|y| format!("{y}年"))
                .collect::<Vec<_>>()
                .join("、")
        )));
    }
    let today = china_date(now);
    if !rules::year_has_ended(year, today) {
        return Err(StoreError::Invalid(format!(
            "year：{year}年度尚未结束，{}年1月1日起才能填报",
            year + 1
        )));
    }
    if parsed.declaration.cluster.county_code != m.county_code {
        return Err(StoreError::Invalid(format!(
            "declaration.cluster.county_code：应为集群所在县 {}，现为 {}",
            m.county_code, parsed.declaration.cluster.county_code
        )));
    }
    let due = m.report_due(year)?;
    // The record and the outreach register as of the end of the report year (or of the
    // recognition, if it ends within the year).
    let on = NaiveDate::from_ymd_opt(year, 12, 31)
        .unwrap_or(today)
        .min(m.valid_until);
    let (evaluation, eligible) = evaluate(conn, m.cluster_id, on, &parsed.declaration).await?;
    let content = raw.to_string();
    let existing = report(conn, m.id, year).await?;
    let stamp = time::to_text(now);
    let row = match &existing {
        Some(r) if r.is_filed() => {
            return Err(refused(format!(
                "{year}年度报告{}，不能再修改；如需更正请联系省级主管部门退回",
                r.status_zh()
            )));
        }
        Some(r) => {
            sqlx::query(
                "UPDATE annual_reports SET content = $1, eligible = $2, evaluation = $3, updated_at = $4,
                     status = 'draft' WHERE id = $5",
            )
            .bind(&content)
            .bind(i64::from(eligible))
            .bind(&evaluation)
            .bind(&stamp)
            .bind(r.id)
            .execute(&mut *conn)
            .await?;
            r.id
        }
        None => {
            let row = sqlx::query(
                "INSERT INTO annual_reports (recognition_id, year, status, content, due_date, eligible,
                     evaluation, created_by, created_at, updated_at)
                 VALUES ($1, $2, 'draft', $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(m.id)
            .bind(i64::from(year))
            .bind(&content)
            .bind(time::date_to_text(due))
            .bind(i64::from(eligible))
            .bind(&evaluation)
            .bind(actor.user_id)
            .bind(&stamp)
            .fetch_one(&mut *conn)
            .await?;
            row.try_get("id")?
        }
    };
    log(
        conn,
        Some(actor),
        "annual_report.save",
        "annual_report",
        row,
        existing.as_ref().map(|r| r.status.as_str()),
        Some("draft"),
        None,
        serde_json::json!({"recognition_id": m.id, "year": year}),
        now,
    )
    .await?;
    report(conn, m.id, year).await?.ok_or(StoreError::NotFound)
}

/// Submits a saved report to the province. Late when after the due date (still accepted:
/// a late report ends the overdue state, and the R3 case records the delay).
pub async fn submit_report(
    conn: &mut Conn,
    actor: &Actor,
    recognition_id: i64,
    year: i32,
    now: DateTime<Utc>,
) -> Result<AnnualReportRow> {
    require(actor, &[Role::County], "报送年度培育情况")?;
    let m = managed(conn, &actor.scope, recognition_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    require_live(&m)?;
    let r = report(conn, m.id, year)
        .await?
        .ok_or_else(|| refused(format!("{year}年度报告尚未保存，请先填写并保存")))?;
    if r.status != "draft" {
        return Err(refused(format!(
            "{year}年度报告{}，不能再次报送",
            r.status_zh()
        )));
    }
    let late = china_date(now) > r.due_date;
    sqlx::query(
        "UPDATE annual_reports SET status = 'submitted', submitted_at = $1, updated_at = $1, late = $2
         WHERE id = $3 AND status = 'draft'",
    )
    .bind(time::to_text(now))
    .bind(i64::from(late))
    .bind(r.id)
    .execute(&mut *conn)
    .await?;
    // The filed report's numbers, for the dashboards (migration 0010).
    crate::monitoring::record_report(conn, m.id, year, &r.content).await?;
    log(
        conn,
        Some(actor),
        "annual_report.submit",
        "annual_report",
        r.id,
        Some("draft"),
        Some("submitted"),
        None,
        serde_json::json!({"recognition_id": m.id, "year": year, "late": late,
            "due_date": time::date_to_text(r.due_date)}),
        now,
    )
    .await?;
    let title = format!("{}报送了{year}年度培育情况", m.cluster_name);
    let body = if late {
        format!("已逾期（截止日 {}），请审核", r.due_date)
    } else {
        "请审核后报送工业和信息化部".into()
    };
    notify(
        conn,
        &m.authority_code,
        "annual_report",
        &title,
        &body,
        &link(&m),
        now,
    )
    .await?;
    report(conn, m.id, year).await?.ok_or(StoreError::NotFound)
}

/// The province accepts (forwarding to the ministry) or returns (comment required) a
/// submitted report.
pub async fn review_report(
    conn: &mut Conn,
    actor: &Actor,
    recognition_id: i64,
    year: i32,
    accept: bool,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<AnnualReportRow> {
    require(actor, &[Role::Province], "审核年度培育情况")?;
    let m = managed(conn, &actor.scope, recognition_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let r = report(conn, m.id, year)
        .await?
        .ok_or(StoreError::NotFound)?;
    if r.status != "submitted" {
        return Err(refused(format!(
            "{year}年度报告{}，只有已报送的报告可以审核",
            r.status_zh()
        )));
    }
    let comment = if accept {
        comment.trim().to_string()
    } else {
        require_reason(comment, "退回意见")?
    };
    let to = if accept { "accepted" } else { "draft" };
    sqlx::query(
        "UPDATE annual_reports SET status = $1, comment = $2, decided_by = $3, decided_at = $4,
             updated_at = $4 WHERE id = $5 AND status = 'submitted'",
    )
    .bind(to)
    .bind(&comment)
    .bind(actor.user_id)
    .bind(time::to_text(now))
    .bind(r.id)
    .execute(&mut *conn)
    .await?;
    if !accept {
        // Back to draft: no longer filed, so its numbers leave the dashboards.
        crate::monitoring::forget_document(conn, m.id, i64::from(year)).await?;
    }
    log(
        conn,
        Some(actor),
        if accept {
            "annual_report.accept"
        } else {
            "annual_report.return"
        },
        "annual_report",
        r.id,
        Some("submitted"),
        Some(if accept { "accepted" } else { "returned" }),
        (!comment.is_empty()).then_some(comment.as_str()),
        serde_json::json!({"recognition_id": m.id, "year": year}),
        now,
    )
    .await?;
    if accept {
        notify(
            conn,
            crate::orgs::MINISTRY_CODE,
            "annual_report",
            &format!("{}{year}年度培育情况已经省级审核", m.cluster_name),
            "省级主管部门已审核报送",
            &link(&m),
            now,
        )
        .await?;
    } else {
        notify(
            conn,
            &m.county_code,
            "annual_report",
            &format!("{}{year}年度培育情况被退回", m.cluster_name),
            &format!("退回意见：{comment}"),
            &link(&m),
            now,
        )
        .await?;
    }
    report(conn, m.id, year).await?.ok_or(StoreError::NotFound)
}

/// Where each report year of a recognition stands on `today`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDue {
    pub year: i32,
    pub due: NaiveDate,
    pub deadline: Deadline,
    pub report: Option<AnnualReportRow>,
}

impl ReportDue {
    pub fn is_overdue(&self) -> bool {
        matches!(self.deadline, Deadline::Overdue { .. })
            && !self.report.as_ref().is_some_and(AnnualReportRow::is_filed)
    }
    pub fn state_zh(&self) -> String {
        if let Some(r) = &self.report
            && r.is_filed()
        {
            return if r.late {
                format!("{}（逾期报送）", r.status_zh())
            } else {
                r.status_zh().to_string()
            };
        }
        match self.deadline {
            Deadline::NotYetDue => "年度未结束".into(),
            Deadline::Open { days_left } => format!("待报送，剩余 {days_left} 天"),
            Deadline::Overdue { days } => format!("已逾期 {days} 天"),
        }
    }
}

pub async fn report_schedule(
    conn: &mut Conn,
    m: &Managed,
    today: NaiveDate,
) -> Result<Vec<ReportDue>> {
    let filed = reports(conn, m.id).await?;
    schedule_from(m, &filed, today)
}

/// The report years of `m` with their state on `today`, given its report rows.
fn schedule_from(
    m: &Managed,
    filed: &[AnnualReportRow],
    today: NaiveDate,
) -> Result<Vec<ReportDue>> {
    m.report_years()
        .into_iter()
        .map(|year| Ok((year, m.report_due(year)?)))
        // After a revocation no further report is due; one filed before stays listed.
        .filter(|r: &Result<(i32, NaiveDate)>| match (r, m.revoked_on) {
            (Ok((year, due)), Some(revoked)) => {
                *due <= revoked || filed.iter().any(|f| f.year == *year)
            }
            _ => true,
        })
        .map(|r| {
            let (year, due) = r?;
            Ok(ReportDue {
                year,
                due,
                deadline: rules::deadline(year, due, today),
                report: filed.iter().find(|r| r.year == year).cloned(),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Change reports (第十七条（四）)

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRow {
    pub id: i64,
    pub recognition_id: i64,
    pub kind: String,
    pub before_value: String,
    pub after_value: String,
    pub effective_date: NaiveDate,
    /// `reported` (by the county) or `discovered` (by the province, without a report).
    pub source: String,
    pub description: String,
    pub org_code: String,
    pub recorded_at: String,
}

impl ChangeRow {
    pub fn kind_zh(&self) -> &'static str {
        self.kind
            .parse::<ChangeKind>()
            .map_or("未知", ChangeKind::name_zh)
    }
}

pub struct NewChange<'a> {
    pub kind: ChangeKind,
    pub after_value: &'a str,
    pub effective_date: NaiveDate,
    pub description: &'a str,
}

/// Records a change. From the county it is a report (重大变动报备); from the province it is
/// a change discovered without a prior report, which opens an R4 case candidate. A change of
/// leading industry updates the cluster record; every change stays in the history.
pub async fn record_change(
    conn: &mut Conn,
    actor: &Actor,
    recognition_id: i64,
    c: &NewChange<'_>,
    now: DateTime<Utc>,
) -> Result<ChangeRow> {
    require(actor, &[Role::County, Role::Province], "记录重大变动")?;
    let m = managed(conn, &actor.scope, recognition_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    require_live(&m)?;
    let after = require_reason(c.after_value, "变动后内容")?;
    let description = c.description.trim().to_string();
    if c.effective_date > china_date(now) + chrono::Days::new(366) {
        return Err(StoreError::Invalid(
            "effective_date：生效日期不能晚于一年以后".into(),
        ));
    }
    let source = if actor.roles.contains(&Role::County) {
        "reported"
    } else {
        "discovered"
    };
    let before = match c.kind {
        ChangeKind::LeadingIndustry => m.leading_industry.clone(),
        _ => latest_change_value(conn, m.id, c.kind)
            .await?
            .unwrap_or_default(),
    };
    let row = sqlx::query(
        "INSERT INTO change_reports (recognition_id, kind, before_value, after_value, effective_date,
             source, description, recorded_by, org_code, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(m.id)
    .bind(c.kind.as_str())
    .bind(&before)
    .bind(&after)
    .bind(time::date_to_text(c.effective_date))
    .bind(source)
    .bind(&description)
    .bind(actor.user_id)
    .bind(&actor.org_code)
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    if c.kind == ChangeKind::LeadingIndustry {
        sqlx::query("UPDATE clusters SET leading_industry = $1 WHERE id = $2")
            .bind(&after)
            .bind(m.cluster_id)
            .execute(&mut *conn)
            .await?;
    }
    log(
        conn,
        Some(actor),
        if source == "reported" {
            "change.report"
        } else {
            "change.discover"
        },
        "recognition",
        m.id,
        None,
        None,
        (!description.is_empty()).then_some(description.as_str()),
        serde_json::json!({"change_id": id, "kind": c.kind.as_str(), "before": before,
            "after": after, "effective_date": time::date_to_text(c.effective_date)}),
        now,
    )
    .await?;
    if source == "discovered" {
        let facts = format!(
            "省级主管部门发现集群{}变更（{} → {}，{}起）未及时报备。{}",
            c.kind.name_zh(),
            if before.is_empty() {
                "原内容未登记"
            } else {
                &before
            },
            after,
            c.effective_date,
            description
        );
        open_case(
            conn,
            Some(actor),
            &m,
            Ground::R4,
            &format!("change:{id}"),
            "candidate",
            &facts,
            "",
            now,
        )
        .await?;
    } else {
        notify(
            conn,
            &m.authority_code,
            "change",
            &format!("{}报备{}变更", m.cluster_name, c.kind.name_zh()),
            &format!("变更为「{after}」，{}起生效", c.effective_date),
            &link(&m),
            now,
        )
        .await?;
    }
    changes(conn, m.id)
        .await?
        .into_iter()
        .find(|ch| ch.id == id)
        .ok_or(StoreError::NotFound)
}

async fn latest_change_value(
    conn: &mut Conn,
    recognition_id: i64,
    kind: ChangeKind,
) -> Result<Option<String>> {
    let row = sqlx::query(
        "SELECT after_value FROM change_reports WHERE recognition_id = $1 AND kind = $2
         ORDER BY id DESC LIMIT 1",
    )
    .bind(recognition_id)
    .bind(kind.as_str())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get("after_value"))
        .transpose()
        .map_err(Into::into)
}

pub async fn changes(conn: &mut Conn, recognition_id: i64) -> Result<Vec<ChangeRow>> {
    let rows = sqlx::query(
        "SELECT id, recognition_id, kind, before_value, after_value, effective_date, source, description,
             org_code, recorded_at
         FROM change_reports WHERE recognition_id = $1 ORDER BY id",
    )
    .bind(recognition_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let eff: String = r.try_get("effective_date")?;
            Ok(ChangeRow {
                id: r.try_get("id")?,
                recognition_id: r.try_get("recognition_id")?,
                kind: r.try_get("kind")?,
                before_value: r.try_get("before_value")?,
                after_value: r.try_get("after_value")?,
                effective_date: time::date_from_text(&eff)?,
                source: r.try_get("source")?,
                description: r.try_get("description")?,
                org_code: r.try_get("org_code")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Incidents (第十七条（五）)

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRow {
    pub id: i64,
    pub recognition_id: i64,
    pub kind: String,
    pub level: String,
    pub occurred_on: NaiveDate,
    pub source: String,
    pub description: String,
    pub serious: bool,
    pub org_code: String,
    pub recorded_at: String,
}

pub struct NewIncident<'a> {
    pub kind: IncidentKind,
    pub level: IncidentLevel,
    pub occurred_on: NaiveDate,
    pub source: &'a str,
    pub description: &'a str,
}

fn enum_text<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn incident_kind_zh(kind: &str) -> &'static str {
    match kind {
        "safety" => "安全事故",
        "quality" => "质量事故",
        "environment" => "环境污染事故",
        "cyber" => "网络安全事件",
        "data" => "数据安全事件",
        "tax" => "偷税漏税",
        "illegal" => "违法违规",
        "dishonesty" => "严重失信",
        _ => "其他",
    }
}

pub fn incident_level_zh(level: &str) -> &'static str {
    match level {
        "general" => "一般",
        "larger" => "较大",
        "major" => "重大",
        "especially_major" => "特别重大",
        _ => "未知",
    }
}

/// Records an incident (province or ministry). One that meets the veto levels of the
/// recognition's edition (`N.incidents`, SPEC §3) opens an R5 case candidate.
pub async fn record_incident(
    conn: &mut Conn,
    actor: &Actor,
    recognition_id: i64,
    i: &NewIncident<'_>,
    now: DateTime<Utc>,
) -> Result<IncidentRow> {
    require(actor, &[Role::Province, Role::Ministry], "记录事故和事件")?;
    let m = managed(conn, &actor.scope, recognition_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    require_live(&m)?;
    if i.occurred_on > china_date(now) {
        return Err(StoreError::Invalid(
            "occurred_on：发生日期不能晚于今天".into(),
        ));
    }
    let source = require_reason(i.source, "信息来源")?;
    let description = require_reason(i.description, "事故或事件经过")?;
    let edition = Edition::builtin(&m.edition)
        .or_else(|| Edition::builtin("2022"))
        .ok_or_else(|| StoreError::Corrupt("没有可用的认定标准版本".into()))?;
    let serious = edition
        .criteria
        .iter()
        .filter_map(|c| c.veto.as_ref())
        .any(|rule| rules::incident_is_serious(rule, i.kind, i.level));
    let (kind, level) = (enum_text(&i.kind), enum_text(&i.level));
    let row = sqlx::query(
        "INSERT INTO incidents (recognition_id, kind, level, occurred_on, source, description, serious,
             recorded_by, org_code, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(m.id)
    .bind(&kind)
    .bind(&level)
    .bind(time::date_to_text(i.occurred_on))
    .bind(&source)
    .bind(&description)
    .bind(i64::from(serious))
    .bind(actor.user_id)
    .bind(&actor.org_code)
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    log(
        conn,
        Some(actor),
        "incident.record",
        "recognition",
        m.id,
        None,
        None,
        None,
        serde_json::json!({"incident_id": id, "kind": kind, "level": level,
            "occurred_on": time::date_to_text(i.occurred_on), "serious": serious}),
        now,
    )
    .await?;
    if serious {
        let facts = format!(
            "{}发生{}级{}（{}）：{}。来源：{}",
            i.occurred_on,
            incident_level_zh(&level),
            incident_kind_zh(&kind),
            Ground::R5.article(),
            description,
            source
        );
        open_case(
            conn,
            Some(actor),
            &m,
            Ground::R5,
            &format!("incident:{id}"),
            "candidate",
            &facts,
            "",
            now,
        )
        .await?;
    }
    incidents(conn, m.id)
        .await?
        .into_iter()
        .find(|x| x.id == id)
        .ok_or(StoreError::NotFound)
}

pub async fn incidents(conn: &mut Conn, recognition_id: i64) -> Result<Vec<IncidentRow>> {
    let rows = sqlx::query(
        "SELECT id, recognition_id, kind, level, occurred_on, source, description, serious, org_code,
             recorded_at
         FROM incidents WHERE recognition_id = $1 ORDER BY occurred_on, id",
    )
    .bind(recognition_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let on: String = r.try_get("occurred_on")?;
            let serious: i64 = r.try_get("serious")?;
            Ok(IncidentRow {
                id: r.try_get("id")?,
                recognition_id: r.try_get("recognition_id")?,
                kind: r.try_get("kind")?,
                level: r.try_get("level")?,
                occurred_on: time::date_from_text(&on)?,
                source: r.try_get("source")?,
                description: r.try_get("description")?,
                serious: serious != 0,
                org_code: r.try_get("org_code")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Revocation cases (第十七条)

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub id: i64,
    pub recognition_id: i64,
    pub ground: Ground,
    pub ref_key: String,
    /// `candidate`, `open`, `revoked` or `closed`.
    pub status: String,
    pub facts: String,
    pub evidence: String,
    pub opened_by: String,
    pub opened_org: String,
    pub province_opinion: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub created_at: String,
}

impl Case {
    pub fn status_zh(&self) -> &'static str {
        match self.status.as_str() {
            "candidate" => "待核实",
            "open" => "已立案",
            "revoked" => "已撤销认定",
            "closed" => "已结案（未撤销）",
            _ => "未知",
        }
    }
    pub fn is_pending(&self) -> bool {
        matches!(self.status.as_str(), "candidate" | "open")
    }
}

const CASE_COLUMNS: &str =
    "id, recognition_id, ground, ref_key, status, facts, evidence, opened_by, opened_org,
     province_opinion, decision_reason, decided_by, decided_at, created_at";

fn case_from_row(row: &AnyRow) -> Result<Case> {
    let ground: String = row.try_get("ground")?;
    Ok(Case {
        id: row.try_get("id")?,
        recognition_id: row.try_get("recognition_id")?,
        ground: ground.parse().map_err(StoreError::Corrupt)?,
        ref_key: row.try_get("ref_key")?,
        status: row.try_get("status")?,
        facts: row.try_get("facts")?,
        evidence: row.try_get("evidence")?,
        opened_by: row.try_get("opened_by")?,
        opened_org: row.try_get("opened_org")?,
        province_opinion: row.try_get("province_opinion")?,
        decision_reason: row.try_get("decision_reason")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        created_at: row.try_get("created_at")?,
    })
}

pub async fn cases(conn: &mut Conn, recognition_id: i64) -> Result<Vec<Case>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM revocation_cases WHERE recognition_id = $1 ORDER BY id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(recognition_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(case_from_row).collect()
}

pub async fn case(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<(Case, Managed)>> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM revocation_cases WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(c) = row.as_ref().map(case_from_row).transpose()? else {
        return Ok(None);
    };
    Ok(managed(conn, scope, c.recognition_id)
        .await?
        .map(|m| (c, m)))
}

/// A case just written (no scope: the caller has already checked it).
async fn case_by_id(conn: &mut Conn, id: i64) -> Result<Case> {
    case(conn, &Scope::National, id)
        .await?
        .map(|(c, _)| c)
        .ok_or(StoreError::NotFound)
}

/// Opens a case unless one with the same key exists (the sweep runs every day). Returns
/// the case id and whether it is new.
#[allow(clippy::too_many_arguments)]
async fn open_case(
    conn: &mut Conn,
    actor: Option<&Actor>,
    m: &Managed,
    ground: Ground,
    ref_key: &str,
    status: &str,
    facts: &str,
    evidence: &str,
    now: DateTime<Utc>,
) -> Result<(i64, bool)> {
    if let Some(row) =
        sqlx::query("SELECT id FROM revocation_cases WHERE recognition_id = $1 AND ref_key = $2")
            .bind(m.id)
            .bind(ref_key)
            .fetch_optional(&mut *conn)
            .await?
    {
        return Ok((row.try_get("id")?, false));
    }
    let row = sqlx::query(
        "INSERT INTO revocation_cases (recognition_id, ground, ref_key, status, facts, evidence, opened_by,
             opened_org, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(m.id)
    .bind(ground.as_str())
    .bind(ref_key)
    .bind(status)
    .bind(facts)
    .bind(evidence)
    .bind(actor.map_or("system", |a| a.username.as_str()))
    .bind(actor.map_or("-", |a| a.org_code.as_str()))
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    log(
        conn,
        actor,
        "case.open",
        "revocation_case",
        id,
        None,
        Some(status),
        Some(facts),
        serde_json::json!({"recognition_id": m.id, "ground": ground.as_str(), "ref": ref_key}),
        now,
    )
    .await?;
    let title = format!(
        "{}：{}撤销情形{}",
        m.cluster_name,
        if status == "candidate" { "疑似" } else { "" },
        ground.article()
    );
    let body = format!("{}。{}", ground.text_zh(), facts);
    let case_link = format!("/cases/{id}");
    crate::notifications::notify_org_code(
        conn,
        &m.authority_code,
        "case",
        &title,
        &body,
        Some(&case_link),
        now,
    )
    .await?;
    crate::notifications::notify_org_code(
        conn,
        crate::orgs::MINISTRY_CODE,
        "case",
        &title,
        &body,
        Some(&case_link),
        now,
    )
    .await?;
    Ok((id, true))
}

/// The ministry or a province opens a case by hand (e.g. R2 false declaration found in a
/// spot check). Facts are required.
pub async fn open_case_manual(
    conn: &mut Conn,
    actor: &Actor,
    recognition_id: i64,
    ground: Ground,
    facts: &str,
    evidence: &str,
    now: DateTime<Utc>,
) -> Result<Case> {
    require(actor, &[Role::Province, Role::Ministry], "立案核查撤销情形")?;
    let m = managed(conn, &actor.scope, recognition_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    require_live(&m)?;
    let facts = require_reason(facts, "事实")?;
    let key = format!("manual:{}:{}", ground.as_str(), now.timestamp_micros());
    let (id, _) = open_case(
        conn,
        Some(actor),
        &m,
        ground,
        &key,
        "open",
        &facts,
        evidence.trim(),
        now,
    )
    .await?;
    case_by_id(conn, id).await
}

/// The province's opinion on a pending case (its check of the facts); a candidate becomes
/// an open case. The ministry may decide without it; when given, it is shown with the case.
pub async fn province_opinion(
    conn: &mut Conn,
    actor: &Actor,
    case_id: i64,
    opinion: &str,
    now: DateTime<Utc>,
) -> Result<Case> {
    require(actor, &[Role::Province], "提出省级意见")?;
    let (c, _m) = case(conn, &actor.scope, case_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !c.is_pending() {
        return Err(refused(format!("案件{}，不能再提出意见", c.status_zh())));
    }
    let opinion = require_reason(opinion, "省级意见")?;
    sqlx::query(
        "UPDATE revocation_cases SET province_opinion = $1, province_by = $2, province_at = $3,
             status = CASE WHEN status = 'candidate' THEN 'open' ELSE status END
         WHERE id = $4",
    )
    .bind(&opinion)
    .bind(actor.user_id)
    .bind(time::to_text(now))
    .bind(c.id)
    .execute(&mut *conn)
    .await?;
    log(
        conn,
        Some(actor),
        "case.province_opinion",
        "revocation_case",
        c.id,
        Some(&c.status),
        Some("open"),
        Some(&opinion),
        serde_json::json!({"recognition_id": c.recognition_id}),
        now,
    )
    .await?;
    notify(
        conn,
        crate::orgs::MINISTRY_CODE,
        "case",
        &format!("撤销案件 {} 收到省级意见", c.id),
        &opinion,
        &format!("/cases/{}", c.id),
        now,
    )
    .await?;
    case_by_id(conn, c.id).await
}

/// The ministry decides a case: revoke (ends the recognition; public revocation list) or
/// close without revocation. Reasons are required either way.
pub async fn decide_case(
    conn: &mut Conn,
    actor: &Actor,
    case_id: i64,
    revoke: bool,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Case> {
    require(actor, &[Role::Ministry], "作出撤销决定")?;
    let (c, m) = case(conn, &actor.scope, case_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !c.is_pending() {
        return Err(refused(format!("案件{}，不能再次决定", c.status_zh())));
    }
    let reason = require_reason(reason, "决定理由")?;
    if revoke {
        require_live(&m)?;
    }
    let to = if revoke { "revoked" } else { "closed" };
    sqlx::query(
        "UPDATE revocation_cases SET status = $1, decision_reason = $2, decided_by = $3, decided_at = $4
         WHERE id = $5",
    )
    .bind(to)
    .bind(&reason)
    .bind(&actor.username)
    .bind(time::to_text(now))
    .bind(c.id)
    .execute(&mut *conn)
    .await?;
    log(
        conn,
        Some(actor),
        if revoke { "case.revoke" } else { "case.close" },
        "revocation_case",
        c.id,
        Some(&c.status),
        Some(to),
        Some(&reason),
        serde_json::json!({"recognition_id": m.id, "ground": c.ground.as_str()}),
        now,
    )
    .await?;
    if revoke {
        revoke_recognition(conn, Some(actor), &m, c.ground, &reason, now).await?;
    } else {
        for org in [m.authority_code.as_str(), m.county_code.as_str()] {
            notify(
                conn,
                org,
                "case",
                &format!("{}：撤销案件已结案，不予撤销", m.cluster_name),
                &reason,
                &link(&m),
                now,
            )
            .await?;
        }
    }
    case_by_id(conn, c.id).await
}

/// Revokes under R1 (第十七条（一）: re-examination failed, or not applied for by the end of
/// validity) on a case recorded as decided at once: the facts leave nothing to weigh.
/// Returns whether the case is new.
async fn revoke_r1(
    conn: &mut Conn,
    actor: Option<&Actor>,
    m: &Managed,
    ref_key: &str,
    facts: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let (case_id, new) =
        open_case(conn, actor, m, Ground::R1, ref_key, "open", facts, "", now).await?;
    sqlx::query(
        "UPDATE revocation_cases SET status = 'revoked', decision_reason = $1, decided_by = $2,
             decided_at = $3 WHERE id = $4",
    )
    .bind(facts)
    .bind(actor.map_or("system", |a| a.username.as_str()))
    .bind(time::to_text(now))
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    revoke_recognition(conn, actor, m, Ground::R1, facts, now).await?;
    Ok(new)
}

async fn revoke_recognition(
    conn: &mut Conn,
    actor: Option<&Actor>,
    m: &Managed,
    ground: Ground,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let today = china_date(now);
    let done = sqlx::query(
        "UPDATE recognitions SET status = 'revoked', revoked_on = $1, revoked_ground = $2
         WHERE id = $3 AND status IN ('active', 'extended')",
    )
    .bind(time::date_to_text(today))
    .bind(ground.as_str())
    .bind(m.id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(refused(format!("集群「{}」的认定已撤销", m.cluster_name)));
    }
    // Close the other pending cases of this recognition: the recognition is gone.
    sqlx::query(
        "UPDATE revocation_cases SET status = 'closed', decision_reason = $1, decided_by = $2, decided_at = $3
         WHERE recognition_id = $4 AND status IN ('candidate', 'open')",
    )
    .bind(format!("认定已依{}撤销，本案一并结案", ground.article()))
    .bind(actor.map_or("system", |a| a.username.as_str()))
    .bind(time::to_text(now))
    .bind(m.id)
    .execute(&mut *conn)
    .await?;
    // The cluster is no longer a national (or provincial) cluster.
    sqlx::query("UPDATE clusters SET tier = 'provincial' WHERE id = $1 AND tier = 'national'")
        .bind(m.cluster_id)
        .execute(&mut *conn)
        .await?;
    log(
        conn,
        actor,
        "recognition.revoke",
        "recognition",
        m.id,
        Some(&m.status),
        Some("revoked"),
        Some(reason),
        serde_json::json!({"ground": ground.as_str(), "article": ground.article(),
            "revoked_on": time::date_to_text(today), "cluster_id": m.cluster_id}),
        now,
    )
    .await?;
    for org in [m.authority_code.as_str(), m.county_code.as_str()] {
        notify(
            conn,
            org,
            "revocation",
            &format!("{}的认定已撤销（{}）", m.cluster_name, ground.article()),
            reason,
            &link(m),
            now,
        )
        .await?;
    }
    Ok(())
}

/// A pending case with its cluster, for the province's and ministry's lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseListed {
    pub case: Case,
    pub cluster_name: String,
    pub authority_code: String,
}

pub async fn pending_cases(conn: &mut Conn, scope: &Scope) -> Result<Vec<CaseListed>> {
    let mut w = crate::Where::new();
    w.raw("k.status IN ('candidate', 'open')");
    scope.restrict(&mut w, "c.authority_code", "c.county_code");
    let cols: Vec<String> = CASE_COLUMNS
        .split(',')
        .map(|c| format!("k.{}", c.trim()))
        .collect();
    let sql = format!(
        "SELECT {}, c.name AS cluster_name, c.authority_code AS auth
         FROM revocation_cases k JOIN recognitions r ON r.id = k.recognition_id
         JOIN clusters c ON c.id = r.cluster_id {} ORDER BY k.id",
        cols.join(", "),
        w.sql()
    );
    let rows = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CaseListed {
                case: case_from_row(r)?,
                cluster_name: r.try_get("cluster_name")?,
                authority_code: r.try_get("auth")?,
            })
        })
        .collect()
}

/// The public revocation list (第十七条): every revoked recognition, newest first.
pub async fn revoked_list(conn: &mut Conn) -> Result<Vec<Managed>> {
    let sql = format!("{MANAGED} WHERE r.status = 'revoked' ORDER BY r.revoked_on DESC, r.id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(managed_from_row).collect()
}

/// One page of the public revocation list (newest revocation first), optionally of one
/// provincial-level authority.
pub async fn revoked_page(
    conn: &mut Conn,
    authority_code: Option<&str>,
    page: crate::PageReq,
) -> Result<crate::Paged<Managed>> {
    let mut w = crate::Where::new();
    w.raw("r.status = 'revoked'");
    if let Some(a) = authority_code {
        w.eq("c.authority_code", crate::Bind::Text(a.to_string()));
    }
    crate::fetch_page(conn, MANAGED, &w, "r.revoked_on DESC, r.id DESC", page)
        .await?
        .try_map(|r| managed_from_row(&r))
}

// ---------------------------------------------------------------------------------------
// Re-examination (第十五条)

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reexam {
    pub id: i64,
    pub recognition_id: i64,
    pub valid_until: NaiveDate,
    /// `draft`, `submitted`, `province_checked`, `passed` or `failed`.
    pub status: String,
    pub content: String,
    pub eligible: Option<bool>,
    pub evaluation: Option<String>,
    pub achievement_rate: Option<String>,
    pub province_result: Option<String>,
    pub province_opinion: Option<String>,
    pub decision_reason: Option<String>,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
}

impl Reexam {
    pub fn status_zh(&self) -> &'static str {
        match self.status.as_str() {
            "draft" => "草稿",
            "submitted" => "已提交，待省级核查",
            "province_checked" => "省级已核查，待工业和信息化部决定",
            "passed" => "复核通过",
            "failed" => "复核未通过",
            _ => "未知",
        }
    }
}

const REEXAM_COLUMNS: &str = "id, recognition_id, valid_until, status, content, eligible, evaluation,
     achievement_rate, province_result, province_opinion, decision_reason, submitted_at, decided_at";

fn reexam_from_row(row: &AnyRow) -> Result<Reexam> {
    let until: String = row.try_get("valid_until")?;
    let eligible: Option<i64> = row.try_get("eligible")?;
    Ok(Reexam {
        id: row.try_get("id")?,
        recognition_id: row.try_get("recognition_id")?,
        valid_until: time::date_from_text(&until)?,
        status: row.try_get("status")?,
        content: row.try_get("content")?,
        eligible: eligible.map(|e| e != 0),
        evaluation: row.try_get("evaluation")?,
        achievement_rate: row.try_get("achievement_rate")?,
        province_result: row.try_get("province_result")?,
        province_opinion: row.try_get("province_opinion")?,
        decision_reason: row.try_get("decision_reason")?,
        submitted_at: row.try_get("submitted_at")?,
        decided_at: row.try_get("decided_at")?,
    })
}

pub async fn reexams(conn: &mut Conn, recognition_id: i64) -> Result<Vec<Reexam>> {
    let sql = format!(
        "SELECT {REEXAM_COLUMNS} FROM reexaminations WHERE recognition_id = $1 ORDER BY id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(recognition_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(reexam_from_row).collect()
}

async fn current_reexam(conn: &mut Conn, m: &Managed) -> Result<Option<Reexam>> {
    let sql = format!(
        "SELECT {REEXAM_COLUMNS} FROM reexaminations WHERE recognition_id = $1 AND valid_until = $2"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(m.id)
        .bind(time::date_to_text(m.valid_until))
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(reexam_from_row).transpose()
}

/// The county submits the 复核 form within the window before `valid_until`; the current
/// edition is re-run on the latest figures.
pub async fn submit_reexam(
    conn: &mut Conn,
    actor: &Actor,
    recognition_id: i64,
    raw: &serde_json::Value,
    form: &ReexamForm,
    now: DateTime<Utc>,
) -> Result<Reexam> {
    require(actor, &[Role::County], "申请复核")?;
    let m = managed(conn, &actor.scope, recognition_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    require_live(&m)?;
    let today = china_date(now);
    if !rules::reexam_open(m.valid_until, m.reexam_window_months, today) {
        return Err(refused(format!(
            "复核申请期为 {} 至 {}（有效期届满前 {} 个月），今天 {} 不在申请期内",
            rules::reexam_opens(m.valid_until, m.reexam_window_months),
            m.valid_until,
            m.reexam_window_months,
            today
        )));
    }
    if form.declaration.cluster.county_code != m.county_code {
        return Err(StoreError::Invalid(format!(
            "declaration.cluster.county_code：应为集群所在县 {}，现为 {}",
            m.county_code, form.declaration.cluster.county_code
        )));
    }
    if let Some(r) = current_reexam(conn, &m).await? {
        return Err(refused(format!("本期复核已提交（{}）", r.status_zh())));
    }
    let (evaluation, eligible) = evaluate(conn, m.cluster_id, today, &form.declaration).await?;
    let rate = rules::achievement_rate(&form.progress).map(|r| r.round_dp(4).to_string());
    let stamp = time::to_text(now);
    let row = sqlx::query(
        "INSERT INTO reexaminations (recognition_id, valid_until, status, content, eligible, evaluation,
             achievement_rate, created_by, created_at, submitted_at)
         VALUES ($1, $2, 'submitted', $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(m.id)
    .bind(time::date_to_text(m.valid_until))
    .bind(raw.to_string())
    .bind(i64::from(eligible))
    .bind(&evaluation)
    .bind(&rate)
    .bind(actor.user_id)
    .bind(&stamp)
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    log(
        conn,
        Some(actor),
        "reexam.submit",
        "reexamination",
        id,
        None,
        Some("submitted"),
        None,
        serde_json::json!({"recognition_id": m.id, "eligible": eligible, "achievement_rate": rate}),
        now,
    )
    .await?;
    notify(
        conn,
        &m.authority_code,
        "reexam",
        &format!("{}申请复核", m.cluster_name),
        &format!(
            "现行标准自评{}，规划目标完成率 {}",
            if eligible { "符合" } else { "不符合" },
            rate.as_deref().unwrap_or("—")
        ),
        &link(&m),
        now,
    )
    .await?;
    current_reexam(conn, &m).await?.ok_or(StoreError::NotFound)
}

/// The province checks a submitted re-examination: pass, or fail with reasons.
pub async fn check_reexam(
    conn: &mut Conn,
    actor: &Actor,
    recognition_id: i64,
    pass: bool,
    opinion: &str,
    now: DateTime<Utc>,
) -> Result<Reexam> {
    require(actor, &[Role::Province], "核查复核申请")?;
    let m = managed(conn, &actor.scope, recognition_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let r = current_reexam(conn, &m)
        .await?
        .filter(|r| r.status == "submitted")
        .ok_or_else(|| refused("没有待省级核查的复核申请"))?;
    let opinion = if pass {
        opinion.trim().to_string()
    } else {
        require_reason(opinion, "不通过的理由")?
    };
    sqlx::query(
        "UPDATE reexaminations SET status = 'province_checked', province_result = $1, province_opinion = $2,
             province_by = $3, province_at = $4 WHERE id = $5 AND status = 'submitted'",
    )
    .bind(if pass { "pass" } else { "fail" })
    .bind(&opinion)
    .bind(actor.user_id)
    .bind(time::to_text(now))
    .bind(r.id)
    .execute(&mut *conn)
    .await?;
    log(
        conn,
        Some(actor),
        "reexam.province_check",
        "reexamination",
        r.id,
        Some("submitted"),
        Some("province_checked"),
        (!opinion.is_empty()).then_some(opinion.as_str()),
        serde_json::json!({"recognition_id": m.id, "result": if pass { "pass" } else { "fail" }}),
        now,
    )
    .await?;
    notify(
        conn,
        crate::orgs::MINISTRY_CODE,
        "reexam",
        &format!(
            "{}复核：省级核查{}",
            m.cluster_name,
            if pass { "通过" } else { "不通过" }
        ),
        &opinion,
        &link(&m),
        now,
    )
    .await?;
    current_reexam(conn, &m).await?.ok_or(StoreError::NotFound)
}

/// The ministry decides: pass extends validity by three years (第十五条), fail revokes (R1).
pub async fn decide_reexam(
    conn: &mut Conn,
    actor: &Actor,
    recognition_id: i64,
    pass: bool,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Reexam> {
    require(actor, &[Role::Ministry], "作出复核决定")?;
    let m = managed(conn, &actor.scope, recognition_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    require_live(&m)?;
    let r = current_reexam(conn, &m)
        .await?
        .filter(|r| r.status == "province_checked")
        .ok_or_else(|| refused("没有经省级核查、待决定的复核申请"))?;
    let reason = if pass {
        reason.trim().to_string()
    } else {
        require_reason(reason, "不通过的理由")?
    };
    let to = if pass { "passed" } else { "failed" };
    sqlx::query(
        "UPDATE reexaminations SET status = $1, decision_reason = $2, decided_by = $3, decided_at = $4
         WHERE id = $5 AND status = 'province_checked'",
    )
    .bind(to)
    .bind(&reason)
    .bind(actor.user_id)
    .bind(time::to_text(now))
    .bind(r.id)
    .execute(&mut *conn)
    .await?;
    log(
        conn,
        Some(actor),
        "reexam.decide",
        "reexamination",
        r.id,
        Some("province_checked"),
        Some(to),
        (!reason.is_empty()).then_some(reason.as_str()),
        serde_json::json!({"recognition_id": m.id}),
        now,
    )
    .await?;
    if pass {
        let until = rules::extended_until(m.valid_until);
        sqlx::query(
            "UPDATE recognitions SET status = 'extended', valid_until = $1, extensions = extensions + 1
             WHERE id = $2",
        )
        .bind(time::date_to_text(until))
        .bind(m.id)
        .execute(&mut *conn)
        .await?;
        log(
            conn,
            Some(actor),
            "recognition.extend",
            "recognition",
            m.id,
            Some(&m.status),
            Some("extended"),
            None,
            serde_json::json!({"from": time::date_to_text(m.valid_until), "to": time::date_to_text(until)}),
            now,
        )
        .await?;
        for org in [m.authority_code.as_str(), m.county_code.as_str()] {
            notify(
                conn,
                org,
                "reexam",
                &format!("{}复核通过", m.cluster_name),
                &format!("有效期延长至 {until}（第十五条）"),
                &link(&m),
                now,
            )
            .await?;
        }
    } else {
        let facts = format!("经复核未通过：{reason}");
        revoke_r1(
            conn,
            Some(actor),
            &m,
            &format!("reexam:{}", r.id),
            &facts,
            now,
        )
        .await?;
    }
    reexams(conn, m.id)
        .await?
        .into_iter()
        .find(|x| x.id == r.id)
        .ok_or(StoreError::NotFound)
}

// ---------------------------------------------------------------------------------------
// The daily sweep

/// What one sweep did (for logs and tests).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepOutcome {
    pub reminders_enqueued: usize,
    pub cases_opened: usize,
    pub revoked: usize,
}

/// The daily sweep run by the scheduler: enqueues report and re-examination reminders
/// (as `notify` jobs with a unique key, so each is sent once however often the sweep runs
/// and on however many nodes), opens R3 case candidates for overdue reports, and revokes
/// under R1 a recognition that reached `valid_until` without a re-examination.
pub async fn sweep(conn: &mut Conn, now: DateTime<Utc>) -> Result<()> {
    sweep_counted(conn, now).await.map(|_| ())
}

pub async fn sweep_counted(conn: &mut Conn, now: DateTime<Utc>) -> Result<SweepOutcome> {
    let today = china_date(now);
    let mut out = SweepOutcome::default();
    let live: Vec<Managed> = list_managed(conn, &Scope::National)
        .await?
        .into_iter()
        .filter(Managed::is_live)
        .collect();
    for m in live {
        // Expiry without a re-examination: R1 (第十七条（一）"有效期满未申请复核").
        if today > m.valid_until {
            if current_reexam(conn, &m)
                .await?
                .is_none_or(|r| r.status == "draft")
            {
                let facts = format!(
                    "有效期已于 {} 届满，未申请复核（{}）",
                    m.valid_until,
                    Ground::R1.article()
                );
                if revoke_r1(
                    conn,
                    None,
                    &m,
                    &format!("expiry:{}", m.valid_until),
                    &facts,
                    now,
                )
                .await?
                {
                    out.cases_opened += 1;
                }
                out.revoked += 1;
            }
            continue;
        }
        for due in report_schedule(conn, &m, today).await? {
            if due.report.as_ref().is_some_and(AnnualReportRow::is_filed) {
                continue;
            }
            if matches!(due.deadline, Deadline::Open { .. })
                && let Some(days) = rules::reminder_due(due.due, today)
            {
                let payload = serde_json::json!({
                    "org_code": m.county_code,
                    "kind": "reminder",
                    "title": format!("{}{}年度培育情况 {} 截止", m.cluster_name, due.year, due.due),
                    "body": format!("距截止还有 {} 天，请按时填报（第十六条）", (due.due - today).num_days()),
                    "link": link(&m),
                });
                let key = format!("reminder:report:{}:{}:{days}", m.id, due.year);
                if crate::jobs::enqueue(conn, "notify", &key, now, &payload, now).await? {
                    out.reminders_enqueued += 1;
                }
            }
            if due.is_overdue() {
                let facts = format!(
                    "{}年度培育情况信息表应于 {} 前报送，至 {} 仍未报送",
                    due.year, due.due, today
                );
                let (_, new) = open_case(
                    conn,
                    None,
                    &m,
                    Ground::R3,
                    &format!("report:{}", due.year),
                    "candidate",
                    &facts,
                    "",
                    now,
                )
                .await?;
                if new {
                    out.cases_opened += 1;
                }
            }
        }
        if rules::reexam_open(m.valid_until, m.reexam_window_months, today)
            && current_reexam(conn, &m).await?.is_none()
        {
            let payload = serde_json::json!({
                "org_code": m.county_code,
                "kind": "reminder",
                "title": format!("{}认定有效期将于 {} 届满", m.cluster_name, m.valid_until),
                "body": "复核申请已开放，请在有效期届满前提交复核（第十五条、第十七条（一））",
                "link": link(&m),
            });
            let key = format!("reminder:reexam:{}:{}", m.id, m.valid_until);
            if crate::jobs::enqueue(conn, "notify", &key, now, &payload, now).await? {
                out.reminders_enqueued += 1;
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Lists for provinces and the ministry

/// One line of the watch lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub recognition: Managed,
    pub due: Vec<ReportDue>,
}

/// The lists of issue 5 item 8 for `scope` on `today`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lists {
    /// Reports open for filing with at most 30 days left.
    pub due_soon: Vec<(Managed, ReportDue)>,
    pub overdue: Vec<(Managed, ReportDue)>,
    /// Reports submitted and waiting for the province.
    pub to_review: Vec<(Managed, ReportDue)>,
    pub expiring: Vec<Managed>,
    pub open_cases: Vec<CaseListed>,
    pub reexams_pending: Vec<(Managed, Reexam)>,
}

pub async fn lists(conn: &mut Conn, scope: &Scope, today: NaiveDate) -> Result<Lists> {
    // Three queries whatever the number of recognitions: the recognitions, their report
    // rows (without the report bodies) and their re-examinations.
    let mut w = crate::Where::new();
    scope.restrict(&mut w, "c.authority_code", "c.county_code");
    // Only columns of the covering index `annual_reports_list` (migration 0012): the lists
    // need neither the bodies nor the province's comment.
    let cols: Vec<String> = REPORT_COLUMNS
        .split(',')
        .map(|c| match c.trim() {
            "content" => "'' AS content".to_string(),
            "evaluation" => "NULL AS evaluation".to_string(),
            "comment" => "NULL AS comment".to_string(),
            other => format!("ar.{other}"),
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM annual_reports ar{} JOIN recognitions r ON r.id = ar.recognition_id
         JOIN clusters c ON c.id = r.cluster_id {} ORDER BY ar.recognition_id, ar.year",
        cols.join(", "),
        crate::dialect::indexed_by(conn, "annual_reports_list"),
        w.sql()
    );
    let mut reports_of: std::collections::HashMap<i64, Vec<AnnualReportRow>> =
        std::collections::HashMap::new();
    for row in w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?
    {
        let r = report_from_row(&row)?;
        reports_of.entry(r.recognition_id).or_default().push(r);
    }
    let cols: Vec<String> = REEXAM_COLUMNS
        .split(',')
        .map(|c| match c.trim() {
            "content" => "'' AS content".to_string(),
            "evaluation" => "NULL AS evaluation".to_string(),
            other => format!("x.{other}"),
        })
        .collect();
    let sql = format!(
        "SELECT {} FROM reexaminations x JOIN recognitions r ON r.id = x.recognition_id
         JOIN clusters c ON c.id = r.cluster_id {} ORDER BY x.id",
        cols.join(", "),
        w.sql()
    );
    let mut reexams_of: std::collections::HashMap<i64, Vec<Reexam>> =
        std::collections::HashMap::new();
    for row in w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?
    {
        let x = reexam_from_row(&row)?;
        reexams_of.entry(x.recognition_id).or_default().push(x);
    }
    let six = today
        .checked_add_months(chrono::Months::new(6))
        .unwrap_or(today);
    let mut out = Lists::default();
    for m in list_managed(conn, scope).await? {
        if !m.is_live() {
            continue;
        }
        let filed = reports_of.get(&m.id).map_or(&[][..], Vec::as_slice);
        for d in schedule_from(&m, filed, today)? {
            if d.report.as_ref().is_some_and(|r| r.status == "submitted") {
                out.to_review.push((m.clone(), d));
            } else if d.is_overdue() {
                out.overdue.push((m.clone(), d));
            } else if matches!(d.deadline, Deadline::Open { days_left } if days_left <= 30)
                && !d.report.as_ref().is_some_and(AnnualReportRow::is_filed)
            {
                out.due_soon.push((m.clone(), d));
            }
        }
        if let Some(r) = reexams_of
            .get(&m.id)
            .and_then(|v| v.iter().find(|x| x.valid_until == m.valid_until))
            && matches!(r.status.as_str(), "submitted" | "province_checked")
        {
            out.reexams_pending.push((m.clone(), r.clone()));
        }
        if m.valid_until <= six {
            out.expiring.push(m);
        }
    }
    out.open_cases = pending_cases(conn, scope).await?;
    Ok(out)
}

/// One entry of a recognition's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: String,
    pub title: String,
    pub detail: String,
}

/// Everything that happened to a recognition, oldest first, from the audit chain.
pub async fn timeline(conn: &mut Conn, m: &Managed) -> Result<Vec<TimelineEntry>> {
    let mut out = vec![TimelineEntry {
        at: time::date_to_text(m.valid_from),
        title: "认定发布".into(),
        detail: format!("{}，有效期至 {}", m.batch_title, m.valid_until),
    }];
    for r in reports(conn, m.id).await? {
        out.push(TimelineEntry {
            at: r.submitted_at.clone().unwrap_or(r.updated_at.clone()),
            title: format!("{}年度培育情况", r.year),
            detail: format!(
                "{}{}",
                r.status_zh(),
                if r.late { "（逾期报送）" } else { "" }
            ),
        });
    }
    for c in changes(conn, m.id).await? {
        out.push(TimelineEntry {
            at: c.recorded_at.clone(),
            title: format!(
                "{}变更（{}）",
                c.kind_zh(),
                if c.source == "reported" {
                    "报备"
                } else {
                    "省级发现"
                }
            ),
            detail: format!(
                "{} → {}，{}起",
                c.before_value, c.after_value, c.effective_date
            ),
        });
    }
    for i in incidents(conn, m.id).await? {
        out.push(TimelineEntry {
            at: i.recorded_at.clone(),
            title: format!(
                "{}（{}级）",
                incident_kind_zh(&i.kind),
                incident_level_zh(&i.level)
            ),
            detail: format!("{} {}", i.occurred_on, i.description),
        });
    }
    for c in cases(conn, m.id).await? {
        out.push(TimelineEntry {
            at: c.created_at.clone(),
            title: format!("撤销案件（{}）{}", c.ground.article(), c.status_zh()),
            detail: c.decision_reason.clone().unwrap_or(c.facts.clone()),
        });
    }
    for r in reexams(conn, m.id).await? {
        out.push(TimelineEntry {
            at: r
                .decided_at
                .clone()
                .or(r.submitted_at.clone())
                .unwrap_or_default(),
            title: "复核".into(),
            detail: r.status_zh().into(),
        });
    }
    out.sort_by(|a, b| a.at.cmp(&b.at));
    Ok(out)
}
