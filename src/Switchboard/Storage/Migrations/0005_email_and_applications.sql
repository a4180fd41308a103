-- Schema version 5: e-mail and application callbacks (delivery.md, EMAIL and APPLICATION callbacks).

-- Keys the hub makes once and keeps across restarts: 'unsubscribe' signs the unsubscribe links
-- of e-mail, so links sent before a restart keep working after it.
CREATE TABLE hub_secrets (
    name TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);

-- Listeners whose e-mail recipient opened the unsubscribe link: they get no more e-mail.
CREATE TABLE email_unsubscribes (
    listener_id BIGINT NOT NULL PRIMARY KEY,
    unsubscribed_at BIGINT NOT NULL
);

-- sms-autoresponder: when each listener last replied to each sender (UNIX ms), so the rate
-- limit holds across restarts.
CREATE TABLE autoresponder_replies (
    listener_id BIGINT NOT NULL,
    sender TEXT NOT NULL,
    replied_at BIGINT NOT NULL,
    PRIMARY KEY (listener_id, sender)
);

-- The notification sender looks for these often; the sent ones are most of the table.
CREATE INDEX notifications_unsent ON notifications (id) WHERE sent_at IS NULL;
