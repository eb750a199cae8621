//! The 编号更正通知: a record typed at a restored station took a new number when the town sent
//! the station's log back (the town's copy had given the old one to another record). The
//! visitor holds a slip, or the parties a mediation paper, with the old number; this notice
//! tells them the new one. A stub the station keeps and the notice, cut apart like the slip.

use askama::Template;
use casebook::store::read::{Renumbered, RenumberedKind};
use casebook::{Book, Error, Result};
use chrono::DateTime;

use super::slip::{SlipOptions, printed_station_phone};
use super::{chinese_date, chinese_time, page, printed_station_name, qr_svg};

#[derive(Template)]
#[template(path = "correction.html")]
struct Correction {
    station_name: String,
    station_phone: String,
    /// 案件编号 or 调解编号.
    number_label: &'static str,
    number: String,
    former: String,
    /// Whom the notice addresses: the visitors or the applicants, as the slip's receipt
    /// shows them (a confidential visit's names withheld).
    addressee: String,
    /// What they came for, with when: `2026年11月30日 10:00在本站反映的事项`.
    matter: String,
    issued: String,
    qr: String,
}

/// The notice for the record now numbered `number` (a case or a mediation file).
///
/// # Errors
/// `invalid` when the record never took a new number (there is nothing to correct), or
/// `not_found`; storage errors.
pub fn render_correction(book: &Book, number: &str, options: &SlipOptions) -> Result<String> {
    let number = number.trim();
    let Renumbered {
        kind, former, at, ..
    } = book
        .renumbered()?
        .into_iter()
        .find(|record| record.number == number)
        .ok_or_else(|| {
            Error::invalid(format!(
                "“{number}”的编号没有更正过，不需要更正通知（请写更正后的新编号）"
            ))
        })?;
    let when = DateTime::parse_from_rfc3339(&at)
        .map(chinese_time)
        .unwrap_or(at);
    let (number_label, addressee, matter) = match kind {
        RenumberedKind::Case => {
            let reception = book.case(number)?.reception.for_outside();
            let names: Vec<String> = reception
                .visitors
                .iter()
                .map(|v| v.name.clone().unwrap_or_else(|| "来访人".to_owned()))
                .collect();
            (
                "案件编号",
                names.join("、"),
                format!("{when}在本站反映的事项"),
            )
        }
        RenumberedKind::Mediation => {
            let file = book
                .mediation_with_events(number)?
                .ok_or_else(|| Error::not_found(format!("找不到调解案件“{number}”")))?;
            let names: Vec<String> = file
                .mediation
                .parties
                .iter()
                .map(|party| party.name.clone())
                .collect();
            (
                "调解编号",
                names.join("、"),
                format!("{when}受理的人民调解"),
            )
        }
    };
    let notice = Correction {
        station_name: printed_station_name(book)?,
        station_phone: printed_station_phone(book, options)?,
        number_label,
        number: number.to_owned(),
        former,
        addressee: if addressee.is_empty() {
            "来访人".to_owned()
        } else {
            addressee
        },
        matter,
        issued: chinese_date(casebook::time::china_today()),
        qr: qr_svg(number)?,
    };
    page(&notice, "编号更正通知")
}
