//! The cluster development assessment report (集群发展评估报告, 第十六条: “工业和信息化部
//! 组织开展监督和考核，编制集群发展评估报告”), issue 7 item 3: an editable Word document
//! (.docx) with each dashboard chart as a PNG picture and its table, and an .xlsx appendix
//! with every number in the report. Used by `jiqun report assessment` and by the button
//! 生成评估报告 on the dashboard (`GET /dashboard/report.docx`, `/dashboard/report.xlsx`).
//!
//! Every number comes from the dashboard's own tables ([`dashboard::load`] and
//! [`dashboard::all_charts`], i.e. `jiqun_store::monitoring`), so the report, its appendix
//! and the dashboard agree by construction. The .docx is written by hand: WordprocessingML
//! parts in a zip archive with stored (uncompressed) entries, which every word processor
//! opens. The charts' SVG is rendered to PNG with `resvg`, using the fonts installed on the
//! machine (`fontdb` system fonts): Chinese labels need a CJK font such as the Debian
//! packages `fonts-noto-cjk` or `fonts-wqy-microhei`; without one the pictures show the
//! bars, lines and numbers but not the Chinese text (the tables under each picture carry
//! every label).

use crate::dashboard::{self, Cell, Chart, Part};
use crate::error::{WebError, WebResult};
use chrono::NaiveDate;
use jiqun_store::monitoring::{Dashboard, Filters};
use jiqun_store::{Conn, Scope};
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// Everything the report and its appendix say.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub year: i32,
    pub scope_name: String,
    pub today: NaiveDate,
    /// The numbers of the summary (总体情况), labelled, in the order the text uses them.
    pub figures: Vec<(String, f64)>,
    pub summary: Vec<String>,
    /// The dashboard's charts, trends cut at `year`.
    pub charts: Vec<Chart>,
}

/// Reads the figures (the dashboard's queries, no filter) and composes the report.
pub async fn assess(
    conn: &mut Conn,
    scope: &Scope,
    scope_name: &str,
    year: i32,
    today: NaiveDate,
) -> WebResult<Assessment> {
    let mut d = dashboard::load(
        conn,
        scope,
        &Filters::default(),
        today,
        &[Part::Counts, Part::Indicators, Part::Lists],
    )
    .await?;
    // Trends up to the assessment year only (pictures and tables alike).
    for t in &mut d.indicators.trends {
        t.points.retain(|p| p.year <= year);
    }
    let figures = summary_figures(&d);
    Ok(Assessment {
        year,
        scope_name: scope_name.to_string(),
        today,
        summary: summary_text(&figures, scope_name, today),
        figures,
        charts: dashboard::all_charts(&d, *scope == Scope::National),
    })
}

/// The summary's numbers, labelled (the appendix's first sheet).
pub fn summary_figures(d: &Dashboard) -> Vec<(String, f64)> {
    let p = &d.progress;
    let n = |v: i64| v as f64;
    vec![
        ("集群总数".into(), n(d.tiers.total())),
        ("国家级集群".into(), n(d.tiers.national)),
        ("省级集群".into(), n(d.tiers.provincial)),
        ("省级培育库".into(), n(d.tiers.library)),
        ("“十四五”国家级集群目标（第五条）".into(), n(p.target)),
        ("“十四五”期间认定国家级集群".into(), n(p.recognised_in_plan)),
        ("目标完成率（%）".into(), p.percent()),
        ("现有有效国家级集群".into(), n(p.live)),
        (
            "纳入指标统计的有效认定".into(),
            d.indicators.recognitions as f64,
        ),
        ("其中取自年度报告".into(), d.indicators.from_reports as f64),
        ("逾期未报送的年度报告".into(), d.lists.overdue.len() as f64),
        ("待办撤销案件".into(), d.lists.open_cases.len() as f64),
        ("6 个月内到期的认定".into(), d.lists.expiring.len() as f64),
    ]
}

fn summary_text(f: &[(String, f64)], scope: &str, today: NaiveDate) -> Vec<String> {
    let v = |i: usize| {
        f.get(i)
            .map_or_else(|| "—".to_string(), |x| crate::charts::fmt_num(x.1))
    };
    vec![
        format!(
            "截至 {today}，{scope}共有集群 {} 个，其中国家级中小企业特色产业集群 {} 个、省级集群 {} 个、省级培育库 {} 个。",
            v(0),
            v(1),
            v(2),
            v(3)
        ),
        format!(
            "第五条提出“十四五”期间在全国范围内认定 {} 个左右集群。{scope}“十四五”期间认定国家级集群 {} 个，占目标的 {}%；现有有效国家级集群 {} 个。",
            v(4),
            v(5),
            v(6),
            v(7)
        ),
        format!(
            "纳入指标统计的有效认定 {} 个，其中 {} 个取自年度培育情况报告，其余取自认定时的申报材料。",
            v(8),
            v(9)
        ),
        format!(
            "需关注的问题：逾期未报送的年度报告 {} 份，待办撤销案件 {} 件，6 个月内到期的认定 {} 个。",
            v(10),
            v(11),
            v(12)
        ),
    ]
}

/// Families tried for `sans-serif`, in order: CJK fonts of the Debian packages
/// `fonts-noto-cjk`, `fonts-wqy-microhei`, `fonts-wqy-zenhei`, `fonts-arphic-uming`, then
/// Latin-only fallbacks (digits and Latin text still render).
const SANS_SERIF: [&str; 8] = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "AR PL UMing CN",
    "DejaVu Sans",
    "Liberation Sans",
    "FreeSans",
];

/// The machine's fonts, loaded once.
fn fonts() -> Arc<resvg::usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_system_fonts();
            // The charts ask for `sans-serif`, which fontdb maps to "Arial" by default:
            // use the first installed family of this list instead, CJK first.
            let installed: std::collections::BTreeSet<String> = db
                .faces()
                .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
                .collect();
            if let Some(family) = SANS_SERIF.iter().find(|f| installed.contains(**f)) {
                db.set_sans_serif_family(*family);
            }
            Arc::new(db)
        })
        .clone()
}

/// One `<svg>` as a PNG at twice its size (sharp in print), on white; with its pixel size.
pub fn svg_to_png(svg: &str) -> WebResult<(Vec<u8>, u32, u32)> {
    let fail = |e: String| WebError::Internal(format!("图表转换为图片失败：{e}"));
    let opt = resvg::usvg::Options {
        fontdb: fonts(),
        ..Default::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| fail(e.to_string()))?;
    let size = tree.size();
    let scale = 2.0f32;
    let px = |v: f32| -> u32 {
        let v = (v * scale).ceil();
        if v.is_finite() && (1.0..=8192.0).contains(&v) {
            v as u32
        } else {
            1
        }
    };
    let (w, h) = (px(size.width()), px(size.height()));
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(w, h).ok_or_else(|| fail(format!("尺寸 {w}×{h} 无效")))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap.encode_png().map_err(|e| fail(e.to_string()))?;
    Ok((png, w, h))
}

/// The `<svg>` elements of a chart (some charts have one per group).
fn svgs(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("<svg") {
        let Some(end) = rest[start..].find("</svg>") else {
            break;
        };
        let stop = start + end + "</svg>".len();
        out.push(&rest[start..stop]);
        rest = &rest[stop..];
    }
    out
}

/// The pictures of every chart, by chart key.
fn pictures(charts: &[Chart]) -> WebResult<BTreeMap<String, Vec<Picture>>> {
    let mut out: BTreeMap<String, Vec<Picture>> = BTreeMap::new();
    let mut n = 0usize;
    for c in charts {
        for svg in svgs(&c.svg) {
            let (png, w, h) = svg_to_png(svg)?;
            n += 1;
            let cy = PICTURE_CX * u64::from(h) / u64::from(w.max(1));
            out.entry(c.key.clone()).or_default().push(Picture {
                rid: format!("rIdImg{n}"),
                part: format!("word/media/image{n}.png"),
                cx: PICTURE_CX,
                cy,
                png,
            });
        }
    }
    Ok(out)
}

/// The .docx of the report.
pub fn docx(a: &Assessment) -> WebResult<Vec<u8>> {
    let pics = pictures(&a.charts)?;
    let doc = document_xml(a, &pics);
    let all: Vec<&Picture> = pics.values().flatten().collect();
    Ok(package(&doc, &all))
}

/// A sheet name Excel accepts, unique in the workbook: at most 31 characters, none of
/// `[]:*?/\`.
fn sheet_name(title: &str, used: &mut Vec<String>) -> String {
    let base: String = title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(28)
        .collect();
    let mut name = base.clone();
    let mut i = 2;
    while used.contains(&name) {
        name = format!("{base}{i}");
        i += 1;
    }
    used.push(name.clone());
    name
}

/// The appendix (附件：评估报告数据表): a sheet with the summary's numbers, then one sheet
/// per chart of the report with its table, numbers as numbers.
pub fn appendix(a: &Assessment) -> WebResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| WebError::Internal(format!("生成 xlsx 失败：{e}"));
    let too_many = || WebError::Internal("数据表过大".into());
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let mut used = Vec::new();
    {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name("总体情况", &mut used))
            .map_err(fail)?;
        ws.write_string_with_format(
            0,
            0,
            format!("{}年度中小企业特色产业集群发展评估报告 · 附件", a.year),
            &bold,
        )
        .map_err(fail)?;
        ws.write_string(
            1,
            0,
            format!("范围：{}；编制日期：{}", a.scope_name, a.today),
        )
        .map_err(fail)?;
        ws.write_string_with_format(3, 0, "项目", &bold)
            .map_err(fail)?;
        ws.write_string_with_format(3, 1, "数值", &bold)
            .map_err(fail)?;
        ws.set_column_width(0, 36).map_err(fail)?;
        for (i, (label, v)) in a.figures.iter().enumerate() {
            let r = 4 + u32::try_from(i).map_err(|_| too_many())?;
            ws.write_string(r, 0, label).map_err(fail)?;
            ws.write_number(r, 1, *v).map_err(fail)?;
        }
    }
    for c in &a.charts {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&c.title, &mut used)).map_err(fail)?;
        ws.write_string_with_format(0, 0, &c.title, &bold)
            .map_err(fail)?;
        for (j, name) in c.columns.iter().enumerate() {
            let col = u16::try_from(j).map_err(|_| too_many())?;
            ws.write_string_with_format(2, col, name, &bold)
                .map_err(fail)?;
            ws.set_column_width(col, 16).map_err(fail)?;
        }
        let mut last = 2u32;
        for (i, row) in c.rows.iter().enumerate() {
            let r = 3 + u32::try_from(i).map_err(|_| too_many())?;
            for (j, cell) in row.iter().enumerate() {
                let col = u16::try_from(j).map_err(|_| too_many())?;
                match cell {
                    Cell::Num(v) => ws.write_number(r, col, *v).map_err(fail)?,
                    Cell::Text(s) | Cell::Link(s, _) => ws.write_string(r, col, s).map_err(fail)?,
                };
            }
            last = r;
        }
        if !c.note.is_empty() {
            ws.write_string(last + 2, 0, format!("说明：{}", c.note))
                .map_err(fail)?;
        }
    }
    wb.save_to_buffer().map_err(fail)
}

/// XML text escaping.
fn esc(s: &str) -> String {
    crate::charts::esc(s)
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

/// A chart rendered as a picture in the document: its relationship id in
/// `word/_rels/document.xml.rels`, its part under `word/media/`, and its size in EMU.
#[derive(Debug, Clone)]
pub struct Picture {
    pub rid: String,
    pub part: String,
    pub cx: u64,
    pub cy: u64,
    pub png: Vec<u8>,
}

/// The width of a chart picture: 16 cm (the A4 text width with 2.54 cm margins is 15.9 cm
/// of 21 cm … rounded down to 15.5 cm), in EMU (360000 per cm).
const PICTURE_CX: u64 = 5_580_000;

fn drawing(p: &Picture, id: usize, title: &str) -> String {
    format!(
        "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\">\
<wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{id}\" name=\"图{id}\" descr=\"{t}\"/>\
<a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\">\
<a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
<pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
<pic:nvPicPr><pic:cNvPr id=\"{id}\" name=\"{part}\"/><pic:cNvPicPr/></pic:nvPicPr>\
<pic:blipFill><a:blip r:embed=\"{rid}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
<pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr>\
</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>",
        cx = p.cx,
        cy = p.cy,
        rid = p.rid,
        part = esc(&p.part),
        t = esc(title),
    )
}

fn document_xml(a: &Assessment, pictures: &BTreeMap<String, Vec<Picture>>) -> String {
    let mut body = String::new();
    body.push_str(&heading(
        1,
        &format!("{}年度中小企业特色产业集群发展评估报告", a.year),
    ));
    body.push_str(&para(&format!("范围：{}", a.scope_name)));
    body.push_str(&para(&format!("编制日期：{}", a.today)));
    body.push_str(&para(
        "依据：《促进中小企业特色产业集群发展暂行办法》（工信部企业〔2022〕119号）第五条、第十六条。",
    ));
    body.push_str(&para(&format!(
        "附件：评估报告数据表（.xlsx），列出本报告中的每一个数字。趋势数据截至 {} 年。",
        a.year
    )));
    body.push_str(&heading(2, "总体情况"));
    for s in &a.summary {
        body.push_str(&para(s));
    }
    let mut drawing_id = 0usize;
    for (title, keys) in SECTIONS {
        let mine: Vec<&Chart> = a
            .charts
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
            for p in pictures.get(&c.key).into_iter().flatten() {
                drawing_id += 1;
                body.push_str(&drawing(p, drawing_id, &c.title));
            }
            if !c.note.is_empty() {
                body.push_str(&para(&c.note));
            }
            if c.rows.is_empty() {
                body.push_str(&para("暂无数据。"));
            } else {
                body.push_str(&table(&c.columns, &c.rows));
                body.push_str(&para(""));
            }
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" \
xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\"><w:body>{body}\
<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/><w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/></w:sectPr>\
</w:body></w:document>"
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Default Extension=\"png\" ContentType=\"image/png\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
</Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

fn document_rels(pictures: &[&Picture]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
    );
    for p in pictures {
        out.push_str(&format!(
            "<Relationship Id=\"{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"{}\"/>",
            p.rid,
            esc(p.part.strip_prefix("word/").unwrap_or(&p.part))
        ));
    }
    out.push_str("</Relationships>");
    out
}

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

/// The .docx package: the document, its styles and the chart pictures.
fn package(document: &str, pictures: &[&Picture]) -> Vec<u8> {
    let rels = document_rels(pictures);
    let mut files: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("word/_rels/document.xml.rels", rels.as_bytes()),
        ("word/styles.xml", STYLES.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ];
    for p in pictures {
        files.push((p.part.as_str(), p.png.as_slice()));
    }
    zip_stored(&files)
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
                rows: vec![vec![Cell::Num(2023.0), Cell::Num(484000.0)]],
            },
        ];
        let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let a = Assessment {
            year: 2024,
            scope_name: "全国".into(),
            today,
            figures: vec![("集群总数".into(), 3.0)],
            summary: vec!["共有集群 3 个 <A&B>".into()],
            charts,
        };
        let bytes = docx(&a).unwrap();
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
        // Rows are the charts' own ([`assess`] cuts the trends at the assessment year).
        assert!(text.contains("484000"));
        let ct = String::from_utf8(parts[0].1.clone()).unwrap();
        assert!(ct.contains("wordprocessingml.document.main+xml"));
    }
}

#[cfg(test)]
mod picture_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn svg_becomes_a_png_twice_its_size() {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 100 50\" width=\"100\" height=\"50\"><rect x=\"0\" y=\"0\" width=\"50\" height=\"50\" fill=\"#1f77b4\"/><text x=\"60\" y=\"30\" font-family=\"sans-serif\">12</text></svg>";
        let (png, w, h) = svg_to_png(svg).unwrap();
        assert_eq!((w, h), (200, 100));
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        assert!(svg_to_png("<svg").is_err());
    }

    #[test]
    fn svgs_splits_a_chart_with_several_pictures() {
        let s = "<div><svg a>1</svg><p>x</p><svg b>2</svg></div>";
        assert_eq!(svgs(s), vec!["<svg a>1</svg>", "<svg b>2</svg>"]);
        assert!(svgs("").is_empty());
    }
}
