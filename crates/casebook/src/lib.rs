//! 联络站台账 — the case book of a people's-congress deputy liaison station.
//!
//! The duty deputy receives voters, records each request as a case, follows it through a
//! timeline of events, takes issues to the villagers' democratic council or to mediation, and
//! seals the station's changes into bundles for the town. This crate is everything below the
//! desktop app and the town hub:
//!
//! - [`domain`]: the records and the rules that need no database (status from the timeline,
//!   quorum, mediation numbers, dispute types);
//! - [`input`]: JSON input, refused when malformed or misspelt;
//! - [`validate`]: field rules (ID numbers, mobiles, dates) with messages for the deputy;
//! - [`store`]: the SQLite book. Every write goes through one path that applies a
//!   [`change::Change`] and appends it to the origin's gapless change log in the same
//!   transaction, so a book can be rebuilt, or synchronised, from its log alone;
//! - [`search`]: exact substring search of 1–4 character Chinese queries over a
//!   uni/bigram index;
//! - [`bundle`]: signed, sealed sync bundles between books: keys, peers, export, import,
//!   receipts.
//!
//! The printed documents and reports (`casebook-docs`) and the demo town (`casebook-demo`) are
//! crates of their own over this one's public API; what they read is in [`store::documents`].
//! The `casebook` binary drives it headless. No Tauri and no HTTP live here.

pub mod bundle;
pub mod change;
pub mod domain;
pub mod error;
pub mod hlc;
pub mod input;
pub mod search;
pub mod store;
pub mod time;
pub mod validate;

pub use error::{Error, ErrorKind, Result};
pub use store::Book;
