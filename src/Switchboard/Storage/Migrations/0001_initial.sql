-- Schema version 1: tokens and the management API's resources (api.md).
-- Kept to SQL that SQLite and PostgreSQL both accept, but for the id column type,
-- which the dialect substitutes ({{id}}).

CREATE TABLE tokens (
    id {{id}},
    token_hash TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    voip_id BIGINT NULL,
    extension_id BIGINT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT NULL
);

CREATE TABLE profiles (
    id {{id}},
    voip_id BIGINT NOT NULL,
    extension_id BIGINT NULL,
    name TEXT NOT NULL,
    support_email TEXT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX profiles_by_owner ON profiles (voip_id, extension_id, id);

CREATE TABLE callbacks (
    id {{id}},
    voip_id BIGINT NOT NULL,
    extension_id BIGINT NULL,
    fallback_callback_id BIGINT NULL,
    name TEXT NULL,
    profile_id BIGINT NULL,
    enabled BOOLEAN NOT NULL,
    mode TEXT NOT NULL,
    config TEXT NOT NULL
);
CREATE INDEX callbacks_by_owner ON callbacks (voip_id, extension_id, id);

CREATE TABLE listeners (
    id {{id}},
    voip_id BIGINT NOT NULL,
    extension_id BIGINT NULL,
    version TEXT NOT NULL,
    callback_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NULL
);
CREATE INDEX listeners_by_owner ON listeners (voip_id, extension_id, id);
CREATE INDEX listeners_by_account ON listeners (voip_id, id);
CREATE INDEX listeners_by_callback ON listeners (callback_id);

CREATE TABLE subscriptions (
    id {{id}},
    listener_id BIGINT NOT NULL,
    voip_id BIGINT NOT NULL,
    extension_id BIGINT NULL,
    tags TEXT NOT NULL
);
CREATE INDEX subscriptions_by_listener ON subscriptions (listener_id, id);

CREATE TABLE filters (
    id {{id}},
    listener_id BIGINT NOT NULL,
    voip_id BIGINT NOT NULL,
    extension_id BIGINT NULL,
    filter_type TEXT NOT NULL,
    filter_value TEXT NOT NULL,
    not_logic BOOLEAN NOT NULL
);
CREATE INDEX filters_by_listener ON filters (listener_id, id);

CREATE TABLE schedules (
    id {{id}},
    voip_id BIGINT NOT NULL,
    extension_id BIGINT NULL,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    rules TEXT NOT NULL,
    exceptions TEXT NOT NULL
);
CREATE INDEX schedules_by_owner ON schedules (voip_id, id);
