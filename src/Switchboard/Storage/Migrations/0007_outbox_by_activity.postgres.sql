-- Schema version 7 on PostgreSQL: the outbox rebuilt around the activity (docs/delivery.md,
-- Durability), as 0007_outbox_by_activity.sql builds it on SQLite. PostgreSQL came with this
-- version, so there are no events of an older outbox to carry over.
--
-- Before, ingest wrote an events row per matched listener (four b-trees each) and every outcome
-- rewrote it. Now the activity row is the durable record: `targets` freezes the listeners it
-- matched at ingest, as a JSON array of [listener_id, callback_id, extension_id, version], and an
-- event is (activity, slot in targets); its uuid is derived from them (EventUuids). Ingest writes
-- the activity and an open_activities row, nothing per event. An event gets a deliveries row
-- with its first outcome (a failed attempt that will be retried, or its end); an activity leaves
-- open_activities once every event of it has one. So recovery reads open_activities for events
-- that never had an outcome, and deliveries_pending for those waiting to be tried again.

ALTER TABLE activities ADD COLUMN targets TEXT NOT NULL DEFAULT '[]';

CREATE TABLE open_activities (
    activity_id BIGINT PRIMARY KEY,
    voip_id BIGINT NOT NULL
);

-- status: pending (tried and failed, next try at next_attempt_at; or queued again by a
-- redelivery), delivered, failed, suppressed. callback_id is the callback the event is with now
-- (a fallback after the first gave up); tries counts that callback's attempts, attempts all of
-- them. A successful last attempt is kept here (duration_ms not null: status_code, url, at
-- last_attempt_at) rather than in attempts, which so holds only failed attempts and those a
-- redelivery moved there. uuid is set only for
-- events from before version 7, whose random uuids receivers have already seen.
CREATE TABLE deliveries (
    listener_id BIGINT NOT NULL,
    activity_id BIGINT NOT NULL,
    slot INTEGER NOT NULL,
    voip_id BIGINT NOT NULL,
    callback_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    tries INTEGER NOT NULL,
    last_attempt_at BIGINT NULL,
    next_attempt_at BIGINT NULL,
    status_reason TEXT NULL,
    status_code INTEGER NULL,
    duration_ms INTEGER NULL,
    url TEXT NULL,
    uuid TEXT NULL,
    PRIMARY KEY (listener_id, activity_id)
);
-- Only events waiting for another try are in it: a delivered event never touches it.
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_uuid ON deliveries (uuid) WHERE uuid IS NOT NULL;

DROP TABLE attempts;
DROP TABLE events;
CREATE TABLE attempts (
    id {{id}},
    listener_id BIGINT NOT NULL,
    activity_id BIGINT NOT NULL,
    voip_id BIGINT NOT NULL,
    callback_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    url TEXT NULL,
    status_code INTEGER NULL,
    duration_ms INTEGER NOT NULL,
    error TEXT NULL
);
CREATE INDEX attempts_by_event ON attempts (listener_id, activity_id, id);
-- The owner notice quotes a callback's last errors.
CREATE INDEX attempts_by_callback ON attempts (callback_id, id);
