-- Catalog and stock, order lines, delivery zones, business settings (opening
-- hours, payment methods, text overrides), chat sessions and the customer's
-- opt-out and human-handoff pause. Keep in lockstep with
-- ../sqlite/0003_commerce.sql.

CREATE TABLE products (
    id                   UUID PRIMARY KEY,
    tenant_id            UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    sku                  TEXT NOT NULL,
    name                 TEXT NOT NULL,
    aliases              JSONB NOT NULL DEFAULT '[]',
    category             TEXT,
    description          TEXT,
    price                BIGINT NOT NULL CHECK (price >= 0),
    currency             TEXT NOT NULL,
    -- The "snooze" switch: an unavailable product is not offered.
    is_available         BOOLEAN NOT NULL DEFAULT TRUE,
    -- Made-to-order products (tailoring) track no stock.
    track_stock          BOOLEAN NOT NULL DEFAULT FALSE,
    stock_on_hand        BIGINT NOT NULL DEFAULT 0 CHECK (stock_on_hand >= 0),
    reserved             BIGINT NOT NULL DEFAULT 0 CHECK (reserved >= 0),
    low_stock_threshold  BIGINT,
    sort_order           INTEGER NOT NULL DEFAULT 0,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    CHECK (reserved <= stock_on_hand)
);
CREATE UNIQUE INDEX products_tenant_sku_key ON products (tenant_id, sku);
CREATE INDEX products_tenant_category_idx ON products (tenant_id, category, sort_order);

-- Every change of stock, with who and why.
CREATE TABLE stock_movements (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product_id      UUID NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('receipt', 'sale', 'adjustment', 'reservation', 'release')),
    -- Signed change: on hand for receipt, sale and adjustment; reserved for
    -- reservation and release (a sale also releases its reservation).
    quantity        BIGINT NOT NULL,
    on_hand_after   BIGINT NOT NULL,
    reserved_after  BIGINT NOT NULL,
    order_id        UUID REFERENCES orders (id) ON DELETE SET NULL,
    user_id         UUID REFERENCES users (id) ON DELETE SET NULL,
    reason          TEXT,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX stock_movements_product_idx ON stock_movements (tenant_id, product_id, created_at);

CREATE TABLE order_items (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    order_id    UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id  UUID REFERENCES products (id) ON DELETE SET NULL,
    sku         TEXT NOT NULL,
    name        TEXT NOT NULL,
    quantity    BIGINT NOT NULL CHECK (quantity > 0),
    -- The price when the order was placed, in the order's currency.
    unit_price  BIGINT NOT NULL CHECK (unit_price >= 0),
    line_total  BIGINT NOT NULL CHECK (line_total >= 0),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_items_order_idx ON order_items (tenant_id, order_id);

ALTER TABLE orders ADD COLUMN fulfilment TEXT CHECK (fulfilment IN ('delivery', 'pickup'));
ALTER TABLE orders ADD COLUMN delivery_zone TEXT;
ALTER TABLE orders ADD COLUMN delivery_fee BIGINT NOT NULL DEFAULT 0 CHECK (delivery_fee >= 0);
ALTER TABLE orders ADD COLUMN delivery_address TEXT;
ALTER TABLE orders ADD COLUMN payment_method TEXT;
-- An order placed while closed, for the next opening.
ALTER TABLE orders ADD COLUMN scheduled_for TIMESTAMPTZ;
-- What the order holds of the stock: nothing, a reservation, or done with it.
ALTER TABLE orders ADD COLUMN stock_status TEXT NOT NULL DEFAULT 'none'
    CHECK (stock_status IN ('none', 'reserved', 'consumed', 'released'));

CREATE TABLE delivery_zones (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    fee         BIGINT NOT NULL CHECK (fee >= 0),
    min_order   BIGINT NOT NULL DEFAULT 0 CHECK (min_order >= 0),
    is_active   BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order  INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX delivery_zones_tenant_name_key ON delivery_zones (tenant_id, name);

-- One row per tenant; a tenant without one has the defaults.
CREATE TABLE business_settings (
    id                 UUID PRIMARY KEY,
    tenant_id          UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- domain::hours::OpeningHours; an empty week means always open.
    hours              JSONB NOT NULL DEFAULT '{}',
    accepts_scheduled  BOOLEAN NOT NULL DEFAULT FALSE,
    offers_delivery    BOOLEAN NOT NULL DEFAULT TRUE,
    offers_pickup      BOOLEAN NOT NULL DEFAULT TRUE,
    -- ["transfer", "cash", ...] in the order offered.
    payment_methods    JSONB NOT NULL DEFAULT '["transfer","cash"]',
    -- Shown to customers who pay by transfer (alias, CBU, account number).
    bank_details       TEXT,
    consume_stock_on   TEXT NOT NULL DEFAULT 'delivery' CHECK (consume_stock_on IN ('delivery', 'payment')),
    deposit_percent    INTEGER NOT NULL DEFAULT 50 CHECK (deposit_percent BETWEEN 0 AND 100),
    -- How long "talk to a person" pauses the bot for that customer.
    handoff_hours      INTEGER NOT NULL DEFAULT 12 CHECK (handoff_hours BETWEEN 1 AND 720),
    -- Per-tenant wording: {"es": {"greeting": "..."}}.
    texts              JSONB NOT NULL DEFAULT '{}',
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX business_settings_tenant_key ON business_settings (tenant_id);

-- The conversation with one customer, so any replica continues it.
CREATE TABLE chat_sessions (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    customer_id  UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    state        JSONB NOT NULL,
    turns        INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX chat_sessions_customer_key ON chat_sessions (tenant_id, customer_id);

ALTER TABLE customers ADD COLUMN opted_out_at TIMESTAMPTZ;
ALTER TABLE customers ADD COLUMN bot_paused_until TIMESTAMPTZ;
