//! Bundle formats per peer: a town at this version and a station still on the release before
//! format 3 (`liaison_testkit::previous_release`: its bundles made through the book's own
//! sealing path in the older format, with that release's log version in the header, and its
//! strict reader of what comes back). From the operator's side first — the town upgraded before
//! its stations, each station's PC one by one — then from the attacker's: a station, or someone
//! on the way, that writes or rewrites an older format to have the checks against it lowered.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use casebook::bundle::format::{self, FORMAT_VERSION, Payload};
use casebook::store::BookKind;
use casebook::{Book, ErrorKind};
use liaison_testkit::hostile::{seal_payload_as, seal_secret};
use liaison_testkit::previous_release::{
    self, enrolled_before_the_upgrade, read_bundle, verifying_key,
};
use liaison_testkit::{reception, town_and_station};

/// The format version a bundle file says it is.
fn version(bytes: &[u8]) -> u16 {
    u16::from_le_bytes([bytes[8], bytes[9]])
}

fn record(book: &mut Book, count: usize, what: &str) {
    for n in 0..count {
        book.add_reception(reception("陈建国", &format!("{what}第{n}件：村道路灯不亮")))
            .unwrap();
    }
}

/// `from`'s bundle for `to`, sealed and recorded as sent.
fn sealed(from: &mut Book, to: &str) -> Vec<u8> {
    let sealed = from.seal_bundle(to).unwrap().expect("something to send");
    from.record_export(to, &sealed).unwrap();
    sealed.bytes
}

/// The payload of `bytes` from `sender`, opened with the key of the recipient's book at `path`.
fn opened(bytes: &[u8], sender: &Book, recipient: &Path) -> Payload {
    let parsed = format::parse(bytes).unwrap();
    format::open(&parsed, &verifying_key(sender), &seal_secret(recipient)).unwrap()
}

fn held_back(book: &Book, peer: &str) -> Option<String> {
    book.bundle_status()
        .unwrap()
        .into_iter()
        .find(|status| status.peer == peer)
        .unwrap()
        .held_back
}

/// The town is upgraded first and its station, enrolled before, still runs the previous
/// release: the town reads the station's format-1 bundle and writes back format 1, which that
/// release reads (no receipt with the hash, the receipt signed as it checks it). Once the
/// station's PC is upgraded, its first bundle (still format 1: it does not know the town yet)
/// says by its log version that it reads 3, and from then on both write 3. A bundle of the old
/// release found late on a stick is still read, and does not bring the older format back.
#[test]
fn a_station_on_the_previous_release_is_written_what_it_reads_until_it_upgrades() {
    let dir = tempfile::tempdir().unwrap();
    let (town_path, bx_path) = (dir.path().join("town.db"), dir.path().join("bx.db"));
    let (mut town, mut station) = town_and_station(dir.path());
    enrolled_before_the_upgrade(&town_path, "BX");

    record(&mut station, 3, "升级前");
    let old = previous_release::seal_bundle(&mut station, &bx_path, &town, &town_path).unwrap();
    assert_eq!(version(&old), 1);
    let imported = town.import_bundle(&old).unwrap();
    assert_eq!((imported.applied, imported.receipts), (3, 1));
    assert_eq!(town.peer_format("BX").unwrap(), Some(1));

    let down = sealed(&mut town, "BX");
    assert_eq!(version(&down), 1);
    let reading = read_bundle(&down, &verifying_key(&town), &seal_secret(&bx_path))
        .expect("the previous release reads it");
    let receipts = &reading.payload.receipts;
    assert_eq!(receipts.len(), 1);
    assert_eq!(receipts[0].acked_to, station.own_last_seq().unwrap());
    assert!(reading.payload.returned.is_empty());
    // The header says this version's log version: that release keeps the file aside (nothing
    // refused, nothing applied) until it is upgraded (docs/bundle-format.md, "Upgrading").
    assert!(reading.kept_as_newer);

    // The station's PC is upgraded: migration 013 knows the town at the older formats.
    station.import_bundle(&down).unwrap();
    enrolled_before_the_upgrade(&bx_path, "QX");
    record(&mut station, 1, "升级后");
    let up = sealed(&mut station, "QX");
    assert_eq!(
        version(&up),
        1,
        "it does not know yet that the town reads 3"
    );
    town.import_bundle(&up).unwrap();
    assert_eq!(town.peer_format("BX").unwrap(), Some(3));
    let down = sealed(&mut town, "BX");
    assert_eq!(version(&down), FORMAT_VERSION);
    let payload = opened(&down, &town, &bx_path);
    assert!(payload.receipts[0].last_entry.is_some(), "the hash is back");
    let refused = read_bundle(&down, &verifying_key(&town), &seal_secret(&bx_path)).unwrap_err();
    assert!(refused.contains("格式版本 3 不受支持"), "{refused}");
    station.import_bundle(&down).unwrap();
    assert_eq!(station.peer_format("QX").unwrap(), Some(3));
    record(&mut station, 1, "再后来");
    let up = sealed(&mut station, "QX");
    assert_eq!(version(&up), FORMAT_VERSION);
    town.import_bundle(&up).unwrap();

    // The stick with the first bundle is found in a drawer and imported: read, nothing new,
    // and the town still writes 3.
    let late = town.import_bundle(&old).unwrap();
    assert_eq!((late.applied, late.duplicates), (0, 3));
    assert_eq!(town.peer_format("BX").unwrap(), Some(3));
    assert_eq!(version(&sealed(&mut town, "BX")), FORMAT_VERSION);
    assert!(held_back(&town, "BX").is_none() && held_back(&station, "QX").is_none());
}

/// A station on the previous release restored from an older backup: the town owes it its own
/// records back, which format 1 cannot carry. It gets format 2, as the previous town wrote it
/// (the release that reads returned changes reads 2), with the receipt without the hash.
#[test]
fn changes_owed_to_a_station_on_the_previous_release_go_in_format_2() {
    let dir = tempfile::tempdir().unwrap();
    let town_path = dir.path().join("town.db");
    let (mut town, mut station) = town_and_station(dir.path());
    enrolled_before_the_upgrade(&town_path, "BX");
    let bx_path = dir.path().join("bx.db");
    record(&mut station, 2, "备份前");
    let up = previous_release::seal_bundle(&mut station, &bx_path, &town, &town_path).unwrap();
    town.import_bundle(&up).unwrap();
    let backup = station.backup_into(&dir.path().join("U盘"), None).unwrap();
    record(&mut station, 3, "备份后");
    let up = previous_release::seal_bundle(&mut station, &bx_path, &town, &town_path).unwrap();
    town.import_bundle(&up).unwrap();
    drop(station);

    let restored_path = dir.path().join("restored.db");
    let mut restored = Book::restore(Path::new(&backup.path), &restored_path, None).unwrap();
    let report =
        previous_release::seal_bundle(&mut restored, &restored_path, &town, &town_path).unwrap();
    assert_eq!(version(&report), 1);
    town.import_bundle(&report).unwrap();
    assert_eq!(town.peer_format("BX").unwrap(), Some(1));

    let back = sealed(&mut town, "BX");
    assert_eq!(version(&back), 2);
    let reading = read_bundle(&back, &verifying_key(&town), &seal_secret(&restored_path))
        .expect("the previous release reads it");
    assert_eq!(reading.payload.returned.len(), 3);
    assert_eq!(reading.payload.receipts.len(), 1);
    assert_eq!(restored.import_bundle(&back).unwrap().recovered, 3);
    assert_eq!(
        restored.stats(Some("BX"), None, None).unwrap().receptions,
        5
    );
}

/// The committed vector, sealed by the first writer (format 1, log version 2, with fixed test
/// keys): a town at this version reads it, receipt without the hash included, and answers in
/// format 1.
#[test]
fn a_bundle_the_first_writer_made_is_read_and_answered_in_its_format() {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("town.db");
    drop(Book::create(&path, "QX", "清溪镇人大", BookKind::Town).unwrap());
    // The vector's test keys: the town opens with 0x22…, the station signed with 0x11….
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "UPDATE own_keys SET seal_secret = ?1",
            [[0x22u8; 32].as_slice()],
        )
        .unwrap();
    let mut town = Book::open(&path).unwrap();
    town.import_roster(&liaison_testkit::roster()).unwrap();
    let extra =
        r#"{"deputies": [{"name": "黄小梅", "congress": "县", "grid": "B01", "station": "BX"}]}"#;
    town.import_roster(&serde_json::from_str(extra).unwrap())
        .unwrap();
    assert!(
        town.own_last_seq().unwrap() >= 9,
        "the receipt acknowledges 9"
    );
    let station_sign = ed25519_dalek::SigningKey::from_bytes(&[0x11; 32]).verifying_key();
    let station_seal = x25519_dalek::StaticSecret::from([0x55; 32]);
    town.add_peer(
        "BX",
        &STANDARD.encode(station_sign.as_bytes()),
        &STANDARD.encode(x25519_dalek::PublicKey::from(&station_seal).as_bytes()),
    )
    .unwrap();
    let vector = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/v1-station-to-town.lsb"),
    )
    .unwrap();
    assert_eq!(version(&vector), 1);

    let imported = town.import_bundle(&vector).unwrap();
    assert_eq!((imported.applied, imported.receipts), (2, 1));
    assert_eq!(town.peer_format("BX").unwrap(), Some(1));
    assert!(held_back(&town, "BX").is_none());
    let down = sealed(&mut town, "BX");
    assert_eq!(version(&down), 1);
    let reading = read_bundle(&down, &verifying_key(&town), &station_seal).unwrap();
    assert_eq!(reading.payload.receipts[0].acked_to, 2);
}

/// A station the town has seen at 3 writes it an older format (a compromised PC, or one put
/// back on the old release): it gains nothing. What it sends is checked as at 3 — returned
/// changes into the town's log are refused in format 2 as in 3 — the town keeps writing it
/// 3, so its receipts keep naming the station's entries by their hash, and a station whose log
/// diverged, writing the older format, is still told so by the town's next bundle.
#[test]
fn a_station_seen_at_3_gains_nothing_by_writing_an_older_format() {
    let dir = tempfile::tempdir().unwrap();
    let (town_path, bx_path) = (dir.path().join("town.db"), dir.path().join("bx.db"));
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 20, "复制前");
    town.import_bundle(&sealed(&mut station, "QX")).unwrap();
    station.import_bundle(&sealed(&mut town, "BX")).unwrap();
    assert_eq!(town.peer_format("BX").unwrap(), Some(3));

    // Format 1 with the previous release's log version: read, and nothing lowered.
    record(&mut station, 1, "旧格式");
    let older = previous_release::seal_bundle(&mut station, &bx_path, &town, &town_path).unwrap();
    assert_eq!(version(&older), 1);
    assert_eq!(town.import_bundle(&older).unwrap().applied, 1);
    assert_eq!(town.peer_format("BX").unwrap(), Some(3));
    let down = sealed(&mut town, "BX");
    assert_eq!(version(&down), FORMAT_VERSION);
    assert!(
        opened(&down, &town, &bx_path).receipts[0]
            .last_entry
            .is_some()
    );
    station.import_bundle(&down).unwrap();

    // The town's own roster change "returned" to it: refused alike in format 2 and in 3.
    let mut forged = town.changes_since(Some("QX"), 0, None).unwrap().remove(0);
    forged.seq = 10_000;
    let payload = Payload {
        changes: vec![],
        receipts: vec![],
        returned: vec![forged],
        relay: None,
    };
    let head = station.own_last_seq().unwrap();
    for format_version in [2, FORMAT_VERSION] {
        let bundle = seal_payload_as(
            format_version,
            &station,
            &bx_path,
            &town,
            &payload,
            (head + 1, head),
        );
        let err = town.import_bundle(&bundle).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotOwner, "{format_version}: {err}");
    }
    assert_eq!(town.peer_format("BX").unwrap(), Some(3));

    // The station's book is copied back from an older file and records more than it missed;
    // it writes the older format. Refused as at 3, and the town's next bundle, still 3, names
    // the entry by its hash: the station learns that its log diverged.
    let old_file = dir.path().join("旧文件.db");
    station.backup_to(&old_file).unwrap();
    record(&mut station, 5, "复制后");
    town.import_bundle(&sealed(&mut station, "QX")).unwrap();
    station.import_bundle(&sealed(&mut town, "BX")).unwrap();
    drop(station);
    let mut station = Book::open(&old_file).unwrap();
    record(&mut station, 8, "换回旧文件后");
    let older = previous_release::seal_bundle(&mut station, &old_file, &town, &town_path).unwrap();
    let err = town.import_bundle(&older).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LogBehindPeer, "{err}");
    assert_eq!(town.peer_format("BX").unwrap(), Some(3));
    let down = sealed(&mut town, "BX");
    assert_eq!(version(&down), FORMAT_VERSION);
    station.import_bundle(&down).unwrap();
    let why = held_back(&station, "QX").expect("held back");
    assert!(why.contains("不同"), "{why}");
}

/// The format number is inside the signature: rewritten on the way, up (to make the town write
/// 3 to a station that cannot read it) or down, the bundle is refused whole and what the town
/// knows of the station does not move.
#[test]
fn the_format_number_cannot_be_changed_on_the_way() {
    let dir = tempfile::tempdir().unwrap();
    let (town_path, bx_path) = (dir.path().join("town.db"), dir.path().join("bx.db"));
    let (mut town, mut station) = town_and_station(dir.path());
    enrolled_before_the_upgrade(&town_path, "BX");
    record(&mut station, 1, "");
    let old = previous_release::seal_bundle(&mut station, &bx_path, &town, &town_path).unwrap();

    let mut raised = old.clone();
    raised[8..10].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    let err = town.import_bundle(&raised).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    assert!(err.to_string().contains("签名验证失败"), "{err}");
    assert_eq!(town.peer_format("BX").unwrap(), Some(1));
    town.import_bundle(&old).unwrap();
    assert_eq!(version(&sealed(&mut town, "BX")), 1);

    // Upgraded and known at 3 both ways, a format-3 bundle rewritten to 1 is refused too.
    record(&mut station, 1, "升级后");
    town.import_bundle(&sealed(&mut station, "QX")).unwrap();
    station.import_bundle(&sealed(&mut town, "BX")).unwrap();
    record(&mut station, 1, "再后来");
    let modern = sealed(&mut station, "QX");
    assert_eq!(version(&modern), FORMAT_VERSION);
    let mut lowered = modern.clone();
    lowered[8..10].copy_from_slice(&1u16.to_le_bytes());
    let err = town.import_bundle(&lowered).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    assert_eq!(town.import_bundle(&modern).unwrap().applied, 1);
}

/// New keys for a station are a new PC, made by the version that made them: what the old one
/// read is forgotten, and the town writes 3 until the new one shows otherwise. The same keys
/// enrolled again change nothing.
#[test]
fn new_keys_for_a_station_forget_the_format_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let town_path = dir.path().join("town.db");
    let (mut town, station) = town_and_station(dir.path());
    enrolled_before_the_upgrade(&town_path, "BX");
    let keys = station.public_keys();
    town.add_peer("BX", &keys.sign_public, &keys.seal_public)
        .unwrap();
    assert_eq!(town.peer_format("BX").unwrap(), Some(1));

    let new_pc = Book::create(
        &dir.path().join("新电脑.db"),
        "BX",
        "东岭村联络站",
        BookKind::Station,
    )
    .unwrap();
    let keys = new_pc.public_keys();
    town.add_peer("BX", &keys.sign_public, &keys.seal_public)
        .unwrap();
    assert_eq!(town.peer_format("BX").unwrap(), None);
    assert_eq!(version(&sealed(&mut town, "BX")), FORMAT_VERSION);
}

/// A bundle that carries nothing but a receipt says what its sender reads as well as any:
/// an upgraded station with nothing new is known at 3 after it.
#[test]
fn a_bundle_with_only_a_receipt_says_what_its_sender_reads() {
    let dir = tempfile::tempdir().unwrap();
    let town_path = dir.path().join("town.db");
    let (mut town, mut station) = town_and_station(dir.path());
    enrolled_before_the_upgrade(&town_path, "BX");
    enrolled_before_the_upgrade(&dir.path().join("bx.db"), "QX");
    let only_a_receipt = station.seal_bundle("QX").unwrap().unwrap();
    assert_eq!(
        (version(&only_a_receipt.bytes), only_a_receipt.changes),
        (1, 0)
    );
    town.import_bundle(&only_a_receipt.bytes).unwrap();
    assert_eq!(town.peer_format("BX").unwrap(), Some(3));
}

/// A station upgraded with a book copied back from an older file: its first bundle after the
/// upgrade (format 1, the town not yet known to read 3) is refused for its reused numbers, and
/// still tells the town that it reads 3, so the town's next bundle names the station's entry
/// by its hash and the station learns that its log diverged, at once.
#[test]
fn a_refused_bundle_still_says_what_its_sender_reads() {
    let dir = tempfile::tempdir().unwrap();
    let town_path = dir.path().join("town.db");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 10, "复制前");
    town.import_bundle(&sealed(&mut station, "QX")).unwrap();
    station.import_bundle(&sealed(&mut town, "BX")).unwrap();
    let old_file = dir.path().join("旧文件.db");
    station.backup_to(&old_file).unwrap();
    record(&mut station, 5, "复制后");
    town.import_bundle(&sealed(&mut station, "QX")).unwrap();
    drop(station);
    let mut station = Book::open(&old_file).unwrap();
    record(&mut station, 8, "换回旧文件后");
    enrolled_before_the_upgrade(&town_path, "BX");
    enrolled_before_the_upgrade(&old_file, "QX");

    let up = sealed(&mut station, "QX");
    assert_eq!(version(&up), 1);
    let err = town.import_bundle(&up).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LogBehindPeer, "{err}");
    assert_eq!(town.peer_format("BX").unwrap(), Some(3));
    let down = sealed(&mut town, "BX");
    assert_eq!(version(&down), FORMAT_VERSION);
    station.import_bundle(&down).unwrap();
    assert!(
        held_back(&station, "QX")
            .expect("held back")
            .contains("不同")
    );
}
