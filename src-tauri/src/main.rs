//! `liaison-station [--demo] [--db PATH]`: the station's desktop app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use liaison_station::station::{Paths, Station};

/// 联络站台账
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Open a fictional demo book in a temporary place (nothing real is touched).
    #[arg(long, conflicts_with = "db")]
    demo: bool,
    /// Receptions in the demo book.
    #[arg(long, default_value_t = 2000)]
    demo_receptions: usize,
    /// Open this book instead of the one in the app's data folder.
    #[arg(long)]
    db: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let started = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    #[cfg(target_os = "linux")]
    start_without_gl();
    let args = Args::parse();
    let context: tauri::Context<tauri::Wry> = tauri::generate_context!();
    let station = if args.demo {
        Station::demo(args.demo_receptions, started)?
    } else {
        let paths = match args.db {
            Some(book) => Paths {
                settings: book.with_extension("settings.json"),
                book,
            },
            // Where Tauri puts the app's data: the platform's data folder, then the identifier.
            None => Paths::in_dir(
                &dirs::data_dir()
                    .context("找不到本机的数据目录")?
                    .join(&context.config().identifier),
            ),
        };
        Station::open(paths, started)?
    };
    liaison_station::station_app(tauri::Builder::default(), station)
        .build(context)
        .context("窗口无法启动")?
        .run(liaison_station::on_run_event);
    Ok(())
}

/// GL in GTK costs the web process about 8 MB (docs/benchmarks.md) for screens of forms and
/// tables that a station PC's CPU draws as fast (the app asks WebKit for no GPU already). GTK reads `GDK_GL` only from the environment, which a running
/// program cannot change safely (the workspace forbids unsafe code), so the app starts itself
/// once more with `GDK_GL=disable`. A `GDK_GL` already set, even empty, is left as it is: that
/// is how to keep GL. Should the new start fail, the app goes on as it is, with GL.
#[cfg(target_os = "linux")]
fn start_without_gl() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("GDK_GL").is_some() {
        return;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => {
            tracing::warn!("starting with GL: this program's path is unknown ({err})");
            return;
        }
    };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    if let Some(name) = args.next() {
        command.arg0(name);
    }
    // `exec` only returns on failure.
    let failed = command.args(args).env("GDK_GL", "disable").exec();
    tracing::warn!("starting with GL: could not start again without it ({failed})");
}
