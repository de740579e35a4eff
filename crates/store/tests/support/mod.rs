//! Fixtures shared by the store's test modules: dates at 09:00 China time, organisations
//! and officials acting in their role's jurisdiction.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use jiqun_domain::role::Role;
use jiqun_store::applications::Actor;
use jiqun_store::orgs::{self, NewOrg, OrgKind};
use jiqun_store::{Conn, Scope, users};

/// 09:00 China time on a date.
pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 1, 0, 0).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// An organisation named by its code; a county's division code is its own code.
pub async fn org(conn: &mut Conn, code: &str, kind: OrgKind, authority: Option<&str>) -> i64 {
    let division = (kind == OrgKind::County).then_some(code);
    orgs::insert(
        conn,
        &NewOrg {
            code,
            name: code,
            kind,
            division_code: division,
            authority_code: authority,
        },
        at(2022, 1, 1),
    )
    .await
    .unwrap()
    .id
}

/// A user of `org_id` (code `code`) with one role, acting in that role's jurisdiction:
/// a county its county, a province its authority, the ministry the nation.
pub async fn actor(
    conn: &mut Conn,
    name: &'static str,
    org_id: i64,
    code: &str,
    role: Role,
) -> Actor {
    let (roles, scope): (&'static [Role], Scope) = match role {
        Role::County => (&[Role::County], Scope::County(code.into())),
        Role::Province => (&[Role::Province], Scope::Authority(code.into())),
        _ => (&[Role::Ministry], Scope::National),
    };
    let u = users::insert(
        conn,
        &users::NewUser {
            username: name,
            display_name: name,
            org_id,
            password_hash: "x",
            home_province: None,
            roles,
        },
        at(2022, 1, 1),
    )
    .await
    .unwrap();
    Actor {
        user_id: u.id,
        username: name.into(),
        org_id,
        org_code: code.into(),
        roles: vec![role],
        scope,
    }
}
