-- 010: what a reception is (docs/domain.md, "What a reception is"): a dispute, as every
-- reception was before, or a suggestion, a request for help, a question or a complaint, which
-- the statistics count apart from the Ministry's dispute table. The record's JSON carries it as
-- `kind` (absent for a dispute; LOG_VERSION 10).
ALTER TABLE receptions ADD COLUMN kind TEXT NOT NULL DEFAULT 'dispute';
