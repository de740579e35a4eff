//! Working days on the official Chinese calendar (国务院办公厅 holiday arrangements).
//!
//! A day is a working day when it is Monday–Friday and not a listed holiday, or when it is
//! a listed 调休 working day (a weekend day worked to make up for a bridged holiday).
//! Deadlines counted in 工作日 use this calendar.
//!
//! The data is `data/holidays.csv` (2004–2026, from npm `chinese-days` 1.5.7; see
//! `data/README.md`). The State Council publishes each next year's arrangement in
//! October–November, so a year the data does not contain cannot be answered: every
//! computation that touches such a year fails with [`CalendarError::YearNotCovered`]
//! instead of guessing from weekends.
//!
//! One more rule follows from how the arrangements are made: the New Year (元旦) holiday of
//! year Y+1 has several times moved days at the end of December of year Y (2007-12-29 and
//! 2018-12-29 were 调休 working days; 2006-12-30/31, 2007-12-30/31, 2018-12-30/31 days
//! off). So 29–31 December of Y are only answered when Y+1 is covered too.

use crate::division::{DataError, csv_records};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::LazyLock;

const HOLIDAYS_CSV: &str = include_str!("../../../data/holidays.csv");

/// What the official arrangement says about a listed date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 放假: an official day off (including days off in lieu).
    Holiday,
    /// 调休上班: a weekend day that is worked.
    Workday,
}

impl DayKind {
    /// Spelling in `data/holidays.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    fn parse(s: &str) -> Option<DayKind> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// One listed date: a row of `data/holidays.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRow {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// Festival the arrangement belongs to ("春节", "国庆节").
    pub name: String,
}

/// Why a calendar question cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The data has no holiday arrangement for this year.
    #[error("日历数据不含{0}年的节假日安排，请管理员先录入该年数据")]
    YearNotCovered(i32),
    /// A period of zero working days has no last day.
    #[error("工作日数应至少为1")]
    ZeroCount,
    /// The arithmetic ran off the end of the representable dates.
    #[error("日期超出可计算范围")]
    OutOfRange,
    /// The same date listed twice with different kinds.
    #[error("{0} 被同时列为放假日和调休上班日")]
    Conflict(NaiveDate),
    /// A 调休 working day that is not a Saturday or Sunday.
    #[error("{0} 不是周末，不能列为调休上班日")]
    WorkdayNotWeekend(NaiveDate),
    /// The holiday data file does not parse.
    #[error(transparent)]
    Data(#[from] DataError),
}

impl CalendarError {
    /// English rendering of the error.
    pub fn message_en(&self) -> String {
        match self {
            CalendarError::YearNotCovered(y) => format!(
                "the calendar has no holiday arrangement for {y}; an administrator must enter that year first"
            ),
            CalendarError::ZeroCount => "the number of working days must be at least 1".into(),
            CalendarError::OutOfRange => "the date is out of range".into(),
            CalendarError::Conflict(d) => format!("{d} is listed both as a holiday and a workday"),
            CalendarError::WorkdayNotWeekend(d) => {
                format!("{d} is not a weekend day and cannot be a make-up workday")
            }
            CalendarError::Data(e) => e.to_string(),
        }
    }
}

/// A working-day calendar: the listed days and the years the list covers.
#[derive(Clone, PartialEq, Eq)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, DayKind>,
    years: BTreeSet<i32>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("listed_days", &self.days.len())
            .field("years", &self.years)
            .finish()
    }
}

static EMPTY: Calendar = Calendar {
    days: BTreeMap::new(),
    years: BTreeSet::new(),
};

static OFFICIAL: LazyLock<Result<Calendar, CalendarError>> =
    LazyLock::new(|| Calendar::parse_csv(HOLIDAYS_CSV));

impl Calendar {
    /// The official calendar from the embedded `data/holidays.csv`. (Should that file not
    /// parse — a unit test rules it out — this is an empty calendar that covers no year, so
    /// every computation fails with [`CalendarError::YearNotCovered`]; see
    /// [`Calendar::check_official`].)
    pub fn official() -> &'static Calendar {
        OFFICIAL.as_ref().unwrap_or(&EMPTY)
    }

    /// `Ok` when the embedded holiday data parsed; the server checks this at start.
    pub fn check_official() -> Result<(), CalendarError> {
        match &*OFFICIAL {
            Ok(_) => Ok(()),
            Err(e) => Err(e.clone()),
        }
    }

    /// Builds a calendar from listed days. A year is covered when at least one row falls in
    /// it. Rejects a date listed as both kinds and a 调休 working day on a weekday.
    pub fn from_rows(
        rows: impl IntoIterator<Item = HolidayRow>,
    ) -> Result<Calendar, CalendarError> {
        let mut days = BTreeMap::new();
        let mut years = BTreeSet::new();
        for row in rows {
            if row.kind == DayKind::Workday && !is_weekend(row.date) {
                return Err(CalendarError::WorkdayNotWeekend(row.date));
            }
            if let Some(previous) = days.insert(row.date, row.kind)
                && previous != row.kind
            {
                return Err(CalendarError::Conflict(row.date));
            }
            years.insert(row.date.year());
        }
        Ok(Calendar { days, years })
    }

    /// Parses the `date,kind,name` CSV format of `data/holidays.csv`.
    pub fn parse_csv(text: &str) -> Result<Calendar, CalendarError> {
        Calendar::from_rows(parse_rows(text)?)
    }

    /// Whether the data has the holiday arrangement of `year`.
    pub fn covers(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    /// The covered years, ascending.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// What the arrangement says about `date`, if it is listed (no coverage check).
    pub fn listed(&self, date: NaiveDate) -> Option<DayKind> {
        self.days.get(&date).copied()
    }

    fn check_covered(&self, date: NaiveDate) -> Result<(), CalendarError> {
        let year = date.year();
        if !self.covers(year) {
            return Err(CalendarError::YearNotCovered(year));
        }
        // 29–31 December depend on next year's 元旦 arrangement (see the module docs).
        if date.month() == 12 && date.day() >= 29 && !self.covers(year + 1) {
            return Err(CalendarError::YearNotCovered(year + 1));
        }
        Ok(())
    }

    /// Whether `date` is a working day.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.check_covered(date)?;
        Ok(match self.days.get(&date) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !is_weekend(date),
        })
    }

    /// The date `n` working days after `from`: `from` itself when `n` is 0, otherwise the
    /// `n`-th working day strictly after `from` (whether or not `from` is a working day).
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        self.check_covered(from)?;
        let mut date = from;
        let mut left = n;
        while left > 0 {
            date = date.succ_opt().ok_or(CalendarError::OutOfRange)?;
            if self.is_working_day(date)? {
                left -= 1;
            }
        }
        Ok(date)
    }

    /// The first working day on or after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        let mut d = date;
        while !self.is_working_day(d)? {
            d = d.succ_opt().ok_or(CalendarError::OutOfRange)?;
        }
        Ok(d)
    }

    /// The last day of a period of `count` working days whose first day is the first
    /// working day on or after `from` ("自…起N个工作日内"). `count` must be at least 1.
    pub fn period_end(&self, from: NaiveDate, count: u32) -> Result<NaiveDate, CalendarError> {
        if count == 0 {
            return Err(CalendarError::ZeroCount);
        }
        let first = self.next_working_day(from)?;
        self.add_working_days(first, count - 1)
    }

    /// Working days in the closed range `from..=to` (0 when `to` is before `from`).
    pub fn working_days_between(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u32, CalendarError> {
        let mut n = 0u32;
        let mut d = from;
        while d <= to {
            if self.is_working_day(d)? {
                n += 1;
            }
            d = d.succ_opt().ok_or(CalendarError::OutOfRange)?;
        }
        Ok(n)
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn parse_rows(text: &str) -> Result<Vec<HolidayRow>, DataError> {
    const FILE: &str = "holidays.csv";
    let records = csv_records(FILE, text, "date,kind,name", 3)?;
    let mut rows = Vec::with_capacity(records.len());
    for (line, f) in records {
        let bad = |message: String| DataError {
            file: FILE,
            line,
            message,
        };
        let date = NaiveDate::parse_from_str(f[0], "%Y-%m-%d")
            .map_err(|_| bad(format!("日期「{}」应为 YYYY-MM-DD", f[0])))?;
        let kind = DayKind::parse(f[1])
            .ok_or_else(|| bad(format!("类别「{}」应为 holiday 或 workday", f[1])))?;
        rows.push(HolidayRow {
            date,
            kind,
            name: f[2].to_owned(),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn cal() -> &'static Calendar {
        Calendar::official()
    }

    #[test]
    fn embedded_data_parses_and_covers_2004_to_2026() {
        Calendar::check_official().unwrap();
        let years: Vec<i32> = cal().years().collect();
        assert_eq!(years, (2004..=2026).collect::<Vec<_>>());
        assert!(!cal().covers(2003));
        assert!(!cal().covers(2027));
        let rows = parse_rows(HOLIDAYS_CSV).unwrap();
        assert_eq!(rows.len(), 769);
        assert!(rows.iter().all(|r| !r.name.is_empty()));
    }

    #[test]
    fn ordinary_week() {
        // 2024-09-23 is a Monday; no holiday that week.
        assert_eq!(
            cal().period_end(d("2024-09-23"), 5).unwrap(),
            d("2024-09-27")
        );
        assert_eq!(
            cal().period_end(d("2024-09-23"), 1).unwrap(),
            d("2024-09-23")
        );
        // Starting on a Saturday: the period starts on Monday.
        assert_eq!(
            cal().period_end(d("2024-09-21"), 1).unwrap(),
            d("2024-09-23")
        );
    }

    #[test]
    fn national_day_2024() {
        // 2024: 10-01..10-07 off; Sun 09-29 and Sat 10-12 are 调休 working days.
        assert!(cal().is_working_day(d("2024-09-29")).unwrap());
        assert!(!cal().is_working_day(d("2024-09-28")).unwrap());
        for day in 1..=7 {
            let date = NaiveDate::from_ymd_opt(2024, 10, day).unwrap();
            assert!(!cal().is_working_day(date).unwrap(), "{date}");
        }
        assert!(cal().is_working_day(d("2024-10-12")).unwrap());
        assert!(!cal().is_working_day(d("2024-10-13")).unwrap());
        // Working days from Fri 09-27: 09-27 (1), Sun 09-29 (2), Mon 09-30 (3),
        // Tue 10-08 (4), Wed 10-09 (5).
        assert_eq!(
            cal().period_end(d("2024-09-27"), 5).unwrap(),
            d("2024-10-09")
        );
        // … Thu 10-10 (6), Fri 10-11 (7), Sat 10-12 调休 (8), Mon 10-14 (9).
        assert_eq!(
            cal().period_end(d("2024-09-27"), 8).unwrap(),
            d("2024-10-12")
        );
        assert_eq!(
            cal().period_end(d("2024-09-27"), 9).unwrap(),
            d("2024-10-14")
        );
        // Starting inside the holiday: the first working day is Tue 10-08.
        assert_eq!(
            cal().period_end(d("2024-10-01"), 1).unwrap(),
            d("2024-10-08")
        );
        assert_eq!(
            cal().add_working_days(d("2024-09-30"), 1).unwrap(),
            d("2024-10-08")
        );
        assert_eq!(
            cal().add_working_days(d("2024-09-30"), 0).unwrap(),
            d("2024-09-30")
        );
        assert_eq!(
            cal()
                .working_days_between(d("2024-09-27"), d("2024-10-12"))
                .unwrap(),
            8
        );
    }

    #[test]
    fn spring_festival_2025() {
        // 2025: Sun 01-26 调休 working day; 01-28..02-04 off; Sat 02-08 调休 working day.
        assert!(cal().is_working_day(d("2025-01-26")).unwrap());
        assert!(cal().is_working_day(d("2025-01-27")).unwrap());
        assert!(!cal().is_working_day(d("2025-01-28")).unwrap());
        assert!(!cal().is_working_day(d("2025-02-04")).unwrap());
        assert!(cal().is_working_day(d("2025-02-05")).unwrap());
        assert!(cal().is_working_day(d("2025-02-08")).unwrap());
        assert_eq!(cal().listed(d("2025-01-29")), Some(DayKind::Holiday));
        // From Sat 01-25: Sun 01-26 (1), Mon 01-27 (2), Wed 02-05 (3), Thu 02-06 (4),
        // Fri 02-07 (5), Sat 02-08 (6), Mon 02-10 (7).
        assert_eq!(
            cal().period_end(d("2025-01-25"), 1).unwrap(),
            d("2025-01-26")
        );
        assert_eq!(
            cal().period_end(d("2025-01-25"), 3).unwrap(),
            d("2025-02-05")
        );
        assert_eq!(
            cal().period_end(d("2025-01-25"), 6).unwrap(),
            d("2025-02-08")
        );
        assert_eq!(
            cal().period_end(d("2025-01-25"), 7).unwrap(),
            d("2025-02-10")
        );
    }

    #[test]
    fn uncovered_years_fail_loudly() {
        let err = cal().period_end(d("2026-12-01"), 30).unwrap_err();
        assert_eq!(err, CalendarError::YearNotCovered(2027));
        assert_eq!(
            err.to_string(),
            "日历数据不含2027年的节假日安排，请管理员先录入该年数据"
        );
        assert_eq!(
            cal().is_working_day(d("2027-03-01")),
            Err(CalendarError::YearNotCovered(2027))
        );
        assert_eq!(
            cal().is_working_day(d("2003-12-01")),
            Err(CalendarError::YearNotCovered(2003))
        );
        assert_eq!(
            cal().add_working_days(d("2003-12-31"), 1),
            Err(CalendarError::YearNotCovered(2003))
        );
        assert!(err.message_en().contains("2027"));
    }

    #[test]
    fn end_of_december_needs_next_years_arrangement() {
        // Mon 2026-12-28 is answerable; 12-29..12-31 wait for the 2027 元旦 arrangement.
        assert!(cal().is_working_day(d("2026-12-28")).unwrap());
        assert_eq!(
            cal().period_end(d("2026-12-28"), 1).unwrap(),
            d("2026-12-28")
        );
        assert_eq!(
            cal().period_end(d("2026-12-28"), 2),
            Err(CalendarError::YearNotCovered(2027))
        );
        // Where the next year is known, those days are ordinary: 2018-12-29 (Sat) was a
        // 调休 working day for 元旦 2019, 2018-12-31 (Mon) a day off.
        assert!(cal().is_working_day(d("2018-12-29")).unwrap());
        assert!(!cal().is_working_day(d("2018-12-31")).unwrap());
    }

    #[test]
    fn zero_count_is_an_error() {
        assert_eq!(
            cal().period_end(d("2024-09-23"), 0),
            Err(CalendarError::ZeroCount)
        );
        assert_eq!(CalendarError::ZeroCount.to_string(), "工作日数应至少为1");
    }

    #[test]
    fn from_rows_for_tests_and_new_years() {
        let rows = vec![
            HolidayRow {
                date: d("2030-01-01"),
                kind: DayKind::Holiday,
                name: "元旦".into(),
            },
            HolidayRow {
                date: d("2030-01-05"),
                kind: DayKind::Workday,
                name: "元旦".into(),
            },
        ];
        let c = Calendar::from_rows(rows.clone()).unwrap();
        assert!(c.covers(2030));
        assert!(!c.covers(2031));
        // Tue 2030-01-01 off, Sat 01-05 worked.
        assert!(!c.is_working_day(d("2030-01-01")).unwrap());
        assert!(c.is_working_day(d("2030-01-05")).unwrap());
        assert_eq!(c.period_end(d("2030-01-01"), 4).unwrap(), d("2030-01-05"));

        let mut conflicting = rows.clone();
        conflicting.push(HolidayRow {
            date: d("2030-01-05"),
            kind: DayKind::Holiday,
            name: "x".into(),
        });
        assert_eq!(
            Calendar::from_rows(conflicting),
            Err(CalendarError::Conflict(d("2030-01-05")))
        );
        let weekday_workday = vec![HolidayRow {
            date: d("2030-01-02"),
            kind: DayKind::Workday,
            name: "x".into(),
        }];
        assert_eq!(
            Calendar::from_rows(weekday_workday),
            Err(CalendarError::WorkdayNotWeekend(d("2030-01-02")))
        );
    }

    #[test]
    fn bad_csv_is_an_error_not_a_panic() {
        assert!(matches!(
            Calendar::parse_csv("date,kind,name\n2030-13-01,holiday,元旦\n"),
            Err(CalendarError::Data(DataError { line: 2, .. }))
        ));
        assert!(matches!(
            Calendar::parse_csv("date,kind\n"),
            Err(CalendarError::Data(DataError { line: 1, .. }))
        ));
        assert!(matches!(
            Calendar::parse_csv("date,kind,name\n2030-01-01,off,元旦\n"),
            Err(CalendarError::Data(_))
        ));
    }

    #[test]
    fn working_days_per_year_are_plausible() {
        for year in 2004..=2026 {
            let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
            let last = NaiveDate::from_ymd_opt(year, 12, 28).unwrap();
            let n = cal().working_days_between(first, last).unwrap();
            // Roughly 245–251 working days a year, minus the last three days of December.
            assert!((240..=252).contains(&n), "{year}: {n}");
        }
    }

    fn covered_date() -> impl Strategy<Value = NaiveDate> {
        // 2004-01-01 .. about 2026-06-30: far enough from the end for 100 working days.
        let start = NaiveDate::from_ymd_opt(2004, 1, 1).unwrap();
        (0i64..8216).prop_map(move |days| start + chrono::Duration::days(days))
    }

    proptest! {
        #[test]
        fn period_end_is_a_working_day_and_grows(from in covered_date(), n in 1u32..100) {
            let end = cal().period_end(from, n).unwrap();
            prop_assert!(end >= from);
            prop_assert!(cal().is_working_day(end).unwrap());
            let next = cal().period_end(from, n + 1).unwrap();
            prop_assert!(next > end);
            prop_assert_eq!(cal().working_days_between(from, end).unwrap(), n);
            prop_assert_eq!(cal().add_working_days(end, 1).unwrap(), next);
        }
    }
}
