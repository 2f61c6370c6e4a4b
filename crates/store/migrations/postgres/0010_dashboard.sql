-- The owner's dashboard reads by these. Keep in lockstep with the other
-- backend's 0010_dashboard.sql.

-- The change cursor pages poll (the latest write of each kind is one
-- index seek), and orders finished recently (the board's last 7 days).
CREATE INDEX orders_updated_idx ON orders (tenant_id, updated_at);
CREATE INDEX payments_updated_idx ON payments (tenant_id, updated_at);

-- Money received by time: revenue per month, the recent payments list.
CREATE INDEX payments_paid_idx ON payments (tenant_id, paid_at) WHERE status = 'paid';

-- Payments a person must look at.
CREATE INDEX payments_flagged_idx ON payments (tenant_id, updated_at) WHERE flag IS NOT NULL;
