-- A seat row is written twice on the way to a ticket (LOCKED, then BOOKED) and once more
-- when a hold is released. Inventory is inserted with full pages, so those updates could
-- not stay on their page: 65 % of them wrote a new primary-key entry (bench/order (c),
-- pg_stat_user_tables). None of them changes an indexed column, so with room left on
-- each page they are HOT updates: no index writes. Orders get more room for the same
-- reason: at fillfactor 70 about half of their two updates still left the page.
-- Takes effect for rows inserted from now on (new inventory and orders).
ALTER TABLE seats SET (fillfactor = 50);
ALTER TABLE orders SET (fillfactor = 50);
