//! `liaison-station`, the duty deputy's desktop app: a Tauri 2 window (the Vue UI in `ui/`)
//! over the station's case book.
//!
//! - [`station`]: the open book, this PC's settings, the sync worker and backups; plain async methods
//!   over the core crate, run off the UI thread;
//! - [`commands`]: the window's commands, one line each over [`station::Station`];
//! - [`error`]: failures as `{kind, message}` for the UI to branch on;
//! - [`settings`]: what the 设置 screen keeps on this PC;
//! - [`keystore`]: the passphrase remembered in the OS key store, when the deputy asks;
//! - [`bindings`]: the UI's TypeScript types, written from these Rust types.

pub mod bindings;
pub mod commands;
pub mod error;
pub mod keystore;
pub mod settings;
pub mod station;

use std::time::{Duration, Instant};

use tauri::{AppHandle, Manager, RunEvent, Runtime, WindowEvent};

use crate::station::Station;

/// Forms and tables need no GPU: on Linux, WebKitGTK's hardware acceleration costs about 60 MB
/// of the web process's memory (measured in docs/benchmarks.md) and, on the old or virtual
/// graphics of many station PCs, blank windows. Turned off for every window. And the app shows
/// its own few pages, never the web: WebKit's document-viewer cache model keeps no page or
/// resource caches sized for browsing.
#[cfg(target_os = "linux")]
fn light_webview<R: Runtime>(app: &tauri::App<R>) {
    use webkit2gtk::{
        CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
    };
    for window in app.webview_windows().into_values() {
        let done = window.with_webview(|webview| {
            let webview = webview.inner();
            if let Some(settings) = webview.settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
            if let Some(context) = webview.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(err) = done {
            tracing::warn!("could not set up the web view for a light footprint: {err}");
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn light_webview<R: Runtime>(_app: &tauri::App<R>) {}

/// The longest a closing window stays open: the UI holds a close until its forms' drafts are
/// written (at most 2 s, ui/src/lib/closing.ts); should the page itself hang, the window goes
/// all the same.
const CLOSE_AT_THE_LATEST: Duration = Duration::from_secs(5);

fn close_at_the_latest<R: Runtime>(window: &tauri::Window<R>) {
    window
        .state::<Station>()
        .closing(Instant::now() + CLOSE_AT_THE_LATEST);
    let window = window.clone();
    std::thread::spawn(move || {
        std::thread::sleep(CLOSE_AT_THE_LATEST);
        // An error here is the usual case: the UI closed the window in time.
        let _ = window.destroy();
    });
}

/// `builder` with the app's commands and plugins, over `station`: `main` passes the real
/// window system's builder, tests the mock runtime's.
pub fn station_app<R: Runtime>(builder: tauri::Builder<R>, station: Station) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .manage(station)
        .on_window_event(|window, event| {
            if let WindowEvent::CloseRequested { .. } = event {
                close_at_the_latest(window);
            }
        })
        .setup(|app| {
            light_webview(app);
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let station = handle.state::<Station>();
                station.restart_worker().await;
                station.spawn_daily_backup();
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::book_status,
            commands::create_book,
            commands::unlock_book,
            commands::unlock_remembered,
            commands::forget_passphrase,
            commands::change_passphrase,
            commands::encrypt_book,
            commands::sign_in_deputies,
            commands::sign_in,
            commands::sign_out,
            commands::import_roster,
            commands::today,
            commands::due,
            commands::duty_shifts,
            commands::deputies,
            commands::labels,
            commands::list_cases,
            commands::case_detail,
            commands::add_reception,
            commands::add_case_event,
            commands::meetings,
            commands::meeting,
            commands::add_meeting,
            commands::add_meeting_event,
            commands::suggestions,
            commands::suggestion,
            commands::add_suggestion,
            commands::add_suggestion_event,
            commands::mediations,
            commands::mediation,
            commands::add_mediation,
            commands::add_mediation_event,
            commands::add_deputy_activity,
            commands::deputy_activities,
            commands::stats,
            commands::slip_html,
            commands::document_html,
            commands::report_html,
            commands::save_report,
            commands::sync_status,
            commands::sync_now,
            commands::renumbered,
            commands::own_fingerprint,
            commands::read_enrolment,
            commands::create_book_from_enrolment,
            commands::write_station_keys,
            commands::write_enrolment,
            commands::check_station_keys,
            commands::accept_station_keys,
            commands::export_bundle,
            commands::import_bundle,
            commands::settings,
            commands::save_settings,
            commands::back_up_now,
            commands::backup_status,
            commands::backup_encrypted,
            commands::restore_book,
            commands::draft,
            commands::save_draft,
            commands::discard_draft,
            commands::first_screen_shown,
            commands::record_print,
            commands::audit_trail,
        ])
}

/// What the app does as it ends: after its window was closed (the drafts written), the book is
/// backed up, within the close's time: the process ends by then whatever the backup does.
pub fn on_run_event<R: Runtime>(app: &AppHandle<R>, event: RunEvent) {
    if let RunEvent::Exit = event {
        tauri::async_runtime::block_on(app.state::<Station>().back_up_on_close());
    }
}
