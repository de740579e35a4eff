//! The layout of the workbooks: sheet names, columns with their units, dropdown values.
//!
//! One table drives both sides: the writer lays the headers, units, dropdowns and column
//! formats out from it, and the reader finds the columns by these header names (so users
//! may reorder columns, add their own, or put a title row above the header).

/// Marker in the first column of a row that the importer skips (the grey example rows).
pub const EXAMPLE_MARK: &str = "示例";

pub const SHEET_INSTRUCTIONS: &str = "填表说明";
pub const SHEET_CLUSTER: &str = "集群信息";
pub const SHEET_ROSTER: &str = "企业名录";
pub const SHEET_FIGURES: &str = "年度数据";
pub const SHEET_TITLES: &str = "企业称号";
pub const SHEET_TARGETS: &str = "规划目标";
pub const SHEET_INCIDENTS: &str = "风险事件";
pub const SHEET_TOTALS: &str = "集群汇总";
pub const SHEET_ATTESTATIONS: &str = "定性说明";
pub const SHEET_PROGRESS: &str = "目标进展";
pub const SHEET_WORK: &str = "工作情况";

/// What a cell holds, which decides how it is read, formatted and validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text (names, descriptions).
    Text,
    /// A code typed as text (industry code, county code): full-width characters folded.
    Code,
    /// 统一社会信用代码: 18 characters after trimming.
    Uscc,
    /// A decimal amount (万元, 吨, m³, km², values of targets).
    Number,
    /// A whole number (人, 件).
    Count,
    /// A year (1900–2100).
    Year,
    /// 是/否.
    YesNo,
    /// A date (Excel date or text such as 2021-05-01, 2021/5/1, 2021年5月1日).
    Date,
    /// One of a fixed list (dropdown).
    Choice(&'static Choices),
    /// A list of codes separated by 、 , ; or spaces.
    CodeList,
    /// A list of years separated by 、 , ; or spaces.
    YearList,
}

/// A dropdown: (Chinese label, JSON value) pairs, plus extra spellings accepted on import.
#[derive(Debug, PartialEq, Eq)]
pub struct Choices {
    pub name: &'static str,
    pub options: &'static [(&'static str, &'static str)],
    pub aliases: &'static [(&'static str, &'static str)],
    /// Whether a value outside the list is passed through as typed (free-form JSON fields
    /// such as the operator type); otherwise it is an error.
    pub open: bool,
}

impl Choices {
    pub fn labels(&self) -> Vec<&'static str> {
        self.options.iter().map(|(l, _)| *l).collect()
    }

    /// The label to write for a JSON value (the value itself when it has none).
    pub fn label_of<'a>(&self, code: &'a str) -> &'a str {
        self.options
            .iter()
            .find(|(_, c)| *c == code)
            .map(|(l, _)| *l)
            .unwrap_or(code)
    }
}

pub static SIZES: Choices = Choices {
    name: "企业规模",
    options: &[
        ("大型", "large"),
        ("中型", "medium"),
        ("小型", "small"),
        ("微型", "micro"),
    ],
    aliases: &[
        ("大型企业", "large"),
        ("中型企业", "medium"),
        ("小型企业", "small"),
        ("微型企业", "micro"),
        ("大", "large"),
        ("中", "medium"),
        ("小", "small"),
        ("微", "micro"),
    ],
    open: false,
};

pub static TITLES: Choices = Choices {
    name: "企业称号",
    options: &[
        ("制造业单项冠军企业", "single_champion"),
        ("专精特新“小巨人”企业", "little_giant"),
        ("专精特新中小企业", "srdi_sme"),
        ("创新型中小企业", "innovative_sme"),
        ("国家级高新技术企业", "high_tech"),
    ],
    aliases: &[
        ("单项冠军", "single_champion"),
        ("单项冠军企业", "single_champion"),
        ("制造业单项冠军", "single_champion"),
        ("小巨人", "little_giant"),
        ("小巨人企业", "little_giant"),
        ("专精特新小巨人", "little_giant"),
        ("专精特新", "srdi_sme"),
        ("专精特新企业", "srdi_sme"),
        ("创新型中小", "innovative_sme"),
        ("高新技术企业", "high_tech"),
        ("高新技术", "high_tech"),
        ("高企", "high_tech"),
    ],
    open: false,
};

/// The six areas of 第六条 (一)–(六).
pub static AREAS: Choices = Choices {
    name: "规划领域",
    options: &[
        ("主导产业", "industry"),
        ("创新", "innovation"),
        ("数字化", "digital"),
        ("绿色低碳", "green"),
        ("开放合作", "openness"),
        ("治理和服务", "governance"),
    ],
    aliases: &[
        ("产业", "industry"),
        ("主导产业优势", "industry"),
        ("创新活力", "innovation"),
        ("创新能力", "innovation"),
        ("数字化升级", "digital"),
        ("绿色", "green"),
        ("绿色低碳转型", "green"),
        ("开放", "openness"),
        ("治理", "governance"),
        ("治理服务", "governance"),
        ("治理和服务能力", "governance"),
    ],
    open: false,
};

/// Incidents of 第十七条(五) and the veto of the criteria.
pub static INCIDENT_KINDS: Choices = Choices {
    name: "事件类型",
    options: &[
        ("安全事故", "safety"),
        ("质量事故", "quality"),
        ("环境污染事故", "environment"),
        ("网络安全事件", "cyber"),
        ("数据安全事件", "data"),
        ("偷税漏税", "tax"),
        ("违法违规", "illegal"),
        ("严重失信", "dishonesty"),
    ],
    aliases: &[
        ("安全生产事故", "safety"),
        ("安全", "safety"),
        ("质量", "quality"),
        ("环境", "environment"),
        ("环境事故", "environment"),
        ("网络安全", "cyber"),
        ("数据安全", "data"),
        ("税收", "tax"),
        ("违法", "illegal"),
        ("失信", "dishonesty"),
    ],
    open: false,
};

pub static INCIDENT_LEVELS: Choices = Choices {
    name: "事件等级",
    options: &[
        ("一般", "general"),
        ("较大", "larger"),
        ("重大", "major"),
        ("特别重大", "especially_major"),
    ],
    aliases: &[
        ("一般事故", "general"),
        ("较大事故", "larger"),
        ("重大事故", "major"),
        ("特别重大事故", "especially_major"),
    ],
    open: false,
};

pub static STATUSES: Choices = Choices {
    name: "完成情况",
    options: &[
        ("已完成", "achieved"),
        ("部分完成", "partly"),
        ("未完成", "not_achieved"),
    ],
    aliases: &[("完成", "achieved"), ("基本完成", "partly")],
    open: false,
};

pub static OPERATOR_TYPES: Choices = Choices {
    name: "运营管理机构类型",
    options: &[
        ("管委会", "management_committee"),
        ("运营公司", "company"),
        ("行业协会/商会", "association"),
        ("服务中心", "service_center"),
        ("政府部门", "government"),
    ],
    aliases: &[
        ("管理委员会", "management_committee"),
        ("行业协会", "association"),
        ("商会", "association"),
    ],
    open: true,
};

pub static YES_NO: Choices = Choices {
    name: "是/否",
    options: &[("是", "true"), ("否", "false")],
    aliases: &[],
    open: false,
};

/// Attestation keys (qualitative evidence reviewers judge), with the labels the criteria
/// engine uses. Other keys are kept as typed.
pub static ATTESTATION_KEYS: Choices = Choices {
    name: "定性说明类别",
    options: &[
        ("共享机制", "supply_chain_sharing"),
        ("产业地位与品牌", "industry_standing"),
        ("创新平台与合作", "innovation_platforms"),
        ("标准制修订", "standards"),
        ("关键核心技术", "key_technologies"),
        ("数字化服务与安全", "digital_services"),
        ("国际合作", "international_cooperation"),
        ("海外分支机构", "overseas_branches"),
        ("绿色低碳服务机制", "green_services"),
        ("公共服务体系与促进机制", "public_services"),
    ],
    aliases: &[],
    open: true,
};

/// Items of `supply_chain_sharing` (认定标准 三: 共享设备、物流、仓储、人力、设计).
pub static SHARING_ITEMS: Choices = Choices {
    name: "共享机制",
    options: &[
        ("通用生产设备", "equipment"),
        ("物流", "logistics"),
        ("仓储", "warehousing"),
        ("人力", "hr"),
        ("设计", "design"),
    ],
    aliases: &[],
    open: true,
};

/// One column of a table sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// JSON key (or an internal name for columns that are not a JSON field).
    pub key: &'static str,
    pub label: &'static str,
    pub unit: Option<&'static str>,
    pub required: bool,
    pub kind: Kind,
    pub width: u16,
    /// Example values for the two grey example rows of the template.
    pub examples: [&'static str; 2],
}

const fn col(
    key: &'static str,
    label: &'static str,
    unit: Option<&'static str>,
    required: bool,
    kind: Kind,
    width: u16,
    examples: [&'static str; 2],
) -> Column {
    Column {
        key,
        label,
        unit,
        required,
        kind,
        width,
        examples,
    }
}

/// The first column of every table sheet: a running number, ignored on import except for
/// [`EXAMPLE_MARK`].
pub const SEQ: Column = col("_seq", "序号", None, false, Kind::Text, 6, ["示例", "示例"]);

/// A table sheet: a title row, a header row, then one record per row.
#[derive(Debug, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub title: &'static str,
    pub columns: &'static [Column],
}

impl Table {
    pub fn index_of(&self, key: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.key == key)
    }
}

/// The yearly figures (SPEC §3 `figures`), in their JSON order.
pub const FIGURE_COLUMNS: [Column; 10] = [
    col(
        "output_value",
        "工业总产值",
        Some("万元"),
        false,
        Kind::Number,
        14,
        ["52000", "8600.5"],
    ),
    col(
        "revenue",
        "营业收入",
        Some("万元"),
        false,
        Kind::Number,
        14,
        ["50000", "8200"],
    ),
    col(
        "employees",
        "从业人员",
        Some("人"),
        false,
        Kind::Count,
        10,
        ["420", "65"],
    ),
    col(
        "total_assets",
        "资产总额",
        Some("万元"),
        false,
        Kind::Number,
        14,
        ["61000", "7300"],
    ),
    col(
        "rd_expenditure",
        "研发经费支出",
        Some("万元"),
        false,
        Kind::Number,
        14,
        ["2100", "260"],
    ),
    col(
        "valid_invention_patents",
        "有效发明专利",
        Some("件"),
        false,
        Kind::Count,
        12,
        ["35", "3"],
    ),
    col(
        "co2_t",
        "二氧化碳排放量",
        Some("吨"),
        false,
        Kind::Number,
        14,
        ["9100", "1500"],
    ),
    col(
        "energy_tce",
        "综合能耗",
        Some("吨标准煤"),
        false,
        Kind::Number,
        14,
        ["3000", "520"],
    ),
    col(
        "water_m3",
        "用水量",
        Some("立方米"),
        false,
        Kind::Number,
        14,
        ["41000", "6800"],
    ),
    col(
        "export_value",
        "出口额",
        Some("万元"),
        false,
        Kind::Number,
        14,
        ["8000", "0"],
    ),
];

const EX_USCC: [&str; 2] = ["91330784MA2001037D", "91330784MA20014071"];
const EX_NAME: [&str; 2] = ["永康市锐达切削工具有限公司", "永康市小鹰工具厂"];

pub static ROSTER: Table = Table {
    name: SHEET_ROSTER,
    title: "企业名录（集群内企业，每家企业一行）",
    columns: &[
        SEQ,
        col(
            "uscc",
            "统一社会信用代码",
            None,
            true,
            Kind::Uscc,
            22,
            EX_USCC,
        ),
        col("name", "企业名称", None, true, Kind::Text, 30, EX_NAME),
        col(
            "industry_code",
            "行业代码",
            Some("GB/T 4754-2017"),
            true,
            Kind::Code,
            14,
            ["C3321", "C3322"],
        ),
        col(
            "in_leading_industry",
            "是否属于主导产业",
            None,
            true,
            Kind::YesNo,
            12,
            ["是", "是"],
        ),
        col(
            "declared_size",
            "企业规模",
            Some("大型/中型/小型/微型"),
            false,
            Kind::Choice(&SIZES),
            12,
            ["中型", "微型"],
        ),
        col(
            "uses_iip",
            "是否应用工业互联网平台",
            None,
            false,
            Kind::YesNo,
            14,
            ["是", "否"],
        ),
        col(
            "policy_reached",
            "是否已获惠企政策宣传",
            None,
            false,
            Kind::YesNo,
            14,
            ["是", "是"],
        ),
    ],
};

pub static FIGURES: Table = Table {
    name: SHEET_FIGURES,
    title: "企业年度数据（每家企业每年一行；金额单位：万元）",
    columns: &[
        SEQ,
        col(
            "uscc",
            "统一社会信用代码",
            None,
            true,
            Kind::Uscc,
            22,
            EX_USCC,
        ),
        col("_name", "企业名称", None, false, Kind::Text, 30, EX_NAME),
        col("_year", "年度", None, true, Kind::Year, 8, ["2021", "2021"]),
        FIGURE_COLUMNS[0],
        FIGURE_COLUMNS[1],
        FIGURE_COLUMNS[2],
        FIGURE_COLUMNS[3],
        FIGURE_COLUMNS[4],
        FIGURE_COLUMNS[5],
        FIGURE_COLUMNS[6],
        FIGURE_COLUMNS[7],
        FIGURE_COLUMNS[8],
        FIGURE_COLUMNS[9],
    ],
};

pub static TOTALS: Table = Table {
    name: SHEET_TOTALS,
    title: "集群汇总数据（每年一行；仅用于企业名录无法计算的指标）",
    columns: &[
        SEQ,
        col("_year", "年度", None, true, Kind::Year, 8, ["2021", "2020"]),
        FIGURE_COLUMNS[0],
        FIGURE_COLUMNS[1],
        FIGURE_COLUMNS[2],
        FIGURE_COLUMNS[3],
        FIGURE_COLUMNS[4],
        FIGURE_COLUMNS[5],
        FIGURE_COLUMNS[6],
        FIGURE_COLUMNS[7],
        FIGURE_COLUMNS[8],
        FIGURE_COLUMNS[9],
    ],
};

pub static TITLE_ROWS: Table = Table {
    name: SHEET_TITLES,
    title: "企业称号（每个称号一行）",
    columns: &[
        SEQ,
        col(
            "uscc",
            "统一社会信用代码",
            None,
            true,
            Kind::Uscc,
            22,
            EX_USCC,
        ),
        col("_name", "企业名称", None, false, Kind::Text, 30, EX_NAME),
        col(
            "kind",
            "称号",
            None,
            true,
            Kind::Choice(&TITLES),
            24,
            ["专精特新“小巨人”企业", "创新型中小企业"],
        ),
        col(
            "year",
            "获得年度",
            None,
            true,
            Kind::Year,
            10,
            ["2021", "2020"],
        ),
    ],
};

const TARGET_COLUMNS: [Column; 5] = [
    col(
        "area",
        "领域",
        Some("第六条六个方面"),
        true,
        Kind::Choice(&AREAS),
        14,
        ["创新", "绿色低碳"],
    ),
    col(
        "metric",
        "指标",
        Some("含单位"),
        true,
        Kind::Text,
        32,
        [
            "中小企业研发经费（万元）",
            "单位产值二氧化碳排放（吨/万元）",
        ],
    ),
    col(
        "baseline",
        "基期值",
        None,
        true,
        Kind::Number,
        12,
        ["13792", "0.24"],
    ),
    col(
        "target",
        "目标值",
        None,
        true,
        Kind::Number,
        12,
        ["22000", "0.2"],
    ),
    col(
        "year",
        "目标年度",
        None,
        true,
        Kind::Year,
        10,
        ["2025", "2025"],
    ),
];

pub static TARGETS: Table = Table {
    name: SHEET_TARGETS,
    title: "三年发展规划目标（每个目标一行；六个领域各至少一个可考核目标）",
    columns: &[
        SEQ,
        TARGET_COLUMNS[0],
        TARGET_COLUMNS[1],
        TARGET_COLUMNS[2],
        TARGET_COLUMNS[3],
        TARGET_COLUMNS[4],
    ],
};

pub static PROGRESS: Table = Table {
    name: SHEET_PROGRESS,
    title: "规划目标进展（每个规划目标一行）",
    columns: &[
        SEQ,
        TARGET_COLUMNS[0],
        TARGET_COLUMNS[1],
        TARGET_COLUMNS[2],
        TARGET_COLUMNS[3],
        TARGET_COLUMNS[4],
        col(
            "actual",
            "本年实际值",
            None,
            false,
            Kind::Number,
            12,
            ["16800", "0.23"],
        ),
        col(
            "status",
            "完成情况",
            Some("已完成/部分完成/未完成"),
            false,
            Kind::Choice(&STATUSES),
            14,
            ["部分完成", "未完成"],
        ),
        col(
            "note",
            "说明",
            None,
            false,
            Kind::Text,
            36,
            ["研发投入按计划推进", "光伏项目延期至下年"],
        ),
    ],
};

pub static INCIDENTS: Table = Table {
    name: SHEET_INCIDENTS,
    title: "安全、质量、环境、网络与数据安全事件及违法失信情况（每起一行；没有则不填）",
    columns: &[
        SEQ,
        col(
            "date",
            "发生日期",
            Some("年-月-日"),
            true,
            Kind::Date,
            14,
            ["2021-08-12", "2020-03-05"],
        ),
        col(
            "kind",
            "事件类型",
            None,
            true,
            Kind::Choice(&INCIDENT_KINDS),
            16,
            ["安全事故", "环境污染事故"],
        ),
        col(
            "level",
            "事件等级",
            Some("一般/较大/重大/特别重大"),
            true,
            Kind::Choice(&INCIDENT_LEVELS),
            12,
            ["一般", "一般"],
        ),
        col(
            "enterprise",
            "涉及企业统一社会信用代码",
            None,
            false,
            Kind::Uscc,
            24,
            ["91330784MA2001296U", ""],
        ),
        col(
            "description",
            "情况说明",
            None,
            false,
            Kind::Text,
            40,
            [
                "车间机械伤害，一人轻伤，已整改",
                "废水超标排放，已处罚并整改",
            ],
        ),
    ],
};

pub static ATTESTATIONS: Table = Table {
    name: SHEET_ATTESTATIONS,
    title: "定性说明（供评审专家判断；每条一行）",
    columns: &[
        SEQ,
        col(
            "_key",
            "类别",
            None,
            true,
            Kind::Choice(&ATTESTATION_KEYS),
            24,
            ["共享机制", "创新平台与合作"],
        ),
        col(
            "_item",
            "内容",
            None,
            true,
            Kind::Text,
            50,
            ["物流", "与浙江工业大学共建联合实验室"],
        ),
    ],
};

/// One row of a key–value sheet (集群信息, 工作情况): label in one column, value right of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// JSON path below the declaration (e.g. "cluster.name"), or an internal name.
    pub key: &'static str,
    pub label: &'static str,
    pub unit: Option<&'static str>,
    pub required: bool,
    pub kind: Kind,
    pub note: &'static str,
}

const fn field(
    key: &'static str,
    label: &'static str,
    unit: Option<&'static str>,
    required: bool,
    kind: Kind,
    note: &'static str,
) -> Field {
    Field {
        key,
        label,
        unit,
        required,
        kind,
        note,
    }
}

/// 认定年度 of a declaration; an annual report has 报告年度 instead ([`REPORT_YEAR`]).
pub const BATCH_YEAR: Field = field(
    "batch_year",
    "认定年度",
    None,
    true,
    Kind::Year,
    "申报批次的年度，如 2022；数据年度须含其前三个完整年度",
);

pub const REPORT_YEAR: Field = field(
    "_report_year",
    "报告年度",
    None,
    true,
    Kind::Year,
    "年度培育情况报告所报告的年度，如 2025（第十六条：次年4月30日前报送）",
);

/// The rows of 集群信息 after the year row.
pub const CLUSTER_FIELDS: [Field; 15] = [
    field(
        "edition",
        "认定标准版本",
        None,
        true,
        Kind::Code,
        "如 2022（《中小企业特色产业集群认定标准（2022年版）》）",
    ),
    field(
        "first_batch",
        "是否首批",
        None,
        false,
        Kind::YesNo,
        "首批申报可不具备省级集群身份（第十二条）",
    ),
    field(
        "cluster.name",
        "集群名称",
        None,
        true,
        Kind::Text,
        "如 浙江省永康市五金工具产业集群",
    ),
    field(
        "cluster.county_code",
        "所在县级行政区划代码",
        Some("6位"),
        true,
        Kind::Code,
        "GB/T 2260 六位代码，如 330784",
    ),
    field(
        "cluster.leading_industry",
        "主导产业",
        None,
        true,
        Kind::Text,
        "如 五金工具",
    ),
    field(
        "cluster.industry_codes",
        "主导产业行业代码",
        Some("GB/T 4754-2017"),
        true,
        Kind::CodeList,
        "多个代码用顿号分隔，如 C3321、C3322",
    ),
    field(
        "cluster.area_km2",
        "集群面积",
        Some("平方公里"),
        false,
        Kind::Number,
        "一般不超过100平方公里",
    ),
    field(
        "cluster.provincial_cluster",
        "是否已认定为省级集群",
        None,
        true,
        Kind::YesNo,
        "是/否",
    ),
    field(
        "cluster.operator.name",
        "运营管理机构名称",
        None,
        false,
        Kind::Text,
        "如 永康市五金产业集群发展管理委员会",
    ),
    field(
        "cluster.operator.type",
        "运营管理机构类型",
        None,
        false,
        Kind::Choice(&OPERATOR_TYPES),
        "管委会/运营公司/行业协会/商会/服务中心/政府部门",
    ),
    field(
        "cluster.high_energy_industry",
        "是否高耗能行业",
        None,
        false,
        Kind::YesNo,
        "是：须填写行业单位产值能耗基准",
    ),
    field(
        "cluster.high_water_industry",
        "是否高耗水行业",
        None,
        false,
        Kind::YesNo,
        "是：须填写行业单位产值水耗基准",
    ),
    field(
        "years",
        "数据年度",
        None,
        true,
        Kind::YearList,
        "多个年度用顿号分隔，如 2019、2020、2021",
    ),
    field(
        "benchmarks.energy_intensity",
        "行业单位产值能耗基准",
        Some("吨标准煤/万元"),
        false,
        Kind::Number,
        "高耗能行业填写",
    ),
    field(
        "benchmarks.water_intensity",
        "行业单位产值水耗基准",
        Some("立方米/万元"),
        false,
        Kind::Number,
        "高耗水行业填写",
    ),
];

/// The rows of 工作情况 (annual report, 第十六条).
pub const WORK_FIELDS: [Field; 3] = [
    field(
        "work_done",
        "工作开展情况",
        None,
        false,
        Kind::Text,
        "本年度集群培育工作开展情况、工作经验",
    ),
    field(
        "problems",
        "存在问题",
        None,
        false,
        Kind::Text,
        "发展规划执行中存在的问题",
    ),
    field(
        "measures",
        "改进措施",
        None,
        false,
        Kind::Text,
        "下一步改进措施",
    ),
];

/// A header as shown: "工业总产值（万元）".
pub fn header_text(label: &str, unit: Option<&str>, required: bool) -> String {
    let star = if required { "*" } else { "" };
    match unit {
        Some(u) => format!("{star}{label}（{u}）"),
        None => format!("{star}{label}"),
    }
}

/// A header or label as compared: without the required mark, units in brackets, spaces
/// and line breaks, so "*工业总产值\n（万元）" and "工业总产值(万元)" both give "工业总产值".
pub fn normalize_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '（' | '(' | '【' | '[' => depth += 1,
            '）' | ')' | '】' | ']' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '*' | '＊' | ':' | '：' => {}
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_normalize() {
        assert_eq!(normalize_label("*工业总产值\n（万元）"), "工业总产值");
        assert_eq!(normalize_label(" 工业总产值(万元) "), "工业总产值");
        assert_eq!(
            normalize_label(&header_text("行业代码", Some("GB/T 4754-2017"), true)),
            "行业代码"
        );
    }

    #[test]
    fn headers_are_unique_within_a_sheet() {
        for t in [
            &ROSTER,
            &FIGURES,
            &TOTALS,
            &TITLE_ROWS,
            &TARGETS,
            &PROGRESS,
            &INCIDENTS,
            &ATTESTATIONS,
        ] {
            let mut seen = std::collections::HashSet::new();
            for c in t.columns {
                assert!(
                    seen.insert(normalize_label(c.label)),
                    "{} {}",
                    t.name,
                    c.label
                );
            }
        }
    }

    #[test]
    fn dropdown_lists_fit_excel_limit() {
        // Excel refuses an inline list longer than 255 characters.
        for ch in [
            &SIZES,
            &TITLES,
            &AREAS,
            &INCIDENT_KINDS,
            &INCIDENT_LEVELS,
            &STATUSES,
            &OPERATOR_TYPES,
            &YES_NO,
            &ATTESTATION_KEYS,
        ] {
            let len: usize = ch.labels().iter().map(|l| l.chars().count() + 1).sum();
            assert!(len <= 255, "{}", ch.name);
        }
    }
}
