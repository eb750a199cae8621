//! Station time: China Standard Time (UTC+8, no daylight saving).
//!
//! Case numbers, "today's duty" and overdue checks all follow the station's calendar, so every
//! stored time is normalised to +08:00 and to the second: stored times then sort as text.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Timelike, Utc};

/// UTC+8.
pub const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// Now, in station time.
pub fn china_now() -> DateTime<FixedOffset> {
    to_china(Utc::now().fixed_offset())
}

/// Today's date at the station.
pub fn china_today() -> NaiveDate {
    china_now().date_naive()
}

/// Normalises any offset to station time, to the second.
pub fn to_china(at: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
    let at = at.with_timezone(&CHINA);
    at.with_nanosecond(0).unwrap_or(at)
}

/// The stored text form: `2026-11-28T09:30:00+08:00`.
pub fn stored(at: DateTime<FixedOffset>) -> String {
    to_china(at).to_rfc3339_opts(SecondsFormat::Secs, false)
}
