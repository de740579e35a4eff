//! Dynamic management after recognition (第四章, 第十五条–第十七条) on the web: the watch
//! lists and each recognition's page (timeline, annual reports, changes, incidents, cases,
//! re-examination) as Chinese pages that work without JavaScript, the same steps as JSON
//! under `/api/v1`, and the public revocation list.
//!
//! Handlers parse and check the input here (every problem named by its field), then call
//! `jiqun_store::dynamic` in one transaction, so a refused or invalid step changes nothing.

pub(crate) mod api;
mod pages;
mod profile;

use crate::AppState;
use crate::error::{WebError, WebResult};
use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveDate;
use jiqun_domain::declaration::{IncidentKind, IncidentLevel};
use jiqun_domain::dynamic::{ChangeKind, Ground};
use jiqun_store::dynamic::{NewChange, NewIncident};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/recognitions", get(pages::list))
        .route("/recognitions/{id}", get(pages::show))
        .route("/recognitions/{id}/profile", get(profile::show))
        .route(
            "/recognitions/{id}/reports/{year}",
            post(pages::save_report),
        )
        .route(
            "/recognitions/{id}/reports/{year}/submit",
            post(pages::submit_report),
        )
        .route(
            "/recognitions/{id}/reports/{year}/review",
            post(pages::review_report),
        )
        .route(
            "/recognitions/{id}/reports/{year}/json",
            get(pages::report_json),
        )
        .route(
            "/recognitions/{id}/reports/{year}/template.xlsx",
            get(pages::report_xlsx),
        )
        .route("/recognitions/{id}/changes", post(pages::record_change))
        .route("/recognitions/{id}/incidents", post(pages::record_incident))
        .route("/recognitions/{id}/cases", post(pages::open_case))
        .route("/recognitions/{id}/files/{file}", get(pages::download))
        .route("/recognitions/{id}/reexam", post(pages::submit_reexam))
        .route("/recognitions/{id}/reexam/check", post(pages::check_reexam))
        .route(
            "/recognitions/{id}/reexam/decide",
            post(pages::decide_reexam),
        )
        .route("/cases/{id}", get(pages::case_page))
        .route("/cases/{id}/opinion", post(pages::case_opinion))
        .route("/cases/{id}/decide", post(pages::case_decide))
        .route("/revoked", get(pages::revoked_public))
        .route("/api/v1/recognitions", get(api::list))
        .route("/api/v1/recognitions/{id}", get(api::show))
        .route("/api/v1/watch", get(api::watch))
        .route(
            "/api/v1/recognitions/{id}/annual-reports",
            get(api::annual_reports),
        )
        .route(
            "/api/v1/recognitions/{id}/annual-reports/{year}",
            get(api::annual_report).put(api::save_report),
        )
        .route(
            "/api/v1/recognitions/{id}/annual-reports/{year}/submit",
            post(api::submit_report),
        )
        .route(
            "/api/v1/recognitions/{id}/annual-reports/{year}/review",
            post(api::review_report),
        )
        .route(
            "/api/v1/recognitions/{id}/changes",
            post(api::record_change),
        )
        .route(
            "/api/v1/recognitions/{id}/incidents",
            post(api::record_incident),
        )
        .route("/api/v1/recognitions/{id}/cases", post(api::open_case))
        .route(
            "/api/v1/recognitions/{id}/reexamination",
            post(api::submit_reexam),
        )
        .route(
            "/api/v1/recognitions/{id}/reexamination/check",
            post(api::check_reexam),
        )
        .route(
            "/api/v1/recognitions/{id}/reexamination/decide",
            post(api::decide_reexam),
        )
        .route("/api/v1/cases/{id}/opinion", post(api::case_opinion))
        .route("/api/v1/cases/{id}/decide", post(api::case_decide))
        .route("/api/v1/revoked", get(api::revoked))
}

/// Runs one store step in its own transaction: committed if it succeeds, rolled back (so
/// nothing changes) if it is refused or invalid. Pages and API both go through it.
async fn in_tx<T>(
    db: &jiqun_store::Db,
    step: impl for<'c> AsyncFnOnce(&'c mut jiqun_store::Conn) -> Result<T, jiqun_store::StoreError>,
) -> Result<T, jiqun_store::StoreError> {
    let mut tx = db.begin().await?;
    let out = step(&mut tx).await?;
    tx.commit().await?;
    Ok(out)
}

fn parse_id(s: &str) -> WebResult<i64> {
    s.parse().map_err(|_| WebError::NotFound)
}

fn parse_year(s: &str) -> WebResult<i32> {
    s.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or(WebError::NotFound)
}

fn bad(field: &str, msg: &str) -> WebError {
    WebError::BadRequest(format!("{field}：{msg}"))
}

fn parse_date(field: &str, value: &str) -> WebResult<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| {
        bad(
            field,
            &format!("「{value}」不是有效日期，应为 YYYY-MM-DD，如 2025-04-30"),
        )
    })
}

/// A change report as entered.
pub(crate) struct ChangeInput {
    pub kind: ChangeKind,
    pub after_value: String,
    pub effective_date: NaiveDate,
    pub description: String,
}

impl ChangeInput {
    pub fn parse(kind: &str, after: &str, date: &str, description: &str) -> WebResult<Self> {
        let kind: ChangeKind = kind.parse().map_err(|m: String| bad("kind", &m))?;
        if after.trim().is_empty() {
            return Err(bad("after_value", "请填写变动后的内容"));
        }
        Ok(ChangeInput {
            kind,
            after_value: after.trim().to_string(),
            effective_date: parse_date("effective_date", date)?,
            description: description.trim().to_string(),
        })
    }
    pub fn as_new(&self) -> NewChange<'_> {
        NewChange {
            kind: self.kind,
            after_value: &self.after_value,
            effective_date: self.effective_date,
            description: &self.description,
        }
    }
}

/// An incident as entered.
pub(crate) struct IncidentInput {
    pub kind: IncidentKind,
    pub level: IncidentLevel,
    pub occurred_on: NaiveDate,
    pub source: String,
    pub description: String,
}

fn parse_enum<T: serde::de::DeserializeOwned>(
    field: &str,
    value: &str,
    allowed: &str,
) -> WebResult<T> {
    serde_json::from_value(serde_json::Value::String(value.trim().to_string()))
        .map_err(|_| bad(field, &format!("「{value}」无效，应为 {allowed}")))
}

impl IncidentInput {
    pub fn parse(
        kind: &str,
        level: &str,
        date: &str,
        source: &str,
        description: &str,
    ) -> WebResult<Self> {
        Ok(IncidentInput {
            kind: parse_enum(
                "kind",
                kind,
                "safety、quality、environment、cyber、data、tax、illegal 或 dishonesty",
            )?,
            level: parse_enum(
                "level",
                level,
                "general（一般）、larger（较大）、major（重大）或 especially_major（特别重大）",
            )?,
            occurred_on: parse_date("occurred_on", date)?,
            source: source.trim().to_string(),
            description: description.trim().to_string(),
        })
    }
    pub fn as_new(&self) -> NewIncident<'_> {
        NewIncident {
            kind: self.kind,
            level: self.level,
            occurred_on: self.occurred_on,
            source: &self.source,
            description: &self.description,
        }
    }
}

fn parse_ground(value: &str) -> WebResult<Ground> {
    value.parse().map_err(|m: String| bad("ground", &m))
}

/// The choices of the forms, with Chinese names.
pub(crate) const CHANGE_KINDS: [(&str, &str); 3] = [
    ("leading_industry", "主导产业"),
    ("spatial_scope", "空间范围"),
    ("operator", "运营管理机构"),
];
pub(crate) const INCIDENT_KINDS: [(&str, &str); 8] = [
    ("safety", "安全事故"),
    ("quality", "质量事故"),
    ("environment", "环境污染事故"),
    ("cyber", "网络安全事件"),
    ("data", "数据安全事件"),
    ("tax", "偷税漏税"),
    ("illegal", "违法违规"),
    ("dishonesty", "严重失信"),
];
pub(crate) const INCIDENT_LEVELS: [(&str, &str); 4] = [
    ("general", "一般"),
    ("larger", "较大"),
    ("major", "重大"),
    ("especially_major", "特别重大"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_name_the_field() {
        let e = ChangeInput::parse("owner", "x", "2025-01-01", "")
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|m| m.contains("kind")));
        let e = ChangeInput::parse("operator", "x", "2025-02-30", "")
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|m| m.contains("effective_date")));
        let e = IncidentInput::parse("safety", "huge", "2025-01-01", "s", "d")
            .err()
            .map(|e| e.to_string());
        assert!(e.is_some_and(|m| m.contains("level")));
        let ok = IncidentInput::parse("cyber", "major", "2025-01-01", "s", "d").unwrap();
        assert_eq!(
            (ok.kind, ok.level),
            (IncidentKind::Cyber, IncidentLevel::Major)
        );
        assert!(parse_ground("R9").is_err());
    }
}
