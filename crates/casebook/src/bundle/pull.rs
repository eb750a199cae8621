//! Pulls: a station's signed, replay-safe request for its bundle from the hub.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::params;

use super::keys;
use super::wire::PullRequest;
use crate::error::{Error, ErrorKind, Result};
use crate::store::Book;
use crate::time::{china_now, stored};

impl Book {
    /// A signed request for this book's bundle from the hub.
    pub fn pull_request(&self) -> Result<PullRequest> {
        self.pull_request_at(china_now())
    }

    fn pull_request_at(&self, at: chrono::DateTime<chrono::FixedOffset>) -> Result<PullRequest> {
        use ed25519_dalek::Signer;
        let random = keys::random_32()?;
        let mut request = PullRequest {
            station: self.origin().code.clone(),
            time: stored(at),
            nonce: STANDARD.encode(&random[..16]),
            signature: String::new(),
        };
        request.signature = STANDARD.encode(
            self.keys()
                .sign
                .sign(request.signed_text().as_bytes())
                .to_bytes(),
        );
        Ok(request)
    }

    /// Checks a station's pull request: an enrolled, not revoked station, its signature, and a
    /// nonce never seen before (which is then remembered).
    pub fn verify_pull(&mut self, request: &PullRequest) -> Result<()> {
        self.check_pull(request)?;
        let now = china_now();
        let window = chrono::TimeDelta::days(PULL_WINDOW_DAYS);
        // A request is accepted only within the window of its own time, so a nonce seen more
        // than two windows ago can never be replayed: forget it, and the table stays small.
        self.conn().execute(
            "DELETE FROM pull_nonces WHERE station = ?1 AND seen_at < ?2",
            params![
                request.station,
                stored(now - window * 2 - chrono::TimeDelta::days(1))
            ],
        )?;
        let fresh = self.conn().execute(
            "INSERT OR IGNORE INTO pull_nonces (station, nonce, seen_at) VALUES (?1, ?2, ?3)",
            params![request.station, request.nonce, stored(china_now())],
        )?;
        if fresh == 0 {
            return Err(replayed_pull());
        }
        Ok(())
    }

    /// [`Book::verify_pull`] without remembering the nonce: for a hub whose store of the nonces
    /// is shared by several processes, so that a request answered by one is refused by all.
    ///
    /// # Errors
    /// `unknown_origin` or `bad_signature`, as [`Book::verify_pull`].
    pub fn check_pull(&self, request: &PullRequest) -> Result<()> {
        use ed25519_dalek::Verifier;
        let key = self.active_sign_key(&request.station)?;
        let refused =
            |why: &str| Error::refused(ErrorKind::BadSignature, format!("拉取请求无效：{why}"));
        let nonce = STANDARD
            .decode(&request.nonce)
            .map_err(|_| refused("随机数格式不正确"))?;
        if nonce.len() < 16 {
            return Err(refused("随机数太短"));
        }
        let signature = STANDARD
            .decode(&request.signature)
            .ok()
            .and_then(|bytes| ed25519_dalek::Signature::from_slice(&bytes).ok())
            .ok_or_else(|| refused("签名格式不正确"))?;
        key.verify(request.signed_text().as_bytes(), &signature)
            .map_err(|_| refused("签名验证失败"))?;
        let now = china_now();
        let asked_at = chrono::DateTime::parse_from_rfc3339(&request.time)
            .map_err(|_| refused("请求时间格式不正确"))?;
        let window = chrono::TimeDelta::days(PULL_WINDOW_DAYS);
        if (now - asked_at).abs() > window {
            return Err(refused(&format!(
                "请求时间与镇中心相差超过{PULL_WINDOW_DAYS}天，请校准本站电脑的日期后再同步"
            )));
        }
        Ok(())
    }
}

/// The refusal of a pull request whose nonce was taken before.
pub fn replayed_pull() -> Error {
    Error::refused(
        ErrorKind::BadSignature,
        "拉取请求无效：该请求已使用过（重放）",
    )
}

/// How far a pull request's time may be from the hub's clock. Station PCs' clocks may be days
/// off, not months; the window also bounds how long the hub must remember nonces.
pub const PULL_WINDOW_DAYS: i64 = 30;

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::store::BookKind;

    fn town_and_station() -> (Book, Book) {
        let mut town = Book::create_in_memory("QX", "清溪镇人大", BookKind::Town).unwrap();
        let station =
            Book::create_in_memory("BX", "东岭村人大代表联络站", BookKind::Station).unwrap();
        let keys = station.public_keys();
        town.add_peer(&keys.origin, &keys.sign_public, &keys.seal_public)
            .unwrap();
        (town, station)
    }

    #[test]
    fn pulls_far_from_the_hubs_clock_are_refused_and_old_nonces_forgotten() {
        let (mut town, station) = town_and_station();
        let now = china_now();
        let stale = station
            .pull_request_at(now - TimeDelta::days(PULL_WINDOW_DAYS + 1))
            .unwrap();
        let err = town.verify_pull(&stale).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadSignature);
        assert!(err.to_string().contains("校准"), "{err}");

        let days_off = station.pull_request_at(now - TimeDelta::days(3)).unwrap();
        town.verify_pull(&days_off).unwrap();
        let long_ago = stored(now - TimeDelta::days(2 * PULL_WINDOW_DAYS + 2));
        town.conn()
            .execute(
                "INSERT INTO pull_nonces (station, nonce, seen_at) VALUES ('BX', 'old', ?1)",
                [long_ago],
            )
            .unwrap();
        town.verify_pull(&station.pull_request().unwrap()).unwrap();
        let nonces: Vec<String> = town
            .conn()
            .prepare("SELECT nonce FROM pull_nonces")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(nonces.len(), 2, "the old nonce is forgotten: {nonces:?}");
        assert!(!nonces.contains(&"old".to_owned()));
        assert_eq!(
            town.verify_pull(&days_off).unwrap_err().kind(),
            ErrorKind::BadSignature,
            "a recent nonce is still remembered"
        );
    }
}
