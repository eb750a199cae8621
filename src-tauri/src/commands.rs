//! The window's commands: each one hands its arguments to [`Station`] and returns what it gives,
//! errors as `{kind, message}`.

use std::path::PathBuf;

use casebook::bundle::{EnrolmentSummary, EnrolmentWritten, Exported, Imported, StationAccepted};
use casebook::domain::{
    CaseEventInput, DeputyActivityInput, Labels, MediationEventInput, MediationInput,
    MeetingEventInput, MeetingInput, ReceptionInput, SuggestionEventInput, SuggestionInput,
};
use casebook::store::backup::BackupMade;
use casebook::store::deputy_file::DeputyActivityListing;
use casebook::store::drafts::Draft;
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
use chrono::NaiveDate;
use liaison_sync::SyncOutcome;
use tauri::{AppHandle, Runtime, State};
use uuid::Uuid;

use crate::error::CommandError;
use crate::settings::Settings;
use crate::station::{
    AuditPage, AuditQuery, BackupStatus, BookStatus, CasePage, CaseQuery, DueList, EnrolledBook,
    Page, PageQuery, SignOutReason, Station, SyncView, Today, Unlocked,
};

type Answer<T> = Result<T, CommandError>;

#[tauri::command]
pub async fn book_status(station: State<'_, Station>) -> Answer<BookStatus> {
    Ok(station.book_status().await)
}

#[tauri::command]
pub async fn create_book(
    station: State<'_, Station>,
    code: String,
    name: String,
    passphrase: String,
) -> Answer<BookStatus> {
    station.create_book(code, name, passphrase).await
}

#[tauri::command]
pub async fn unlock_book(
    station: State<'_, Station>,
    passphrase: String,
    remember: bool,
) -> Answer<Unlocked> {
    station.unlock_book(passphrase, remember).await
}

/// Called by the window at start when the book is locked: the passphrase this PC remembers,
/// if any, opens it without the unlock screen.
#[tauri::command]
pub async fn unlock_remembered(station: State<'_, Station>) -> Answer<Unlocked> {
    station.unlock_remembered().await
}

#[tauri::command]
pub async fn forget_passphrase(station: State<'_, Station>) -> Answer<BookStatus> {
    station.forget_passphrase().await
}

#[tauri::command]
pub async fn change_passphrase(
    station: State<'_, Station>,
    current: String,
    passphrase: String,
) -> Answer<Unlocked> {
    station.change_passphrase(current, passphrase).await
}

#[tauri::command]
pub async fn encrypt_book(station: State<'_, Station>, passphrase: String) -> Answer<BookStatus> {
    station.encrypt_book(passphrase).await
}

#[tauri::command]
pub async fn sign_in_deputies(station: State<'_, Station>) -> Answer<Vec<SignInDeputy>> {
    station.sign_in_deputies().await
}

#[tauri::command]
pub async fn sign_in(
    station: State<'_, Station>,
    deputy: uuid::Uuid,
    pin: String,
) -> Answer<BookStatus> {
    station.sign_in(deputy, pin).await
}

#[tauri::command]
pub async fn sign_out(station: State<'_, Station>, reason: SignOutReason) -> Answer<BookStatus> {
    station.sign_out(reason).await
}

#[tauri::command]
pub async fn import_roster(station: State<'_, Station>, path: PathBuf) -> Answer<RosterImported> {
    station.import_roster(path).await
}

#[tauri::command]
pub async fn today(station: State<'_, Station>) -> Answer<Today> {
    station.today().await
}

/// What is owed within `within_days` days of today and what is late, soonest first: the 待办
/// panel of 今日值班, loaded after the screen's own data.
#[tauri::command]
pub async fn due(station: State<'_, Station>, within_days: u32, rows: usize) -> Answer<DueList> {
    station.due(within_days, rows).await
}

#[tauri::command]
pub async fn duty_shifts(
    station: State<'_, Station>,
    from: NaiveDate,
    to: NaiveDate,
) -> Answer<Vec<DutyShiftListing>> {
    station.duty_shifts(from, to).await
}

#[tauri::command]
pub async fn deputies(station: State<'_, Station>) -> Answer<Vec<DeputyListing>> {
    station.deputies().await
}

/// Every label the screens show (status, kinds, channels, …), from the core's one table; the
/// window loads it once at start.
#[tauri::command]
pub fn labels() -> Labels {
    casebook::domain::labels()
}

#[tauri::command]
pub async fn list_cases(station: State<'_, Station>, filter: CaseQuery) -> Answer<CasePage> {
    station.list_cases(filter).await
}

#[tauri::command]
pub async fn case_detail(station: State<'_, Station>, case_no: String) -> Answer<CaseDetail> {
    station.case_detail(case_no).await
}

#[tauri::command]
pub async fn add_reception(
    station: State<'_, Station>,
    input: ReceptionInput,
) -> Answer<ReceptionAdded> {
    station.add_reception(input).await
}

#[tauri::command]
pub async fn add_case_event(
    station: State<'_, Station>,
    case_no: String,
    input: CaseEventInput,
) -> Answer<CaseEventAdded> {
    station.add_case_event(case_no, input).await
}

#[tauri::command]
pub async fn meetings(
    station: State<'_, Station>,
    page: PageQuery,
) -> Answer<Page<MeetingListing>> {
    station.meetings(page).await
}

#[tauri::command]
pub async fn meeting(station: State<'_, Station>, id: String) -> Answer<Option<MeetingListing>> {
    station.meeting(id).await
}

#[tauri::command]
pub async fn add_meeting(station: State<'_, Station>, input: MeetingInput) -> Answer<MeetingAdded> {
    station.add_meeting(input).await
}

#[tauri::command]
pub async fn add_meeting_event(
    station: State<'_, Station>,
    id: String,
    input: MeetingEventInput,
) -> Answer<MeetingEventAdded> {
    station.add_meeting_event(id, input).await
}

#[tauri::command]
pub async fn suggestions(
    station: State<'_, Station>,
    page: PageQuery,
) -> Answer<Page<SuggestionListing>> {
    station.suggestions(page).await
}

#[tauri::command]
pub async fn suggestion(station: State<'_, Station>, number: String) -> Answer<SuggestionListing> {
    station.suggestion(number).await
}

#[tauri::command]
pub async fn add_suggestion(
    station: State<'_, Station>,
    input: SuggestionInput,
) -> Answer<SuggestionAdded> {
    station.add_suggestion(input).await
}

#[tauri::command]
pub async fn add_suggestion_event(
    station: State<'_, Station>,
    number: String,
    input: SuggestionEventInput,
) -> Answer<SuggestionEventAdded> {
    station.add_suggestion_event(number, input).await
}

#[tauri::command]
pub async fn mediations(
    station: State<'_, Station>,
    page: PageQuery,
) -> Answer<Page<MediationListing>> {
    station.mediations(page).await
}

#[tauri::command]
pub async fn mediation(
    station: State<'_, Station>,
    number: String,
) -> Answer<Option<MediationListing>> {
    station.mediation(number).await
}

#[tauri::command]
pub async fn add_mediation(
    station: State<'_, Station>,
    input: MediationInput,
) -> Answer<MediationAdded> {
    station.add_mediation(input).await
}

#[tauri::command]
pub async fn add_mediation_event(
    station: State<'_, Station>,
    number: String,
    input: MediationEventInput,
) -> Answer<MediationEventAdded> {
    station.add_mediation_event(number, input).await
}

/// Records a deputy's report to the voters (述职) or a training.
#[tauri::command]
pub async fn add_deputy_activity(
    station: State<'_, Station>,
    input: DeputyActivityInput,
) -> Answer<DeputyActivityAdded> {
    station.add_deputy_activity(input).await
}

/// Deputies' reports to voters and trainings, of one deputy (id) or all, newest first.
#[tauri::command]
pub async fn deputy_activities(
    station: State<'_, Station>,
    deputy: Option<Uuid>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Answer<Vec<DeputyActivityListing>> {
    station.deputy_activities(deputy, from, to).await
}

#[tauri::command]
pub async fn stats(
    station: State<'_, Station>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Answer<Stats> {
    station.stats(from, to).await
}

#[tauri::command]
pub async fn slip_html(station: State<'_, Station>, case_no: String) -> Answer<String> {
    station.slip_html(case_no).await
}

#[tauri::command]
pub async fn document_html(
    station: State<'_, Station>,
    kind: Document,
    id: String,
) -> Answer<String> {
    station.document_html(kind, id).await
}

#[tauri::command]
pub async fn report_html(
    station: State<'_, Station>,
    kind: ReportKind,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Answer<String> {
    station.report_html(kind, from, to).await
}

#[tauri::command]
pub async fn save_report(
    station: State<'_, Station>,
    kind: ReportKind,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    dir: PathBuf,
    format: String,
) -> Answer<PathBuf> {
    station.save_report(kind, from, to, dir, format).await
}

#[tauri::command]
pub async fn sync_status(station: State<'_, Station>) -> Answer<SyncView> {
    station.sync_status().await
}

/// The records that took a new number after a restore, oldest first: each needs a
/// 编号更正通知 for its visitor.
#[tauri::command]
pub async fn renumbered(station: State<'_, Station>) -> Answer<Vec<Renumbered>> {
    station.renumbered().await
}

#[tauri::command]
pub async fn own_fingerprint(station: State<'_, Station>) -> Answer<String> {
    station.own_fingerprint().await
}

#[tauri::command]
pub async fn read_enrolment(
    station: State<'_, Station>,
    path: PathBuf,
) -> Answer<EnrolmentSummary> {
    station.read_enrolment(path).await
}

#[tauri::command]
pub async fn create_book_from_enrolment(
    station: State<'_, Station>,
    path: PathBuf,
    passphrase: String,
) -> Answer<EnrolledBook> {
    station.create_book_from_enrolment(path, passphrase).await
}

#[tauri::command]
pub async fn write_station_keys(station: State<'_, Station>, dir: PathBuf) -> Answer<PathBuf> {
    station.write_station_keys(dir).await
}

#[tauri::command]
pub async fn write_enrolment(
    station: State<'_, Station>,
    code: String,
    dir: PathBuf,
) -> Answer<EnrolmentWritten> {
    station.write_enrolment(code, dir).await
}

#[tauri::command]
pub async fn check_station_keys(
    station: State<'_, Station>,
    path: PathBuf,
) -> Answer<StationAccepted> {
    station.check_station_keys(path).await
}

#[tauri::command]
pub async fn accept_station_keys(
    station: State<'_, Station>,
    path: PathBuf,
    replace_keys: bool,
) -> Answer<StationAccepted> {
    station.accept_station_keys(path, replace_keys).await
}

#[tauri::command]
pub async fn sync_now(station: State<'_, Station>) -> Answer<SyncOutcome> {
    station.sync_now().await
}

#[tauri::command]
pub async fn export_bundle(
    station: State<'_, Station>,
    to: String,
    dir: PathBuf,
) -> Answer<Exported> {
    station.export_bundle(to, dir).await
}

#[tauri::command]
pub async fn import_bundle(station: State<'_, Station>, path: PathBuf) -> Answer<Imported> {
    station.import_bundle(path).await
}

#[tauri::command]
pub fn settings(station: State<'_, Station>) -> Settings {
    station.settings()
}

#[tauri::command]
pub async fn save_settings(station: State<'_, Station>, settings: Settings) -> Answer<Settings> {
    station.save_settings(settings).await
}

/// Backs the book up into the folder chosen on 设置, now.
#[tauri::command]
pub async fn back_up_now(station: State<'_, Station>) -> Answer<BackupMade> {
    station.back_up_now().await
}

/// The last backup's time and whether 今日值班 and 同步 should remind the deputy.
#[tauri::command]
pub async fn backup_status(station: State<'_, Station>) -> Answer<BackupStatus> {
    station.backup_status().await
}

/// Whether a backup file is encrypted: the wizard then asks for the passphrase of its day.
#[tauri::command]
pub async fn backup_encrypted(station: State<'_, Station>, path: PathBuf) -> Answer<bool> {
    station.backup_encrypted(path).await
}

/// First run: this PC's book made from a backup.
#[tauri::command]
pub async fn restore_book(
    station: State<'_, Station>,
    path: PathBuf,
    passphrase: Option<String>,
) -> Answer<BookStatus> {
    station.restore_book(path, passphrase).await
}

/// The unsaved content of a form (`reception`, `case-event:DL-2026-0001`, …), if any.
#[tauri::command]
pub async fn draft(station: State<'_, Station>, form: String) -> Answer<Option<Draft>> {
    station.draft(form).await
}

/// Keeps a form's content as typed, so that leaving the screen or the app loses nothing.
#[tauri::command]
pub async fn save_draft(station: State<'_, Station>, form: String, body: String) -> Answer<Draft> {
    station.save_draft(form, body).await
}

/// Forgets a form's draft: it was saved, or the deputy discarded it.
#[tauri::command]
pub async fn discard_draft(station: State<'_, Station>, form: String) -> Answer<()> {
    station.discard_draft(form).await
}

/// The window has drawn its first screen with data: logs the start-up time, and with
/// `LIAISON_STATION_EXIT_AFTER_FIRST_SCREEN` set prints it and quits (the start-up benchmark).
#[tauri::command]
pub fn first_screen_shown<R: Runtime>(app: AppHandle<R>, station: State<'_, Station>) {
    let millis = station.uptime_ms();
    tracing::info!("first screen shown {millis} ms after start");
    if std::env::var_os("LIAISON_STATION_EXIT_AFTER_FIRST_SCREEN").is_some() {
        println!("first_screen_ms={millis}");
        app.exit(0);
    }
}

/// Records a print of `document` of the record `id` in the audit trail; the window calls it
/// just before its print dialog opens.
#[tauri::command]
pub async fn record_print(
    station: State<'_, Station>,
    document: Document,
    id: String,
) -> Answer<()> {
    station.record_print(document, id).await
}

/// One page of the audit trail (操作记录), newest first.
#[tauri::command]
pub async fn audit_trail(station: State<'_, Station>, query: AuditQuery) -> Answer<AuditPage> {
    station.audit_trail(query).await
}
