-- Schema version 10: nodes and who holds which work (scaling.md, Nodes; "A dead node's work is
-- taken over"). Every process registers a row and keeps its heartbeat fresh. An open activity is
-- held by the node that acknowledged it, an event waiting for another try by the node that
-- recorded its last outcome (or queued the redelivery); a node whose heartbeat is older than the
-- lease is gone, and a live node takes what it held. NULL: held by nobody (before version 10).
CREATE TABLE nodes (
    id TEXT NOT NULL PRIMARY KEY,
    host TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL
);
ALTER TABLE open_activities ADD COLUMN node_id TEXT NULL;
ALTER TABLE deliveries ADD COLUMN node_id TEXT NULL;
CREATE INDEX open_activities_by_node ON open_activities (node_id, activity_id);
