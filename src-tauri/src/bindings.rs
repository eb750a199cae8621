//! The UI's TypeScript types, written from the Rust types the commands exchange (ts-rs), into
//! `ui/src/api/generated/`: one file per type and an `index.ts` over them, and `labels.json`, the
//! `labels` command's answer, for the UI's tests. The files are
//! committed; `scripts/test` writes them again and fails if anything changed, so the window
//! cannot drift from what serde really sends and reads.
//!
//! Regenerate with `cargo test -p liaison-station --lib bindings`.

use std::path::Path;

use casebook::ErrorKind;
use casebook::bundle::{EnrolmentSummary, EnrolmentWritten, Exported, Imported, StationAccepted};
use casebook::domain::{
    CaseEventInput, CaseEventKind, DeputyActivityInput, Labels, MediationEventInput,
    MediationEventKind, MediationInput, MeetingEventInput, MeetingEventKind, MeetingInput,
    ReceptionInput, SuggestionEventInput, SuggestionEventKind, SuggestionEventKindInput,
    SuggestionInput,
};
use casebook::store::backup::BackupMade;
use casebook::store::deputy_file::DeputyActivityListing;
use casebook::store::drafts::Draft;
use casebook::store::due::{DueItem, DueKind};
use casebook::store::ops::{
    CaseEventAdded, DeputyActivityAdded, MediationAdded, MediationEventAdded, MeetingAdded,
    MeetingEventAdded, ReceptionAdded, RosterImported, SuggestionAdded, SuggestionEventAdded,
};
use casebook::store::read::{
    CaseDetail, DeputyListing, DutyShiftListing, MediationListing, MeetingListing, Renumbered,
    SuggestionListing,
};
use casebook::store::sign_in::SignInDeputy;
use casebook::store::stats::Stats;
use casebook_docs::{Document, ReportKind};
use liaison_sync::SyncOutcome;
use ts_rs::{Config, ExportError, TS};

use crate::error::CommandError;
use crate::settings::Settings;
use crate::station::{
    AuditPage, AuditQuery, BackupStatus, BookStatus, CasePage, CaseQuery, DueList, EnrolledBook,
    Page, PageQuery, SignOutReason, SyncView, Today, Unlocked,
};

/// Writes every type a command takes or returns, with all they contain, into `dir` (emptied of
/// `.ts` files first, so a type that is gone leaves no file behind), and an `index.ts`.
///
/// # Errors
/// When a file cannot be removed or written.
pub fn export(dir: &Path) -> Result<(), ExportError> {
    std::fs::create_dir_all(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "ts") {
            std::fs::remove_file(path)?;
        }
    }
    // JavaScript numbers hold every seq, count and size a book will reach (2^53).
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    macro_rules! export_all {
        ($($ty:ty),* $(,)?) => { $( <$ty>::export_all(&cfg)?; )* };
    }
    export_all!(
        AuditPage,
        AuditQuery,
        BackupMade,
        BackupStatus,
        BookStatus,
        CaseDetail,
        CaseEventAdded,
        CaseEventInput,
        // Flattened into the events; named too, for the UI's unions of kinds.
        CaseEventKind,
        CasePage,
        CaseQuery,
        CommandError,
        DeputyActivityAdded,
        DeputyActivityInput,
        DeputyActivityListing,
        DeputyListing,
        Document,
        Draft,
        DueItem,
        DueList,
        // Named too, for the UI's tables of kinds.
        DueKind,
        DutyShiftListing,
        EnrolledBook,
        EnrolmentSummary,
        EnrolmentWritten,
        ErrorKind,
        Exported,
        Imported,
        Labels,
        MediationAdded,
        MediationEventAdded,
        MediationEventInput,
        MediationEventKind,
        MediationInput,
        MediationListing,
        SuggestionAdded,
        SuggestionEventAdded,
        SuggestionEventInput,
        SuggestionEventKind,
        SuggestionEventKindInput,
        SuggestionInput,
        SuggestionListing,
        MeetingAdded,
        MeetingEventAdded,
        MeetingEventInput,
        // Flattened into the events; named too, for the UI's unions of kinds.
        MeetingEventKind,
        MeetingInput,
        MeetingListing,
        Page<MeetingListing>,
        PageQuery,
        SignInDeputy,
        SignOutReason,
        StationAccepted,
        ReceptionAdded,
        ReceptionInput,
        Renumbered,
        ReportKind,
        RosterImported,
        Settings,
        Stats,
        SyncOutcome,
        SyncView,
        Today,
        Unlocked,
    );
    write_index(dir)?;
    // The `labels` command's answer, for the UI's tests (the app asks the command).
    let labels =
        serde_json::to_string_pretty(&casebook::domain::labels()).map_err(std::io::Error::other)?;
    std::fs::write(dir.join("labels.json"), labels + "\n")?;
    Ok(())
}

/// `index.ts`: every generated type, so the UI imports them from one place.
fn write_index(dir: &Path) -> Result<(), ExportError> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if let Some(name) = path.file_stem().and_then(|stem| stem.to_str())
            && path.extension().is_some_and(|ext| ext == "ts")
            && name != "index"
        {
            names.push(name.to_owned());
        }
    }
    names.sort();
    let mut index = String::from(
        "// This file was generated by src-tauri/src/bindings.rs. Do not edit this file manually.\n\n",
    );
    for name in names {
        index.push_str(&format!("export type {{ {name} }} from './{name}'\n"));
    }
    std::fs::write(dir.join("index.ts"), index)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Writes the committed bindings; `scripts/test` fails when this changed any of them.
    #[test]
    fn bindings() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/api/generated");
        super::export(&dir).expect("bindings written");
    }
}
