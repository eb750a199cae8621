//! The reception register (接待登记表): every reception of a range of days, one row each, as the
//! station files it. The same rows feed the reports' case register (without visitors).

use askama::Template;
use casebook::store::documents::RegisterEntry;
use casebook::{Book, Result};

use super::{DayRange, category_label, chinese_time, mask_id_number, page, printed_station_name};

/// Type and finer type of a listed reception.
pub(crate) fn category(row: &RegisterEntry) -> String {
    category_label(
        &row.reception.category,
        row.reception.subcategory.as_deref(),
    )
}

/// A visitor as the register prints them.
struct VisitorCell {
    name: String,
    detail: String,
}

/// A row as printed.
struct PrintedRow {
    number: usize,
    case_no: String,
    received: String,
    channel: &'static str,
    visitors: Vec<VisitorCell>,
    head_count: u32,
    category: String,
    matter: String,
    request: String,
    proposed_handling: String,
    deputies: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "register.html")]
struct Register {
    station_name: String,
    period: String,
    rows: Vec<PrintedRow>,
    people: u64,
}

/// The reception register of `range` as a self-contained HTML page (A4, print CSS).
///
/// The register stays at the station: names, phones and addresses print in full, ID
/// numbers masked (a list of many people's numbers is not needed to call anyone back), and
/// a visitor who asked for confidentiality as 来访人要求保密.
///
/// # Errors
/// Storage errors. An empty range prints an empty register.
pub fn render_register(book: &Book, range: DayRange) -> Result<String> {
    let station = match book.origin().kind {
        casebook::store::BookKind::Station => Some(book.origin().code.clone()),
        casebook::store::BookKind::Town | casebook::store::BookKind::County => None,
    };
    let rows = book.register_entries(range.from, range.to, station.as_deref())?;
    let people = rows.iter().map(|r| u64::from(r.reception.head_count)).sum();
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let r = &row.reception;
            // Even the station's register shows a confidential visitor withheld: only the
            // slip's stub names them.
            let outside = r.for_outside();
            PrintedRow {
                number: i + 1,
                case_no: r.case_no.clone(),
                received: chinese_time(r.received_at),
                channel: r.channel.label(),
                visitors: outside
                    .visitors
                    .iter()
                    .map(|v| VisitorCell {
                        name: v.name.clone().unwrap_or_else(|| "（未留姓名）".to_owned()),
                        detail: [
                            v.phone.clone(),
                            v.id_number.as_deref().map(mask_id_number),
                            v.address.clone(),
                        ]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join("　"),
                    })
                    .collect(),
                head_count: r.head_count,
                category: category(&row),
                matter: r.matter.clone(),
                request: r.request.clone(),
                proposed_handling: r.proposed_handling.clone().unwrap_or_default(),
                deputies: row.deputies.join("、"),
                status: row.status.label(),
            }
        })
        .collect();
    let register = Register {
        station_name: printed_station_name(book)?,
        period: range.label(),
        rows,
        people,
    };
    page(&register, "接待登记表")
}
