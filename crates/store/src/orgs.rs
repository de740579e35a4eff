//! Organisations: MIIT, the 37 provincial-level authorities, county bureaus, cluster
//! operators, the expert pool. Keyed by GB/T 2260 codes where they have one.

use crate::{Conn, Result, StoreError, time};
use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

/// Organisation code of the ministry.
pub const MINISTRY_CODE: &str = "MIIT";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgKind {
    /// 工业和信息化部
    Ministry,
    /// 省、自治区、直辖市中小企业主管部门
    Province,
    /// 计划单列市中小企业主管部门
    PlanCity,
    /// 新疆生产建设兵团
    Xpcc,
    /// 设区市中小企业主管部门 (keyed by the prefecture's GB/T 2260 code, `xxyy00`)
    City,
    /// 县级中小企业主管部门
    County,
    /// 集群运营管理机构
    Operator,
    /// 评审专家库
    ExpertPool,
}

impl OrgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::Ministry => "ministry",
            OrgKind::Province => "province",
            OrgKind::PlanCity => "plan_city",
            OrgKind::Xpcc => "xpcc",
            OrgKind::City => "city",
            OrgKind::County => "county",
            OrgKind::Operator => "operator",
            OrgKind::ExpertPool => "expert_pool",
        }
    }

    pub fn parse(s: &str) -> Option<OrgKind> {
        [
            OrgKind::Ministry,
            OrgKind::Province,
            OrgKind::PlanCity,
            OrgKind::Xpcc,
            OrgKind::City,
            OrgKind::County,
            OrgKind::Operator,
            OrgKind::ExpertPool,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            OrgKind::Ministry => "部级主管部门",
            OrgKind::Province => "省级中小企业主管部门",
            OrgKind::PlanCity => "计划单列市中小企业主管部门",
            OrgKind::Xpcc => "兵团中小企业主管部门",
            OrgKind::City => "设区市中小企业主管部门",
            OrgKind::County => "县级中小企业主管部门",
            OrgKind::Operator => "集群运营管理机构",
            OrgKind::ExpertPool => "评审专家库",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    /// GB/T 2260 code of the area it governs, when it has one.
    pub division_code: Option<String>,
    /// The provincial-level authority (SPEC §1) it answers to; `None` for MIIT.
    pub authority_code: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewOrg<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: OrgKind,
    pub division_code: Option<&'a str>,
    pub authority_code: Option<&'a str>,
}

fn from_row(row: &AnyRow) -> Result<Org> {
    let kind: String = row.try_get("kind")?;
    Ok(Org {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        kind: OrgKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("未知机构类型「{kind}」")))?,
        division_code: row.try_get("division_code")?,
        authority_code: row.try_get("authority_code")?,
    })
}

pub async fn insert(conn: &mut Conn, org: &NewOrg<'_>, now: DateTime<Utc>) -> Result<Org> {
    let row = sqlx::query(
        "INSERT INTO organisations (code, name, kind, division_code, authority_code, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id, code, name, kind, division_code, authority_code",
    )
    .bind(org.code)
    .bind(org.name)
    .bind(org.kind.as_str())
    .bind(org.division_code)
    .bind(org.authority_code)
    .bind(time::to_text(now))
    .fetch_one(&mut *conn)
    .await?;
    from_row(&row)
}

pub async fn by_code(conn: &mut Conn, code: &str) -> Result<Option<Org>> {
    let row = sqlx::query(
        "SELECT id, code, name, kind, division_code, authority_code FROM organisations WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn by_id(conn: &mut Conn, id: i64) -> Result<Option<Org>> {
    let row = sqlx::query(
        "SELECT id, code, name, kind, division_code, authority_code FROM organisations WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

pub async fn list(conn: &mut Conn) -> Result<Vec<Org>> {
    let rows = sqlx::query(
        "SELECT id, code, name, kind, division_code, authority_code FROM organisations ORDER BY code",
    )
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(from_row).collect()
}
