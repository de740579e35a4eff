//! The recognition criteria engine (SPEC §3; 认定标准 2022年版, 工信部企业〔2022〕119号 附件).
//!
//! * [`Edition`]: a criteria edition as data (`criteria/2022.toml`, provincial editions,
//!   regional overrides).
//! * [`parse_declaration`]: the declaration JSON, validated with every problem located.
//! * [`evaluate`]: metrics computed exactly from the roster, one [`Verdict`] per criterion
//!   with its numbers and, for a failed numeric rule, the gap; evidence [`Check`]s.
//! * [`render_text`]: the printable Chinese (or English) report.

mod comparator;
mod edition;
mod evaluate;
mod fmt;
mod metrics;
mod parse;
mod report;

pub use comparator::Comparator;
pub use edition::{
    AppliesIf, Condition, Criterion, Edition, EditionError, Group, Kind, Override, Patch,
    Threshold, Tier, VetoRule, Window,
};
pub use evaluate::evaluate;
pub use metrics::{
    Frac, MetricId, Metrics, SizeBasis, SizeInfo, Unit, cagr, growth_factor, size_of,
};
pub use parse::{InputError, WINDOW_YEARS, parse_declaration, parse_declaration_value};
pub use report::render_text;

use serde::{Deserialize, Serialize};

/// Severity of an evidence cross-check (`X.*`, SPEC §3). An `Error` makes the declaration
/// not eligible; `Warning` and `Info` never block the automatic verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// One finding of an evidence cross-check (`X.uscc`, `X.duplicate`, …).
///
/// Serialised as `{"id","severity","subject","message"}`; `message` is Chinese and
/// `message_en` (not serialised) is the English text used with `--lang en`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// Check id, e.g. "X.uscc".
    pub id: String,
    pub severity: Severity,
    /// What the finding is about: an enterprise's USCC and name, or "集群".
    pub subject: String,
    /// Chinese message.
    pub message: String,
    /// English message (used when the caller asks for English).
    #[serde(skip)]
    pub message_en: String,
}

impl Check {
    pub fn new(
        id: impl Into<String>,
        severity: Severity,
        subject: impl Into<String>,
        message: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Check {
            id: id.into(),
            severity,
            subject: subject.into(),
            message: message.into(),
            message_en: message_en.into(),
        }
    }
}

/// Language of explanations and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Pick the text of this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "zh" | "zh-CN" | "zh_CN" => Ok(Lang::Zh),
            "en" | "en-US" | "en_US" => Ok(Lang::En),
            other => Err(format!("unknown language {other:?} (zh or en)")),
        }
    }
}

/// The outcome of one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    /// A soft rule is broken (never blocks eligibility).
    Warning,
    /// The data needed is absent.
    Missing,
    /// Qualitative: decided by reviewers.
    Judgement,
    NotApplicable,
    /// A veto (否决项) applies.
    Veto,
}

impl Status {
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Status::Pass, Lang::Zh) => "符合",
            (Status::Fail, Lang::Zh) => "不符合",
            (Status::Warning, Lang::Zh) => "提示",
            (Status::Missing, Lang::Zh) => "缺少数据",
            (Status::Judgement, Lang::Zh) => "专家评审",
            (Status::NotApplicable, Lang::Zh) => "不适用",
            (Status::Veto, Lang::Zh) => "否决",
            (Status::Pass, Lang::En) => "pass",
            (Status::Fail, Lang::En) => "fail",
            (Status::Warning, Lang::En) => "warning",
            (Status::Missing, Lang::En) => "missing",
            (Status::Judgement, Lang::En) => "judgement",
            (Status::NotApplicable, Lang::En) => "n/a",
            (Status::Veto, Lang::En) => "veto",
        }
    }
}

/// The verdict on one criterion. Serialised as `{"id","status","value","threshold","explanation"}`;
/// `value` and `threshold` are display strings with units (null when there is none).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub id: String,
    pub status: Status,
    pub value: Option<String>,
    pub threshold: Option<String>,
    pub explanation: String,
    /// The criterion's kind after regional overrides.
    #[serde(skip)]
    pub kind: Kind,
}

/// The result of evaluating one declaration against one edition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Every hard rule pass or not_applicable, no veto, no `error` check.
    pub eligible: bool,
    pub criteria: Vec<Verdict>,
    pub checks: Vec<Check>,
}

impl Evaluation {
    /// The SPEC's definition of eligible.
    pub fn compute_eligible(criteria: &[Verdict], checks: &[Check]) -> bool {
        criteria.iter().all(|v| match v.kind {
            Kind::Hard => matches!(v.status, Status::Pass | Status::NotApplicable),
            Kind::Veto => v.status != Status::Veto,
            Kind::Soft | Kind::Judgement => true,
        }) && !checks.iter().any(|c| c.severity == Severity::Error)
    }

    pub fn verdict(&self, id: &str) -> Option<&Verdict> {
        self.criteria.iter().find(|v| v.id == id)
    }
}

/// Parse a declaration and evaluate it against the built-in edition it names.
pub fn evaluate_json(input: &str, lang: Lang) -> Result<Evaluation, Vec<InputError>> {
    let decl = parse_declaration(input)?;
    let edition = builtin_edition_for(&decl)?;
    Ok(evaluate(&decl, edition, lang))
}

/// The built-in edition a declaration names in `edition`, or an input error listing the
/// known ones.
pub fn builtin_edition_for(
    decl: &crate::declaration::Declaration,
) -> Result<&'static Edition, Vec<InputError>> {
    Edition::builtin(&decl.edition).ok_or_else(|| {
        let known = Edition::builtin_ids();
        vec![InputError {
            path: "edition".into(),
            message: format!(
                "未知的认定标准版本 \"{}\"（可选：{}）",
                decl.edition,
                known.join("、")
            ),
            message_en: format!(
                "unknown criteria edition \"{}\" (one of: {})",
                decl.edition,
                known.join(", ")
            ),
        }]
    })
}
