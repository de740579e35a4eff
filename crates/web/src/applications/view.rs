//! What the templates show, prepared from stored rows: Chinese labels, local times, the
//! stored self-evaluation read back per criterion.

use jiqun_domain::clock::china_offset;
use jiqun_domain::criteria::{Edition, Severity, Status};
use jiqun_domain::workflow::Action;
use jiqun_store::applications::{Transition, Version};
use jiqun_store::attachments::Attachment;
use jiqun_store::reviews::Review;
use serde::Deserialize;

/// A stored timestamp as Beijing time, "2026-03-02 09:00".
pub fn local_time(text: &str) -> String {
    match jiqun_store::time::from_text(text) {
        Ok(t) => t
            .with_timezone(&china_offset())
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        Err(_) => text.to_string(),
    }
}

#[derive(Debug, Deserialize)]
struct StoredVerdict {
    id: String,
    status: Status,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    threshold: Option<String>,
    #[serde(default)]
    explanation: String,
}

#[derive(Debug, Deserialize)]
struct StoredCheck {
    id: String,
    severity: Severity,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
struct StoredEvaluation {
    eligible: bool,
    #[serde(default)]
    criteria: Vec<StoredVerdict>,
    #[serde(default)]
    checks: Vec<StoredCheck>,
}

pub struct VerdictRow {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub css: &'static str,
    pub value: String,
    pub threshold: String,
    pub explanation: String,
}

pub struct CheckRow {
    pub id: String,
    pub severity: &'static str,
    pub subject: String,
    pub message: String,
}

pub struct EvalView {
    pub eligible: bool,
    pub evaluated_at: String,
    pub rows: Vec<VerdictRow>,
    pub checks: Vec<CheckRow>,
}

fn status_css(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Fail | Status::Veto => "fail",
        Status::Warning | Status::Missing => "warn",
        Status::Judgement | Status::NotApplicable => "info",
    }
}

/// The self-evaluation stored with a version, per criterion with its edition's wording.
pub fn eval_view(v: &Version, edition_id: &str) -> Option<EvalView> {
    let json = v.evaluation.as_deref()?;
    let stored: StoredEvaluation = serde_json::from_str(json).ok()?;
    let edition = Edition::builtin(edition_id);
    let rows = stored
        .criteria
        .into_iter()
        .map(|c| VerdictRow {
            name: edition
                .and_then(|e| e.criterion(&c.id))
                .map(|k| k.text_zh.clone())
                .unwrap_or_default(),
            status: c.status.label(jiqun_domain::criteria::Lang::Zh),
            css: status_css(c.status),
            value: c.value.unwrap_or_default(),
            threshold: c.threshold.unwrap_or_default(),
            explanation: c.explanation,
            id: c.id,
        })
        .collect();
    let checks = stored
        .checks
        .into_iter()
        .map(|c| CheckRow {
            id: c.id,
            severity: match c.severity {
                Severity::Error => "错误",
                Severity::Warning => "提示",
                Severity::Info => "信息",
            },
            subject: c.subject,
            message: c.message,
        })
        .collect();
    Some(EvalView {
        eligible: stored.eligible,
        evaluated_at: v
            .evaluated_at
            .as_deref()
            .map(local_time)
            .unwrap_or_default(),
        rows,
        checks,
    })
}

/// The figures of the recommendation summary table (推荐汇总表), from a stored evaluation.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct KeyFigures {
    pub output: String,
    pub growth: String,
    pub sme_share: String,
    pub leading_share: String,
    pub patent_density: String,
    pub eligible: Option<bool>,
}

pub fn key_figures(v: Option<&Version>) -> KeyFigures {
    let Some(stored) = v
        .and_then(|v| v.evaluation.as_deref())
        .and_then(|j| serde_json::from_str::<StoredEvaluation>(j).ok())
    else {
        return KeyFigures::default();
    };
    let value = |id: &str| {
        stored
            .criteria
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.value.clone())
            .unwrap_or_default()
    };
    KeyFigures {
        output: value("C1.output"),
        growth: value("C1.growth"),
        sme_share: value("C1.sme_share"),
        leading_share: value("C1.leading_share"),
        patent_density: value("C4.patent_density"),
        eligible: Some(stored.eligible),
    }
}

pub struct VersionRow {
    pub version: i64,
    pub frozen: bool,
    pub created_at: String,
    pub evaluated: &'static str,
}

pub fn version_rows(vs: &[Version]) -> Vec<VersionRow> {
    vs.iter()
        .map(|v| VersionRow {
            version: v.version,
            frozen: v.frozen,
            created_at: local_time(&v.created_at),
            evaluated: match v.eligible {
                None => "未自评",
                Some(true) => "自评：符合",
                Some(false) => "自评：不符合",
            },
        })
        .collect()
}

pub struct HistoryRow {
    pub at: String,
    pub action: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub version: i64,
    pub actor: String,
    pub org: String,
    pub comment: String,
}

pub fn history_rows(ts: &[Transition]) -> Vec<HistoryRow> {
    ts.iter()
        .map(|t| HistoryRow {
            at: local_time(&t.at),
            action: t.action.name_zh(),
            from: t.from_state.name_zh(),
            to: t.to_state.name_zh(),
            version: t.version,
            actor: t.actor_name.clone(),
            org: t.actor_org_name.clone(),
            comment: t.comment.clone().unwrap_or_default(),
        })
        .collect()
}

pub struct FileRow {
    pub id: i64,
    pub filename: String,
    pub size: String,
    pub version: String,
    pub uploaded_at: String,
    pub sm3: String,
}

pub fn file_rows(atts: &[Attachment]) -> Vec<FileRow> {
    atts.iter()
        .map(|a| FileRow {
            id: a.id,
            filename: a.filename.clone(),
            size: a.size_text(),
            version: a.version.map(|v| format!("第{v}版")).unwrap_or_default(),
            uploaded_at: local_time(&a.created_at),
            sm3: a.digest.get(..16).unwrap_or(&a.digest).to_string(),
        })
        .collect()
}

pub struct ReviewRow {
    pub kind: &'static str,
    pub held_on: String,
    pub people: String,
    pub findings: String,
    pub conclusion: &'static str,
    pub by: String,
    pub org: String,
    pub files: Vec<FileRow>,
}

pub fn review_row(r: &Review, files: &[Attachment]) -> ReviewRow {
    ReviewRow {
        kind: r.kind.name_zh(),
        held_on: jiqun_store::time::date_to_text(r.held_on),
        people: r.people.clone(),
        findings: r.findings.clone(),
        conclusion: r.conclusion.name_zh(),
        by: r.by_user_name.clone(),
        org: r.by_org_name.clone(),
        files: file_rows(files),
    }
}

/// One button (with a comment box) of the application page.
pub struct ActionButton {
    pub action: &'static str,
    pub label: &'static str,
    pub needs_comment: bool,
}

pub fn buttons(actions: &[Action]) -> Vec<ActionButton> {
    actions
        .iter()
        .map(|a| ActionButton {
            action: a.as_str(),
            label: a.name_zh(),
            needs_comment: a.requires_comment(),
        })
        .collect()
}
