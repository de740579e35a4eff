//! Excel templates, export and import as officials use them: round trips of real and
//! generated declarations, and a corpus of broken workbooks, each answered with the right
//! message at the right cell.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiqun_domain::criteria::{parse_declaration, parse_declaration_value};
use jiqun_domain::declaration::Declaration;
use jiqun_domain::generate::{GenerateParams, generate_labelled, to_json};
use jiqun_xlsx::{
    CellError, MAX_BYTES, MAX_ROWS, TemplateKind, export_annual, export_annual_template,
    export_declaration, export_template, import_annual, import_declaration,
};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Formula, Workbook};
use std::io::{Read, Write};
use std::str::FromStr;

fn example() -> Declaration {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/declaration-eligible.json"
    );
    parse_declaration(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn errors_of(bytes: &[u8]) -> Vec<CellError> {
    match import_declaration(bytes) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e,
    }
}

fn shown(errors: &[CellError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

// ---------------------------------------------------------------------------------------
// Round trips.

#[test]
fn example_declaration_round_trips() {
    let decl = example();
    let bytes = export_declaration(&decl).unwrap();
    let back = import_declaration(&bytes).unwrap_or_else(|e| panic!("{}", shown(&e)));
    assert_eq!(back, decl);
    // The same JSON too (what `jiqun import` prints).
    assert_eq!(to_json(&back).unwrap(), to_json(&decl).unwrap());
}

#[test]
fn generated_declarations_round_trip() {
    let params = GenerateParams {
        clusters: 12,
        enterprises: 40,
        years: 5,
        seed: 7,
        batch_year: 2024,
    };
    let mut failures = 0;
    for g in generate_labelled(&params) {
        failures += usize::from(g.failure.is_some());
        let bytes = export_declaration(&g.declaration).unwrap();
        let back = import_declaration(&bytes).unwrap_or_else(|e| panic!("{}", shown(&e)));
        assert_eq!(back, g.declaration, "{:?}", g.failure);
    }
    // The corpus includes clusters built to fail (a wrong USCC check character among them),
    // which still import: the criteria engine reports them, not the importer.
    assert!(failures > 0);
}

#[test]
fn a_wrong_check_character_is_not_an_import_error() {
    let mut decl = example();
    decl.enterprises[0].uscc = "91330784MA2001000X".into();
    let back = import_declaration(&export_declaration(&decl).unwrap()).unwrap();
    assert_eq!(back.enterprises[0].uscc, "91330784MA2001000X");
}

#[test]
fn declaration_template_has_examples_the_importer_ignores() {
    let bytes = export_template(TemplateKind::Declaration).unwrap();
    let errs = errors_of(&bytes);
    let text = shown(&errs);
    // Only the empty required fields of 集群信息 are missing; the grey example rows of the
    // other sheets are skipped, so nothing is reported there.
    assert!(
        errs.iter().all(|e| e.sheet.as_deref() == Some("集群信息")),
        "{text}"
    );
    for field in ["认定年度", "集群名称", "所在县级行政区划代码", "数据年度"]
    {
        assert!(
            errs.iter()
                .any(|e| e.field.as_deref() == Some(field) && e.message == "必填项未填写"),
            "{field}: {text}"
        );
    }
}

#[test]
fn template_sheets_dropdowns_and_frozen_headers() {
    let bytes = export_template(TemplateKind::Declaration).unwrap();
    let sheet_names = zip_names(&bytes);
    assert!(sheet_names.iter().any(|n| n == "xl/workbook.xml"));
    let workbook = zip_part(&bytes, "xl/workbook.xml");
    for name in [
        "填表说明",
        "集群信息",
        "企业名录",
        "年度数据",
        "企业称号",
        "规划目标",
        "风险事件",
        "集群汇总",
        "定性说明",
    ] {
        assert!(workbook.contains(&format!("name=\"{name}\"")), "{name}");
    }
    // 企业名录 is the third sheet: dropdowns for 是/否 and sizes, frozen header rows.
    let roster = zip_part(&bytes, "xl/worksheets/sheet3.xml");
    assert!(roster.contains("<dataValidation"), "no dropdowns");
    assert!(
        roster.contains("&quot;大型,中型,小型,微型&quot;")
            || roster.contains("\"大型,中型,小型,微型\"")
    );
    assert!(roster.contains("&quot;是,否&quot;") || roster.contains("\"是,否\""));
    assert!(roster.contains("state=\"frozen\""));
    let strings = zip_part(&bytes, "xl/sharedStrings.xml");
    for unit in ["（万元）", "（人）", "（吨）", "示例", "填表说明"] {
        assert!(
            strings.contains(unit) || workbook.contains(unit),
            "missing {unit}"
        );
    }
    // The annual template has its own sheets.
    let annual = export_template(TemplateKind::Annual).unwrap();
    let wb = zip_part(&annual, "xl/workbook.xml");
    assert!(wb.contains("name=\"目标进展\"") && wb.contains("name=\"工作情况\""));
    assert!(!wb.contains("name=\"规划目标\""));
    // 目标进展 is the sixth sheet, with the status dropdown.
    let progress = zip_part(&annual, "xl/worksheets/sheet6.xml");
    assert!(
        progress.contains("已完成,部分完成,未完成"),
        "no status dropdown"
    );
}

fn annual_json() -> serde_json::Value {
    let params = GenerateParams {
        clusters: 1,
        enterprises: 25,
        years: 3,
        seed: 3,
        batch_year: 2026,
    };
    let decl = generate_labelled(&params).next().unwrap().declaration;
    let decl_json = to_json(&decl).unwrap();
    serde_json::json!({
        "year": 2025,
        "declaration": decl_json,
        "progress": [
            {"target": 0, "actual": 1300, "status": "achieved", "note": "提前完成"},
            {"target": 1, "actual": 41.5, "status": "partly"},
            {"target": 2, "status": "not_achieved", "note": "项目延期"}
        ],
        "work_done": "组织政策宣讲12场，覆盖全部企业。\n建成公共服务平台。",
        "problems": "融资难",
        "measures": "设立集群发展基金"
    })
}

#[test]
fn annual_report_round_trips() {
    let report = annual_json();
    let bytes = export_annual(&report).unwrap();
    let back = import_annual(&bytes).unwrap_or_else(|e| panic!("{}", shown(&e)));
    for key in ["year", "progress", "work_done", "problems", "measures"] {
        assert_eq!(back[key], report[key], "{key}");
    }
    // The same declaration (JSON numbers may differ in form only: 843.0 and 843).
    let decl = |v: &serde_json::Value| parse_declaration_value(&v["declaration"]).unwrap();
    assert_eq!(decl(&back), decl(&report));
    assert_eq!(
        back.as_object().unwrap().len(),
        report.as_object().unwrap().len()
    );
    // Its declaration's window is year−2 … year.
    assert_eq!(back["declaration"]["batch_year"], 2026);
}

#[test]
fn annual_template_imports_to_required_field_errors_only() {
    let bytes = export_annual_template().unwrap();
    let errs = match import_annual(&bytes) {
        Ok(v) => panic!("expected errors, got {v}"),
        Err(e) => e,
    };
    let text = shown(&errs);
    assert!(
        errs.iter().all(|e| e.sheet.as_deref() == Some("集群信息")),
        "{text}"
    );
    assert!(text.contains("「报告年度」"), "{text}");
}

#[test]
fn annual_export_refuses_a_declaration_of_the_wrong_year() {
    let mut report = annual_json();
    report["year"] = serde_json::json!(2023);
    let err = export_annual(&report).unwrap_err().to_string();
    assert!(err.contains("batch_year"), "{err}");
}

// ---------------------------------------------------------------------------------------
// Hand-made workbooks, as users fill them.

#[derive(Debug, Clone)]
enum C {
    S(String),
    N(f64),
    F(&'static str, &'static str),
    E,
}

fn s(t: &str) -> C {
    C::S(t.to_string())
}

/// Sheets as rows of cells (row 1 first).
#[derive(Debug, Clone)]
struct Book(Vec<(String, Vec<Vec<C>>)>);

const USCC_A: &str = "91330784MA2001037D";
const USCC_B: &str = "91330784MA20014071";

impl Book {
    /// A small valid declaration: two enterprises, 2019–2021, a merged title row above each
    /// header, a grey example row and a few blank rows at the end.
    fn base() -> Book {
        let kv = |k: &str, v: C| vec![s(k), v];
        let cluster = vec![
            vec![s("集群基本信息")],
            vec![s("项目"), s("填写内容"), s("说明")],
            kv("*认定年度", C::N(2022.0)),
            kv("*认定标准版本", s("2022")),
            kv("是否首批", s("否")),
            kv("*集群名称", s("浙江省永康市五金工具产业集群")),
            kv("*所在县级行政区划代码（6位）", C::N(330784.0)),
            kv("*主导产业", s("五金工具")),
            kv("*主导产业行业代码", s("C3321、C3322")),
            kv("集群面积（平方公里）", C::N(86.5)),
            kv("*是否已认定为省级集群", s("是")),
            kv("运营管理机构名称", s("永康市五金产业集群发展管理委员会")),
            kv("运营管理机构类型", s("管委会")),
            kv("*数据年度", s("2019、2020、2021")),
        ];
        let roster = vec![
            vec![s("企业名录")],
            vec![
                s("序号"),
                s("*统一社会信用代码"),
                s("*企业名称"),
                s("*行业代码（GB/T 4754-2017）"),
                s("*是否属于主导产业"),
                s("企业规模（大型/中型/小型/微型）"),
            ],
            vec![
                s("示例"),
                s("123"),
                s("示例企业"),
                s("C1"),
                s("也许"),
                s("巨型"),
            ],
            vec![
                C::N(1.0),
                s(USCC_A),
                s("永康市锐达切削工具有限公司"),
                s("C3321"),
                s("是"),
                s("中型"),
            ],
            vec![
                C::N(2.0),
                s(USCC_B),
                s("永康市小鹰工具厂"),
                s("C3322"),
                s("是"),
                s("微型"),
            ],
            vec![C::N(3.0)],
            vec![C::E, s("  "), s("　")],
        ];
        let mut figures = vec![
            vec![s("年度数据（万元）")],
            vec![
                s("序号"),
                s("*统一社会信用代码"),
                s("企业名称"),
                s("*年度"),
                s("工业总产值（万元）"),
                s("从业人员（人）"),
                s("二氧化碳排放量（吨）"),
            ],
        ];
        for (u, base) in [(USCC_A, 50000.0), (USCC_B, 800.0)] {
            for (k, y) in [2019.0, 2020.0, 2021.0].into_iter().enumerate() {
                figures.push(vec![
                    C::E,
                    s(u),
                    C::E,
                    C::N(y),
                    C::N(base + 100.0 * k as f64),
                    C::N(10.0 + k as f64),
                    C::N(7.5),
                ]);
            }
        }
        Book(vec![
            ("集群信息".into(), cluster),
            ("企业名录".into(), roster),
            ("年度数据".into(), figures),
        ])
    }

    fn sheet(&mut self, name: &str) -> &mut Vec<Vec<C>> {
        &mut self
            .0
            .iter_mut()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no sheet {name}"))
            .1
    }

    /// Sets a cell by its Excel row number and column letter.
    fn set(&mut self, sheet: &str, row: usize, col: char, v: C) -> &mut Self {
        let rows = self.sheet(sheet);
        let c = (col as u8 - b'A') as usize;
        if rows.len() < row {
            rows.resize(row, Vec::new());
        }
        let r = &mut rows[row - 1];
        if r.len() <= c {
            r.resize(c + 1, C::E);
        }
        r[c] = v;
        self
    }

    fn bytes(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        let title = Format::new().set_bold();
        for (name, rows) in &self.0 {
            let ws = wb.add_worksheet();
            ws.set_name(name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                let r = r as u32;
                for (c, v) in row.iter().enumerate() {
                    let c = c as u16;
                    match v {
                        C::S(t) => {
                            ws.write_string(r, c, t).unwrap();
                        }
                        C::N(n) => {
                            ws.write_number(r, c, *n).unwrap();
                        }
                        C::F(f, result) => {
                            ws.write_formula(r, c, Formula::new(*f).set_result(*result))
                                .unwrap();
                        }
                        C::E => {}
                    }
                }
            }
            // A merged title row, as offices like to add.
            if let Some(C::S(t)) = rows.first().and_then(|r| r.first()) {
                ws.merge_range(0, 0, 0, 3, t, &title).unwrap();
            }
        }
        wb.save_to_buffer().unwrap()
    }
}

#[test]
fn hand_filled_workbook_imports() {
    let decl =
        import_declaration(&Book::base().bytes()).unwrap_or_else(|e| panic!("{}", shown(&e)));
    assert_eq!(decl.batch_year, 2022);
    assert_eq!(decl.cluster.county_code, "330784");
    assert_eq!(decl.cluster.industry_codes, vec!["C3321", "C3322"]);
    assert_eq!(decl.cluster.area_km2, Some(dec("86.5")));
    assert_eq!(
        decl.cluster.operator.as_ref().unwrap().kind,
        "management_committee"
    );
    assert_eq!(decl.years, vec![2019, 2020, 2021]);
    // The example row and the trailing blank rows are skipped.
    assert_eq!(decl.enterprises.len(), 2);
    let a = &decl.enterprises[0];
    assert_eq!(a.uscc, USCC_A);
    assert_eq!(a.figures.len(), 3);
    assert_eq!(
        a.figures[&2021].output_value.unwrap().amount(),
        dec("50200")
    );
    assert_eq!(a.figures[&2021].employees, Some(12));
    assert_eq!(a.figures[&2021].co2_t, Some(dec("7.5")));
}

#[test]
fn wrong_sheet_name_is_reported_with_the_sheets_found() {
    let mut b = Book::base();
    b.0[1].0 = "企业名单".into();
    let errs = errors_of(&b.bytes());
    let text = shown(&errs);
    assert!(text.contains("缺少工作表「企业名录」"), "{text}");
    assert!(text.contains("「企业名单」"), "{text}");
}

#[test]
fn missing_column_is_reported() {
    let mut b = Book::base();
    b.set("企业名录", 2, 'C', s("公司"));
    let errs = errors_of(&b.bytes());
    let text = shown(&errs);
    assert!(
        text.contains("企业名录 第2行：表头缺少列「企业名称」"),
        "{text}"
    );
}

#[test]
fn uscc_of_wrong_length_names_the_cell() {
    let mut b = Book::base();
    b.set("企业名录", 5, 'B', s(" 9133078 "));
    let errs = errors_of(&b.bytes());
    let e = errs
        .iter()
        .find(|e| e.sheet.as_deref() == Some("企业名录"))
        .unwrap_or_else(|| panic!("{}", shown(&errs)));
    assert_eq!(e.row, Some(5));
    assert_eq!(e.column.as_deref(), Some("B"));
    assert_eq!(e.field.as_deref(), Some("统一社会信用代码"));
    assert_eq!(e.value.as_deref(), Some("9133078"));
    assert_eq!(
        e.to_string(),
        "企业名录 第5行 B列「统一社会信用代码」（填写值「9133078」）：统一社会信用代码应为18位，实为7位"
    );
}

#[test]
fn uscc_typed_as_a_number_is_refused() {
    let mut b = Book::base();
    b.set("企业名录", 4, 'B', C::N(913307840000000000.0));
    let text = shown(&errors_of(&b.bytes()));
    assert!(
        text.contains("企业名录 第4行 B列「统一社会信用代码」"),
        "{text}"
    );
    assert!(text.contains("文本"), "{text}");
}

#[test]
fn text_in_a_number_cell_is_reported() {
    let mut b = Book::base();
    b.set("年度数据", 3, 'E', s("约五万"));
    let text = shown(&errors_of(&b.bytes()));
    assert!(
        text.contains("年度数据 第3行 E列「工业总产值」（填写值「约五万」）：「约五万」不是数字"),
        "{text}"
    );
}

#[test]
fn full_width_digits_and_thousands_separators_are_accepted() {
    let mut b = Book::base();
    b.set("年度数据", 3, 'E', s("５２，０００．５"))
        .set("年度数据", 4, 'E', s("1,234,567.25"))
        .set("年度数据", 5, 'F', s(" １２ "))
        .set("年度数据", 6, 'D', s("２０１９年"))
        .set("集群信息", 10, 'B', s("８６．５"));
    let d = import_declaration(&b.bytes()).unwrap_or_else(|e| panic!("{}", shown(&e)));
    let f = &d.enterprises[0].figures;
    assert_eq!(f[&2019].output_value.unwrap().amount(), dec("52000.5"));
    assert_eq!(f[&2020].output_value.unwrap().amount(), dec("1234567.25"));
    assert_eq!(f[&2021].employees, Some(12));
    assert!(d.enterprises[1].figures.contains_key(&2019));
    assert_eq!(d.cluster.area_km2, Some(dec("86.5")));
}

#[test]
fn misplaced_thousands_separator_is_refused() {
    let mut b = Book::base();
    b.set("年度数据", 3, 'E', s("52,00"));
    let text = shown(&errors_of(&b.bytes()));
    assert!(text.contains("年度数据 第3行 E列「工业总产值」"), "{text}");
    assert!(text.contains("千分位"), "{text}");
}

#[test]
fn every_problem_is_listed_at_once_in_sheet_order() {
    let mut b = Book::base();
    b.set("集群信息", 6, 'B', C::E) // 集群名称 empty
        .set("企业名录", 4, 'E', s("也许")) // not 是/否
        .set("企业名录", 5, 'F', s("巨型")) // not a size
        .set("年度数据", 3, 'D', C::N(2017.0)) // not among the data years
        .set("年度数据", 4, 'B', s("91330784MA2009999X")) // not in the roster
        .set("年度数据", 5, 'F', s("3.5")); // not a whole number
    let errs = errors_of(&b.bytes());
    let lines: Vec<String> = errs.iter().map(ToString::to_string).collect();
    let want = [
        "集群信息 第6行 B列「集群名称」：必填项未填写",
        "企业名录 第4行 E列「是否属于主导产业」（填写值「也许」）：「也许」应填「是」或「否」",
        "企业名录 第5行 F列「企业规模」（填写值「巨型」）：「巨型」不是可选值（可选：大型、中型、小型、微型）",
        "年度数据 第3行 D列「年度」（填写值「2017」）：年份 2017 不在「集群信息」的「数据年度」中",
        "年度数据 第4行 B列「统一社会信用代码」（填写值「91330784MA2009999X」）：「企业名录」中没有这个统一社会信用代码",
        "年度数据 第5行 F列「从业人员」（填写值「3.5」）：应为整数，实为 3.5",
    ];
    assert_eq!(lines.len(), want.len(), "{lines:#?}");
    for (got, want) in lines.iter().zip(want) {
        assert!(got.starts_with(want), "{got}\n  !starts_with\n{want}");
    }
}

#[test]
fn window_years_missing_points_at_the_data_years_cell() {
    let mut b = Book::base();
    b.set("集群信息", 14, 'B', s("2020、2021"));
    let text = shown(&errors_of(&b.bytes()));
    assert!(text.contains("集群信息 第14行 B列「数据年度」"), "{text}");
    assert!(text.contains("2019"), "{text}");
}

#[test]
fn duplicate_enterprise_rows_are_refused() {
    let mut b = Book::base();
    b.set("企业名录", 5, 'B', s(USCC_A));
    let text = shown(&errors_of(&b.bytes()));
    assert!(
        text.contains("企业名录 第5行 B列「统一社会信用代码」"),
        "{text}"
    );
    assert!(text.contains("与第4行"), "{text}");
}

#[test]
fn incidents_take_dates_as_serials_or_text() {
    let mut b = Book::base();
    b.0.push((
        "风险事件".into(),
        vec![
            vec![s("风险事件")],
            vec![
                s("序号"),
                s("*发生日期"),
                s("*事件类型"),
                s("*事件等级"),
                s("涉及企业统一社会信用代码"),
            ],
            vec![
                C::N(1.0),
                C::N(44317.0),
                s("安全事故"),
                s("一般"),
                s(USCC_A),
            ],
            vec![C::N(2.0), s("2020/3/5"), s("环境污染事故"), s("较大")],
            vec![C::N(3.0), s("2020年2月30日"), s("税收"), s("一般")],
        ],
    ));
    let errs = errors_of(&b.bytes());
    let text = shown(&errs);
    // Only the impossible date is wrong.
    assert_eq!(errs.len(), 1, "{text}");
    assert!(text.starts_with("风险事件 第5行 B列「发生日期」"), "{text}");
    assert!(text.contains("不存在"), "{text}");

    b.set("风险事件", 5, 'B', s("2020-02-28"));
    let d = import_declaration(&b.bytes()).unwrap_or_else(|e| panic!("{}", shown(&e)));
    assert_eq!(d.incidents.len(), 3);
    assert_eq!(d.incidents[0].date.to_string(), "2021-05-01");
    assert_eq!(d.incidents[1].date.to_string(), "2020-03-05");
    assert_eq!(d.incidents[0].enterprise.as_deref(), Some(USCC_A));
}

#[test]
fn formula_with_cached_value_is_read() {
    let mut b = Book::base();
    b.set("年度数据", 3, 'E', C::F("=40000+10000", "50000"));
    let d = import_declaration(&b.bytes()).unwrap_or_else(|e| panic!("{}", shown(&e)));
    assert_eq!(
        d.enterprises[0].figures[&2019]
            .output_value
            .unwrap()
            .amount(),
        dec("50000")
    );
}

#[test]
fn formula_without_cached_value_is_refused() {
    let mut b = Book::base();
    b.set("年度数据", 3, 'E', C::F("=40000+10000", "50000"));
    let bytes = rewrite_part(&b.bytes(), "xl/worksheets/sheet3.xml", |xml| {
        let start = xml.find("<f>40000+10000</f>").expect("formula written");
        let v_start = start + xml[start..].find("<v>").unwrap();
        let v_end = v_start + xml[v_start..].find("</v>").unwrap() + "</v>".len();
        format!("{}{}", &xml[..v_start], &xml[v_end..])
    });
    let text = shown(&errors_of(&bytes));
    assert!(text.contains("年度数据 第3行 E列"), "{text}");
    assert!(text.contains("公式没有计算结果"), "{text}");
}

#[test]
fn fifty_thousand_rows_are_accepted() {
    let mut b = Book::base();
    let roster = b.sheet("企业名录");
    roster.truncate(5);
    for i in 0..50_000u32 {
        roster.push(vec![
            C::N(f64::from(i + 3)),
            s(&format!("91330784MA{i:08}")),
            s(&format!("企业{i}")),
            s("C3321"),
            s("否"),
        ]);
    }
    let d = import_declaration(&b.bytes())
        .unwrap_or_else(|e| panic!("{}", shown(&e[..5.min(e.len())])));
    assert_eq!(d.enterprises.len(), 50_002);
}

#[test]
fn rows_beyond_the_limit_are_refused() {
    let mut b = Book::base();
    let row = MAX_ROWS as usize + 100;
    b.set("企业名录", row, 'B', s(USCC_A));
    let text = shown(&errors_of(&b.bytes()));
    assert!(
        text.contains(&format!("企业名录 第{row}行：数据超过 {MAX_ROWS} 行的上限")),
        "{text}"
    );
}

#[test]
fn files_that_are_not_xlsx_are_refused() {
    let one = |bytes: &[u8]| {
        let errs = errors_of(bytes);
        assert_eq!(errs.len(), 1, "{}", shown(&errs));
        errs[0].to_string()
    };
    // Random bytes.
    let random: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert!(one(&random).contains("无法识别的文件格式"));
    // A CSV renamed to .xlsx.
    assert!(
        one("统一社会信用代码,企业名称\n91330784MA2001037D,甲\n".as_bytes()).contains("纯文本")
    );
    // An old .xls (OLE compound file).
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.resize(4096, 0);
    assert!(one(&xls).contains(".xls"));
    // A zip that is not a workbook.
    let mut zipped = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut zipped));
        z.start_file("readme.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(b"hello").unwrap();
        z.finish().unwrap();
    }
    assert!(one(&zipped).contains("不是 xlsx 工作簿"));
    // A truncated workbook.
    let good = Book::base().bytes();
    assert!(one(&good[..good.len() / 2]).contains("损坏"));
    // Empty.
    assert!(one(&[]).contains("空"));
    // Too large.
    let mut big = good.clone();
    big.resize(MAX_BYTES + 1, 0);
    assert!(one(&big).contains("超过上限 20 MB"));
}

// ---------------------------------------------------------------------------------------
// Zip helpers.

fn zip_names(bytes: &[u8]) -> Vec<String> {
    let z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    z.file_names().map(|n| n.unwrap().into_owned()).collect()
}

fn zip_part(bytes: &[u8], name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    z.by_name(name).unwrap().read_to_string(&mut out).unwrap();
    out
}

/// The workbook with one part's XML rewritten.
fn rewrite_part(bytes: &[u8], name: &str, f: impl Fn(&str) -> String) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    {
        let mut dst = zip::ZipWriter::new(std::io::Cursor::new(&mut out));
        for i in 0..src.len() {
            let mut entry = src.by_index(i).unwrap();
            let entry_name = entry.name().unwrap().into_owned();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            if entry_name == name {
                content = f(&String::from_utf8(content).unwrap()).into_bytes();
            }
            dst.start_file(entry_name, zip::write::SimpleFileOptions::default())
                .unwrap();
            dst.write_all(&content).unwrap();
        }
        dst.finish().unwrap();
    }
    out
}
