-- 013: the newest bundle format each peer is known to read (docs/bundle-format.md,
-- "Versions"): the newest it has sent, or 3 for a sender of log version 10 or later. Bundles
-- to it are written in that format. NULL: nothing known, and the peer gets the current format
-- (a peer enrolled from now on runs this version or a later one). It only rises.
ALTER TABLE peers ADD COLUMN format_version INTEGER;

-- Peers enrolled before this version may still run the previous release, which reads formats 1
-- and 2 only: they are written those until a bundle of theirs shows more. An upgraded peer's
-- next bundle does (its header's log version is 10 or later), in either direction.
UPDATE peers SET format_version = 1;
