-- Activity counters (UserSide get_activity_counter: net, internet, personal area). The last
-- activity in the personal area joins the two activity dates customers already had; all three
-- are written by edit (an import from the billing or the personal area sets them) and counted
-- through these partial indexes. Kept in step with the other backend's 0007.
ALTER TABLE customers ADD COLUMN date_activity_lk TIMESTAMPTZ;
CREATE INDEX customers_activity ON customers (date_activity) WHERE date_activity IS NOT NULL;
CREATE INDEX customers_activity_inet ON customers (date_activity_inet) WHERE date_activity_inet IS NOT NULL;
CREATE INDEX customers_activity_lk ON customers (date_activity_lk) WHERE date_activity_lk IS NOT NULL;
