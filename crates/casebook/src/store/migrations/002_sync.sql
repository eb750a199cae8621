-- 002: synchronisation between books (keys, peers, bundle bookkeeping, last-writer-wins).
-- Nothing here is replicated: it is this book's own view of its peers.

-- This book's private keys (Ed25519 signing, X25519 sealing), made on first open.
CREATE TABLE own_keys (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    sign_secret BLOB NOT NULL,
    seal_secret BLOB NOT NULL
);

-- Enrolled peers: the town for a station, every station for the town.
CREATE TABLE peers (
    code        TEXT PRIMARY KEY,
    sign_public BLOB NOT NULL,
    seal_public BLOB NOT NULL,
    added_at    TEXT NOT NULL,
    revoked_at  TEXT
) WITHOUT ROWID;

-- What this book holds of each other origin's log: everything up to acked_to.
CREATE TABLE inbound (
    origin           TEXT PRIMARY KEY,
    acked_to         INTEGER NOT NULL,
    last_import_at   TEXT,
    last_bundle_hash TEXT
) WITHOUT ROWID;

-- Bundles that arrived after a gap, waiting for it to be filled (entries, zstd JSON).
CREATE TABLE pending_bundles (
    origin      TEXT    NOT NULL,
    from_seq    INTEGER NOT NULL,
    to_seq      INTEGER NOT NULL,
    received_at TEXT    NOT NULL,
    entries     BLOB    NOT NULL,
    PRIMARY KEY (origin, from_seq, to_seq)
) WITHOUT ROWID;

-- Bundles of a newer schema, kept whole until this book is upgraded.
CREATE TABLE quarantine (
    bundle_id      TEXT PRIMARY KEY,
    origin         TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    received_at    TEXT    NOT NULL,
    file           BLOB    NOT NULL
);

-- What each peer has of this book's own log, from its signed receipts, and what was sent.
CREATE TABLE outbound (
    peer             TEXT PRIMARY KEY,
    acked_to         INTEGER NOT NULL DEFAULT 0,
    missing          TEXT    NOT NULL DEFAULT '[]',
    receipt_at       TEXT,
    last_export_to   INTEGER NOT NULL DEFAULT 0,
    last_export_at   TEXT,
    last_bundle_hash TEXT,
    sent_receipt     TEXT
) WITHOUT ROWID;

-- An upsert names the version it replaced (its clock), so that only edits made without
-- seeing each other count as conflicts.
ALTER TABLE change_log ADD COLUMN base_hlc INTEGER;

-- The version of each upserted record now in the tables: a later clock wins.
CREATE TABLE record_clock (
    record_id TEXT PRIMARY KEY,
    origin    TEXT    NOT NULL,
    hlc       INTEGER NOT NULL,
    base_hlc  INTEGER
) WITHOUT ROWID;

INSERT OR IGNORE INTO record_clock (record_id, origin, hlc)
SELECT c.record_id, c.origin, c.hlc
FROM change_log c
WHERE c.op LIKE '%\_upsert' ESCAPE '\'
  AND c.hlc = (SELECT MAX(hlc) FROM change_log WHERE record_id = c.record_id);

-- Edits of one record by two origins: the losing version, kept and shown.
CREATE TABLE conflicts (
    id            INTEGER PRIMARY KEY,
    record_id     TEXT    NOT NULL,
    entity        TEXT    NOT NULL,
    winner_origin TEXT    NOT NULL,
    winner_hlc    INTEGER NOT NULL,
    loser_origin  TEXT    NOT NULL,
    loser_hlc     INTEGER NOT NULL,
    loser_data    TEXT    NOT NULL,
    fields        TEXT    NOT NULL,
    detected_at   TEXT    NOT NULL,
    UNIQUE (record_id, loser_origin, loser_hlc)
);
