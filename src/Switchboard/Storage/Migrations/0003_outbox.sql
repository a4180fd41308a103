-- Schema version 3: the pipeline (ingest.md, delivery.md). An acknowledged activity is a row of
-- activities; each listener it matched is a row of events (the outbox), rendered at delivery
-- time from the activity and the listener fields copied here, so an activity's data is
-- stored once however many listeners get it.

CREATE TABLE activities (
    id {{id}},
    voip_id BIGINT NOT NULL,
    data_type TEXT NOT NULL,
    data_object_uuid TEXT NOT NULL,
    timestamp_ns BIGINT NOT NULL,
    tags TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- ingest.md: a second activity with the same key for the same account within 24 h is not processed again.
CREATE TABLE idempotency_keys (
    voip_id BIGINT NOT NULL,
    idempotency_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (voip_id, idempotency_key)
);
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- status: pending, delivered, failed, suppressed. callback_id is the callback the event is
-- with now (a fallback after the first one gave up); tries counts that callback's attempts,
-- attempts all of them. Times are UNIX milliseconds.
CREATE TABLE events (
    id {{id}},
    uuid TEXT NOT NULL UNIQUE,
    activity_id BIGINT NOT NULL,
    listener_id BIGINT NOT NULL,
    voip_id BIGINT NOT NULL,
    extension_id BIGINT NULL,
    version TEXT NOT NULL,
    callback_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    tries INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_attempt_at BIGINT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_by_listener ON events (listener_id, id);
CREATE INDEX events_pending ON events (status, id);

CREATE TABLE attempts (
    id {{id}},
    event_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    callback_id BIGINT NOT NULL,
    url TEXT NULL,
    status_code INTEGER NULL,
    duration_ms INTEGER NOT NULL,
    error TEXT NULL
);
CREATE INDEX attempts_by_event ON attempts (event_id, id);

-- delivery.md, Deactivation: how long every attempt to a callback has failed, and how many
-- events ran out of attempts since.
CREATE TABLE callback_health (
    callback_id BIGINT NOT NULL PRIMARY KEY,
    failing_since BIGINT NULL,
    exhausted INTEGER NOT NULL,
    last_success_at BIGINT NULL,
    notified_at BIGINT NULL
);

-- Owner notifications (delivery.md, Deactivation and profiles) waiting for the e-mail sender.
CREATE TABLE notifications (
    id {{id}},
    voip_id BIGINT NOT NULL,
    callback_id BIGINT NOT NULL,
    profile_id BIGINT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    sent_at BIGINT NULL
);
