-- How far each sender holds its own log, as its newest bundle said (its `to_seq`), and when
-- that bundle was sealed: the town sends a station back what it holds of the station's log
-- beyond it (a new PC, a book restored from an older backup).
ALTER TABLE inbound ADD COLUMN sender_head INTEGER;
ALTER TABLE inbound ADD COLUMN sender_head_at TEXT;
