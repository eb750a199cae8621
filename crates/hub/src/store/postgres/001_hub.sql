-- The hub's shared store: the stations' logs and what the town holds of them, for every hub
-- process of the town (or region) at once. The town's identity (code, keys, peers) and its own
-- log stay in its book.

-- Each station's log as received, exactly as the book stores it, with the hash a receipt names
-- (what goes back to a station that lost its log comes from here).
CREATE TABLE change_log (
    origin         text        NOT NULL,
    seq            bigint      NOT NULL,
    hlc            bigint      NOT NULL,
    deputy         text,
    recorder       text,
    schema_version bigint      NOT NULL,
    base_hlc       bigint,
    op             text        NOT NULL,
    record         text        NOT NULL,
    entry_hash     text        NOT NULL,
    received_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (origin, seq)
);

-- Every record as the log leaves it: one row per record id and kind. `station` owns it (the
-- town for the roster); an event names the record it is on in `parent`.
CREATE TABLE records (
    entity  text   NOT NULL,
    id      uuid   NOT NULL,
    station text   NOT NULL,
    parent  uuid,
    origin  text   NOT NULL,
    seq     bigint NOT NULL,
    hlc     bigint NOT NULL,
    data    jsonb  NOT NULL,
    -- A reception's search terms: every character and every pair of adjacent characters of
    -- its searchable fields, as the station's own index has them (casebook::search).
    terms   text[],
    PRIMARY KEY (entity, id)
);
CREATE INDEX records_terms ON records USING gin (terms) WHERE entity = 'reception';
-- Receptions newest first: a search whose characters are in most receptions walks this and
-- stops at the first page, rather than sorting every hit.
CREATE INDEX records_reception_time ON records ((data ->> 'received_at') DESC, id)
    WHERE entity = 'reception';
CREATE INDEX records_by_id ON records (id);
CREATE INDEX records_by_parent ON records (parent) WHERE parent IS NOT NULL;
CREATE INDEX records_by_station ON records (station, entity);
-- Numbers are each station's own and never given twice.
CREATE UNIQUE INDEX reception_case_no ON records ((data ->> 'case_no')) WHERE entity = 'reception';
CREATE UNIQUE INDEX mediation_number ON records ((data ->> 'number')) WHERE entity = 'mediation';
CREATE UNIQUE INDEX suggestion_number ON records ((data ->> 'number')) WHERE entity = 'suggestion';

-- How far each station's log is held; its row is locked while one of its bundles is imported,
-- so that two hub processes given the same bundle apply it once.
CREATE TABLE inbound (
    origin           text PRIMARY KEY,
    acked_to         bigint NOT NULL DEFAULT 0,
    last_import_at   timestamptz,
    last_bundle_hash text,
    sender_head      bigint,
    sender_head_at   text,
    -- The newest bundle format the station is known to read.
    reads            integer
);

-- Nonces of the stations' signed pull requests, each accepted once by any hub process.
CREATE TABLE pull_nonces (
    station text        NOT NULL,
    nonce   text        NOT NULL,
    seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station, nonce)
);

-- Bundles that came after a gap, waiting for it to be filled (their entries as JSON).
CREATE TABLE pending_bundles (
    origin      text        NOT NULL,
    from_seq    bigint      NOT NULL,
    to_seq      bigint      NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    entries     text        NOT NULL,
    PRIMARY KEY (origin, from_seq, to_seq)
);

-- Bundles kept aside: refused from an enrolled station (with why), or of a newer schema.
CREATE TABLE quarantine (
    bundle_id      uuid PRIMARY KEY,
    origin         text        NOT NULL,
    from_seq       bigint      NOT NULL,
    to_seq         bigint      NOT NULL,
    schema_version bigint      NOT NULL,
    kept_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    refusal_kind   text,
    reason         text,
    file           bytea       NOT NULL
);
CREATE INDEX quarantine_by_origin ON quarantine (origin, kept_at);
