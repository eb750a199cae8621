//! The seed corpus of the `bundle_reader` fuzz target (fuzz/corpus/bundle_reader), replayed on
//! stable Rust through the target's own code path (fuzz/fixture.rs): nothing panics, the valid
//! bundles import, everything else is refused and leaves the town's book as it was.
//!
//! `regenerate_corpus` (ignored) rewrites the seeds; see fuzz/README.md.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use casebook::ErrorKind;
use casebook::bundle::format;
use casebook::domain::{CaseEventInput, ReceptionInput, RosterFile};

#[path = "../../../fuzz/fixture.rs"]
mod fixture;

use fixture::{Fixture, Outcome, STATION, TOWN};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/bundle_reader")
}

/// The corpus files, in name order: `valid-1-…` before `valid-2-…`, which builds on it.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn the_corpus_replays_without_panics_valid_seeds_import_and_the_rest_is_refused() {
    let files = corpus();
    let valid = files
        .iter()
        .filter(|(n, _)| n.starts_with("valid-"))
        .count();
    let bad = files.iter().filter(|(n, _)| n.starts_with("bad-")).count();
    assert!(
        valid >= 3 && bad >= 10,
        "the seeds are there: {valid} valid, {bad} bad"
    );

    let mut fixture = Fixture::create();
    for (name, bytes) in &files {
        let before = fixture.town.canonical_dump().unwrap();
        let outcome = fixture::replay(&mut fixture.town, bytes);
        eprintln!("{name}: {outcome:?}");
        match outcome {
            Outcome::Imported(imported) => {
                assert!(
                    name.starts_with("valid-"),
                    "{name}: only the valid seeds import, got {imported:?}"
                );
                assert!(imported.applied > 0, "{name}: {imported:?}");
            }
            Outcome::Unparsed(err) | Outcome::Refused(err) => {
                assert!(!name.starts_with("valid-"), "{name} is refused: {err}");
                assert!(
                    matches!(
                        err.kind(),
                        ErrorKind::BadBundle | ErrorKind::UnknownOrigin | ErrorKind::WrongRecipient
                    ),
                    "{name}: a refusal, not a failure: {err}"
                );
                assert_eq!(
                    fixture.town.canonical_dump().unwrap(),
                    before,
                    "{name}: a refused bundle changes nothing"
                );
            }
        }
    }
}

const ROSTER: &str = r#"{
  "grids": [{"code": "B01", "name": "东岭村第一网格", "level": "base", "committees": ["东岭村"]}],
  "stations": [{"code": "BX", "name": "东岭村人大代表联络站", "level": "base", "grid": "B01"}],
  "deputies": [
    {"name": "陈建国", "congress": "镇", "grid": "B01", "station": "BX"},
    {"name": "李秀英", "congress": "县", "grid": "B01", "station": "BX"}
  ]
}"#;

fn reception(at: &str, deputy: &str, matter: &str) -> ReceptionInput {
    serde_json::from_value(serde_json::json!({
        "received_at": at,
        "channel": "station_visit",
        "deputies": [deputy],
        "visitors": [{"name": "梁秀英", "sex": "female", "age": 61, "representative": false}],
        "category": "山林土地",
        "matter": matter,
        "request": "请求协调处理",
        "consent": true
    }))
    .unwrap()
}

/// The station's next bundle to the town.
fn export(fixture: &mut Fixture) -> Vec<u8> {
    let out = fixture.dir.path().join("out");
    let path = fixture.station.export_bundle(TOWN, &out).unwrap().path;
    std::fs::read(path.expect("something to send")).unwrap()
}

/// The town takes the bundle and sends its receipt back, so the next bundle starts after it.
fn acknowledge(fixture: &mut Fixture, bundle: &[u8]) {
    fixture.town.import_bundle(bundle).unwrap();
    let out = fixture.dir.path().join("out");
    let path = fixture.town.export_bundle(STATION, &out).unwrap().path;
    let receipt = std::fs::read(path.expect("a receipt")).unwrap();
    fixture.station.import_bundle(&receipt).unwrap();
}

/// `bytes` with `from` (which must occur once) replaced by `to` of the same length.
fn replaced(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let at: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i..].starts_with(from.as_bytes()))
        .collect();
    assert_eq!(at.len(), 1, "{from} occurs once");
    let mut out = bytes.to_vec();
    out[at[0]..at[0] + to.len()].copy_from_slice(to.as_bytes());
    out
}

fn flipped(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at] ^= 0x01;
    out
}

/// Rewrites the `valid-*` and `bad-*` seeds (other files, e.g. inputs the fuzzer kept, stay).
/// The bundles are sealed with fresh ephemeral keys, so every run gives other bytes.
#[test]
#[ignore = "rewrites fuzz/corpus/bundle_reader; run by hand, see fuzz/README.md"]
fn regenerate_corpus() {
    let mut f = Fixture::create();
    let roster: RosterFile = serde_json::from_str(ROSTER).unwrap();
    f.station.import_roster(&roster).unwrap();
    let case = f
        .station
        .add_reception(reception(
            "2026-03-02T09:30:00+08:00",
            "陈建国",
            "出嫁后土地分红被取消",
        ))
        .unwrap()
        .case_no;
    // One reception, from seq 1 (the roster the station imported itself stays home).
    let first = export(&mut f);
    acknowledge(&mut f, &first);
    // After the town's receipt: the station's receipt, a reception and an event.
    f.station
        .add_reception(reception(
            "2026-03-02T10:15:00+08:00",
            "李秀英",
            "山林界址不清",
        ))
        .unwrap();
    let accepted: CaseEventInput = serde_json::from_str(r#"{"kind": "accepted"}"#).unwrap();
    f.station.add_case_event(&case, accepted).unwrap();
    let second = export(&mut f);
    acknowledge(&mut f, &second);
    // Then one more reception.
    f.station
        .add_reception(reception(
            "2026-03-03T08:45:00+08:00",
            "陈建国",
            "村道路灯损坏",
        ))
        .unwrap();
    let third = export(&mut f);

    let parsed = format::parse(&first).unwrap();
    let header_end = parsed.associated.len();
    let signed_end = parsed.signed.len();
    // A payload length off by one, with the same number of digits.
    let len = parsed.header.payload_len;
    let payload_len = format!("\"payload_len\":{len}");
    let other_len = format!(
        "\"payload_len\":{}",
        if len.is_multiple_of(10) {
            len + 1
        } else {
            len - 1
        }
    );
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("valid-1-reception.lsb", first.clone()),
        ("valid-2-receipt-reception-event.lsb", second.clone()),
        ("valid-3-reception.lsb", third.clone()),
        ("bad-empty.lsb", Vec::new()),
        ("bad-magic-only.lsb", format::MAGIC.to_vec()),
        ("bad-truncated-prefix.lsb", first[..14].to_vec()),
        (
            "bad-truncated-header.lsb",
            first[..(14 + header_end) / 2].to_vec(),
        ),
        (
            "bad-truncated-ciphertext.lsb",
            first[..(header_end + signed_end) / 2].to_vec(),
        ),
        (
            "bad-truncated-signature.lsb",
            first[..first.len() - 1].to_vec(),
        ),
        ("bad-extended.lsb", [first.as_slice(), &[0]].concat()),
        ("bad-flipped-magic.lsb", flipped(&first, 0)),
        ("bad-flipped-version.lsb", flipped(&first, 8)),
        ("bad-flipped-header-length.lsb", flipped(&first, 10)),
        ("bad-flipped-header-json.lsb", flipped(&first, 14)),
        (
            "bad-flipped-ciphertext.lsb",
            flipped(&first, (header_end + signed_end) / 2),
        ),
        (
            "bad-flipped-signature.lsb",
            flipped(&first, first.len() - 1),
        ),
        (
            "bad-header-length-huge.lsb",
            [&first[..10], &u32::MAX.to_le_bytes(), &first[14..]].concat(),
        ),
        (
            "bad-header-unknown-origin.lsb",
            replaced(&first, "\"origin\":\"BX\"", "\"origin\":\"BY\""),
        ),
        (
            "bad-header-wrong-recipient.lsb",
            replaced(&first, "\"recipient\":\"QX\"", "\"recipient\":\"QY\""),
        ),
        (
            "bad-header-newer-schema.lsb",
            replaced(
                &first,
                &format!("\"schema_version\":{}", parsed.header.schema_version),
                // All nines: newer than this build's schema, and than the next few.
                &format!(
                    "\"schema_version\":{}",
                    "9".repeat(parsed.header.schema_version.to_string().len())
                ),
            ),
        ),
        (
            "bad-header-payload-len.lsb",
            replaced(&first, &payload_len, &other_len),
        ),
        (
            "bad-signature-of-another-bundle.lsb",
            [&first[..signed_end], &second[second.len() - 64..]].concat(),
        ),
        (
            "bad-second-with-first-header.lsb",
            [
                &first[..header_end],
                &second[format::parse(&second).unwrap().associated.len()..],
            ]
            .concat(),
        ),
    ];
    let dir = corpus_dir();
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("valid-") || name.starts_with("bad-") {
            std::fs::remove_file(path).unwrap();
        }
    }
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}
