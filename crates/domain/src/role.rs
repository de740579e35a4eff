//! Roles of SPEC §1. The three administrator roles are separated (三员分立): no account may
//! hold two of them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 县级中小企业主管部门, the applicant (第十二条).
    County,
    /// 省级中小企业主管部门 (第四条, 第十三条).
    Province,
    /// 设区市中小企业主管部门: recommends its counties' applications to the province in a
    /// provincial batch that has the city step.
    City,
    /// 工业和信息化部 (第四条, 第十四条).
    Ministry,
    /// Review expert.
    Expert,
    /// 集群运营管理机构.
    Operator,
    /// 系统管理员: users and organisations.
    Sysadmin,
    /// 安全管理员: roles and security policy.
    Secadmin,
    /// 安全审计员: reads and verifies the audit log.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 9] = [
        Role::County,
        Role::Province,
        Role::City,
        Role::Ministry,
        Role::Expert,
        Role::Operator,
        Role::Sysadmin,
        Role::Secadmin,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::County => "county",
            Role::Province => "province",
            Role::City => "city",
            Role::Ministry => "ministry",
            Role::Expert => "expert",
            Role::Operator => "operator",
            Role::Sysadmin => "sysadmin",
            Role::Secadmin => "secadmin",
            Role::Auditor => "auditor",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::County => "县级中小企业主管部门",
            Role::Province => "省级中小企业主管部门",
            Role::City => "设区市中小企业主管部门",
            Role::Ministry => "工业和信息化部",
            Role::Expert => "评审专家",
            Role::Operator => "集群运营管理机构",
            Role::Sysadmin => "系统管理员",
            Role::Secadmin => "安全管理员",
            Role::Auditor => "安全审计员",
        }
    }

    /// One of the three separated administrator roles (三员分立).
    pub fn is_separated_admin(self) -> bool {
        matches!(self, Role::Sysadmin | Role::Secadmin | Role::Auditor)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "未知角色「{0}」，可选：county、province、city、ministry、expert、operator、sysadmin、secadmin、auditor"
)]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_string()))
    }
}

/// Refuses a role set in which one account would hold two separated administrator roles.
pub fn check_role_separation(roles: &[Role]) -> Result<(), RoleConflict> {
    let admins: Vec<Role> = roles
        .iter()
        .copied()
        .filter(|r| r.is_separated_admin())
        .collect();
    match admins.as_slice() {
        [a, b, ..] if a != b => Err(RoleConflict(*a, *b)),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("三员分立：同一账号不能同时担任「{}」和「{}」", .0.name_zh(), .1.name_zh())]
pub struct RoleConflict(pub Role, pub Role);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
        }
        assert!("admin".parse::<Role>().is_err());
    }

    #[test]
    fn separated_admin_roles_cannot_combine() {
        assert!(check_role_separation(&[Role::Sysadmin]).is_ok());
        assert!(check_role_separation(&[Role::County, Role::Auditor]).is_ok());
        assert!(check_role_separation(&[Role::Sysadmin, Role::Auditor]).is_err());
        assert!(check_role_separation(&[Role::Secadmin, Role::County, Role::Sysadmin]).is_err());
    }
}
