-- Each session keeps the fingerprint of what its seating map shows besides live status
-- (its layout, the event's tiers, whether the event is public). A snapshot that changes it tells the session's
-- seat-status subscribers to re-fetch the map (RESYNC); one that only changes a status or
-- a date does not. Rows from before have '' (unknown: the next snapshot stores the hash
-- and resyncs nobody).
ALTER TABLE eq_sessions ADD COLUMN map_hash text NOT NULL DEFAULT '';
