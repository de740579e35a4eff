//! The printable report of an evaluation: plain text a county official can print and sign
//! off, in Chinese (default) or English.

use super::edition::{Edition, Kind};
use super::{Evaluation, Lang, Severity, Status};
use crate::declaration::Declaration;
use std::fmt::Write as _;

fn severity_label(s: Severity, lang: Lang) -> &'static str {
    match (s, lang) {
        (Severity::Error, Lang::Zh) => "错误",
        (Severity::Warning, Lang::Zh) => "警告",
        (Severity::Info, Lang::Zh) => "提示",
        (Severity::Error, Lang::En) => "error",
        (Severity::Warning, Lang::En) => "warning",
        (Severity::Info, Lang::En) => "info",
    }
}

fn kind_label(k: Kind, lang: Lang) -> &'static str {
    match (k, lang) {
        (Kind::Hard, Lang::Zh) => "硬性",
        (Kind::Soft, Lang::Zh) => "一般性",
        (Kind::Judgement, Lang::Zh) => "定性",
        (Kind::Veto, Lang::Zh) => "否决项",
        (Kind::Hard, Lang::En) => "hard",
        (Kind::Soft, Lang::En) => "soft",
        (Kind::Judgement, Lang::En) => "judgement",
        (Kind::Veto, Lang::En) => "veto",
    }
}

/// Render the report. Deterministic (no dates or clock), so it can be snapshot-tested.
pub fn render_text(decl: &Declaration, edition: &Edition, eval: &Evaluation, lang: Lang) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored on purpose.
    let zh = lang == Lang::Zh;
    let title = lang.pick(
        "中小企业特色产业集群认定评价报告",
        "SME Characteristic Industrial Cluster — Criteria Evaluation",
    );
    let _ = writeln!(out, "{title}");
    let _ = writeln!(
        out,
        "{}",
        "=".repeat(if zh { 34 } else { title.chars().count() })
    );
    let c = &decl.cluster;
    let (first, last) = (
        decl.batch_year.saturating_sub(edition.window_years),
        decl.batch_year.saturating_sub(1),
    );
    let sme = super::metrics::Metrics::new(decl, edition.window_years).sme_count();
    let codes = c.industry_codes.join("、");
    let rows: Vec<(&str, String)> = if zh {
        vec![
            ("集群名称", c.name.clone()),
            ("县级行政区划代码", c.county_code.clone()),
            ("主导产业", format!("{}（{codes}）", c.leading_industry)),
            ("认定标准", format!("{}〔{}〕", edition.name_zh, edition.id)),
            (
                "申报年度",
                format!(
                    "{}年（{}）",
                    decl.batch_year,
                    if decl.first_batch {
                        "首批"
                    } else {
                        "非首批"
                    }
                ),
            ),
            ("数据期", format!("{first}–{last}年")),
            (
                "企业名录",
                format!("{}家，其中中小企业{}家", decl.enterprises.len(), sme),
            ),
        ]
    } else {
        vec![
            ("Cluster", c.name.clone()),
            ("County code", c.county_code.clone()),
            (
                "Leading industry",
                format!("{} ({codes})", c.leading_industry),
            ),
            (
                "Criteria edition",
                format!("{} [{}]", edition.name_en, edition.id),
            ),
            (
                "Batch year",
                format!(
                    "{}{}",
                    decl.batch_year,
                    if decl.first_batch {
                        " (first batch)"
                    } else {
                        ""
                    }
                ),
            ),
            ("Window", format!("{first}–{last}")),
            (
                "Roster",
                format!("{} enterprises, {} SMEs", decl.enterprises.len(), sme),
            ),
        ]
    };
    for (k, v) in rows {
        let _ = writeln!(out, "{k}{}{v}", lang.pick("：", ": "));
    }
    let _ = writeln!(out);

    // Conclusion.
    let count = |s: Status| eval.criteria.iter().filter(|v| v.status == s).count();
    let hard_failed: Vec<&str> = eval
        .criteria
        .iter()
        .filter(|v| {
            v.kind == Kind::Hard && !matches!(v.status, Status::Pass | Status::NotApplicable)
        })
        .map(|v| v.id.as_str())
        .collect();
    let vetoed = count(Status::Veto) > 0;
    let errors = eval
        .checks
        .iter()
        .filter(|c| c.severity == Severity::Error)
        .count();
    let _ = writeln!(
        out,
        "{}",
        lang.pick("第一部分　评价结论", "Part 1. Conclusion")
    );
    let conclusion = if eval.eligible {
        lang.pick(
            "符合认定标准的全部硬性指标，无否决情形，证据核查无错误：可进入专家评审（定性指标由专家判断）。",
            "All hard criteria are met, no veto applies and no check found an error: ready for expert review of the qualitative criteria.",
        )
        .to_string()
    } else {
        let mut reasons = Vec::new();
        if vetoed {
            reasons.push(lang.pick("存在否决情形", "a veto applies").to_string());
        }
        if !hard_failed.is_empty() {
            reasons.push(match lang {
                Lang::Zh => format!(
                    "{} 项硬性指标未通过（{}）",
                    hard_failed.len(),
                    hard_failed.join("、")
                ),
                Lang::En => format!(
                    "{} hard criteria not met ({})",
                    hard_failed.len(),
                    hard_failed.join(", ")
                ),
            });
        }
        if errors > 0 {
            reasons.push(match lang {
                Lang::Zh => format!("证据核查发现 {errors} 项错误"),
                Lang::En => format!("{errors} evidence checks found errors"),
            });
        }
        match lang {
            Lang::Zh => format!("暂不符合认定条件：{}。", reasons.join("；")),
            Lang::En => format!("Not eligible: {}.", reasons.join("; ")),
        }
    };
    let _ = writeln!(out, "{conclusion}");
    let tally: Vec<String> = [
        Status::Pass,
        Status::Fail,
        Status::Warning,
        Status::Missing,
        Status::Judgement,
        Status::NotApplicable,
        Status::Veto,
    ]
    .into_iter()
    .filter(|s| count(*s) > 0)
    .map(|s| match lang {
        Lang::Zh => format!("{} {} 项", s.label(lang), count(s)),
        Lang::En => format!("{} {}", s.label(lang), count(s)),
    })
    .collect();
    let _ = writeln!(
        out,
        "{}{}",
        lang.pick("统计：", "Tally: "),
        tally.join(lang.pick("，", ", "))
    );
    let _ = writeln!(out);

    // Criteria by group.
    let _ = writeln!(
        out,
        "{}",
        lang.pick("第二部分　逐项评价", "Part 2. Criteria")
    );
    for group in &edition.groups {
        let in_group: Vec<_> = eval
            .criteria
            .iter()
            .filter(|v| {
                edition
                    .criterion(&v.id)
                    .is_some_and(|c| c.group == group.id)
            })
            .collect();
        if in_group.is_empty() {
            continue;
        }
        let _ = writeln!(out);
        let _ = writeln!(out, "{}", lang.pick(&group.name_zh, &group.name_en));
        for v in in_group {
            let Some(crit) = edition.criterion(&v.id) else {
                continue;
            };
            let (status, text, kind) = (
                v.status.label(lang),
                lang.pick(&crit.text_zh, &crit.text_en),
                kind_label(v.kind, lang),
            );
            let _ = match lang {
                Lang::Zh => writeln!(
                    out,
                    "  【{status}】{} {text}（{kind}，{}）",
                    v.id, crit.article
                ),
                Lang::En => writeln!(
                    out,
                    "  [{status}] {} {text} ({kind}, {})",
                    v.id, crit.article
                ),
            };
            if v.value.is_some() || v.threshold.is_some() {
                let value = v.value.as_deref().unwrap_or("—");
                let threshold = v.threshold.as_deref().unwrap_or("—");
                let _ = writeln!(
                    out,
                    "      {}{value}{}{threshold}",
                    lang.pick("实际：", "Value: "),
                    lang.pick("　标准：", "  Threshold: ")
                );
            }
            let _ = writeln!(
                out,
                "      {}{}",
                lang.pick("说明：", "Why: "),
                v.explanation
            );
        }
    }
    let _ = writeln!(out);

    // Checks.
    let _ = writeln!(
        out,
        "{}",
        lang.pick("第三部分　证据核查", "Part 3. Evidence checks")
    );
    if eval.checks.is_empty() {
        let _ = writeln!(out, "{}", lang.pick("  未发现问题。", "  No findings."));
    }
    for c in &eval.checks {
        let severity = severity_label(c.severity, lang);
        let _ = match lang {
            Lang::Zh => writeln!(out, "  【{severity}】{} {}：{}", c.id, c.subject, c.message),
            Lang::En => writeln!(out, "  [{severity}] {} {}: {}", c.id, c.subject, c.message),
        };
    }
    let _ = writeln!(out);

    // Notes.
    let _ = writeln!(out, "{}", lang.pick("第四部分　说明", "Part 4. Notes"));
    let notes: [&str; 4] = if zh {
        [
            "“以上、以下、不低于、不超过、不少于”包括本数，“高于、低于、超过”不包括本数（《民法典》第一千二百五十九条）。",
            "年均增速按复合增长率计算，以“末年/首年”与“(1+增速)^(年数−1)”精确比较；金额单位为万元，以十进制精确计算。",
            "中小企业按《中小企业划型标准规定》（工信部联企业〔2011〕300号）以最近一年数据测算，数据不全的按申报规模。",
            "定性指标由评审专家判断，一般性指标仅作提示，均不影响自动评价结论。本报告依据申报数据自动生成，供审核参考。",
        ]
    } else {
        [
            "以上/以下/不低于/不超过/不少于 include the bound; 高于/低于/超过 exclude it (Civil Code Art. 1259).",
            "Growth is the compound annual rate, compared exactly as last/first against (1+r)^(n−1); money in 10,000 yuan, exact decimals.",
            "SME status follows the 2011 SME size standard on the latest year's figures, else the declared size.",
            "Qualitative criteria are for the experts and soft criteria only warn; neither affects the automatic verdict.",
        ]
    };
    for (i, n) in notes.iter().enumerate() {
        let _ = writeln!(out, "  {}. {n}", i + 1);
    }
    out
}
