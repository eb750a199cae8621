-- 005: forms a deputy has begun and not yet saved (a reception, a meeting, a mediation, a case's
-- next step), so that moving to another screen or restarting the app loses nothing typed.
-- Drafts stay on this PC: they are not in the change log and never travel in a bundle. They may
-- hold a visitor's name, phone and ID number, so they live in the book, protected as it is.
CREATE TABLE drafts (
    form     TEXT PRIMARY KEY,
    body     TEXT NOT NULL,
    saved_at TEXT NOT NULL
) WITHOUT ROWID;
