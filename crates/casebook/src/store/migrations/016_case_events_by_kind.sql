-- 016: case events by kind and time, so that the statistics find the cases closed and the
-- follow-up visits made in a range without reading every case's events: the 统计 screen's
-- default range (this month) took 15.8 s on a million-reception demo book, 10 s of it in these
-- two questions (docs/benchmarks.md, issue 18).
CREATE INDEX case_events_by_kind ON case_events (kind, at);
