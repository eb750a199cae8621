-- 007: the open cases (those owing an answer, feedback or a follow-up) by status and due date,
-- so that the 今日值班 screen counts them from this small index alone. Counting read each open
-- case's row before, a page each: 51,638 pages of a million-reception demo book, 0.2 s on a
-- plain book and over a second on an encrypted one, where every page read is decrypted and
-- checked (docs/benchmarks.md). The list of statuses is the one `Book::case_counts` asks for,
-- in the same order: SQLite uses a partial index only for a query whose WHERE names its own.
-- (Numbered 007 because 006 is the sign-in and audit migration made alongside it: this one
-- comes after it in `MIGRATION_STEPS`.)
CREATE INDEX receptions_open_by_due ON receptions (status, due)
    WHERE status IN ('pending', 'in_progress', 'referred', 'replied', 'fed_back', 'sent_back');
