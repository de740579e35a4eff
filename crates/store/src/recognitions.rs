//! Publication (认定发布, 第十四条 "经公示无异议的，确定为「中小企业特色产业集群」，并在
//! 工业和信息化部门户网站公布") and the recognitions it creates, valid for three years
//! (第十五条 "集群有效期为三年").
//!
//! Publishing a batch takes every application of it still in public notice:
//! - its notice has not ended (today, China time, is on or before the end date): held;
//! - an objection against it is still undecided: held;
//! - an objection was upheld: `UpholdObjection` → rejected (normally already done when the
//!   objection was decided);
//! - otherwise: `Recognize` → recognised, a recognition row valid from the publication date
//!   to `valid_until(valid_from)`, and the cluster's tier becomes national.
//!
//! If nothing could be published the whole call is refused with the reasons.

use crate::applications::{self, Actor, Application};
use crate::audit::{self, NewEvent};
use crate::notices::{self, ObjectionStatus};
use crate::{Conn, Result, Scope, StoreError, time};
use chrono::{DateTime, NaiveDate, Utc};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::{self, Action, AppState, WorkflowError};
use sqlx::Row;
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognition {
    pub id: i64,
    pub cluster_id: i64,
    pub application_id: i64,
    pub batch_id: i64,
    /// `national` or `provincial`.
    pub level: String,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// `active`, `extended`, `revoked` or `expired`.
    pub status: String,
    pub created_at: String,
}

impl Recognition {
    pub fn status_zh(&self) -> &'static str {
        match self.status.as_str() {
            "active" => "有效",
            "extended" => "复核通过，已延期",
            "revoked" => "已撤销",
            "expired" => "已到期",
            _ => "未知",
        }
    }
}

/// A recognition with what the public list shows of its cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub recognition: Recognition,
    pub cluster_name: String,
    pub county_code: String,
    pub authority_code: String,
    pub leading_industry: String,
}

const COLUMNS: &str = "r.id, r.cluster_id, r.application_id, r.batch_id, r.level, r.valid_from, \
     r.valid_until, r.status, r.created_at";

fn from_row(row: &AnyRow) -> Result<Recognition> {
    let from: String = row.try_get("valid_from")?;
    let until: String = row.try_get("valid_until")?;
    Ok(Recognition {
        id: row.try_get("id")?,
        cluster_id: row.try_get("cluster_id")?,
        application_id: row.try_get("application_id")?,
        batch_id: row.try_get("batch_id")?,
        level: row.try_get("level")?,
        valid_from: time::date_from_text(&from)?,
        valid_until: time::date_from_text(&until)?,
        status: row.try_get("status")?,
        created_at: row.try_get("created_at")?,
    })
}

/// What a publication did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub recognized: Vec<Application>,
    pub rejected: Vec<Application>,
    /// Applications left in the notice, with the reason.
    pub held: Vec<(Application, String)>,
}

/// Publishes a batch (ministry only); see the module documentation.
pub async fn publish(
    conn: &mut Conn,
    actor: &Actor,
    batch_id: i64,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let batch = crate::batches::get(conn, batch_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    // The ministry publishes a national batch, the owning province its own batch.
    crate::batches::require_runner(actor, &batch, Action::Recognize.name_zh())?;
    let in_notice = applications::list(
        conn,
        &Scope::National,
        Some(batch.id),
        Some(AppState::InPublicNotice),
    )
    .await?;
    if in_notice.is_empty() {
        return Err(StoreError::Refused(
            "本批次没有公示中的申报，无可发布的认定".into(),
        ));
    }
    let mut out = Outcome::default();
    for app in in_notice {
        let notice = notices::of_application(conn, &app)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("申报 {} 公示中但没有公示记录", app.id)))?;
        if !notice.has_ended(today) {
            let e = WorkflowError::NoticeNotOver {
                end: notice.end_date,
                what: "认定发布",
            };
            out.held.push((app, e.to_string()));
            continue;
        }
        let objections = notices::objections_for(conn, app.id).await?;
        let pending = objections
            .iter()
            .filter(|o| o.status == ObjectionStatus::Received)
            .count();
        if pending > 0 {
            out.held
                .push((app, format!("有 {pending} 件异议尚未处理，须先处理异议")));
            continue;
        }
        if let Some(upheld) = objections
            .iter()
            .find(|o| o.status == ObjectionStatus::Upheld)
        {
            let comment = format!(
                "异议成立（受理编号 {}）：{}",
                upheld.id,
                upheld.decision_reason.as_deref().unwrap_or("")
            );
            let app = applications::apply(
                conn,
                actor,
                app.id,
                Action::UpholdObjection,
                Some(&comment),
                now,
            )
            .await?;
            out.rejected.push(app);
            continue;
        }
        let comment = format!(
            "公示期 {} 至 {} 无异议成立",
            notice.start_date, notice.end_date
        );
        let app = applications::apply(conn, actor, app.id, Action::Recognize, Some(&comment), now)
            .await?;
        record(conn, actor, &app, &batch.level, today, now).await?;
        out.recognized.push(app);
    }
    if out.recognized.is_empty() && out.rejected.is_empty() {
        let reasons: Vec<String> = out
            .held
            .iter()
            .map(|(a, r)| format!("申报 {}：{r}", a.id))
            .collect();
        return Err(StoreError::Refused(format!(
            "没有可以发布的认定。{}",
            reasons.join("；")
        )));
    }
    Ok(out)
}

/// The recognition row of a just-recognised application, and the cluster's new tier.
async fn record(
    conn: &mut Conn,
    actor: &Actor,
    app: &Application,
    level: &str,
    valid_from: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Recognition> {
    let valid_until = workflow::valid_until(valid_from);
    let row = sqlx::query(
        "INSERT INTO recognitions (cluster_id, application_id, batch_id, level, valid_from, valid_until,
             status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'active', $7) RETURNING id",
    )
    .bind(app.cluster_id)
    .bind(app.id)
    .bind(app.batch_id)
    .bind(level)
    .bind(time::date_to_text(valid_from))
    .bind(time::date_to_text(valid_until))
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await?;
    let id: i64 = row.try_get("id")?;
    // The frozen declaration's numbers, for the dashboards (migration 0010).
    crate::monitoring::record_declaration(conn, id).await?;
    let tier = if level == "national" {
        crate::clusters::Tier::National
    } else {
        crate::clusters::Tier::Provincial
    };
    let cluster = crate::clusters::get(conn, &Scope::National, app.cluster_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    sqlx::query("UPDATE clusters SET tier = $1 WHERE id = $2")
        .bind(tier.as_str())
        .bind(app.cluster_id)
        .execute(&mut *conn)
        .await?;
    if tier == crate::clusters::Tier::Provincial {
        // Recognised by its province's batch: the cluster leaves the cultivation library
        // as promoted (the history shows the recognition itself from this table).
        sqlx::query(
            "UPDATE cultivation_entries SET status = 'promoted', left_on = $1, leave_reason = $2,
                 updated_at = $3 WHERE cluster_id = $4 AND status IN ('proposed', 'in_library')",
        )
        .bind(time::date_to_text(valid_from))
        .bind("经省级批次认定为省级集群")
        .bind(time::to_text(now))
        .bind(app.cluster_id)
        .execute(&mut *conn)
        .await?;
    }
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "recognition",
            object_type: "cluster",
            object_id: app.cluster_id.to_string(),
            before_state: Some(cluster.tier.as_str()),
            after_state: Some(tier.as_str()),
            comment: None,
            detail: serde_json::json!({
                "recognition_id": id,
                "application_id": app.id,
                "batch_id": app.batch_id,
                "valid_from": time::date_to_text(valid_from),
                "valid_until": time::date_to_text(valid_until),
            }),
        },
        now,
    )
    .await?;
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Recognition>> {
    let sql = format!("SELECT {COLUMNS} FROM recognitions r WHERE r.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn for_application(conn: &mut Conn, application_id: i64) -> Result<Option<Recognition>> {
    let sql = format!("SELECT {COLUMNS} FROM recognitions r WHERE r.application_id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(application_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The published list of a batch (public): every recognition with its cluster, by
/// authority, county and name.
pub async fn list_batch(conn: &mut Conn, batch_id: i64) -> Result<Vec<Listed>> {
    let sql = format!(
        "SELECT {COLUMNS}, c.name AS cluster_name, c.county_code, c.authority_code, c.leading_industry
         FROM recognitions r JOIN clusters c ON c.id = r.cluster_id
         WHERE r.batch_id = $1 ORDER BY c.authority_code, c.county_code, c.name"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(batch_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(Listed {
                recognition: from_row(r)?,
                cluster_name: r.try_get("cluster_name")?,
                county_code: r.try_get("county_code")?,
                authority_code: r.try_get("authority_code")?,
                leading_industry: r.try_get("leading_industry")?,
            })
        })
        .collect()
}

/// Ids of the batches that have published recognitions, newest first.
pub async fn published_batches(conn: &mut Conn) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT DISTINCT r.batch_id, b.year FROM recognitions r JOIN batches b ON b.id = r.batch_id
         ORDER BY b.year DESC, r.batch_id DESC",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|r| Ok(r.try_get("batch_id")?)).collect()
}

/// Records a recognition made before jiqun was in use (the batches of 2022–2024 were run on
/// paper): the cluster's application is marked recognised and a recognition row written,
/// valid from `valid_from` for three years (第十五条). Ministry only; audited as
/// `recognition.import`. The application must exist (it carries the declaration).
pub async fn import_historical(
    conn: &mut Conn,
    actor: &Actor,
    application_id: i64,
    valid_from: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Recognition> {
    if !actor.roles.contains(&Role::Ministry) {
        return Err(StoreError::Refused(format!(
            "历史认定只能由{}导入",
            Role::Ministry.name_zh()
        )));
    }
    let app = applications::get(conn, &Scope::National, application_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    if for_application(conn, app.id).await?.is_some() {
        return Err(StoreError::Conflict(format!(
            "申报 {} 已有认定记录",
            app.id
        )));
    }
    let batch = crate::batches::get(conn, app.batch_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    sqlx::query("UPDATE applications SET state = $1, updated_at = $2 WHERE id = $3")
        .bind(AppState::Recognized.as_str())
        .bind(time::to_text(now))
        .bind(app.id)
        .execute(&mut *conn)
        .await?;
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "recognition.import",
            object_type: "application",
            object_id: app.id.to_string(),
            before_state: Some(app.state.as_str()),
            after_state: Some(AppState::Recognized.as_str()),
            comment: Some("导入系统启用前的认定"),
            detail: serde_json::json!({"batch_id": batch.id, "valid_from": time::date_to_text(valid_from)}),
        },
        now,
    )
    .await?;
    record(conn, actor, &app, &batch.level, valid_from, now).await
}
