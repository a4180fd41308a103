-- Schema version 6: why an event stands where it does when no attempt says it (delivery.md:
-- "ends, visibly, as failed or suppressed"): over the rate limit, unsubscribed, callback
-- deleted or disabled without fallback, ran out of attempts. Null while pending or delivered.
ALTER TABLE events ADD COLUMN status_reason TEXT NULL;
