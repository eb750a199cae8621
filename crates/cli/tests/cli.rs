//! End-to-end tests of the `casebook` binary: every command, in success and in refusal.
//!
//! Each test works on its own book in its own temporary directory. Refusals are checked for
//! exit code 2, a message on stderr, the `{"error": {kind, message}}` document on stdout with
//! `--json`, and an unchanged change log and case list.
#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use casebook::time::test_clock;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, SecondsFormat, TimeDelta, Utc, Weekday};
use predicates::prelude::*;
use serde_json::{Value, json};
use tempfile::TempDir;

const CODE: &str = "BX";
const STATION: &str = "东岭村人大代表联络站";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Now in station time (UTC+8), to the second, on the clock this file shares with every
/// `casebook` it starts: pinned at noon of the station's day, so that no test depends on the
/// hour it runs at (an hour ago is today, and no test runs into midnight).
fn now() -> DateTime<FixedOffset> {
    test_clock::pin_to_noon();
    casebook::time::china_now()
}

fn today() -> NaiveDate {
    now().date_naive()
}

/// `2026-11-28T09:30:00+08:00`.
fn rfc(at: DateTime<FixedOffset>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A time an hour ago: recent, never in the future.
fn an_hour_ago() -> DateTime<FixedOffset> {
    now() - TimeDelta::hours(1)
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// The binary, with `CASEBOOK_DB` cleared so the caller's environment cannot leak in, on the
/// tests' station clock.
fn casebook() -> Command {
    let mut cmd = Command::cargo_bin("casebook").unwrap();
    cmd.env_remove("CASEBOOK_DB")
        .env(test_clock::SHIFT_VAR, test_clock::pin_to_noon().to_string());
    cmd
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {value}"))
}

fn case_nos(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| str_of(c, "case_no").to_owned())
        .collect()
}

fn case_no(year: i32, seq: u32) -> String {
    format!("{CODE}-{year}-{seq:04}")
}

/// A book in a temporary directory of its own.
struct Book {
    dir: TempDir,
    db: PathBuf,
    files: Cell<usize>,
}

impl Book {
    /// A new, empty station book `BX`.
    fn init() -> Book {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("book.db");
        casebook()
            .arg("--db")
            .arg(&db)
            .args([
                "init",
                "--no-encryption",
                "--station-code",
                CODE,
                "--station-name",
                STATION,
            ])
            .assert()
            .success()
            .stdout(predicate::str::contains(CODE));
        Book {
            dir,
            db,
            files: Cell::new(0),
        }
    }

    /// A new book with the fixture roster (3 grids, 1 station, 3 deputies, 1 duty shift).
    fn with_roster() -> Book {
        let book = Book::init();
        let imported = book.ok(&["roster", "import", fixture("roster.json").to_str().unwrap()]);
        assert_eq!(
            imported,
            json!({"grids": 3, "stations": 1, "deputies": 3, "duty": 1, "unchanged": 0})
        );
        book
    }

    fn cmd(&self) -> Command {
        let mut cmd = casebook();
        cmd.arg("--db").arg(&self.db);
        cmd
    }

    /// Writes `text` to a new file in the book's directory.
    fn file(&self, text: &str) -> PathBuf {
        let n = self.files.get() + 1;
        self.files.set(n);
        let path = self.dir.path().join(format!("input-{n}.json"));
        std::fs::write(&path, text).unwrap();
        path
    }

    /// Runs with `--json`, expects success and returns the parsed stdout.
    fn ok(&self, args: &[&str]) -> Value {
        let output = self.cmd().arg("--json").args(args).assert().success();
        serde_json::from_slice(&output.get_output().stdout).unwrap()
    }

    /// Runs `args --file F` with `input` written to F, expects success.
    fn ok_with(&self, args: &[&str], input: &Value) -> Value {
        let path = self.file(&input.to_string());
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--file", path.to_str().unwrap()]);
        self.ok(&all)
    }

    /// Runs `args --file -` with `input` on stdin, expects success.
    fn ok_stdin(&self, args: &[&str], input: &Value) -> Value {
        let output = self
            .cmd()
            .arg("--json")
            .args(args)
            .args(["--file", "-"])
            .write_stdin(input.to_string())
            .assert()
            .success();
        serde_json::from_slice(&output.get_output().stdout).unwrap()
    }

    /// The stdout of a read-only command, as text, for before/after comparisons.
    fn snapshot(&self) -> (String, String) {
        let text = |args: &[&str]| {
            let output = self.cmd().arg("--json").args(args).assert().success();
            String::from_utf8(output.get_output().stdout.clone()).unwrap()
        };
        (
            text(&["changes"]),
            text(&["case", "list", "--limit", "100000"]),
        )
    }

    /// Runs with `--json` and expects a refusal: exit 2, a message on stderr, the error
    /// document on stdout, and nothing written. Returns the error object.
    fn refused(&self, args: &[&str]) -> Value {
        self.refused_cmd(args, None)
    }

    /// Like [`Book::refused`], with `input` written to a file passed as `--file`.
    fn refused_with(&self, args: &[&str], input: &str) -> Value {
        let path = self.file(input);
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--file", path.to_str().unwrap()]);
        self.refused_cmd(&all, None)
    }

    /// Like [`Book::refused`] for `roster import FILE` with `roster` written to FILE.
    fn refused_roster(&self, roster: &str) -> Value {
        let path = self.file(roster);
        self.refused(&["roster", "import", path.to_str().unwrap()])
    }

    fn refused_cmd(&self, args: &[&str], stdin: Option<&str>) -> Value {
        let before = self.snapshot();
        let mut cmd = self.cmd();
        cmd.arg("--json").args(args);
        if let Some(stdin) = stdin {
            cmd.write_stdin(stdin.to_owned());
        }
        let output = cmd
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with("错误："));
        let body: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
        let error = body["error"].clone();
        assert!(
            !str_of(&error, "message").is_empty(),
            "refusal without a message: {body}"
        );
        assert_eq!(
            self.snapshot(),
            before,
            "a refusal of {args:?} changed the book"
        );
        error
    }

    fn changes(&self) -> Vec<Value> {
        self.ok(&["changes"]).as_array().unwrap().clone()
    }

    fn cases(&self) -> Vec<Value> {
        self.ok(&["case", "list", "--limit", "100000"])
            .as_array()
            .unwrap()
            .clone()
    }

    fn deputy_id(&self, name: &str) -> String {
        let deputies = self.ok(&["deputy", "list"]);
        let deputy = deputies
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == name)
            .unwrap_or_else(|| panic!("no deputy {name}"));
        str_of(deputy, "id").to_owned()
    }

    fn add_reception(&self, input: &Value) -> String {
        let added = self.ok_with(&["reception", "add"], input);
        str_of(&added, "case_no").to_owned()
    }

    /// Appends a case event and returns the status after it.
    fn event(&self, case_no: &str, input: &Value) -> String {
        let added = self.ok_with(&["case", "event", case_no], input);
        assert_eq!(added["case_no"], case_no);
        str_of(&added, "status").to_owned()
    }

    fn status_of(&self, case_no: &str) -> String {
        str_of(&self.ok(&["case", "show", case_no]), "status").to_owned()
    }
}

/// A valid reception received an hour ago by 陈建国.
fn reception(matter: &str, request: &str, category: &str, visitors: Value) -> Value {
    json!({
        "received_at": rfc(an_hour_ago()),
        "channel": "到站接待",
        "deputies": ["陈建国"],
        "visitors": visitors,
        "category": category,
        "matter": matter,
        "request": request,
        "consent": true,
    })
}

fn simple_reception() -> Value {
    reception(
        "村口路灯坏了三天",
        "请求尽快维修",
        "村务管理",
        json!([{"name": "陈志明", "sex": "男", "age": 56, "phone": "13800001111",
                "id_number": "11010519491231002X", "address": "东岭村第一村民小组"}]),
    )
}

/// The fields a text query searches, folded the way the search folds them.
fn searchable_fields(reception: &Value) -> Vec<String> {
    let mut fields = vec![
        str_of(reception, "matter").to_owned(),
        str_of(reception, "request").to_owned(),
    ];
    for visitor in reception["visitors"].as_array().unwrap() {
        for key in ["name", "address"] {
            if let Some(text) = visitor[key].as_str() {
                fields.push(text.to_owned());
            }
        }
    }
    fields
}

/// What a plain substring scan finds: each field on its own, ASCII folded.
fn scan_matches(reception: &Value, query: &str) -> bool {
    let needle = query.trim().to_ascii_lowercase();
    searchable_fields(reception)
        .iter()
        .any(|field| field.to_ascii_lowercase().contains(&needle))
}

/// Receptions as recorded in the change log, oldest first (the order of the case list's rid).
fn logged_receptions(book: &Book) -> Vec<Value> {
    book.changes()
        .into_iter()
        .filter(|c| c["type"] == "reception_create")
        .map(|c| c["record"].clone())
        .collect()
}

/// Case numbers a substring scan of the logged receptions finds, newest first.
fn scan(book: &Book, query: &str) -> Vec<String> {
    logged_receptions(book)
        .iter()
        .rev()
        .filter(|r| scan_matches(r, query))
        .map(|r| str_of(r, "case_no").to_owned())
        .collect()
}

fn query(book: &Book, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["case", "list", "--limit", "100000"];
    args.extend(extra);
    case_nos(&book.ok(&args))
}

/// Receptions with known text for the search tests, each `(matter, request, category,
/// visitors)`.
const SEARCH_SET: [(&str, &str, &str, &str); 6] = [
    (
        "村口路灯坏了三天，夜间出行不便",
        "请求尽快维修",
        "村务管理",
        r#"[{"name": "陈志明", "address": "东岭村第一村民小组"}]"#,
    ),
    (
        "邻居加建围墙影响通行",
        "请求协调拆除越界部分",
        "邻里",
        r#"[{"name": "李路", "address": "南塘村"}]"#,
    ),
    ("西头路灯坏，东头吊灯坏了", "请求一并检修", "村务管理", "[]"),
    (
        "家门前要修路",
        "灯具也请更换",
        "村务管理",
        r#"[{"name": "黄海燕"}]"#,
    ),
    (
        "宅基地审批进度慢",
        "请求了解审批进度",
        "房屋宅基地",
        r#"[{"name": "张桂兰", "address": "河东社区"}]"#,
    ),
    (
        "村委WiFi信号差",
        "请求改善网络",
        "其他",
        r#"[{"name": "周敏", "address": "新路村第二组"}]"#,
    ),
];

/// Adds [`SEARCH_SET`] received by `deputy`; returns the case numbers in order.
fn add_search_set(book: &Book, deputy: &str) -> Vec<String> {
    SEARCH_SET
        .iter()
        .map(|(matter, request, category, visitors)| {
            let mut input = reception(
                matter,
                request,
                category,
                serde_json::from_str(visitors).unwrap(),
            );
            input["deputies"] = json!([deputy]);
            book.add_reception(&input)
        })
        .collect()
}

fn weekdays_between(from: NaiveDate, to: NaiveDate) -> usize {
    from.iter_days()
        .take_while(|d| *d <= to)
        .filter(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun))
        .count()
}

// ---------------------------------------------------------------------------------------------
// init, the book file, exit codes
// ---------------------------------------------------------------------------------------------

#[test]
fn init_creates_a_station_or_town_book() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested").join("station.db");
    let output = casebook()
        .arg("--db")
        .arg(&db)
        .args(["--json", "init", "--no-encryption", "--station-code", "BX"])
        .args(["--station-name", STATION])
        .assert()
        .success();
    let origin: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(
        origin,
        json!({"code": "BX", "name": STATION, "kind": "station"})
    );
    assert!(db.is_file());

    let town = dir.path().join("town.db");
    let output = casebook()
        .arg("--db")
        .arg(&town)
        .args([
            "--json",
            "init",
            "--no-encryption",
            "--station-code",
            "QX",
            "--town",
        ])
        .args(["--station-name", "清溪镇人大主席团"])
        .assert()
        .success();
    let origin: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(origin["kind"], "town");
    assert_eq!(origin["code"], "QX");

    // The human form names the book.
    let human = dir.path().join("human.db");
    casebook()
        .arg("--db")
        .arg(&human)
        .args([
            "init",
            "--no-encryption",
            "--station-code",
            "NT",
            "--station-name",
            "南塘村联络站",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("已创建台账：NT 南塘村联络站"));
}

#[test]
fn init_refuses_an_existing_book_and_leaves_it_intact() {
    let book = Book::with_roster();
    let case = book.add_reception(&simple_reception());
    let before = book.snapshot();
    let error = book.refused(&[
        "init",
        "--no-encryption",
        "--station-code",
        "NT",
        "--station-name",
        "南塘村联络站",
    ]);
    assert_eq!(error["kind"], "already_exists");
    assert_eq!(book.snapshot(), before);
    // Still the BX book with its case.
    assert_eq!(book.changes()[0]["origin"], "BX");
    assert_eq!(book.status_of(&case), "pending");
}

#[test]
fn init_refuses_bad_station_codes_and_blank_names_without_creating_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("book.db");
    for (code, name) in [
        ("bx", STATION),
        ("B-X", STATION),
        ("ABCDEFGHI", STATION),
        ("BX", "  "),
    ] {
        let output = casebook()
            .arg("--db")
            .arg(&db)
            .args([
                "--json",
                "init",
                "--no-encryption",
                "--station-code",
                code,
                "--station-name",
                name,
            ])
            .assert()
            .code(2)
            .stderr(predicate::str::starts_with("错误："));
        let body: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
        assert_eq!(body["error"]["kind"], "invalid", "{code} {name}");
        assert!(!db.exists(), "refused init of {code:?} created the file");
    }
}

#[test]
fn missing_db_is_refused_with_exit_2() {
    let output = casebook()
        .args(["--json", "deputy", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--db"));
    let body: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(body["error"]["kind"], "bad_input");

    // Without --json: the message on stderr and nothing on stdout.
    casebook()
        .args(["case", "list"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("CASEBOOK_DB"));

    // CASEBOOK_DB stands in for --db.
    let book = Book::with_roster();
    let output = Command::cargo_bin("casebook")
        .unwrap()
        .env("CASEBOOK_DB", &book.db)
        .args(["--json", "deputy", "list"])
        .assert()
        .success();
    let deputies: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(deputies.as_array().unwrap().len(), 3);
}

#[test]
fn a_book_that_does_not_exist_is_refused_and_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("missing.db");
    for args in [
        &["deputy", "list"][..],
        &["case", "list"],
        &["stats"],
        &["changes"],
    ] {
        let output = casebook()
            .arg("--db")
            .arg(&db)
            .arg("--json")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("init"));
        let body: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
        assert_eq!(body["error"]["kind"], "not_found", "{args:?}");
        assert!(!db.exists());
    }
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("notes.db");
    std::fs::write(&db, "not a database, just notes\n").unwrap();
    let output = casebook()
        .arg("--db")
        .arg(&db)
        .args(["--json", "deputy", "list"])
        .assert()
        .code(2);
    let body: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(body["error"]["kind"], "invalid");
    assert_eq!(
        std::fs::read_to_string(&db).unwrap(),
        "not a database, just notes\n"
    );
}

#[test]
fn opening_a_foreign_sqlite_file_leaves_it_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("other-app.sqlite");
    let schema = |path: &Path| -> (Vec<String>, i64, String) {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut select = conn
            .prepare("SELECT name FROM sqlite_master ORDER BY name")
            .unwrap();
        let names = select
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<Vec<String>, _>>()
            .unwrap();
        let version = conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        let journal = conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        (names, version, journal)
    };
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);")
            .unwrap();
    }
    let before = schema(&db);
    let output = casebook()
        .arg("--db")
        .arg(&db)
        .args(["--json", "deputy", "list"])
        .assert()
        .failure();
    let body: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert!(body["error"]["kind"].is_string());
    assert_eq!(
        schema(&db),
        before,
        "a database that is not a case book was changed"
    );
}

// ---------------------------------------------------------------------------------------------
// roster import, deputy list
// ---------------------------------------------------------------------------------------------

#[test]
fn roster_import_records_grids_station_deputies_and_duty() {
    let book = Book::with_roster();
    let deputies = book.ok(&["deputy", "list"]);
    let by_name: BTreeMap<&str, &Value> = deputies
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (str_of(d, "name"), d))
        .collect();
    assert_eq!(
        by_name.keys().copied().collect::<Vec<_>>(),
        ["李秀英", "陈建国", "黄海"]
    );
    let chen = by_name["陈建国"];
    assert_eq!(chen["congress"], "town");
    assert_eq!(chen["congress_label"], "镇人大代表");
    assert_eq!(chen["mediator_since"], "2023-03-01");
    assert_eq!(chen["grid"], "B01");
    assert_eq!(chen["station"], "BX");
    assert_eq!(chen["active"], true);
    assert!(uuid::Uuid::parse_str(str_of(chen, "id")).is_ok());
    let li = by_name["李秀英"];
    assert_eq!(li["congress"], "county");
    assert_eq!(li["phone"], "13912345678", "spaces dropped from the mobile");
    assert_eq!(li["mediator_since"], Value::Null);
    assert_eq!(by_name["黄海"]["congress_label"], "市人大代表");
    assert_eq!(by_name["黄海"]["grid"], Value::Null);

    let changes = book.changes();
    let ops: Vec<&str> = changes.iter().map(|c| str_of(c, "type")).collect();
    assert_eq!(
        ops,
        [
            "grid_upsert",
            "grid_upsert",
            "grid_upsert",
            "station_upsert",
            "deputy_upsert",
            "deputy_upsert",
            "deputy_upsert",
            "duty_shift_upsert",
        ]
    );
    let grids: Vec<&Value> = changes[..3].iter().map(|c| &c["record"]).collect();
    assert_eq!(grids[1]["parent"], "C");
    assert_eq!(grids[2]["parent"], "A1");
    assert_eq!(grids[2]["level"], "base");
    let duty = &changes[7]["record"];
    assert_eq!(duty["starts"], "09:00");
    assert_eq!(duty["ends"], "12:00");
    assert_eq!(
        duty["deputies"],
        json!([book.deputy_id("陈建国"), book.deputy_id("李秀英")])
    );

    // Importing the same roster again (from stdin) finds every record unchanged.
    let reimported = book
        .cmd()
        .args(["--json", "roster", "import", "-"])
        .write_stdin(std::fs::read_to_string(fixture("roster.json")).unwrap())
        .assert()
        .success();
    let reimported: Value = serde_json::from_slice(&reimported.get_output().stdout).unwrap();
    assert_eq!(
        reimported,
        json!({"grids": 0, "stations": 0, "deputies": 0, "duty": 0, "unchanged": 8})
    );
    assert_eq!(book.ok(&["deputy", "list"]), deputies, "ids are kept");
    assert_eq!(book.changes().len(), 8, "nothing logged again");

    // Human form.
    book.cmd()
        .args(["deputy", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "陈建国\t镇人大代表\t站点 BX\t网格 B01\t特邀调解员",
        ))
        .stdout(predicate::str::contains("共 3 名代表"));
}

#[test]
fn roster_import_with_an_unknown_parent_grid_writes_nothing() {
    let book = Book::with_roster();
    let deputies_before = book.ok(&["deputy", "list"]);
    let changes_before = book.changes().len();
    let error = book.refused(&[
        "roster",
        "import",
        fixture("roster_unknown_parent.json").to_str().unwrap(),
    ]);
    assert_eq!(error["kind"], "invalid");
    assert!(str_of(&error, "message").contains("A9"), "{error}");
    assert_eq!(book.changes().len(), changes_before);
    assert_eq!(book.ok(&["deputy", "list"]), deputies_before);

    // The same on an empty book: the valid first grid is not kept either.
    let empty = Book::init();
    let error = empty.refused(&[
        "roster",
        "import",
        fixture("roster_unknown_parent.json").to_str().unwrap(),
    ]);
    assert_eq!(error["kind"], "invalid");
    assert!(empty.changes().is_empty());
    assert_eq!(empty.ok(&["deputy", "list"]), json!([]));
}

#[test]
fn roster_import_is_all_or_nothing_across_sections() {
    let book = Book::with_roster();
    let changes_before = book.changes().len();
    // Valid grid and deputy, then a duty shift naming someone not on the roster.
    let roster = json!({
        "grids": [{"code": "B02", "name": "东岭村第二网格", "level": "base", "parent": "A1"}],
        "deputies": [{"name": "周新民", "congress": "town", "station": "BX", "grid": "B02"}],
        "duty": [{"station": "BX", "date": "2026-12-01", "from": "14:00", "to": "17:00",
                  "deputies": ["周新民", "王五"]}],
    });
    let error = book.refused_roster(&roster.to_string());
    assert_eq!(error["kind"], "unknown_deputy");
    assert_eq!(book.changes().len(), changes_before);
    assert_eq!(book.ok(&["deputy", "list"]).as_array().unwrap().len(), 3);

    // Other refusals of the roster file.
    let bad_shift = json!({"duty": [{"station": "BX", "date": "2026-12-01", "from": "12:00",
                                     "to": "09:00", "deputies": ["陈建国"]}]});
    assert_eq!(
        book.refused_roster(&bad_shift.to_string())["kind"],
        "invalid"
    );
    let unknown_field = json!({"grids": [], "villages": []});
    assert_eq!(
        book.refused_roster(&unknown_field.to_string())["kind"],
        "bad_input"
    );
    let bad_phone = json!({"deputies": [{"name": "周新民", "congress": "town", "phone": "12345"}]});
    assert_eq!(
        book.refused_roster(&bad_phone.to_string())["kind"],
        "invalid_phone"
    );
    let future_mediator = json!({"deputies": [{"name": "周新民", "congress": "town",
        "mediator_since": (today() + TimeDelta::days(3)).to_string()}]});
    assert_eq!(
        book.refused_roster(&future_mediator.to_string())["kind"],
        "future_date"
    );
    let unknown_station =
        json!({"deputies": [{"name": "周新民", "congress": "town", "station": "ZZ"}]});
    assert_eq!(
        book.refused_roster(&unknown_station.to_string())["kind"],
        "invalid"
    );
}

// ---------------------------------------------------------------------------------------------
// demo
// ---------------------------------------------------------------------------------------------

#[test]
fn demo_fills_the_book_and_the_same_seed_gives_the_same_cases() {
    let first = Book::init();
    let second = Book::init();
    let summary = first.ok(&["demo", "--receptions", "50", "--seed", "42"]);
    let summary_again = second.ok(&["demo", "--receptions", "50", "--seed", "42"]);
    assert_eq!(summary, summary_again);

    assert_eq!(summary["receptions"], 50);
    assert_eq!(summary["grids"], 34);
    assert_eq!(summary["stations"], 27);
    assert_eq!(summary["deputies"], 86);
    let today = today();
    assert_eq!(
        summary["duty"],
        weekdays_between(today - TimeDelta::days(28), today + TimeDelta::days(14))
    );

    let cases = first.ok(&["case", "list", "--limit", "1000"]);
    assert_eq!(cases.as_array().unwrap().len(), 50);
    assert_eq!(
        cases,
        second.ok(&["case", "list", "--limit", "1000"]),
        "same seed, same day: same cases, ids included"
    );

    // The summary matches what is in the book.
    let changes = first.changes();
    let count = |op: &str| changes.iter().filter(|c| c["type"] == op).count();
    assert_eq!(summary["receptions"], count("reception_create"));
    assert_eq!(summary["case_events"], count("case_event_append"));
    assert_eq!(summary["meetings"], count("meeting_create"));
    assert_eq!(summary["mediations"], count("mediation_create"));
    assert_eq!(summary["mediation_events"], count("mediation_event_append"));
    let total: u64 = summary
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, changes.len() as u64);
    assert_eq!(first.ok(&["deputy", "list"]).as_array().unwrap().len(), 86);
    let meetings = first.ok(&["meeting", "list"]);
    assert_eq!(summary["meetings"], meetings.as_array().unwrap().len());
    let mediations = first.ok(&["mediation", "list"]);
    let mediations = mediations.as_array().unwrap();
    assert_eq!(summary["mediations"], mediations.len());
    let events: usize = mediations
        .iter()
        .map(|m| m["events"].as_array().unwrap().len())
        .sum();
    assert_eq!(summary["mediation_events"], events);
    for m in mediations {
        assert!(
            str_of(m, "number").contains("BX人调字第"),
            "{}",
            m["number"]
        );
        assert!(m["case_no"].as_str().unwrap().starts_with("BX-"));
    }
    // Meetings are listed newest first.
    let held: Vec<&str> = meetings
        .as_array()
        .unwrap()
        .iter()
        .map(|m| str_of(m, "held_at"))
        .collect();
    let mut sorted = held.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(held, sorted);

    // A different seed gives a different book.
    let third = Book::init();
    third.ok(&["demo", "--receptions", "50", "--seed", "43"]);
    assert_ne!(third.ok(&["case", "list", "--limit", "1000"]), cases);
}

#[test]
fn demo_same_seed_gives_the_same_roster_ids() {
    let first = Book::init();
    let second = Book::init();
    first.ok(&["demo", "--receptions", "20", "--seed", "5"]);
    second.ok(&["demo", "--receptions", "20", "--seed", "5"]);
    let ids = |book: &Book| -> Vec<(String, String)> {
        book.ok(&["deputy", "list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (str_of(d, "name").to_owned(), str_of(d, "id").to_owned()))
            .collect()
    };
    let (first_ids, second_ids) = (ids(&first), ids(&second));
    let names = |ids: &[(String, String)]| ids.iter().map(|d| d.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&first_ids), names(&second_ids), "same names");
    assert_eq!(first_ids[..3], second_ids[..3], "same deputy ids");
    let newest = case_nos(&first.ok(&["case", "list", "--limit", "1"]))[0].clone();
    assert_eq!(
        first.ok(&["case", "show", &newest])["reception"]["deputies"],
        second.ok(&["case", "show", &newest])["reception"]["deputies"]
    );
}

#[test]
fn case_list_filters_agree_with_stats_on_the_demo_book() {
    let book = Book::init();
    book.ok(&["demo", "--receptions", "60", "--seed", "7"]);
    let all = book.ok(&["case", "list", "--limit", "1000"]);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 60);
    let stats = book.ok(&["stats"]);
    assert_eq!(stats["receptions"], 60);

    // Default page size, --limit, and newest first.
    assert_eq!(book.ok(&["case", "list"]).as_array().unwrap().len(), 20);
    let five = book.ok(&["case", "list", "--limit", "5"]);
    assert_eq!(five.as_array().unwrap()[..], all[..5]);

    // By status: every status the stats count, by name and by label.
    let by_status = stats["by_status"].as_array().unwrap();
    assert!(by_status.len() >= 3, "demo should have several statuses");
    for count in by_status {
        let key = str_of(count, "key");
        let listed = book.ok(&["case", "list", "--status", key, "--limit", "1000"]);
        let listed = listed.as_array().unwrap();
        assert_eq!(
            listed.len() as u64,
            count["count"].as_u64().unwrap(),
            "{key}"
        );
        assert!(listed.iter().all(|c| c["status"] == key));
        let expected: Vec<&Value> = all.iter().filter(|c| c["status"] == key).collect();
        assert_eq!(listed.iter().collect::<Vec<_>>(), expected);
        let by_label = book.ok(&[
            "case",
            "list",
            "--status",
            str_of(count, "label"),
            "--limit",
            "1000",
        ]);
        assert_eq!(by_label.as_array().unwrap(), listed);
    }

    // By category.
    for count in stats["by_category"].as_array().unwrap() {
        let key = str_of(count, "key");
        let listed = book.ok(&["case", "list", "--category", key, "--limit", "1000"]);
        let listed = listed.as_array().unwrap();
        assert_eq!(
            listed.len() as u64,
            count["count"].as_u64().unwrap(),
            "{key}"
        );
        assert!(listed.iter().all(|c| c["category"] == key));
    }

    // Overdue.
    let overdue = book.ok(&["case", "list", "--status", "overdue", "--limit", "1000"]);
    let overdue = overdue.as_array().unwrap();
    assert_eq!(overdue.len() as u64, stats["overdue"].as_u64().unwrap());
    let expected: Vec<&Value> = all.iter().filter(|c| c["overdue"] == true).collect();
    assert_eq!(overdue.iter().collect::<Vec<_>>(), expected);

    // Refusals of the filters.
    assert_eq!(
        book.refused(&["case", "list", "--status", "lost"])["kind"],
        "invalid"
    );
    assert_eq!(
        book.refused(&["case", "list", "--category", "出嫁女土地权益"])["kind"],
        "unknown_category"
    );
}

// ---------------------------------------------------------------------------------------------
// reception add
// ---------------------------------------------------------------------------------------------

#[test]
fn reception_add_numbers_cases_gaplessly_per_year() {
    let book = Book::with_roster();
    let at = an_hour_ago();
    let year = at.year();

    let first = book.ok_with(&["reception", "add"], &simple_reception());
    let keys: Vec<&String> = first.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["case_no", "id"]);
    assert!(uuid::Uuid::parse_str(str_of(&first, "id")).is_ok());
    assert_eq!(first["case_no"], case_no(year, 1));

    let second = book.ok_stdin(&["reception", "add"], &simple_reception());
    assert_eq!(second["case_no"], case_no(year, 2));
    let third = book.ok_with(&["reception", "add"], &simple_reception());
    assert_eq!(third["case_no"], case_no(year, 3));
    assert_ne!(first["id"], second["id"]);

    // The year is the station's (UTC+8): 16:00 UTC on 31 December is already next year.
    let mut new_year = simple_reception();
    new_year["received_at"] = json!(format!("{}-12-31T16:00:00Z", year - 1));
    let added = book.ok_with(&["reception", "add"], &new_year);
    assert_eq!(added["case_no"], case_no(year, 4));
    let shown = book.ok(&["case", "show", &case_no(year, 4)]);
    assert_eq!(
        shown["reception"]["received_at"],
        format!("{year}-01-01T00:00:00+08:00")
    );

    // Last year has its own sequence, from 1.
    let mut last_year = simple_reception();
    last_year["received_at"] = json!(format!("{}-12-31T15:59:59Z", year - 1));
    assert_eq!(
        book.ok_with(&["reception", "add"], &last_year)["case_no"],
        case_no(year - 1, 1)
    );

    // The human form prints the number.
    let path = book.file(&simple_reception().to_string());
    book.cmd()
        .args(["reception", "add", "--file", path.to_str().unwrap()])
        .assert()
        .success()
        .stdout(format!("已登记，案件编号 {}\n", case_no(year, 5)));

    let listed = case_nos(&book.ok(&["case", "list"]));
    assert_eq!(
        listed,
        [
            case_no(year, 5),
            case_no(year - 1, 1),
            case_no(year, 4),
            case_no(year, 3),
            case_no(year, 2),
            case_no(year, 1),
        ],
        "newest recorded first"
    );
}

#[test]
fn reception_add_stores_what_was_given() {
    let book = Book::with_roster();
    let at = an_hour_ago();
    let input = json!({
        "received_at": rfc(at),
        "channel": "grid_visit",
        "deputies": ["陈建国", book.deputy_id("李秀英"), "陈建国"],
        "visitors": [
            {"name": " 陈志明 ", "sex": "男", "age": 56, "phone": "138-0000-1111",
             "id_number": "11010519491231002x", "address": "东岭村第一村民小组",
             "representative": true},
            {"sex": "女"}
        ],
        "head_count": 6,
        "category": " 山林土地 ",
        "subcategory": "出嫁女土地权益",
        "matter": "出嫁后户口仍在本村，土地分红被取消",
        "request": "请求保障出嫁女土地权益",
        "proposed_handling": "提交村民代表会议复议",
        "place": "东岭村第一村民小组",
        "consent": true,
    });
    let case = book.add_reception(&input);
    let shown = book.ok(&["case", "show", &case]);
    let r = &shown["reception"];
    assert_eq!(r["case_no"], case.as_str());
    assert_eq!(r["station"], "BX");
    assert_eq!(r["received_at"], rfc(at));
    assert_eq!(r["channel"], "grid_visit");
    assert_eq!(r["grid"], "B01", "defaults to the first deputy's grid");
    assert_eq!(
        r["deputies"],
        json!([book.deputy_id("陈建国"), book.deputy_id("李秀英")]),
        "deputies by name or id, without duplicates"
    );
    assert_eq!(shown["deputy_names"], json!(["陈建国", "李秀英"]));
    assert_eq!(r["head_count"], 6);
    assert_eq!(r["category"], "山林土地");
    let visitor = &r["visitors"][0];
    assert_eq!(visitor["name"], "陈志明");
    assert_eq!(visitor["phone"], "13800001111");
    assert_eq!(visitor["id_number"], "11010519491231002X");
    assert_eq!(visitor["representative"], true);
    assert_eq!(r["visitors"][1]["name"], Value::Null);
    assert_eq!(
        r["reply_due"],
        (at.date_naive() + TimeDelta::days(15)).to_string(),
        "reply promised 15 days after the reception"
    );
    assert_eq!(shown["status"], "pending");
    assert_eq!(shown["due"], r["reply_due"]);
    assert_eq!(shown["overdue"], false);
    assert_eq!(shown["timeline"], json!([]));

    // An anonymous visitor needs no consent.
    let mut anonymous = reception(
        "路面坑洼",
        "请求修补",
        "村务管理",
        json!([{"sex": "女", "age": 70}]),
    );
    anonymous["consent"] = json!(false);
    book.add_reception(&anonymous);
}

#[test]
fn reception_add_refusals_write_nothing() {
    let book = Book::with_roster();
    book.add_reception(&simple_reception());

    let refuse = |input: Value, kind: &str| {
        let error = book.refused_with(&["reception", "add"], &input.to_string());
        assert_eq!(error["kind"], kind, "{input}");
        error
    };
    let with = |key: &str, value: Value| {
        let mut input = simple_reception();
        input[key] = value;
        input
    };
    let with_visitor = |key: &str, value: Value| {
        let mut input = simple_reception();
        input["visitors"][0][key] = value;
        input
    };

    let error = refuse(
        with_visitor("id_number", json!("110105194912310021")),
        "invalid_id_number",
    );
    assert!(str_of(&error, "message").contains("最后一位与前17位对不上"));
    assert!(
        !str_of(&error, "message").contains("110105194912310021"),
        "the message must not repeat the whole ID number: {error}"
    );
    assert_eq!(error["field"], "visitors.0.id_number", "{error}");
    refuse(
        with_visitor("id_number", json!("11010519491231002")),
        "invalid_id_number",
    );
    let error = refuse(with_visitor("phone", json!("12800138000")), "invalid_phone");
    assert_eq!(error["field"], "visitors.0.phone", "{error}");
    refuse(with_visitor("phone", json!("1380013800")), "invalid_phone");
    refuse(
        with("received_at", json!(rfc(now() + TimeDelta::days(1)))),
        "future_date",
    );
    refuse(
        with("category", json!("出嫁女土地权益")),
        "unknown_category",
    );
    refuse(with("deputies", json!(["王五"])), "unknown_deputy");
    let error = refuse(with("deputies", json!([])), "invalid");
    assert_eq!(error["field"], "deputies", "{error}");
    refuse(with("consent", json!(false)), "consent_required");
    refuse(with("matter", json!("   ")), "invalid");
    refuse(with("head_count", json!(0)), "invalid");
    refuse(with_visitor("age", json!(130)), "invalid");
    refuse(
        with(
            "reply_due",
            json!((an_hour_ago().date_naive() - TimeDelta::days(1)).to_string()),
        ),
        "invalid",
    );
    refuse(with("channel", json!("telegram")), "bad_input");
    refuse(with("mood", json!("angry")), "bad_input");

    // Malformed JSON, from a file and from stdin; a missing file.
    let error = book.refused_with(&["reception", "add"], "{\"received_at\": ");
    assert_eq!(error["kind"], "bad_input");
    let error = book.refused_cmd(&["reception", "add", "--file", "-"], Some("not json"));
    assert_eq!(error["kind"], "bad_input");
    assert!(str_of(&error, "message").contains("标准输入"));
    let missing = book.dir.path().join("no-such-file.json");
    let error = book.refused(&["reception", "add", "--file", missing.to_str().unwrap()]);
    assert_eq!(error["kind"], "bad_input");

    // Refusals leave the numbering gapless.
    let next = book.add_reception(&simple_reception());
    assert_eq!(next, case_no(an_hour_ago().year(), 2));

    // Without --json: nothing on stdout, the message on stderr, still exit 2.
    let path = book.file(&with("category", json!("出嫁女土地权益")).to_string());
    book.cmd()
        .args(["reception", "add", "--file", path.to_str().unwrap()])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("婚姻家庭"));
}

#[test]
fn a_deputy_no_longer_serving_cannot_receive() {
    let book = Book::with_roster();
    let roster = json!({"deputies": [{"name": "黄海", "congress": "city", "station": "BX",
                                      "active": false}]});
    let path = book.file(&roster.to_string());
    let id_before = book.deputy_id("黄海");
    book.ok(&["roster", "import", path.to_str().unwrap()]);
    assert_eq!(book.deputy_id("黄海"), id_before);
    let mut input = simple_reception();
    input["deputies"] = json!(["黄海"]);
    let error = book.refused_with(&["reception", "add"], &input.to_string());
    assert_eq!(error["kind"], "unknown_deputy");
    assert!(str_of(&error, "message").contains("不在任"));
    book.cmd()
        .args(["deputy", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "黄海\t市人大代表\t站点 BX\t网格 —\t（已离任）",
        ));
}

// ---------------------------------------------------------------------------------------------
// case list --query
// ---------------------------------------------------------------------------------------------

#[test]
fn case_list_query_finds_exactly_the_substring_matches() {
    let book = Book::with_roster();
    let cases = add_search_set(&book, "陈建国");
    let pick = |indexes: &[usize]| -> Vec<String> {
        // Newest first.
        indexes.iter().rev().map(|i| cases[*i].clone()).collect()
    };

    let expected: [(&str, Vec<String>); 10] = [
        // One character: anywhere in any field, names and addresses included.
        ("路", pick(&[0, 1, 2, 3, 5])),
        ("灯", pick(&[0, 2, 3])),
        // Two characters: adjacent within one field, never across two.
        ("路灯", pick(&[0, 2])),
        ("灯坏", pick(&[0, 2])),
        ("李路", pick(&[1])),
        // Four and more: confirmed against the text (case 3 has every bigram of 路灯坏了).
        ("路灯坏了", pick(&[0])),
        ("东岭村第一", pick(&[0])),
        ("审批进度", pick(&[4])),
        // ASCII folds case.
        ("wifi", pick(&[5])),
        ("修路灯", vec![]),
    ];
    for (text, want) in expected {
        assert_eq!(scan(&book, text), want, "the scan itself for {text}");
        assert_eq!(query(&book, &["--query", text]), want, "--query {text}");
    }
    assert_eq!(query(&book, &["--query", "WiFi"]), pick(&[5]));
    // A blank query is no query.
    assert_eq!(query(&book, &["--query", "  "]).len(), 6);

    // --query with --limit, --category and --status; status terms follow the timeline.
    assert_eq!(
        case_nos(&book.ok(&["case", "list", "--query", "路", "--limit", "2"])),
        pick(&[3, 5])
    );
    assert_eq!(
        query(&book, &["--query", "路", "--category", "邻里"]),
        pick(&[1])
    );
    assert_eq!(
        query(&book, &["--query", "路灯", "--status", "pending"]),
        pick(&[0, 2])
    );
    assert_eq!(
        book.event(&cases[0], &json!({"kind": "accepted"})),
        "in_progress"
    );
    assert_eq!(
        query(&book, &["--query", "路灯", "--status", "pending"]),
        pick(&[2])
    );
    assert_eq!(
        query(&book, &["--query", "路灯", "--status", "办理中"]),
        pick(&[0])
    );
    assert_eq!(
        query(&book, &["--query", "路灯坏了", "--status", "in_progress"]),
        pick(&[0])
    );
    assert_eq!(
        query(&book, &["--query", "路灯坏了", "--status", "pending"]),
        Vec::<String>::new()
    );

    // The list shows the matter and visitor names.
    let listed = book.ok(&["case", "list", "--query", "李路"]);
    assert_eq!(listed[0]["matter"], "邻居加建围墙影响通行");
    assert_eq!(listed[0]["visitors"], json!(["李路"]));
    assert_eq!(listed[0]["category"], "邻里");
}

#[test]
fn case_list_query_agrees_with_a_substring_scan_on_the_demo_book() {
    let book = Book::init();
    book.ok(&["demo", "--receptions", "50", "--seed", "9"]);
    let deputy = book.ok(&["deputy", "list"])[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Make sure the queries below have hits, and misses.
    add_search_set(&book, &deputy);
    let mut late = reception("村口路灯不亮已十天", "请求维修", "村务管理", json!([]));
    late["deputies"] = json!([deputy]);
    late["received_at"] = json!(rfc(now() - TimeDelta::days(10)));
    late["reply_due"] = json!((today() - TimeDelta::days(8)).to_string());
    book.add_reception(&late);
    let all = book.cases();
    let status: BTreeMap<String, String> = all
        .iter()
        .map(|c| {
            (
                str_of(c, "case_no").to_owned(),
                str_of(c, "status").to_owned(),
            )
        })
        .collect();
    let overdue: BTreeSet<String> = all
        .iter()
        .filter(|c| c["overdue"] == true)
        .map(|c| str_of(c, "case_no").to_owned())
        .collect();
    assert!(!overdue.is_empty(), "the demo has overdue cases");

    for text in [
        "陈",
        "李",
        "灯",
        "路",
        "路灯",
        "灯坏",
        "村民",
        "出嫁",
        "补偿",
        "路灯坏了",
        "请求按村",
        "第3村民小组",
        "东岭村",
        "wifi",
        "西头路灯坏",
    ] {
        let want = scan(&book, text);
        assert_eq!(query(&book, &["--query", text]), want, "--query {text}");
        let overdue: Vec<String> = want
            .iter()
            .filter(|c| overdue.contains(*c))
            .cloned()
            .collect();
        assert_eq!(
            query(&book, &["--query", text, "--status", "overdue"]),
            overdue,
            "--query {text} --status overdue"
        );
        for filter in ["pending", "in_progress", "closed", "replied"] {
            let want: Vec<String> = want
                .iter()
                .filter(|c| status[*c] == filter)
                .cloned()
                .collect();
            assert_eq!(
                query(&book, &["--query", text, "--status", filter]),
                want,
                "--query {text} --status {filter}"
            );
        }
    }
    for text in ["路灯", "路灯坏了", "灯"] {
        let hits = scan(&book, text).len();
        assert!(hits > 0 && hits < all.len(), "{text}: {hits}");
    }
}

// ---------------------------------------------------------------------------------------------
// case show, case event
// ---------------------------------------------------------------------------------------------

#[test]
fn case_events_move_the_case_through_its_life() {
    let book = Book::with_roster();
    let case = book.add_reception(&simple_reception());
    let first_deadline = today() + TimeDelta::days(15);
    let second_deadline = today() + TimeDelta::days(20);

    let steps = [
        (
            json!({"kind": "accepted", "deputy": "陈建国", "note": "登记受理"}),
            "in_progress",
        ),
        (
            json!({"kind": "referred", "to": "镇农业农村办", "deadline": first_deadline.to_string()}),
            "referred",
        ),
        (json!({"kind": "chased"}), "referred"),
        (
            json!({"kind": "reply_received", "from": "镇农业农村办", "content": "已安排维修"}),
            "replied",
        ),
        (json!({"kind": "fed_back"}), "fed_back"),
        (
            json!({"kind": "follow_up", "satisfaction": "不满意", "note": "路灯仍未修"}),
            "sent_back",
        ),
        (
            json!({"kind": "referred", "to": "村民委员会", "deadline": second_deadline.to_string()}),
            "referred",
        ),
        (
            json!({"kind": "reply_received", "content": "已更换灯具"}),
            "replied",
        ),
        (json!({"kind": "fed_back", "deputy": "李秀英"}), "fed_back"),
        (
            json!({"kind": "follow_up", "satisfaction": "satisfied"}),
            "followed_up",
        ),
        (json!({"kind": "closed"}), "closed"),
    ];
    for (i, (input, status)) in steps.iter().enumerate() {
        let added = if i == 3 {
            book.ok_stdin(&["case", "event", &case], input)
        } else {
            book.ok_with(&["case", "event", &case], input)
        };
        assert_eq!(added["status"], *status, "after {input}");
        assert!(uuid::Uuid::parse_str(str_of(&added, "id")).is_ok());
        assert_eq!(book.status_of(&case), *status);
        if i == 1 {
            let shown = book.ok(&["case", "show", &case]);
            assert_eq!(
                shown["due"],
                first_deadline.to_string(),
                "due is the deadline"
            );
            assert_eq!(shown["status_label"], "已交办");
        }
    }

    let shown = book.ok(&["case", "show", &case]);
    assert_eq!(shown["status"], "closed");
    assert_eq!(shown["status_label"], "已办结");
    assert_eq!(shown["satisfaction"], "satisfied");
    assert_eq!(shown["due"], second_deadline.to_string());
    assert_eq!(shown["overdue"], false);
    let timeline = shown["timeline"].as_array().unwrap();
    let kinds: Vec<&str> = timeline.iter().map(|e| str_of(e, "kind")).collect();
    assert_eq!(
        kinds,
        [
            "accepted",
            "referred",
            "chased",
            "reply_received",
            "fed_back",
            "follow_up",
            "referred",
            "reply_received",
            "fed_back",
            "follow_up",
            "closed"
        ]
    );
    let labels: Vec<&str> = timeline.iter().map(|e| str_of(e, "label")).collect();
    assert_eq!(labels[0], "受理");
    assert_eq!(labels[1], "交办");
    assert_eq!(labels[10], "办结");
    assert_eq!(timeline[0]["deputy_name"], "陈建国");
    assert_eq!(timeline[0]["deputy"], book.deputy_id("陈建国"));
    assert_eq!(timeline[0]["note"], "登记受理");
    assert_eq!(timeline[1]["to"], "镇农业农村办");
    assert_eq!(timeline[1]["deputy_name"], Value::Null);
    assert_eq!(timeline[5]["satisfaction"], "dissatisfied");
    assert_eq!(timeline[8]["deputy_name"], "李秀英");
    let reception_id = &shown["reception"]["id"];
    assert!(timeline.iter().all(|e| e["reception"] == *reception_id));
    let times: Vec<&str> = timeline.iter().map(|e| str_of(e, "at")).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");

    // A closed case takes nothing but a reopening.
    for event in [
        json!({"kind": "fed_back"}),
        json!({"kind": "accepted"}),
        json!({"kind": "closed"}),
        json!({"kind": "follow_up", "satisfaction": "满意"}),
        json!({"kind": "referred", "to": "镇综治中心", "deadline": second_deadline.to_string()}),
        json!({"kind": "to_council"}),
    ] {
        let error = book.refused_with(&["case", "event", &case], &event.to_string());
        assert_eq!(error["kind"], "invalid_transition", "{event}");
        assert!(str_of(&error, "message").contains("重新办理"));
    }
    assert_eq!(
        book.event(
            &case,
            &json!({"kind": "reopened", "reason": "群众反映路灯又坏"})
        ),
        "in_progress"
    );
    assert_eq!(
        book.ok(&["case", "show", &case])["timeline"]
            .as_array()
            .unwrap()
            .len(),
        12
    );
}

#[test]
fn other_paths_through_a_case() {
    let book = Book::with_roster();
    let answered = book.add_reception(&simple_reception());
    assert_eq!(
        book.event(
            &answered,
            &json!({"kind": "answered_on_spot", "answer": "政策如此"})
        ),
        "replied"
    );
    assert_eq!(book.event(&answered, &json!({"kind": "closed"})), "closed");

    let refused = book.add_reception(&simple_reception());
    assert_eq!(
        book.event(
            &refused,
            &json!({"kind": "not_accepted", "reason": "已起诉", "route": "诉讼"})
        ),
        "not_accepted"
    );
    let error = book.refused_with(
        &["case", "event", &refused],
        &json!({"kind": "referred", "to": "镇综治中心", "deadline": today().to_string()})
            .to_string(),
    );
    assert_eq!(error["kind"], "invalid_transition");
    assert_eq!(
        book.event(&refused, &json!({"kind": "reopened", "reason": "已撤诉"})),
        "in_progress"
    );

    let council = book.add_reception(&simple_reception());
    assert_eq!(
        book.event(&council, &json!({"kind": "accepted"})),
        "in_progress"
    );
    assert_eq!(
        book.event(&council, &json!({"kind": "to_council"})),
        "in_council"
    );
    assert_eq!(
        book.event(
            &council,
            &json!({"kind": "sent_back", "reason": "答复不具体"})
        ),
        "sent_back"
    );
    assert_eq!(
        book.event(&council, &json!({"kind": "to_mediation"})),
        "in_mediation"
    );
}

#[test]
fn case_event_refusals_write_nothing() {
    let book = Book::with_roster();
    let case = book.add_reception(&simple_reception());
    let refuse = |case: &str, input: Value, kind: &str| {
        let error = book.refused_with(&["case", "event", case], &input.to_string());
        assert_eq!(error["kind"], kind, "{input}");
    };
    refuse(&case, json!({"kind": "chased"}), "invalid_transition");
    refuse(
        &case,
        json!({"kind": "follow_up", "satisfaction": "满意"}),
        "invalid_transition",
    );
    refuse(&case, json!({"kind": "closed"}), "invalid_transition");
    refuse(
        &case,
        json!({"kind": "reopened", "reason": "x"}),
        "invalid_transition",
    );
    refuse(
        &case,
        json!({"kind": "accepted", "at": rfc(an_hour_ago() - TimeDelta::hours(1))}),
        "invalid",
    );
    refuse(
        &case,
        json!({"kind": "accepted", "at": rfc(now() + TimeDelta::days(2))}),
        "future_date",
    );
    refuse(
        &case,
        json!({"kind": "referred", "to": "镇综治中心",
               "deadline": (today() - TimeDelta::days(1)).to_string()}),
        "invalid",
    );
    refuse(
        &case,
        json!({"kind": "referred", "to": " ", "deadline": today().to_string()}),
        "invalid",
    );
    refuse(
        &case,
        json!({"kind": "accepted", "deputy": "王五"}),
        "unknown_deputy",
    );
    refuse(&case, json!({"kind": "teleported"}), "bad_input");
    refuse(
        &case,
        json!({"kind": "follow_up", "satisfaction": "还行"}),
        "bad_input",
    );
    refuse("BX-2026-9999", json!({"kind": "accepted"}), "not_found");
    assert_eq!(book.status_of(&case), "pending");
}

#[test]
fn case_show_of_an_unknown_case_is_not_found() {
    let book = Book::with_roster();
    book.add_reception(&simple_reception());
    for unknown in ["BX-2026-9999", "NT-2026-0001", "nonsense"] {
        let error = book.refused(&["case", "show", unknown]);
        assert_eq!(error["kind"], "not_found");
        assert!(str_of(&error, "message").contains(unknown));
    }
    book.cmd()
        .args(["case", "show", "BX-1999-0001"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("找不到案件"));
}

#[test]
fn human_output_masks_personal_data() {
    let book = Book::with_roster();
    let case = book.add_reception(&simple_reception());
    book.event(&case, &json!({"kind": "accepted", "deputy": "陈建国"}));
    book.cmd()
        .args(["case", "show", &case])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("案件编号：{case}")))
        .stdout(predicate::str::contains("138****1111"))
        .stdout(predicate::str::contains("1101**********002X"))
        .stdout(predicate::str::contains("受理（陈建国）"))
        .stdout(predicate::str::contains("13800001111").not())
        .stdout(predicate::str::contains("11010519491231002X").not());
    book.cmd()
        .args(["changes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("BX\t#9\treception_create"))
        .stdout(predicate::str::contains("共 10 条变更"))
        .stdout(predicate::str::contains("陈志明").not())
        .stdout(predicate::str::contains("13800001111").not());
    book.cmd()
        .args(["case", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("{case}\t")))
        .stdout(predicate::str::contains("办理中"));
}

// ---------------------------------------------------------------------------------------------
// meetings
// ---------------------------------------------------------------------------------------------

fn meeting(expected: u32, present: u32, items: Value) -> Value {
    json!({
        "village": "东岭村",
        "held_at": rfc(an_hour_ago()),
        "place": "东岭村村委会议室",
        "host": "陈建国",
        "recorder": "李秀英",
        "deputies": ["陈建国"],
        "expected": expected,
        "present": present,
        "items": items,
    })
}

#[test]
fn meeting_add_checks_quorum_and_majority() {
    let book = Book::with_roster();
    let case = book.add_reception(&simple_reception());
    let items = json!([
        {"title": "路灯维修方案", "case_no": case, "votes": {"for": 11, "against": 5, "abstain": 4}},
        {"title": "鱼塘发包方案", "votes": {"for": 10, "against": 10, "abstain": 0}, "method": "无记名"},
        {"title": "分红方案", "votes": {"for": 18, "against": 0, "abstain": 0},
         "rights_review": {"infringes": true, "note": "取消出嫁女分红资格"}},
        {"title": "修正后的分红方案", "votes": {"for": 18, "against": 0, "abstain": 0},
         "rights_review": {"infringes": true, "note": "取消出嫁女分红资格",
                           "correction": "出嫁女同等分红"}},
        {"title": "修正后重新表决的分红方案", "votes": {"for": 18, "against": 0, "abstain": 0},
         "rights_review": {"infringes": true, "note": "取消出嫁女分红资格",
                           "correction": "出嫁女同等分红",
                           "revote": {"for": 17, "against": 1, "abstain": 0}}},
    ]);
    let met = book.ok_with(&["meeting", "add"], &meeting(30, 20, items));
    assert_eq!(met["quorum_met"], true);
    assert_eq!(met["quorum_minimum"], 20);
    // A correction alone does not pass an infringing item: its corrected text is voted again.
    assert_eq!(met["passed"], json!([true, false, false, false, true]));
    assert_eq!(met["kind"], "council");
    assert_eq!(met["needed"], json!([11, 11, 11, 11, 11]));

    let mut earlier = meeting(
        30,
        19,
        json!([{"title": "路灯维修方案", "votes": {"for": 19, "against": 0, "abstain": 0}}]),
    );
    earlier["held_at"] = json!(rfc(an_hour_ago() - TimeDelta::days(1)));
    let not_met = book.ok_stdin(&["meeting", "add"], &earlier);
    assert_eq!(not_met["quorum_met"], false);
    assert_eq!(not_met["quorum_minimum"], 20);
    assert_eq!(not_met["passed"], json!([false]));

    // A custom rule: a half.
    let mut half = meeting(
        30,
        15,
        json!([{"title": "议题", "votes": {"for": 8, "against": 0, "abstain": 0}}]),
    );
    half["quorum"] = json!({"numerator": 1, "denominator": 2});
    half["held_at"] = json!(rfc(an_hour_ago() - TimeDelta::days(2)));
    let half = book.ok_with(&["meeting", "add"], &half);
    assert_eq!(half["quorum_met"], true);
    assert_eq!(half["quorum_minimum"], 15);
    assert_eq!(half["passed"], json!([true]));

    let listed = book.ok(&["meeting", "list"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0]["id"], met["id"], "newest first");
    assert_eq!(listed[1]["id"], not_met["id"]);
    assert_eq!(listed[0]["quorum_met"], true);
    assert_eq!(listed[0]["present"], 20);
    assert_eq!(listed[0]["expected"], 30);
    assert_eq!(
        listed[0]["quorum"],
        json!({"numerator": 2, "denominator": 3})
    );
    assert_eq!(listed[0]["station"], "BX");
    assert_eq!(listed[0]["deputies"], json!([book.deputy_id("陈建国")]));
    let items: Vec<&Value> = listed[0]["items"].as_array().unwrap().iter().collect();
    assert_eq!(items[0]["case_no"], case.as_str());
    assert_eq!(items[0]["method"], "show_of_hands");
    assert_eq!(items[1]["method"], "secret_ballot");
    assert_eq!(
        items[0]["votes"],
        json!({"for": 11, "against": 5, "abstain": 4})
    );
    assert_eq!(
        listed
            .iter()
            .map(|m| m["quorum_met"].clone())
            .collect::<Vec<_>>(),
        [json!(true), json!(false), json!(true)]
    );
    assert_eq!(
        book.ok(&["case", "show", &case])["meetings"],
        json!([met["id"]])
    );
    book.cmd()
        .args(["meeting", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("应到30人 实到19人\t未达法定人数"))
        .stdout(predicate::str::contains("共 3 次会议"));
}

#[test]
fn meeting_add_refusals_write_nothing() {
    let book = Book::with_roster();
    let refuse = |input: Value, kind: &str| {
        let error = book.refused_with(&["meeting", "add"], &input.to_string());
        assert_eq!(error["kind"], kind, "{input}");
        error
    };
    let one = |votes: Value| json!([{"title": "路灯维修方案", "votes": votes}]);
    let error = refuse(
        meeting(30, 31, one(json!({"for": 20, "against": 0, "abstain": 0}))),
        "quorum",
    );
    assert!(str_of(&error, "message").contains("31"));
    let error = refuse(
        meeting(30, 20, one(json!({"for": 15, "against": 5, "abstain": 1}))),
        "quorum",
    );
    assert!(str_of(&error, "message").contains("21"));
    refuse(
        meeting(0, 0, one(json!({"for": 0, "against": 0, "abstain": 0}))),
        "quorum",
    );
    let mut bad_rule = meeting(30, 20, one(json!({"for": 15, "against": 0, "abstain": 0})));
    bad_rule["quorum"] = json!({"numerator": 3, "denominator": 2});
    refuse(bad_rule, "quorum");
    refuse(meeting(30, 20, json!([])), "invalid");
    let mut future = meeting(30, 20, one(json!({"for": 15, "against": 0, "abstain": 0})));
    future["held_at"] = json!(rfc(now() + TimeDelta::days(1)));
    refuse(future, "future_date");
    let mut unknown_deputy = meeting(30, 20, one(json!({"for": 15, "against": 0, "abstain": 0})));
    unknown_deputy["deputies"] = json!(["王五"]);
    refuse(unknown_deputy, "unknown_deputy");
    refuse(
        meeting(30, 20, json!([{"title": "x", "case_no": "BX-2026-9999"}])),
        "not_found",
    );
    let mut early_publication =
        meeting(30, 20, one(json!({"for": 15, "against": 0, "abstain": 0})));
    early_publication["published_from"] = json!((today() - TimeDelta::days(5)).to_string());
    refuse(early_publication, "invalid");
    assert_eq!(book.ok(&["meeting", "list"]), json!([]));
}

/// The villagers' meetings of the Organic Law: quorum by kind with the households'
/// alternative (Art. 22), two thirds of all for a land matter (农村土地承包法 Art. 28), and
/// what follows the meeting — objections and answers, how it was carried out, 公示.
#[test]
fn villagers_meetings_and_what_follows_them() {
    let book = Book::with_roster();
    let mut assembly = meeting(
        600,
        150,
        json!([
            {"title": "调整第三组个别农户承包地", "topic": "土地承包", "approval": "two_thirds_of_all",
             "votes": {"for": 140, "against": 0, "abstain": 0}, "method": "无记名"},
            {"title": "村道路灯维修", "votes": {"for": 71, "against": 60, "abstain": 9}},
            {"title": "集体收益分配方案", "topic": "income_distribution", "approval": "two_thirds_of_all",
             "votes": {"for": 139, "against": 1, "abstain": 0}},
        ]),
    );
    assembly["kind"] = json!("villagers_assembly");
    assembly["households_expected"] = json!(210);
    assembly["households_present"] = json!(140);
    assembly["published_from"] = json!(today().to_string());
    assembly["published_to"] = json!((today() + TimeDelta::days(6)).to_string());
    assembly["published_place"] = json!("村务公开栏");
    let path = book.file(&assembly.to_string());
    book.cmd()
        .args(["meeting", "add", "--file", path.to_str().unwrap()])
        .assert()
        .success()
        .stdout(
            "已记录村民会议：达到法定人数（法定人数至少301人，或至少140户的代表，按户的代表计）；\
             第1项通过，第2项通过，第3项未通过\n",
        );
    let listed = book.ok(&["meeting", "list"]);
    let held = &listed[0];
    assert_eq!(held["kind"], "villagers_assembly");
    assert_eq!(
        held["quorum"],
        Value::Null,
        "the law's quorum, not a station's"
    );
    assert_eq!(
        held["attendance"]["basis"], "households",
        "the votes are counted by households"
    );
    assert_eq!(held["needed"], json!([140, 71, 140]));
    assert_eq!(held["items"][0]["topic"], "land_contract");
    assert_eq!(
        held["publication"],
        json!({"from": today().to_string(), "to": (today() + TimeDelta::days(6)).to_string(), "place": "村务公开栏"})
    );
    let id = str_of(held, "id").to_owned();

    // An objection on item 1, then its answer.
    let objection = book.ok_with(
        &["meeting", "event", &id],
        &json!({"kind": "objection", "item": 1, "raised_by": "梁桂珍", "content": "调整方案漏了出嫁女的份额"}),
    );
    assert_eq!(objection["open_objections"], 1);
    book.cmd()
        .args(["meeting", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "村民会议\t应到600人 实到150人，应到210户 实到140户\t达到法定人数\t议题3项，通过2项；异议1条未答复",
        ));
    let answer = json!({"kind": "answered", "objection": objection["id"], "answer": "经核实已补列，公示期满后执行"});
    let answered = book.ok_with(&["meeting", "event", &id], &answer);
    assert_eq!(answered["open_objections"], 0);
    let again = book.refused_with(&["meeting", "event", &id], &answer.to_string());
    assert_eq!(
        (again["kind"].as_str(), again["field"].as_str()),
        (Some("invalid_transition"), Some("objection"))
    );
    // Only a decision taken can be carried out.
    let not_passed = book.refused_with(
        &["meeting", "event", &id],
        &json!({"kind": "carried_out", "item": 3, "report": "已分配"}).to_string(),
    );
    assert_eq!(not_passed["kind"], "invalid_transition");
    assert!(str_of(&not_passed, "message").contains("第3项议题未通过"));
    let no_item = book.refused_with(
        &["meeting", "event", &id],
        &json!({"kind": "carried_out", "item": 4, "report": "已分配"}).to_string(),
    );
    assert_eq!(
        (no_item["kind"].as_str(), no_item["field"].as_str()),
        (Some("invalid"), Some("item"))
    );
    book.ok_with(
        &["meeting", "event", &id],
        &json!({"kind": "carried_out", "item": 1, "report": "已按决议调整，报镇政府批准", "deputy": "陈建国"}),
    );
    // The record has its 公示 already.
    let published = json!({"kind": "published", "from": today().to_string(), "to": today().to_string(), "place": "村委会门口"});
    let twice = book.refused_with(&["meeting", "event", &id], &published.to_string());
    assert_eq!(twice["kind"], "invalid_transition");
    // A field the kind does not have, a time before the meeting, an unknown meeting.
    let unknown = book.refused_with(
        &["meeting", "event", &id],
        &json!({"kind": "objection", "content": "x", "answer": "y"}).to_string(),
    );
    assert_eq!(unknown["kind"], "bad_input");
    let early = book.refused_with(
        &["meeting", "event", &id],
        &json!({"kind": "objection", "content": "x", "at": rfc(an_hour_ago() - TimeDelta::hours(1))}).to_string(),
    );
    assert_eq!(
        (early["kind"].as_str(), early["field"].as_str()),
        (Some("invalid"), Some("at"))
    );
    let nowhere = book.refused_with(
        &["meeting", "event", "nope"],
        &json!({"kind": "objection", "content": "x"}).to_string(),
    );
    assert_eq!(nowhere["kind"], "not_found");

    let listed = book.ok(&["meeting", "list"]);
    let events: Vec<&str> = listed[0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["objection", "answered", "carried_out"]);
    assert_eq!(listed[0]["events"][2]["deputy"], book.deputy_id("陈建国"));
    let changes = book.ok(&["changes"]);
    let appended = changes
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "meeting_event_append")
        .count();
    assert_eq!(appended, 3);

    // A 村民代表会议 without its 公示: recorded afterwards, once.
    let mut representatives = meeting(
        31,
        21,
        json!([{"title": "发包村集体鱼塘给本村以外的承包人", "approval": "two_thirds_of_all",
                "votes": {"for": 21, "against": 0, "abstain": 0}}]),
    );
    representatives["kind"] = json!("村民代表会议");
    let added = book.ok_with(&["meeting", "add"], &representatives);
    assert_eq!(
        (added["quorum_minimum"].as_u64(), added["passed"].clone()),
        (Some(21), json!([true]))
    );
    let second = str_of(&added, "id").to_owned();
    book.ok_with(&["meeting", "event", &second], &published);
    let listed = book.ok(&["meeting", "list"]);
    let second = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == added["id"])
        .unwrap();
    assert_eq!(second["publication"]["place"], "村委会门口");
}

#[test]
fn villagers_meetings_refuse_what_the_law_does_not_allow() {
    let book = Book::with_roster();
    let refuse = |input: Value, kind: &str, field: &str| {
        let error = book.refused_with(&["meeting", "add"], &input.to_string());
        assert_eq!(
            (error["kind"].as_str(), error["field"].as_str()),
            (Some(kind), Some(field)),
            "{input}"
        );
        error
    };
    let one = json!([{"title": "议题", "votes": {"for": 15, "against": 0, "abstain": 0}}]);
    // A representatives' meeting follows Art. 26: no quorum of its own, no households.
    let mut own_rule = meeting(30, 20, one.clone());
    own_rule["kind"] = json!("representatives");
    own_rule["quorum"] = json!({"numerator": 1, "denominator": 2});
    let error = refuse(own_rule, "quorum", "quorum");
    assert!(str_of(&error, "message").contains("第二十六条"));
    let mut households = meeting(30, 20, one.clone());
    households["kind"] = json!("representatives");
    households["households_expected"] = json!(10);
    households["households_present"] = json!(8);
    refuse(households, "quorum", "households_expected");
    let mut half = meeting(60, 20, one.clone());
    half["kind"] = json!("group");
    half["households_expected"] = json!(21);
    refuse(half, "quorum", "households_present");
    // A re-vote is on a corrected text of an infringing resolution, by those present.
    let review = |review: Value| {
        let mut input = meeting(
            30,
            20,
            json!([{"title": "分红方案", "votes": {"for": 15, "against": 0, "abstain": 0}, "rights_review": review}]),
        );
        input["kind"] = json!("council");
        input
    };
    refuse(
        review(json!({"infringes": true, "revote": {"for": 15}})),
        "invalid",
        "items.0.rights_review.correction",
    );
    refuse(
        review(json!({"infringes": false, "revote": {"for": 15}})),
        "invalid",
        "items.0.rights_review.revote",
    );
    refuse(
        review(
            json!({"infringes": true, "correction": "补列", "revote": {"for": 15, "against": 6}}),
        ),
        "quorum",
        "items.0.rights_review.revote",
    );
    let mut unknown_kind = meeting(30, 20, one);
    unknown_kind["kind"] = json!("plenary");
    let error = book.refused_with(&["meeting", "add"], &unknown_kind.to_string());
    assert_eq!(error["kind"], "bad_input");
    assert_eq!(book.ok(&["meeting", "list"]), json!([]));
}

// ---------------------------------------------------------------------------------------------
// mediation
// ---------------------------------------------------------------------------------------------

fn mediation(accepted_at: DateTime<FixedOffset>) -> Value {
    json!({
        "source": "申请",
        "dispute_type": "邻里",
        "accepted_at": rfc(accepted_at),
        "summary": "两户因屋檐滴水问题多次争吵",
        "parties": [
            {"role": "申请人", "name": "张三", "sex": "男", "age": 60, "phone": "13912340000",
             "address": "东岭村第二村民小组"},
            {"role": "respondent", "name": "李四"}
        ],
        "mediators": ["陈建国", {"name": "王调解（村调委会）"}],
        "consent": true,
        "agreed_to_mediation": true,
    })
}

fn agreement(at: DateTime<FixedOffset>, copies: Option<u32>) -> Value {
    let mut event = json!({
        "kind": "agreement",
        "at": rfc(at),
        "facts": "屋檐滴水落入邻家院内",
        "responsibilities": "被申请人负主要责任",
        "terms": "被申请人加装排水槽",
        "performance_method": "自行施工",
        "performance_deadline": (at.date_naive() + TimeDelta::days(30)).to_string(),
        "performance_place": "东岭村",
        "amount_yuan": 800,
    });
    if let Some(copies) = copies {
        event["copies"] = json!(copies);
    }
    event
}

fn judicial(applied_on: NaiveDate) -> Value {
    json!({"kind": "judicial_confirmation", "applied_on": applied_on.to_string(),
           "court": "县人民法院", "result": "pending"})
}

#[test]
fn mediation_file_from_acceptance_to_judicial_confirmation() {
    let book = Book::with_roster();
    let accepted = now() - TimeDelta::days(50);
    let added = book.ok_with(&["mediation", "add"], &mediation(accepted));
    let number = format!("（{}）BX人调字第1号", accepted.year());
    assert_eq!(added["number"], number.as_str());
    assert!(uuid::Uuid::parse_str(str_of(&added, "id")).is_ok());

    let event = |input: Value| book.ok_with(&["mediation", "event", &number], &input);
    let refuse = |input: Value, kind: &str| {
        let error = book.refused_with(&["mediation", "event", &number], &input.to_string());
        assert_eq!(error["kind"], kind, "{input}");
        error
    };

    let session = event(
        json!({"kind": "session", "at": rfc(now() - TimeDelta::days(45)),
                               "place": "东岭村人民调解室", "statements": "双方陈述", "deputy": "陈建国"}),
    );
    assert_eq!(session["number"], number.as_str());
    assert_eq!(session["state"]["result"], Value::Null);

    // The agreement: one copy per party plus one kept.
    let agreed_at = now() - TimeDelta::days(40);
    let agreed_on = agreed_at.date_naive();
    let error = refuse(agreement(agreed_at, Some(2)), "invalid");
    assert!(str_of(&error, "message").contains("3份"), "{error}");
    refuse(agreement(agreed_at, Some(4)), "invalid");
    let mut late = agreement(agreed_at, Some(3));
    late["performance_deadline"] = json!((agreed_on - TimeDelta::days(1)).to_string());
    refuse(late, "invalid");
    let agreed = event(agreement(agreed_at, Some(3)));
    assert_eq!(agreed["state"]["agreement_on"], agreed_on.to_string());

    // Open for more than a month.
    let open = book.ok(&["mediation", "list"]);
    assert_eq!(open[0]["overdue"], true);
    assert_eq!(book.ok(&["stats"])["mediation"]["overdue"], 1);
    assert_eq!(book.ok(&["stats"])["mediation"]["open"], 1);

    let result = event(json!({"kind": "result", "result": "succeeded_written"}));
    assert_eq!(result["state"]["result"], "succeeded_written");
    refuse(
        json!({"kind": "result", "result": "failed", "routes": "诉讼"}),
        "invalid_transition",
    );

    // Judicial confirmation within 30 days of the agreement.
    let error = refuse(judicial(today()), "invalid");
    assert!(str_of(&error, "message").contains("30"), "{error}");
    refuse(judicial(agreed_on + TimeDelta::days(31)), "invalid");
    refuse(judicial(agreed_on - TimeDelta::days(1)), "invalid");
    refuse(judicial(today() + TimeDelta::days(1)), "future_date");
    let confirmed = event(judicial(agreed_on + TimeDelta::days(30)));
    assert_eq!(confirmed["state"]["confirmation"], "pending");

    let performed = event(json!({"kind": "performance", "performance": "full"}));
    assert_eq!(performed["state"]["performance"], "full");
    let followed = event(json!({"kind": "follow_up", "satisfaction": "满意"}));
    assert_eq!(followed["state"]["satisfaction"], "satisfied");

    refuse(
        json!({"kind": "session", "at": rfc(accepted - TimeDelta::days(1)),
               "place": "调解室", "statements": "x"}),
        "invalid",
    );
    // The file has a result by now: no more sessions.
    refuse(
        json!({"kind": "session", "place": "调解室", "statements": " "}),
        "invalid_transition",
    );
    refuse(json!({"kind": "verdict"}), "bad_input");
    let error = book.refused_with(
        &["mediation", "event", "（2026）BX人调字第99号"],
        &json!({"kind": "performance", "performance": "full"}).to_string(),
    );
    assert_eq!(error["kind"], "not_found");

    let mediation_stats = &book.ok(&["stats"])["mediation"];
    assert_eq!(mediation_stats["succeeded"], 1);
    assert_eq!(mediation_stats["overdue"], 0);
    assert_eq!(mediation_stats["success_rate"], 1.0);
    assert_eq!(mediation_stats["judicial_confirmations_applied"], 1);
    assert_eq!(mediation_stats["judicial_confirmations_confirmed"], 0);

    let listed = book.ok(&["mediation", "list"]);
    let file = &listed.as_array().unwrap()[0];
    assert_eq!(file["number"], number.as_str());
    assert_eq!(file["seq"], 1);
    assert_eq!(file["year"], accepted.year());
    assert_eq!(file["station"], "BX");
    assert_eq!(file["source"], "application");
    assert_eq!(file["accepted_at"], rfc(accepted));
    assert_eq!(
        file["mediators"],
        json!([
            {"deputy": book.deputy_id("陈建国"), "name": "陈建国"},
            {"deputy": null, "name": "王调解（村调委会）"}
        ])
    );
    assert_eq!(file["parties"][0]["role"], "applicant");
    assert_eq!(file["parties"][0]["phone"], "13912340000");
    assert_eq!(file["parties"][1]["role"], "respondent");
    assert_eq!(file["state"]["result"], "succeeded_written");
    assert_eq!(file["overdue"], false);
    let kinds: Vec<&str> = file["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| str_of(e, "kind"))
        .collect();
    assert_eq!(
        kinds,
        [
            "session",
            "agreement",
            "result",
            "judicial_confirmation",
            "performance",
            "follow_up"
        ]
    );
    assert_eq!(file["events"][1]["copies"], 3);
    assert_eq!(file["events"][0]["deputy"], book.deputy_id("陈建国"));
}

#[test]
fn mediation_numbers_results_and_case_links() {
    let book = Book::with_roster();
    let case = book.add_reception(&simple_reception());
    let at = an_hour_ago();
    let year = at.year();

    let mut first = mediation(at);
    first["case_no"] = json!(case);
    let first = book.ok_with(&["mediation", "add"], &first);
    assert_eq!(first["number"], format!("（{year}）BX人调字第1号"));
    let second = book.ok_stdin(&["mediation", "add"], &mediation(at));
    let second_no = str_of(&second, "number").to_owned();
    assert_eq!(second_no, format!("（{year}）BX人调字第2号"));
    assert_eq!(
        book.ok(&["case", "show", &case])["mediations"],
        json!([first["number"]])
    );

    // A written success needs an agreement; a failure needs the routes explained.
    let refuse = |input: Value, kind: &str| {
        let error = book.refused_with(&["mediation", "event", &second_no], &input.to_string());
        assert_eq!(error["kind"], kind, "{input}");
    };
    refuse(
        json!({"kind": "result", "result": "succeeded_written"}),
        "invalid_transition",
    );
    refuse(json!({"kind": "result", "result": "failed"}), "invalid");
    refuse(
        json!({"kind": "performance", "performance": "full"}),
        "invalid_transition",
    );
    refuse(judicial(today()), "invalid_transition");
    let failed = book.ok_with(
        &["mediation", "event", &second_no],
        &json!({"kind": "result", "result": "failed", "routes": "可向人民法院起诉"}),
    );
    assert_eq!(failed["state"]["result"], "failed");
    refuse(
        json!({"kind": "follow_up", "satisfaction": "满意"}),
        "invalid_transition",
    );

    let listed = book.ok(&["mediation", "list"]);
    let numbers: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|m| str_of(m, "number"))
        .collect();
    assert_eq!(
        numbers,
        [second_no.as_str(), str_of(&first, "number")],
        "newest first"
    );
    book.cmd()
        .args(["mediation", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("调解不成"))
        .stdout(predicate::str::contains("共 2 件调解"));
}

#[test]
fn mediation_add_refusals_write_nothing() {
    let book = Book::with_roster();
    let refuse = |input: Value, kind: &str| {
        let error = book.refused_with(&["mediation", "add"], &input.to_string());
        assert_eq!(error["kind"], kind, "{input}");
        error
    };
    let with = |key: &str, value: Value| {
        let mut input = mediation(an_hour_ago());
        input[key] = value;
        input
    };
    let error = refuse(with("mediators", json!(["李秀英"])), "unknown_deputy");
    assert!(str_of(&error, "message").contains("特邀调解员"));
    refuse(with("mediators", json!(["王五"])), "unknown_deputy");
    refuse(with("mediators", json!([])), "invalid");
    refuse(with("consent", json!(false)), "consent_required");
    refuse(
        with("parties", json!([{"role": "applicant", "name": "张三"}])),
        "invalid",
    );
    refuse(
        with(
            "parties",
            json!([{"role": "applicant", "name": "张三", "phone": "12345"},
                   {"role": "respondent", "name": "李四"}]),
        ),
        "invalid_phone",
    );
    refuse(
        with(
            "parties",
            json!([{"role": "applicant", "name": "张三", "id_number": "110105194912310021"},
                   {"role": "respondent", "name": "李四"}]),
        ),
        "invalid_id_number",
    );
    refuse(with("dispute_type", json!("吵架")), "unknown_category");
    refuse(
        with("accepted_at", json!(rfc(now() + TimeDelta::days(1)))),
        "future_date",
    );
    refuse(with("case_no", json!("BX-2026-9999")), "not_found");
    refuse(with("source", json!("网上")), "bad_input");
    assert_eq!(book.ok(&["mediation", "list"]), json!([]));
    // The first accepted file still gets number 1.
    let added = book.ok_with(&["mediation", "add"], &mediation(an_hour_ago()));
    assert_eq!(
        added["number"],
        format!("（{}）BX人调字第1号", an_hour_ago().year())
    );
}

// ---------------------------------------------------------------------------------------------
// stats
// ---------------------------------------------------------------------------------------------

#[test]
fn stats_count_what_was_recorded_in_the_range() {
    let book = Book::with_roster();
    let at = an_hour_ago();
    let day = at.date_naive();
    let old_at = now() - TimeDelta::days(10);
    let old_day = old_at.date_naive();

    // Ten days ago, promised for the next day, never handled: overdue.
    let mut old = reception("合同纠纷", "请求协调", "合同", json!([]));
    old["received_at"] = json!(rfc(old_at));
    old["reply_due"] = json!((old_day + TimeDelta::days(1)).to_string());
    let old = book.add_reception(&old);

    let mut collective = reception(
        "邻居加建围墙影响通行",
        "请求协调",
        "邻里",
        json!([{"name": "陈一", "representative": true}, {"name": "陈二", "representative": true}]),
    );
    collective["head_count"] = json!(6);
    collective["channel"] = json!("phone");
    let collective = book.add_reception(&collective);
    let pending = book.add_reception(&reception(
        "屋檐滴水",
        "请求调解",
        "邻里",
        json!([{"sex": "女"}]),
    ));
    let closed = book.add_reception(&reception("路灯损坏", "请求维修", "村务管理", json!([])));
    book.event(&collective, &json!({"kind": "accepted"}));
    for event in [
        json!({"kind": "accepted"}),
        json!({"kind": "fed_back"}),
        json!({"kind": "follow_up", "satisfaction": "满意"}),
        json!({"kind": "closed"}),
    ] {
        book.event(&closed, &event);
    }
    assert_eq!(book.status_of(&pending), "pending");

    // Mediations: one success, one failure, one open.
    let numbers: Vec<String> = (0..3)
        .map(|_| {
            str_of(
                &book.ok_with(&["mediation", "add"], &mediation(at)),
                "number",
            )
            .to_owned()
        })
        .collect();
    book.ok_with(
        &["mediation", "event", &numbers[0]],
        &json!({"kind": "result", "result": "succeeded_oral", "oral_terms": "双方当场和解"}),
    );
    book.ok_with(
        &["mediation", "event", &numbers[1]],
        &json!({"kind": "result", "result": "failed", "routes": "诉讼"}),
    );
    book.ok_with(
        &["meeting", "add"],
        &meeting(
            30,
            20,
            json!([{"title": "议题", "votes": {"for": 15, "against": 0, "abstain": 0}}]),
        ),
    );

    let from = day.to_string();
    let stats = book.ok(&["stats", "--from", &from, "--to", &from]);
    assert_eq!(stats["from"], from.as_str());
    assert_eq!(stats["to"], from.as_str());
    assert_eq!(stats["receptions"], 3);
    assert_eq!(stats["people"], 8);
    assert_eq!(stats["collective_visits"], 1);
    assert_eq!(
        stats["by_category"],
        json!([
            {"key": "邻里", "label": "邻里", "count": 2},
            {"key": "村务管理", "label": "村务管理", "count": 1}
        ])
    );
    assert_eq!(
        stats["by_status"],
        json!([
            {"key": "pending", "label": "待受理", "count": 1},
            {"key": "in_progress", "label": "办理中", "count": 1},
            {"key": "closed", "label": "已办结", "count": 1}
        ])
    );
    assert_eq!(
        stats["by_channel"],
        json!([
            {"key": "station_visit", "label": "到站接待", "count": 2},
            {"key": "phone", "label": "电话", "count": 1}
        ])
    );
    assert_eq!(
        stats["by_grid"],
        json!([{"key": "B01", "label": "东岭村第一网格", "count": 3}])
    );
    assert_eq!(
        stats["by_deputy"],
        json!([{"key": book.deputy_id("陈建国"), "label": "陈建国", "count": 3}])
    );
    assert_eq!(stats["overdue"], 0);
    assert_eq!(
        stats["satisfaction"],
        json!({"satisfied": 1, "basically_satisfied": 0, "dissatisfied": 0, "rate": 1.0})
    );
    assert_eq!(
        stats["mediation"],
        json!({
            "accepted": 3, "succeeded": 1, "failed": 1, "terminated": 0, "open": 1,
            "overdue": 0, "success_rate": 0.5,
            "judicial_confirmations_applied": 0, "judicial_confirmations_confirmed": 0
        })
    );
    let kind = |key: &str, held: i64, quorate: i64| {
        json!({"key": key, "label": match key {
            "villagers_assembly" => "村民会议",
            "representatives" => "村民代表会议",
            "group" => "村民小组会议",
            _ => "民主议事会",
        }, "held": held, "quorate": quorate})
    };
    assert_eq!(
        stats["meetings"],
        json!({"held": 1, "quorate": 1, "by_kind": [
            kind("villagers_assembly", 0, 0),
            kind("representatives", 0, 0),
            kind("group", 0, 0),
            kind("council", 1, 1),
        ]}),
        "a meeting without a kind is a 民主议事会; every kind is listed"
    );

    // Everything.
    let all = book.ok(&["stats"]);
    assert_eq!(all["from"], Value::Null);
    assert_eq!(all["receptions"], 4);
    assert_eq!(all["overdue"], 1);
    let categories: Vec<&str> = all["by_category"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| str_of(c, "key"))
        .collect();
    assert_eq!(
        categories,
        ["邻里", "合同", "村务管理"],
        "in the statistics' order"
    );
    assert_eq!(query(&book, &["--status", "overdue"]), vec![old.clone()]);
    assert_eq!(query(&book, &["--status", "逾期"]), vec![old]);

    // Whole days at both ends.
    let before = (day - TimeDelta::days(1)).to_string();
    let earlier = book.ok(&["stats", "--to", &before]);
    assert_eq!(earlier["receptions"], 1);
    assert_eq!(earlier["mediation"]["accepted"], 0);
    assert_eq!(earlier["mediation"]["success_rate"], Value::Null);
    assert_eq!(earlier["satisfaction"]["rate"], Value::Null);
    assert_eq!(earlier["meetings"]["held"], 0);
    let old_only = old_day.to_string();
    assert_eq!(
        book.ok(&["stats", "--from", &old_only, "--to", &old_only])["receptions"],
        1
    );
    let after = (old_day + TimeDelta::days(1)).to_string();
    assert_eq!(book.ok(&["stats", "--from", &after])["receptions"], 3);
    let tomorrow = (today() + TimeDelta::days(1)).to_string();
    assert_eq!(book.ok(&["stats", "--from", &tomorrow])["receptions"], 0);

    book.cmd()
        .args(["stats", "--from", &from, "--to", &from])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "统计范围：{from} 至 {from}"
        )))
        .stdout(predicate::str::contains(
            "接待 3 件，8 人次，其中集体访 1 件",
        ))
        .stdout(predicate::str::contains("成功率 50.0%"));

    // A date that is not a date is refused by the argument parser, also with exit 2.
    book.cmd()
        .args(["stats", "--from", "2026-13-01"])
        .assert()
        .code(2);
}

// ---------------------------------------------------------------------------------------------
// changes
// ---------------------------------------------------------------------------------------------

#[test]
fn changes_are_a_gapless_log_with_increasing_clock() {
    let book = Book::with_roster();
    let added = book.ok_with(&["reception", "add"], &simple_reception());
    let case = str_of(&added, "case_no").to_owned();
    let event = book.ok_with(
        &["case", "event", &case],
        &json!({"kind": "accepted", "deputy": "李秀英"}),
    );
    // A refusal in between adds nothing.
    book.refused_with(
        &["case", "event", &case],
        &json!({"kind": "chased"}).to_string(),
    );
    let meeting_added = book.ok_with(
        &["meeting", "add"],
        &meeting(
            30,
            20,
            json!([{"title": "议题", "votes": {"for": 15, "against": 0, "abstain": 0}}]),
        ),
    );
    let mediation_added = book.ok_with(&["mediation", "add"], &mediation(an_hour_ago()));
    let mediation_event = book.ok_with(
        &["mediation", "event", str_of(&mediation_added, "number")],
        &json!({"kind": "result", "result": "succeeded_oral", "oral_terms": "双方当场和解"}),
    );

    let changes = book.changes();
    assert_eq!(changes.len(), 13);
    for (i, change) in changes.iter().enumerate() {
        assert_eq!(change["seq"], i + 1, "gapless from 1");
        assert_eq!(change["origin"], "BX");
        assert_eq!(change["schema_version"], casebook::store::LOG_VERSION);
        assert!(uuid::Uuid::parse_str(str_of(&change["record"], "id")).is_ok());
    }
    let hlcs: Vec<i64> = changes.iter().map(|c| c["hlc"].as_i64().unwrap()).collect();
    assert!(hlcs.windows(2).all(|w| w[0] < w[1]), "{hlcs:?}");
    // The clock is near the wall clock (upper 48 bits are milliseconds).
    let wall_ms = hlcs[12] >> 16;
    assert!((Utc::now().timestamp_millis() - wall_ms).abs() < 600_000);

    let ops: Vec<&str> = changes.iter().map(|c| str_of(c, "type")).collect();
    assert_eq!(
        ops[8..],
        [
            "reception_create",
            "case_event_append",
            "meeting_create",
            "mediation_create",
            "mediation_event_append"
        ]
    );
    let ids: Vec<&Value> = changes[8..].iter().map(|c| &c["record"]["id"]).collect();
    assert_eq!(
        ids,
        [
            &added["id"],
            &event["id"],
            &meeting_added["id"],
            &mediation_added["id"],
            &mediation_event["id"]
        ]
    );
    assert_eq!(changes[8]["record"]["case_no"], case.as_str());
    assert_eq!(changes[8]["deputy"], book.deputy_id("陈建国"));
    assert_eq!(changes[9]["deputy"], book.deputy_id("李秀英"));
    assert_eq!(changes[9]["record"]["reception"], added["id"]);
    assert_eq!(changes[0]["deputy"], Value::Null);
    let deputy_ids: BTreeSet<&str> = changes[4..7]
        .iter()
        .map(|c| str_of(&c["record"], "id"))
        .collect();
    let listed = book.ok(&["deputy", "list"]);
    let listed_ids: BTreeSet<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|d| str_of(d, "id"))
        .collect();
    assert_eq!(deputy_ids, listed_ids);

    // --since, --limit, --origin.
    let since = book.ok(&["changes", "--since", "8"]);
    assert_eq!(since.as_array().unwrap()[..], changes[8..]);
    assert_eq!(book.ok(&["changes", "--since", "13"]), json!([]));
    let limited = book.ok(&["changes", "--since", "2", "--limit", "3"]);
    assert_eq!(limited.as_array().unwrap()[..], changes[2..5]);
    assert_eq!(book.ok(&["changes", "--origin", "NT"]), json!([]));
    assert_eq!(
        book.ok(&["changes", "--origin", "BX"])
            .as_array()
            .unwrap()
            .len(),
        13
    );

    // The clock keeps increasing in later processes.
    book.add_reception(&simple_reception());
    let more = book.ok(&["changes", "--since", "13"]);
    assert_eq!(more[0]["seq"], 14);
    assert!(more[0]["hlc"].as_i64().unwrap() > hlcs[12]);
}

#[test]
fn concurrent_writers_keep_numbers_and_log_gapless() {
    let book = Book::with_roster();
    let path = book.file(&simple_reception().to_string());
    let children: Vec<std::process::Child> = (0..8)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
                .env_remove("CASEBOOK_DB")
                .env(test_clock::SHIFT_VAR, test_clock::pin_to_noon().to_string())
                .arg("--db")
                .arg(&book.db)
                .args(["--json", "reception", "add", "--file"])
                .arg(&path)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut numbers = BTreeSet::new();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let added: Value = serde_json::from_slice(&output.stdout).unwrap();
        numbers.insert(str_of(&added, "case_no").to_owned());
    }
    let year = an_hour_ago().year();
    let expected: BTreeSet<String> = (1..=8).map(|seq| case_no(year, seq)).collect();
    assert_eq!(numbers, expected);
    let changes = book.changes();
    assert_eq!(changes.len(), 16);
    for (i, change) in changes.iter().enumerate() {
        assert_eq!(change["seq"], i + 1);
    }
    let hlcs: Vec<i64> = changes.iter().map(|c| c["hlc"].as_i64().unwrap()).collect();
    assert!(hlcs.windows(2).all(|w| w[0] < w[1]), "{hlcs:?}");
}

#[test]
fn case_list_query_with_a_huge_limit_does_not_crash() {
    let book = Book::with_roster();
    let cases = add_search_set(&book, "陈建国");
    let huge = usize::MAX.to_string();
    let listed = book.ok(&["case", "list", "--limit", &huge]);
    assert_eq!(listed.as_array().unwrap().len(), cases.len());
    let found = book.ok(&["case", "list", "--query", "路灯", "--limit", &huge]);
    assert_eq!(case_nos(&found), [cases[2].clone(), cases[0].clone()]);
}

// ---------------------------------------------------------------------------------------------
// Rules added after review
// ---------------------------------------------------------------------------------------------

#[test]
fn a_back_dated_event_before_the_latest_one_is_refused() {
    let book = Book::with_roster();
    let case = book.add_reception(&json!({
        "received_at": rfc(now() - TimeDelta::days(8)), "channel": "phone",
        "deputies": ["陈建国"], "category": "邻里", "matter": "噪音", "request": "协调",
    }));
    let at = |days: i64| rfc(now() - TimeDelta::days(days));
    book.event(&case, &json!({"kind": "accepted", "at": at(7)}));
    book.event(&case, &json!({"kind": "closed", "at": at(5)}));
    let before = book.snapshot();
    let error = book.refused_with(
        &["case", "event", &case],
        &json!({"kind": "reopened", "reason": "补登", "at": at(6)}).to_string(),
    );
    assert_eq!(error["kind"], "invalid");
    assert!(
        str_of(&error, "message").contains("最近一次办理记录"),
        "{error}"
    );
    assert_eq!(book.snapshot(), before);
}

#[test]
fn a_reopened_case_owes_a_fresh_answer_and_is_not_overdue_at_once() {
    let book = Book::with_roster();
    let case = book.add_reception(&json!({
        "received_at": rfc(now() - TimeDelta::days(30)), "channel": "phone",
        "deputies": ["陈建国"], "category": "邻里", "matter": "噪音", "request": "协调",
    }));
    let at = |days: i64| rfc(now() - TimeDelta::days(days));
    let deadline = (today() - TimeDelta::days(20)).to_string();
    book.event(
        &case,
        &json!({"kind": "referred", "to": "村委会", "deadline": deadline, "at": at(29)}),
    );
    book.event(&case, &json!({"kind": "closed", "at": at(28)}));
    assert_eq!(
        book.event(&case, &json!({"kind": "reopened", "reason": "新情况"})),
        "in_progress"
    );
    let shown = book.ok(&["case", "show", &case]);
    assert_eq!(shown["overdue"], false);
    assert_eq!(shown["due"], (today() + TimeDelta::days(15)).to_string());
}

#[test]
fn opening_a_mediation_for_a_case_moves_the_case_into_mediation() {
    let book = Book::with_roster();
    let case = book.add_reception(&simple_reception());
    let mut input = mediation(now() - TimeDelta::minutes(10));
    input["case_no"] = json!(case);
    let added = book.ok_with(&["mediation", "add"], &input);
    let shown = book.ok(&["case", "show", &case]);
    assert_eq!(shown["status"], "in_mediation");
    assert_eq!(shown["mediations"], json!([added["number"]]));
    let timeline = shown["timeline"].as_array().unwrap();
    assert_eq!(timeline.last().unwrap()["mediation_no"], added["number"]);

    let unknown = book.refused_with(
        &["case", "event", &case],
        &json!({"kind": "to_mediation", "mediation_no": "（2026）BX人调字第99号"}).to_string(),
    );
    assert_eq!(unknown["kind"], "not_found");
}

#[test]
fn fields_an_event_kind_does_not_have_are_refused() {
    let book = Book::with_roster();
    let case = book.add_reception(&simple_reception());
    let error = book.refused_with(
        &["case", "event", &case],
        &json!({"kind": "accepted", "deadline": "2026-12-01"}).to_string(),
    );
    assert_eq!(error["kind"], "bad_input");
    assert!(str_of(&error, "message").contains("deadline"), "{error}");
    let mut misspelt = simple_reception();
    misspelt["visitors"][0]["idcard"] = json!("11010519491231002X");
    let error = book.refused_with(&["reception", "add"], &misspelt.to_string());
    assert_eq!(error["kind"], "bad_input");
}

#[test]
fn a_reception_grid_must_be_on_the_roster() {
    let book = Book::with_roster();
    let mut input = simple_reception();
    input["grid"] = json!("ZZZ");
    let error = book.refused_with(&["reception", "add"], &input.to_string());
    assert_eq!(error["kind"], "invalid");
    assert!(str_of(&error, "message").contains("ZZZ"));
}

#[test]
fn a_retired_namesake_does_not_block_the_serving_deputy() {
    let book = Book::with_roster();
    let roster = json!({"deputies": [
        {"name": "陈建国", "congress": "镇", "station": "BX", "active": false, "id": "0190e3a0-0000-7000-8000-000000000001"}
    ]});
    let file = book.file(&roster.to_string());
    book.ok(&["roster", "import", file.to_str().unwrap()]);
    book.add_reception(&simple_reception());
}

#[test]
fn demo_refuses_a_book_that_already_has_a_roster() {
    let book = Book::with_roster();
    let before = book.snapshot();
    let error = book.refused(&["demo", "--receptions", "5"]);
    assert_eq!(error["kind"], "already_exists");
    assert_eq!(book.snapshot(), before);
}

#[test]
fn argument_errors_still_answer_json() {
    let book = Book::init();
    let output = book
        .cmd()
        .args(["--json", "stats", "--from", "2026-13-01"])
        .assert()
        .code(2);
    let body: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(body["error"]["kind"], "bad_input");
    let negative = book.ok(&["changes", "--since", "-5"]);
    assert!(negative.as_array().unwrap().is_empty());
}

#[test]
fn to_mediation_must_cite_a_file_opened_for_that_case() {
    let book = Book::with_roster();
    let first = book.add_reception(&simple_reception());
    let second = book.add_reception(&simple_reception());
    let mut input = mediation(now() - TimeDelta::minutes(10));
    input["case_no"] = json!(first);
    let added = book.ok_with(&["mediation", "add"], &input);
    let error = book.refused_with(
        &["case", "event", &second],
        &json!({"kind": "to_mediation", "mediation_no": added["number"]}).to_string(),
    );
    assert_eq!(error["kind"], "invalid");
}

#[test]
fn mediation_events_keep_their_order_and_mediators_are_strict() {
    let book = Book::with_roster();
    let added = book.ok_with(
        &["mediation", "add"],
        &mediation(now() - TimeDelta::days(3)),
    );
    let number = str_of(&added, "number");
    book.ok_with(
        &["mediation", "event", number],
        &json!({"kind": "session", "place": "调解室", "statements": "陈述", "at": rfc(now() - TimeDelta::days(1))}),
    );
    let error = book.refused_with(
        &["mediation", "event", number],
        &json!({"kind": "session", "place": "调解室", "statements": "补记", "at": rfc(now() - TimeDelta::days(2))})
            .to_string(),
    );
    assert_eq!(error["kind"], "invalid");
    let mut input = mediation(now() - TimeDelta::minutes(5));
    input["mediators"] = json!([{"name": "邓文杰", "unit": "司法所"}]);
    let error = book.refused_with(&["mediation", "add"], &input.to_string());
    assert_eq!(error["kind"], "bad_input");
}

/// `due` lists an answer owed within the days asked for, and not before the horizon reaches it.
#[test]
fn due_lists_what_is_owed_within_the_days_asked() {
    let book = Book::with_roster();
    let mut input = simple_reception();
    input["reply_due"] = json!((today() + chrono::TimeDelta::days(10)).to_string());
    let case_no = book.add_reception(&input);
    let soon = book.ok(&["due", "--within", "10"]);
    assert_eq!(
        soon,
        json!([{
            "kind": "reply", "label": "答复来访人", "record": case_no,
            "date": (today() + chrono::TimeDelta::days(10)).to_string(), "days_left": 10
        }])
    );
    assert_eq!(book.ok(&["due"]), json!([]), "seven days by default");
    let human = book
        .cmd()
        .args(["due", "--within", "10"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let human = String::from_utf8(human).unwrap();
    assert!(
        human.contains("（还有10天） 答复来访人") && human.contains("共 1 项待办"),
        "{human}"
    );
}

/// `deputy activity add` records a 述职 or a training from JSON, `deputy activity list` lists
/// them newest first (of one deputy with --deputy, of days with --from/--to), and a training
/// with voters is refused at its field, writing nothing.
#[test]
fn deputy_activities_are_added_and_listed() {
    let book = Book::with_roster();
    let added = book.ok_with(
        &["deputy", "activity", "add"],
        &json!({"kind": "述职", "deputy": "陈建国", "date": "2026-11-02", "place": "东岭村文化室",
                "topic": "2026年度履职情况", "voters_present": 45,
                "appraisal": {"satisfied": 40, "basically_satisfied": 4, "dissatisfied": 1}}),
    );
    assert_eq!(
        (added["name"].as_str(), added["kind_label"].as_str()),
        (Some("陈建国"), Some("向选民述职"))
    );
    book.ok_stdin(
        &["deputy", "activity", "add"],
        &json!({"kind": "training", "deputy": "李秀英", "date": "2026-11-10", "place": "市委党校",
                "topic": "基层人大代表履职能力培训", "organiser": "市人大常委会"}),
    );
    let all = book.ok(&["deputy", "activity", "list"]);
    let topics: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["topic"].as_str().unwrap())
        .collect();
    assert_eq!(topics, ["基层人大代表履职能力培训", "2026年度履职情况"]);
    assert_eq!(all[1]["deputy_name"], "陈建国");
    assert_eq!(all[1]["kind"], "report_to_voters");
    assert_eq!(all[1]["appraisal"]["satisfied"], 40);
    let chen = book.ok(&["deputy", "activity", "list", "--deputy", "陈建国"]);
    assert_eq!(chen.as_array().unwrap().len(), 1);
    let november_first_week = book.ok(&[
        "deputy",
        "activity",
        "list",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-07",
    ]);
    assert_eq!(november_first_week.as_array().unwrap().len(), 1);

    let before = book.snapshot();
    let err = book.refused_with(
        &["deputy", "activity", "add"],
        r#"{"kind": "training", "deputy": "陈建国", "date": "2026-11-10", "place": "党校",
            "topic": "培训", "voters_present": 30}"#,
    );
    assert_eq!(err["field"], "voters_present", "{err}");
    assert_eq!(book.snapshot(), before);
}

// ---------------------------------------------------------------------------------------------
// 代表建议
// ---------------------------------------------------------------------------------------------

/// The fixture roster and a second county deputy, 王立新, to co-sign with 李秀英.
fn book_with_two_county_deputies() -> Book {
    let book = Book::with_roster();
    let extra = book.file(
        r#"{"deputies": [{"name": "王立新", "congress": "county", "grid": "B01", "station": "BX"}]}"#,
    );
    book.ok(&["roster", "import", extra.to_str().unwrap()]);
    book
}

/// A time `minutes` after an hour ago (before now for fewer than 60).
fn minutes_on(minutes: i64) -> String {
    rfc(an_hour_ago() + TimeDelta::minutes(minutes))
}

fn suggestion(cases: &[&str]) -> Value {
    json!({
        "title": "关于维修东岭村村口路灯和渡槽的建议",
        "category": "资源环境、城乡建设和农林水利",
        "reasons": "村口路灯损坏，夜间出行不便；渡槽漏水影响灌溉。",
        "proposals": "一、尽快维修路灯；二、将渡槽维修列入年度水利计划。",
        "cases": cases,
        "lead": "李秀英",
        "cosigners": ["王立新"],
        "unit": "镇农业农村办",
        "drafted_at": minutes_on(5),
        "drafted_by": "梁少玲",
    })
}

/// A suggestion drafted from two receptions goes through its life: submitted, assigned (three
/// months to answer when no deadline is given), answered, the deputy not satisfied, answered
/// again, satisfied. Its number is the station's, its congress the lead's.
#[test]
fn a_suggestion_from_receptions_through_its_life() {
    let book = book_with_two_county_deputies();
    let first = book.add_reception(&simple_reception());
    let second = book.add_reception(&reception(
        "渡槽漏水",
        "请求维修渡槽",
        "村务管理",
        json!([{"name": "黄伯"}]),
    ));
    let added = book.ok_with(&["suggestion", "add"], &suggestion(&[&first, &second]));
    let number = str_of(&added, "number").to_owned();
    assert_eq!(number, format!("BX建议〔{}〕1号", today().year()));
    assert_eq!(added["congress"], "county");

    let event = |input: Value| book.ok_with(&["suggestion", "event", &number], &input);
    let submitted = event(
        json!({"kind": "submitted", "at": minutes_on(10), "to": "县人大常委会代表工作委员会", "registered_no": "第0123号"}),
    );
    assert_eq!(submitted["state"]["status"], "submitted");
    let assigned = event(json!({"kind": "assigned", "at": minutes_on(15), "unit": "镇农业农村办"}));
    let in_three_months = (an_hour_ago() + TimeDelta::minutes(15))
        .date_naive()
        .checked_add_months(chrono::Months::new(3))
        .unwrap();
    assert_eq!(assigned["state"]["deadline"], in_three_months.to_string());
    // Short form: the year and the sequence of this station's number.
    let short = format!("{}-1", today().year());
    let answered = book.ok_with(
        &["suggestion", "event", &short],
        &json!({"kind": "answered", "at": minutes_on(20), "unit": "镇农业农村办", "answer": "渡槽维修已列入明年计划", "class": "B"}),
    );
    assert_eq!(answered["state"]["answer_class"], "planned");
    event(
        json!({"kind": "satisfaction", "at": minutes_on(25), "satisfaction": "不满意", "opinion": "路灯未提及"}),
    );
    event(json!({"kind": "answered", "at": minutes_on(30), "answer": "路灯已修复", "class": "A"}));
    let rated =
        event(json!({"kind": "satisfaction", "at": minutes_on(35), "satisfaction": "满意"}));
    assert_eq!(rated["state"]["status"], "rated");

    let shown = book.ok(&["case", "show", &second]);
    assert_eq!(shown["suggestions"], json!([number]));
    let list = book.ok(&["suggestion", "list"]);
    let listed = &list.as_array().unwrap()[0];
    assert_eq!(listed["number"], number);
    assert_eq!(listed["cases"], json!([first, second]));
    assert_eq!(listed["lead_name"], "李秀英");
    assert_eq!(listed["cosigner_names"], json!(["王立新"]));
    assert_eq!(listed["state"]["satisfaction"], "satisfied");
    assert_eq!(listed["state"]["registered_no"], "第0123号");
    assert_eq!(listed["events"].as_array().unwrap().len(), 6);
    let ops: Vec<String> = book
        .changes()
        .iter()
        .map(|c| str_of(c, "type").to_owned())
        .filter(|op| op.starts_with("suggestion"))
        .collect();
    assert_eq!(ops.len(), 7);

    let human = book
        .cmd()
        .args(["suggestion", "list"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let human = String::from_utf8(human).unwrap();
    assert!(
        human.contains(&number)
            && human.contains("领衔：李秀英（附议：王立新）")
            && human.contains("已征询意见（满意）"),
        "{human}"
    );
}

/// What the rules refuse, each with a message naming the rule, and nothing written.
#[test]
fn suggestion_refusals_write_nothing() {
    let book = book_with_two_county_deputies();
    let case_no = book.add_reception(&simple_reception());
    let refused = |input: Value, needle: &str| {
        let error = book.refused_with(&["suggestion", "add"], &input.to_string());
        assert!(str_of(&error, "message").contains(needle), "{error}");
    };
    refused(suggestion(&[]), "请至少关联一件接待登记");
    refused(suggestion(&["BX-2020-0099"]), "找不到案件");
    let mut town_cosigner = suggestion(&[&case_no]);
    town_cosigner["cosigners"] = json!(["陈建国"]);
    refused(town_cosigner, "同一级人民代表大会的代表");
    let mut lead_twice = suggestion(&[&case_no]);
    lead_twice["cosigners"] = json!(["李秀英"]);
    refused(lead_twice, "已是领衔代表");
    let mut twice = suggestion(&[&case_no]);
    twice["cosigners"] = json!(["王立新", "王立新"]);
    refused(twice, "重复");
    let mut other_level = suggestion(&[&case_no]);
    other_level["congress"] = json!("city");
    refused(other_level, "本级人民代表大会");
    let mut category = suggestion(&[&case_no]);
    category["category"] = json!("村务管理");
    refused(category, "不在目录中");

    let added = book.ok_with(&["suggestion", "add"], &suggestion(&[&case_no]));
    let number = str_of(&added, "number").to_owned();
    let event_refused = |input: Value, needle: &str| {
        let error = book.refused_with(&["suggestion", "event", &number], &input.to_string());
        assert!(str_of(&error, "message").contains(needle), "{error}");
    };
    event_refused(
        json!({"kind": "answered", "at": minutes_on(10), "answer": "已修", "class": "A"}),
        "尚未提交",
    );
    event_refused(
        json!({"kind": "assigned", "at": minutes_on(10), "unit": "镇农业农村办"}),
        "尚未提交",
    );
    event_refused(
        json!({"kind": "satisfaction", "at": minutes_on(10), "satisfaction": "满意"}),
        "尚未答复",
    );
    event_refused(
        json!({"kind": "submitted", "at": minutes_on(1)}),
        "早于建议的起草时间",
    );
    event_refused(json!({"kind": "submitted", "unit": "x"}), "不认识的字段");
    book.ok_with(
        &["suggestion", "event", &number],
        &json!({"kind": "submitted", "at": minutes_on(20)}),
    );
    event_refused(
        json!({"kind": "submitted", "at": minutes_on(25)}),
        "不能重复提交",
    );
    event_refused(
        json!({"kind": "assigned", "at": minutes_on(15), "unit": "镇农业农村办"}),
        "最近一次记录",
    );
    let error = book.refused_with(
        &["suggestion", "event", "BX建议〔2020〕9号"],
        &json!({"kind": "submitted"}).to_string(),
    );
    assert_eq!(error["kind"], "not_found");
}
