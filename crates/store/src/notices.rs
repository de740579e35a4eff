//! Public notice (公示) and objections (第十四条 "经公示无异议的，确定为…").
//!
//! The ministry opens one notice for a batch: its start date, and its end date computed as
//! the last of `batch.notice_days` working days on the official calendar with its 调休 days
//! (`Calendar::period_end`; 5 working days by default, reference/notices.md). Opening it
//! moves every shortlisted application of the batch to `in_public_notice` through the one
//! transition function. While a notice runs (start ≤ today ≤ end, China time) anyone may
//! object, but only with a real name, contact details and at least one evidence file
//! ("实名…并提供联系方式和佐证材料，匿名或无佐证材料的不予受理"); the ministry then decides
//! each objection on the record (upheld / dismissed, with reasons). An upheld objection
//! rejects the application at once (`Action::UpholdObjection`).
//!
//! Objector names and contact details are personal data: they are kept in the
//! `objections` row for the ministry, never in the audit log or in notifications.

use crate::applications::{self, Actor, Application};
use crate::attachments::{self, Attachment, NewFile, Uploader};
use crate::audit::{self, NewEvent};
use crate::{Conn, Result, Scope, StoreError, notifications, orgs, time};
use chrono::{DateTime, NaiveDate, Utc};
use jiqun_domain::calendar::Calendar;
use jiqun_domain::workflow::{Action, AppState};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::path::Path;

/// Longest objection text kept.
pub const MAX_CONTENT_CHARS: usize = 10_000;
/// Longest name and contact kept.
pub const MAX_NAME_CHARS: usize = 50;
pub const MAX_CONTACT_CHARS: usize = 100;
/// Most evidence files per objection.
pub const MAX_FILES: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: i64,
    pub batch_id: i64,
    pub title: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub working_days: u32,
    pub opened_at: String,
}

impl Notice {
    /// Objections are accepted from the first to the last day, inclusive.
    pub fn is_running(&self, today: NaiveDate) -> bool {
        self.start_date <= today && today <= self.end_date
    }

    /// Publication may follow only once the last day has passed.
    pub fn has_ended(&self, today: NaiveDate) -> bool {
        today > self.end_date
    }

    pub fn status_zh(&self, today: NaiveDate) -> &'static str {
        if today < self.start_date {
            "未开始"
        } else if self.has_ended(today) {
            "已结束"
        } else {
            "公示中"
        }
    }
}

const NOTICE_COLUMNS: &str = "id, batch_id, title, start_date, end_date, working_days, opened_at";

fn notice_from_row(row: &AnyRow) -> Result<Notice> {
    let start: String = row.try_get("start_date")?;
    let end: String = row.try_get("end_date")?;
    let days: i64 = row.try_get("working_days")?;
    Ok(Notice {
        id: row.try_get("id")?,
        batch_id: row.try_get("batch_id")?,
        title: row.try_get("title")?,
        start_date: time::date_from_text(&start)?,
        end_date: time::date_from_text(&end)?,
        working_days: u32::try_from(days)
            .map_err(|_| StoreError::Corrupt(format!("公示工作日数超出范围：{days}")))?,
        opened_at: row.try_get("opened_at")?,
    })
}

/// The end date of a notice of `days` working days starting on `start` (the first working
/// day on or after `start` counts as day 1; holidays are skipped and 调休 days count).
pub fn end_date(start: NaiveDate, days: u32) -> Result<NaiveDate> {
    Calendar::official()
        .period_end(start, days)
        .map_err(|e| StoreError::Refused(format!("无法计算公示截止日期：{e}")))
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Notice>> {
    let sql = format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(notice_from_row).transpose()
}

/// The notices of a batch, newest first.
pub async fn for_batch(conn: &mut Conn, batch_id: i64) -> Result<Vec<Notice>> {
    let sql = format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE batch_id = $1 ORDER BY id DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(batch_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(notice_from_row).collect()
}

/// The notice an application in public notice is in: the latest of its batch (a batch
/// opens a new notice only when no application of it is still in the previous one).
pub async fn of_application(conn: &mut Conn, app: &Application) -> Result<Option<Notice>> {
    Ok(for_batch(conn, app.batch_id).await?.into_iter().next())
}

/// Notices running today (objections open), newest first.
pub async fn running(conn: &mut Conn, today: NaiveDate) -> Result<Vec<Notice>> {
    let d = time::date_to_text(today);
    let sql = format!(
        "SELECT {NOTICE_COLUMNS} FROM notices WHERE start_date <= $1 AND end_date >= $1 ORDER BY id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(d)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(notice_from_row).collect()
}

/// The applications listed in a notice: those of its batch still in public notice, when it
/// is the batch's latest notice.
pub async fn entries(conn: &mut Conn, notice: &Notice) -> Result<Vec<Application>> {
    let latest = for_batch(conn, notice.batch_id).await?.into_iter().next();
    if latest.is_none_or(|n| n.id != notice.id) {
        return Ok(Vec::new());
    }
    applications::list(
        conn,
        &Scope::National,
        Some(notice.batch_id),
        Some(AppState::InPublicNotice),
    )
    .await
}

/// Opens the public notice of a batch (ministry only): every shortlisted application of the
/// batch goes into it. Refused when nothing is shortlisted, when the start date has passed,
/// when the calendar cannot count the period, and while a previous notice of the batch
/// still has applications in it.
pub async fn open(
    conn: &mut Conn,
    actor: &Actor,
    batch_id: i64,
    start: NaiveDate,
    title: Option<&str>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(Notice, Vec<Application>)> {
    let batch = crate::batches::get(conn, batch_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    // The ministry for a national batch, the owning province for its own batch.
    crate::batches::require_runner(actor, &batch, Action::OpenNotice.name_zh())?;
    if start < today {
        return Err(StoreError::Refused(format!(
            "公示开始日期 {start} 早于今天（{today}），请选择今天或以后的日期"
        )));
    }
    let in_notice = applications::list(
        conn,
        &Scope::National,
        Some(batch.id),
        Some(AppState::InPublicNotice),
    )
    .await?;
    if !in_notice.is_empty() {
        return Err(StoreError::Refused(format!(
            "本批次上一次公示还有 {} 项申报未办结（未认定发布或未处理异议），不能另行公示",
            in_notice.len()
        )));
    }
    let shortlisted = applications::list(
        conn,
        &Scope::National,
        Some(batch.id),
        Some(AppState::Shortlisted),
    )
    .await?;
    if shortlisted.is_empty() {
        return Err(StoreError::Refused(
            "本批次没有列入拟认定名单的申报，无需公示".into(),
        ));
    }
    let end = end_date(start, batch.notice_days)?;
    let title = title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            if batch.is_provincial() {
                format!("{}拟认定省级集群名单公示", batch.title)
            } else {
                format!("{}拟认定名单公示", batch.title)
            }
        });
    let sql = format!(
        "INSERT INTO notices (batch_id, title, start_date, end_date, working_days, opened_by, opened_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {NOTICE_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(batch.id)
        .bind(&title)
        .bind(time::date_to_text(start))
        .bind(time::date_to_text(end))
        .bind(i64::from(batch.notice_days))
        .bind(actor.user_id)
        .bind(time::to_text(now))
        .fetch_one(&mut *conn)
        .await?;
    let notice = notice_from_row(&row)?;
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "open_notice",
            object_type: "notice",
            object_id: notice.id.to_string(),
            before_state: None,
            after_state: Some("open"),
            comment: None,
            detail: serde_json::json!({
                "batch_id": batch.id,
                "start_date": time::date_to_text(start),
                "end_date": time::date_to_text(end),
                "working_days": batch.notice_days,
                "applications": shortlisted.iter().map(|a| a.id).collect::<Vec<_>>(),
            }),
        },
        now,
    )
    .await?;
    let comment = format!("公示期 {start} 至 {end}（{} 个工作日）", batch.notice_days);
    let mut moved = Vec::with_capacity(shortlisted.len());
    for app in &shortlisted {
        moved.push(
            applications::apply(conn, actor, app.id, Action::OpenNotice, Some(&comment), now)
                .await?,
        );
    }
    Ok((notice, moved))
}

// ---- objections -----------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectionStatus {
    /// 已受理，待处理.
    Received,
    /// 异议成立.
    Upheld,
    /// 异议不成立.
    Dismissed,
}

impl ObjectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectionStatus::Received => "received",
            ObjectionStatus::Upheld => "upheld",
            ObjectionStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<ObjectionStatus> {
        [
            ObjectionStatus::Received,
            ObjectionStatus::Upheld,
            ObjectionStatus::Dismissed,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ObjectionStatus::Received => "已受理，待处理",
            ObjectionStatus::Upheld => "异议成立",
            ObjectionStatus::Dismissed => "异议不成立",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objection {
    pub id: i64,
    pub notice_id: i64,
    pub application_id: i64,
    pub objector_name: String,
    pub contact: String,
    pub content: String,
    pub status: ObjectionStatus,
    pub decision_reason: Option<String>,
    pub decided_by: Option<i64>,
    pub decided_at: Option<String>,
    pub created_at: String,
}

const OBJECTION_COLUMNS: &str = "id, notice_id, application_id, objector_name, contact, content, status, \
     decision_reason, decided_by, decided_at, created_at";

fn objection_from_row(row: &AnyRow) -> Result<Objection> {
    let status: String = row.try_get("status")?;
    Ok(Objection {
        id: row.try_get("id")?,
        notice_id: row.try_get("notice_id")?,
        application_id: row.try_get("application_id")?,
        objector_name: row.try_get("objector_name")?,
        contact: row.try_get("contact")?,
        content: row.try_get("content")?,
        status: ObjectionStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("未知异议状态「{status}」")))?,
        decision_reason: row.try_get("decision_reason")?,
        decided_by: row.try_get("decided_by")?,
        decided_at: row.try_get("decided_at")?,
        created_at: row.try_get("created_at")?,
    })
}

/// One evidence file as uploaded.
#[derive(Debug, Clone)]
pub struct EvidenceFile {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// An objection as a member of the public submits it.
#[derive(Debug, Clone, Default)]
pub struct NewObjection {
    pub name: String,
    pub contact: String,
    pub content: String,
    pub files: Vec<EvidenceFile>,
}

/// Names that say the objector will not give theirs.
const NOT_A_NAME: [&str; 6] = ["匿名", "无名", "无名氏", "不详", "某某", "anonymous"];

/// Why an objection cannot be accepted (不予受理): each missing or invalid item, in
/// Chinese. Empty when it is acceptable.
pub fn refusal_reasons(o: &NewObjection) -> Vec<String> {
    let mut reasons = Vec::new();
    let name = o.name.trim();
    if name.is_empty() {
        reasons.push("未填写真实姓名（异议须实名提出，匿名异议不予受理）".to_string());
    } else if NOT_A_NAME.iter().any(|n| name.eq_ignore_ascii_case(n)) {
        reasons.push(format!("「{name}」不是真实姓名（匿名异议不予受理）"));
    } else if name.chars().count() > MAX_NAME_CHARS {
        reasons.push(format!("姓名超过 {MAX_NAME_CHARS} 字"));
    }
    let contact = o.contact.trim();
    if contact.is_empty() {
        reasons.push("未填写联系方式（电话、电子邮箱或通信地址）".to_string());
    } else if contact.chars().count() > MAX_CONTACT_CHARS {
        reasons.push(format!("联系方式超过 {MAX_CONTACT_CHARS} 字"));
    }
    let content = o.content.trim();
    if content.is_empty() {
        reasons.push("未填写异议内容和理由".to_string());
    } else if content.chars().count() > MAX_CONTENT_CHARS {
        reasons.push(format!("异议内容超过 {MAX_CONTENT_CHARS} 字"));
    }
    if o.files.is_empty() {
        reasons.push("未提供佐证材料（至少上传一个证明文件）".to_string());
    } else if o.files.len() > MAX_FILES {
        reasons.push(format!("佐证材料最多 {MAX_FILES} 个文件"));
    }
    for f in &o.files {
        if let Err(e) = attachments::check(&f.filename, &f.bytes) {
            reasons.push(e.to_string());
        }
    }
    reasons
}

/// Records an objection from the public. Refused (不予受理, `Invalid` with every reason, and
/// nothing stored) without a real name, contact details, content or valid evidence;
/// refused (`Refused`) outside the notice period or when the application is not in it.
pub async fn file_objection(
    conn: &mut Conn,
    files_dir: &Path,
    notice_id: i64,
    application_id: i64,
    o: &NewObjection,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(Objection, Vec<Attachment>)> {
    let notice = get(conn, notice_id).await?.ok_or(StoreError::NotFound)?;
    let app = applications::get(conn, &Scope::National, application_id)
        .await?
        .filter(|a| a.batch_id == notice.batch_id)
        .ok_or(StoreError::NotFound)?;
    if !notice.is_running(today) {
        return Err(StoreError::Refused(format!(
            "公示期为 {} 至 {}，今天（{today}）不在公示期内，异议不予受理",
            notice.start_date, notice.end_date
        )));
    }
    let listed = entries(conn, &notice).await?;
    if app.state != AppState::InPublicNotice || !listed.iter().any(|a| a.id == app.id) {
        return Err(StoreError::Refused(
            "该集群已不在公示名单中，异议不予受理".into(),
        ));
    }
    let reasons = refusal_reasons(o);
    if !reasons.is_empty() {
        return Err(StoreError::Invalid(format!(
            "不予受理：{}",
            reasons.join("；")
        )));
    }
    let sql = format!(
        "INSERT INTO objections (notice_id, application_id, objector_name, contact, content, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {OBJECTION_COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(notice.id)
        .bind(app.id)
        .bind(o.name.trim())
        .bind(o.contact.trim())
        .bind(o.content.trim())
        .bind(ObjectionStatus::Received.as_str())
        .bind(time::to_text(now))
        .fetch_one(&mut *conn)
        .await?;
    let objection = objection_from_row(&row)?;
    // No name or contact in the audit log (personal data stays in the objection row).
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: None,
            actor: "public",
            actor_org: "-",
            action: "file_objection",
            object_type: "objection",
            object_id: objection.id.to_string(),
            before_state: None,
            after_state: Some(ObjectionStatus::Received.as_str()),
            comment: None,
            detail: serde_json::json!({
                "notice_id": notice.id,
                "application_id": app.id,
                "files": o.files.len(),
                "content_chars": o.content.trim().chars().count(),
            }),
        },
        now,
    )
    .await?;
    let mut files = Vec::with_capacity(o.files.len());
    for f in &o.files {
        files.push(
            attachments::store(
                conn,
                files_dir,
                Uploader {
                    user_id: None,
                    name: "public",
                    org_code: "-",
                },
                &NewFile {
                    owner_type: "objection",
                    owner_id: objection.id,
                    version: None,
                    filename: &f.filename,
                    bytes: &f.bytes,
                    audit_object_type: "objection",
                    audit_object_id: objection.id.to_string(),
                },
                now,
            )
            .await?,
        );
    }
    notifications::notify_org_code(
        conn,
        orgs::MINISTRY_CODE,
        "objection",
        "收到公示异议",
        &format!(
            "公示「{}」收到一件针对申报 {} 的实名异议（受理编号 {}），请核查处理。",
            notice.title, app.id, objection.id
        ),
        Some(&format!("/ministry/applications/{}", app.id)),
        now,
    )
    .await?;
    Ok((objection, files))
}

pub async fn objection(conn: &mut Conn, id: i64) -> Result<Option<Objection>> {
    let sql = format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(objection_from_row).transpose()
}

/// The objections against an application, oldest first.
pub async fn objections_for(conn: &mut Conn, application_id: i64) -> Result<Vec<Objection>> {
    let sql =
        format!("SELECT {OBJECTION_COLUMNS} FROM objections WHERE application_id = $1 ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(application_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(objection_from_row).collect()
}

/// The ministry decides an objection, with its reasons on the record. Upholding it rejects
/// the application (`Action::UpholdObjection`, same transaction) if it is still in the
/// notice.
pub async fn decide(
    conn: &mut Conn,
    actor: &Actor,
    objection_id: i64,
    upheld: bool,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Objection> {
    let o = objection(conn, objection_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let app = applications::get(conn, &actor.scope, o.application_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let batch = crate::batches::get(conn, app.batch_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    crate::batches::require_runner(actor, &batch, "处理异议")?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Refused(
            "处理异议必须写明理由（将记录在案并答复异议人）".into(),
        ));
    }
    if o.status != ObjectionStatus::Received {
        return Err(StoreError::Refused(format!(
            "该异议已处理（{}），不能重复处理",
            o.status.name_zh()
        )));
    }
    let to = if upheld {
        ObjectionStatus::Upheld
    } else {
        ObjectionStatus::Dismissed
    };
    let done = sqlx::query(
        "UPDATE objections SET status = $1, decision_reason = $2, decided_by = $3, decided_at = $4
         WHERE id = $5 AND status = $6",
    )
    .bind(to.as_str())
    .bind(reason)
    .bind(actor.user_id)
    .bind(time::to_text(now))
    .bind(o.id)
    .bind(ObjectionStatus::Received.as_str())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Refused(
            "该异议已被他人处理，请刷新后查看".into(),
        ));
    }
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "decide_objection",
            object_type: "objection",
            object_id: o.id.to_string(),
            before_state: Some(ObjectionStatus::Received.as_str()),
            after_state: Some(to.as_str()),
            comment: Some(reason),
            detail: serde_json::json!({"application_id": app.id, "notice_id": o.notice_id}),
        },
        now,
    )
    .await?;
    if upheld && app.state == AppState::InPublicNotice {
        let comment = format!("异议成立（受理编号 {}）：{reason}", o.id);
        applications::apply(
            conn,
            actor,
            app.id,
            Action::UpholdObjection,
            Some(&comment),
            now,
        )
        .await?;
    }
    objection(conn, o.id).await?.ok_or(StoreError::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn five_working_days_across_national_day() {
        // 2024: 9-29 (Sunday) is a 调休 working day, 10-01..10-07 off.
        assert_eq!(end_date(d(2024, 9, 27), 5).ok(), Some(d(2024, 10, 9)));
        // Starting on a holiday: day 1 is the first working day after it.
        // 10-12 (Saturday) is a 调休 working day and ends it.
        assert_eq!(end_date(d(2024, 10, 3), 5).ok(), Some(d(2024, 10, 12)));
        assert!(end_date(d(2024, 9, 27), 0).is_err());
    }

    #[test]
    fn objections_need_name_contact_content_and_evidence() {
        let ok = NewObjection {
            name: "张三".into(),
            contact: "13800000000".into(),
            content: "产值数据不实".into(),
            files: vec![EvidenceFile {
                filename: "证明.pdf".into(),
                bytes: b"%PDF-1.4 evidence".to_vec(),
            }],
        };
        assert!(refusal_reasons(&ok).is_empty());
        let mut anon = ok.clone();
        anon.name = "匿名".into();
        assert!(refusal_reasons(&anon)[0].contains("匿名"));
        let mut bare = NewObjection::default();
        bare.files.push(EvidenceFile {
            filename: "x.exe".into(),
            bytes: b"MZ".to_vec(),
        });
        let r = refusal_reasons(&bare);
        assert_eq!(r.len(), 4, "{r:?}");
    }
}
