-- 006: deputies sign in at the PC, every change names who typed it, and an audit trail.

-- The deputy signed in when the change was typed, apart from the deputies named on its record.
ALTER TABLE change_log ADD COLUMN recorder_id TEXT;

-- Each deputy's sign-in PIN at this PC, as an Argon2id hash, with the count of wrong PINs in a
-- row and the lockouts they caused. This PC's own: not in the change log, never in a bundle.
CREATE TABLE deputy_pins (
    deputy_id    TEXT PRIMARY KEY,
    pin_hash     TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    lockouts     INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
) WITHOUT ROWID;

-- The audit trail (操作记录), append-only, from the change log like any record: this book's own
-- entries and, in the town's book, its stations'. `body` is the entry's JSON.
CREATE TABLE audit (
    rid       INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    station   TEXT NOT NULL,
    at        TEXT NOT NULL,
    deputy_id TEXT,
    action    TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX audit_by_time ON audit (at);
CREATE INDEX audit_by_deputy ON audit (deputy_id, at);
