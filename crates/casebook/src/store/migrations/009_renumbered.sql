-- 009: records typed at a restored station that took a new number when the town sent the
-- station's log back (docs/bundle-format.md, "Returned changes"). The deputy prints a 更正通知
-- for each, and the sync screen lists them: there are few or none in any book, so partial
-- indexes find them without reading every row. The records' JSON gained `former_case_no` and
-- `former_number` with them (LOG_VERSION 9).
CREATE INDEX receptions_renumbered ON receptions (json_extract(body, '$.former_case_no'))
    WHERE json_extract(body, '$.former_case_no') IS NOT NULL;
CREATE INDEX mediations_renumbered ON mediations (json_extract(body, '$.former_number'))
    WHERE json_extract(body, '$.former_number') IS NOT NULL;
