//! Exports for people who work in Excel (SPEC §7): the recommendation summary table
//! (推荐汇总表, 第十三条) as .xlsx beside its CSV, the cluster list with filters as .xlsx and
//! .csv (UTF-8 with BOM), and a cluster's roster and figures (from its latest application's
//! current declaration) as the declaration workbook of `jiqun_xlsx::export_declaration`.
//! Every export shows only what the caller's scope shows on the pages.

use super::county::xlsx_response;
use super::province::summary_rows;
use super::{authority_name, place_name};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::public::csv_document;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use jiqun_domain::criteria::parse_declaration;
use jiqun_store::applications;
use jiqun_store::clusters::{self, Cluster, Tier};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use serde::Deserialize;

fn fail(e: XlsxError) -> WebError {
    WebError::Internal(format!("生成 Excel 文件失败：{e}"))
}

/// One sheet: a title row, a bold frozen header row, then the rows (numbers where a
/// column is numeric and the value parses, text otherwise).
fn table_workbook(
    sheet: &str,
    title: &str,
    header: &[&str],
    numeric: &[bool],
    rows: &[Vec<String>],
) -> WebResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).map_err(fail)?;
    ws.write_string_with_format(0, 0, title, &bold)
        .map_err(fail)?;
    for (c, h) in header.iter().enumerate() {
        let col = u16::try_from(c).map_err(|_| WebError::Internal("列数过多".into()))?;
        ws.write_string_with_format(1, col, *h, &bold)
            .map_err(fail)?;
        ws.set_column_width(col, 16).map_err(fail)?;
    }
    ws.set_freeze_panes(2, 0).map_err(fail)?;
    for (r, row) in rows.iter().enumerate() {
        let rr = 2 + u32::try_from(r).map_err(|_| WebError::Internal("行数过多".into()))?;
        for (c, v) in row.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| WebError::Internal("列数过多".into()))?;
            let number = if numeric.get(c).copied().unwrap_or(false) {
                v.trim().parse::<f64>().ok()
            } else {
                None
            };
            match number {
                Some(n) => ws.write_number(rr, col, n).map_err(fail)?,
                None => ws.write_string(rr, col, v).map_err(fail)?,
            };
        }
    }
    wb.save_to_buffer().map_err(fail)
}

// ---- 推荐汇总表 ----------------------------------------------------------------------------

const SUMMARY_HEADER: [&str; 13] = [
    "推荐排序",
    "推荐单位",
    "集群名称",
    "所在县（市、区）",
    "县级行政区划代码",
    "主导产业",
    "近三年产值",
    "产值年均增速",
    "中小企业产值占比",
    "主导产业产值占比",
    "每万人有效发明专利",
    "自评是否符合认定标准",
    "当前状态",
];

/// `/province/batches/{id}/summary/export.xlsx`: the same rows and columns as the CSV.
pub async fn summary_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let (batch, _, rows) = summary_rows(&state, &user, &id).await?;
    let data: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.rank.clone(),
                r.authority.clone(),
                r.cluster.clone(),
                r.county.clone(),
                r.county_code.clone(),
                r.leading_industry.clone(),
                r.figures.output.clone(),
                r.figures.growth.clone(),
                r.figures.sme_share.clone(),
                r.figures.leading_share.clone(),
                r.figures.patent_density.clone(),
                r.eligible.to_string(),
                r.state.to_string(),
            ]
        })
        .collect();
    let mut numeric = [false; 13];
    numeric[0] = true;
    numeric[10] = true;
    let bytes = table_workbook(
        "推荐汇总表",
        &format!("{} 推荐汇总表", batch.title),
        &SUMMARY_HEADER,
        &numeric,
        &data,
    )?;
    Ok(xlsx_response(
        bytes,
        &format!("推荐汇总表-{}-批次{}.xlsx", batch.year, batch.id),
    ))
}

// ---- the cluster list ----------------------------------------------------------------------

/// `?authority=&county=&tier=&industry=` (all optional; empty means all).
#[derive(Debug, Default, Deserialize)]
pub struct ClusterFilter {
    #[serde(default)]
    authority: Option<String>,
    #[serde(default)]
    county: Option<String>,
    #[serde(default)]
    tier: Option<String>,
    #[serde(default)]
    industry: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

const CLUSTER_HEADER: [&str; 9] = [
    "集群编号",
    "集群名称",
    "省级主管部门",
    "所在地",
    "县级行政区划代码",
    "主导产业",
    "行业代码",
    "面积（平方公里）",
    "层级",
];

async fn cluster_rows(
    state: &AppState,
    user: &CurrentUser,
    f: &ClusterFilter,
) -> WebResult<Vec<Vec<String>>> {
    let tier = match given(&f.tier) {
        Some(t) => Some(Tier::parse(t).ok_or_else(|| {
            WebError::BadRequest(format!(
                "层级参数「{t}」无效，应为 candidate、library、provincial 或 national。"
            ))
        })?),
        None => None,
    };
    let industry = given(&f.industry).map(str::to_ascii_uppercase);
    let mut conn = state.db.acquire().await?;
    let list: Vec<Cluster> = clusters::list(&mut conn, &user.scope()).await?;
    Ok(list
        .into_iter()
        .filter(|c| given(&f.authority).is_none_or(|a| a == c.authority_code))
        .filter(|c| given(&f.county).is_none_or(|k| k == c.county_code))
        .filter(|c| tier.is_none_or(|t| t == c.tier))
        .filter(|c| {
            industry.as_deref().is_none_or(|i| {
                c.industry_codes
                    .iter()
                    .any(|code| code.to_ascii_uppercase().starts_with(i))
            })
        })
        .map(|c| {
            vec![
                c.id.to_string(),
                c.name.clone(),
                authority_name(&c.authority_code),
                place_name(&c.county_code),
                c.county_code.clone(),
                c.leading_industry.clone(),
                c.industry_codes.join(";"),
                c.area_km2.clone().unwrap_or_default(),
                c.tier.name_zh().to_string(),
            ]
        })
        .collect())
}

/// `/exports/clusters.csv`: the clusters in the caller's scope, filtered.
pub async fn clusters_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(f): Query<ClusterFilter>,
) -> WebResult<Response> {
    let rows = cluster_rows(&state, &user, &f).await?;
    Ok(crate::download::private_file(
        csv_document(&CLUSTER_HEADER, &rows),
        "text/csv; charset=utf-8",
        "集群名单.csv",
    ))
}

/// `/exports/clusters.xlsx`: the same as a workbook.
pub async fn clusters_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(f): Query<ClusterFilter>,
) -> WebResult<Response> {
    let rows = cluster_rows(&state, &user, &f).await?;
    let mut numeric = [false; 9];
    numeric[0] = true;
    numeric[7] = true;
    let bytes = table_workbook("集群名单", "集群名单", &CLUSTER_HEADER, &numeric, &rows)?;
    Ok(xlsx_response(bytes, "集群名单.xlsx"))
}

// ---- a cluster's roster and figures ----------------------------------------------------------

/// `/exports/clusters/{id}/roster.xlsx`: the enterprise roster and yearly figures of the
/// cluster's latest application (its current version), as the declaration workbook.
pub async fn roster_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Response> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let scope = user.scope();
    let mut conn = state.db.acquire().await?;
    let cluster = clusters::get(&mut conn, &scope, id)
        .await?
        .ok_or(WebError::NotFound)?;
    let latest = applications::list(&mut conn, &scope, None, None)
        .await?
        .into_iter()
        .filter(|a| a.cluster_id == cluster.id)
        .max_by_key(|a| a.id)
        .ok_or_else(|| {
            WebError::Conflict(format!(
                "集群「{}」尚无申报，没有企业名录和数据可导出。",
                cluster.name
            ))
        })?;
    let v = applications::version(&mut conn, latest.id, latest.current_version)
        .await?
        .ok_or(WebError::NotFound)?;
    drop(conn);
    let decl = parse_declaration(&v.declaration).map_err(|errs| {
        WebError::Conflict(format!(
            "集群「{}」最近一次申报（编号 {}）第{}版的申报数据尚不完整（共 {} 处问题），无法导出。",
            cluster.name,
            latest.id,
            v.version,
            errs.len()
        ))
    })?;
    let bytes = tokio::task::spawn_blocking(move || jiqun_xlsx::export_declaration(&decl))
        .await
        .map_err(|e| WebError::Internal(format!("导出任务失败：{e}")))?
        .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(xlsx_response(
        bytes,
        &format!(
            "企业名录和数据-{}-申报{}第{}版.xlsx",
            cluster.name, latest.id, v.version
        ),
    ))
}
