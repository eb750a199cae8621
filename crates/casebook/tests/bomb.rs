//! A compromised station seals a zstd bomb with its own keys: the town's import must refuse it
//! as `bad_bundle` without inflating it. Alone in its test binary, so the process's peak memory
//! measures this import only.
#![allow(clippy::unwrap_used)]

use casebook::ErrorKind;
use casebook::bundle::format::{self, MAX_PAYLOAD_LEN};
use liaison_testkit::hostile::{BOMB_PREFIX, seal_compressed, zstd_bomb};

/// Peak resident memory of this process so far, in bytes (Linux `VmHWM`).
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

#[test]
fn a_signed_zstd_bomb_is_refused_without_being_inflated() {
    const GIB: u64 = 1024 * 1024 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = liaison_testkit::town_and_station(dir.path());
    let station_path = dir.path().join("bx.db");
    let before = peak_rss();

    let total = |spaces: u64| BOMB_PREFIX.len() as u64 + spaces;
    let bombs = [
        // Declares its true 16 GiB: refused before decompressing anything.
        ("honest", zstd_bomb(16 * GIB, Some(total(16 * GIB)))),
        // Declares just under the cap and holds 16 GiB: stopped one byte past what it declared.
        ("lying", zstd_bomb(16 * GIB, Some(64 * 1024 * 1024))),
        // Declares nothing.
        ("silent", zstd_bomb(16 * GIB, None)),
    ];
    for (name, compressed) in bombs {
        assert!(compressed.len() < 1024 * 1024, "{name}: a small file");
        let bundle = seal_compressed(&station, &station_path, &town, &compressed, (1, 0));
        let err = town.import_bundle(&bundle).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadBundle, "{name}: {err}");
    }
    let grown = peak_rss().saturating_sub(before);
    assert!(
        grown < 256 * 1024 * 1024,
        "the bombs raised peak memory by {} MiB",
        grown / 1024 / 1024
    );

    // The same frame, small enough, is a valid empty payload: the size alone was refused.
    let small = zstd_bomb(1000, Some(total(1000)));
    let bundle = seal_compressed(&station, &station_path, &town, &small, (1, 0));
    town.import_bundle(&bundle).unwrap();
    assert!(format::decompress(&small, MAX_PAYLOAD_LEN).is_ok());
    assert_eq!(
        format::decompress(&small, 999).unwrap_err().kind(),
        ErrorKind::BadBundle,
        "a cap below the declared size"
    );

    // The station's real bundle still imports.
    station
        .add_reception(liaison_testkit::reception("陈建国", "村道路灯损坏"))
        .unwrap();
    let sealed = station.seal_bundle("QX").unwrap().unwrap();
    assert_eq!(
        town.import_bundle(&sealed.bytes).unwrap().applied,
        sealed.changes
    );
}
