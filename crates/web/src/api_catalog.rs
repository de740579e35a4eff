//! `/api/v1/clusters`, `/api/v1/batches` and `/api/v1/reference/*`: the clusters of the
//! caller's jurisdiction, the batches, and the reference data (GB/T 2260 divisions,
//! GB/T 4754-2017 industries, criteria editions) as JSON (docs/api.md). Reads only; every
//! list is paginated (`crate::listing`).

use crate::AppState;
use crate::applications::api::{ApiError, ApiResult, ApiUser, ErrorJson, page_schema};
use crate::listing::{ListQuery, bad, page_response, slice};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jiqun_domain::criteria::Edition;
use jiqun_domain::division::{self, AdminCode};
use jiqun_store::batches::{self, Batch};
use jiqun_store::clusters::{self, Cluster, Tier};
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/clusters", get(clusters_list))
        .route("/api/v1/clusters/{id}", get(cluster_show))
        .route("/api/v1/batches", get(batches_list))
        .route("/api/v1/reference/divisions", get(divisions))
        .route("/api/v1/reference/industries", get(industries))
        .route("/api/v1/reference/editions", get(editions))
}

// ---- clusters -----------------------------------------------------------------------------

/// A cluster (集群) as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClusterJson {
    pub id: i64,
    pub name: String,
    /// GB/T 2260 county code.
    pub county_code: String,
    /// e.g. 浙江省金华市永康市（330784）.
    pub county_name: String,
    /// The provincial-level authority it answers to.
    pub authority_code: String,
    pub authority_name: String,
    pub leading_industry: String,
    /// GB/T 4754-2017 codes.
    pub industry_codes: Vec<String>,
    /// Area in km² (decimal text), if given.
    pub area_km2: Option<String>,
    /// `candidate`, `library`, `provincial` or `national`.
    pub tier: &'static str,
    pub tier_name: &'static str,
}

fn cluster_json(c: &Cluster) -> ClusterJson {
    ClusterJson {
        id: c.id,
        name: c.name.clone(),
        county_code: c.county_code.clone(),
        county_name: crate::applications::place_name(&c.county_code),
        authority_code: c.authority_code.clone(),
        authority_name: crate::applications::authority_name(&c.authority_code),
        leading_industry: c.leading_industry.clone(),
        industry_codes: c.industry_codes.clone(),
        area_km2: c.area_km2.clone(),
        tier: c.tier.as_str(),
        tier_name: c.tier.name_zh(),
    }
}

page_schema!(
    ClusterList,
    ClusterJson,
    "One page of `GET /api/v1/clusters`."
);

/// The filters of `GET /api/v1/clusters`, for the OpenAPI document.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ClusterFilters {
    /// Provincial-level authority code, e.g. `330000`, `330200`, `660000`.
    province: Option<String>,
    /// `candidate`, `library`, `provincial` or `national`.
    tier: Option<String>,
}

/// `GET /api/v1/clusters?province=&tier=&page=&per_page=`: the clusters of the caller's
/// jurisdiction, by county then name.
#[utoipa::path(
    get,
    path = "/api/v1/clusters",
    tag = "clusters",
    params(ClusterFilters, crate::listing::PageParams),
    responses(
        (status = 200, description = "集群列表（调用者管辖范围内），分页", body = ClusterList),
        (status = 400, description = "参数无效（消息中写明参数名）", body = ErrorJson),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn clusters_list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    q: ListQuery,
) -> ApiResult<Response> {
    let province = q.province()?;
    let tier = match q.get("tier") {
        None => None,
        Some(t) => Some(Tier::parse(t).ok_or_else(|| {
            bad(format!(
                "参数 tier 「{t}」不是有效的集群层级：可选 candidate、library、provincial、national"
            ))
        })?),
    };
    let page = q.page()?;
    let mut conn = state.db.acquire().await?;
    let p = clusters::list_page(&mut conn, &user.scope(), province.as_deref(), tier, page).await?;
    let items: Vec<ClusterJson> = p.items.iter().map(cluster_json).collect();
    Ok(page_response(items, page, p.total))
}

/// `GET /api/v1/clusters/{id}`.
#[utoipa::path(
    get,
    path = "/api/v1/clusters/{id}",
    tag = "clusters",
    params(("id" = i64, Path, description = "集群编号")),
    responses(
        (status = 200, description = "集群", body = ClusterJson),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
        (status = 404, description = "不存在或不在管辖范围内", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn cluster_show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "集群不存在，或不在您的管辖范围内。",
        )
    };
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let mut conn = state.db.acquire().await?;
    let c = clusters::get(&mut conn, &user.scope(), id)
        .await?
        .ok_or_else(not_found)?;
    Ok(Json(cluster_json(&c)).into_response())
}

// ---- batches ------------------------------------------------------------------------------

/// A batch (批次) as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchJson {
    pub id: i64,
    /// `national` or `provincial`.
    pub level: String,
    pub owner_authority: Option<String>,
    pub year: i32,
    pub title: String,
    /// Criteria edition id (`/api/v1/reference/editions`).
    pub edition: String,
    pub first_batch: bool,
    /// `YYYY-MM-DD`.
    pub county_deadline: Option<String>,
    pub province_deadline: Option<String>,
    pub quota_default: u32,
    pub quota_small: u32,
    pub notice_days: u32,
    /// "MM-DD" of the year after the report year (第十六条).
    pub annual_report_due: String,
    pub status: String,
}

fn batch_json(b: &Batch) -> BatchJson {
    BatchJson {
        id: b.id,
        level: b.level.clone(),
        owner_authority: b.owner_authority.clone(),
        year: b.year,
        title: b.title.clone(),
        edition: b.edition.clone(),
        first_batch: b.first_batch,
        county_deadline: b.county_deadline.map(|d| d.to_string()),
        province_deadline: b.province_deadline.map(|d| d.to_string()),
        quota_default: b.quota_default,
        quota_small: b.quota_small,
        notice_days: b.notice_days,
        annual_report_due: b.annual_report_due.clone(),
        status: b.status.clone(),
    }
}

page_schema!(BatchList, BatchJson, "One page of `GET /api/v1/batches`.");

/// `GET /api/v1/batches?page=&per_page=`: every batch, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/batches",
    tag = "reference",
    params(crate::listing::PageParams),
    responses(
        (status = 200, description = "批次列表，分页", body = BatchList),
        (status = 400, description = "参数无效", body = ErrorJson),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn batches_list(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
    q: ListQuery,
) -> ApiResult<Response> {
    let page = q.page()?;
    let mut conn = state.db.acquire().await?;
    let p = batches::list_page(&mut conn, page).await?;
    let items: Vec<BatchJson> = p.items.iter().map(batch_json).collect();
    Ok(page_response(items, page, p.total))
}

// ---- reference data -----------------------------------------------------------------------

/// A GB/T 2260 division.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DivisionJson {
    pub code: &'static str,
    pub name: &'static str,
    /// e.g. 浙江省金华市永康市.
    pub full_name: String,
    /// 1 省级, 2 地级, 3 县级.
    pub level: u8,
    pub level_name: &'static str,
    pub parent: Option<&'static str>,
    /// The provincial-level authority it answers to (计划单列市 and 兵团 included).
    pub authority_code: Option<&'static str>,
}

page_schema!(DivisionList, DivisionJson, "One page of divisions.");

/// The filter of `GET /api/v1/reference/divisions`, for the OpenAPI document.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct DivisionFilters {
    /// A division code: its children are listed (without it: the 31 provinces).
    parent: Option<String>,
}

/// `GET /api/v1/reference/divisions?parent=`: the children of a division, or the provinces.
#[utoipa::path(
    get,
    path = "/api/v1/reference/divisions",
    tag = "reference",
    params(DivisionFilters, crate::listing::PageParams),
    responses(
        (status = 200, description = "行政区划（GB/T 2260），分页", body = DivisionList),
        (status = 400, description = "参数无效（消息中写明参数名）", body = ErrorJson),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn divisions(ApiUser(_user): ApiUser, q: ListQuery) -> ApiResult<Response> {
    let rows = match q.get("parent") {
        None => division::provinces(),
        Some(p) => {
            let code = AdminCode::parse(p)
                .map_err(|e| bad(format!("参数 parent 「{p}」不是有效的行政区划代码：{e}")))?;
            division::children(code)
        }
    };
    let page = q.page()?;
    let all: Vec<DivisionJson> = rows
        .iter()
        .map(|d| DivisionJson {
            code: d.code.as_str(),
            name: d.name,
            full_name: d.code.full_name(),
            level: d.level.number(),
            level_name: d.level.label_zh(),
            parent: d.parent.as_ref().map(|p| p.as_str()),
            authority_code: jiqun_domain::jurisdiction::authority_for(&d.code).map(|a| a.code),
        })
        .collect();
    let p = slice(&all, page);
    Ok(page_response(p.items, page, p.total))
}

/// A GB/T 4754-2017 section (门类) or division (大类).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IndustryJson {
    /// "C" or "38".
    pub code: &'static str,
    pub name: &'static str,
    /// `section` or `division`.
    pub level: &'static str,
    /// The section letter of a division.
    pub parent: Option<&'static str>,
}

page_schema!(IndustryList, IndustryJson, "One page of industries.");

/// `GET /api/v1/reference/industries`: sections and divisions, in the table's order.
#[utoipa::path(
    get,
    path = "/api/v1/reference/industries",
    tag = "reference",
    params(crate::listing::PageParams),
    responses(
        (status = 200, description = "国民经济行业分类（GB/T 4754-2017）门类和大类，分页", body = IndustryList),
        (status = 400, description = "参数无效", body = ErrorJson),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn industries(ApiUser(_user): ApiUser, q: ListQuery) -> ApiResult<Response> {
    let page = q.page()?;
    let all: Vec<IndustryJson> = jiqun_domain::industry::industries()
        .iter()
        .map(|i| IndustryJson {
            code: i.code,
            name: i.name,
            level: match i.level {
                jiqun_domain::industry::IndustryLevel::Section => "section",
                jiqun_domain::industry::IndustryLevel::Division => "division",
                jiqun_domain::industry::IndustryLevel::Group => "group",
                jiqun_domain::industry::IndustryLevel::Class => "class",
            },
            parent: i.parent,
        })
        .collect();
    let p = slice(&all, page);
    Ok(page_response(p.items, page, p.total))
}

/// A criteria edition compiled into the binary (docs/criteria.md).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EditionJson {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// `national` or `provincial`.
    pub tier: &'static str,
    /// Province code (2 digits) of a provincial edition.
    pub region: Option<String>,
    pub source: String,
    /// Complete years before the batch year ("近三年" → 3).
    pub window_years: i32,
    pub criteria: usize,
}

page_schema!(EditionList, EditionJson, "One page of criteria editions.");

/// `GET /api/v1/reference/editions`: the criteria editions a batch may use.
#[utoipa::path(
    get,
    path = "/api/v1/reference/editions",
    tag = "reference",
    params(crate::listing::PageParams),
    responses(
        (status = 200, description = "认定标准版本，分页", body = EditionList),
        (status = 400, description = "参数无效", body = ErrorJson),
        (status = 401, description = "未登录或令牌无效", body = ErrorJson),
    ),
    security(("bearer" = []), ("session" = []))
)]
pub async fn editions(ApiUser(_user): ApiUser, q: ListQuery) -> ApiResult<Response> {
    let page = q.page()?;
    let all: Vec<EditionJson> = Edition::builtin_ids()
        .into_iter()
        .filter_map(Edition::builtin)
        .map(|e| EditionJson {
            id: e.id.clone(),
            name_zh: e.name_zh.clone(),
            name_en: e.name_en.clone(),
            tier: match e.tier {
                jiqun_domain::criteria::Tier::National => "national",
                jiqun_domain::criteria::Tier::Provincial => "provincial",
            },
            region: e.region.clone(),
            source: e.source.clone(),
            window_years: e.window_years,
            criteria: e.criteria.len(),
        })
        .collect();
    let p = slice(&all, page);
    Ok(page_response(p.items, page, p.total))
}
