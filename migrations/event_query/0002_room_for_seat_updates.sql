-- A seat's status row is inserted at its first change (LOCKED) and updated at each later
-- one (BOOKED, AVAILABLE). Pages were filled completely, so three updates in four wrote a
-- new primary-key entry (bench/order (c), pg_stat_user_tables). With room on each page
-- they are HOT updates, which write no index entry.
ALTER TABLE eq_seat_status SET (fillfactor = 50);
