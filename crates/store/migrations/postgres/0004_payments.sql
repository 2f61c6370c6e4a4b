-- Payment requests to providers, their webhooks, the providers each
-- business uses, and the sandbox provider's own charges. Keep in lockstep
-- with ../sqlite/0004_payments.sql.

-- Our reference, sent to the provider and echoed in its webhooks.
ALTER TABLE payments ADD COLUMN reference TEXT;
CREATE UNIQUE INDEX payments_reference_key ON payments (reference);
-- The provider's transaction id once verified (receipt, charge id).
ALTER TABLE payments ADD COLUMN provider_txn TEXT;
-- The unguessable part of an M-PESA callback URL.
ALTER TABLE payments ADD COLUMN callback_token TEXT;
CREATE UNIQUE INDEX payments_callback_token_key ON payments (callback_token);
ALTER TABLE payments ADD COLUMN customer_id UUID REFERENCES customers (id) ON DELETE SET NULL;
ALTER TABLE payments ADD COLUMN expires_at TIMESTAMPTZ;
-- Why a person must look: an amount or currency the provider reports
-- differently, a verify that disagrees with the webhook.
ALTER TABLE payments ADD COLUMN flag TEXT;
ALTER TABLE payments ADD COLUMN failure TEXT;
ALTER TABLE payments ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN confirmed_by UUID REFERENCES users (id) ON DELETE SET NULL;

-- Every authenticated provider webhook, stored before it is answered.
CREATE TABLE payment_events (
    id            UUID PRIMARY KEY,
    tenant_id     UUID REFERENCES tenants (id) ON DELETE CASCADE,
    provider      TEXT NOT NULL,
    event_key     TEXT NOT NULL,
    payment_id    UUID REFERENCES payments (id) ON DELETE SET NULL,
    payload       JSONB NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'processed', 'unmatched')),
    received_at   TIMESTAMPTZ NOT NULL,
    processed_at  TIMESTAMPTZ
);
CREATE UNIQUE INDEX payment_events_key ON payment_events (provider, event_key);
CREATE INDEX payment_events_tenant_idx ON payment_events (tenant_id, received_at);

-- The providers a business collects with; keys sealed with AES-256-GCM.
CREATE TABLE payment_providers (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    provider        TEXT NOT NULL CHECK (provider IN ('paystack', 'flutterwave', 'mpesa', 'stripe', 'sandbox')),
    -- Non-secret settings: base_url, shortcode, party_b, transaction_type.
    settings        JSONB NOT NULL DEFAULT '{}',
    secrets_sealed  TEXT,
    is_active       BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX payment_providers_tenant_key ON payment_providers (tenant_id, provider);

-- The sandbox provider's side: what a real provider would keep.
CREATE TABLE sandbox_charges (
    id           UUID PRIMARY KEY,
    reference    TEXT NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount > 0),
    currency     TEXT NOT NULL,
    description  TEXT NOT NULL,
    return_url   TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed')),
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX sandbox_charges_reference_key ON sandbox_charges (reference);
