-- 014: a deputy's reports to the voters (向选民述职) and trainings (培训), kept by the station
-- that recorded them (docs/domain.md, "Deputies' reports to voters and training") and counted
-- in the deputy's file (履职档案). Created once (`deputy_activity_append`, LOG_VERSION 14).
CREATE TABLE deputy_activities (
    id        TEXT PRIMARY KEY,
    station   TEXT NOT NULL,
    deputy_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    held_on   TEXT NOT NULL,
    body      TEXT NOT NULL
);
CREATE INDEX deputy_activities_by_deputy ON deputy_activities (deputy_id, held_on, id);
CREATE INDEX deputy_activities_by_day ON deputy_activities (held_on, id);
