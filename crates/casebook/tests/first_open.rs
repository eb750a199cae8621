//! A program whose first books are opened on several threads at once: the app at start, the
//! hub's first uploads, a test binary's first tests. SQLite counts itself ready before
//! SQLCipher's own set-up (`sqlcipher_extra_init`) has finished, and a `PRAGMA key` on another
//! thread in that moment was refused: "An error occurred with PRAGMA key or rekey", as a CI run
//! met it once. The moment is microseconds wide, so the test makes it last: it runs itself under
//! gdb, which holds the first thread inside SQLCipher's set-up for a second while the others go
//! on opening their books.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Barrier};

use casebook::Book;
use casebook::store::BookKind;

const RACE_DIR: &str = "CASEBOOK_FIRST_OPEN_DIR";
const TEST_NAME: &str = "encrypted_books_made_at_once_by_a_new_process_all_open";
const THREADS: usize = 6;
const HELD: &str = "held in SQLCipher's set-up";
const ALL_MADE: &str = "every book made";

#[test]
fn encrypted_books_made_at_once_by_a_new_process_all_open() {
    if let Some(dir) = std::env::var_os(RACE_DIR) {
        return race(Path::new(&dir));
    }
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    // Non-stop mode: the breakpoint stops only the thread that hit it, and gdb's Python holds
    // it there while the others run on.
    let script = format!(
        "import time\n\
         gdb.execute('set pagination off')\n\
         gdb.execute('set non-stop on')\n\
         class Hold(gdb.Breakpoint):\n\
         \x20   def stop(self):\n\
         \x20       print(\"{HELD}\", flush=True)\n\
         \x20       time.sleep(1)\n\
         \x20       return False\n\
         Hold('sqlcipher_extra_init')\n\
         gdb.execute('run')\n"
    );
    let script_path = dir.path().join("hold.py");
    std::fs::write(&script_path, script).unwrap();
    let output = Command::new("gdb")
        .arg("-q")
        .arg("-batch")
        .arg("-x")
        .arg(&script_path)
        .arg("--args")
        .arg(&exe)
        .args(["--exact", TEST_NAME, "--nocapture", "--test-threads=1"])
        .env(RACE_DIR, dir.path())
        // scripts/test-clock runs the tests under libfaketime, whose sleep gdb's Python refuses
        // (EINVAL); this test is about threads, not the clock.
        .env_remove("LD_PRELOAD")
        .env_remove("FAKETIME")
        .output()
        .expect("gdb runs this test (scripts/test installs it)");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        printed.contains(HELD),
        "gdb never stopped in SQLCipher's set-up:\n{printed}"
    );
    assert!(
        printed.contains(ALL_MADE) && !printed.contains("panicked"),
        "{printed}"
    );
}

/// The process's first SQLite calls: several threads, released together, each making an
/// encrypted book.
fn race(dir: &Path) {
    let start = Arc::new(Barrier::new(THREADS));
    let makers: Vec<_> = (0..THREADS)
        .map(|n| {
            let start = Arc::clone(&start);
            let path = dir.join(format!("book-{n}.db"));
            std::thread::spawn(move || {
                start.wait();
                Book::create_encrypted(
                    &path,
                    "BX",
                    "东岭村人大代表联络站",
                    BookKind::Station,
                    "东岭村2026年修渡槽",
                )
                .map(drop)
            })
        })
        .collect();
    let failures: Vec<String> = makers
        .into_iter()
        .enumerate()
        .filter_map(|(n, maker)| maker.join().unwrap().err().map(|e| format!("{n}: {e}")))
        .collect();
    assert!(failures.is_empty(), "books refused: {failures:#?}");
    println!("{ALL_MADE}");
}
