-- The customer a merged customer went into: money for the merged one is refused, naming it.
-- Kept in step with the other backend's 0013.
ALTER TABLE customers ADD COLUMN merged_into BIGINT REFERENCES customers(id) ON DELETE SET NULL;
UPDATE customers SET merged_into = (
    SELECT m.customer_id FROM ledger s JOIN ledger m ON m.linked_id = s.id
    WHERE s.customer_id = customers.id ORDER BY s.id DESC LIMIT 1)
WHERE is_former AND EXISTS (
    SELECT 1 FROM ledger s JOIN ledger m ON m.linked_id = s.id WHERE s.customer_id = customers.id);
