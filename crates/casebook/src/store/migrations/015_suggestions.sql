-- 015: deputies' suggestions (代表建议, docs/domain.md): drafted at a station from one or more
-- receptions, led by one deputy and co-signed by others (`suggestion_create`), and their life
-- appended as events: submitted, assigned to a handling unit, answered (A, B or C), the
-- deputy's opinion of the answer (`suggestion_event_append`). `status` and `satisfaction` are
-- derived from the events, as a mediation's result is.
CREATE TABLE suggestions (
    id           TEXT PRIMARY KEY,
    number       TEXT    NOT NULL UNIQUE,
    station      TEXT    NOT NULL,
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    drafted_at   TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    lead         TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'drafted',
    satisfaction TEXT,
    body         TEXT    NOT NULL,
    UNIQUE (station, year, seq)
);
CREATE INDEX suggestions_by_lead ON suggestions (lead, year);
CREATE INDEX suggestions_renumbered ON suggestions (json_extract(body, '$.former_number'))
    WHERE json_extract(body, '$.former_number') IS NOT NULL;

CREATE TABLE suggestion_events (
    id            TEXT PRIMARY KEY,
    suggestion_id TEXT NOT NULL REFERENCES suggestions (id),
    at            TEXT NOT NULL,
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL
);
CREATE INDEX suggestion_events_by_suggestion ON suggestion_events (suggestion_id, at, id);
