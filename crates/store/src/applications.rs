//! Applications (申报): a cluster × batch, its declaration versions, and the one place where
//! its state changes ([`apply`]): role, state and comment are checked by the domain state
//! machine, the guards that need data are checked here, and the transition row, the audit
//! event and the notifications are written in the caller's transaction, so a step either
//! happens completely or not at all.

use crate::audit::{self, NewEvent};
use crate::{Conn, Result, Scope, StoreError, notifications, orgs, time};
use chrono::{DateTime, Utc};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::{self, Action, AppState, Level, WorkflowError};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Who is acting, as the storage layer needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub org_id: i64,
    pub org_code: String,
    pub roles: Vec<Role>,
    pub scope: Scope,
}

impl Actor {
    /// The role this actor acts in for `action`: the required one if held, otherwise its
    /// first role (which the state machine will then refuse by name).
    pub fn role_for(&self, action: Action) -> Role {
        self.role_for_at(action, Level::National)
    }

    /// [`Actor::role_for`] in a batch of `level`.
    pub fn role_for_at(&self, action: Action, level: Level) -> Role {
        let required = action.actor_at(level);
        if self.roles.contains(&required) {
            required
        } else {
            self.roles.first().copied().unwrap_or(Role::County)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub cluster_id: i64,
    pub batch_id: i64,
    pub authority_code: String,
    pub county_code: String,
    pub state: AppState,
    pub current_version: i64,
    pub rank: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub application_id: i64,
    pub version: i64,
    pub declaration: String,
    pub evaluation: Option<String>,
    pub eligible: Option<bool>,
    pub evaluated_at: Option<String>,
    pub frozen: bool,
    pub created_by: i64,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub action: Action,
    pub from_state: AppState,
    pub to_state: AppState,
    pub version: i64,
    pub actor_user_id: i64,
    pub actor_name: String,
    pub actor_org_name: String,
    pub comment: Option<String>,
    pub at: String,
}

/// States in which an application counts against its authority's quota: recommended once,
/// whatever happened at the ministry afterwards.
pub const QUOTA_STATES: [AppState; 7] = [
    AppState::Recommended,
    AppState::UnderReview,
    AppState::ExpertReview,
    AppState::Shortlisted,
    AppState::InPublicNotice,
    AppState::Recognized,
    AppState::Rejected,
];

const COLUMNS: &str = "id, cluster_id, batch_id, authority_code, county_code, state, current_version, rank, created_at, updated_at";

fn from_row(row: &AnyRow) -> Result<Application> {
    let state: String = row.try_get("state")?;
    Ok(Application {
        id: row.try_get("id")?,
        cluster_id: row.try_get("cluster_id")?,
        batch_id: row.try_get("batch_id")?,
        authority_code: row.try_get("authority_code")?,
        county_code: row.try_get("county_code")?,
        state: state.parse().map_err(StoreError::Corrupt)?,
        current_version: row.try_get("current_version")?,
        rank: row.try_get("rank")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn version_from_row(row: &AnyRow) -> Result<Version> {
    let eligible: Option<i64> = row.try_get("eligible")?;
    let frozen: i64 = row.try_get("frozen")?;
    Ok(Version {
        application_id: row.try_get("application_id")?,
        version: row.try_get("version")?,
        declaration: row.try_get("declaration")?,
        evaluation: row.try_get("evaluation")?,
        eligible: eligible.map(|e| e != 0),
        evaluated_at: row.try_get("evaluated_at")?,
        frozen: frozen != 0,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Creates an application in `draft` with version 1 of its declaration. The cluster must
/// be in the actor's scope (a county applies for its own clusters, 第十二条).
pub async fn create(
    conn: &mut Conn,
    actor: &Actor,
    cluster_id: i64,
    batch_id: i64,
    declaration: &str,
    now: DateTime<Utc>,
) -> Result<Application> {
    if !actor.roles.contains(&Role::County) {
        return Err(StoreError::Refused(
            "只有县级中小企业主管部门可以创建申报（第十二条）".into(),
        ));
    }
    let cluster = crate::clusters::get(conn, &actor.scope, cluster_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let batch = crate::batches::get(conn, batch_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    // A province's own batch is for its own counties only; to anyone else it does not exist.
    if !batch.visible_to(&actor.scope)
        || (batch.is_provincial()
            && batch.owner_authority.as_deref() != Some(cluster.authority_code.as_str()))
    {
        return Err(StoreError::NotFound);
    }
    if batch.status != "open" {
        return Err(StoreError::Refused(format!(
            "批次「{}」已关闭，不再接受申报",
            batch.title
        )));
    }
    let sql = format!(
        "INSERT INTO applications (cluster_id, batch_id, authority_code, county_code, state, current_version,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'draft', 1, $5, $5) RETURNING {COLUMNS}"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(cluster.id)
        .bind(batch.id)
        .bind(&cluster.authority_code)
        .bind(&cluster.county_code)
        .bind(time::to_text(now))
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| match StoreError::from(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!(
                "集群「{}」已有本批次的申报，请在原申报上继续",
                cluster.name
            )),
            other => other,
        })?;
    let app = from_row(&row)?;
    insert_version(conn, app.id, 1, declaration, actor.user_id, now).await?;
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "create",
            object_type: "application",
            object_id: app.id.to_string(),
            before_state: None,
            after_state: Some(AppState::Draft.as_str()),
            comment: None,
            detail: serde_json::json!({"cluster_id": cluster.id, "batch_id": batch.id}),
        },
        now,
    )
    .await?;
    Ok(app)
}

async fn insert_version(
    conn: &mut Conn,
    application_id: i64,
    version: i64,
    declaration: &str,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO application_versions (application_id, version, declaration, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(application_id)
    .bind(version)
    .bind(declaration)
    .bind(user_id)
    .bind(time::to_text(now))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One application if it exists and is inside `scope`; otherwise `None` (→ 404).
pub async fn get(conn: &mut Conn, scope: &Scope, id: i64) -> Result<Option<Application>> {
    let sql = format!("SELECT {COLUMNS} FROM applications WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let app = from_row(&row)?;
    Ok(scope
        .allows(&app.authority_code, &app.county_code)
        .then_some(app))
}

/// Applications inside `scope`, optionally of one batch and/or state, by rank then id.
pub async fn list(
    conn: &mut Conn,
    scope: &Scope,
    batch_id: Option<i64>,
    state: Option<AppState>,
) -> Result<Vec<Application>> {
    let mut w = crate::Where::new();
    scope.restrict(&mut w, "authority_code", "county_code");
    if let Some(b) = batch_id {
        w.eq("batch_id", crate::Bind::Int(b));
    }
    if let Some(st) = state {
        w.eq("state", crate::Bind::Text(st.as_str().to_string()));
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM applications {} ORDER BY batch_id DESC, CASE WHEN rank IS NULL THEN 1 ELSE 0 END, rank, id",
        w.sql()
    );
    let rows = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Filters of the application list (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub batch_id: Option<i64>,
    pub state: Option<AppState>,
    /// The recommending provincial-level authority's code.
    pub authority_code: Option<String>,
}

/// One page of the applications visible in `scope`, in the order of [`list`].
pub async fn list_page(
    conn: &mut Conn,
    scope: &Scope,
    f: &ListFilter,
    page: crate::PageReq,
) -> Result<crate::Paged<Application>> {
    let mut w = crate::Where::new();
    scope.restrict(&mut w, "authority_code", "county_code");
    if let Some(b) = f.batch_id {
        w.eq("batch_id", crate::Bind::Int(b));
    }
    if let Some(st) = f.state {
        w.eq("state", crate::Bind::Text(st.as_str().to_string()));
    }
    if let Some(a) = &f.authority_code {
        w.eq("authority_code", crate::Bind::Text(a.clone()));
    }
    let select = format!("SELECT {COLUMNS} FROM applications");
    crate::fetch_page(
        conn,
        &select,
        &w,
        "batch_id DESC, CASE WHEN rank IS NULL THEN 1 ELSE 0 END, rank, id",
        page,
    )
    .await?
    .try_map(|r| from_row(&r))
}

pub async fn version(
    conn: &mut Conn,
    application_id: i64,
    version: i64,
) -> Result<Option<Version>> {
    let row = sqlx::query(
        "SELECT application_id, version, declaration, evaluation, eligible, evaluated_at, frozen, created_by, created_at
         FROM application_versions WHERE application_id = $1 AND version = $2",
    )
    .bind(application_id)
    .bind(version)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(version_from_row).transpose()
}

pub async fn versions(conn: &mut Conn, application_id: i64) -> Result<Vec<Version>> {
    let rows = sqlx::query(
        "SELECT application_id, version, declaration, evaluation, eligible, evaluated_at, frozen, created_by, created_at
         FROM application_versions WHERE application_id = $1 ORDER BY version",
    )
    .bind(application_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(version_from_row).collect()
}

/// Replaces the declaration of the current draft version. Refused once submitted: a
/// submitted version is frozen for ever (SPEC §2), and a returned application is edited
/// as a new version after `revise`.
pub async fn save_declaration(
    conn: &mut Conn,
    actor: &Actor,
    app: &Application,
    declaration: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if !actor.roles.contains(&Role::County) && !actor.roles.contains(&Role::Operator) {
        return Err(StoreError::Refused("只有申报单位可以修改申报数据".into()));
    }
    if !app.state.is_editable() {
        return Err(StoreError::Refused(format!(
            "申报当前状态为「{}」，不能修改；已提交的版本不可更改",
            app.state.name_zh()
        )));
    }
    let done = sqlx::query(
        "UPDATE application_versions SET declaration = $1, evaluation = NULL, eligible = NULL, evaluated_at = NULL
         WHERE application_id = $2 AND version = $3 AND frozen = 0",
    )
    .bind(declaration)
    .bind(app.id)
    .bind(app.current_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Refused("该版本已冻结，不能修改".into()));
    }
    touch(conn, app.id, now).await?;
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "save_declaration",
            object_type: "application",
            object_id: app.id.to_string(),
            before_state: Some(app.state.as_str()),
            after_state: Some(app.state.as_str()),
            comment: None,
            detail: serde_json::json!({"version": app.current_version, "bytes": declaration.len()}),
        },
        now,
    )
    .await?;
    Ok(())
}

/// Stores the self-evaluation of the current draft version.
pub async fn record_evaluation(
    conn: &mut Conn,
    app: &Application,
    evaluation_json: &str,
    eligible: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE application_versions SET evaluation = $1, eligible = $2, evaluated_at = $3
         WHERE application_id = $4 AND version = $5 AND frozen = 0",
    )
    .bind(evaluation_json)
    .bind(i64::from(eligible))
    .bind(time::to_text(now))
    .bind(app.id)
    .bind(app.current_version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Refused("该版本已冻结，不能重新自评".into()));
    }
    Ok(())
}

async fn touch(conn: &mut Conn, id: i64, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE applications SET updated_at = $1 WHERE id = $2")
        .bind(time::to_text(now))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The 设区市 (prefecture code `xxyy00`) a county lies in, by GB/T 2260.
pub fn city_of(county_code: &str) -> String {
    match county_code.get(..4) {
        Some(p) => format!("{p}00"),
        None => county_code.to_string(),
    }
}

/// How many of a 设区市's applications in a batch it has recommended (counted as the quota
/// is: recommended once, whatever followed).
pub async fn city_used(conn: &mut Conn, batch_id: i64, city_code: &str) -> Result<u32> {
    let mut w = crate::Where::new();
    w.eq("batch_id", crate::Bind::Int(batch_id));
    Scope::City(city_code.to_string()).restrict(&mut w, "authority_code", "county_code");
    let states: Vec<String> = QUOTA_STATES
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM applications {} AND state IN ({})",
        w.sql(),
        states.join(", ")
    );
    let row = w
        .bind(sqlx::query(sqlx::AssertSqlSafe(sql)))
        .fetch_one(&mut *conn)
        .await?;
    let n: i64 = row.try_get("n")?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// How many of an authority's applications in a batch are counted against its quota.
pub async fn quota_used(conn: &mut Conn, batch_id: i64, authority_code: &str) -> Result<u32> {
    let states: Vec<&str> = QUOTA_STATES.iter().map(|s| s.as_str()).collect();
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM applications WHERE batch_id = $1 AND authority_code = $2
           AND state IN ($3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(batch_id)
    .bind(authority_code)
    .bind(states[0])
    .bind(states[1])
    .bind(states[2])
    .bind(states[3])
    .bind(states[4])
    .bind(states[5])
    .bind(states[6])
    .fetch_one(&mut *conn)
    .await?;
    let n: i64 = row.try_get("n")?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

fn refused(e: WorkflowError) -> StoreError {
    StoreError::Refused(e.to_string())
}

/// Takes one workflow step. Checks, in order: the application is in the actor's scope
/// (else `NotFound`), role/state/comment (the domain state machine), then the guards that
/// need data (self-evaluation before submitting, the preliminary review and the quota
/// before recommending, experts before and scores after expert review). Guards of the notice steps (`OpenNotice`, `Recognize`, `UpholdObjection`)
/// are checked by their own modules before they call this.
pub async fn apply(
    conn: &mut Conn,
    actor: &Actor,
    application_id: i64,
    action: Action,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Application> {
    let app = get(conn, &actor.scope, application_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let batch = crate::batches::get(conn, app.batch_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let level = batch.workflow_level();
    let to = workflow::transition_at(
        level,
        app.state,
        action,
        actor.role_for_at(action, level),
        comment,
    )
    .map_err(refused)?;
    // In a province's batch the province acting must be the owner (a 计划单列市 sees none
    // of another authority's applications anyway; this guards the ministry-level steps).
    if action.actor_at(level) == Role::Province && level.is_provincial() {
        crate::batches::require_runner(actor, &batch, action.name_zh())?;
    }
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    let mut rank = app.rank;
    let mut version = app.current_version;
    match action {
        Action::Submit => {
            let v = self::version(conn, app.id, app.current_version)
                .await?
                .ok_or(StoreError::NotFound)?;
            if v.evaluated_at.is_none() {
                return Err(refused(WorkflowError::NotSelfEvaluated));
            }
            sqlx::query("UPDATE application_versions SET frozen = 1 WHERE application_id = $1 AND version = $2")
                .bind(app.id)
                .bind(app.current_version)
                .execute(&mut *conn)
                .await?;
        }
        Action::Revise => {
            let v = self::version(conn, app.id, app.current_version)
                .await?
                .ok_or(StoreError::NotFound)?;
            version = app.current_version + 1;
            insert_version(conn, app.id, version, &v.declaration, actor.user_id, now).await?;
        }
        Action::NotRecommend => {
            // 第十三条: the province decides after its preliminary review (初审).
            crate::reviews::require_preliminary(conn, app.id).await?;
        }
        Action::Recommend => {
            crate::reviews::require_preliminary(conn, app.id).await?;
            match level {
                Level::National => {
                    let limit =
                        crate::batches::quota_for(conn, &batch, &app.authority_code).await?;
                    let used = quota_used(conn, app.batch_id, &app.authority_code).await?;
                    workflow::check_quota(&app.authority_code, used, limit).map_err(refused)?;
                    rank = Some(i64::from(used) + 1);
                }
                Level::Provincial { city_step: true } => {
                    // Each 设区市 recommends at most `city_cap` of its counties' applications.
                    let city = city_of(&app.county_code);
                    let used = city_used(conn, app.batch_id, &city).await?;
                    workflow::check_city_cap(
                        &crate::batches::city_name(&city),
                        used,
                        batch.city_cap,
                    )
                    .map_err(refused)?;
                    rank = Some(i64::from(used) + 1);
                }
                Level::Provincial { city_step: false } => {
                    // The province's own batch without the city step: no quota.
                    let used = quota_used(conn, app.batch_id, &app.authority_code).await?;
                    rank = Some(i64::from(used) + 1);
                }
            }
        }
        Action::Shortlist => {
            // Every assigned expert (at least three) has submitted scores.
            crate::experts::require_complete(conn, &app).await?;
        }
        Action::StartExpertReview => {
            let row = sqlx::query(
                "SELECT COUNT(*) AS n FROM expert_assignments WHERE application_id = $1",
            )
            .bind(app.id)
            .fetch_one(&mut *conn)
            .await?;
            let n: i64 = row.try_get("n")?;
            workflow::check_expert_count(usize::try_from(n).unwrap_or(0)).map_err(refused)?;
        }
        _ => {}
    }
    // Compare-and-set on the state, so two concurrent steps cannot both succeed.
    let done = sqlx::query(
        "UPDATE applications SET state = $1, current_version = $2, rank = $3, updated_at = $4
         WHERE id = $5 AND state = $6",
    )
    .bind(to.as_str())
    .bind(version)
    .bind(rank)
    .bind(time::to_text(now))
    .bind(app.id)
    .bind(app.state.as_str())
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Refused(
            "申报状态已被他人更新，请刷新后重试".into(),
        ));
    }
    sqlx::query(
        "INSERT INTO transitions (application_id, action, from_state, to_state, version, actor_user_id,
             actor_org_id, comment, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(app.id)
    .bind(action.as_str())
    .bind(app.state.as_str())
    .bind(to.as_str())
    .bind(version)
    .bind(actor.user_id)
    .bind(actor.org_id)
    .bind(comment)
    .bind(time::to_text(now))
    .execute(&mut *conn)
    .await?;
    audit::append(
        conn,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: action.as_str(),
            object_type: "application",
            object_id: app.id.to_string(),
            before_state: Some(app.state.as_str()),
            after_state: Some(to.as_str()),
            comment,
            detail: serde_json::json!({"version": version, "rank": rank}),
        },
        now,
    )
    .await?;
    notify_parties(conn, &app, level, action, comment, now).await?;
    get(conn, &Scope::National, app.id)
        .await?
        .ok_or(StoreError::NotFound)
}

/// Tells whoever must act next (or whose application it is) what happened.
async fn notify_parties(
    conn: &mut Conn,
    app: &Application,
    level: Level,
    action: Action,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let cluster = crate::clusters::get(conn, &Scope::National, app.cluster_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let link = format!("/applications/{}", app.id);
    let body = match comment {
        Some(c) => format!("「{}」：{}。意见：{c}", cluster.name, action.name_zh()),
        None => format!("「{}」：{}。", cluster.name, action.name_zh()),
    };
    let (mut to_county, mut to_province, mut to_ministry) = match action {
        Action::Submit => (false, true, false),
        Action::Revise => (false, false, false),
        Action::Return | Action::Accept | Action::NotRecommend => (true, false, false),
        Action::Recommend => (true, false, true),
        Action::Receive | Action::StartExpertReview => (false, true, false),
        Action::Shortlist
        | Action::Reject
        | Action::OpenNotice
        | Action::Recognize
        | Action::UpholdObjection => (true, true, false),
    };
    let title = format!("申报{}", action.name_zh());
    if let Level::Provincial { city_step } = level {
        // The ministry has no part in a province's batch: what would go to it goes to the
        // province; what would go to the province from the county goes to the city when
        // the batch has the city step.
        let to_city = city_step && matches!(action, Action::Submit | Action::Receive);
        to_province = (to_province && !to_city) || to_ministry;
        to_ministry = false;
        to_county = to_county || (city_step && action == Action::Receive);
        if to_city {
            notifications::notify_org_code(
                conn,
                &city_of(&app.county_code),
                "application",
                &title,
                &body,
                Some(&link),
                now,
            )
            .await?;
        }
    }
    if to_county {
        notifications::notify_org_code(
            conn,
            &app.county_code,
            "application",
            &title,
            &body,
            Some(&link),
            now,
        )
        .await?;
    }
    if to_province {
        notifications::notify_org_code(
            conn,
            &app.authority_code,
            "application",
            &title,
            &body,
            Some(&link),
            now,
        )
        .await?;
    }
    if to_ministry {
        notifications::notify_org_code(
            conn,
            orgs::MINISTRY_CODE,
            "application",
            &title,
            &body,
            Some(&link),
            now,
        )
        .await?;
    }
    Ok(())
}

/// The history of an application, oldest first, with actor names.
pub async fn transitions(conn: &mut Conn, application_id: i64) -> Result<Vec<Transition>> {
    let rows = sqlx::query(
        "SELECT t.action, t.from_state, t.to_state, t.version, t.actor_user_id, u.display_name,
                o.name AS org_name, t.comment, t.at
         FROM transitions t JOIN users u ON u.id = t.actor_user_id
              JOIN organisations o ON o.id = t.actor_org_id
         WHERE t.application_id = $1 ORDER BY t.id",
    )
    .bind(application_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let action: String = r.try_get("action")?;
            let from: String = r.try_get("from_state")?;
            let to: String = r.try_get("to_state")?;
            Ok(Transition {
                action: action.parse().map_err(StoreError::Corrupt)?,
                from_state: from.parse().map_err(StoreError::Corrupt)?,
                to_state: to.parse().map_err(StoreError::Corrupt)?,
                version: r.try_get("version")?,
                actor_user_id: r.try_get("actor_user_id")?,
                actor_name: r.try_get("display_name")?,
                actor_org_name: r.try_get("org_name")?,
                comment: r.try_get("comment")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}
