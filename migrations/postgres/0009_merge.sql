-- Merging customers (UserSide merge): the secondary's balance moves to the main customer by two
-- ledger operations, the second linked to the first; never by editing a row. Kept in step with
-- the other backend's 0009.
ALTER TABLE ledger ADD COLUMN linked_id BIGINT REFERENCES ledger(id);
CREATE UNIQUE INDEX ledger_linked ON ledger (linked_id) WHERE linked_id IS NOT NULL;
