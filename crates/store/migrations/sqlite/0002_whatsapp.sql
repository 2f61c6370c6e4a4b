-- The WhatsApp channel: numbers, the raw intake, the message log.

ALTER TABLE customers ADD COLUMN wa_profile_name TEXT;
-- The customer's last message: the 24-hour customer service window.
ALTER TABLE customers ADD COLUMN last_inbound_at TEXT;

ALTER TABLE outbox ADD COLUMN template TEXT;

CREATE TABLE wa_numbers (
    id                    BLOB PRIMARY KEY,
    tenant_id             BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    phone_number_id       TEXT NOT NULL,
    display_phone_number  TEXT NOT NULL,
    waba_id               TEXT,
    -- AES-256-GCM, base64 of nonce || ciphertext; NULL for sandbox numbers.
    access_token_sealed   TEXT,
    sandbox               INTEGER NOT NULL DEFAULT 0,
    active                INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE UNIQUE INDEX wa_numbers_phone_number_id_key ON wa_numbers (phone_number_id);
CREATE INDEX wa_numbers_tenant_idx ON wa_numbers (tenant_id);

-- Every message, status and error Meta posts, stored before it is answered.
CREATE TABLE wa_events (
    id               BLOB PRIMARY KEY,
    tenant_id        BLOB REFERENCES tenants (id) ON DELETE CASCADE,
    phone_number_id  TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('message', 'status', 'error')),
    -- wamid for messages, wamid:status for statuses, a digest for errors.
    provider_key     TEXT NOT NULL,
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'processed', 'unroutable')),
    received_at      TEXT NOT NULL,
    processed_at     TEXT
);
CREATE UNIQUE INDEX wa_events_provider_key ON wa_events (kind, provider_key);
CREATE INDEX wa_events_tenant_idx ON wa_events (tenant_id, received_at);

CREATE TABLE wa_messages (
    id              BLOB PRIMARY KEY,
    tenant_id       BLOB NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    number_id       BLOB NOT NULL REFERENCES wa_numbers (id) ON DELETE CASCADE,
    customer_id     BLOB REFERENCES customers (id) ON DELETE SET NULL,
    order_id        BLOB REFERENCES orders (id) ON DELETE SET NULL,
    wa_message_id   TEXT,
    direction       TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    from_number     TEXT NOT NULL,
    to_number       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    body            TEXT,
    -- Inbound: the message as received. Outbound: the Graph API body sent.
    payload         TEXT NOT NULL,
    -- Outbound: what the business asked to send, and its template fallback.
    content         TEXT,
    fallback        TEXT,
    parsed_data     TEXT,
    is_processed    INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL CHECK (status IN ('received', 'queued', 'sent', 'delivered', 'read', 'failed', 'blocked')),
    error_code      INTEGER,
    error_title     TEXT,
    error_details   TEXT,
    media_id        TEXT,
    media_path      TEXT,
    media_mime      TEXT,
    received_at     TEXT NOT NULL,
    sent_at         TEXT,
    delivered_at    TEXT,
    read_at         TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX wa_messages_wamid_key ON wa_messages (wa_message_id);
CREATE INDEX wa_messages_thread_idx ON wa_messages (tenant_id, customer_id, created_at);
CREATE INDEX wa_messages_updated_idx ON wa_messages (tenant_id, updated_at);

-- Messages sent per number per second, shared by every replica.
CREATE TABLE wa_rate_windows (
    number_id     BLOB NOT NULL REFERENCES wa_numbers (id) ON DELETE CASCADE,
    window_start  INTEGER NOT NULL,
    sent          INTEGER NOT NULL,
    PRIMARY KEY (number_id, window_start)
);
