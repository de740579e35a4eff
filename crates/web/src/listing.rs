//! Pagination and validated filters of the `/api/v1` lists (docs/api.md).
//!
//! Every list answers `{"items": [...], "page", "per_page", "total"}`; `?page=` counts from
//! 1, `?per_page=` is 1–200 (default 50). The filters `province`, `batch`, `state` and
//! `status` are checked here, and a wrong value is a 400 `bad_request` whose message names
//! the parameter. The page itself is cut in SQL (`jiqun_store::fetch_page`: COUNT, then
//! LIMIT/OFFSET), except for the reference data, which lives in memory
//! (`jiqun_domain`) and is cut the same way there.

use crate::applications::api::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use jiqun_domain::workflow::AppState as WfState;
use jiqun_store::{PageReq, Paged};
use serde::Serialize;

/// The query string of a list, as pairs (the first value of a repeated key counts).
#[derive(Debug, Default)]
pub struct ListQuery(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<Vec<(String, String)>>::from_request_parts(parts, state).await {
            Ok(Query(pairs)) => Ok(ListQuery(pairs)),
            Err(e) => Err(bad(format!("查询参数无法解析：{e}"))),
        }
    }
}

pub(crate) fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
}

impl ListQuery {
    /// The trimmed value of `key`, `None` when absent or blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn int(&self, key: &str, min: i64, max: i64, what: &str) -> ApiResult<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .map(Some)
                .ok_or_else(|| bad(format!("参数 {key} 「{v}」无效：应为 {what}"))),
        }
    }

    /// `?page=&per_page=`: page ≥ 1 (default 1), per_page 1–200 (default 50).
    pub fn page(&self) -> ApiResult<PageReq> {
        let page = self
            .int(
                "page",
                1,
                PageReq::MAX_PAGE,
                &format!("1 到 {} 之间的整数", PageReq::MAX_PAGE),
            )?
            .unwrap_or(1);
        let per_page = self
            .int(
                "per_page",
                1,
                PageReq::MAX_PER_PAGE,
                &format!("1 到 {} 之间的整数", PageReq::MAX_PER_PAGE),
            )?
            .unwrap_or(PageReq::DEFAULT_PER_PAGE);
        Ok(PageReq { page, per_page })
    }

    /// `?province=`: a provincial-level authority's code (省 `xx0000`, 计划单列市 `xxyy00`,
    /// 兵团 `660000`).
    pub fn province(&self) -> ApiResult<Option<String>> {
        match self.get("province") {
            None => Ok(None),
            Some(v) => jiqun_domain::jurisdiction::authority_by_code(v)
                .map(|a| Some(a.code.to_string()))
                .ok_or_else(|| {
                    bad(format!(
                        "参数 province 「{v}」不是有效的省级行政区划代码：应为省级主管部门代码，如 330000（浙江省）、330200（宁波市）、660000（新疆生产建设兵团）"
                    ))
                }),
        }
    }

    /// `?batch=`: a batch id.
    pub fn batch(&self) -> ApiResult<Option<i64>> {
        self.int("batch", 1, i64::MAX, "批次编号（正整数）")
    }

    /// `?state=`: a workflow state of docs/workflow.md.
    pub fn state(&self) -> ApiResult<Option<WfState>> {
        match self.get("state") {
            None => Ok(None),
            Some(v) => v.parse::<WfState>().map(Some).map_err(|_| {
                let known: Vec<&str> = WfState::ALL.iter().map(|s| s.as_str()).collect();
                bad(format!(
                    "参数 state 「{v}」不是有效的申报状态：可选 {}",
                    known.join("、")
                ))
            }),
        }
    }

    /// `?status=` of a recognition.
    pub fn recognition_status(&self) -> ApiResult<Option<String>> {
        const KNOWN: [&str; 4] = ["active", "extended", "revoked", "expired"];
        match self.get("status") {
            None => Ok(None),
            Some(v) if KNOWN.contains(&v) => Ok(Some(v.to_string())),
            Some(v) => Err(bad(format!(
                "参数 status 「{v}」不是有效的认定状态：可选 {}",
                KNOWN.join("、")
            ))),
        }
    }
}

/// `{"items", "page", "per_page", "total"}`.
pub fn page_response<T: Serialize>(items: Vec<T>, page: PageReq, total: i64) -> Response {
    Json(serde_json::json!({
        "items": items,
        "page": page.page,
        "per_page": page.per_page,
        "total": total,
    }))
    .into_response()
}

/// A page of a list held in memory (reference data), cut like the SQL lists.
pub fn slice<T: Clone>(all: &[T], page: PageReq) -> Paged<T> {
    let start = usize::try_from(page.offset()).unwrap_or(usize::MAX);
    let len = usize::try_from(page.per_page).unwrap_or(0);
    Paged {
        items: all.iter().skip(start).take(len).cloned().collect(),
        total: i64::try_from(all.len()).unwrap_or(i64::MAX),
    }
}

/// The query parameters `page` and `per_page`, for the OpenAPI document.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct PageParams {
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    /// Rows per page, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    per_page: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> ListQuery {
        ListQuery(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn per_page_boundaries() {
        assert_eq!(q(&[]).page().unwrap(), PageReq::first(50));
        assert_eq!(q(&[("per_page", "200")]).page().unwrap().per_page, 200);
        assert!(q(&[("per_page", "201")]).page().is_err());
        assert!(q(&[("per_page", "0")]).page().is_err());
        assert_eq!(q(&[("page", "1")]).page().unwrap().page, 1);
        assert!(q(&[("page", "0")]).page().is_err());
        assert!(q(&[("page", "x")]).page().is_err());
        assert_eq!(q(&[("page", "1000000")]).page().unwrap().page, 1_000_000);
        assert!(q(&[("page", "1000001")]).page().is_err());
    }

    #[test]
    fn filters_name_the_parameter() {
        assert_eq!(
            q(&[("province", "330200")]).province().unwrap().as_deref(),
            Some("330200")
        );
        let e = format!("{:?}", q(&[("province", "330782")]).province().unwrap_err());
        assert!(e.contains("参数 province"), "{e}");
        assert!(q(&[("batch", "-1")]).batch().is_err());
        assert!(q(&[("state", "nonsense")]).state().is_err());
        assert!(q(&[("status", "revoked")]).recognition_status().is_ok());
        assert!(q(&[("status", "gone")]).recognition_status().is_err());
    }

    #[test]
    fn slices_like_limit_offset() {
        let all: Vec<i32> = (1..=5).collect();
        let p = slice(
            &all,
            PageReq {
                page: 2,
                per_page: 2,
            },
        );
        assert_eq!((p.items, p.total), (vec![3, 4], 5));
        let p = slice(
            &all,
            PageReq {
                page: 9,
                per_page: 2,
            },
        );
        assert_eq!((p.items.len(), p.total), (0, 5));
    }
}
