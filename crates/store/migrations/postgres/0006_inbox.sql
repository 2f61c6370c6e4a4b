-- Conversations a person must pick up: the bot promised follow-up (a voice
-- note or photo it cannot read, "I have paid", transfer details it does not
-- have, a request for a person, a checkout that failed). One open entry per
-- customer; a new reason updates it. Keep in lockstep with
-- ../sqlite/0006_inbox.sql.
CREATE TABLE inbox (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    customer_id  UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    reason       TEXT NOT NULL CHECK (reason IN ('asked_for_person', 'not_understood', 'media', 'payment_claimed',
                                                 'transfer_details', 'cancel_request', 'payment_declined',
                                                 'bot_failed')),
    -- What the customer said or sent, for the person who picks it up.
    detail       TEXT,
    opened_at    TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    resolved_at  TIMESTAMPTZ,
    resolved_by  UUID REFERENCES users (id) ON DELETE SET NULL
);
CREATE UNIQUE INDEX inbox_open_key ON inbox (tenant_id, customer_id) WHERE resolved_at IS NULL;
CREATE INDEX inbox_tenant_idx ON inbox (tenant_id, updated_at);
