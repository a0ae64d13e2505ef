-- A charging run walks the extra services in customer order for those whose next charge date
-- has come: this index holds just the customer and the date of each service switched on.
--
-- SQLite's 0023 also adds an index for the walk over the customers; PostgreSQL gets none: an
-- index holding charged_through would make every charging update of a customer's row a
-- non-HOT one (a new entry in each of the table's indexes), which costs a run more than the
-- walk it would save.
CREATE INDEX customer_services_due ON customer_services (customer_id, next_charge_on) WHERE enabled;
