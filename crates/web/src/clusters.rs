//! A county bureau creates a cluster (issue 4 item 2; 第十二条: the county where the cluster
//! lies declares it). The cluster is placed in the county's own division, under the
//! provincial-level authority that county answers to (计划单列市 and 兵团 included, see
//! `jiqun_domain::jurisdiction::authority_for`), as a `candidate` (未入库); creating it
//! appends an audit event in the same transaction.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::pages::Viewer;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use jiqun_domain::division::AdminCode;
use jiqun_domain::industry::IndustryCode;
use jiqun_domain::jurisdiction::{Authority, authority_for};
use jiqun_domain::role::Role;
use jiqun_store::audit::{self, NewEvent};
use jiqun_store::clusters::{self, NewCluster, Tier};
use jiqun_store::orgs::OrgKind;
use jiqun_store::{Scope, StoreError};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clusters/new", get(new_page))
        .route("/clusters", axum::routing::post(create))
}

/// Longest cluster name accepted (characters).
const NAME_MAX: usize = 100;
/// Longest leading-industry text accepted (characters).
const INDUSTRY_MAX: usize = 50;
/// Most industry codes one cluster may list.
const CODES_MAX: usize = 20;
/// Digits before and after the decimal point of the area.
const AREA_INT_DIGITS: usize = 7;
const AREA_FRAC_DIGITS: usize = 4;

/// The form as submitted; every field is kept to show it again when something is wrong.
#[derive(Debug, Default, Deserialize)]
pub struct ClusterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    leading_industry: String,
    #[serde(default)]
    industry_codes: String,
    #[serde(default)]
    area_km2: String,
}

/// One problem, named by the field's label.
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, message: impl Into<String>) -> FieldError {
        FieldError {
            field,
            message: message.into(),
        }
    }
}

const F_NAME: &str = "集群名称";
const F_INDUSTRY: &str = "主导产业";
const F_CODES: &str = "国民经济行业代码";
const F_AREA: &str = "占地面积";

/// What the county may create: its own division and the authority it answers to.
struct Home {
    county: AdminCode,
    authority: &'static Authority,
}

impl Home {
    /// "浙江省金华市义乌市（330782）".
    fn county_text(&self) -> String {
        format!("{}（{}）", self.county.full_name(), self.county.as_str())
    }
}

/// Only a county bureau's county user creates clusters; anyone else gets 403.
fn county_home(user: &CurrentUser) -> WebResult<Home> {
    let division = match (&user.org.kind, &user.org.division_code) {
        (OrgKind::County, Some(code)) if user.user.has_role(Role::County) => code,
        _ => {
            return Err(WebError::Forbidden(
                "只有县级中小企业主管部门可以新建集群（第十二条：由集群所在地县级中小企业主管部门申报）。"
                    .into(),
            ));
        }
    };
    let county = AdminCode::parse(division).map_err(|e| {
        WebError::Conflict(format!(
            "本单位的行政区划代码有误（{e}），无法新建集群。请联系系统管理员更正单位信息。"
        ))
    })?;
    let authority = authority_for(&county).ok_or_else(|| {
        WebError::Conflict(format!(
            "未找到行政区划代码 {} 所属的省级中小企业主管部门，无法新建集群。请联系系统管理员。",
            county.as_str()
        ))
    })?;
    Ok(Home { county, authority })
}

#[derive(Template)]
#[template(path = "cluster_new.html")]
struct NewPage {
    viewer: Viewer,
    county: String,
    authority: String,
    name: String,
    leading_industry: String,
    industry_codes: String,
    area_km2: String,
    errors: Vec<FieldError>,
}

impl NewPage {
    /// Whether the field with this label has a problem (to mark the input).
    fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }
}

fn render(
    user: &CurrentUser,
    home: &Home,
    form: ClusterForm,
    errors: Vec<FieldError>,
    status: StatusCode,
) -> WebResult<Response> {
    let page = NewPage {
        viewer: Viewer::of(user),
        county: home.county_text(),
        authority: home.authority.name.to_string(),
        name: form.name,
        leading_industry: form.leading_industry,
        industry_codes: form.industry_codes,
        area_km2: form.area_km2,
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn new_page(user: CurrentUser) -> WebResult<Response> {
    let home = county_home(&user)?;
    render(
        &user,
        &home,
        ClusterForm::default(),
        Vec::new(),
        StatusCode::OK,
    )
}

/// The checked input.
#[derive(Debug, PartialEq)]
struct Checked {
    name: String,
    leading_industry: String,
    industry_codes: Vec<String>,
    area_km2: Option<String>,
}

fn required_text(
    value: &str,
    field: &'static str,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, format!("请填写{field}。")));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!(
                "{field}不能超过 {max} 个字（现为 {} 个字）。",
                v.chars().count()
            ),
        ));
    } else if v.chars().any(char::is_control) {
        errors.push(FieldError::new(
            field,
            format!("{field}不能包含换行符或其他控制字符。"),
        ));
    }
    v.to_string()
}

/// Codes separated by commas (half or full width), 、, semicolons or spaces; each checked
/// against GB/T 4754-2017 and written canonically ("C3321"), duplicates dropped.
fn parse_codes(input: &str, errors: &mut Vec<FieldError>) -> Vec<String> {
    let parts: Vec<&str> = input
        .split([
            ',', '，', '、', ';', '；', ' ', '\u{3000}', '\t', '\n', '\r',
        ])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        errors.push(FieldError::new(
            F_CODES,
            "请至少填写一个国民经济行业代码（GB/T 4754-2017，如 C3321）。",
        ));
        return Vec::new();
    }
    if parts.len() > CODES_MAX {
        errors.push(FieldError::new(
            F_CODES,
            format!(
                "最多填写 {CODES_MAX} 个行业代码（现为 {} 个）。",
                parts.len()
            ),
        ));
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for p in parts {
        match IndustryCode::parse(p) {
            Ok(code) => {
                if !out.iter().any(|c| c == code.as_str()) {
                    out.push(code.as_str().to_string());
                }
            }
            Err(e) => errors.push(FieldError::new(F_CODES, e.to_string())),
        }
    }
    out
}

/// An optional decimal number of square kilometres, at least 0, written without leading
/// or trailing zeros ("086.50" → "86.5"), so that it is also a valid JSON number.
fn parse_area(input: &str) -> Result<Option<String>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let example = "请填写不小于 0 的数值（单位：平方公里），如 86.5；不填表示暂不填报。";
    if s.starts_with('-') {
        return Err(format!("「{s}」为负数，{example}"));
    }
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        let shown: String = s.chars().take(20).collect();
        return Err(format!("「{shown}」不是有效的数值。{example}"));
    }
    let int = int.trim_start_matches('0');
    let frac = frac.unwrap_or("").trim_end_matches('0');
    if int.len() > AREA_INT_DIGITS {
        return Err(format!("「{s}」过大，请核对单位是否为平方公里。"));
    }
    if frac.len() > AREA_FRAC_DIGITS {
        return Err(format!(
            "「{s}」小数位过多，最多保留 {AREA_FRAC_DIGITS} 位小数。"
        ));
    }
    let int = if int.is_empty() { "0" } else { int };
    Ok(Some(if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    }))
}

fn check(form: &ClusterForm) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = required_text(&form.name, F_NAME, NAME_MAX, &mut errors);
    let leading_industry = required_text(
        &form.leading_industry,
        F_INDUSTRY,
        INDUSTRY_MAX,
        &mut errors,
    );
    let industry_codes = parse_codes(&form.industry_codes, &mut errors);
    let area_km2 = match parse_area(&form.area_km2) {
        Ok(a) => a,
        Err(m) => {
            errors.push(FieldError::new(F_AREA, m));
            None
        }
    };
    if errors.is_empty() {
        Ok(Checked {
            name,
            leading_industry,
            industry_codes,
            area_km2,
        })
    } else {
        Err(errors)
    }
}

fn duplicate(name: &str, county: &str) -> FieldError {
    FieldError::new(
        F_NAME,
        format!(
            "本县（{county}）已有名为「{name}」的集群，不能重复新建。请直接为该集群申报，或使用其他名称。"
        ),
    )
}

async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ClusterForm>,
) -> WebResult<Response> {
    user.check_csrf(&form.csrf)?;
    let home = county_home(&user)?;
    let input = match check(&form) {
        Ok(i) => i,
        Err(errors) => {
            return render(&user, &home, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let county_code = home.county.as_str();
    let county_name = home.county_text();
    let actor = user.actor();
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let existing = clusters::list(&mut tx, &Scope::County(county_code.to_string())).await?;
    if existing.iter().any(|c| c.name == input.name) {
        drop(tx);
        let errors = vec![duplicate(&input.name, &county_name)];
        return render(&user, &home, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let inserted = clusters::insert(
        &mut tx,
        &NewCluster {
            name: &input.name,
            county_code,
            authority_code: home.authority.code,
            leading_industry: &input.leading_industry,
            industry_codes: &input.industry_codes,
            area_km2: input.area_km2.as_deref(),
            tier: Tier::Candidate,
        },
        now,
    )
    .await;
    let cluster = match inserted {
        Ok(c) => c,
        // Created by someone else between the check and the insert (UNIQUE county, name).
        Err(StoreError::Conflict(_)) => {
            drop(tx);
            let errors = vec![duplicate(&input.name, &county_name)];
            return render(&user, &home, form, errors, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return Err(e.into()),
    };
    audit::append(
        &mut tx,
        &NewEvent {
            actor_user_id: Some(actor.user_id),
            actor: &actor.username,
            actor_org: &actor.org_code,
            action: "create_cluster",
            object_type: "cluster",
            object_id: cluster.id.to_string(),
            before_state: None,
            after_state: Some(cluster.tier.as_str()),
            comment: None,
            detail: serde_json::json!({
                "name": cluster.name,
                "county_code": cluster.county_code,
                "authority_code": cluster.authority_code,
                "leading_industry": cluster.leading_industry,
                "industry_codes": cluster.industry_codes,
                "area_km2": cluster.area_km2,
            }),
        },
        now,
    )
    .await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Redirect::to(&format!("/clusters/{}?done=created", cluster.id)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_are_non_negative_decimals_written_canonically() {
        assert_eq!(parse_area(""), Ok(None));
        assert_eq!(parse_area("  "), Ok(None));
        assert_eq!(parse_area("86.5"), Ok(Some("86.5".into())));
        assert_eq!(parse_area(" 086.50 "), Ok(Some("86.5".into())));
        assert_eq!(parse_area("0"), Ok(Some("0".into())));
        assert_eq!(parse_area("0.0"), Ok(Some("0".into())));
        assert_eq!(parse_area("120"), Ok(Some("120".into())));
        assert_eq!(parse_area("0.125"), Ok(Some("0.125".into())));
        for bad in ["-3", "abc", "1.2.3", ".5", "5.", "1e3", "+4", "８６"] {
            assert!(parse_area(bad).is_err(), "{bad}");
        }
        assert!(parse_area("-3").is_err_and(|m| m.contains("负数")));
        assert!(parse_area("12345678").is_err_and(|m| m.contains("过大")));
        assert!(parse_area("1.23456").is_err_and(|m| m.contains("小数位")));
    }

    #[test]
    fn industry_codes_split_on_any_separator_and_are_canonical() {
        let mut errors = Vec::new();
        let codes = parse_codes("c3321、C3322，3323, C3321;C3324", &mut errors);
        assert!(errors.is_empty());
        assert_eq!(codes, ["C3321", "C3322", "C3323", "C3324"]);
        let codes = parse_codes("C3321、Z99、C01", &mut errors);
        assert_eq!(codes, ["C3321"]);
        assert_eq!(errors.len(), 2);
        assert!(errors.iter().all(|e| e.field == F_CODES));
        let mut errors = Vec::new();
        assert!(parse_codes(" 、 ", &mut errors).is_empty());
        assert_eq!(errors.len(), 1);
    }
}
