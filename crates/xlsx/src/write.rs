//! Declaration (or nothing) → workbook: the template and the filled export.

use crate::cells::{date_to_serial, fits_excel, to_f64};
use crate::schema::{
    self, ATTESTATION_KEYS, ATTESTATIONS, BATCH_YEAR, CLUSTER_FIELDS, Choices, EXAMPLE_MARK,
    FIGURES, Field, INCIDENT_KINDS, INCIDENT_LEVELS, INCIDENTS, Kind, ROSTER, SHARING_ITEMS, SIZES,
    TARGETS, TITLE_ROWS, TITLES, TOTALS, Table, YES_NO, header_text,
};
use crate::{ExportError, MAX_BYTES, MAX_ROWS, TemplateKind};
use jiqun_domain::declaration::{Declaration, Figures, IncidentKind, IncidentLevel, TitleKind};
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet,
};

/// One cell to write.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Out {
    Blank,
    Text(String),
    Num(Decimal),
    Int(i64),
    /// A date, written as an Excel date.
    Date(chrono::NaiveDate),
}

impl Out {
    fn text(s: impl Into<String>) -> Out {
        Out::Text(s.into())
    }
    fn opt_num(d: Option<Decimal>) -> Out {
        d.map_or(Out::Blank, Out::Num)
    }
    fn yes_no(b: bool) -> Out {
        Out::text(if b { "是" } else { "否" })
    }
    fn opt_yes_no(b: Option<bool>) -> Out {
        b.map_or(Out::Blank, Out::yes_no)
    }
}

/// Formats shared by every sheet.
pub(crate) struct Styles {
    title: Format,
    header: Format,
    header_required: Format,
    label: Format,
    label_required: Format,
    text: Format,
    general: Format,
    example: Format,
    example_text: Format,
    note: Format,
    wrap: Format,
    date: Format,
}

pub(crate) fn styles() -> Styles {
    let grey = Color::RGB(0x80_80_80);
    let header_fill = Color::RGB(0xDD_EB_F7);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(header_fill)
        .set_border(FormatBorder::Thin);
    Styles {
        title: Format::new()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Left)
            .set_align(FormatAlign::VerticalCenter),
        header_required: header.clone().set_font_color(Color::RGB(0xC0_00_00)),
        header,
        label: Format::new()
            .set_bold()
            .set_background_color(header_fill)
            .set_border(FormatBorder::Thin),
        label_required: Format::new()
            .set_bold()
            .set_font_color(Color::RGB(0xC0_00_00))
            .set_background_color(header_fill)
            .set_border(FormatBorder::Thin),
        text: Format::new().set_num_format("@"),
        general: Format::new(),
        example: Format::new().set_font_color(grey).set_italic(),
        example_text: Format::new()
            .set_font_color(grey)
            .set_italic()
            .set_num_format("@"),
        note: Format::new().set_font_color(grey).set_text_wrap(),
        wrap: Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_num_format("@"),
        date: Format::new().set_num_format("yyyy-mm-dd"),
    }
}

fn is_text_kind(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Text | Kind::Code | Kind::Uscc | Kind::CodeList | Kind::YearList | Kind::Choice(_)
    )
}

fn write_out(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    out: &Out,
    fmt: &Format,
    date_fmt: &Format,
) -> Result<(), ExportError> {
    match out {
        Out::Blank => {}
        Out::Text(s) => {
            ws.write_string_with_format(row, col, s, fmt)?;
        }
        Out::Num(d) => match to_f64(*d).filter(|_| fits_excel(*d)) {
            Some(f) => {
                ws.write_number_with_format(row, col, f, fmt)?;
            }
            // More digits than an Excel number holds: kept exact as text.
            None => {
                ws.write_string_with_format(row, col, d.normalize().to_string(), fmt)?;
            }
        },
        Out::Int(i) => {
            ws.write_number_with_format(row, col, *i as f64, fmt)?;
        }
        Out::Date(d) => {
            ws.write_number_with_format(row, col, date_to_serial(*d), date_fmt)?;
        }
    }
    Ok(())
}

/// A dropdown for a column or cell of this kind, if it has one.
fn dropdown(kind: Kind) -> Result<Option<DataValidation>, ExportError> {
    let choices: &Choices = match kind {
        Kind::YesNo => &YES_NO,
        Kind::Choice(c) => c,
        _ => return Ok(None),
    };
    let labels = choices.labels();
    let mut dv = DataValidation::new()
        .allow_list_strings(&labels)?
        .set_error_title(format!("{}：请从下拉列表中选择", choices.name))?
        .set_error_message(format!("可选：{}", labels.join("、")))?;
    if choices.open {
        // Free-form fields: the list is a suggestion, other values are kept.
        dv = dv.set_error_style(DataValidationErrorStyle::Warning);
    }
    Ok(Some(dv))
}

/// The 填表说明 sheet.
pub(crate) fn write_instructions(
    wb: &mut Workbook,
    st: &Styles,
    kind: TemplateKind,
) -> Result<(), ExportError> {
    let ws = wb.add_worksheet();
    ws.set_name(schema::SHEET_INSTRUCTIONS)?;
    ws.set_column_width(0, 110)?;
    let (title, sheets): (&str, &[&str]) = match kind {
        TemplateKind::Declaration => (
            "中小企业特色产业集群认定申报数据表 —— 填表说明",
            &[
                "「集群信息」：集群基本情况，逐项填写 B 列（每项一行）。",
                "「企业名录」：集群内每家企业一行；统一社会信用代码为18位，请按文本填写。",
                "「年度数据」：每家企业每个年度一行，按统一社会信用代码与企业名录对应；须含认定年度之前三个完整年度。",
                "「企业称号」：企业获得的称号，每个称号一行（制造业单项冠军、专精特新“小巨人”等）。",
                "「规划目标」：三年发展规划的可考核目标，第六条六个方面（主导产业、创新、数字化、绿色低碳、开放合作、治理和服务）每方面至少一个。",
                "「风险事件」：认定年度前三年起发生的安全、质量、环境、网络与数据安全事件及违法、偷税、失信情况；没有则不填。",
                "「集群汇总」：集群层面的年度合计（可选），仅用于企业名录无法计算的指标。",
                "「定性说明」：共享机制、创新平台、标准、数字化服务、国际合作等定性材料，每条一行，供评审专家判断。",
            ],
        ),
        TemplateKind::Annual => (
            "中小企业特色产业集群年度培育情况报告 —— 填表说明（第十六条：每年4月30日前报送上一年度情况）",
            &[
                "「集群信息」：集群基本情况，逐项填写 B 列；「报告年度」填所报告的年度（如 2025），数据年度须含报告年度及其前两年。",
                "「企业名录」「年度数据」「企业称号」「风险事件」「集群汇总」「定性说明」：与申报数据表相同。",
                "「目标进展」：三年发展规划的每个目标一行，填写本年实际值和完成情况（已完成/部分完成/未完成）。",
                "「工作情况」：本年度工作开展情况、存在问题、改进措施。",
            ],
        ),
    };
    let general: &[String] = &[
        "一、填写要求".into(),
        "1. 红色带 * 的列或项目为必填；带下拉箭头的单元格请从下拉列表中选择。".into(),
        "2. 金额单位为万元，人数单位为人，排放单位为吨，能耗单位为吨标准煤，用水单位为立方米；表头括号内注明了单位。".into(),
        format!(
            "3. 灰色斜体、第一列为「{EXAMPLE_MARK}」的行是示例，导入时会被忽略，可保留也可删除。"
        ),
        "4. 数字可带千分位逗号（如 1,234.5），全角数字和空格也可识别；请勿在数字后加单位或文字。".into(),
        "5. 日期可填 2021-05-01、2021/5/1 或 2021年5月1日；年度填四位数字。".into(),
        "6. 统一社会信用代码、行业代码、行政区划代码请按文本填写（模板中这些列已设为文本格式），否则 Excel 可能丢失末几位或前导零。".into(),
        "7. 公式单元格须有计算结果：如用公式，请在 Excel/WPS 中打开并保存后再上传。Excel 数字最多保留15位有效数字。".into(),
        "8. 请勿修改工作表名称和表头；可以在表头上方加标题行，可以调整列的顺序。".into(),
        format!(
            "9. 文件须为 .xlsx 格式（不支持 .xls、.et、.csv），大小不超过 {} MB，每个工作表不超过 {} 行数据。",
            MAX_BYTES / (1024 * 1024),
            MAX_ROWS
        ),
        "10. 导入时会一次列出所有问题，每条注明工作表、行号、列号和填写值，请逐条修改后重新导入。".into(),
        "".into(),
        "二、各工作表".into(),
    ];
    ws.write_string_with_format(0, 0, title, &st.title)?;
    ws.set_row_height(0, 24)?;
    let mut row = 2u32;
    for line in general {
        ws.write_string_with_format(row, 0, line, &st.wrap)?;
        row += 1;
    }
    for line in sheets {
        ws.write_string_with_format(row, 0, *line, &st.wrap)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "三、依据", &st.wrap)?;
    ws.write_string_with_format(
        row + 1,
        0,
        "《促进中小企业特色产业集群发展暂行办法》（工信部企业〔2022〕119号）及其附件《中小企业特色产业集群认定标准（2022年版）》。",
        &st.wrap,
    )?;
    Ok(())
}

/// A key–value sheet: label in A, value in B, note in C.
pub(crate) fn write_fields(
    wb: &mut Workbook,
    st: &Styles,
    name: &str,
    title: &str,
    fields: &[Field],
    values: Option<&[Out]>,
    value_width: f64,
) -> Result<(), ExportError> {
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    ws.set_column_width(0, 30)?;
    ws.set_column_width(1, value_width)?;
    ws.set_column_width(2, 50)?;
    ws.merge_range(0, 0, 0, 2, title, &st.title)?;
    ws.set_row_height(0, 24)?;
    ws.write_string_with_format(1, 0, "项目", &st.header)?;
    ws.write_string_with_format(1, 1, "填写内容", &st.header)?;
    ws.write_string_with_format(1, 2, "说明", &st.header)?;
    ws.set_freeze_panes(2, 0)?;
    for (i, f) in fields.iter().enumerate() {
        let row = 2 + i as u32;
        let label_fmt = if f.required {
            &st.label_required
        } else {
            &st.label
        };
        ws.write_string_with_format(row, 0, header_text(f.label, f.unit, f.required), label_fmt)?;
        ws.write_string_with_format(row, 2, f.note, &st.note)?;
        let fmt = if f.kind == Kind::Text && value_width > 60.0 {
            &st.wrap
        } else if is_text_kind(f.kind) {
            &st.text
        } else {
            &st.general
        };
        let out = values.and_then(|v| v.get(i)).unwrap_or(&Out::Blank);
        if *out == Out::Blank {
            ws.write_blank(row, 1, fmt)?;
        } else {
            write_out(ws, row, 1, out, fmt, &st.date)?;
        }
        if let Some(dv) = dropdown(f.kind)? {
            ws.add_data_validation(row, 1, row, 1, &dv)?;
        }
    }
    Ok(())
}

/// A table sheet: title row (merged), header row (frozen), examples (template only), rows.
pub(crate) fn write_table(
    wb: &mut Workbook,
    st: &Styles,
    table: &Table,
    rows: &[Vec<Out>],
    examples: bool,
) -> Result<(), ExportError> {
    let ws = wb.add_worksheet();
    ws.set_name(table.name)?;
    let last = (table.columns.len() - 1) as u16;
    ws.merge_range(0, 0, 0, last, table.title, &st.title)?;
    ws.set_row_height(0, 24)?;
    ws.set_row_height(1, 36)?;
    let first_data = 2u32;
    let last_data = first_data + MAX_ROWS - 1;
    for (c, column) in table.columns.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, column.width)?;
        let fmt = if column.required {
            &st.header_required
        } else {
            &st.header
        };
        ws.write_string_with_format(
            1,
            c,
            header_text(column.label, column.unit, column.required),
            fmt,
        )?;
        if is_text_kind(column.kind) {
            ws.set_column_format(c, &st.text)?;
        }
        if let Some(dv) = dropdown(column.kind)? {
            ws.add_data_validation(first_data, c, last_data, c, &dv)?;
        }
    }
    ws.set_freeze_panes(2, 0)?;
    let mut row = first_data;
    if examples {
        for e in 0..2 {
            for (c, column) in table.columns.iter().enumerate() {
                let text = column.examples[e];
                if text.is_empty() {
                    continue;
                }
                let fmt = if is_text_kind(column.kind) {
                    &st.example_text
                } else {
                    &st.example
                };
                // Examples are written as a user would type them: numbers as numbers.
                match text.parse::<f64>() {
                    Ok(f) if !is_text_kind(column.kind) && column.kind != Kind::Date => {
                        ws.write_number_with_format(row, c as u16, f, fmt)?;
                    }
                    _ => {
                        ws.write_string_with_format(row, c as u16, text, fmt)?;
                    }
                }
            }
            row += 1;
        }
    }
    for (i, values) in rows.iter().enumerate() {
        ws.write_number(row, 0, (i + 1) as f64)?;
        for (c, (column, out)) in table.columns.iter().zip(values).enumerate().skip(1) {
            let fmt = if is_text_kind(column.kind) {
                &st.text
            } else {
                &st.general
            };
            write_out(ws, row, c as u16, out, fmt, &st.date)?;
        }
        row += 1;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// A declaration as cells.

pub(crate) fn cluster_values(d: &Declaration, year: Out) -> Vec<Out> {
    let c = &d.cluster;
    let join = |v: Vec<String>| Out::Text(v.join("、"));
    let mut out = vec![year];
    for f in &CLUSTER_FIELDS {
        out.push(match f.key {
            "edition" => Out::text(&d.edition),
            "first_batch" => Out::yes_no(d.first_batch),
            "cluster.name" => Out::text(&c.name),
            "cluster.county_code" => Out::text(&c.county_code),
            "cluster.leading_industry" => Out::text(&c.leading_industry),
            "cluster.industry_codes" => join(c.industry_codes.clone()),
            "cluster.area_km2" => Out::opt_num(c.area_km2),
            "cluster.provincial_cluster" => Out::yes_no(c.provincial_cluster),
            "cluster.operator.name" => c
                .operator
                .as_ref()
                .map_or(Out::Blank, |o| Out::text(&o.name)),
            "cluster.operator.type" => c.operator.as_ref().map_or(Out::Blank, |o| {
                Out::text(schema::OPERATOR_TYPES.label_of(&o.kind))
            }),
            "cluster.high_energy_industry" => Out::yes_no(c.high_energy_industry),
            "cluster.high_water_industry" => Out::yes_no(c.high_water_industry),
            "years" => join(d.years.iter().map(i32::to_string).collect()),
            "benchmarks.energy_intensity" => Out::opt_num(d.benchmarks.energy_intensity),
            "benchmarks.water_intensity" => Out::opt_num(d.benchmarks.water_intensity),
            _ => Out::Blank,
        });
    }
    out
}

fn figure_values(f: &Figures) -> [Out; 10] {
    let wan = |w: Option<jiqun_domain::money::Wan>| Out::opt_num(w.map(|w| w.amount()));
    let count = |n: Option<u64>| n.map_or(Out::Blank, |n| Out::Num(Decimal::from(n)));
    [
        wan(f.output_value),
        wan(f.revenue),
        count(f.employees),
        wan(f.total_assets),
        wan(f.rd_expenditure),
        count(f.valid_invention_patents),
        Out::opt_num(f.co2_t),
        Out::opt_num(f.energy_tce),
        Out::opt_num(f.water_m3),
        wan(f.export_value),
    ]
}

fn size_code(s: jiqun_domain::declaration::Size) -> &'static str {
    use jiqun_domain::declaration::Size;
    match s {
        Size::Large => "large",
        Size::Medium => "medium",
        Size::Small => "small",
        Size::Micro => "micro",
    }
}

fn title_code(t: TitleKind) -> &'static str {
    match t {
        TitleKind::SingleChampion => "single_champion",
        TitleKind::LittleGiant => "little_giant",
        TitleKind::SrdiSme => "srdi_sme",
        TitleKind::InnovativeSme => "innovative_sme",
        TitleKind::HighTech => "high_tech",
    }
}

fn incident_kind_code(k: IncidentKind) -> &'static str {
    match k {
        IncidentKind::Safety => "safety",
        IncidentKind::Quality => "quality",
        IncidentKind::Environment => "environment",
        IncidentKind::Cyber => "cyber",
        IncidentKind::Data => "data",
        IncidentKind::Tax => "tax",
        IncidentKind::Illegal => "illegal",
        IncidentKind::Dishonesty => "dishonesty",
    }
}

fn level_code(l: IncidentLevel) -> &'static str {
    match l {
        IncidentLevel::General => "general",
        IncidentLevel::Larger => "larger",
        IncidentLevel::Major => "major",
        IncidentLevel::EspeciallyMajor => "especially_major",
    }
}

pub(crate) fn area_code(a: jiqun_domain::declaration::PlanArea) -> &'static str {
    use jiqun_domain::declaration::PlanArea;
    match a {
        PlanArea::Industry => "industry",
        PlanArea::Innovation => "innovation",
        PlanArea::Digital => "digital",
        PlanArea::Green => "green",
        PlanArea::Openness => "openness",
        PlanArea::Governance => "governance",
    }
}

fn roster_rows(d: &Declaration) -> Vec<Vec<Out>> {
    d.enterprises
        .iter()
        .map(|e| {
            vec![
                Out::Blank,
                Out::text(&e.uscc),
                Out::text(&e.name),
                Out::text(&e.industry_code),
                Out::yes_no(e.in_leading_industry),
                e.declared_size
                    .map_or(Out::Blank, |s| Out::text(SIZES.label_of(size_code(s)))),
                Out::opt_yes_no(e.uses_iip),
                Out::opt_yes_no(e.policy_reached),
            ]
        })
        .collect()
}

fn figures_rows(d: &Declaration) -> Vec<Vec<Out>> {
    let mut rows = Vec::new();
    for e in &d.enterprises {
        for (year, f) in &e.figures {
            let mut row = vec![
                Out::Blank,
                Out::text(&e.uscc),
                Out::text(&e.name),
                Out::Int(i64::from(*year)),
            ];
            row.extend(figure_values(f));
            rows.push(row);
        }
    }
    rows
}

fn totals_rows(d: &Declaration) -> Vec<Vec<Out>> {
    d.totals
        .iter()
        .map(|(year, f)| {
            let mut row = vec![Out::Blank, Out::Int(i64::from(*year))];
            row.extend(figure_values(f));
            row
        })
        .collect()
}

fn title_rows(d: &Declaration) -> Vec<Vec<Out>> {
    let mut rows = Vec::new();
    for e in &d.enterprises {
        for t in &e.titles {
            rows.push(vec![
                Out::Blank,
                Out::text(&e.uscc),
                Out::text(&e.name),
                Out::text(TITLES.label_of(title_code(t.kind))),
                Out::Int(i64::from(t.year)),
            ]);
        }
    }
    rows
}

pub(crate) fn target_values(t: &jiqun_domain::declaration::PlanTarget) -> Vec<Out> {
    vec![
        Out::Blank,
        Out::text(schema::AREAS.label_of(area_code(t.area))),
        Out::text(&t.metric),
        Out::Num(t.baseline),
        Out::Num(t.target),
        Out::Int(i64::from(t.year)),
    ]
}

fn incident_rows(d: &Declaration) -> Vec<Vec<Out>> {
    d.incidents
        .iter()
        .map(|i| {
            vec![
                Out::Blank,
                Out::Date(i.date),
                Out::text(INCIDENT_KINDS.label_of(incident_kind_code(i.kind))),
                Out::text(INCIDENT_LEVELS.label_of(level_code(i.level))),
                i.enterprise.as_ref().map_or(Out::Blank, Out::text),
                i.description.as_ref().map_or(Out::Blank, Out::text),
            ]
        })
        .collect()
}

fn attestation_rows(d: &Declaration) -> Vec<Vec<Out>> {
    let a = &d.attestations;
    let mut rows = Vec::new();
    let key_label = ATTESTATION_KEYS.label_of("supply_chain_sharing");
    for item in &a.supply_chain_sharing {
        rows.push(vec![
            Out::Blank,
            Out::text(key_label),
            Out::text(SHARING_ITEMS.label_of(item)),
        ]);
    }
    for (key, items) in &a.other {
        for item in items {
            rows.push(vec![
                Out::Blank,
                Out::text(ATTESTATION_KEYS.label_of(key)),
                Out::text(item),
            ]);
        }
    }
    rows
}

/// The sheets a declaration and an annual report share (all but the plan sheet and the
/// annual report's own), after 集群信息.
pub(crate) fn write_shared_tables(
    wb: &mut Workbook,
    st: &Styles,
    d: Option<&Declaration>,
) -> Result<(), ExportError> {
    let examples = d.is_none();
    let rows = |f: fn(&Declaration) -> Vec<Vec<Out>>| d.map(f).unwrap_or_default();
    write_table(wb, st, &ROSTER, &rows(roster_rows), examples)?;
    write_table(wb, st, &FIGURES, &rows(figures_rows), examples)?;
    write_table(wb, st, &TITLE_ROWS, &rows(title_rows), examples)?;
    Ok(())
}

pub(crate) fn write_tail_tables(
    wb: &mut Workbook,
    st: &Styles,
    d: Option<&Declaration>,
) -> Result<(), ExportError> {
    let examples = d.is_none();
    let rows = |f: fn(&Declaration) -> Vec<Vec<Out>>| d.map(f).unwrap_or_default();
    write_table(wb, st, &INCIDENTS, &rows(incident_rows), examples)?;
    write_table(wb, st, &TOTALS, &rows(totals_rows), examples)?;
    write_table(wb, st, &ATTESTATIONS, &rows(attestation_rows), examples)?;
    Ok(())
}

fn declaration_workbook(d: Option<&Declaration>) -> Result<Vec<u8>, ExportError> {
    let st = styles();
    let mut wb = Workbook::new();
    write_instructions(&mut wb, &st, TemplateKind::Declaration)?;
    let mut fields = vec![BATCH_YEAR];
    fields.extend_from_slice(&CLUSTER_FIELDS);
    let values = d.map(|d| cluster_values(d, Out::Int(i64::from(d.batch_year))));
    write_fields(
        &mut wb,
        &st,
        schema::SHEET_CLUSTER,
        "集群基本信息",
        &fields,
        values.as_deref(),
        40.0,
    )?;
    write_shared_tables(&mut wb, &st, d)?;
    let targets: Vec<Vec<Out>> = d
        .map(|d| d.plan.targets.iter().map(target_values).collect())
        .unwrap_or_default();
    write_table(&mut wb, &st, &TARGETS, &targets, d.is_none())?;
    write_tail_tables(&mut wb, &st, d)?;
    Ok(wb.save_to_buffer()?)
}

/// An empty workbook to fill in: the declaration (申报数据表) or the annual report
/// (年度培育情况报告).
pub fn export_template(kind: TemplateKind) -> Result<Vec<u8>, ExportError> {
    match kind {
        TemplateKind::Declaration => declaration_workbook(None),
        TemplateKind::Annual => crate::annual::export_annual_template(),
    }
}

/// A filled declaration workbook; [`crate::import_declaration`] reads it back to the same
/// declaration.
pub fn export_declaration(declaration: &Declaration) -> Result<Vec<u8>, ExportError> {
    declaration_workbook(Some(declaration))
}
