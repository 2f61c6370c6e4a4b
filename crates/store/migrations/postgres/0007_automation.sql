-- The automation engine: each business's triggers, the ledger that makes
-- every (trigger kind, target, day) fire once, the runs of the cycle,
-- scheduled messages, and the WhatsApp message templates of each business.
-- Keep in lockstep with ../sqlite/0007_automation.sql.

-- Quiet hours in the business's own time ("HH:MM"): nothing automated is
-- sent between start and end; the send waits for the end.
ALTER TABLE business_settings ADD COLUMN quiet_start TEXT NOT NULL DEFAULT '21:00';
ALTER TABLE business_settings ADD COLUMN quiet_end TEXT NOT NULL DEFAULT '08:00';

-- When a payment's link first reached the customer (a renewed link keeps
-- it): the unpaid-balance reminders count their days from here.
ALTER TABLE payments ADD COLUMN first_sent_at TIMESTAMPTZ;
UPDATE payments SET first_sent_at = link_sent_at WHERE link_sent_at IS NOT NULL;
CREATE INDEX payments_first_sent_idx ON payments (first_sent_at) WHERE status = 'pending';

CREATE TABLE automation_triggers (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('customer_inactive', 'order_ready', 'unpaid_balance', 'deadline_risk',
                                               'birthday', 'repeat_customer', 'low_stock', 'daily_summary',
                                               'scheduled_message')),
    enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    -- The thresholds (domain::automation::Config) as JSON.
    config       JSONB NOT NULL DEFAULT '{}',
    -- The thresholds as one canonical string: a cycle runs one query per
    -- (kind, params) across every business, never one per business.
    params       TEXT NOT NULL DEFAULT '',
    -- The wording per language, {"en": "Hi {name} …"}; a language without
    -- one uses the catalog's.
    texts        JSONB NOT NULL DEFAULT '{}',
    -- This trigger's quiet hours, instead of the business's.
    quiet_start  TEXT,
    quiet_end    TEXT,
    last_run_at  TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX automation_triggers_tenant_idx ON automation_triggers (tenant_id, kind);
CREATE INDEX automation_triggers_enabled_idx ON automation_triggers (kind, params) WHERE enabled;

-- One cycle of the scheduler (or a run-once).
CREATE TABLE automation_runs (
    id           UUID PRIMARY KEY,
    -- The cron fire time it ran for; NULL for a run-once.
    fire_at      TIMESTAMPTZ,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    targets      INTEGER NOT NULL DEFAULT 0,
    sent         INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    deferred     INTEGER NOT NULL DEFAULT 0,
    error        TEXT
);
CREATE INDEX automation_runs_started_idx ON automation_runs (started_at);

-- What became of every target a trigger chose: sent, skipped (why) or
-- deferred (until when). The unique key is the rule "never twice for the
-- same trigger kind, target and day" (step: the reminder's escalation
-- step; day: the business's local date); a deferred row is taken over by
-- the send that follows it. Written in the send's own transaction, and
-- never purged with the jobs.
CREATE TABLE automation_ledger (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    trigger_id   UUID REFERENCES automation_triggers (id) ON DELETE SET NULL,
    run_id       UUID REFERENCES automation_runs (id) ON DELETE SET NULL,
    kind         TEXT NOT NULL,
    target_id    UUID NOT NULL,
    step         TEXT NOT NULL DEFAULT '',
    day          DATE NOT NULL,
    customer_id  UUID REFERENCES customers (id) ON DELETE CASCADE,
    order_id     UUID REFERENCES orders (id) ON DELETE CASCADE,
    outcome      TEXT NOT NULL CHECK (outcome IN ('sent', 'skipped', 'deferred')),
    reason       TEXT,
    until        TIMESTAMPTZ,
    message_id   UUID,
    body         TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX automation_ledger_key ON automation_ledger (tenant_id, kind, target_id, step, day);
CREATE INDEX automation_ledger_customer_idx ON automation_ledger (tenant_id, customer_id, kind, created_at);
CREATE INDEX automation_ledger_target_idx ON automation_ledger (target_id, kind, step);
CREATE INDEX automation_ledger_run_idx ON automation_ledger (run_id);
CREATE INDEX automation_ledger_tenant_idx ON automation_ledger (tenant_id, created_at);

-- A message to one customer at a set time: an editable row, sent by the
-- cycle that follows its time.
CREATE TABLE scheduled_messages (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    customer_id  UUID NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    send_at      TIMESTAMPTZ NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'sent', 'skipped', 'cancelled')),
    reason       TEXT,
    message_id   UUID,
    created_by   UUID REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX scheduled_messages_due_idx ON scheduled_messages (send_at) WHERE status = 'scheduled';
CREATE INDEX scheduled_messages_tenant_idx ON scheduled_messages (tenant_id, send_at);

-- The WhatsApp message templates of a business's WhatsApp Business Account
-- (a sandbox number's are the sandbox's), as Meta last reported them.
CREATE TABLE wa_templates (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    waba_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    language     TEXT NOT NULL,
    category     TEXT NOT NULL CHECK (category IN ('utility', 'marketing', 'authentication')),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'paused', 'disabled',
                                                 'in_appeal', 'deleted', 'limit_exceeded', 'archived')),
    -- Meta's reason for a rejection or a pause.
    reason       TEXT,
    -- Meta's template id.
    meta_id      TEXT,
    -- The body text with {{1}}… and how many parameters it takes.
    body         TEXT NOT NULL DEFAULT '',
    params       INTEGER NOT NULL DEFAULT 0,
    components   JSONB NOT NULL DEFAULT '[]',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX wa_templates_key ON wa_templates (tenant_id, waba_id, name, language);
CREATE INDEX wa_templates_waba_idx ON wa_templates (waba_id, name, language);

-- What the triggers read by: messages about an order (order_ready's "no
-- message in 24 h"), deliveries by time (repeat_customer), and the
-- products that track a low-stock threshold.
CREATE INDEX wa_messages_order_idx ON wa_messages (order_id, created_at) WHERE order_id IS NOT NULL;
CREATE INDEX order_stages_entered_idx ON order_stages (stage, entered_at);
CREATE INDEX products_low_stock_idx ON products (tenant_id) WHERE track_stock AND low_stock_threshold IS NOT NULL;
