//! The reception slip (接待回执): a stub (存根) the station keeps and a receipt (回执) for the
//! visitor, on one A4 sheet with a cut line between them.

use askama::Template;

use super::{
    category_label, chinese_date, chinese_time, mask_id_number, mask_phone, page,
    printed_station_name, qr_svg, summary,
};
use casebook::{Book, Result};

/// Choices the station makes about its slips.
#[derive(Debug, Clone, Default)]
pub struct SlipOptions {
    /// Phone printed for the visitor to call; the roster's station phone when `None`.
    pub station_phone: Option<String>,
}

/// The phone a visitor is told to call: the station's choice, else the roster's.
pub(crate) fn printed_station_phone(book: &Book, options: &SlipOptions) -> Result<String> {
    let chosen = options
        .station_phone
        .clone()
        .filter(|phone| !phone.trim().is_empty());
    Ok(match chosen {
        Some(phone) => phone,
        None => book
            .own_station()?
            .and_then(|station| station.phone)
            .unwrap_or_else(|| "（未登记）".to_owned()),
    })
}

/// A visitor as one part of the slip shows them.
struct VisitorLine {
    name: String,
    phone: String,
    id_number: String,
    address: String,
}

#[derive(Template)]
#[template(path = "slip.html")]
struct Slip {
    station_name: String,
    station_phone: String,
    case_no: String,
    received: String,
    channel: &'static str,
    deputies: String,
    category: String,
    head_count: u32,
    stub_visitors: Vec<VisitorLine>,
    receipt_visitors: Vec<VisitorLine>,
    /// Visitors beyond those listed: a collective visit's list stays on the stub's lines.
    more_visitors: usize,
    request: String,
    matter_summary: String,
    /// The date promised to the visitor, which a later referral deadline does not move.
    reply_due: String,
    confidential: bool,
    qr: String,
}

/// Visitors listed by name; both parts must fit one A4 sheet.
const MAX_VISITOR_LINES: usize = 4;

/// The reception slip of a case as a self-contained HTML page (A4, print CSS).
///
/// # Errors
/// `not_found` for an unknown case number; storage errors.
pub fn render_slip(book: &Book, case_no: &str, options: &SlipOptions) -> Result<String> {
    let case = book.case(case_no)?;
    let reception = &case.reception;
    let station_name = printed_station_name(book)?;
    let station_phone = printed_station_phone(book, options)?;
    // The stub stays at the station and shows everyone in full; the receipt leaves with the
    // visitor, so it masks numbers and, for a confidential visit, the identity itbook.
    let outside = reception.for_outside();
    let visitors = |masked: bool| -> Vec<VisitorLine> {
        let listed = if masked {
            &outside.visitors
        } else {
            &reception.visitors
        };
        listed
            .iter()
            .take(MAX_VISITOR_LINES)
            .map(|v| {
                let shown = |value: &Option<String>, hide: fn(&str) -> String| match value {
                    Some(value) if masked => hide(value),
                    Some(value) => value.clone(),
                    None => String::new(),
                };
                VisitorLine {
                    name: v.name.clone().unwrap_or_else(|| "（未留姓名）".to_owned()),
                    phone: shown(&v.phone, mask_phone),
                    id_number: shown(&v.id_number, mask_id_number),
                    address: v.address.clone().unwrap_or_default(),
                }
            })
            .collect()
    };
    let slip = Slip {
        station_name,
        station_phone,
        case_no: reception.case_no.clone(),
        received: chinese_time(reception.received_at),
        channel: reception.channel.label(),
        deputies: case.deputy_names.join("、"),
        category: category_label(&reception.category, reception.subcategory.as_deref()),
        head_count: reception.head_count,
        stub_visitors: visitors(false),
        receipt_visitors: visitors(true),
        more_visitors: reception.visitors.len().saturating_sub(MAX_VISITOR_LINES),
        request: summary(&reception.request, 80),
        matter_summary: summary(&reception.matter, 120),
        reply_due: chinese_date(reception.reply_due),
        confidential: reception.confidential,
        qr: qr_svg(&reception.case_no)?,
    };
    page(&slip, "回执")
}
