//! Printed documents as self-contained HTML with print CSS: one file that the app previews and
//! prints, that the CLI writes, and that headless Chromium turns into the same PDF. Nothing is
//! fetched: styles are inline and QR codes are inline SVG, so a document opens offline.
//!
//! Templates live in `templates/` (askama, escaped by default: a matter typed as
//! `<img onerror=…>` prints as text). Pages are A4 with the GB/T 9704 margins (top 37 mm,
//! binding side 28 mm, a 156 × 225 mm text block). Each document is a template extending
//! `document.html`, a struct of display strings prepared here, and a `render_*` function over
//! a [`Book`]. The print stylesheet every document shares is `assets/print.css` at the
//! repository's top (found through `askama.toml`), included inline by `document.html`.
//! A field the book does not hold (a party's ethnicity, the committee's name) prints as a line
//! to fill in by hand: documents never invent data. Which documents mask what is written in
//! `docs/documents.md`.

pub(crate) mod chart;
mod correction;
mod deputy_file;
mod mediation;
mod minutes;
mod referral;
pub(crate) mod register;
mod slip;
mod suggestion;

pub use correction::render_correction;
pub use deputy_file::{deputy_file_id, render_deputy_file};
pub use mediation::{MediationDocument, render_mediation};
pub use minutes::render_minutes;
pub use referral::{ReferralDocument, render_referral};
pub use register::render_register;
pub use slip::{SlipOptions, render_slip};
pub use suggestion::render_suggestion;

/// Every printed document, by the name the CLI (`render KIND`) and the app use: serde's
/// kebab-case names (`slip`, `mediation-intake`, `follow-up`, …) are the names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Document {
    /// 接待回执 of a case (id: the case number).
    Slip,
    /// 接待登记表 of a range of days (id: `2026-11-01..2026-11-30`, `2026-11-28` or `2026-11`).
    Register,
    /// 人民调解申请书 (id: the mediation's number or id, as for every mediation document).
    MediationApplication,
    /// 人民调解受理登记表.
    MediationIntake,
    /// 人民调解权利义务告知书.
    RightsNotice,
    /// 人民调解调查记录.
    Investigation,
    /// 人民调解记录.
    MediationRecord,
    /// 人民调解协议书 (needs a recorded agreement).
    Agreement,
    /// 人民调解回访记录.
    FollowUp,
    /// 人民调解卷宗封面.
    MediationCover,
    /// 会议记录 of a council meeting (id: the meeting id).
    Minutes,
    /// 编号更正通知 of a case or mediation renumbered after a restore (id: its new number).
    Correction,
    /// 交办单 of a case's latest referral (id: the case number).
    Referral,
    /// 督办单 of the latest chase of a case's referral (id: the case number).
    Chase,
    /// 代表履职档案 of a deputy for a year (id: `DEPUTY:YEAR`, the deputy's id or name).
    DeputyFile,
    /// 代表建议 form (id: the suggestion's number, `2026-1`, or its id).
    Suggestion,
}

impl Document {
    /// Every document, in the order the CLI lists them.
    pub const ALL: [Document; 16] = [
        Document::Slip,
        Document::Register,
        Document::MediationApplication,
        Document::MediationIntake,
        Document::RightsNotice,
        Document::Investigation,
        Document::MediationRecord,
        Document::Agreement,
        Document::FollowUp,
        Document::MediationCover,
        Document::Minutes,
        Document::Correction,
        Document::Referral,
        Document::Chase,
        Document::DeputyFile,
        Document::Suggestion,
    ];

    /// The document's title as printed (人民调解受理登记表).
    pub fn label(self) -> &'static str {
        match self {
            Document::Slip => "接待回执",
            Document::Register => "接待登记表",
            Document::MediationApplication => "人民调解申请书",
            Document::MediationIntake => "人民调解受理登记表",
            Document::RightsNotice => "人民调解权利义务告知书",
            Document::Investigation => "人民调解调查记录",
            Document::MediationRecord => "人民调解记录",
            Document::Agreement => "人民调解协议书",
            Document::FollowUp => "人民调解回访记录",
            Document::MediationCover => "人民调解卷宗封面",
            Document::Minutes => "民主议事会会议记录",
            Document::Correction => "编号更正通知",
            Document::Referral => "交办单",
            Document::Chase => "督办单",
            Document::DeputyFile => "代表履职档案",
            Document::Suggestion => "代表建议",
        }
    }

    /// The document's name (`mediation-intake`).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The document called `name`, or a refusal listing the names.
    pub fn parse(name: &str) -> Result<Document> {
        use serde::de::value::{Error as ValueError, StrDeserializer};
        Document::deserialize(StrDeserializer::<ValueError>::new(name.trim())).map_err(|_| {
            let names: Vec<String> = Self::ALL.iter().map(|known| known.name()).collect();
            Error::invalid(format!("没有“{name}”这种文书，可用：{}", names.join("、")))
        })
    }
}

/// `document` of the record `id` as a self-contained HTML page. `slip` (the station's phone)
/// applies to the documents that print it: slips, correction notices, 交办单 and 督办单.
///
/// # Errors
/// `not_found` for an unknown record, `invalid` for a malformed range or a document the
/// record cannot have yet (an agreement before one was reached); storage errors.
pub fn render_document(
    book: &Book,
    document: Document,
    id: &str,
    slip: &SlipOptions,
) -> Result<String> {
    let mediation = |which| render_mediation(book, which, id);
    match document {
        Document::Slip => render_slip(book, id, slip),
        Document::Register => render_register(book, DayRange::parse(id)?),
        Document::Minutes => render_minutes(book, id),
        Document::Correction => render_correction(book, id, slip),
        Document::Referral => render_referral(book, id, ReferralDocument::Referral, slip),
        Document::Chase => render_referral(book, id, ReferralDocument::Chase, slip),
        Document::DeputyFile => {
            let (deputy, year) = deputy_file_id(id)?;
            render_deputy_file(book, deputy, year)
        }
        Document::Suggestion => render_suggestion(book, id),
        Document::MediationApplication => mediation(MediationDocument::Application),
        Document::MediationIntake => mediation(MediationDocument::Intake),
        Document::RightsNotice => mediation(MediationDocument::RightsNotice),
        Document::Investigation => mediation(MediationDocument::Investigation),
        Document::MediationRecord => mediation(MediationDocument::Record),
        Document::Agreement => mediation(MediationDocument::Agreement),
        Document::FollowUp => mediation(MediationDocument::FollowUp),
        Document::MediationCover => mediation(MediationDocument::Cover),
    }
}

use askama::Template;
use chrono::{DateTime, FixedOffset, NaiveDate};
use qrcode::QrCode;
use qrcode::render::svg;
use serde::{Deserialize, Serialize};

use casebook::domain::Sex;
pub(crate) use casebook::validate::{mask_id_number, mask_phone};
use casebook::{Book, Error, Result};

/// A range of whole days, both ends included, in station time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

impl DayRange {
    /// The days from `from` to `to`, refused when they are the wrong way round.
    ///
    /// # Errors
    /// `invalid` when `from` is after `to`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<DayRange> {
        if from > to {
            return Err(Error::invalid(format!(
                "开始日期（{from}）不能晚于结束日期（{to}）"
            )));
        }
        Ok(DayRange { from, to })
    }

    /// Reads `2026-11-01..2026-11-30`, one day `2026-11-28`, or one month `2026-11`.
    ///
    /// # Errors
    /// `invalid` with the accepted forms for anything else, or a range the wrong way round.
    pub fn parse(text: &str) -> Result<DayRange> {
        let text = text.trim();
        let bad = || {
            Error::invalid(format!(
                "日期范围“{text}”写法不对，应写作 2026-11-01..2026-11-30、2026-11-28 或 2026-11"
            ))
        };
        let day = |t: &str| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d").map_err(|_| bad());
        if let Some((from, to)) = text.split_once("..") {
            return DayRange::new(day(from)?, day(to)?);
        }
        if let Ok(one) = day(text) {
            return DayRange::new(one, one);
        }
        let first =
            NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").map_err(|_| bad())?;
        let last = first
            .checked_add_months(chrono::Months::new(1))
            .and_then(|next| next.pred_opt())
            .ok_or_else(bad)?;
        DayRange::new(first, last)
    }

    /// `2026年11月1日至2026年11月30日`, or the one day.
    pub fn label(&self) -> String {
        if self.from == self.to {
            chinese_date(self.from)
        } else {
            format!("{}至{}", chinese_date(self.from), chinese_date(self.to))
        }
    }
}

/// `2026年11月28日`.
pub(crate) fn chinese_date(date: NaiveDate) -> String {
    date.format("%Y年%-m月%-d日").to_string()
}

/// `2026年11月28日 09:30`.
pub(crate) fn chinese_time(at: DateTime<FixedOffset>) -> String {
    at.format("%Y年%-m月%-d日 %H:%M").to_string()
}

/// `山林土地（出嫁女土地权益）`: a type with its finer type.
pub(crate) fn category_label(category: &str, subcategory: Option<&str>) -> String {
    match subcategory {
        Some(sub) => format!("{category}（{sub}）"),
        None => category.to_owned(),
    }
}

/// Renders a document, naming it if the template fails.
pub(crate) fn page(document: &impl Template, what: &str) -> Result<String> {
    document
        .render()
        .map_err(|err| Error::Internal(format!("{what}排版失败：{err}")))
}

/// A sex as printed: blank when not recorded.
pub(crate) fn sex_label(sex: Option<Sex>) -> &'static str {
    sex.map_or("", Sex::label)
}

/// `3` as `三`, for "一式三份" (numbers below a hundred; larger ones stay in digits).
fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if n >= 100 {
        return n.to_string();
    }
    let digit = |d: u32| DIGITS[d as usize];
    let (tens, ones) = (n / 10, n % 10);
    let tens = match tens {
        0 => return digit(ones).to_owned(),
        1 => String::from("十"),
        _ => format!("{}十", digit(tens)),
    };
    if ones == 0 { tens } else { tens + digit(ones) }
}

/// `text` as an inline SVG QR code, generated here (no service, no network).
fn qr_svg(text: &str) -> Result<String> {
    let code = QrCode::new(text.as_bytes())
        .map_err(|err| Error::invalid(format!("无法生成二维码：{err}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(96, 96)
        .quiet_zone(false)
        .build();
    // Drop the XML declaration: the SVG goes inside an HTML page.
    Ok(image
        .find("<svg")
        .map_or(image.clone(), |start| image[start..].to_owned()))
}

/// The station's name as the roster has it (the book's own name before a roster arrives).
pub(crate) fn printed_station_name(book: &Book) -> Result<String> {
    Ok(book
        .own_station()?
        .map_or_else(|| book.origin().name.clone(), |s| s.name))
}

/// Shortens `text` to `max` characters for a printed or listed summary, marking the cut.
pub fn summary(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(max).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_ranges_in_three_forms() {
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        let range = |from, to| DayRange { from, to };
        assert_eq!(
            DayRange::parse("2026-11-01..2026-11-30").unwrap(),
            range(day(11, 1), day(11, 30))
        );
        assert_eq!(
            DayRange::parse(" 2026-11-28 ").unwrap(),
            range(day(11, 28), day(11, 28))
        );
        assert_eq!(
            DayRange::parse("2026-02").unwrap(),
            range(day(2, 1), day(2, 28))
        );
        assert_eq!(
            DayRange::parse("2026-12").unwrap().to,
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
        let backwards = DayRange::parse("2026-11-30..2026-11-01").unwrap_err();
        assert!(backwards.to_string().contains("不能晚于"), "{backwards}");
        for bad in [
            "",
            "2026-13",
            "2026-11-31",
            "上个月",
            "2026-11-01..",
            "2026/11/01",
        ] {
            let err = DayRange::parse(bad).unwrap_err();
            assert_eq!(err.kind(), casebook::ErrorKind::Invalid, "{bad}");
        }
    }

    #[test]
    fn copies_in_chinese_numerals() {
        let words: Vec<String> = [1, 3, 10, 12, 20, 45, 100].map(chinese_number).into();
        assert_eq!(words, ["一", "三", "十", "十二", "二十", "四十五", "100"]);
    }

    #[test]
    fn summaries_cut_on_characters_not_bytes() {
        assert_eq!(summary("出嫁女土地权益", 3), "出嫁女…");
        assert_eq!(summary(" 短 ", 3), "短");
    }

    #[test]
    fn qr_code_is_inline_svg() {
        let svg = qr_svg("BX-2026-0001").unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("viewBox"));
    }

    /// The names the CLI, the app and the docs use, each read back to its document.
    #[test]
    fn documents_go_by_their_names() {
        let names: Vec<String> = Document::ALL.iter().map(|d| d.name()).collect();
        assert_eq!(
            names,
            [
                "slip",
                "register",
                "mediation-application",
                "mediation-intake",
                "rights-notice",
                "investigation",
                "mediation-record",
                "agreement",
                "follow-up",
                "mediation-cover",
                "minutes",
                "correction",
                "referral",
                "chase",
                "deputy-file",
                "suggestion",
            ]
        );
        for document in Document::ALL {
            assert_eq!(Document::parse(&document.name()).unwrap(), document);
        }
        let err = Document::parse("receipt").unwrap_err();
        assert_eq!(err.kind(), casebook::ErrorKind::Invalid);
        assert!(err.to_string().contains("slip、register"), "{err}");
    }
}
