-- Schema version 7: the outbox rebuilt around the activity (docs/delivery.md, Durability).
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
    activity_id INTEGER PRIMARY KEY,
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
) WITHOUT ROWID;
-- Only events waiting for another try are in it: a delivered event never touches it.
CREATE INDEX deliveries_pending ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_by_uuid ON deliveries (uuid) WHERE uuid IS NOT NULL;

ALTER TABLE attempts RENAME TO attempts_v6;
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

-- The old rows carried over: each activity's targets from its events in id order, which is
-- the slot; events keep their uuids; successful attempts stay attempts of their events.
CREATE INDEX events_by_activity ON events (activity_id, id);
UPDATE activities SET targets = (
    SELECT json_group_array(json_array(e.listener_id, e.callback_id, e.extension_id, e.version))
    FROM (SELECT * FROM events WHERE activity_id = activities.id ORDER BY id) e)
WHERE EXISTS (SELECT 1 FROM events WHERE activity_id = activities.id);

INSERT INTO deliveries (listener_id, activity_id, slot, voip_id, callback_id, status, attempts, tries, last_attempt_at, next_attempt_at, status_reason, uuid)
SELECT e.listener_id, e.activity_id,
       ROW_NUMBER() OVER (PARTITION BY e.activity_id ORDER BY e.id) - 1,
       e.voip_id, e.callback_id, e.status, e.attempts, e.tries, e.last_attempt_at,
       CASE WHEN e.status = 'pending' THEN e.next_attempt_at END, e.status_reason, e.uuid
FROM events e;

INSERT INTO attempts (listener_id, activity_id, voip_id, callback_id, at, url, status_code, duration_ms, error)
SELECT e.listener_id, e.activity_id, e.voip_id, t.callback_id, t.at, t.url, t.status_code, t.duration_ms, t.error
FROM attempts_v6 t JOIN events e ON e.id = t.event_id ORDER BY t.id;

DROP TABLE attempts_v6;
DROP TABLE events;

-- After the old table's index of the same name went with it.
CREATE INDEX attempts_by_event ON attempts (listener_id, activity_id, id);
-- The owner notice quotes a callback's last errors.
CREATE INDEX attempts_by_callback ON attempts (callback_id, id);
