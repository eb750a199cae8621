-- 017: the tier above the town (docs/scaling.md, "County and city"). Nothing here travels:
-- the log version stays 15.

-- At a town: each station bundle it accepted, as received (signed by the station, sealed to
-- the town) with its compressed payload (which only the town could decrypt), kept until the
-- county it relays to acknowledges what it carries. The county checks the station's
-- signature and the payload's signed hash, so the town cannot change what it relays.
CREATE TABLE relay_units (
    file_hash TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    from_seq INTEGER NOT NULL,
    to_seq INTEGER NOT NULL,
    file BLOB NOT NULL,
    payload BLOB NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX relay_units_by_origin ON relay_units (origin, from_seq);

-- At a town: how far its county holds each station's log, from the county's signed receipts.
CREATE TABLE relay_acks (
    origin TEXT PRIMARY KEY,
    acked_to INTEGER NOT NULL,
    receipt_at TEXT NOT NULL
);

-- At a county: the one town that relays each station, and every signing key that town
-- vouched for it (a station re-enrolled on a new PC signs with a new one; its older bundles
-- still check against the old). A key belongs to one station. `held_from`: the first seq of
-- the station's log the county holds: a town keeps stations' bundles from the day it runs this
-- version, so a station that synced before starts later than 1 at its county.
CREATE TABLE relayed_stations (
    station TEXT PRIMARY KEY,
    town TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    held_from INTEGER
);
CREATE INDEX relayed_stations_by_town ON relayed_stations (town);
CREATE TABLE relay_keys (
    station TEXT NOT NULL REFERENCES relayed_stations (station),
    sign_public BLOB NOT NULL UNIQUE,
    vouched_at TEXT NOT NULL,
    PRIMARY KEY (station, sign_public)
);
