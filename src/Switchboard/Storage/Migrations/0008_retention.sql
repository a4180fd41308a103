-- Schema version 8: retention (delivery.md, Retention). A deleted listener's delivery log is
-- removed in the background, in small batches, from this list.
CREATE TABLE deleted_listeners (
    listener_id BIGINT NOT NULL PRIMARY KEY,
    deleted_at BIGINT NOT NULL
);
-- Activities are removed oldest first, by age.
CREATE INDEX activities_by_age ON activities (created_at);
