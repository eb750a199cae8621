-- 001: the first case book.
-- Columns hold what is queried, filtered or sorted; each record's full form is the change that
-- created it, kept in change_log.data and in the `body` columns below.

CREATE TABLE book_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE change_log (
    origin         TEXT    NOT NULL,
    seq            INTEGER NOT NULL,
    hlc            INTEGER NOT NULL,
    deputy_id      TEXT,
    schema_version INTEGER NOT NULL,
    op             TEXT    NOT NULL,
    entity         TEXT    NOT NULL,
    record_id      TEXT    NOT NULL,
    data           TEXT    NOT NULL,
    UNIQUE (origin, seq)
);
CREATE INDEX change_log_by_record ON change_log (record_id);

CREATE TABLE grids (
    id         TEXT PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    level      TEXT NOT NULL CHECK (level IN ('center', 'area', 'base')),
    parent     TEXT,
    committees TEXT NOT NULL
);

CREATE TABLE stations (
    id      TEXT PRIMARY KEY,
    code    TEXT NOT NULL UNIQUE,
    name    TEXT NOT NULL,
    level   TEXT NOT NULL,
    grid    TEXT,
    phone   TEXT,
    address TEXT
);

CREATE TABLE deputies (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    congress       TEXT NOT NULL CHECK (congress IN ('city', 'county', 'town')),
    grid           TEXT,
    station        TEXT,
    phone          TEXT,
    mediator_since TEXT,
    active         INTEGER NOT NULL
);
CREATE INDEX deputies_by_name ON deputies (name);

CREATE TABLE duty_shifts (
    id       TEXT PRIMARY KEY,
    station  TEXT NOT NULL,
    date     TEXT NOT NULL,
    starts   TEXT NOT NULL,
    ends     TEXT NOT NULL,
    deputies TEXT NOT NULL
);
CREATE INDEX duty_shifts_by_date ON duty_shifts (date, station);

-- rid orders the case list (newest recorded first) and keys the search index.
CREATE TABLE receptions (
    rid          INTEGER PRIMARY KEY,
    id           TEXT    NOT NULL UNIQUE,
    case_no      TEXT    NOT NULL UNIQUE,
    station      TEXT    NOT NULL,
    case_year    INTEGER NOT NULL,
    case_seq     INTEGER NOT NULL,
    received_at  TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    grid         TEXT,
    category     TEXT    NOT NULL,
    subcategory  TEXT,
    head_count   INTEGER NOT NULL,
    reply_due    TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    due          TEXT    NOT NULL,
    satisfaction TEXT,
    body         TEXT    NOT NULL,
    UNIQUE (station, case_year, case_seq)
);
CREATE INDEX receptions_by_status ON receptions (status);
CREATE INDEX receptions_by_category ON receptions (category);
CREATE INDEX receptions_by_received ON receptions (received_at);

CREATE TABLE reception_deputies (
    reception_rid INTEGER NOT NULL REFERENCES receptions (rid),
    deputy_id     TEXT    NOT NULL,
    PRIMARY KEY (reception_rid, deputy_id)
) WITHOUT ROWID;
CREATE INDEX reception_deputies_by_deputy ON reception_deputies (deputy_id);

CREATE TABLE case_events (
    id            TEXT    PRIMARY KEY,
    reception_rid INTEGER NOT NULL REFERENCES receptions (rid),
    at            TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    body          TEXT    NOT NULL
);
CREATE INDEX case_events_by_case ON case_events (reception_rid, at, id);

-- Every 1- and 2-character gram of the searchable fields, hex-coded so that any character is a
-- token, plus category and status terms for filtered search. Contentless: the text lives in
-- receptions.body.
CREATE VIRTUAL TABLE reception_search USING fts5 (
    terms,
    content = '',
    contentless_delete = 1,
    detail = none,
    tokenize = 'ascii'
);

CREATE TABLE meetings (
    id         TEXT PRIMARY KEY,
    station    TEXT    NOT NULL,
    village    TEXT    NOT NULL,
    held_at    TEXT    NOT NULL,
    quorum_met INTEGER NOT NULL,
    body       TEXT    NOT NULL
);
CREATE INDEX meetings_by_time ON meetings (held_at);

CREATE TABLE meeting_cases (
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    case_no    TEXT NOT NULL,
    PRIMARY KEY (case_no, meeting_id)
) WITHOUT ROWID;

CREATE TABLE mediations (
    id           TEXT PRIMARY KEY,
    number       TEXT    NOT NULL UNIQUE,
    station      TEXT    NOT NULL,
    year         INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    case_no      TEXT,
    dispute_type TEXT    NOT NULL,
    accepted_at  TEXT    NOT NULL,
    result       TEXT,
    body         TEXT    NOT NULL,
    UNIQUE (station, year, seq)
);
CREATE INDEX mediations_by_case ON mediations (case_no);

CREATE TABLE mediation_events (
    id           TEXT PRIMARY KEY,
    mediation_id TEXT NOT NULL REFERENCES mediations (id),
    at           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL
);
CREATE INDEX mediation_events_by_mediation ON mediation_events (mediation_id, at, id);
