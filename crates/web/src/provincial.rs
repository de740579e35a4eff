//! Provincial batches (issue 8; docs/provincial-tiers.md): a province opens its own call
//! for provincial clusters (第五条 "引导和支持地方培育一批省级集群") with a provincial
//! criteria edition, optionally with the 设区市 recommendation step, and runs it on the
//! ministry's pages (`crate::ministry`, under `/province/batches/{id}` and
//! `/province/review/{id}`): the same state machine, review, experts, notice, objections,
//! publication and audit, with the province in the ministry's part.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use jiqun_domain::criteria::{Edition, Tier as EditionTier};
use jiqun_domain::role::Role;
use jiqun_domain::workflow::AppState as WfState;
use jiqun_store::audit::{self, NewEvent};
use jiqun_store::batches::{self, NewBatch};
use jiqun_store::{Scope, StoreError, applications};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/province/batches", get(page).post(create))
}

/// The province's own authority code; other roles get 403.
fn require_province(user: &CurrentUser) -> WebResult<String> {
    match user.scope() {
        Scope::Authority(code) if user.user.has_role(Role::Province) => Ok(code),
        _ => Err(WebError::Forbidden(
            "省级批次仅供省级中小企业主管部门（含计划单列市、新疆生产建设兵团）使用。".into(),
        )),
    }
}

pub struct EditionOpt {
    pub id: String,
    pub name: String,
}

/// The provincial editions a province may choose: those whose region is its province
/// (a 计划单列市 uses its province's editions).
pub fn editions_for(authority_code: &str) -> Vec<EditionOpt> {
    let prefix = authority_code.get(..2).unwrap_or("");
    Edition::builtin_ids()
        .into_iter()
        .filter_map(Edition::builtin)
        .filter(|e| e.tier == EditionTier::Provincial && e.region.as_deref() == Some(prefix))
        .map(|e| EditionOpt {
            id: e.id.clone(),
            name: e.name_zh.clone(),
        })
        .collect()
}

/// The form, as typed (kept on a refused submission).
#[derive(Debug, Clone, Deserialize)]
pub struct ProvincialBatchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub edition: String,
    #[serde(default)]
    pub county_deadline: String,
    #[serde(default)]
    pub province_deadline: String,
    #[serde(default)]
    pub notice_days: String,
    #[serde(default)]
    pub city_step: Option<String>,
    #[serde(default)]
    pub city_cap: String,
}

impl ProvincialBatchForm {
    fn defaults(year: i32, authority_name: &str, edition: Option<&str>) -> Self {
        ProvincialBatchForm {
            csrf: String::new(),
            year: year.to_string(),
            title: format!("{year}年度{authority_name}省级中小企业特色产业集群"),
            edition: edition.unwrap_or_default().to_string(),
            county_deadline: String::new(),
            province_deadline: String::new(),
            notice_days: "5".into(),
            city_step: None,
            city_cap: "3".into(),
        }
    }

    pub fn has_city_step(&self) -> bool {
        self.city_step.as_deref().is_some_and(|v| !v.is_empty())
    }
}

struct Input {
    year: i32,
    title: String,
    edition: String,
    county_deadline: Option<NaiveDate>,
    province_deadline: Option<NaiveDate>,
    notice_days: u32,
    city_cap: Option<u32>,
}

fn parse_date(s: &str, what: &str, errors: &mut Vec<String>) -> Option<NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(format!(
                "「{what}」「{s}」不是有效日期，请按“年-月-日”填写，例如 2026-06-30"
            ));
            None
        }
    }
}

/// Checks every field; all problems at once, each naming its field.
fn check(f: &ProvincialBatchForm, editions: &[EditionOpt]) -> Result<Input, Vec<String>> {
    let mut errors = Vec::new();
    let year = match f.year.trim().parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) => y,
        _ => {
            errors.push(format!(
                "「年度」「{}」应为四位年份，例如 2026",
                f.year.trim()
            ));
            0
        }
    };
    let title = f.title.trim().to_string();
    if title.is_empty() {
        errors.push("请填写「批次名称」".into());
    } else if title.chars().count() > 100 {
        errors.push("「批次名称」不超过 100 字".into());
    }
    let edition = f.edition.trim().to_string();
    if editions.is_empty() {
        errors.push(
            "本省尚无省级认定标准版本：请先将本省认定标准录入为标准文件（criteria/），再开设省级批次"
                .into(),
        );
    } else if !editions.iter().any(|e| e.id == edition) {
        errors.push(format!(
            "「认定标准版本」「{edition}」不是本省可用的省级标准，可选：{}",
            editions
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>()
                .join("、")
        ));
    }
    let county_deadline = parse_date(&f.county_deadline, "县级申报截止日期", &mut errors);
    let province_deadline = parse_date(&f.province_deadline, "推荐截止日期", &mut errors);
    if let (Some(c), Some(p)) = (county_deadline, province_deadline)
        && c > p
    {
        errors.push(format!("「县级申报截止日期」{c} 晚于「推荐截止日期」{p}"));
    }
    let notice_days = match f.notice_days.trim().parse::<u32>() {
        Ok(n) if (1..=30).contains(&n) => n,
        _ => {
            errors.push(format!(
                "「公示期」「{}」应为 1 至 30 个工作日",
                f.notice_days.trim()
            ));
            0
        }
    };
    let city_cap = if f.has_city_step() {
        match f.city_cap.trim().parse::<u32>() {
            Ok(n) if (1..=20).contains(&n) => Some(n),
            _ => {
                errors.push(format!(
                    "「设区市推荐名额」「{}」应为 1 至 20 的整数",
                    f.city_cap.trim()
                ));
                None
            }
        }
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Input {
        year,
        title,
        edition,
        county_deadline,
        province_deadline,
        notice_days,
        city_cap,
    })
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub year: i32,
    pub edition: String,
    pub city: String,
    pub status: &'static str,
    pub submitted: usize,
    pub in_review: usize,
    pub in_notice: usize,
    pub recognized: usize,
}

#[derive(Template)]
#[template(path = "province_batches.html")]
struct Page {
    viewer: Viewer,
    authority: String,
    rows: Vec<Row>,
    form: ProvincialBatchForm,
    editions: Vec<EditionOpt>,
    errors: Vec<String>,
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    form: ProvincialBatchForm,
    errors: Vec<String>,
    status: StatusCode,
) -> WebResult<Response> {
    let mut conn = state.db.acquire().await?;
    let mut rows = Vec::new();
    for b in batches::list(&mut conn).await? {
        if !b.is_provincial() || b.owner_authority.as_deref() != Some(code) {
            continue;
        }
        let apps = applications::list(&mut conn, &Scope::National, Some(b.id), None).await?;
        let count = |states: &[WfState]| apps.iter().filter(|a| states.contains(&a.state)).count();
        rows.push(Row {
            id: b.id,
            city: if b.city_step {
                format!("启用，每市最多 {} 个", b.city_cap)
            } else {
                "不启用".into()
            },
            status: if b.status == "open" {
                "开放申报"
            } else {
                "已关闭"
            },
            submitted: count(&[WfState::Submitted, WfState::Accepted, WfState::Recommended]),
            in_review: count(&[
                WfState::UnderReview,
                WfState::ExpertReview,
                WfState::Shortlisted,
            ]),
            in_notice: count(&[WfState::InPublicNotice]),
            recognized: count(&[WfState::Recognized]),
            title: b.title,
            year: b.year,
            edition: b.edition,
        });
    }
    let page = Page {
        viewer: Viewer::of(user),
        authority: crate::ministry::authority_name(code),
        rows,
        form,
        editions: editions_for(code),
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /province/batches`: the province's own batches and the form to open one.
async fn page(State(state): State<AppState>, user: CurrentUser) -> WebResult<Response> {
    let code = require_province(&user)?;
    let year = chrono::Datelike::year(&state.clock.today());
    let editions = editions_for(&code);
    let form = ProvincialBatchForm::defaults(
        year,
        &crate::ministry::authority_name(&code),
        editions.first().map(|e| e.id.as_str()),
    );
    render(&state, &user, &code, form, Vec::new(), StatusCode::OK).await
}

/// `POST /province/batches`: opens a provincial batch (audited as `open_batch`).
async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ProvincialBatchForm>,
) -> WebResult<Response> {
    user.check_csrf(&form.csrf)?;
    let code = require_province(&user)?;
    let input = match check(&form, &editions_for(&code)) {
        Ok(i) => i,
        Err(errors) => {
            return render(
                &state,
                &user,
                &code,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let actor = user.actor();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let batch = batches::insert(
        &mut tx,
        &NewBatch {
            level: "provincial",
            owner_authority: Some(&code),
            year: input.year,
            title: &input.title,
            edition: &input.edition,
            first_batch: false,
            county_deadline: input.county_deadline,
            province_deadline: input.province_deadline,
            quota_default: 0,
            quota_small: 0,
            notice_days: input.notice_days,
            annual_report_due: "04-30",
        },
        now,
    )
    .await?;
    let batch = batches::set_city_step(&mut tx, batch.id, input.city_cap).await?;
    audit::append(
        &mut tx,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "open_batch",
            object_type: "batch",
            object_id: batch.id.to_string(),
            before_state: None,
            after_state: Some("open"),
            comment: None,
            detail: serde_json::json!({
                "level": "provincial",
                "owner_authority": code,
                "year": batch.year,
                "title": batch.title,
                "edition": batch.edition,
                "county_deadline": batch.county_deadline.map(|d| d.to_string()),
                "province_deadline": batch.province_deadline.map(|d| d.to_string()),
                "notice_days": batch.notice_days,
                "city_step": batch.city_step,
                "city_cap": batch.city_cap,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/province/batches/{}?done=created", batch.id)).into_response())
}
