-- 012: the people's mediation committee (人民调解委员会) a station's mediations are made by, from
-- the town's roster (docs/domain.md, "The mediation committee"): its name prints where the
-- committee's seal goes, and its short name heads new mediation numbers,
-- （2026）东岭村人调字第1号, unique within the town. The station record carries it as
-- `committee` (LOG_VERSION 12).
ALTER TABLE stations ADD COLUMN committee_name TEXT;
ALTER TABLE stations ADD COLUMN committee_short_name TEXT;
CREATE UNIQUE INDEX stations_by_committee ON stations (committee_short_name)
    WHERE committee_short_name IS NOT NULL;
