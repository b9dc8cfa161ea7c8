-- SQLite plans without statistics (nothing runs ANALYZE); its default
-- estimates take "org_id = ?" on an index that starts with org_id for a
-- handful of rows, so such an index beat the right one in every
-- "org_id = ? AND parent_id = ?" query and read the whole organisation
-- (the inbox's tags, an inbound message's open conversation, a page of
-- contacts' identities). These indexes put the parent id first; see
-- docs/BENCHMARKS.md.
DROP INDEX conversations_contact;
CREATE INDEX conversations_contact ON conversations (contact_id, org_id, last_activity_at DESC, id DESC);
DROP INDEX contact_identities_contact;
CREATE INDEX contact_identities_contact ON contact_identities (contact_id, org_id);
DROP INDEX conversation_tags_tag;
CREATE INDEX conversation_tags_tag ON conversation_tags (tag, org_id);
-- The inbox by team or by assignee alone, newest first: without these,
-- both engines walk conversations_all until they have 50 rows of a rare
-- team or user.
CREATE INDEX conversations_inbox_team_all     ON conversations (org_id, team_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_inbox_assignee_all ON conversations (org_id, assignee_id, last_activity_at DESC, id DESC);
