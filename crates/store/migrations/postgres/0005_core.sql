-- The owner's side: at most one open payment request per order and kind,
-- and the indexes the deadlines, reminders, reports and the job queue read
-- by. Kept in lockstep with the other backend's 0005_core.sql.

-- Older duplicates of an open request are voided (superseded) first.
UPDATE payments SET status = 'expired', failure = 'superseded'
WHERE status = 'pending' AND EXISTS (
    SELECT 1 FROM payments newer
    WHERE newer.order_id = payments.order_id AND newer.type = payments.type
      AND newer.status = 'pending' AND newer.created_at > payments.created_at
);
CREATE UNIQUE INDEX payments_open_key ON payments (order_id, type) WHERE status = 'pending';
-- Pending requests by expiry (reminders, expiring links).
CREATE INDEX payments_status_expiry_idx ON payments (status, expires_at);

-- Orders by deadline within a business, and unfinished orders by deadline
-- across businesses (automation's deadline triggers).
CREATE INDEX orders_deadline_idx ON orders (tenant_id, deadline);
CREATE INDEX orders_open_deadline_idx ON orders (deadline)
    WHERE current_stage NOT IN ('delivered', 'cancelled');

-- Customers by last order and last message (win-back, the 24-hour window).
CREATE INDEX customers_last_order_idx ON customers (tenant_id, last_order_at);
CREATE INDEX customers_last_inbound_idx ON customers (tenant_id, last_inbound_at);

-- Jobs by state and time (metrics, operators, purge).
CREATE INDEX jobs_status_idx ON jobs (status, run_at);

-- Outbound messages still waiting, per conversation (in-order sending).
CREATE INDEX wa_messages_queued_idx ON wa_messages (number_id, to_number) WHERE status = 'queued';

-- Webhook events not yet processed (the /metrics backlog).
CREATE INDEX wa_events_pending_idx ON wa_events (kind) WHERE state = 'pending';
