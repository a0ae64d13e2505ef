-- Charging: one row per customer, item and period decided by a charging run — charged (with its
-- ledger row) or passed over (a paused or stopped customer, and why). The unique key is what
-- makes a run exactly-once: a run killed at any moment and run again, or two runs at once, can
-- never decide a period twice. The tariff is one item (item_id 0) whatever tariff it was, so a
-- change of tariff never charges a period twice. Kept in step with the other backend's 0015.
CREATE TABLE charges (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id   INTEGER NOT NULL REFERENCES customers(id),
    item          TEXT    NOT NULL CHECK (item IN ('tariff', 'service')),
    item_id       INTEGER NOT NULL,
    period_from   TEXT    NOT NULL,
    period_to     TEXT    NOT NULL,
    tariff_id     INTEGER REFERENCES tariffs(id),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor >= 0),
    ledger_id     INTEGER REFERENCES ledger(id),
    passed        TEXT CHECK (passed IN ('pause', 'stop')),
    created_at    TEXT    NOT NULL,
    CHECK (period_from <= period_to),
    UNIQUE (customer_id, item, item_id, period_from)
);
CREATE INDEX charges_ledger ON charges (ledger_id) WHERE ledger_id IS NOT NULL;
