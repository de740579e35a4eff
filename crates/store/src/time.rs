//! Timestamps as sortable RFC 3339 text (UTC, microseconds), the same on both backends.

use crate::StoreError;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

pub fn to_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn from_text(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("时间「{s}」格式错误：{e}")))
}

pub fn date_to_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn date_from_text(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| StoreError::Corrupt(format!("日期「{s}」格式错误：{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trips_and_sorts_as_text() {
        let a = Utc.with_ymd_and_hms(2024, 4, 30, 23, 59, 59).unwrap();
        let b = a + chrono::Duration::microseconds(1);
        assert_eq!(from_text(&to_text(a)).unwrap(), a);
        assert!(to_text(a) < to_text(b));
    }
}
