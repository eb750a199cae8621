//! `casebook`: the case book, headless. For operators' scripts, acceptance checks and tests.
//!
//! Exit codes: 0 success; 2 input refused (message on stderr, nothing written); 1 internal
//! failure. With `--json`, stdout is one JSON document (on failure `{"error": {kind, message}}`).

mod console;
mod human;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use casebook::domain::{
    AuditAction, AuditChannel, DeputyActivityInput, MediationInput, MeetingInput, ReceptionInput,
    RosterFile, SuggestionInput,
};
use casebook::input;
use casebook::store::BookKind;
use casebook::store::audit::AuditFilter;
use casebook::store::lock;
use casebook::store::read::{CaseFilter, StatusFilter};
use casebook::{Book, Error, ErrorKind};
use casebook_demo::{self as demo, DemoOptions};
use casebook_docs::{Document, Report, ReportKind, SlipOptions, render_document};
use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

/// 联络站台账 — the liaison station case book.
#[derive(Debug, Parser)]
#[command(
    name = "casebook",
    version,
    about = "联络站台账：人大代表联络站接待登记与案件台账（命令行）"
)]
struct Cli {
    /// The book file (or set CASEBOOK_DB).
    #[arg(long, global = true, env = "CASEBOOK_DB")]
    db: Option<PathBuf>,
    /// Print one JSON document on stdout.
    #[arg(long, global = true)]
    json: bool,
    /// A file whose first line is the book's passphrase (or set CASEBOOK_PASSPHRASE, for scripts
    /// and services); without either, an encrypted book asks for it on the terminal.
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new book (a station's, or the town's with --town).
    Init {
        /// Short code used in case numbers, e.g. BX.
        #[arg(long, required_unless_present = "enrolment")]
        station_code: Option<String>,
        /// Station name, e.g. 东岭村人大代表联络站.
        #[arg(long, required_unless_present = "enrolment")]
        station_name: Option<String>,
        /// The town's book (the hub's) instead of a station's.
        #[arg(long, conflicts_with = "county")]
        town: bool,
        /// A county's (or city's) book, above the towns: its peers are towns, which relay
        /// their stations' logs to it (`relay set` at each town).
        #[arg(long)]
        county: bool,
        /// Make the station's book from the enrolment file the town wrote for it (`enrol
        /// export`): code, name, the town as its peer and the roster come from the file.
        #[arg(
            long,
            value_name = "FILE",
            conflicts_with_all = ["station_code", "station_name", "town", "county"],
            requires = "out"
        )]
        enrolment: Option<PathBuf>,
        /// With --enrolment: the folder to write the station's keys file (`<CODE>.keys`) to,
        /// for the town's `enrol accept`.
        #[arg(long, value_name = "DIR", requires = "enrolment")]
        out: Option<PathBuf>,
        /// A plain book that anyone with the file can read: for demos and tests only. Without
        /// it the book is encrypted with the passphrase (--passphrase-file, CASEBOOK_PASSPHRASE
        /// or asked on the terminal).
        #[arg(long)]
        no_encryption: bool,
    },
    /// Enrol a station with the town from one file each way (--db is the town's book).
    Enrol {
        #[command(subcommand)]
        command: EnrolCommand,
    },
    /// Grids, stations, deputies and duty shifts.
    Roster {
        #[command(subcommand)]
        command: RosterCommand,
    },
    /// Fill a new book with a fictional town.
    Demo {
        /// Receptions to record.
        #[arg(long)]
        receptions: usize,
        /// Random seed: the same seed on the same day gives the same book.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Deputies, and their reports to voters (述职) and trainings.
    Deputy {
        #[command(subcommand)]
        command: DeputyCommand,
    },
    /// Receptions.
    Reception {
        #[command(subcommand)]
        command: ReceptionCommand,
    },
    /// Cases.
    Case {
        #[command(subcommand)]
        command: CaseCommand,
    },
    /// Meetings: 民主议事会 and the villagers' meetings, and what followed them.
    Meeting {
        #[command(subcommand)]
        command: MeetingCommand,
    },
    /// Mediation files.
    Mediation {
        #[command(subcommand)]
        command: MediationCommand,
    },
    /// Deputies' suggestions (代表建议) and their life.
    Suggestion {
        #[command(subcommand)]
        command: SuggestionCommand,
    },
    /// Encrypt this plain book in place with a passphrase (--passphrase-file,
    /// CASEBOOK_PASSPHRASE, or typed twice on the terminal).
    Encrypt,
    /// Write a checked copy of the book, while it is in use, into a folder (a USB stick):
    /// `<CODE>-<YYYYMMDD-HHMM>-<seq>.backup`, encrypted with the book's key if it is encrypted.
    Backup {
        /// The folder to write it to (made if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Keep only this many of the station's backups in the folder: the oldest beyond are
        /// removed (other files are never touched).
        #[arg(long, value_name = "N")]
        keep: Option<usize>,
    },
    /// Make the book at --db (which must not exist) again from a backup; an encrypted backup
    /// opens with the passphrase the station had when it was taken.
    Restore {
        /// The backup file.
        file: PathBuf,
    },
    /// The town office's way into a station's encrypted book whose passphrase was lost.
    Recovery {
        #[command(subcommand)]
        command: RecoveryCommand,
    },
    /// Deputies' sign-in PINs at the app.
    Pin {
        #[command(subcommand)]
        command: PinCommand,
    },
    /// This book's public keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Enrolled sync peers (the town for a station, the stations for the town).
    Peer {
        #[command(subcommand)]
        command: PeerCommand,
    },
    /// The tier above the town: a town relays its stations' logs to its county.
    Relay {
        #[command(subcommand)]
        command: RelayCommand,
    },
    /// Signed, sealed sync bundles.
    Bundle {
        #[command(subcommand)]
        command: BundleCommand,
    },
    /// Records edited by two origins.
    Conflicts {
        #[command(subcommand)]
        command: ListOnly,
    },
    /// Records typed after a restore that took a new number when the town sent the station's
    /// log back: print a 更正通知 for each (`render correction NEW-NUMBER`).
    Renumbered {
        #[command(subcommand)]
        command: ListOnly,
    },
    /// One sync cycle with the town hub: upload, take the receipt, fetch the town's bundle.
    Sync {
        /// The hub's address, e.g. http://192.0.2.10:8700 or https://town-office:8700.
        #[arg(long)]
        hub: String,
        /// The town's code (default: the one enrolled peer).
        #[arg(long)]
        to: Option<String>,
        /// A PEM file with the town's certificate (or its CA), trusted besides the system's.
        #[arg(long, value_name = "FILE")]
        hub_ca: Option<PathBuf>,
    },
    /// A printed document as a self-contained HTML page (print it, or turn it into a PDF).
    Render {
        /// Which document.
        kind: DocumentKind,
        /// Which record: a case number (slip), days (register: 2026-11-01..2026-11-30,
        /// 2026-11-28 or 2026-11), a mediation number or id, a meeting id (minutes), a deputy's
        /// name or id (deputy-file, with --year).
        id: String,
        /// The HTML file to write.
        #[arg(long)]
        out: PathBuf,
        /// The year of a deputy's file (deputy-file only).
        #[arg(long)]
        year: Option<i32>,
        /// Phone printed on a slip instead of the roster's station phone.
        #[arg(long)]
        phone: Option<String>,
    },
    /// A report over a range of days, as HTML (with charts) or Excel, chosen by --out's ending.
    Report {
        /// weekly (the station's week) or monthly (the town's statistics).
        kind: ReportArg,
        /// Only this station's records.
        #[arg(long)]
        station: Option<String>,
        /// First day (YYYY-MM-DD); default: 6 days before --to (weekly), the 1st of its month
        /// (monthly).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day (YYYY-MM-DD); default: today.
        #[arg(long)]
        to: Option<NaiveDate>,
        /// The file to write: FILE.html or FILE.xlsx.
        #[arg(long)]
        out: PathBuf,
    },
    /// What is owed, soonest first: answers, feedback and follow-up visits, mediations past a
    /// month, judicial-confirmation windows closing, performance deadlines, public notices, the
    /// answers owed to deputies' suggestions.
    Due {
        /// Everything owed within this many days from today (and everything late).
        #[arg(long, default_value_t = 7)]
        within: u32,
    },
    /// Statistics.
    Stats {
        /// Only this station's receptions, mediations and meetings (in a county's book, a
        /// town's code counts every station that town relays).
        #[arg(long)]
        station: Option<String>,
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day (YYYY-MM-DD).
        #[arg(long)]
        to: Option<NaiveDate>,
    },
    /// The audit trail (操作记录): sign-ins, bundles, prints, exports, backups, keys; newest first.
    Audit {
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day (YYYY-MM-DD).
        #[arg(long)]
        to: Option<NaiveDate>,
        /// By or about this deputy (a name on the roster, or an id).
        #[arg(long)]
        deputy: Option<String>,
    },
    /// The change log.
    Changes {
        /// Changes after this seq.
        #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
        since: i64,
        /// Origin (default: this book's own).
        #[arg(long)]
        origin: Option<String>,
        /// At most this many.
        #[arg(long)]
        limit: Option<usize>,
    },
}

/// Documents `render` writes.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum DocumentKind {
    /// 接待回执: the reception slip (stub and visitor's receipt) of a case.
    Slip,
    /// 接待登记表: every reception of a range of days.
    Register,
    /// 人民调解申请书.
    MediationApplication,
    /// 人民调解受理登记表.
    MediationIntake,
    /// 人民调解权利义务告知书 (with a receipt for each party to sign).
    RightsNotice,
    /// 人民调解调查记录: one block per recorded investigation.
    Investigation,
    /// 人民调解记录.
    MediationRecord,
    /// 人民调解协议书.
    Agreement,
    /// 人民调解回访记录.
    FollowUp,
    /// 人民调解卷宗封面.
    MediationCover,
    /// 民主议事会会议记录.
    Minutes,
    /// 编号更正通知 of a case or mediation renumbered after a restore (its new number).
    Correction,
    /// 交办单: a case's latest referral, for the unit (the case number).
    Referral,
    /// 督办单: the latest chase of a case's referral (the case number).
    Chase,
    /// 代表履职档案: a deputy's year (the deputy's name or id, and --year).
    DeputyFile,
    /// 代表建议: a deputies' suggestion (its number, or 2026-1).
    Suggestion,
}

impl DocumentKind {
    fn name(self) -> String {
        self.to_possible_value()
            .map_or_else(String::new, |value| value.get_name().to_owned())
    }
}

/// Reports `report` writes.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportArg {
    /// 工作周报.
    Weekly,
    /// 统计月报.
    Monthly,
}

/// What `render` or `report` wrote.
#[derive(Debug, Serialize)]
struct Rendered {
    kind: String,
    id: String,
    out: PathBuf,
    bytes: usize,
}

#[derive(Debug, Subcommand)]
enum RecoveryCommand {
    /// Open a station's encrypted book with this town book's key and give it a new passphrase
    /// (--db is the town's book).
    ResetPassphrase {
        /// The station's book (its slots file beside it).
        #[arg(long)]
        book: PathBuf,
        /// A file whose first line is the station's new passphrase; without it, typed twice on
        /// the terminal.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Show the public keys (give them to the peer for `peer add`).
    Show,
}

#[derive(Debug, Subcommand)]
enum PinCommand {
    /// Clear a deputy's forgotten PIN (and any lockout): they set a new one at their next
    /// sign-in at the app.
    Reset {
        /// The deputy: a name on the roster, or an id.
        #[arg(long)]
        deputy: String,
    },
}

#[derive(Debug, Subcommand)]
enum PeerCommand {
    /// Enroll a peer by its public keys.
    Add {
        /// The peer's origin code.
        #[arg(long)]
        code: String,
        /// Its Ed25519 public key (base64).
        #[arg(long)]
        sign_public: String,
        /// Its X25519 public key (base64).
        #[arg(long)]
        seal_public: String,
    },
    /// List enrolled peers.
    List,
    /// Revoke a peer: its bundles are refused from now on.
    Revoke {
        /// The peer's origin code.
        code: String,
    },
}

#[derive(Debug, Subcommand)]
enum RelayCommand {
    /// At a town: relay the stations' logs to this county (an enrolled peer, `peer add`).
    Set {
        /// The county's origin code.
        #[arg(long)]
        county: String,
    },
    /// The county a town relays to and each station's bundles waiting for it; at a county,
    /// each station and the town that relays it.
    Show,
}

#[derive(Debug, Subcommand)]
enum EnrolCommand {
    /// Write the enrolment file for a station of the roster: `<DIR>/<CODE>.enrol`, carried to
    /// the station's new PC (`init --enrolment`).
    Export {
        /// The station's code.
        #[arg(long)]
        station: String,
        /// Folder to write the file to (e.g. a USB stick).
        #[arg(long)]
        out: PathBuf,
    },
    /// Enrol a station from the keys file its new book wrote (`<CODE>.keys`).
    Accept {
        /// The station's keys file.
        file: PathBuf,
        /// The station is enrolled already (a new PC): replace its keys, once its fingerprint
        /// is confirmed on the phone.
        #[arg(long)]
        replace_keys: bool,
    },
}

#[derive(Debug, Subcommand)]
enum BundleCommand {
    /// Seal everything the peer has not acknowledged into a bundle file.
    Export {
        /// The peer's origin code.
        #[arg(long)]
        to: String,
        /// Folder to write the bundle to (e.g. a USB stick).
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify and apply bundle files.
    Import {
        /// Bundle files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Per peer: sent, acknowledged, received, gaps.
    Status,
    /// Bundles of a newer schema kept aside.
    Quarantine {
        #[command(subcommand)]
        command: ListOnly,
    },
}

#[derive(Debug, Subcommand)]
enum RosterCommand {
    /// Import a roster JSON file (see docs/cli.md).
    Import {
        /// The file, or - for stdin.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum DeputyCommand {
    /// List them.
    List,
    /// Reports to voters (述职) and trainings (培训).
    Activity {
        #[command(subcommand)]
        command: ActivityCommand,
    },
}

#[derive(Debug, Subcommand)]
enum ActivityCommand {
    /// Record a report to voters or a training from a JSON file (see docs/cli.md).
    Add {
        /// The file, or - for stdin.
        #[arg(long)]
        file: PathBuf,
    },
    /// List them, newest first.
    List {
        /// Only this deputy's (a name on the roster, or an id).
        #[arg(long)]
        deputy: Option<String>,
        /// First day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<NaiveDate>,
        /// Last day (YYYY-MM-DD).
        #[arg(long)]
        to: Option<NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
enum ListOnly {
    /// List them.
    List,
}

#[derive(Debug, Subcommand)]
enum ReceptionCommand {
    /// Record a reception from a JSON file.
    Add {
        /// The file, or - for stdin.
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CaseCommand {
    /// List cases, newest first.
    List {
        /// Status (e.g. referred, 已交办) or overdue.
        #[arg(long)]
        status: Option<String>,
        /// Dispute type.
        #[arg(long)]
        category: Option<String>,
        /// Text in the matter, request, visitor names or addresses.
        #[arg(long)]
        query: Option<String>,
        /// Page size.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Show a case with its timeline.
    Show {
        /// Case number, e.g. BX-2026-0001.
        case_no: String,
    },
    /// Append an event to a case's timeline.
    Event {
        /// Case number.
        case_no: String,
        /// The event JSON, or - for stdin.
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum MeetingCommand {
    /// List meetings.
    List,
    /// Record a meeting from a JSON file.
    Add {
        /// The file, or - for stdin.
        #[arg(long)]
        file: PathBuf,
    },
    /// Append what followed a meeting (公示, an objection or its answer, how it was carried out).
    Event {
        /// The meeting's id (`meeting list --json`).
        id: String,
        /// The event JSON, or - for stdin.
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum MediationCommand {
    /// List mediation files.
    List,
    /// Open a mediation file from a JSON file.
    Add {
        /// The file, or - for stdin.
        #[arg(long)]
        file: PathBuf,
    },
    /// Append an event to a mediation file.
    Event {
        /// Mediation number, e.g. （2026）BX人调字第1号.
        number: String,
        /// The event JSON, or - for stdin.
        #[arg(long)]
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum SuggestionCommand {
    /// List deputies' suggestions.
    List,
    /// Draft a suggestion from a JSON file.
    Add {
        /// The file, or - for stdin.
        #[arg(long)]
        file: PathBuf,
    },
    /// Append an event (submitted, assigned, answered, satisfaction) to a suggestion.
    Event {
        /// Suggestion number, e.g. BX建议〔2026〕1号, or 2026-1 for this station's.
        number: String,
        /// The event JSON, or - for stdin.
        #[arg(long)]
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) if !err.use_stderr() => {
            // --help and --version.
            emit(&err.to_string());
            return ExitCode::SUCCESS;
        }
        Err(err) => {
            eprint!("{}", human::terminal_safe(&err.to_string()));
            if std::env::args().any(|arg| arg == "--json") {
                print_json_error(ErrorKind::BadInput, &err.kind().to_string());
            }
            return ExitCode::from(2);
        }
    };
    let json = cli.json;
    if let Command::Sync { hub, to, hub_ca } = &cli.command {
        let target = SyncTarget {
            hub,
            to: to.as_deref(),
            ca: hub_ca.as_deref(),
        };
        return sync_command(
            cli.db.as_deref(),
            cli.passphrase_file.as_deref(),
            &target,
            json,
        );
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("错误：{}", human::terminal_safe(&err.to_string()));
            if json {
                print_json_error_at(err.kind(), &err.to_string(), err.field());
            }
            if err.kind().is_refusal() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn print_json_error(kind: ErrorKind, message: &str) {
    print_json_error_at(kind, message, None);
}

/// `{"error":{"kind","message"}}`, with `"field"` (the input field's path) when the refusal
/// names one.
fn print_json_error_at(kind: ErrorKind, message: &str, field: Option<&str>) {
    let mut error = serde_json::json!({"kind": kind, "message": message});
    if let Some(field) = field {
        error["field"] = field.into();
    }
    let body = serde_json::json!({ "error": error });
    emit(&format!("{body}\n"));
}

/// Opens the book, asking for its passphrase on the terminal when it is encrypted and none was
/// given (a script without a terminal gets `locked`).
fn open_book(db: &Path, given: Option<Zeroizing<String>>) -> Result<Book, Error> {
    let mut book = match Book::open_with_passphrase(db, given.as_deref().map(String::as_str)) {
        Err(err) if err.kind() == ErrorKind::Locked && given.is_none() && terminal() => {
            let passphrase = ask("请输入本站台账的密码：")?;
            Book::open_with_passphrase(db, Some(&passphrase))
        }
        opened => opened,
    }?;
    book.set_channel(AuditChannel::Cli);
    Ok(book)
}

/// Whether a person is at the keyboard: both stdin and stderr are a terminal.
fn terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Reads a passphrase from the terminal without echo.
fn ask(prompt: &str) -> Result<Zeroizing<String>, Error> {
    console::read_hidden(prompt)
        .map(Zeroizing::new)
        .map_err(|err| Error::refused(ErrorKind::BadInput, format!("无法读取密码：{err}")))
}

/// A new book's passphrase, typed twice on the terminal; refused without a terminal.
fn new_passphrase_from_terminal() -> Result<Zeroizing<String>, Error> {
    if !terminal() {
        return Err(Error::refused(
            ErrorKind::BadInput,
            format!(
                "新台账要加密：请用 --passphrase-file 或环境变量 {} 给出本站密码；\
                 只用于演示或测试的台账可加 --no-encryption（不加密，任何人拿到文件都能看）",
                lock::PASSPHRASE_ENV
            ),
        ));
    }
    let first = ask("为新台账设一个密码（至少8个字符）：")?;
    lock::check_passphrase(&first)?;
    let second = ask("再输入一次：")?;
    if *first != *second {
        return Err(Error::invalid("两次输入的密码不一样，台账没有建立").at("passphrase"));
    }
    Ok(first)
}

/// Where `casebook sync` goes: the hub, the town's code, the town's certificate.
struct SyncTarget<'a> {
    hub: &'a str,
    to: Option<&'a str>,
    ca: Option<&'a Path>,
}

/// `casebook sync`: exit 0 in sync, 2 refused (by the hub or the book), 3 hub unreachable (the
/// changes stay queued), 1 internal failure.
fn sync_command(
    db: Option<&Path>,
    passphrase_file: Option<&Path>,
    target: &SyncTarget<'_>,
    json: bool,
) -> ExitCode {
    let (hub, to) = (target.hub, target.to);
    let fail = |kind: ErrorKind, message: String, code: u8| {
        eprintln!("错误：{}", human::terminal_safe(&message));
        if json {
            print_json_error(kind, &message);
        }
        ExitCode::from(code)
    };
    let book_failure = |err: Error| {
        let code = if err.kind().is_refusal() { 2 } else { 1 };
        fail(err.kind(), err.to_string(), code)
    };
    let Some(db) = db else {
        return fail(
            ErrorKind::BadInput,
            "请用 --db 指定台账文件（或设置环境变量 CASEBOOK_DB）".into(),
            2,
        );
    };
    let book = match lock::given_passphrase(passphrase_file).and_then(|given| open_book(db, given))
    {
        Ok(book) => book,
        Err(err) => return book_failure(err),
    };
    let relay_to = match book.relay_to() {
        Ok(relay_to) => relay_to,
        Err(err) => return book_failure(err),
    };
    let code = match to.map(str::to_owned).or(relay_to) {
        Some(code) => code,
        None => match book.peers() {
            Ok(peers) => {
                let active: Vec<_> = peers
                    .into_iter()
                    .filter(|p| p.revoked_at.is_none())
                    .collect();
                match active.as_slice() {
                    [town] => town.code.clone(),
                    [] => {
                        return fail(
                            ErrorKind::UnknownOrigin,
                            "尚未登记镇同步对象，请先用 peer add 登记镇的公钥".into(),
                            2,
                        );
                    }
                    _ => {
                        return fail(
                            ErrorKind::BadInput,
                            "登记了多个同步对象，请用 --to 指定镇的代码".into(),
                            2,
                        );
                    }
                }
            }
            Err(err) => return book_failure(err),
        },
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return fail(ErrorKind::Internal, format!("无法启动同步：{err}"), 1),
    };
    let upstream = match book.origin().kind {
        BookKind::Station => "镇里",
        BookKind::Town | BookKind::County => "县里",
    };
    let book = std::sync::Arc::new(std::sync::Mutex::new(book));
    let hub = liaison_sync::Hub {
        url: hub.to_owned(),
        code,
    };
    let client = match target.ca {
        None => liaison_sync::client(),
        Some(ca) => match liaison_sync::client_trusting(ca) {
            Ok(client) => client,
            Err(err) => return fail(ErrorKind::BadInput, err.to_string(), 2),
        },
    };
    match runtime.block_on(liaison_sync::sync_once(&book, &hub, &client)) {
        Ok(outcome) => {
            let out = Output { json };
            match out.print(&outcome, |outcome| human::synced(outcome, upstream)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => book_failure(err),
            }
        }
        Err(err) => match err {
            liaison_sync::SyncError::Unreachable(_) => {
                fail(ErrorKind::Unreachable, err.to_string(), 3)
            }
            liaison_sync::SyncError::Refused { kind, .. } => fail(kind, err.to_string(), 2),
            liaison_sync::SyncError::Book(err) => book_failure(err),
        },
    }
}

fn run(cli: Cli) -> Result<(), Error> {
    let db = cli.db.ok_or_else(|| {
        Error::refused(
            ErrorKind::BadInput,
            "请用 --db 指定台账文件（或设置环境变量 CASEBOOK_DB）",
        )
    })?;
    let out = Output { json: cli.json };
    let given = lock::given_passphrase(cli.passphrase_file.as_deref())?;
    if let Command::Init {
        station_code,
        station_name,
        town,
        county,
        no_encryption,
        enrolment,
        out: keys_dir,
    } = &cli.command
    {
        casebook::store::refuse_existing(&db)?;
        // The file is read and checked before a passphrase is asked for or a book made.
        let enrolment = enrolment
            .as_deref()
            .map(casebook::bundle::Enrolment::read_file)
            .transpose()?;
        let passphrase = if *no_encryption {
            None
        } else {
            Some(match given {
                Some(passphrase) => passphrase,
                None => new_passphrase_from_terminal()?,
            })
        };
        let passphrase = passphrase.as_ref().map(|passphrase| passphrase.as_str());
        if let (Some(enrolment), Some(keys_dir)) = (enrolment, keys_dir) {
            let (_, enrolled) = Book::enrol_new_station(&db, &enrolment, passphrase, keys_dir)?;
            return out.print(&enrolled, human::station_enrolled);
        }
        let (Some(code), Some(name)) = (station_code, station_name) else {
            return Err(Error::refused(
                ErrorKind::BadInput,
                "请给出 --station-code 和 --station-name，或用 --enrolment 指定镇人大提供的登记文件",
            ));
        };
        let kind = match (*town, *county) {
            (true, _) => BookKind::Town,
            (_, true) => BookKind::County,
            _ => BookKind::Station,
        };
        let book = match passphrase {
            None => Book::create(&db, code, name, kind)?,
            Some(passphrase) => Book::create_encrypted(&db, code, name, kind, passphrase)?,
        };
        return out.print(book.origin(), human::origin(&db));
    }
    if let Command::Restore { file } = &cli.command {
        let book = match Book::restore(file, &db, given.as_deref().map(String::as_str)) {
            Err(err) if err.kind() == ErrorKind::Locked && given.is_none() && terminal() => {
                let passphrase = ask("请输入备份时本站台账的密码：")?;
                Book::restore(file, &db, Some(&passphrase))
            }
            restored => restored,
        }?;
        let done = Restored {
            book: db.display().to_string(),
            from: file.display().to_string(),
            station: book.origin().code.clone(),
            seq: book.own_last_seq()?,
        };
        return out.print(&done, human::restored);
    }
    if let Command::Encrypt = &cli.command {
        let passphrase = match given {
            Some(passphrase) => passphrase,
            None => new_passphrase_from_terminal()?,
        };
        Book::encrypt_in_place(&db, &passphrase)?;
        open_book(&db, Some(passphrase))?.audit(
            AuditAction::PassphraseChange,
            None,
            Some("台账已加密"),
        )?;
        let done = Encrypted {
            book: db.display().to_string(),
            slots: lock::slots_path(&db).display().to_string(),
        };
        return out.print(&done, human::encrypted);
    }
    let mut book = open_book(&db, given)?;
    match cli.command {
        Command::Init { .. }
        | Command::Sync { .. }
        | Command::Encrypt
        | Command::Restore { .. } => Ok(()),
        Command::Backup { out: dir, keep } => {
            let made = book.backup_into(&dir, keep)?;
            out.print(&made, human::backed_up)
        }
        Command::Recovery {
            command:
                RecoveryCommand::ResetPassphrase {
                    book: station,
                    new_passphrase_file,
                },
        } => {
            let mut opened = Book::open_for_town(&station, &book)?;
            opened.set_channel(AuditChannel::Cli);
            let station_code = opened.origin().code.clone();
            let passphrase = match new_passphrase_file {
                Some(file) => lock::given_passphrase(Some(&file))?
                    .ok_or_else(|| Error::refused(ErrorKind::BadInput, "新密码文件是空的"))?,
                None => new_passphrase_from_terminal()?,
            };
            // Both books say it: the station's travels to the town with its next bundle.
            let town_code = book.origin().code.clone();
            opened.audit(AuditAction::RecoveryUse, Some(&town_code), None)?;
            opened.change_passphrase(&passphrase)?;
            book.audit(AuditAction::RecoveryUse, Some(&station_code), None)?;
            let done = Recovered {
                book: station.display().to_string(),
                station: station_code,
            };
            out.print(&done, human::recovered)
        }
        Command::Roster {
            command: RosterCommand::Import { file },
        } => {
            let roster: RosterFile = read_json(&file)?;
            out.print(&book.import_roster(&roster)?, human::roster_imported)
        }
        Command::Demo { receptions, seed } => {
            let options = DemoOptions { receptions, seed };
            let summary = demo::fill(&mut book, &options, |done, total| {
                if total >= 10_000 || done == total {
                    eprintln!("已生成接待 {done}/{total} 条");
                }
            })?;
            out.print(&summary, human::demo_summary)
        }
        Command::Deputy { command } => match command {
            DeputyCommand::List => out.print(&book.deputies()?, human::deputies),
            DeputyCommand::Activity {
                command: ActivityCommand::Add { file },
            } => {
                let input: DeputyActivityInput = read_json(&file)?;
                out.print(
                    &book.add_deputy_activity(input)?,
                    human::deputy_activity_added,
                )
            }
            DeputyCommand::Activity {
                command: ActivityCommand::List { deputy, from, to },
            } => {
                let deputy = deputy
                    .map(|reference| book.find_deputy(&reference).map(|d| d.id))
                    .transpose()?;
                out.print(
                    &book.deputy_activities(deputy, from, to)?,
                    human::deputy_activities,
                )
            }
        },
        Command::Reception {
            command: ReceptionCommand::Add { file },
        } => {
            let input: ReceptionInput = read_json(&file)?;
            out.print(&book.add_reception(input)?, human::reception_added)
        }
        Command::Case { command } => match command {
            CaseCommand::List {
                status,
                category,
                query,
                limit,
            } => {
                let filter = CaseFilter {
                    status: status.as_deref().map(StatusFilter::parse).transpose()?,
                    category,
                    query,
                    limit,
                    offset: 0,
                };
                out.print(&book.list_cases(&filter)?, human::cases)
            }
            CaseCommand::Show { case_no } => out.print(&book.case(&case_no)?, human::case_detail),
            CaseCommand::Event { case_no, file } => {
                let (source, text) = read_input(&file)?;
                let input = input::parse_case_event(&source, &text)?;
                out.print(
                    &book.add_case_event(&case_no, input)?,
                    human::case_event_added,
                )
            }
        },
        Command::Meeting { command } => match command {
            MeetingCommand::List => out.print(&book.meetings()?, human::meetings),
            MeetingCommand::Add { file } => {
                let input: MeetingInput = read_json(&file)?;
                out.print(&book.add_meeting(input)?, human::meeting_added)
            }
            MeetingCommand::Event { id, file } => {
                let (source, text) = read_input(&file)?;
                let input = input::parse_meeting_event(&source, &text)?;
                out.print(
                    &book.add_meeting_event(&id, input)?,
                    human::meeting_event_added,
                )
            }
        },
        Command::Mediation { command } => match command {
            MediationCommand::List => out.print(&book.mediations()?, human::mediations),
            MediationCommand::Add { file } => {
                let input: MediationInput = read_json(&file)?;
                out.print(&book.add_mediation(input)?, human::mediation_added)
            }
            MediationCommand::Event { number, file } => {
                let (source, text) = read_input(&file)?;
                let input = input::parse_mediation_event(&source, &text)?;
                out.print(
                    &book.add_mediation_event(&number, input)?,
                    human::mediation_event_added,
                )
            }
        },
        Command::Suggestion { command } => match command {
            SuggestionCommand::List => out.print(&book.suggestions()?, human::suggestions),
            SuggestionCommand::Add { file } => {
                let input: SuggestionInput = read_json(&file)?;
                out.print(&book.add_suggestion(input)?, human::suggestion_added)
            }
            SuggestionCommand::Event { number, file } => {
                let (source, text) = read_input(&file)?;
                let input = input::parse_suggestion_event(&source, &text)?;
                out.print(
                    &book.add_suggestion_event(&number, input)?,
                    human::suggestion_event_added,
                )
            }
        },
        Command::Render {
            kind,
            id,
            out: file,
            phone,
            year,
        } => {
            let id = match (kind, year) {
                (DocumentKind::DeputyFile, Some(year)) => format!("{}:{year}", id.trim()),
                (DocumentKind::DeputyFile, None) => {
                    return Err(Error::refused(
                        ErrorKind::BadInput,
                        "代表履职档案须指定年份：--year 2026",
                    ));
                }
                (_, Some(_)) => {
                    return Err(Error::refused(
                        ErrorKind::BadInput,
                        "--year 只用于代表履职档案（deputy-file）",
                    ));
                }
                (_, None) => id,
            };
            let prints_phone = matches!(
                kind,
                DocumentKind::Slip
                    | DocumentKind::Correction
                    | DocumentKind::Referral
                    | DocumentKind::Chase
            );
            if phone.is_some() && !prints_phone {
                return Err(Error::refused(
                    ErrorKind::BadInput,
                    "--phone 只用于接待回执、编号更正通知、交办单和督办单",
                ));
            }
            let html = render_document(
                &book,
                Document::parse(&kind.name())?,
                &id,
                &SlipOptions {
                    station_phone: phone,
                },
            )?;
            write_file(&file, html.as_bytes())?;
            book.audit(
                AuditAction::DocumentSave,
                Some(&id),
                Some(Document::parse(&kind.name())?.label()),
            )?;
            let rendered = Rendered {
                kind: kind.name(),
                id,
                out: file,
                bytes: html.len(),
            };
            out.print(&rendered, human::rendered)
        }
        Command::Report {
            kind,
            station,
            from,
            to,
            out: file,
        } => {
            let extension = file
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let excel = match extension.as_deref() {
                Some("xlsx") => true,
                Some("html" | "htm") => false,
                _ => {
                    return Err(Error::refused(
                        ErrorKind::BadInput,
                        format!("报表文件应以 .html 或 .xlsx 结尾：{}", file.display()),
                    ));
                }
            };
            let (kind, name) = match kind {
                ReportArg::Weekly => (ReportKind::Weekly, "weekly"),
                ReportArg::Monthly => (ReportKind::Monthly, "monthly"),
            };
            let range = kind.range(casebook::time::china_today(), from, to)?;
            let report = Report::gather(&book, kind, station.as_deref(), range)?;
            let bytes = if excel {
                report.xlsx()?
            } else {
                report.html()?.into_bytes()
            };
            write_file(&file, &bytes)?;
            if excel {
                let range = format!("{}..{}", range.from, range.to);
                book.audit(AuditAction::ExcelExport, Some(&range), Some(kind.label()))?;
            }
            let rendered = Rendered {
                kind: name.to_owned(),
                id: format!("{}..{}", range.from, range.to),
                out: file,
                bytes: bytes.len(),
            };
            out.print(&rendered, human::rendered)
        }
        Command::Due { within } => out.print(
            &book.due(casebook::time::china_today(), within)?,
            human::due,
        ),
        Command::Stats { station, from, to } => {
            out.print(&book.stats(station.as_deref(), from, to)?, human::stats)
        }
        Command::Pin {
            command: PinCommand::Reset { deputy },
        } => {
            let deputy = book.write(|writer| writer.resolve_deputy(&deputy))?;
            let had_pin = book.reset_pin(deputy.id)?;
            let done = PinReset {
                deputy: deputy.id.to_string(),
                name: deputy.name,
                had_pin,
            };
            out.print(&done, human::pin_reset)
        }
        Command::Keys {
            command: KeysCommand::Show,
        } => out.print(&book.public_keys(), human::keys),
        Command::Peer { command } => match command {
            PeerCommand::Add {
                code,
                sign_public,
                seal_public,
            } => out.print(
                &book.add_peer(&code, &sign_public, &seal_public)?,
                human::peer,
            ),
            PeerCommand::List => out.print(&book.peers()?, human::peers),
            PeerCommand::Revoke { code } => out.print(&book.revoke_peer(&code)?, human::peer),
        },
        Command::Relay { command } => match command {
            RelayCommand::Set { county } => {
                book.set_relay(&county)?;
                out.print(&book.relay_overview()?, human::relay)
            }
            RelayCommand::Show => out.print(&book.relay_overview()?, human::relay),
        },
        Command::Enrol { command } => match command {
            EnrolCommand::Export { station, out: dir } => out.print(
                &book.write_enrolment(&station, &dir)?,
                human::enrolment_written,
            ),
            EnrolCommand::Accept { file, replace_keys } => {
                let bytes = casebook::bundle::read_keys_file(&file)?;
                out.print(
                    &book.accept_station_keys(&bytes, replace_keys)?,
                    human::station_accepted,
                )
            }
        },
        Command::Bundle { command } => match command {
            BundleCommand::Export { to, out: dir } => {
                out.print(&book.export_bundle(&to, &dir)?, human::exported)
            }
            BundleCommand::Import { files } => {
                let mut total = casebook::bundle::Imported::default();
                for (done, file) in files.iter().enumerate() {
                    let bytes = std::fs::read(file).map_err(|err| {
                        Error::refused(
                            ErrorKind::BadInput,
                            format!("无法读取文件 {}：{err}", file.display()),
                        )
                    })?;
                    total += book.import_bundle(&bytes).map_err(|err| match err {
                        Error::Refused {
                            kind,
                            message,
                            field,
                        } => Error::Refused {
                            kind,
                            field,
                            message: if done == 0 {
                                format!("{}：{message}", file.display())
                            } else {
                                format!(
                                    "{}：{message}（此前的 {done} 个同步包已导入，之后的未导入）",
                                    file.display()
                                )
                            },
                        },
                        other => other,
                    })?;
                }
                out.print(&total, human::imported)
            }
            BundleCommand::Status => out.print(&book.bundle_status()?, human::bundle_status),
            BundleCommand::Quarantine {
                command: ListOnly::List,
            } => out.print(&book.quarantined()?, human::quarantined),
        },
        Command::Conflicts {
            command: ListOnly::List,
        } => out.print(&book.conflicts()?, human::conflicts),
        Command::Renumbered {
            command: ListOnly::List,
        } => out.print(&book.renumbered()?, human::renumbered),
        Command::Audit { from, to, deputy } => {
            let deputy = deputy
                .map(|reference| {
                    book.write(|writer| writer.resolve_deputy(&reference))
                        .map(|deputy| deputy.id)
                })
                .transpose()?;
            let filter = AuditFilter {
                from,
                to,
                deputy,
                ..AuditFilter::default()
            };
            out.print(&book.audit_trail(&filter)?, human::audit_trail)
        }
        Command::Changes {
            since,
            origin,
            limit,
        } => out.print(
            &book.changes_since(origin.as_deref(), since, limit)?,
            human::changes,
        ),
    }
}

/// Writes to stdout; a reader that went away (`| head`) is not an error of ours.
fn emit(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// `encrypt`'s answer.
#[derive(Debug, Serialize)]
struct Encrypted {
    /// The book, now encrypted.
    book: String,
    /// Its slots file, to keep beside it.
    slots: String,
}

/// `pin reset`'s answer.
#[derive(Debug, Serialize)]
struct PinReset {
    /// The deputy's id.
    deputy: String,
    /// Their name.
    name: String,
    /// They had a PIN here (otherwise there was nothing to clear).
    had_pin: bool,
}

/// `restore`'s answer.
#[derive(Debug, Serialize)]
struct Restored {
    /// The book made.
    book: String,
    /// The backup it was made from.
    from: String,
    /// Its station code.
    station: String,
    /// The last change of the station's own log that it holds.
    seq: i64,
}

/// `recovery reset-passphrase`'s answer.
#[derive(Debug, Serialize)]
struct Recovered {
    /// The station's book.
    book: String,
    /// Its station code.
    station: String,
}

/// Prints either JSON or the human form.
struct Output {
    json: bool,
}

impl Output {
    fn print<T: Serialize>(
        &self,
        value: &T,
        human: impl FnOnce(&T) -> String,
    ) -> Result<(), Error> {
        if self.json {
            let text = serde_json::to_string_pretty(value)
                .map_err(|err| Error::Internal(format!("cannot print JSON: {err}")))?;
            emit(&format!("{text}\n"));
        } else {
            emit(&human::terminal_safe(&human(value)));
        }
        Ok(())
    }
}

/// Reads an input file, or stdin for `-`, and names it for messages.
fn read_input(file: &Path) -> Result<(String, String), Error> {
    if file == Path::new("-") {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|err| {
            Error::refused(ErrorKind::BadInput, format!("无法读取标准输入：{err}"))
        })?;
        return Ok(("标准输入".into(), text));
    }
    let text = std::fs::read_to_string(file).map_err(|err| {
        Error::refused(
            ErrorKind::BadInput,
            format!("无法读取文件 {}：{err}", file.display()),
        )
    })?;
    Ok((file.display().to_string(), text))
}

/// Writes `bytes` to `file`, refusing (exit 2) a path that cannot be written.
fn write_file(file: &Path, bytes: &[u8]) -> Result<(), Error> {
    std::fs::write(file, bytes).map_err(|err| {
        Error::refused(
            ErrorKind::BadInput,
            format!("无法写入文件 {}：{err}", file.display()),
        )
    })
}

/// Reads a JSON input from a file or stdin (`-`), refusing unreadable or malformed input.
fn read_json<T: DeserializeOwned>(file: &Path) -> Result<T, Error> {
    let (source, text) = read_input(file)?;
    input::parse(&source, &text)
}
