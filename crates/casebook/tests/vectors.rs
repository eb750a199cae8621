//! Committed test vectors of the bundle format (docs/bundle-format.md): a bundle sealed with
//! fixed test keys must keep opening to the same payload, whatever the code becomes.
//!
//! `REGENERATE_VECTORS=1 cargo test -p casebook --test vectors` rewrites the vector (only do
//! that for a new format version, in a new file).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use casebook::bundle::format::{self, Payload, Receipt, Seal};
use casebook::change::{Change, LogEntry};
use casebook::domain::*;
use chrono::{DateTime, NaiveDate};
use ed25519_dalek::SigningKey;
use uuid::Uuid;
use x25519_dalek::{PublicKey, StaticSecret};

/// Test-only keys: never use them for anything else.
const SENDER_SIGN_SECRET: [u8; 32] = [0x11; 32];
const RECIPIENT_SEAL_SECRET: [u8; 32] = [0x22; 32];

fn vector_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/v1-station-to-town.lsb")
}

fn payload() -> Payload {
    let at = |text: &str| DateTime::parse_from_rfc3339(text).unwrap();
    let reception_id = Uuid::parse_str("0193a0c4-5a00-7000-8000-000000000001").unwrap();
    let deputy = Uuid::parse_str("0193a0c4-5a00-7000-8000-0000000000d1").unwrap();
    let reception = Reception {
        id: reception_id,
        case_no: "BX-2026-0001".into(),
        station: "BX".into(),
        received_at: at("2026-11-23T09:30:00+08:00"),
        channel: Channel::StationVisit,
        place: Some("东岭村人大代表联络站".into()),
        grid: Some("B01".into()),
        deputies: vec![deputy],
        visitors: vec![Visitor {
            name: Some("梁秀英".into()),
            sex: Some(Sex::Female),
            age: Some(61),
            phone: Some("13800138000".into()),
            id_number: Some("11010519491231002X".into()),
            address: Some("东岭村第三村民小组".into()),
            representative: false,
        }],
        head_count: 1,
        category: "山林土地".into(),
        subcategory: Some("出嫁女土地权益".into()),
        matter: "出嫁后户口仍在本村，今年土地分红被取消".into(),
        request: "请求依法保障出嫁女土地权益".into(),
        proposed_handling: Some("提交村民议事会".into()),
        confidential: false,
        consent: true,
        reply_due: NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
    };
    let accepted = CaseEvent {
        id: Uuid::parse_str("0193a0c4-5a00-7000-8000-000000000002").unwrap(),
        reception: reception_id,
        at: at("2026-11-23T10:00:00+08:00"),
        deputy: Some(deputy),
        note: None,
        kind: CaseEventKind::Accepted,
    };
    let entry = |seq, hlc, change| LogEntry {
        origin: "BX".into(),
        seq,
        hlc,
        deputy: Some(deputy),
        schema_version: 2,
        base_hlc: None,
        change,
    };
    let receipt = Receipt {
        issuer: "BX".into(),
        origin: "QX".into(),
        acked_to: 9,
        missing: vec![],
        issued_at: "2026-11-28T09:00:00+08:00".into(),
        signature: String::new(),
    }
    .sign(&SigningKey::from_bytes(&SENDER_SIGN_SECRET));
    Payload {
        changes: vec![
            entry(
                1,
                117_614_000_000_000_000,
                Change::ReceptionCreate(reception),
            ),
            entry(
                2,
                117_614_000_000_000_001,
                Change::CaseEventAppend(accepted),
            ),
        ],
        receipts: vec![receipt],
    }
}

#[test]
fn the_committed_vector_opens_to_the_same_payload() {
    let recipient = StaticSecret::from(RECIPIENT_SEAL_SECRET);
    let sender = SigningKey::from_bytes(&SENDER_SIGN_SECRET);
    if std::env::var_os("REGENERATE_VECTORS").is_some() {
        let seal = Seal {
            schema_version: 2,
            origin: "BX",
            recipient: "QX",
            recipient_seal: &PublicKey::from(&recipient),
            seq_range: (1, 2),
            prev_hash: None,
            created_at: "2026-11-28T09:00:00+08:00".into(),
        };
        let bytes = format::write(&seal, &payload(), &sender).unwrap();
        std::fs::create_dir_all(vector_path().parent().unwrap()).unwrap();
        std::fs::write(vector_path(), bytes).unwrap();
    }
    let bytes = std::fs::read(vector_path()).unwrap();
    assert_eq!(&bytes[..8], b"LSBUNDLE");
    assert_eq!(&bytes[8..10], &[1, 0], "format version 1, little-endian");
    let parsed = format::parse(&bytes).unwrap();
    let header = &parsed.header;
    assert_eq!(
        (header.origin.as_str(), header.recipient.as_str()),
        ("BX", "QX")
    );
    assert_eq!(
        (
            header.from_seq,
            header.to_seq,
            header.changes,
            header.receipts
        ),
        (1, 2, 2, 1)
    );
    assert_eq!(header.schema_version, 2);
    let opened = format::open(&parsed, &sender.verifying_key(), &recipient).unwrap();
    assert_eq!(opened, payload());
    opened.receipts[0].verify(&sender.verifying_key()).unwrap();
    assert!(
        !String::from_utf8_lossy(&bytes).contains("梁秀英"),
        "the visitor's name is sealed"
    );
}

#[test]
fn the_vector_does_not_open_with_other_keys() {
    let bytes = std::fs::read(vector_path()).unwrap();
    let parsed = format::parse(&bytes).unwrap();
    let sender = SigningKey::from_bytes(&SENDER_SIGN_SECRET).verifying_key();
    let stranger = StaticSecret::from([0x33; 32]);
    assert!(format::open(&parsed, &sender, &stranger).is_err());
    let impostor = SigningKey::from_bytes(&[0x44; 32]).verifying_key();
    assert!(
        format::open(
            &parsed,
            &impostor,
            &StaticSecret::from(RECIPIENT_SEAL_SECRET)
        )
        .is_err()
    );
}
