-- Discounts, tax rules and a tariff's fee for a pause (issue 16). A discount takes a percentage
-- (in hundredths of a percent) off what a charge is for — a tariff, a service, or everything —
-- from one day to another, for one customer or for a group; where several apply, the highest
-- priority wins. A tax rule is the rate of tax included in the charges of one kind of item.
-- Every charge keeps the discount it got and the tax it carried, so a later change of either
-- never rewrites what was charged. Kept in step with the other backend's 0017.
CREATE TABLE discounts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  INTEGER REFERENCES customers(id),
    group_id     INTEGER REFERENCES customer_groups(id),
    percent_bp   INTEGER NOT NULL CHECK (percent_bp > 0 AND percent_bp <= 10000),
    applies_to   TEXT    NOT NULL CHECK (applies_to IN ('all', 'tariff', 'service')),
    -- one tariff or one catalogue service; none: every one of that kind
    item_id      INTEGER,
    valid_from   TEXT    NOT NULL,
    valid_to     TEXT,
    priority     INTEGER NOT NULL DEFAULT 0,
    comment      TEXT    NOT NULL DEFAULT '',
    created_at   TEXT    NOT NULL,
    created_by   INTEGER REFERENCES operators(id),
    CHECK ((customer_id IS NULL) <> (group_id IS NULL)),
    CHECK (valid_to IS NULL OR valid_from <= valid_to),
    CHECK (applies_to <> 'all' OR item_id IS NULL)
);
CREATE INDEX discounts_customer ON discounts (customer_id) WHERE customer_id IS NOT NULL;
CREATE INDEX discounts_group ON discounts (group_id) WHERE group_id IS NOT NULL;

CREATE TABLE tax_rules (
    item        TEXT    PRIMARY KEY CHECK (item IN ('tariff', 'service')),
    name        TEXT    NOT NULL,
    rate_bp     INTEGER NOT NULL CHECK (rate_bp >= 0 AND rate_bp <= 10000),
    updated_at  TEXT    NOT NULL,
    updated_by  INTEGER REFERENCES operators(id)
);

ALTER TABLE charges ADD COLUMN price_minor INTEGER;
ALTER TABLE charges ADD COLUMN discount_id INTEGER REFERENCES discounts(id);
ALTER TABLE charges ADD COLUMN discount_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE charges ADD COLUMN tax_rate_bp INTEGER;
ALTER TABLE charges ADD COLUMN tax_minor INTEGER NOT NULL DEFAULT 0;
-- given back when the period was cut short by a change of tariff (the ledger operation took
-- amount + credited)
ALTER TABLE charges ADD COLUMN credited_minor INTEGER NOT NULL DEFAULT 0;

-- charged while the customer is paused, per period; none: a pause is not charged
ALTER TABLE tariffs ADD COLUMN pause_price_minor INTEGER CHECK (pause_price_minor >= 0);

-- The last day of the last tariff period decided for each customer: MAX(charges.period_to),
-- kept in the transaction that decides a period, so a run finds who is due by reading the
-- customers alone (at a million customers, a read of `charges` per batch was most of a run).
-- The unique key on `charges` still decides what is charged: a stale value here could only
-- make a run look at a customer for nothing.
ALTER TABLE customers ADD COLUMN charged_through TEXT;
UPDATE customers SET charged_through = (SELECT MAX(ch.period_to) FROM charges ch
    WHERE ch.customer_id = customers.id AND ch.item = 'tariff' AND ch.item_id = 0);

-- Nothing looks a charge up by its ledger row (kept in step with the other backend's 0017).
DROP INDEX charges_ledger;
