//! Station time: China Standard Time (UTC+8, no daylight saving).
//!
//! Case numbers, "today's duty" and overdue checks all follow the station's calendar, so every
//! stored time is normalised to +08:00 and to the second: stored times then sort as text.
//!
//! Every reading of the station's clock goes through [`china_now`]. With the `test-clock`
//! feature (enabled only by the workspace's tests, never in a shipped build) that clock can be
//! set: see `test_clock`.

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Timelike, Utc};

/// UTC+8.
pub const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// Now, in station time.
pub fn china_now() -> DateTime<FixedOffset> {
    to_china(station_clock().fixed_offset())
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

#[cfg(not(feature = "test-clock"))]
fn station_clock() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(feature = "test-clock")]
fn station_clock() -> DateTime<Utc> {
    let now = Utc::now();
    now.checked_add_signed(test_clock::shift()).unwrap_or(now)
}

#[cfg(feature = "test-clock")]
pub mod test_clock {
    //! A station clock the tests set, so that no test depends on the hour it runs at.
    //!
    //! A test that records a reception "an hour ago" and looks for it under today fails between
    //! midnight and one o'clock, and a suite started at 23:59 crosses midnight half-way. So the
    //! tests move the station's clock by a fixed shift from the PC's clock, chosen once per
    //! process ([`pin_to_noon`]) and handed to the `casebook` processes they start through
    //! [`SHIFT_VAR`]; a test of a day's or a year's edge starts a process with the shift that
    //! puts it there ([`shift_to`]). The clock still runs, so times recorded one after another
    //! stay in order. The hybrid logical clock of the change log keeps the PC's own clock: it
    //! orders changes, it is not a date.

    use std::sync::OnceLock;

    use chrono::{DateTime, FixedOffset, NaiveTime, TimeDelta, Utc};

    use super::CHINA;

    /// Environment variable holding the shift in whole seconds (`-3600` is an hour behind).
    pub const SHIFT_VAR: &str = "CASEBOOK_TEST_CLOCK_SHIFT";

    static SHIFT: OnceLock<TimeDelta> = OnceLock::new();

    /// The shift in force: the one pinned in this process, else [`SHIFT_VAR`]'s, else none.
    pub fn shift() -> TimeDelta {
        *SHIFT.get_or_init(|| from_env().unwrap_or_default())
    }

    /// Pins this process's station clock at noon of the station's current day, unless it was
    /// already set (then that shift stays), and returns the shift in seconds for [`SHIFT_VAR`].
    /// Twelve hours on either side: no test runs long enough to reach a midnight.
    pub fn pin_to_noon() -> i64 {
        SHIFT
            .get_or_init(|| {
                from_env().unwrap_or_else(|| {
                    let now = Utc::now();
                    let noon = now
                        .with_timezone(&CHINA)
                        .with_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
                        .single()
                        .map_or(now, |noon| noon.with_timezone(&Utc));
                    TimeDelta::seconds((noon - now).num_seconds())
                })
            })
            .num_seconds()
    }

    /// The shift, in seconds for [`SHIFT_VAR`], that makes the station clock read `at` now.
    pub fn shift_to(at: DateTime<FixedOffset>) -> i64 {
        (at.with_timezone(&Utc) - Utc::now()).num_seconds()
    }

    /// A shift of at most a century; anything else is ignored rather than overflowing a date.
    fn from_env() -> Option<TimeDelta> {
        let seconds: i64 = std::env::var(SHIFT_VAR).ok()?.trim().parse().ok()?;
        let shift = TimeDelta::try_seconds(seconds)?;
        (shift.num_days().abs() <= 36_525).then_some(shift)
    }
}
