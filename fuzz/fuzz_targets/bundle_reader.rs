//! Arbitrary bytes through the sync bundle reader: `format::parse`, and for inputs whose framing
//! is intact, `Book::import_bundle` into a town book that has the sender enrolled. Every refusal
//! is fine; a panic, an abort or a hang is a finding.
#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;

#[path = "../fixture.rs"]
#[allow(dead_code)]
mod fixture;

thread_local! {
    // Built once per process: the town keeps what valid inputs apply, like a real hub.
    static FIXTURE: RefCell<fixture::Fixture> = RefCell::new(fixture::Fixture::create());
}

fuzz_target!(|data: &[u8]| {
    FIXTURE.with_borrow_mut(|fixture| {
        let _ = fixture::replay(&mut fixture.town, data);
    });
});
