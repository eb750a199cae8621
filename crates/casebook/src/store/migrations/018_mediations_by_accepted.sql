-- 018: mediation files by the day they were accepted, so that a month's figures and the
-- Ministry of Justice's table read that month's files only: a county's book holds every
-- station of its towns (ten million receptions a year and a million files read in a scan took
-- 660 ms for one month, docs/benchmarks.md, "The county's monthly question").
CREATE INDEX mediations_by_accepted ON mediations (accepted_at);
