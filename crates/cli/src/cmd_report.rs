//! `jiqun report assessment --year Y [--province CODE] --out FILE.docx`: the cluster
//! development assessment report (集群发展评估报告, 第十六条: “工业和信息化部组织开展监督和考核，
//! 编制集群发展评估报告”), issue 7 item 3 — a minimal but real, editable Word document.
//!
//! Every number comes from the dashboard's own tables (`jiqun_web::dashboard::load` and
//! `all_charts`, i.e. `jiqun_store::monitoring`), so the report and the dashboard agree by
//! construction. The .docx is written by hand: WordprocessingML parts in a zip archive with
//! stored (uncompressed) entries, which every word processor opens.
//!
//! Not yet: charts as pictures, the .xlsx appendix, the dashboard button (see issue 7).

use crate::env::{self, DbArgs, EXIT_ENVIRONMENT, fatal};
use crate::ops::EXIT_INPUT;
use jiqun_domain::clock::{Clock, SystemClock};
use jiqun_domain::jurisdiction::authority_by_code;
use jiqun_store::Scope;
use jiqun_store::monitoring::Filters;
use jiqun_web::dashboard::{self, Cell, Chart, Part};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Subcommand)]
pub enum ReportCommand {
    /// 集群发展评估报告（第十六条），输出可编辑的 Word 文档（.docx）
    Assessment(AssessmentArgs),
}

#[derive(Debug, clap::Args)]
pub struct AssessmentArgs {
    /// 评估年度（趋势数据截至该年度）
    #[arg(long)]
    pub year: i32,
    /// 只评估一个省级单位（6 位代码，如 330000）；缺省为全国
    #[arg(long)]
    pub province: Option<String>,
    /// 输出的 .docx 文件
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

pub async fn run(cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    let ReportCommand::Assessment(args) = cmd;
    if !(2000..=2100).contains(&args.year) {
        return Err(fatal(
            EXIT_INPUT,
            format!(
                "评估年度 {} 无效（--year），应为 2000–2100 之间的年份",
                args.year
            ),
        ));
    }
    let (scope, scope_name) = match args.province.as_deref().map(str::trim) {
        None | Some("") => (Scope::National, "全国".to_string()),
        Some(code) => {
            let a = authority_by_code(code).ok_or_else(|| {
                fatal(
                    EXIT_INPUT,
                    format!(
                        "省级单位代码「{code}」无效（--province）：应为 6 位代码，如浙江省 330000、宁波市 330200、新疆生产建设兵团 660000"
                    ),
                )
            })?;
            (Scope::Authority(a.code.to_string()), a.name.to_string())
        }
    };
    let out = env::absolute(&args.out)?;
    if out.extension().and_then(|e| e.to_str()) != Some("docx") {
        return Err(fatal(
            EXIT_INPUT,
            format!("输出文件 {} 应以 .docx 结尾（--out）", out.display()),
        ));
    }
    if let Some(parent) = out.parent()
        && !parent.is_dir()
    {
        return Err(fatal(
            EXIT_INPUT,
            format!("目录 {} 不存在（--out）", parent.display()),
        ));
    }
    let db = args.db.connect().await?;
    let today = SystemClock.today();
    let mut conn = db
        .acquire()
        .await
        .map_err(|e| fatal(EXIT_ENVIRONMENT, e.to_string()))?;
    let d = dashboard::load(
        &mut conn,
        &scope,
        &Filters::default(),
        today,
        &[Part::Counts, Part::Indicators, Part::Lists],
    )
    .await
    .map_err(|e| fatal(EXIT_ENVIRONMENT, format!("读取监测数据失败：{e}")))?;
    let charts = dashboard::all_charts(&d, scope == Scope::National);
    drop(conn);
    db.close().await;
    let summary = summary_text(&d, &scope_name, today);
    let bytes = docx(&document_xml(
        args.year,
        &scope_name,
        today,
        &summary,
        &charts,
    ));
    std::fs::write(&out, bytes)
        .map_err(|e| fatal(EXIT_ENVIRONMENT, format!("无法写入 {}：{e}", out.display())))?;
    println!("已生成评估报告 {}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn summary_text(
    d: &jiqun_store::monitoring::Dashboard,
    scope: &str,
    today: chrono::NaiveDate,
) -> Vec<String> {
    let p = &d.progress;
    vec![
        format!(
            "截至 {today}，{scope}共有集群 {} 个，其中国家级中小企业特色产业集群 {} 个、省级集群 {} 个、省级培育库 {} 个。",
            d.tiers.total(),
            d.tiers.national,
            d.tiers.provincial,
            d.tiers.library
        ),
        format!(
            "第五条提出“十四五”期间在全国范围内认定 {} 个左右集群。{scope}“十四五”期间认定国家级集群 {} 个，占目标的 {}%；现有有效国家级集群 {} 个。",
            p.target,
            p.recognised_in_plan,
            jiqun_web::charts::fmt_num(p.percent()),
            p.live
        ),
        format!(
            "纳入指标统计的有效认定 {} 个，其中 {} 个取自年度培育情况报告，其余取自认定时的申报材料。",
            d.indicators.recognitions, d.indicators.from_reports
        ),
        format!(
            "需关注的问题：逾期未报送的年度报告 {} 份，待办撤销案件 {} 件，6 个月内到期的认定 {} 个。",
            d.lists.overdue.len(),
            d.lists.open_cases.len(),
            d.lists.expiring.len()
        ),
    ]
}

/// XML text escaping.
fn esc(s: &str) -> String {
    jiqun_web::charts::esc(s)
}

fn heading(level: u8, text: &str) -> String {
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"Heading{level}\"/></w:pPr><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        esc(text)
    )
}

fn para(text: &str) -> String {
    format!(
        "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        esc(text)
    )
}

fn table(columns: &[String], rows: &[Vec<Cell>]) -> String {
    let cell = |text: &str, bold: bool, right: bool| {
        format!(
            "<w:tc><w:p>{}<w:r>{}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
            if right {
                "<w:pPr><w:jc w:val=\"right\"/></w:pPr>"
            } else {
                ""
            },
            if bold { "<w:rPr><w:b/></w:rPr>" } else { "" },
            esc(text)
        )
    };
    let mut out = String::from(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr>",
    );
    out.push_str("<w:tr>");
    for c in columns {
        out.push_str(&cell(c, true, false));
    }
    out.push_str("</w:tr>");
    for r in rows {
        out.push_str("<w:tr>");
        for c in r {
            out.push_str(&cell(&c.show(), false, c.is_num()));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    out
}

/// The sections of the report and the dashboard charts each holds, by key prefix.
const SECTIONS: [(&str, &[&str]); 6] = [
    (
        "一、认定进度与集群分布",
        &["progress", "tiers", "sections", "batches"],
    ),
    ("二、推荐名额与申报情况", &["quota", "funnel"]),
    ("三、主要指标分布", &["dist_"]),
    ("四、发展趋势", &["trend_"]),
    ("五、省际比较", &["provinces"]),
    ("六、问题清单", &["overdue", "cases", "expiring"]),
];

fn document_xml(
    year: i32,
    scope: &str,
    today: chrono::NaiveDate,
    summary: &[String],
    charts: &[Chart],
) -> String {
    let mut body = String::new();
    body.push_str(&heading(
        1,
        &format!("{year}年度中小企业特色产业集群发展评估报告"),
    ));
    body.push_str(&para(&format!("范围：{scope}")));
    body.push_str(&para(&format!("编制日期：{today}")));
    body.push_str(&para(
        "依据：《促进中小企业特色产业集群发展暂行办法》（工信部企业〔2022〕119号）第五条、第十六条。",
    ));
    body.push_str(&heading(2, "总体情况"));
    for s in summary {
        body.push_str(&para(s));
    }
    for (title, keys) in SECTIONS {
        let mine: Vec<&Chart> = charts
            .iter()
            .filter(|c| {
                keys.iter().any(|k| {
                    if k.ends_with('_') {
                        c.key.starts_with(k)
                    } else {
                        c.key == *k
                    }
                })
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        body.push_str(&heading(2, title));
        for c in mine {
            body.push_str(&heading(3, &c.title));
            if !c.note.is_empty() {
                body.push_str(&para(&c.note));
            }
            // Trends up to the assessment year only.
            let rows: Vec<Vec<Cell>> = c
                .rows
                .iter()
                .filter(|r| {
                    !c.key.starts_with("trend_")
                        || !matches!(r.first(), Some(Cell::Num(y)) if *y > f64::from(year))
                })
                .cloned()
                .collect();
            if rows.is_empty() {
                body.push_str(&para("暂无数据。"));
            } else {
                body.push_str(&table(&c.columns, &rows));
                body.push_str(&para(""));
            }
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}\
<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr>\
</w:body></w:document>"
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
</Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
</Relationships>";

/// Normal text, three heading levels (real Word headings, so the navigation pane and a
/// table of contents work) and a grid table style.
const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"宋体\"/><w:sz w:val=\"24\"/><w:lang w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:pPr><w:spacing w:after=\"120\"/></w:pPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:pPr><w:keepNext/><w:jc w:val=\"center\"/><w:spacing w:before=\"240\" w:after=\"240\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"黑体\"/><w:b/><w:sz w:val=\"36\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"120\"/><w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"黑体\"/><w:b/><w:sz w:val=\"30\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading3\"><w:name w:val=\"heading 3\"/><w:basedOn w:val=\"Normal\"/><w:next w:val=\"Normal\"/><w:pPr><w:keepNext/><w:spacing w:before=\"160\" w:after=\"80\"/><w:outlineLvl w:val=\"2\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"楷体\"/><w:b/><w:sz w:val=\"26\"/></w:rPr></w:style>\
<w:style w:type=\"table\" w:styleId=\"TableGrid\"><w:name w:val=\"Table Grid\"/><w:tblPr><w:tblBorders>\
<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/><w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/><w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"auto\"/>\
</w:tblBorders></w:tblPr></w:style>\
</w:styles>";

/// The .docx package.
fn docx(document: &str) -> Vec<u8> {
    zip_stored(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.as_bytes()),
        ("word/styles.xml", STYLES.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ])
}

/// CRC-32 (IEEE 802.3, as zip uses).
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

/// A zip archive with stored entries (APPNOTE 6.3: local headers, central directory, end
/// record), names flagged UTF-8, dated 1980-01-01 so the output is reproducible.
fn zip_stored(files: &[(&str, &[u8])]) -> Vec<u8> {
    fn u16le(out: &mut Vec<u8>, v: u16) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, v: u32) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let len32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let len16 = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
    let (time, date) = (0u16, (1u16 << 5) | 1);
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let offset = len32(out.len());
        let crc = crc32(data);
        u32le(&mut out, 0x0403_4b50);
        u16le(&mut out, 20);
        u16le(&mut out, 0x0800);
        u16le(&mut out, 0);
        u16le(&mut out, time);
        u16le(&mut out, date);
        u32le(&mut out, crc);
        u32le(&mut out, len32(data.len()));
        u32le(&mut out, len32(data.len()));
        u16le(&mut out, len16(name.len()));
        u16le(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        u32le(&mut central, 0x0201_4b50);
        u16le(&mut central, 20);
        u16le(&mut central, 20);
        u16le(&mut central, 0x0800);
        u16le(&mut central, 0);
        u16le(&mut central, time);
        u16le(&mut central, date);
        u32le(&mut central, crc);
        u32le(&mut central, len32(data.len()));
        u32le(&mut central, len32(data.len()));
        u16le(&mut central, len16(name.len()));
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u16le(&mut central, 0);
        u32le(&mut central, 0);
        u32le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = len32(out.len());
    let cd_size = len32(central.len());
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, len16(files.len()));
    u16le(&mut out, len16(files.len()));
    u32le(&mut out, cd_size);
    u32le(&mut out, cd_offset);
    u16le(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// Reads a stored zip back through its central directory, checking every CRC.
    fn read_zip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let u16at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
        let u32at = |i: usize| {
            u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize
        };
        let end = bytes.len() - 22;
        assert_eq!(u32at(end), 0x0605_4b50, "end of central directory");
        let count = u16at(end + 10);
        let mut at = u32at(end + 16);
        let mut out = Vec::new();
        for _ in 0..count {
            assert_eq!(u32at(at), 0x0201_4b50);
            let crc = u32at(at + 16) as u32;
            let size = u32at(at + 20);
            let name_len = u16at(at + 28);
            let offset = u32at(at + 42);
            let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
            assert_eq!(u32at(offset), 0x0403_4b50);
            let start = offset + 30 + u16at(offset + 26) + u16at(offset + 28);
            let data = bytes[start..start + size].to_vec();
            assert_eq!(crc32(&data), crc, "{name}");
            out.push((name, data));
            at += 46 + name_len;
        }
        out
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn docx_has_the_parts_headings_and_numbers() {
        let charts = vec![
            Chart {
                key: "tiers".into(),
                title: "集群层级分布".into(),
                svg: String::new(),
                note: "共 3 个集群。".into(),
                columns: vec!["层级".into(), "集群数".into()],
                rows: vec![vec![Cell::Text("国家级".into()), Cell::Num(2.0)]],
            },
            Chart {
                key: "trend_output".into(),
                title: "集群总产值趋势".into(),
                svg: String::new(),
                note: String::new(),
                columns: vec!["年度".into(), "产值".into()],
                rows: vec![
                    vec![Cell::Num(2023.0), Cell::Num(484000.0)],
                    vec![Cell::Num(2025.0), Cell::Num(999999.0)],
                ],
            },
        ];
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let doc = document_xml(
            2024,
            "全国",
            today,
            &["共有集群 3 个 <A&B>".into()],
            &charts,
        );
        let bytes = docx(&doc);
        let parts = read_zip(&bytes);
        let names: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "[Content_Types].xml",
                "_rels/.rels",
                "word/_rels/document.xml.rels",
                "word/styles.xml",
                "word/document.xml"
            ]
        );
        let text = String::from_utf8(parts[4].1.clone()).unwrap();
        assert!(text.contains("2024年度中小企业特色产业集群发展评估报告"));
        assert!(text.contains("<w:pStyle w:val=\"Heading2\"/></w:pPr><w:r><w:t xml:space=\"preserve\">一、认定进度与集群分布"));
        assert!(text.contains("集群层级分布") && text.contains(">2<"));
        assert!(text.contains("共有集群 3 个 &lt;A&amp;B&gt;"));
        // The trend stops at the assessment year.
        assert!(text.contains("484000") && !text.contains("999999"));
        let ct = String::from_utf8(parts[0].1.clone()).unwrap();
        assert!(ct.contains("wordprocessingml.document.main+xml"));
    }
}
