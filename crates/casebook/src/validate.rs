//! Field rules shared by every record: ID numbers, mobile numbers, dates.
//!
//! Each check refuses with a stable [`ErrorKind`] and a message that names the field the way
//! the reception form does, so the deputy knows what to correct.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta};

use crate::error::{Error, ErrorKind, Result};
use crate::time::{china_now, china_today};

/// How far ahead of this PC's clock a time may be before it counts as "in the future":
/// station PCs and phones drift by minutes.
const CLOCK_TOLERANCE: TimeDelta = TimeDelta::minutes(10);

/// Checks an 18-digit resident ID number (GB 11643-1999): birth date and check digit.
///
/// Accepts a lower-case `x` as the check digit and returns the canonical upper-case form.
pub fn id_number(field: &str, raw: &str) -> Result<String> {
    let id = raw.trim().to_ascii_uppercase();
    let refuse = |why: &str| {
        Error::refused(
            ErrorKind::InvalidIdNumber,
            format!(
                "{field}“{}”不是有效的身份证号码：{why}",
                mask_id_number(&id)
            ),
        )
    };
    let bytes = id.as_bytes();
    if bytes.len() != 18 {
        return Err(refuse("应为18位"));
    }
    if !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
    {
        return Err(refuse("前17位应为数字，最后一位为数字或X"));
    }
    let birth =
        NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").map_err(|_| refuse("出生日期不存在"))?;
    if birth.year() < 1900 || birth > china_today() {
        return Err(refuse("出生日期不合理"));
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    if CHECK[(sum % 11) as usize] != bytes[17] {
        return Err(refuse("校验位不符，请核对是否抄错"));
    }
    Ok(id)
}

/// Checks a mainland mobile number: `1[3-9]` and 9 more digits. Spaces and dashes are dropped.
pub fn mobile(field: &str, raw: &str) -> Result<String> {
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let ok = digits.len() == 11
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.as_bytes()[0] == b'1'
        && (b'3'..=b'9').contains(&digits.as_bytes()[1]);
    if ok {
        Ok(digits)
    } else {
        Err(Error::refused(
            ErrorKind::InvalidPhone,
            format!("{field}“{raw}”不是有效的手机号码：应为1开头的11位数字，第二位为3至9"),
        ))
    }
}

/// Refuses a time later than now (with a few minutes' tolerance for clock drift).
pub fn not_in_future(field: &str, at: DateTime<FixedOffset>) -> Result<()> {
    if at > china_now() + CLOCK_TOLERANCE {
        return Err(Error::refused(
            ErrorKind::FutureDate,
            format!(
                "{field}（{}）晚于当前时间，请核对日期",
                at.format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    Ok(())
}

/// Refuses a calendar date later than today.
pub fn date_not_in_future(field: &str, date: NaiveDate) -> Result<()> {
    if date > china_today() {
        return Err(Error::refused(
            ErrorKind::FutureDate,
            format!("{field}（{date}）晚于今天，请核对日期"),
        ));
    }
    Ok(())
}

/// Refuses an empty (or all-blank) required text and returns it trimmed.
pub fn required_text(field: &str, text: &str) -> Result<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(format!("请填写{field}")));
    }
    Ok(trimmed.to_owned())
}

/// Trims an optional text; blank becomes `None`.
pub fn optional_text(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// `1101**********1234`: the only form of an ID number that may appear on printed or listed
/// output outside the station's own stub (the province and city stay, the county and the birth
/// date go).
pub fn mask_id_number(id: &str) -> String {
    mask_middle(id.trim(), 4, 4)
}

/// `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    mask_middle(phone.trim(), 3, 4)
}

fn mask_middle(text: &str, keep_front: usize, keep_back: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= keep_front + keep_back {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_front || i >= chars.len() - keep_back {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("11010519491231002X")]
    #[case("11010519491231002x")]
    #[case("110101199003074477")]
    fn accepts_valid_id_numbers(#[case] id: &str) {
        assert_eq!(id_number("身份证号", id).unwrap(), id.to_ascii_uppercase());
    }

    #[rstest]
    #[case("110105194912310021", "校验位")]
    #[case("11010519491231002", "18位")]
    #[case("1101051949123100X2", "前17位")]
    #[case("110105194902300028", "出生日期不存在")]
    #[case("110105299901010028", "出生日期")]
    fn refuses_bad_id_numbers(#[case] id: &str, #[case] why: &str) {
        let err = id_number("身份证号", id).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidIdNumber);
        assert!(err.to_string().contains(why), "{err}");
        assert!(
            !err.to_string().contains(&id[6..14]) || id.len() != 18,
            "message leaks the ID: {err}"
        );
    }

    #[rstest]
    #[case("13800138000", "13800138000")]
    #[case("199 1234 5678", "19912345678")]
    #[case("150-1234-5678", "15012345678")]
    fn accepts_mobiles(#[case] raw: &str, #[case] canonical: &str) {
        assert_eq!(mobile("电话", raw).unwrap(), canonical);
    }

    #[rstest]
    #[case("12800138000")]
    #[case("1380013800")]
    #[case("138001380001")]
    #[case("0750-1234567")]
    #[case("1380013800a")]
    fn refuses_bad_mobiles(#[case] raw: &str) {
        assert_eq!(
            mobile("电话", raw).unwrap_err().kind(),
            ErrorKind::InvalidPhone
        );
    }

    #[test]
    fn refuses_future_times_but_tolerates_drift() {
        assert!(not_in_future("接待时间", china_now() + TimeDelta::minutes(5)).is_ok());
        let err = not_in_future("接待时间", china_now() + TimeDelta::days(1)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FutureDate);
        assert!(date_not_in_future("日期", china_today()).is_ok());
        assert!(date_not_in_future("日期", china_today() + TimeDelta::days(1)).is_err());
    }

    #[test]
    fn masks_keep_only_ends() {
        assert_eq!(mask_id_number("11010519491231002X"), "1101**********002X");
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn blank_required_text_is_refused() {
        assert!(required_text("事由", "  ").is_err());
        assert_eq!(required_text("事由", " 修路 ").unwrap(), "修路");
        assert_eq!(optional_text(Some("  ")), None);
    }
}
