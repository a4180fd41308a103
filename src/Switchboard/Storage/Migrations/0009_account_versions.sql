-- Schema version 9: configuration versions (scaling.md, "Configuration is effective immediately
-- everywhere"). Every change of an account's listeners, subscriptions, filters, callbacks,
-- profiles or schedules counts its version up before it is acknowledged; a node that shares the
-- database reads the versions of a batch's accounts before matching it and reloads any account
-- its index holds at an older version.
CREATE TABLE account_versions (
    voip_id BIGINT NOT NULL PRIMARY KEY,
    version BIGINT NOT NULL
);
