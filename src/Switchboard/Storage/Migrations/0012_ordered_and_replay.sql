-- Schema version 12: ordered listeners (delivery.md, Ordered listeners). An ordered listener's
-- events of one data object go out one at a time, in the order their activities were
-- acknowledged. ordered_events holds each such event from its activity's commit until it has
-- ended (delivered, failed, suppressed): the earliest row of a (listener, object) is the one that
-- may be sent; the others wait behind it, across restarts and across nodes.
ALTER TABLE listeners ADD COLUMN ordered BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE ordered_events (
    listener_id BIGINT NOT NULL,
    object_uuid TEXT NOT NULL,
    activity_id BIGINT NOT NULL,
    slot INTEGER NOT NULL,
    PRIMARY KEY (listener_id, object_uuid, activity_id)
);

-- Bulk replays (delivery.md, Replay): what a replay asked for, and how far it has come. A node
-- works through it in small batches in the background, from from_activity_id up to
-- to_activity_id (the activity ids the time range spans); a replay left by a node that is gone
-- is taken over like its other work.
CREATE TABLE replays (
    id {{id}},
    voip_id BIGINT NOT NULL,
    listener_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    since_ms BIGINT NOT NULL,
    until_ms BIGINT NOT NULL,
    from_activity_id BIGINT NOT NULL,
    to_activity_id BIGINT NOT NULL,
    queued BIGINT NOT NULL,
    node_id TEXT NULL,
    created_at BIGINT NOT NULL,
    done_at BIGINT NULL
);
CREATE INDEX replays_open ON replays (id) WHERE done_at IS NULL;
