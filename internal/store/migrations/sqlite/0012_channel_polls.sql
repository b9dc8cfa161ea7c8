-- Channels that fetch their messages by long polling (a Telegram bot on
-- an install with no public HTTPS address): where the provider's updates
-- were read up to, and which server instance polls the channel now. The
-- lease keeps two instances sharing a database from polling one bot; the
-- cursor moves only once the updates it confirms are stored, so that a
-- restart neither loses nor repeats them.
CREATE TABLE channel_polls (
    channel_id  INTEGER PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    org_id      INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    poll_cursor TEXT    NOT NULL DEFAULT '',
    owner       TEXT    NOT NULL DEFAULT '',  -- the instance holding the lease
    lease_until INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL
);
