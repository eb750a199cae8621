-- 003: signed pull requests to the hub are accepted once each (replay protection that does not
-- depend on the station's clock, which may be days off).
CREATE TABLE pull_nonces (
    station TEXT NOT NULL,
    nonce   TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (station, nonce)
) WITHOUT ROWID;
