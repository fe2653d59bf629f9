-- Each session keeps the fingerprint of what its seating map shows besides live status
-- (its layout and the event's tiers). A snapshot that changes it tells the session's
-- seat-status subscribers to re-fetch the map (RESYNC); one that only changes a status or
-- a date does not. Rows from before have '' and count as changed once.
ALTER TABLE eq_sessions ADD COLUMN map_hash text NOT NULL DEFAULT '';
