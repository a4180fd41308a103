-- Schema version 11: limits that hold for a callback across nodes (scaling.md, "Limits are
-- global"). Where nodes share the database, a node reserves sends from a callback's rate limit
-- in rate_budgets (the window of RateLimitWindow, kept in the row) for the events it has in hand;
-- a node whose circuit breaker opens for a callback records until when in
-- callback_health.paused_until, and the others pause too. An owner notification is claimed by
-- one node (claimed_until) before it is sent, so it is sent once.
CREATE TABLE rate_budgets (
    callback_id BIGINT NOT NULL PRIMARY KEY REFERENCES callbacks (id) ON DELETE CASCADE,
    period_ms BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    counts TEXT NOT NULL
);
ALTER TABLE callback_health ADD COLUMN paused_until BIGINT NULL;
ALTER TABLE notifications ADD COLUMN claimed_until BIGINT NULL;
-- Every node reads the paused callbacks once a second; almost no row is.
CREATE INDEX callback_health_paused ON callback_health (paused_until) WHERE paused_until IS NOT NULL;
