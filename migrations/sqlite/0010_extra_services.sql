-- Extra services (Carbon CLN_USR_USLUGA_EDIT, UserSide service_add / service_remove): a
-- catalogue with a price per month or per day, and each customer's services with their own
-- price, quantity, comment, enabled flag and next charge date. Kept in step with the other
-- backend's 0010.
CREATE TABLE extra_services (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    period      TEXT NOT NULL CHECK (period IN ('month', 'day')),
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);
CREATE TABLE customer_services (
    id             INTEGER PRIMARY KEY,
    customer_id    INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    service_id     INTEGER NOT NULL REFERENCES extra_services(id),
    -- the customer's own price; the catalogue's when NULL
    price_minor    INTEGER CHECK (price_minor >= 0),
    quantity       INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0),
    comment        TEXT,
    enabled        INTEGER NOT NULL DEFAULT 1,
    next_charge_on TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX customer_services_customer ON customer_services (customer_id, id);
CREATE INDEX customer_services_service ON customer_services (service_id);
