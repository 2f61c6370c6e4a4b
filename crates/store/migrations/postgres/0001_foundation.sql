-- Sokoni foundation schema (PostgreSQL). Keep in lockstep with ../sqlite/0001_foundation.sql;
-- the store's schema test compares the two.

CREATE TABLE tenants (
    id             UUID PRIMARY KEY,
    business_name  TEXT NOT NULL,
    slug           TEXT NOT NULL,
    phone          TEXT,
    vertical       TEXT NOT NULL CHECK (vertical IN ('tailor', 'shop', 'restaurant')),
    currency       TEXT NOT NULL,
    timezone       TEXT NOT NULL,
    locale         TEXT NOT NULL,
    country        TEXT NOT NULL,
    order_prefix   TEXT NOT NULL,
    order_seq      BIGINT NOT NULL DEFAULT 0,
    plan           TEXT NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'scale')),
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX tenants_slug_key ON tenants (slug);

CREATE TABLE users (
    id             UUID PRIMARY KEY,
    tenant_id      UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    email          TEXT NOT NULL,
    phone          TEXT,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner', 'staff', 'viewer')),
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    last_login_at  TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX users_phone_key ON users (phone);
CREATE INDEX users_tenant_idx ON users (tenant_id);

CREATE TABLE refresh_tokens (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id   UUID NOT NULL,
    token_hash  TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    revoked_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_tenant_idx ON refresh_tokens (tenant_id, user_id);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);

CREATE TABLE otp_codes (
    id           UUID PRIMARY KEY,
    tenant_id    UUID REFERENCES tenants (id) ON DELETE CASCADE,
    user_id      UUID REFERENCES users (id) ON DELETE CASCADE,
    phone        TEXT NOT NULL,
    ip           TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    expires_at   TIMESTAMPTZ NOT NULL,
    consumed_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX otp_codes_tenant_idx ON otp_codes (tenant_id);
CREATE INDEX otp_codes_phone_idx ON otp_codes (phone, created_at);
CREATE INDEX otp_codes_ip_idx ON otp_codes (ip, created_at);

CREATE TABLE customers (
    id             UUID PRIMARY KEY,
    tenant_id      UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name           TEXT,
    phone          TEXT,
    wa_id          TEXT,
    email          TEXT,
    birthday       DATE,
    notes          TEXT,
    total_orders   INTEGER NOT NULL DEFAULT 0,
    total_spent    BIGINT NOT NULL DEFAULT 0,
    last_order_at  TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX customers_tenant_phone_key ON customers (tenant_id, phone);
CREATE UNIQUE INDEX customers_tenant_wa_id_key ON customers (tenant_id, wa_id);
CREATE INDEX customers_tenant_name_idx ON customers (tenant_id, name);

CREATE TABLE measurements (
    id             UUID PRIMARY KEY,
    tenant_id      UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    customer_id    UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    version        INTEGER NOT NULL,
    is_current     BOOLEAN NOT NULL DEFAULT TRUE,
    unit           TEXT NOT NULL CHECK (unit IN ('in', 'cm')),
    chest          DOUBLE PRECISION,
    waist          DOUBLE PRECISION,
    hip            DOUBLE PRECISION,
    shoulder       DOUBLE PRECISION,
    sleeve         DOUBLE PRECISION,
    inseam         DOUBLE PRECISION,
    neck           DOUBLE PRECISION,
    custom_fields  JSONB NOT NULL DEFAULT '{}',
    notes          TEXT,
    taken_at       TIMESTAMPTZ NOT NULL,
    created_by     UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX measurements_version_key ON measurements (tenant_id, customer_id, version);
-- At most one current version per customer.
CREATE UNIQUE INDEX measurements_current_key ON measurements (tenant_id, customer_id) WHERE is_current;

CREATE TABLE orders (
    id                UUID PRIMARY KEY,
    tenant_id         UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_ref         TEXT NOT NULL,
    customer_id       UUID NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
    measurement_id    UUID REFERENCES measurements (id) ON DELETE SET NULL,
    assigned_to       UUID REFERENCES users (id) ON DELETE SET NULL,
    style_name        TEXT,
    style_details     TEXT,
    fabric_info       TEXT,
    reference_images  JSONB NOT NULL DEFAULT '[]',
    quantity          INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    price             BIGINT NOT NULL DEFAULT 0 CHECK (price >= 0),
    deposit_amount    BIGINT NOT NULL DEFAULT 0 CHECK (deposit_amount >= 0),
    currency          TEXT NOT NULL,
    current_stage     TEXT NOT NULL,
    deadline          TIMESTAMPTZ,
    source            TEXT NOT NULL CHECK (source IN ('whatsapp', 'dashboard', 'walk_in', 'api')),
    wa_thread_id      TEXT,
    notes             TEXT,
    created_by        UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX orders_tenant_ref_key ON orders (tenant_id, order_ref);
CREATE INDEX orders_pipeline_idx ON orders (tenant_id, current_stage, deadline);
CREATE INDEX orders_customer_idx ON orders (tenant_id, customer_id);

CREATE TABLE order_stages (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_id    UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    stage       TEXT NOT NULL,
    entered_at  TIMESTAMPTZ NOT NULL,
    exited_at   TIMESTAMPTZ,
    changed_by  UUID REFERENCES users (id) ON DELETE SET NULL,
    note        TEXT
);
CREATE INDEX order_stages_order_idx ON order_stages (tenant_id, order_id, entered_at);
-- One open stage per order.
CREATE UNIQUE INDEX order_stages_open_key ON order_stages (order_id) WHERE exited_at IS NULL;

CREATE TABLE payments (
    id            UUID PRIMARY KEY,
    tenant_id     UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_id      UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    currency      TEXT NOT NULL,
    type          TEXT NOT NULL CHECK (type IN ('deposit', 'balance', 'full')),
    provider      TEXT NOT NULL,
    provider_ref  TEXT,
    payment_link  TEXT,
    status        TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'expired', 'refunded')),
    link_sent_at  TIMESTAMPTZ,
    paid_at       TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX payments_status_idx ON payments (tenant_id, status);
CREATE INDEX payments_order_idx ON payments (tenant_id, order_id);
CREATE UNIQUE INDEX payments_provider_ref_key ON payments (provider, provider_ref);

-- Messages for people, written by the business logic in the same transaction as
-- its effects; the WhatsApp channel delivers them.
CREATE TABLE outbox (
    id          UUID PRIMARY KEY,
    tenant_id   UUID REFERENCES tenants (id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'blocked')),
    created_at  TIMESTAMPTZ NOT NULL,
    sent_at     TIMESTAMPTZ
);
CREATE INDEX outbox_tenant_idx ON outbox (tenant_id, created_at);
CREATE INDEX outbox_status_idx ON outbox (status, created_at);

CREATE TABLE jobs (
    id            UUID PRIMARY KEY,
    tenant_id     UUID REFERENCES tenants (id) ON DELETE CASCADE,
    queue         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    payload       JSONB NOT NULL,
    status        TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'dead')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 8,
    run_at        TIMESTAMPTZ NOT NULL,
    locked_by     TEXT,
    locked_until  TIMESTAMPTZ,
    last_error    TEXT,
    dedup_key     TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX jobs_dedup_key ON jobs (dedup_key);
CREATE INDEX jobs_claim_idx ON jobs (queue, status, run_at);
CREATE INDEX jobs_tenant_idx ON jobs (tenant_id);
