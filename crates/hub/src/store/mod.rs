//! Where a hub keeps the stations' records. By default the town's own book (SQLite, one writer
//! thread in the hub: `lib.rs`); for a region served by several hub processes, a shared
//! PostgreSQL database ([`postgres`]) with the same import rules, receipts and quarantine. The
//! town's identity (its code, keys and enrolled stations) and its own log stay in its book in
//! both cases.

pub mod postgres;
