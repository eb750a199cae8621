//! A new station starts from the town's enrolment file: the wizard shows the station and the
//! town's fingerprint, makes the book once the fingerprint is confirmed and writes the keys file
//! back to the stick; the town accepts it, and bundles go both ways with no key typed.

use casebook::bundle::{fingerprint, read_keys_file};

use crate::books;
use crate::driver::{app_binary, launch};
use crate::unlock::PASSPHRASE;

#[tokio::test]
async fn a_new_station_starts_from_the_town_s_file_and_syncs_with_no_key_typed() {
    let dir = tempfile::Builder::new()
        .prefix("liaison-e2e-enrol-")
        .tempdir()
        .expect("temp dir");
    let (mut town, enrolment) = books::town_with_enrolment(dir.path());
    let town_fingerprint = fingerprint(&town.public_keys()).expect("the town's fingerprint");
    let db = dir.path().join("bx.db");
    let app = launch(app_binary(), &["--db".into(), db.display().to_string()]).await;
    app.until_text("page-title", "首次使用").await;

    app.type_into("wizard-enrolment-path", &enrolment.display().to_string())
        .await;
    app.click_testid("wizard-enrolment-read").await;
    app.until_text("wizard-town-fingerprint", &town_fingerprint)
        .await;
    assert!(
        app.text_of("wizard-enrolment-station")
            .await
            .contains("BX 东岭村人大代表联络站")
    );
    app.type_into("wizard-passphrase", PASSPHRASE).await;
    app.type_into("wizard-passphrase-repeat", PASSPHRASE).await;
    app.click_testid("wizard-enrolment-create").await;
    app.settle().await;
    assert!(!db.exists(), "no book before the fingerprint is confirmed");
    app.click_testid("wizard-fingerprint-ok").await;
    app.js("document.activeElement?.blur()").await;
    app.screenshot("wizard-enrolment").await;
    app.click_testid("wizard-enrolment-create").await;
    app.testid("wizard-station-fingerprint").await;
    let keys = dir.path().join("usb").join("BX.keys");
    assert_eq!(
        app.text_of("wizard-keys-path").await,
        keys.display().to_string()
    );
    let station_fingerprint = app.text_of("wizard-station-fingerprint").await;
    app.click_testid("wizard-finish").await;
    app.sign_in_if_asked().await;
    app.until_text("page-title", "今日值班").await;

    // The town office checks the fingerprint read out on the phone, and accepts the keys.
    let accepted = town
        .accept_station_keys(&read_keys_file(&keys).expect("the keys file"), false)
        .expect("the town accepts the station");
    assert_eq!(accepted.fingerprint, station_fingerprint);

    // The station's bundle to the town, then the town's back: nothing else set up.
    let stick = dir.path().join("usb");
    app.open("nav-sync", "同步").await;
    app.type_into("export-dir", &stick.display().to_string())
        .await;
    app.click_testid("export-run").await;
    app.until_text("export-result", "已生成同步包").await;
    let up = std::fs::read_dir(&stick)
        .expect("the stick")
        .map(|entry| entry.expect("an entry").path())
        .find(|path| path.extension().is_some_and(|ext| ext == "lsb"))
        .expect("a bundle on the stick");
    let imported = town
        .import_bundle(&std::fs::read(&up).expect("the bundle"))
        .expect("the town takes the station's bundle");
    assert!(imported.applied > 0, "{imported:?}");
    let down = town
        .export_bundle("BX", &stick.join("back"))
        .expect("export");
    let down = down.path.expect("a bundle for the station");
    app.type_into("import-path", &down.display().to_string())
        .await;
    app.click_testid("import-run").await;
    // The town's answer is its receipt: the roster came with the enrolment file, and the
    // station's bundle told the town so.
    app.until_text("import-result", "已导入镇里的回执").await;
    app.close().await;
}
