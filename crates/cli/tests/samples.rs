//! The sample input files in `assets/samples/` are the examples docs/cli.md §3 shows, word for
//! word, and a new book takes them in order (the roster, three receptions, the meeting on the
//! second case and an objection to it, the mediation of the third), so neither the files nor
//! the page can drift from what the program accepts.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use casebook::time::test_clock;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample(name: &str) -> PathBuf {
    repository().join("assets/samples").join(name)
}

fn casebook(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("casebook").unwrap();
    cmd.env("CASEBOOK_DB", db)
        .env(test_clock::SHIFT_VAR, test_clock::pin_to_noon().to_string());
    cmd
}

#[test]
fn every_sample_is_the_example_docs_cli_md_shows() {
    let page = std::fs::read_to_string(repository().join("docs/cli.md")).unwrap();
    for name in [
        "roster.json",
        "reception.json",
        "meeting.json",
        "meeting-event.json",
        "mediation.json",
    ] {
        let text = std::fs::read_to_string(sample(name)).unwrap();
        assert!(
            page.contains(&format!("```json\n{text}```\n")),
            "docs/cli.md does not show assets/samples/{name} as it is"
        );
    }
}

#[test]
fn a_new_book_takes_the_samples_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bx.db");
    casebook(&db)
        .args([
            "init",
            "--no-encryption",
            "--station-code",
            "BX",
            "--station-name",
            "东岭村人大代表联络站",
        ])
        .assert()
        .success();
    let run = |args: &[&str], file: &str| -> serde_json::Value {
        let output = casebook(&db)
            .args(args)
            .arg(sample(file))
            .arg("--json")
            .assert()
            .success();
        serde_json::from_slice(&output.get_output().stdout).unwrap()
    };
    run(&["roster", "import"], "roster.json");
    for _ in 0..3 {
        run(&["reception", "add", "--file"], "reception.json");
    }
    let meeting = run(&["meeting", "add", "--file"], "meeting.json");
    assert_eq!(meeting["passed"], serde_json::json!([true, true]));
    let id = meeting["id"].as_str().unwrap();
    run(&["meeting", "event", id, "--file"], "meeting-event.json");
    run(&["mediation", "add", "--file"], "mediation.json");
}
