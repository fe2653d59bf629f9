-- Connections now plan every prepared statement for its parameters (plan_cache_mode =
-- force_custom_plan, platform/db/connection.cpp). The log's functions keep their plans
-- for the session, as before: their statements are keyed (0002, 0003) or plain appends.
ALTER FUNCTION bus_append(text[], integer[], text[], text[], jsonb[]) SET plan_cache_mode = auto;
ALTER FUNCTION bus_fetch(text[], integer[], bigint[], integer) SET plan_cache_mode = auto;
ALTER FUNCTION bus_trim(float8) SET plan_cache_mode = auto;
