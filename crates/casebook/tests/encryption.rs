//! The book at rest, from the side of whoever carries off the PC, its disk or a copy: an
//! encrypted book and every file it makes show nothing of the visitors, the station or its keys,
//! and open only with the passphrase, or with the town's private key.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use casebook::domain::Visitor;
use casebook::store::BookKind;
use casebook::store::lock::{self, slots_path};
use casebook::store::read::CaseFilter;
use casebook::{Book, ErrorKind};
use liaison_testkit::{enroll, leaks, reception, roster};

const PASSPHRASE: &str = "东岭村2026年修渡槽";
const NAME: &str = "柯晓岚";
const PHONE: &str = "13912345678";
const ID_NUMBER: &str = "11010519491231002X";
const STATION_NAME: &str = "东岭村人大代表联络站";

/// A station book encrypted with [`PASSPHRASE`], the roster in, one reception of a visitor
/// with a known name, phone and ID number recorded.
fn station(dir: &Path) -> (PathBuf, Book) {
    let path = dir.join("dl.db");
    let mut book =
        Book::create_encrypted(&path, "BX", STATION_NAME, BookKind::Station, PASSPHRASE).unwrap();
    book.import_roster(&roster()).unwrap();
    let mut input = reception("陈建国", "东岭村的渡槽年久失修");
    input.visitors = vec![Visitor {
        name: Some(NAME.into()),
        sex: None,
        age: Some(77),
        phone: Some(PHONE.into()),
        id_number: Some(ID_NUMBER.into()),
        address: None,
        representative: false,
    }];
    book.add_reception(input).unwrap();
    (path, book)
}

#[test]
fn an_encrypted_book_and_its_files_show_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut book) = station(dir.path());
    let backup = dir.path().join("dl-backup.db");
    book.backup_to(&backup).unwrap();
    let sign_public = book.public_keys().sign_public;
    // While open (the -wal and -shm exist) and after.
    assert!(
        path.with_extension("db-wal").exists(),
        "the book runs in WAL mode"
    );
    // The whole case number: a three-byte prefix turns up in random ciphertext now and then.
    let case_no = book
        .list_cases(&CaseFilter {
            limit: 1,
            ..CaseFilter::default()
        })
        .unwrap()
        .remove(0)
        .case_no;
    let secrets = [
        NAME,
        PHONE,
        ID_NUMBER,
        STATION_NAME,
        "东岭村的渡槽",
        &case_no,
    ];
    assert_eq!(leaks(dir.path(), &secrets), Vec::<String>::new());
    drop(book);
    assert_eq!(leaks(dir.path(), &secrets), Vec::<String>::new());
    // Not even the public key sits in clear text: nothing of the book's content does.
    assert_eq!(leaks(dir.path(), &[&sign_public]), Vec::<String>::new());
    // The backup is the book, encrypted with the same key, its slots beside it.
    assert!(slots_path(&backup).is_file());
    let copy = Book::open_with_passphrase(&backup, Some(PASSPHRASE)).unwrap();
    assert_eq!(
        copy.list_cases(&CaseFilter {
            limit: 50,
            ..CaseFilter::default()
        })
        .unwrap()
        .len(),
        1
    );
}

#[cfg(unix)]
#[test]
fn every_file_of_a_new_book_is_the_owners_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (path, mut book) = station(dir.path());
    let plain = Book::create(&dir.path().join("demo.db"), "DM", "演示", BookKind::Station).unwrap();
    book.backup_to(&dir.path().join("backup.db")).unwrap();
    for file in [
        dir.path().join("backup.db"),
        slots_path(&dir.path().join("backup.db")),
        path.clone(),
        path.with_extension("db-wal"),
        path.with_extension("db-shm"),
        slots_path(&path),
        dir.path().join("demo.db"),
    ] {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", file.display());
    }
    drop((book, plain));
}

/// What nobody may do without the passphrase, and that trying changes nothing.
#[test]
fn no_passphrase_or_a_wrong_one_opens_nothing_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (path, book) = station(dir.path());
    drop(book);
    let before = std::fs::read(&path).unwrap();
    let slots_before = std::fs::read(slots_path(&path)).unwrap();

    let err = Book::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Locked);
    assert!(err.deputy_message().contains("密码"), "{err}");
    let err = Book::open_with_passphrase(&path, Some("东岭村2026年修渡漕")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongPassphrase);

    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(std::fs::read(slots_path(&path)).unwrap(), slots_before);

    let book = Book::open_with_passphrase(&path, Some(PASSPHRASE)).unwrap();
    assert!(book.is_encrypted());
    assert_eq!(
        book.list_cases(&CaseFilter {
            limit: 50,
            ..CaseFilter::default()
        })
        .unwrap()
        .len(),
        1
    );
}

/// Without its slots file an encrypted book cannot be opened, and says what is missing.
#[test]
fn a_book_without_its_slots_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let (path, book) = station(dir.path());
    drop(book);
    let moved = dir.path().join("elsewhere");
    std::fs::rename(slots_path(&path), &moved).unwrap();
    let err = Book::open_with_passphrase(&path, Some(PASSPHRASE)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    assert!(err.deputy_message().contains("dl.db-slots"), "{err}");
}

#[test]
fn the_town_reopens_its_stations_book_and_no_other_town_can() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut station) = station(dir.path());
    let mut town = Book::create(
        &dir.path().join("town.db"),
        "QX",
        "清溪镇人大",
        BookKind::Town,
    )
    .unwrap();
    let other = Book::create(
        &dir.path().join("other.db"),
        "QY",
        "青云镇人大",
        BookKind::Town,
    )
    .unwrap();
    assert_eq!(station.recovery_town(), None, "no town enrolled yet");
    enroll(&mut station, &mut town);
    assert_eq!(station.recovery_town(), Some("QX"));
    drop(station);

    let reopened = Book::open_for_town(&path, &town).unwrap();
    assert_eq!(
        reopened
            .list_cases(&CaseFilter {
                limit: 50,
                ..CaseFilter::default()
            })
            .unwrap()
            .len(),
        1
    );
    drop(reopened);
    let err = Book::open_for_town(&path, &other).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongPassphrase);
}

#[test]
fn a_new_passphrase_opens_the_book_and_the_old_one_no_longer_does() {
    let dir = tempfile::tempdir().unwrap();
    let (path, book) = station(dir.path());
    drop(book);
    let before = std::fs::read(&path).unwrap();
    let mut book = Book::open_with_passphrase(&path, Some(PASSPHRASE)).unwrap();
    book.verify_passphrase(PASSPHRASE).unwrap();
    book.change_passphrase("清溪镇人大联络站密码").unwrap();
    assert_eq!(
        book.verify_passphrase(PASSPHRASE).unwrap_err().kind(),
        ErrorKind::WrongPassphrase
    );
    book.verify_passphrase("清溪镇人大联络站密码").unwrap();
    assert_eq!(
        book.change_passphrase("12345678").unwrap_err().kind(),
        ErrorKind::Invalid
    );
    drop(book);
    assert!(
        std::fs::read(&path).unwrap() == before,
        "the book is not encrypted again"
    );
    assert_eq!(
        Book::open_with_passphrase(&path, Some(PASSPHRASE))
            .unwrap_err()
            .kind(),
        ErrorKind::WrongPassphrase
    );
    Book::open_with_passphrase(&path, Some("清溪镇人大联络站密码")).unwrap();
}

#[test]
fn a_plain_book_still_opens_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    Book::create(&path, "DM", "演示站", BookKind::Station).unwrap();
    let book = Book::open(&path).unwrap();
    assert!(!book.is_encrypted());
    assert_eq!(
        book.verify_passphrase(PASSPHRASE).unwrap_err().kind(),
        ErrorKind::Invalid
    );
    let book = Book::open_with_passphrase(&path, Some("anything at all")).unwrap();
    assert!(!book.is_encrypted());
}

/// A plain book made earlier, encrypted in place: the same records, nothing plain left behind.
#[test]
fn a_plain_book_encrypted_in_place_keeps_its_records_and_leaves_nothing_readable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dl.db");
    let mut book = Book::create(&path, "BX", STATION_NAME, BookKind::Station).unwrap();
    book.import_roster(&roster()).unwrap();
    let mut input = reception("陈建国", "东岭村的渡槽年久失修");
    input.visitors[0].name = Some(NAME.into());
    input.visitors[0].phone = Some(PHONE.into());
    input.visitors[0].id_number = Some(ID_NUMBER.into());
    book.add_reception(input).unwrap();
    let all = CaseFilter {
        limit: 50,
        ..CaseFilter::default()
    };
    let before: Vec<String> = book
        .list_cases(&all)
        .unwrap()
        .into_iter()
        .map(|case| case.case_no)
        .collect();

    // Not while the book is open elsewhere (the app): the plain book stays as it was.
    let err = Book::encrypt_in_place(&path, PASSPHRASE).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    assert!(!lock::is_encrypted(&path).unwrap());
    drop(book);

    Book::encrypt_in_place(&path, PASSPHRASE).unwrap();
    let secrets = [NAME, PHONE, ID_NUMBER, STATION_NAME, "东岭村的渡槽"];
    assert_eq!(leaks(dir.path(), &secrets), Vec::<String>::new());
    let book = Book::open_with_passphrase(&path, Some(PASSPHRASE)).unwrap();
    let after: Vec<String> = book
        .list_cases(&all)
        .unwrap()
        .into_iter()
        .map(|case| case.case_no)
        .collect();
    assert_eq!(after, before);
    let found = book
        .list_cases(&CaseFilter {
            query: Some("渡槽".into()),
            ..all
        })
        .unwrap();
    assert_eq!(found.len(), 1, "the search index came along");
}
