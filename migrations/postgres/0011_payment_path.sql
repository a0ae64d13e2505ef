-- A payment updates its customer's balance. With an index on the balance every such update
-- wrote a new entry into each of the customer table's eighteen indexes (PostgreSQL updates in
-- place, "HOT", only when no indexed column changes and the page has room), which made the
-- balance update the costliest statement of a payment. Lists by balance range (debtors) scan
-- the customers instead; they are reports, not the desk's path. Pages keep 15% free so a
-- balance update stays on its page; a table filled before this migration gets that room as
-- its pages are rewritten (VACUUM FULL customers rewrites them all at once). Kept in step with
-- the other backend's 0011.
DROP INDEX IF EXISTS customers_balance;
ALTER TABLE customers SET (fillfactor = 85);
