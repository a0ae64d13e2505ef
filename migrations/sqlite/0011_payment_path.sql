-- Every payment moves its customer's balance; an index on the balance cost every payment a
-- deletion and an insertion in a million-entry B-tree. Lists by balance range (debtors) scan
-- the customers instead: they are reports, not the desk's path. Kept in step with the other
-- backend's 0011.
DROP INDEX IF EXISTS customers_balance;
