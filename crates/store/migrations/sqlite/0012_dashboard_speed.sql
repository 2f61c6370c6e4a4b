-- The dashboard's figures at any size. Keep in lockstep with
-- ../postgres/0012_dashboard_speed.sql.

-- What each order has received (its paid payments' sum), kept on the order
-- by store::payments in the same transaction as every write that makes a
-- payment paid (or would un-pay one), so what is still owed is a column
-- comparison instead of a join of every order with its payments.
ALTER TABLE orders ADD COLUMN amount_paid INTEGER NOT NULL DEFAULT 0 CHECK (amount_paid >= 0);

UPDATE orders SET amount_paid = COALESCE((
    SELECT SUM(p.amount) FROM payments p
    WHERE p.tenant_id = orders.tenant_id AND p.order_id = orders.id AND p.status = 'paid'
), 0);

-- The orders with money due (store::payments::debts, store::dashboard::owed):
-- few, whatever the size of the history, in the order the list shows them.
CREATE INDEX orders_owed_idx ON orders (tenant_id, deadline)
    WHERE current_stage <> 'cancelled' AND price > amount_paid;

-- The customers list, most recently active first (store::dashboard::customers):
-- with the last-order and last-message indexes, the customers who have
-- neither, by when they were added.
CREATE INDEX customers_idle_idx ON customers (tenant_id, created_at)
    WHERE last_order_at IS NULL AND last_inbound_at IS NULL;
