//! Expert review (专家评审) of the applications the ministry has received (第十四条 复审;
//! SPEC §4): at least three experts per application, never one from the cluster's own
//! province; each declares no conflict of interest before scoring, scores every judgement
//! criterion of the batch's criteria edition from 0 to 100 with a comment, and recommends
//! or not. The ministry sees the scores aggregated: the mean per criterion and overall, and
//! each expert's spread.
//!
//! Every assignment, declaration and submission appends an audit event in the caller's
//! transaction.

use crate::applications::{self, Actor, Application};
use crate::audit::{self, NewEvent};
use crate::{Conn, Result, Scope, StoreError, notifications, orgs, time, users};
use chrono::{DateTime, Utc};
use jiqun_domain::criteria::{Criterion, Edition, Kind};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::{self, AppState, MIN_EXPERTS, WorkflowError};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Longest comment kept per criterion and for the recommendation.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// An expert's recommendation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recommendation {
    Recommend,
    NotRecommend,
}

impl Recommendation {
    pub fn as_str(self) -> &'static str {
        match self {
            Recommendation::Recommend => "recommend",
            Recommendation::NotRecommend => "not_recommend",
        }
    }

    pub fn parse(s: &str) -> Option<Recommendation> {
        match s {
            "recommend" => Some(Recommendation::Recommend),
            "not_recommend" => Some(Recommendation::NotRecommend),
            _ => None,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Recommendation::Recommend => "建议认定",
            Recommendation::NotRecommend => "不建议认定",
        }
    }
}

/// One expert's assignment to one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub id: i64,
    pub application_id: i64,
    pub expert_user_id: i64,
    pub expert_name: String,
    pub expert_home_province: Option<String>,
    pub no_conflict_declared_at: Option<String>,
    pub recommendation: Option<Recommendation>,
    pub recommendation_comment: Option<String>,
    pub submitted_at: Option<String>,
    pub assigned_at: String,
}

impl Assignment {
    pub fn declared(&self) -> bool {
        self.no_conflict_declared_at.is_some()
    }

    pub fn submitted(&self) -> bool {
        self.submitted_at.is_some()
    }

    pub fn status_zh(&self) -> &'static str {
        if self.submitted() {
            "已提交评分"
        } else if self.declared() {
            "已声明无利益冲突，待评分"
        } else {
            "待声明无利益冲突"
        }
    }
}

/// One stored score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub assignment_id: i64,
    pub criterion_id: String,
    pub score: i64,
    pub comment: String,
    pub scored_at: String,
}

/// An expert account of the pool, as the assignment form lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolExpert {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub home_province: Option<String>,
}

const COLUMNS: &str = "a.id, a.application_id, a.expert_user_id, u.display_name, u.home_province, \
     a.no_conflict_declared_at, a.recommendation, a.recommendation_comment, a.submitted_at, a.assigned_at";

fn from_row(row: &AnyRow) -> Result<Assignment> {
    let rec: Option<String> = row.try_get("recommendation")?;
    Ok(Assignment {
        id: row.try_get("id")?,
        application_id: row.try_get("application_id")?,
        expert_user_id: row.try_get("expert_user_id")?,
        expert_name: row.try_get("display_name")?,
        expert_home_province: row.try_get("home_province")?,
        no_conflict_declared_at: row.try_get("no_conflict_declared_at")?,
        recommendation: rec
            .map(|r| {
                Recommendation::parse(&r)
                    .ok_or_else(|| StoreError::Corrupt(format!("未知评审建议「{r}」")))
            })
            .transpose()?,
        recommendation_comment: row.try_get("recommendation_comment")?,
        submitted_at: row.try_get("submitted_at")?,
        assigned_at: row.try_get("assigned_at")?,
    })
}

/// The province a county lies in, as a GB/T 2260 province code (first two digits +
/// "0000"). A 计划单列市's counties (宁海 330226) lie in their province (浙江 330000) even
/// though they answer to the city: an expert from 浙江 may not review a 宁波 cluster.
pub fn province_of(code: &str) -> String {
    let prefix = code.trim().get(..2).unwrap_or("");
    format!("{prefix}0000")
}

/// Conflict of interest (SPEC §4 "none from the cluster's province"): the expert's home
/// province, compared as a province code, equals the province of the cluster's county, or
/// the expert's home is the very authority the cluster answers to (e.g. the XPCC, 660000,
/// whose cities lie in 新疆 but answer to the corps). An expert without a declared home
/// province cannot be cleared and is refused too.
pub fn check_conflict(
    expert_home: Option<&str>,
    county_code: &str,
    authority_code: &str,
) -> std::result::Result<(), String> {
    let Some(home) = expert_home.map(str::trim).filter(|h| !h.is_empty()) else {
        return Err("该专家未登记所在省份，无法核查利益冲突，不能分配".into());
    };
    let cluster_province = province_of(county_code);
    workflow::check_expert(Some(&province_of(home)), &cluster_province)
        .and_then(|()| workflow::check_expert(Some(home), authority_code))
        .map_err(|e| match e {
            WorkflowError::ExpertConflict => format!(
                "专家所在省份（{home}）与集群所在省份（{cluster_province}，主管部门 {authority_code}）相同，须回避，不能分配"
            ),
            other => other.to_string(),
        })
}

/// [`check_conflict`] for an application of `batch`. In a province's own batch the experts
/// come from that province's pool (本省专家): an expert whose home is another province is
/// refused; the national rule ("none from the cluster's province") is for national batches.
pub fn check_conflict_in(
    batch: &crate::batches::Batch,
    expert_home: Option<&str>,
    county_code: &str,
    authority_code: &str,
) -> std::result::Result<(), String> {
    if !batch.is_provincial() {
        return check_conflict(expert_home, county_code, authority_code);
    }
    let Some(home) = expert_home.map(str::trim).filter(|h| !h.is_empty()) else {
        return Err("该专家未登记所在省份，无法核查是否为本省专家，不能分配".into());
    };
    let owner = batch.owner_authority.as_deref().unwrap_or("");
    if home == owner || province_of(home) == owner {
        Ok(())
    } else {
        Err(format!(
            "省级批次由本省专家评审：该专家所在省份（{home}）不是本批次的组织单位（{owner}），不能分配"
        ))
    }
}

/// The judgement criteria of an edition: what experts score (kind = judgement).
pub fn judgement_criteria(edition_id: &str) -> Result<Vec<&'static Criterion>> {
    let edition = Edition::builtin(edition_id)
        .ok_or_else(|| StoreError::Invalid(format!("未找到认定标准版本「{edition_id}」")))?;
    Ok(edition
        .criteria
        .iter()
        .filter(|c| c.kind == Kind::Judgement)
        .collect())
}

/// The judgement criteria for an application's batch.
pub async fn criteria_for(conn: &mut Conn, app: &Application) -> Result<Vec<&'static Criterion>> {
    let batch = crate::batches::get(conn, app.batch_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    judgement_criteria(&batch.edition)
}

/// Every account holding the expert role, by name.
pub async fn pool(conn: &mut Conn) -> Result<Vec<PoolExpert>> {
    let rows = sqlx::query(
        "SELECT u.id, u.username, u.display_name, u.home_province FROM users u
           JOIN user_roles r ON r.user_id = u.id
         WHERE r.role = $1 AND u.disabled = 0 ORDER BY u.display_name, u.id",
    )
    .bind(Role::Expert.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PoolExpert {
                user_id: r.try_get("id")?,
                username: r.try_get("username")?,
                display_name: r.try_get("display_name")?,
                home_province: r.try_get("home_province")?,
            })
        })
        .collect()
}

fn require(actor: &Actor, role: Role, what: &str) -> Result<()> {
    if actor.roles.contains(&role) {
        Ok(())
    } else {
        Err(StoreError::Refused(format!(
            "{what}只能由{}执行",
            role.name_zh()
        )))
    }
}

/// States in which the ministry may assign experts.
const ASSIGNABLE: [AppState; 2] = [AppState::UnderReview, AppState::ExpertReview];

/// Assigns one expert to an application (ministry only). Refused for an expert from the
/// cluster's province, an account that is not an expert, a second assignment of the same
/// expert, and an application not under the ministry's review.
pub async fn assign(
    conn: &mut Conn,
    actor: &Actor,
    application_id: i64,
    expert_user_id: i64,
    now: DateTime<Utc>,
) -> Result<Assignment> {
    let app = applications::get(conn, &actor.scope, application_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let batch = crate::batches::get(conn, app.batch_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    crate::batches::require_runner(actor, &batch, "分配评审专家")?;
    if !ASSIGNABLE.contains(&app.state) {
        return Err(StoreError::Refused(format!(
            "申报当前状态为「{}」，只有部级复审中或专家评审中的申报可以分配专家",
            app.state.name_zh()
        )));
    }
    let expert = users::by_id(conn, expert_user_id)
        .await?
        .filter(|u| u.has_role(Role::Expert) && !u.disabled)
        .ok_or_else(|| StoreError::Refused("所选账号不是有效的评审专家".into()))?;
    check_conflict_in(
        &batch,
        expert.home_province.as_deref(),
        &app.county_code,
        &app.authority_code,
    )
    .map_err(StoreError::Refused)?;
    let row = sqlx::query(
        "INSERT INTO expert_assignments (application_id, expert_user_id, assigned_by, assigned_at)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(app.id)
    .bind(expert.id)
    .bind(actor.user_id)
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match StoreError::from(e) {
        StoreError::Conflict(_) => {
            StoreError::Refused(format!("专家「{}」已分配评审该申报", expert.display_name))
        }
        other => other,
    })?;
    let id: i64 = row.try_get("id")?;
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "assign_expert",
            object_type: "application",
            object_id: app.id.to_string(),
            before_state: Some(app.state.as_str()),
            after_state: Some(app.state.as_str()),
            comment: None,
            detail: serde_json::json!({
                "assignment_id": id,
                "expert_user_id": expert.id,
                "expert_home_province": expert.home_province,
            }),
        },
        now,
    )
    .await?;
    // No inbox message: the pool's inbox is shared by every expert, and who reviews what
    // is confidential; the expert finds the task on `/expert`.
    get(conn, id).await?.ok_or(StoreError::NotFound)
}

/// One assignment by id (unscoped: callers scope it).
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Assignment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM expert_assignments a JOIN users u ON u.id = a.expert_user_id WHERE a.id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// One assignment of this expert; another expert's answers `None` (→ 404).
pub async fn get_for_expert(
    conn: &mut Conn,
    expert_user_id: i64,
    id: i64,
) -> Result<Option<Assignment>> {
    Ok(get(conn, id)
        .await?
        .filter(|a| a.expert_user_id == expert_user_id))
}

/// The experts assigned to an application, in assignment order.
pub async fn for_application(conn: &mut Conn, application_id: i64) -> Result<Vec<Assignment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM expert_assignments a JOIN users u ON u.id = a.expert_user_id
         WHERE a.application_id = $1 ORDER BY a.id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(application_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// An expert's assignments, newest first.
pub async fn for_expert(conn: &mut Conn, expert_user_id: i64) -> Result<Vec<Assignment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM expert_assignments a JOIN users u ON u.id = a.expert_user_id
         WHERE a.expert_user_id = $1 ORDER BY a.id DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(expert_user_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// The scores of one assignment, in criterion order of storage.
pub async fn scores(conn: &mut Conn, assignment_id: i64) -> Result<Vec<Score>> {
    let rows = sqlx::query(
        "SELECT assignment_id, criterion_id, score, comment, scored_at FROM expert_scores
         WHERE assignment_id = $1 ORDER BY criterion_id",
    )
    .bind(assignment_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Score {
                assignment_id: r.try_get("assignment_id")?,
                criterion_id: r.try_get("criterion_id")?,
                score: r.try_get("score")?,
                comment: r.try_get("comment")?,
                scored_at: r.try_get("scored_at")?,
            })
        })
        .collect()
}

/// The application behind an expert's assignment, for the expert's pages (the expert has
/// no jurisdiction of their own; the assignment is what lets them see it).
pub async fn application_of(conn: &mut Conn, a: &Assignment) -> Result<Application> {
    applications::get(conn, &Scope::National, a.application_id)
        .await?
        .ok_or(StoreError::NotFound)
}

fn own_assignment(actor: &Actor, a: Option<Assignment>) -> Result<Assignment> {
    a.filter(|a| a.expert_user_id == actor.user_id)
        .ok_or(StoreError::NotFound)
}

/// The expert declares that they have no conflict of interest with this application
/// (回避声明). Required before scoring.
pub async fn declare_no_conflict(
    conn: &mut Conn,
    actor: &Actor,
    assignment_id: i64,
    now: DateTime<Utc>,
) -> Result<Assignment> {
    let a = own_assignment(actor, get(conn, assignment_id).await?)?;
    require(actor, Role::Expert, "无利益冲突声明")?;
    if a.declared() {
        return Ok(a);
    }
    let app = application_of(conn, &a).await?;
    if !ASSIGNABLE.contains(&app.state) {
        return Err(StoreError::Refused(format!(
            "申报当前状态为「{}」，评审已结束",
            app.state.name_zh()
        )));
    }
    sqlx::query(
        "UPDATE expert_assignments SET no_conflict_declared_at = $1
         WHERE id = $2 AND no_conflict_declared_at IS NULL",
    )
    .bind(time::to_text(now))
    .bind(a.id)
    .execute(&mut *conn)
    .await?;
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "declare_no_conflict",
            object_type: "application",
            object_id: app.id.to_string(),
            before_state: Some(app.state.as_str()),
            after_state: Some(app.state.as_str()),
            comment: None,
            detail: serde_json::json!({"assignment_id": a.id}),
        },
        now,
    )
    .await?;
    get(conn, a.id).await?.ok_or(StoreError::NotFound)
}

/// What an expert typed into the score form, before checking.
#[derive(Debug, Clone, Default)]
pub struct ScoreForm {
    /// (criterion id, score as typed, comment), one per judgement criterion.
    pub items: Vec<(String, String, String)>,
    pub recommendation: String,
    pub recommendation_comment: String,
}

/// A checked score sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreSheet {
    pub scores: Vec<(String, i64, String)>,
    pub recommendation: Recommendation,
    pub recommendation_comment: Option<String>,
}

/// Checks a score form against the judgement criteria: each scored exactly once, an
/// integer from 0 to 100, with a comment; a recommendation chosen. Every problem is
/// reported, in Chinese, naming the criterion.
pub fn validate_scores(
    criteria: &[&Criterion],
    form: &ScoreForm,
) -> std::result::Result<ScoreSheet, Vec<String>> {
    let mut problems = Vec::new();
    let mut scores = Vec::new();
    for c in criteria {
        let label = format!("「{}」（{}）", c.text_zh, c.id);
        let entries: Vec<_> = form.items.iter().filter(|(id, _, _)| id == &c.id).collect();
        let Some((_, raw, comment)) = entries.first() else {
            problems.push(format!("{label}未评分"));
            continue;
        };
        if entries.len() > 1 {
            problems.push(format!("{label}重复评分"));
            continue;
        }
        let raw = raw.trim();
        let score = if raw.is_empty() {
            problems.push(format!("{label}未填写分数"));
            None
        } else {
            match raw.parse::<i64>() {
                Ok(s) if (0..=100).contains(&s) => Some(s),
                Ok(s) => {
                    problems.push(format!("{label}的分数为 {s}，须为 0 至 100 之间的整数"));
                    None
                }
                Err(_) => {
                    problems.push(format!(
                        "{label}的分数「{raw}」不是整数，须为 0 至 100 之间的整数"
                    ));
                    None
                }
            }
        };
        let comment = comment.trim();
        if comment.is_empty() {
            problems.push(format!("{label}须填写评审意见"));
        } else if comment.chars().count() > MAX_COMMENT_CHARS {
            problems.push(format!("{label}的评审意见超过 {MAX_COMMENT_CHARS} 字"));
        }
        if let Some(s) = score
            && !comment.is_empty()
        {
            scores.push((c.id.clone(), s, comment.to_string()));
        }
    }
    for (id, _, _) in &form.items {
        if !criteria.iter().any(|c| &c.id == id) {
            problems.push(format!("「{id}」不是本批次认定标准中的定性评审指标"));
        }
    }
    let recommendation = Recommendation::parse(form.recommendation.trim());
    if recommendation.is_none() {
        problems.push("请选择评审建议（建议认定或不建议认定）".into());
    }
    let rc = form.recommendation_comment.trim();
    if rc.chars().count() > MAX_COMMENT_CHARS {
        problems.push(format!("评审建议说明超过 {MAX_COMMENT_CHARS} 字"));
    }
    match recommendation {
        Some(recommendation) if problems.is_empty() => Ok(ScoreSheet {
            scores,
            recommendation,
            recommendation_comment: (!rc.is_empty()).then(|| rc.to_string()),
        }),
        _ => Err(problems),
    }
}

/// The expert submits a checked score sheet. Refused before the no-conflict declaration,
/// after a submission (scores are final), and outside the expert review.
pub async fn submit(
    conn: &mut Conn,
    actor: &Actor,
    assignment_id: i64,
    sheet: &ScoreSheet,
    now: DateTime<Utc>,
) -> Result<Assignment> {
    let a = own_assignment(actor, get(conn, assignment_id).await?)?;
    require(actor, Role::Expert, "专家评分")?;
    if !a.declared() {
        return Err(StoreError::Refused(
            "请先声明与该申报无利益冲突（回避声明），再评分".into(),
        ));
    }
    if a.submitted() {
        return Err(StoreError::Refused("评分已提交，不能修改".into()));
    }
    let app = application_of(conn, &a).await?;
    if app.state != AppState::ExpertReview {
        return Err(StoreError::Refused(format!(
            "申报当前状态为「{}」，不在专家评审阶段，不能评分",
            app.state.name_zh()
        )));
    }
    let criteria = criteria_for(conn, &app).await?;
    if sheet.scores.len() != criteria.len()
        || criteria
            .iter()
            .any(|c| !sheet.scores.iter().any(|(id, _, _)| id == &c.id))
    {
        return Err(StoreError::Invalid("评分须覆盖全部定性评审指标".into()));
    }
    let at = time::to_text(now);
    for (criterion_id, score, comment) in &sheet.scores {
        if !(0..=100).contains(score) {
            return Err(StoreError::Invalid(format!(
                "「{criterion_id}」的分数须为 0 至 100 之间的整数"
            )));
        }
        sqlx::query(
            "INSERT INTO expert_scores (assignment_id, criterion_id, score, comment, scored_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(a.id)
        .bind(criterion_id)
        .bind(*score)
        .bind(comment)
        .bind(&at)
        .execute(&mut *conn)
        .await?;
    }
    let done = sqlx::query(
        "UPDATE expert_assignments SET recommendation = $1, recommendation_comment = $2, submitted_at = $3
         WHERE id = $4 AND submitted_at IS NULL",
    )
    .bind(sheet.recommendation.as_str())
    .bind(sheet.recommendation_comment.as_deref())
    .bind(&at)
    .bind(a.id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Refused("评分已提交，不能修改".into()));
    }
    let detail_scores: serde_json::Map<String, serde_json::Value> = sheet
        .scores
        .iter()
        .map(|(id, s, _)| (id.clone(), serde_json::Value::from(*s)))
        .collect();
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "expert_score",
            object_type: "application",
            object_id: app.id.to_string(),
            before_state: Some(app.state.as_str()),
            after_state: Some(app.state.as_str()),
            comment: sheet.recommendation_comment.as_deref(),
            detail: serde_json::json!({
                "assignment_id": a.id,
                "scores": detail_scores,
                "recommendation": sheet.recommendation.as_str(),
            }),
        },
        now,
    )
    .await?;
    notifications::notify_org_code(
        conn,
        orgs::MINISTRY_CODE,
        "expert",
        "专家评分已提交",
        &format!(
            "申报 {} 收到一份专家评分（{}）。",
            app.id,
            sheet.recommendation.name_zh()
        ),
        Some(&format!("/ministry/applications/{}", app.id)),
        now,
    )
    .await?;
    get(conn, a.id).await?.ok_or(StoreError::NotFound)
}

/// Mean, minimum and maximum of one criterion over the experts who scored it.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionStats {
    pub criterion_id: String,
    pub text_zh: String,
    pub n: usize,
    pub mean: f64,
    pub min: i64,
    pub max: i64,
}

/// One expert's scores and their spread across the criteria.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpertStats {
    pub assignment: Assignment,
    /// Per criterion, in the edition's order (`None` where not scored).
    pub scores: Vec<Option<i64>>,
    pub mean: f64,
    pub min: i64,
    pub max: i64,
    /// Population standard deviation of this expert's scores.
    pub std: f64,
}

/// The aggregated expert review of one application.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub criteria: Vec<CriterionStats>,
    /// Submitted experts only.
    pub experts: Vec<ExpertStats>,
    pub assigned: usize,
    pub submitted: usize,
    /// Mean of every submitted score.
    pub overall_mean: Option<f64>,
    pub recommend: usize,
    pub not_recommend: usize,
}

impl Aggregate {
    /// Enough experts have submitted for a decision (SPEC §4: at least three).
    pub fn complete(&self) -> bool {
        self.submitted >= MIN_EXPERTS && self.submitted == self.assigned
    }
}

fn mean(xs: &[i64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let sum: i64 = xs.iter().sum();
    sum as f64 / xs.len() as f64
}

fn std_dev(xs: &[i64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let m = mean(xs);
    let var = xs.iter().map(|x| (*x as f64 - m).powi(2)).sum::<f64>() / xs.len() as f64;
    var.sqrt()
}

/// Aggregates the submitted scores of an application.
pub async fn aggregate(conn: &mut Conn, app: &Application) -> Result<Aggregate> {
    let criteria = criteria_for(conn, app).await?;
    let assignments = for_application(conn, app.id).await?;
    let mut experts = Vec::new();
    let mut all = Vec::new();
    let mut per_criterion: Vec<Vec<i64>> = vec![Vec::new(); criteria.len()];
    let (mut recommend, mut not_recommend) = (0, 0);
    let assigned = assignments.len();
    for a in assignments.into_iter().filter(Assignment::submitted) {
        let sc = scores(conn, a.id).await?;
        let row: Vec<Option<i64>> = criteria
            .iter()
            .map(|c| sc.iter().find(|s| s.criterion_id == c.id).map(|s| s.score))
            .collect();
        for (i, s) in row.iter().enumerate() {
            if let (Some(s), Some(bucket)) = (s, per_criterion.get_mut(i)) {
                bucket.push(*s);
            }
        }
        let mine: Vec<i64> = row.iter().flatten().copied().collect();
        all.extend(&mine);
        match a.recommendation {
            Some(Recommendation::Recommend) => recommend += 1,
            Some(Recommendation::NotRecommend) => not_recommend += 1,
            None => {}
        }
        experts.push(ExpertStats {
            mean: mean(&mine),
            min: mine.iter().copied().min().unwrap_or(0),
            max: mine.iter().copied().max().unwrap_or(0),
            std: std_dev(&mine),
            scores: row,
            assignment: a,
        });
    }
    let criteria_stats = criteria
        .iter()
        .zip(per_criterion)
        .map(|(c, xs)| CriterionStats {
            criterion_id: c.id.clone(),
            text_zh: c.text_zh.clone(),
            n: xs.len(),
            mean: mean(&xs),
            min: xs.iter().copied().min().unwrap_or(0),
            max: xs.iter().copied().max().unwrap_or(0),
        })
        .collect();
    Ok(Aggregate {
        criteria: criteria_stats,
        submitted: experts.len(),
        experts,
        assigned,
        overall_mean: (!all.is_empty()).then(|| mean(&all)),
        recommend,
        not_recommend,
    })
}

/// Shortlisting follows the expert review: at least three experts assigned, and every one
/// of them has submitted.
pub async fn require_complete(conn: &mut Conn, app: &Application) -> Result<()> {
    let agg = aggregate(conn, app).await?;
    workflow::check_expert_count(agg.assigned).map_err(|e| StoreError::Refused(e.to_string()))?;
    if agg.submitted < agg.assigned {
        return Err(StoreError::Refused(format!(
            "已分配 {} 名专家，{} 名已提交评分；须全部专家提交评分后才能列入拟认定名单",
            agg.assigned, agg.submitted
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_conflicts() {
        // 义乌 (浙江) and an expert from 浙江.
        assert!(check_conflict(Some("330000"), "330782", "330000").is_err());
        // 宁海 answers to 宁波 (计划单列市) but lies in 浙江: still a conflict.
        assert!(check_conflict(Some("330000"), "330226", "330200").is_err());
        // An expert whose home was recorded as the plan city itself.
        assert!(check_conflict(Some("330200"), "330226", "330200").is_err());
        // 兵团 cities lie in 新疆 and answer to the XPCC.
        assert!(check_conflict(Some("660000"), "659001", "660000").is_err());
        assert!(check_conflict(Some("650000"), "659001", "660000").is_err());
        // Another province is fine.
        assert!(check_conflict(Some("320000"), "330782", "330000").is_ok());
        // No home province: cannot be cleared.
        assert!(check_conflict(None, "330782", "330000").is_err());
        let msg = check_conflict(Some("330000"), "330782", "330000").unwrap_err();
        assert!(msg.contains("须回避"), "{msg}");
    }

    #[test]
    fn score_validation_names_each_problem() {
        let criteria = judgement_criteria("2022").unwrap();
        assert!(criteria.iter().any(|c| c.id == "C1.quality"));
        let mut form = ScoreForm {
            items: criteria
                .iter()
                .map(|c| (c.id.clone(), "80".into(), "良好".into()))
                .collect(),
            recommendation: "recommend".into(),
            recommendation_comment: String::new(),
        };
        let sheet = validate_scores(&criteria, &form).unwrap();
        assert_eq!(sheet.scores.len(), criteria.len());
        form.items[0].1 = "101".into();
        form.items[1].1 = "八十".into();
        form.items[2].2 = " ".into();
        form.recommendation = String::new();
        let errs = validate_scores(&criteria, &form).unwrap_err();
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(errs[0].contains("101") && errs[0].contains("0 至 100"));
        assert!(errs[1].contains("不是整数"));
        assert!(errs[2].contains("评审意见"));
        form.items[0].1 = "0".into();
        form.items[1].1 = "100".into();
        form.items[2].2 = "一般".into();
        form.recommendation = "not_recommend".into();
        assert!(validate_scores(&criteria, &form).is_ok());
    }

    #[test]
    fn spread() {
        assert_eq!(mean(&[80, 90]), 85.0);
        assert_eq!(std_dev(&[80, 90]), 5.0);
        assert_eq!(std_dev(&[]), 0.0);
    }
}
