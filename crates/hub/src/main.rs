//! `liaison-hub --db PATH --listen 127.0.0.1:8700 [--store postgres://…]`: the town hub over
//! the town's case book, with the stations' records in the book or in a shared PostgreSQL.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use casebook::Book;
use casebook::store::BookKind;
use casebook::store::lock;
use clap::Parser;
use liaison_hub::{AdminToken, HubConfig, serve};
use zeroize::Zeroizing;

/// 镇人大同步服务：接收各联络站的同步包，返回回执和镇里的同步包。
#[derive(Debug, Parser)]
#[command(name = "liaison-hub", version)]
struct Args {
    /// The town's case book (made by `casebook init --town`); default in the user's data folder.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8700")]
    listen: SocketAddr,
    /// Largest bundle accepted, in MiB (a busy station's whole year is far less: docs/hub.md).
    #[arg(long, value_name = "MIB", default_value_t = liaison_hub::DEFAULT_MAX_UPLOAD_MIB)]
    max_upload: u64,
    /// Memory for uploads being read at once, over all stations, in MiB; more get 503.
    #[arg(long, value_name = "MIB", default_value_t = 128)]
    upload_memory: u64,
    /// Uploads being read or imported at once; more get 503 with Retry-After.
    #[arg(long, default_value_t = 2048)]
    uploads_in_flight: usize,
    /// Open connections at once (also capped by the open-files limit).
    #[arg(long, default_value_t = 8192)]
    max_connections: usize,
    /// Seconds a client has to send a request's head (or finish a TLS handshake).
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    header_timeout: u64,
    /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Uploads that add something one station may make per minute.
    #[arg(long, default_value_t = 30)]
    uploads_per_minute: usize,
    /// Pulls one station may make per minute.
    #[arg(long, default_value_t = 30)]
    pulls_per_minute: usize,
    /// Most one upload's payload may decompress to, in MiB.
    #[arg(long, default_value_t = 256)]
    max_payload_mib: usize,
    /// Most decompressed payload held at once over all uploads, in MiB.
    #[arg(long, default_value_t = 1024)]
    payload_budget_mib: usize,
    /// A file holding the town office's token for the status page (password of HTTP Basic
    /// auth, at least 16 characters). Without it the page opens on this machine only.
    #[arg(long)]
    admin_token_file: Option<PathBuf>,
    /// A file whose first line is the town book's passphrase, readable by root and the hub's
    /// user only (or set CASEBOOK_PASSPHRASE); without either, asked on the terminal.
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    /// Keep the stations' records in this PostgreSQL database (`postgres://USER@HOST:PORT/DB`)
    /// instead of the town's book, shared with the town's other hub processes; the book still
    /// holds the town's code, keys and enrolled stations. Put a password in `PGPASSFILE`, not
    /// in the URL.
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// Connections to the PostgreSQL store at most (uploads imported at once).
    #[arg(long, default_value_t = 16, requires = "store")]
    store_connections: usize,
}

/// Opens the town's book: with the passphrase from `passphrase_file` or the environment, else
/// asked on the terminal when the book is encrypted and someone is there to type it. The hub
/// keeps the town's audit trail of the bundles it takes in.
fn open_town_book(db: &Path, passphrase_file: Option<&Path>) -> casebook::Result<Book> {
    use std::io::IsTerminal;
    let given = lock::given_passphrase(passphrase_file)?;
    let mut book = match Book::open_with_passphrase(db, given.as_deref().map(String::as_str)) {
        Err(err)
            if err.kind() == casebook::ErrorKind::Locked
                && given.is_none()
                && std::io::stdin().is_terminal() =>
        {
            let passphrase = read_hidden("请输入镇台账的密码：")
                .map(Zeroizing::new)
                .map_err(|err| {
                    casebook::Error::refused(
                        casebook::ErrorKind::BadInput,
                        format!("无法读取密码：{err}"),
                    )
                })?;
            Book::open_with_passphrase(db, Some(&passphrase))
        }
        opened => opened,
    }?;
    book.set_channel(casebook::domain::AuditChannel::Hub);
    Ok(book)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colours on a terminal; not on Windows, whose console shows the escape codes as text
        // unless a program turns on its VT mode (which would take unsafe code here).
        .with_ansi(!cfg!(windows) && std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    // Each connection is a descriptor: take all the system allows, the hub caps them itself.
    if let Err(err) = rlimit::increase_nofile_limit(u64::MAX) {
        tracing::warn!("cannot raise the open-files limit: {err}");
    }
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(liaison_hub::tls_config(cert, key)?),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let db = match args.db {
        Some(db) => db,
        None => dirs::data_dir()
            .context("找不到用户数据目录，请用 --db 指定镇台账")?
            .join("liaison-hub")
            .join("town.db"),
    };
    let book = match open_town_book(&db, args.passphrase_file.as_deref()) {
        Ok(book) => book,
        Err(err) => {
            // As the CLI: a refusal (locked, wrong_passphrase, not a book) exits 2, with its kind.
            let hint = if err.kind() == casebook::ErrorKind::NotFound {
                format!(
                    "（镇台账：casebook --db {} init --station-code 代码 --station-name 名称 --town）",
                    db.display()
                )
            } else {
                String::new()
            };
            eprintln!(
                "错误（{}）：无法打开镇台账 {}：{err}{hint}",
                err.kind().as_str(),
                db.display()
            );
            std::process::exit(if err.kind().is_refusal() { 2 } else { 1 });
        }
    };
    match book.origin().kind {
        BookKind::Station => bail!(
            "{} 是联络站的台账，同步服务需要镇台账（init --town）或县级台账（init --county）",
            db.display()
        ),
        BookKind::County if args.store.is_some() => bail!(
            "县级台账的同步服务暂不能使用 --store：各镇转报的记录保存在县级台账 {} 中",
            db.display()
        ),
        BookKind::Town | BookKind::County => {}
    }
    let admin_token = match &args.admin_token_file {
        Some(path) => Some(read_admin_token(path)?),
        None => None,
    };
    let shared_store = match &args.store {
        Some(url) => Some(
            liaison_hub::PgStore::connect(url, &book.origin().code, args.store_connections)
                .await
                .context("无法使用共享数据库")?,
        ),
        None => None,
    };
    let listener =
        liaison_hub::bind(args.listen).with_context(|| format!("无法监听 {}", args.listen))?;
    let address = listener.local_addr()?;
    say(&format!(
        "{} 同步服务已启动：{scheme}://{address}/",
        book.origin().name
    ));
    let config = HubConfig {
        max_upload: args.max_upload.saturating_mul(1024 * 1024),
        upload_memory: args.upload_memory.saturating_mul(1024 * 1024),
        uploads_per_minute: args.uploads_per_minute,
        pulls_per_minute: args.pulls_per_minute,
        max_payload_bytes: args.max_payload_mib.saturating_mul(1024 * 1024),
        payload_budget_bytes: args.payload_budget_mib.saturating_mul(1024 * 1024),
        admin_token,
        uploads_in_flight: args.uploads_in_flight,
        max_connections: args.max_connections,
        header_timeout: Duration::from_secs(args.header_timeout),
        tls,
        shared_store,
        ..HubConfig::default()
    };
    serve(listener, book, config, shutdown_signal()).await?;
    say("同步服务已停止");
    Ok(())
}

/// Shows `prompt` and reads the passphrase without echo. On a Windows console the prompt goes
/// through std's stderr, which writes UTF-16 there: rpassword writes it as UTF-8 bytes, which a
/// Chinese console (code page 936) shows garbled (as the CLI does: crates/cli/src/console.rs).
fn read_hidden(prompt: &str) -> std::io::Result<String> {
    use std::io::{IsTerminal, Write};
    if cfg!(windows) && std::io::stderr().is_terminal() {
        eprint!("{prompt}");
        std::io::stderr().flush()?;
        return rpassword::read_password();
    }
    rpassword::prompt_password(prompt)
}

/// Reads the admin token; warns when others on this machine may read the file too.
fn read_admin_token(path: &std::path::Path) -> anyhow::Result<AdminToken> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取管理口令文件 {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path)?.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                "管理口令文件 {} 其他用户也能读取，建议 chmod 600",
                path.display()
            );
        }
    }
    AdminToken::new(&text).with_context(|| {
        format!(
            "管理口令文件 {} 中的口令太短：至少需要 {} 个字符",
            path.display(),
            AdminToken::MIN_CHARS
        )
    })
}

/// Prints a line for the operator; a closed stdout (a service manager, a finished pipe) is no
/// reason to fail.
fn say(line: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
