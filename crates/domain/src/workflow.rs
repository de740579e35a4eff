//! The recognition workflow of SPEC §4 and 第十一条–第十四条, as a pure state machine.
//!
//! ```text
//! draft ─submit→ submitted ─accept→ accepted ─recommend→ recommended ─receive→ under_review
//!   ↑              │                    └─not_recommend→ not_recommended        │
//!   └──revise── returned ←─return─┘                                          start_expert_review
//!                                                                               ↓
//! recognized ←recognize─ in_public_notice ←open_notice─ shortlisted ←shortlist─ expert_review
//!                   └─uphold_objection→ rejected ←──────────reject───────────────┘ (and from under_review)
//! ```
//!
//! Who may take each step is part of the table: the county applies (第十二条), the province
//! accepts, reviews and recommends (第十三条), the ministry re-reviews, shortlists, holds the
//! public notice and recognises (第十四条). The guards that need data (quota, experts,
//! notice period, objections) are separate pure functions below, called by the service
//! layer inside the same transaction.

use crate::role::Role;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppState {
    Draft,
    Submitted,
    Returned,
    Accepted,
    Recommended,
    NotRecommended,
    UnderReview,
    ExpertReview,
    Shortlisted,
    Rejected,
    InPublicNotice,
    Recognized,
}

impl AppState {
    pub const ALL: [AppState; 12] = [
        AppState::Draft,
        AppState::Submitted,
        AppState::Returned,
        AppState::Accepted,
        AppState::Recommended,
        AppState::NotRecommended,
        AppState::UnderReview,
        AppState::ExpertReview,
        AppState::Shortlisted,
        AppState::Rejected,
        AppState::InPublicNotice,
        AppState::Recognized,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AppState::Draft => "draft",
            AppState::Submitted => "submitted",
            AppState::Returned => "returned",
            AppState::Accepted => "accepted",
            AppState::Recommended => "recommended",
            AppState::NotRecommended => "not_recommended",
            AppState::UnderReview => "under_review",
            AppState::ExpertReview => "expert_review",
            AppState::Shortlisted => "shortlisted",
            AppState::Rejected => "rejected",
            AppState::InPublicNotice => "in_public_notice",
            AppState::Recognized => "recognized",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            AppState::Draft => "草稿",
            AppState::Submitted => "已提交（待省级受理）",
            AppState::Returned => "已退回修改",
            AppState::Accepted => "省级已受理",
            AppState::Recommended => "省级已推荐",
            AppState::NotRecommended => "省级未推荐",
            AppState::UnderReview => "部级复审中",
            AppState::ExpertReview => "专家评审中",
            AppState::Shortlisted => "拟认定（入围）",
            AppState::Rejected => "未通过",
            AppState::InPublicNotice => "公示中",
            AppState::Recognized => "已认定",
        }
    }

    /// No step leads out of these.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            AppState::NotRecommended | AppState::Rejected | AppState::Recognized
        )
    }

    /// The declaration can be edited only in these.
    pub fn is_editable(self) -> bool {
        matches!(self, AppState::Draft)
    }
}

impl fmt::Display for AppState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AppState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AppState::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("未知申报状态「{s}」"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// County submits (after a self-evaluation); freezes a version.
    Submit,
    /// Province returns for changes (comment required).
    Return,
    /// County reopens a returned application as a new draft version.
    Revise,
    /// Province accepts (受理).
    Accept,
    /// Province recommends, within its quota (推荐).
    Recommend,
    /// Province decides not to recommend (comment required).
    NotRecommend,
    /// Ministry receives a recommendation for re-review (复审).
    Receive,
    /// Ministry starts expert review (≥ 3 experts assigned, none conflicted).
    StartExpertReview,
    /// Ministry shortlists (择优形成集群名单).
    Shortlist,
    /// Ministry rejects (comment required).
    Reject,
    /// Ministry opens the public notice (公示).
    OpenNotice,
    /// Ministry recognises after a notice without an upheld objection.
    Recognize,
    /// Ministry upholds an objection: the application is rejected.
    UpholdObjection,
}

impl Action {
    pub const ALL: [Action; 13] = [
        Action::Submit,
        Action::Return,
        Action::Revise,
        Action::Accept,
        Action::Recommend,
        Action::NotRecommend,
        Action::Receive,
        Action::StartExpertReview,
        Action::Shortlist,
        Action::Reject,
        Action::OpenNotice,
        Action::Recognize,
        Action::UpholdObjection,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Return => "return",
            Action::Revise => "revise",
            Action::Accept => "accept",
            Action::Recommend => "recommend",
            Action::NotRecommend => "not_recommend",
            Action::Receive => "receive",
            Action::StartExpertReview => "start_expert_review",
            Action::Shortlist => "shortlist",
            Action::Reject => "reject",
            Action::OpenNotice => "open_notice",
            Action::Recognize => "recognize",
            Action::UpholdObjection => "uphold_objection",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Action::Submit => "提交申报",
            Action::Return => "退回修改",
            Action::Revise => "重新编辑",
            Action::Accept => "受理",
            Action::Recommend => "推荐",
            Action::NotRecommend => "不予推荐",
            Action::Receive => "接收复审",
            Action::StartExpertReview => "启动专家评审",
            Action::Shortlist => "列入拟认定名单",
            Action::Reject => "不予认定",
            Action::OpenNotice => "启动公示",
            Action::Recognize => "认定发布",
            Action::UpholdObjection => "异议成立，不予认定",
        }
    }

    /// The one role that may take this step.
    pub fn actor(self) -> Role {
        match self {
            Action::Submit | Action::Revise => Role::County,
            Action::Return | Action::Accept | Action::Recommend | Action::NotRecommend => {
                Role::Province
            }
            Action::Receive
            | Action::StartExpertReview
            | Action::Shortlist
            | Action::Reject
            | Action::OpenNotice
            | Action::Recognize
            | Action::UpholdObjection => Role::Ministry,
        }
    }

    /// States this step may start from.
    pub fn from_states(self) -> &'static [AppState] {
        use AppState::*;
        match self {
            Action::Submit => &[Draft],
            Action::Return => &[Submitted, Accepted],
            Action::Revise => &[Returned],
            Action::Accept => &[Submitted],
            Action::Recommend | Action::NotRecommend => &[Accepted],
            Action::Receive => &[Recommended],
            Action::StartExpertReview => &[UnderReview],
            Action::Shortlist => &[ExpertReview],
            Action::Reject => &[UnderReview, ExpertReview],
            Action::OpenNotice => &[Shortlisted],
            Action::Recognize | Action::UpholdObjection => &[InPublicNotice],
        }
    }

    pub fn to_state(self) -> AppState {
        match self {
            Action::Submit => AppState::Submitted,
            Action::Return => AppState::Returned,
            Action::Revise => AppState::Draft,
            Action::Accept => AppState::Accepted,
            Action::Recommend => AppState::Recommended,
            Action::NotRecommend => AppState::NotRecommended,
            Action::Receive => AppState::UnderReview,
            Action::StartExpertReview => AppState::ExpertReview,
            Action::Shortlist => AppState::Shortlisted,
            Action::Reject | Action::UpholdObjection => AppState::Rejected,
            Action::OpenNotice => AppState::InPublicNotice,
            Action::Recognize => AppState::Recognized,
        }
    }

    /// Steps that must say why (a return, a refusal, a rejection).
    pub fn requires_comment(self) -> bool {
        matches!(
            self,
            Action::Return | Action::NotRecommend | Action::Reject | Action::UpholdObjection
        )
    }
}

impl FromStr for Action {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| format!("未知操作「{s}」"))
    }
}

/// Who runs a batch. A national batch is the ministry's (第十四条); a provincial batch is a
/// province's own call for provincial clusters (第五条 "培育一批省级集群"), run on the same
/// state machine with the parts moved down one level: the province takes the ministry's
/// steps (receive, experts, shortlist, public notice, recognition), and the steps of
/// 第十三条 (accept, return, recommend) are taken by the 设区市 when the batch has the city
/// step, otherwise by the province itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Level {
    National,
    Provincial { city_step: bool },
}

impl Level {
    pub fn is_provincial(self) -> bool {
        matches!(self, Level::Provincial { .. })
    }
}

impl AppState {
    /// The state's name as it reads in a batch of this level ("省级公示中" rather than
    /// "公示中" in a provincial batch).
    pub fn name_zh_at(self, level: Level) -> &'static str {
        let Level::Provincial { city_step } = level else {
            return self.name_zh();
        };
        match self {
            AppState::Submitted if city_step => "已提交（待设区市受理）",
            AppState::Accepted if city_step => "设区市已受理",
            AppState::Recommended if city_step => "设区市已推荐（待省级接收）",
            AppState::NotRecommended if city_step => "设区市未推荐",
            AppState::Recommended => "省级初审通过（待接收评审）",
            AppState::NotRecommended => "省级初审未通过",
            AppState::UnderReview => "省级评审中",
            AppState::ExpertReview => "省级专家评审中",
            AppState::Shortlisted => "拟认定为省级集群",
            AppState::InPublicNotice => "省级公示中",
            AppState::Recognized => "已认定为省级集群",
            other => other.name_zh(),
        }
    }
}

impl Action {
    /// The role that takes this step in a batch of this level (see [`Level`]).
    pub fn actor_at(self, level: Level) -> Role {
        match (level, self.actor()) {
            (Level::National, role) => role,
            (Level::Provincial { city_step: true }, Role::Province) => Role::City,
            (Level::Provincial { .. }, Role::Ministry) => Role::Province,
            (Level::Provincial { .. }, role) => role,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("「{action}」只能由{required}执行，当前角色为{actual}", action = .action.name_zh(), required = .required.name_zh(), actual = .actual.name_zh())]
    WrongRole {
        action: Action,
        required: Role,
        actual: Role,
    },
    #[error("申报当前状态为「{state}」，不能执行「{action}」", state = .from.name_zh(), action = .action.name_zh())]
    IllegalTransition { from: AppState, action: Action },
    #[error("「{}」必须填写意见或理由", .0.name_zh())]
    CommentRequired(Action),
    #[error("超过推荐名额：本批次{authority}的名额为{limit}个，已推荐{used}个")]
    OverQuota {
        authority: String,
        limit: u32,
        used: u32,
    },
    #[error("超过设区市推荐名额：本批次每个设区市最多推荐{cap}个，{city}已推荐{used}个")]
    OverCityCap { city: String, cap: u32, used: u32 },
    #[error("提交前须先完成自评")]
    NotSelfEvaluated,
    #[error("专家评审至少需要{min}名专家，目前{count}名")]
    TooFewExperts { min: usize, count: usize },
    #[error("专家所在省份与集群所在省份相同，须回避")]
    ExpertConflict,
    #[error("公示期至{end}结束，结束前不能{what}")]
    NoticeNotOver { end: NaiveDate, what: &'static str },
}

/// Checks role, state and comment for one step of a national batch; returns the new state.
pub fn transition(
    from: AppState,
    action: Action,
    actor: Role,
    comment: Option<&str>,
) -> Result<AppState, WorkflowError> {
    transition_at(Level::National, from, action, actor, comment)
}

/// Checks role, state and comment for one step in a batch of `level`; returns the new state.
/// The states and steps are the same at every level; only who takes a step differs
/// ([`Action::actor_at`]).
pub fn transition_at(
    level: Level,
    from: AppState,
    action: Action,
    actor: Role,
    comment: Option<&str>,
) -> Result<AppState, WorkflowError> {
    let required = action.actor_at(level);
    if actor != required {
        return Err(WorkflowError::WrongRole {
            action,
            required,
            actual: actor,
        });
    }
    if !action.from_states().contains(&from) {
        return Err(WorkflowError::IllegalTransition { from, action });
    }
    if action.requires_comment() && comment.is_none_or(|c| c.trim().is_empty()) {
        return Err(WorkflowError::CommentRequired(action));
    }
    Ok(action.to_state())
}

/// Steps the given role may take from `state`, for showing the right buttons.
pub fn available_actions(state: AppState, role: Role) -> Vec<Action> {
    available_actions_at(Level::National, state, role)
}

/// Steps the given role may take from `state` in a batch of `level`.
pub fn available_actions_at(level: Level, state: AppState, role: Role) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| a.actor_at(level) == role && a.from_states().contains(&state))
        .collect()
}

/// A 设区市 may recommend at most `cap` of its counties' applications in a provincial batch
/// with the city step (some provinces: up to 3).
pub fn check_city_cap(city: &str, used: u32, cap: u32) -> Result<(), WorkflowError> {
    if used >= cap {
        return Err(WorkflowError::OverCityCap {
            city: city.to_string(),
            cap,
            used,
        });
    }
    Ok(())
}

/// Recommending one more must stay within the quota (recommendations beyond it are
/// "一律不予受理", the yearly notices).
pub fn check_quota(authority: &str, used: u32, limit: u32) -> Result<(), WorkflowError> {
    if used >= limit {
        return Err(WorkflowError::OverQuota {
            authority: authority.to_string(),
            limit,
            used,
        });
    }
    Ok(())
}

/// At least three experts, none from the cluster's province (SPEC §4).
pub const MIN_EXPERTS: usize = 3;

pub fn check_expert(
    expert_home_province: Option<&str>,
    cluster_province: &str,
) -> Result<(), WorkflowError> {
    match expert_home_province {
        Some(home) if home == cluster_province => Err(WorkflowError::ExpertConflict),
        _ => Ok(()),
    }
}

pub fn check_expert_count(count: usize) -> Result<(), WorkflowError> {
    if count < MIN_EXPERTS {
        return Err(WorkflowError::TooFewExperts {
            min: MIN_EXPERTS,
            count,
        });
    }
    Ok(())
}

/// Recognition is valid for three years (第十五条): from `from` to the day before the same
/// date three years later (29 February maps to 28 February).
pub fn valid_until(from: NaiveDate) -> NaiveDate {
    let target_year = from.year() + 3;
    let same_day = NaiveDate::from_ymd_opt(target_year, from.month(), from.day())
        .or_else(|| NaiveDate::from_ymd_opt(target_year, from.month(), 28))
        .unwrap_or(from);
    same_day.pred_opt().unwrap_or(same_day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AppState::*;

    #[test]
    fn the_happy_path() {
        let steps = [
            (Draft, Action::Submit, Role::County, Submitted),
            (Submitted, Action::Accept, Role::Province, Accepted),
            (Accepted, Action::Recommend, Role::Province, Recommended),
            (Recommended, Action::Receive, Role::Ministry, UnderReview),
            (
                UnderReview,
                Action::StartExpertReview,
                Role::Ministry,
                ExpertReview,
            ),
            (ExpertReview, Action::Shortlist, Role::Ministry, Shortlisted),
            (
                Shortlisted,
                Action::OpenNotice,
                Role::Ministry,
                InPublicNotice,
            ),
            (
                InPublicNotice,
                Action::Recognize,
                Role::Ministry,
                Recognized,
            ),
        ];
        for (from, action, role, to) in steps {
            assert_eq!(transition(from, action, role, None), Ok(to), "{action:?}");
        }
    }

    #[test]
    fn a_provincial_batch_moves_each_part_one_level_down() {
        let direct = Level::Provincial { city_step: false };
        let city = Level::Provincial { city_step: true };
        assert_eq!(Action::Submit.actor_at(city), Role::County);
        assert_eq!(Action::Accept.actor_at(direct), Role::Province);
        assert_eq!(Action::Recommend.actor_at(city), Role::City);
        assert_eq!(Action::Receive.actor_at(city), Role::Province);
        assert_eq!(Action::Recognize.actor_at(direct), Role::Province);
        assert_eq!(
            transition_at(city, Accepted, Action::Recommend, Role::City, None),
            Ok(Recommended)
        );
        // The ministry takes no step in a province's batch.
        assert_eq!(
            transition_at(direct, Recommended, Action::Receive, Role::Ministry, None),
            Err(WorkflowError::WrongRole {
                action: Action::Receive,
                required: Role::Province,
                actual: Role::Ministry
            })
        );
        assert_eq!(
            transition_at(city, Submitted, Action::Accept, Role::Province, None),
            Err(WorkflowError::WrongRole {
                action: Action::Accept,
                required: Role::City,
                actual: Role::Province
            })
        );
        assert_eq!(InPublicNotice.name_zh_at(direct), "省级公示中");
        assert_eq!(InPublicNotice.name_zh_at(Level::National), "公示中");
        assert_eq!(Recommended.name_zh_at(city), "设区市已推荐（待省级接收）");
        assert_eq!(
            available_actions_at(direct, InPublicNotice, Role::Province),
            vec![Action::Recognize, Action::UpholdObjection]
        );
    }

    #[test]
    fn city_cap_boundary() {
        assert_eq!(check_city_cap("昆明市", 2, 3), Ok(()));
        let e = check_city_cap("昆明市", 3, 3).unwrap_err();
        assert_eq!(
            e.to_string(),
            "超过设区市推荐名额：本批次每个设区市最多推荐3个，昆明市已推荐3个"
        );
    }

    #[test]
    fn return_and_revise() {
        assert_eq!(
            transition(Submitted, Action::Return, Role::Province, None),
            Err(WorkflowError::CommentRequired(Action::Return))
        );
        assert_eq!(
            transition(Submitted, Action::Return, Role::Province, Some("   ")),
            Err(WorkflowError::CommentRequired(Action::Return))
        );
        assert_eq!(
            transition(
                Submitted,
                Action::Return,
                Role::Province,
                Some("补充2021年产值佐证")
            ),
            Ok(Returned)
        );
        assert_eq!(
            transition(Returned, Action::Revise, Role::County, None),
            Ok(Draft)
        );
        assert_eq!(
            transition(Returned, Action::Submit, Role::County, None),
            Err(WorkflowError::IllegalTransition {
                from: Returned,
                action: Action::Submit
            })
        );
    }

    #[test]
    fn every_step_by_the_wrong_role_is_refused() {
        for action in Action::ALL {
            for role in Role::ALL {
                if role == action.actor() {
                    continue;
                }
                for from in action.from_states() {
                    assert!(matches!(
                        transition(*from, action, role, Some("理由")),
                        Err(WorkflowError::WrongRole { .. })
                    ));
                }
            }
        }
    }

    #[test]
    fn no_step_leaves_a_final_state_and_every_illegal_pair_is_refused() {
        for from in AppState::ALL {
            for action in Action::ALL {
                let r = transition(from, action, action.actor(), Some("理由"));
                if action.from_states().contains(&from) {
                    assert!(!from.is_final());
                    assert_eq!(r, Ok(action.to_state()));
                } else {
                    assert_eq!(r, Err(WorkflowError::IllegalTransition { from, action }));
                }
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for s in AppState::ALL {
            assert_eq!(s.as_str().parse::<AppState>(), Ok(s));
        }
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>(), Ok(a));
        }
    }

    #[test]
    fn quota_boundary() {
        assert!(check_quota("330000", 4, 5).is_ok());
        let err = check_quota("330000", 5, 5).unwrap_err();
        assert!(err.to_string().contains("5"));
        assert!(check_quota("330200", 0, 0).is_err());
    }

    #[test]
    fn experts() {
        assert_eq!(
            check_expert(Some("330000"), "330000"),
            Err(WorkflowError::ExpertConflict)
        );
        assert!(check_expert(Some("320000"), "330000").is_ok());
        assert!(check_expert_count(2).is_err());
        assert!(check_expert_count(3).is_ok());
    }

    #[test]
    fn three_year_validity() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(valid_until(d(2023, 1, 10)), d(2026, 1, 9));
        assert_eq!(valid_until(d(2024, 2, 29)), d(2027, 2, 27));
        assert_eq!(valid_until(d(2024, 3, 1)), d(2027, 2, 28));
    }

    #[test]
    fn buttons_per_role() {
        assert_eq!(available_actions(Draft, Role::County), vec![Action::Submit]);
        assert_eq!(
            available_actions(Submitted, Role::Province),
            vec![Action::Return, Action::Accept]
        );
        assert!(available_actions(Submitted, Role::County).is_empty());
    }
}
