//! Enrolment with the town in one file each way: a new station's book made from the town's
//! `.enrol` file (its keys file written back beside it, on the same stick), and the town's side,
//! which writes those files and takes the stations' keys files. No key is typed in the window.

use std::path::PathBuf;

use casebook::Book;
use casebook::bundle::{
    Enrolment, EnrolmentSummary, EnrolmentWritten, StationAccepted, fingerprint, read_keys_file,
};
use serde::Serialize;
use ts_rs::TS;
use zeroize::Zeroizing;

use super::{BookStatus, Station, blocking};
use crate::error::CommandError;

/// The book made from an enrolment file, and where its keys file went.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EnrolledBook {
    /// The new book.
    pub status: BookStatus,
    /// This station's fingerprint, for the town office to compare.
    pub station_fingerprint: String,
    /// The keys file written for the town, beside the enrolment file.
    #[ts(type = "string | null")]
    pub keys_path: Option<PathBuf>,
    /// Why the keys file could not be written (the stick was taken out): 同步 writes it again.
    pub keys_error: Option<String>,
}

impl Station {
    /// Reads and checks the town's enrolment file, for the wizard to show before anything is
    /// made.
    pub async fn read_enrolment(&self, path: PathBuf) -> Result<EnrolmentSummary, CommandError> {
        blocking(move || Ok(Enrolment::read_file(&path)?.summary())).await
    }

    /// Makes this PC's book from the town's enrolment file, encrypted with `passphrase`, then
    /// writes the station's keys file beside the enrolment file. A keys file that cannot be
    /// written leaves the book made all the same: 同步 writes it again.
    pub async fn create_book_from_enrolment(
        &self,
        path: PathBuf,
        passphrase: String,
    ) -> Result<EnrolledBook, CommandError> {
        let book_path = self.new_book_path()?;
        let passphrase = Zeroizing::new(passphrase);
        let keys_dir = path.parent().map(PathBuf::from).unwrap_or_default();
        let (book, keys) = blocking(move || {
            let enrolment = Enrolment::read_file(&path)?;
            let book = Book::create_from_enrolment(&book_path, &enrolment, Some(&passphrase))?;
            let keys = book.write_station_keys(&keys_dir);
            Ok((book, keys))
        })
        .await?;
        let station_fingerprint = fingerprint(&book.public_keys())?;
        self.set_book(book).await;
        let (keys_path, keys_error) = match keys {
            Ok(path) => (Some(path), None),
            Err(err) => (None, Some(err.to_string())),
        };
        Ok(EnrolledBook {
            status: self.book_status().await,
            station_fingerprint,
            keys_path,
            keys_error,
        })
    }

    /// This book's fingerprint, as the other side reads it.
    pub async fn own_fingerprint(&self) -> Result<String, CommandError> {
        self.with_book(|book| fingerprint(&book.public_keys()))
            .await
    }

    /// Writes this station's keys file for the town into `dir` again.
    pub async fn write_station_keys(&self, dir: PathBuf) -> Result<PathBuf, CommandError> {
        self.with_book(move |book| book.write_station_keys(&dir))
            .await
    }

    /// The town: writes the enrolment file for `station` into `dir`.
    pub async fn write_enrolment(
        &self,
        station: String,
        dir: PathBuf,
    ) -> Result<EnrolmentWritten, CommandError> {
        self.with_book(move |book| book.write_enrolment(&station, &dir))
            .await
    }

    /// The town: checks a station's keys file, writing nothing, for the office to confirm.
    pub async fn check_station_keys(&self, path: PathBuf) -> Result<StationAccepted, CommandError> {
        self.with_book(move |book| book.check_station_keys(&read_keys_file(&path)?))
            .await
    }

    /// The town: enrols a station from its keys file (replacing keys it had only when told).
    pub async fn accept_station_keys(
        &self,
        path: PathBuf,
        replace_keys: bool,
    ) -> Result<StationAccepted, CommandError> {
        self.with_book(move |book| book.accept_station_keys(&read_keys_file(&path)?, replace_keys))
            .await
    }
}
