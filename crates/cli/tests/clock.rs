//! The station's calendar at its edges, through the `casebook` binary. Each command runs on a
//! station clock set to a chosen minute (`casebook::time::test_clock`), so these tests try the
//! station's midnight and the turn of the year whatever the hour they run at, and check that
//! every "today" is the station's (UTC+8): at 00:30 station time it is still yesterday in UTC.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use assert_cmd::Command;
use casebook::time::test_clock;
use chrono::DateTime;
use serde_json::{Value, json};
use tempfile::TempDir;

/// A station book `BX` with the fixture roster, and the station clock of its next command.
struct Book {
    dir: TempDir,
    db: PathBuf,
    clock: String,
}

impl Book {
    /// A new book, made while the station clock reads `clock`.
    fn at(clock: &str) -> Book {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("book.db");
        let book = Book {
            dir,
            db,
            clock: clock.to_owned(),
        };
        book.ok(&[
            "init",
            "--no-encryption",
            "--station-code",
            "BX",
            "--station-name",
            "东岭村人大代表联络站",
        ]);
        let roster = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster.json");
        book.ok(&["roster", "import", roster.to_str().unwrap()]);
        book
    }

    /// Sets the station clock of the commands that follow, e.g. `2026-12-31T23:59:00+08:00`.
    fn set_clock(&mut self, clock: &str) {
        self.clock = clock.to_owned();
    }

    /// `casebook --json --db BOOK ARGS` with `input` on stdin as `--file -`, on the book's
    /// clock, shifted just before the process starts.
    fn run(&self, args: &[&str], input: Option<&Value>) -> assert_cmd::assert::Assert {
        let clock = DateTime::parse_from_rfc3339(&self.clock).unwrap();
        let mut cmd = Command::cargo_bin("casebook").unwrap();
        cmd.env_remove("CASEBOOK_DB")
            .env(
                test_clock::SHIFT_VAR,
                test_clock::shift_to(clock).to_string(),
            )
            .arg("--json")
            .arg("--db")
            .arg(&self.db)
            .args(args);
        if let Some(input) = input {
            cmd.args(["--file", "-"]).write_stdin(input.to_string());
        }
        cmd.assert()
    }

    fn ok(&self, args: &[&str]) -> Value {
        let output = self.run(args, None).success();
        serde_json::from_slice(&output.get_output().stdout).unwrap()
    }

    fn ok_with(&self, args: &[&str], input: &Value) -> Value {
        let output = self.run(args, Some(input)).success();
        serde_json::from_slice(&output.get_output().stdout).unwrap()
    }

    /// The refusal's `kind`.
    fn refused_with(&self, args: &[&str], input: &Value) -> String {
        let output = self.run(args, Some(input)).code(2);
        let answer: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
        answer["error"]["kind"].as_str().unwrap().to_owned()
    }

    fn reception(&self, received_at: &str) -> Value {
        let added = self.ok_with(&["reception", "add"], &reception(received_at, None));
        added["case_no"].clone()
    }

    fn case(&self, case_no: &str) -> Value {
        self.ok(&["case", "show", case_no])
    }

    /// The day range a report written now without dates covers, `from..to`.
    fn report_range(&self, kind: &str) -> Value {
        let out = self.dir.path().join(format!("{kind}.html"));
        self.ok(&["report", kind, "--out", out.to_str().unwrap()])["id"].clone()
    }
}

fn reception(received_at: &str, reply_due: Option<&str>) -> Value {
    let mut input = json!({
        "received_at": received_at,
        "channel": "到站接待",
        "deputies": ["陈建国"],
        "visitors": [{"name": "陈志明", "phone": "13800001111"}],
        "category": "村务管理",
        "matter": "村口路灯坏了三天",
        "request": "请求尽快维修",
        "consent": true,
    });
    if let Some(due) = reply_due {
        input["reply_due"] = json!(due);
    }
    input
}

fn mediation(accepted_at: &str) -> Value {
    json!({
        "source": "申请",
        "dispute_type": "邻里",
        "accepted_at": accepted_at,
        "summary": "两户因屋檐滴水问题多次争吵",
        "parties": [{"role": "申请人", "name": "张三"}, {"role": "respondent", "name": "李四"}],
        "mediators": ["陈建国"],
        "consent": true,
        "agreed_to_mediation": true,
    })
}

#[test]
fn case_and_mediation_numbers_follow_the_station_year() {
    let mut book = Book::at("2026-12-31T23:59:00+08:00");
    assert_eq!(book.reception("2026-12-31T23:58:30+08:00"), "BX-2026-0001");
    let file = book.ok_with(
        &["mediation", "add"],
        &mediation("2026-12-31T23:58:40+08:00"),
    );
    assert_eq!(file["number"], "（2026）BX人调字第1号");
    // Half an hour ahead of the station clock is the future, even across the year.
    assert_eq!(
        book.refused_with(
            &["reception", "add"],
            &reception("2027-01-01T00:30:00+08:00", None)
        ),
        "future_date"
    );

    // Half a minute into the new year at the station: still 2026 in UTC (16:00:30).
    book.set_clock("2027-01-01T00:00:30+08:00");
    assert_eq!(book.reception("2027-01-01T00:00:10+08:00"), "BX-2027-0001");
    let file = book.ok_with(
        &["mediation", "add"],
        &mediation("2027-01-01T00:00:20+08:00"),
    );
    assert_eq!(file["number"], "（2027）BX人调字第1号");
    // A visit of the year's last minute, written down just after midnight: last year's number.
    assert_eq!(book.reception("2026-12-31T23:59:30+08:00"), "BX-2026-0002");
    let event = book.ok_with(
        &["case", "event", "BX-2027-0001"],
        &json!({"kind": "accepted"}),
    );
    assert_eq!(event["status"], "in_progress");
    let timeline = &book.case("BX-2027-0001")["timeline"];
    assert!(
        timeline[0]["at"]
            .as_str()
            .unwrap()
            .starts_with("2027-01-01T00:00:"),
        "an event without a time is dated by the station clock: {timeline}"
    );
}

#[test]
fn replies_and_mediations_fall_due_at_the_station_midnight() {
    let mut book = Book::at("2027-01-01T10:00:00+08:00");
    let added = book.ok_with(
        &["reception", "add"],
        &reception("2027-01-01T09:30:00+08:00", Some("2027-01-01")),
    );
    let case_no = added["case_no"].as_str().unwrap().to_owned();
    // Accepted on 12-01: normally closed by 01-01, one month later.
    book.ok_with(
        &["mediation", "add"],
        &mediation("2026-12-01T10:00:00+08:00"),
    );

    book.set_clock("2027-01-01T23:59:00+08:00");
    assert_eq!(book.case(&case_no)["overdue"], false, "due today");
    assert_eq!(book.ok(&["case", "list", "--status", "overdue"]), json!([]));
    assert_eq!(book.ok(&["mediation", "list"])[0]["overdue"], false);
    assert_eq!(book.ok(&["stats"])["overdue"], 0);

    // The station's next day, while UTC's is still 01-01 (16:00:30).
    book.set_clock("2027-01-02T00:00:30+08:00");
    assert_eq!(book.case(&case_no)["overdue"], true, "due yesterday");
    let overdue = book.ok(&["case", "list", "--status", "overdue"]);
    assert_eq!(overdue[0]["case_no"], case_no.as_str());
    assert_eq!(book.ok(&["mediation", "list"])[0]["overdue"], true);
    let stats = book.ok(&["stats"]);
    assert_eq!(stats["overdue"], 1);
    assert_eq!(stats["mediation"]["overdue"], 1);
}

#[test]
fn reports_without_dates_cover_the_station_week_and_month() {
    let mut book = Book::at("2026-12-31T23:59:00+08:00");
    assert_eq!(
        book.report_range("monthly"),
        "2026-12-01..2026-12-31",
        "the month so far"
    );
    assert_eq!(book.report_range("weekly"), "2026-12-25..2026-12-31");

    book.set_clock("2027-01-01T00:30:00+08:00");
    assert_eq!(book.report_range("monthly"), "2027-01-01..2027-01-01");
    assert_eq!(book.report_range("weekly"), "2026-12-26..2027-01-01");
}
