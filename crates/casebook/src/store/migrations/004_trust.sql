-- 004: what a book keeps of bundles it refused, and hold-backs per peer.

-- A bundle from an enrolled peer that was refused (for example for writing another station's
-- records) is kept here too, with why; NULL for one kept because its schema is newer.
ALTER TABLE quarantine ADD COLUMN refusal_kind TEXT;
ALTER TABLE quarantine ADD COLUMN reason TEXT;

-- Why this book stopped sending to this peer (the peer holds more of this book's log than the
-- book itself). Kept per peer: one station's receipt must not stop the town sending to all.
ALTER TABLE outbound ADD COLUMN held_back TEXT;

INSERT OR IGNORE INTO outbound (peer)
SELECT json_extract(value, '$.peer') FROM book_meta
WHERE key = 'log_behind_peer' AND json_extract(value, '$.peer') IS NOT NULL;

UPDATE outbound SET held_back = (SELECT value FROM book_meta WHERE key = 'log_behind_peer')
WHERE peer = (SELECT json_extract(value, '$.peer') FROM book_meta WHERE key = 'log_behind_peer');

DELETE FROM book_meta WHERE key = 'log_behind_peer';
