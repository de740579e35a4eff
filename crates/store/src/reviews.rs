//! Review records of an application: the province's preliminary review (初审) and field
//! spot checks (实地抽查), 第十三条; the ministry's re-review and spot checks, 第十四条.
//! Each record says when, who, what was found and the conclusion; evidence files are
//! attachments owned by the review (`owner_type = "review"`). Every record appends an
//! audit event on its application.

use crate::applications::{Actor, Application};
use crate::audit::{self, NewEvent};
use crate::{Conn, Result, StoreError, time};
use chrono::{DateTime, NaiveDate, Utc};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::AppState;
use sqlx::Row;
use sqlx::any::AnyRow;

/// Longest text accepted for the people present and for the findings.
pub const MAX_PEOPLE_CHARS: usize = 500;
pub const MAX_FINDINGS_CHARS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewKind {
    /// 省级初审 (第十三条).
    Preliminary,
    /// 省级实地抽查 (第十三条).
    FieldCheck,
    /// 部级复审 (第十四条).
    MinistryReview,
    /// 部级实地抽查 (第十四条).
    MinistryFieldCheck,
}

impl ReviewKind {
    pub const ALL: [ReviewKind; 4] = [
        ReviewKind::Preliminary,
        ReviewKind::FieldCheck,
        ReviewKind::MinistryReview,
        ReviewKind::MinistryFieldCheck,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::Preliminary => "preliminary",
            ReviewKind::FieldCheck => "field_check",
            ReviewKind::MinistryReview => "ministry_review",
            ReviewKind::MinistryFieldCheck => "ministry_field_check",
        }
    }

    pub fn parse(s: &str) -> Option<ReviewKind> {
        ReviewKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ReviewKind::Preliminary => "省级初审",
            ReviewKind::FieldCheck => "省级实地抽查",
            ReviewKind::MinistryReview => "部级复审",
            ReviewKind::MinistryFieldCheck => "部级实地抽查",
        }
    }

    /// The role that records this kind.
    pub fn role(self) -> Role {
        match self {
            ReviewKind::Preliminary | ReviewKind::FieldCheck => Role::Province,
            ReviewKind::MinistryReview | ReviewKind::MinistryFieldCheck => Role::Ministry,
        }
    }

    /// The role that records this kind in a batch of `level`: whoever accepts (the 设区市
    /// or the province in a provincial batch) records the preliminary review; whoever
    /// receives records the re-review.
    pub fn role_at(self, level: jiqun_domain::workflow::Level) -> Role {
        use jiqun_domain::workflow::Action;
        match self {
            ReviewKind::Preliminary | ReviewKind::FieldCheck => Action::Accept.actor_at(level),
            ReviewKind::MinistryReview | ReviewKind::MinistryFieldCheck => {
                Action::Receive.actor_at(level)
            }
        }
    }

    /// States in which it may be recorded: the province reviews an accepted application
    /// before it recommends (第十三条 受理、初审和实地抽查 … 择优推荐); the ministry reviews
    /// what it has received (第十四条).
    pub fn states(self) -> &'static [AppState] {
        match self {
            ReviewKind::Preliminary | ReviewKind::FieldCheck => &[AppState::Accepted],
            ReviewKind::MinistryReview | ReviewKind::MinistryFieldCheck => {
                &[AppState::UnderReview, AppState::ExpertReview]
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Conclusion {
    /// 通过 / 属实.
    Pass,
    /// 不通过 / 存在问题.
    Fail,
    /// 仅记录情况.
    Note,
}

impl Conclusion {
    pub const ALL: [Conclusion; 3] = [Conclusion::Pass, Conclusion::Fail, Conclusion::Note];

    pub fn as_str(self) -> &'static str {
        match self {
            Conclusion::Pass => "pass",
            Conclusion::Fail => "fail",
            Conclusion::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<Conclusion> {
        Conclusion::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Conclusion::Pass => "通过",
            Conclusion::Fail => "不通过",
            Conclusion::Note => "记录情况",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: i64,
    pub application_id: i64,
    pub kind: ReviewKind,
    pub held_on: NaiveDate,
    pub people: String,
    pub findings: String,
    pub conclusion: Conclusion,
    pub by_user: i64,
    pub by_user_name: String,
    pub by_org_name: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct NewReview<'a> {
    pub kind: ReviewKind,
    pub held_on: NaiveDate,
    pub people: &'a str,
    pub findings: &'a str,
    pub conclusion: Conclusion,
}

fn from_row(row: &AnyRow) -> Result<Review> {
    let kind: String = row.try_get("kind")?;
    let conclusion: String = row.try_get("conclusion")?;
    let held_on: String = row.try_get("held_on")?;
    Ok(Review {
        id: row.try_get("id")?,
        application_id: row.try_get("application_id")?,
        kind: ReviewKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("未知审查类型「{kind}」")))?,
        held_on: time::date_from_text(&held_on)?,
        people: row.try_get("people")?,
        findings: row.try_get("findings")?,
        conclusion: Conclusion::parse(&conclusion)
            .ok_or_else(|| StoreError::Corrupt(format!("未知审查结论「{conclusion}」")))?,
        by_user: row.try_get("by_user")?,
        by_user_name: row.try_get("display_name")?,
        by_org_name: row.try_get("org_name")?,
        created_at: row.try_get("created_at")?,
    })
}

const SELECT: &str =
    "SELECT r.id, r.application_id, r.kind, r.held_on, r.people, r.findings, r.conclusion,
        r.by_user, u.display_name, o.name AS org_name, r.created_at
     FROM reviews r JOIN users u ON u.id = r.by_user JOIN organisations o ON o.id = r.by_org";

/// Checks a review before it is written; every problem in one message.
pub fn validate(r: &NewReview<'_>, today: NaiveDate) -> Result<()> {
    let mut problems = Vec::new();
    if r.held_on > today {
        problems.push(format!(
            "日期 {} 晚于今天（{}），请填写实际开展的日期",
            time::date_to_text(r.held_on),
            time::date_to_text(today)
        ));
    }
    let people = r.people.trim();
    if people.is_empty() {
        problems.push("请填写参加人员".to_string());
    } else if people.chars().count() > MAX_PEOPLE_CHARS {
        problems.push(format!("参加人员不能超过{MAX_PEOPLE_CHARS}字"));
    }
    let findings = r.findings.trim();
    if findings.is_empty() {
        problems.push("请填写审查发现或抽查情况".to_string());
    } else if findings.chars().count() > MAX_FINDINGS_CHARS {
        problems.push(format!("审查发现不能超过{MAX_FINDINGS_CHARS}字"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(problems.join("；")))
    }
}

/// Records one review of an application in the actor's scope (else `NotFound`). Refused
/// for the wrong role or in a state where this kind of review does not happen.
pub async fn record(
    conn: &mut Conn,
    actor: &Actor,
    application_id: i64,
    r: &NewReview<'_>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Review> {
    let app: Application = crate::applications::get(conn, &actor.scope, application_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let batch = crate::batches::get(conn, app.batch_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let role = r.kind.role_at(batch.workflow_level());
    if !actor.roles.contains(&role) {
        return Err(StoreError::Refused(format!(
            "「{}」只能由{}记录",
            r.kind.name_zh(),
            role.name_zh()
        )));
    }
    if !r.kind.states().contains(&app.state) {
        return Err(StoreError::Refused(format!(
            "申报当前状态为「{}」，不能记录「{}」",
            app.state.name_zh(),
            r.kind.name_zh()
        )));
    }
    validate(r, today)?;
    let row = sqlx::query(
        "INSERT INTO reviews (application_id, kind, held_on, people, findings, conclusion, by_user,
             by_org, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(app.id)
    .bind(r.kind.as_str())
    .bind(time::date_to_text(r.held_on))
    .bind(r.people.trim())
    .bind(r.findings.trim())
    .bind(r.conclusion.as_str())
    .bind(actor.user_id)
    .bind(actor.org_id)
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "record_review",
            object_type: "application",
            object_id: app.id.to_string(),
            before_state: Some(app.state.as_str()),
            after_state: Some(app.state.as_str()),
            comment: None,
            detail: serde_json::json!({
                "review_id": id,
                "kind": r.kind.as_str(),
                "held_on": time::date_to_text(r.held_on),
                "conclusion": r.conclusion.as_str(),
            }),
        },
        now,
    )
    .await?;
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

/// One review by id (callers check the application's scope first).
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Review>> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The reviews of one application, oldest first.
pub async fn list(conn: &mut Conn, application_id: i64) -> Result<Vec<Review>> {
    let sql = format!("{SELECT} WHERE r.application_id = $1 ORDER BY r.held_on, r.id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(application_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn has_kind(conn: &mut Conn, application_id: i64, kind: ReviewKind) -> Result<bool> {
    let row =
        sqlx::query("SELECT COUNT(*) AS n FROM reviews WHERE application_id = $1 AND kind = $2")
            .bind(application_id)
            .bind(kind.as_str())
            .fetch_one(&mut *conn)
            .await?;
    let n: i64 = row.try_get("n")?;
    Ok(n > 0)
}

/// SPEC §4: the province recommends (or declines to) "after preliminary review".
pub async fn require_preliminary(conn: &mut Conn, application_id: i64) -> Result<()> {
    if has_kind(conn, application_id, ReviewKind::Preliminary).await? {
        Ok(())
    } else {
        Err(StoreError::Refused(
            "须先记录省级初审意见（第十三条：受理、初审和实地抽查后择优推荐），再作推荐决定".into(),
        ))
    }
}
