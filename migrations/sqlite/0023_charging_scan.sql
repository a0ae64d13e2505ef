-- A charging run walks the customers with a tariff in id order to find those whose periods
-- are not decided through the run's day. This partial index holds just what that walk reads
-- (the id and how far the customer is charged), so a run with nothing due reads a few
-- megabytes of index instead of every customer's row. The query names it (INDEXED BY):
-- SQLite would otherwise walk the table by its rowid.
CREATE INDEX customers_charging ON customers (id, charged_through) WHERE NOT is_former AND tariff_id IS NOT NULL;

-- The same walk over the extra services: the customer and the next charge date of each one
-- switched on, in customer order.
CREATE INDEX customer_services_due ON customer_services (customer_id, next_charge_on) WHERE enabled;
