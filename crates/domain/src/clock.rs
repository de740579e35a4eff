//! Time is a parameter. Code that needs "now" takes a `&dyn Clock`, so a test can say
//! "30 April has passed" without waiting (SPEC §8, STYLE habit 10).

#[cfg(test)]
use chrono::TimeZone;
use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};
use std::sync::Mutex;

/// China Standard Time: UTC+8 all year, no daylight saving.
pub fn china_offset() -> FixedOffset {
    // 8 * 3600 is always in range; `east_opt` only fails outside ±24h.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// The China calendar date (UTC+8) of an instant: the date every deadline refers to.
pub fn china_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&china_offset()).date_naive()
}

pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;

    /// Today's date in China (UTC+8), which is the date every deadline refers to.
    fn today(&self) -> NaiveDate {
        china_date(self.now())
    }
}

/// The real clock. Only the binary constructs it.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    /// Set the clock to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut guard) = self.0.lock() {
            *guard = at;
        }
    }

    /// Move the clock forward (or back, for a negative duration).
    pub fn advance(&self, by: chrono::Duration) {
        if let Ok(mut guard) = self.0.lock() {
            *guard += by;
        }
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        match self.0.lock() {
            Ok(guard) => *guard,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_the_china_date() {
        // 2024-04-30 16:30 UTC is already 1 May 00:30 in Beijing.
        let at = Utc.with_ymd_and_hms(2024, 4, 30, 16, 30, 0).single();
        let clock = FixedClock::new(at.unwrap_or_default());
        assert_eq!(
            clock.today(),
            NaiveDate::from_ymd_opt(2024, 5, 1).unwrap_or_default()
        );
        clock.advance(chrono::Duration::hours(-1));
        assert_eq!(
            clock.today(),
            NaiveDate::from_ymd_opt(2024, 4, 30).unwrap_or_default()
        );
    }
}
