-- Schema version 2: indexes for the "in use" checks of deletes (api.md: 409 while a
-- callback or listener refers to the row) and for account-level lists and counts.

CREATE INDEX callbacks_by_fallback ON callbacks (fallback_callback_id);
CREATE INDEX callbacks_by_profile ON callbacks (profile_id);
CREATE INDEX callbacks_by_account ON callbacks (voip_id, id);
CREATE INDEX profiles_by_account ON profiles (voip_id, id);
