-- The owner in the chat: staff alerts that say which customer they are
-- about (a staff member's reply to one goes to that customer), the text
-- heard in a voice note, and each staff member's state in their own chat
-- (the customer they are answering, the command they may undo, the
-- destructive command waiting for their yes).
-- Keep in lockstep with ../postgres/0008_staff_chat.sql.

-- Outbound to staff: the customer the alert is about.
ALTER TABLE wa_messages ADD COLUMN about_customer_id BLOB REFERENCES customers (id) ON DELETE SET NULL;
-- Inbound voice notes: what speech-to-text heard.
ALTER TABLE wa_messages ADD COLUMN transcript TEXT;

CREATE TABLE staff_sessions (
    id                 BLOB PRIMARY KEY,
    tenant_id          BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id            BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The customer this staff member is answering by hand (a reply to an
    -- alert); `done` hands them back to the bot.
    replying_to        BLOB REFERENCES customers (id) ON DELETE SET NULL,
    -- The last command's inverse (JSON), until undo_until.
    undo               TEXT,
    undo_until         TEXT,
    -- A destructive command waiting for a yes (JSON), until pending_until.
    pending            TEXT,
    pending_until      TEXT,
    updated_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX staff_sessions_user_key ON staff_sessions (tenant_id, user_id);
