-- 011: what follows a meeting (docs/domain.md): its 公示 when recorded afterwards, objections
-- received and their answers, and how its decisions were carried out, appended as events
-- (`meeting_event_append`). With them a meeting's JSON gained its `kind` (村民会议,
-- 村民代表会议, 村民小组会议; none for a 民主议事会), households' counts, each item's `topic`,
-- `approval` and rights review `revote`, and the 公示 place (LOG_VERSION 11).
CREATE TABLE meeting_events (
    id         TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    at         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX meeting_events_by_meeting ON meeting_events (meeting_id, at, id);
