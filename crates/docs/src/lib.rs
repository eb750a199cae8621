//! The printed documents and reports of the case book, over the core's public API.
//!
//! - [`render`]: the printed documents (reception slip, register, the mediation file, council
//!   minutes) as self-contained HTML, one askama template each in `templates/` with the print
//!   stylesheet from the repository's `assets/print.css`;
//! - [`report`]: the weekly and monthly reports as HTML with charts, or Excel workbooks.
//!
//! What a document shows is read through the book's read functions
//! ([`casebook::store::documents`], [`casebook::Book::stats`], …): this crate holds no SQL.
//! Errors are the core's [`casebook::Error`], with messages a deputy reads.

pub mod render;
pub mod report;

pub use render::{
    DayRange, Document, MediationDocument, ReferralDocument, SlipOptions, deputy_file_id,
    render_correction, render_deputy_file, render_document, render_mediation, render_minutes,
    render_referral, render_register, render_slip, render_suggestion, summary,
};
pub use report::{Report, ReportKind, percent};
