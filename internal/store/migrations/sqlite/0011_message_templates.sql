-- The approved template a reply is sent as (WhatsApp outside the 24-hour
-- window): JSON {"name", "language", "params"}; empty for free text. The
-- body keeps the filled text operators read.
ALTER TABLE messages ADD COLUMN template TEXT NOT NULL DEFAULT '';
