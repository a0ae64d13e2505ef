-- The cash desk. A shift is one cashier's working period at one desk: it opens with the cash
-- counted in the drawer and closes with a blind count (typed before the expected sum is
-- shown); what was expected is kept beside what was counted. At most one shift is open per
-- desk. Cash taken in or out of the drawer during a shift (внесение/изъятие) is a cash move
-- with its reason. A payment records the desk it was taken at, the shift it belongs to (cash
-- needs one) and, for cash, what the customer handed over (the change is the difference).
-- Kept in step with the other backend's 0018.
CREATE TABLE shifts (
    id                   INTEGER PRIMARY KEY,
    desk                 TEXT    NOT NULL,
    operator_id          INTEGER NOT NULL REFERENCES operators(id),
    opened_at            TEXT    NOT NULL,
    opening_cash_minor   INTEGER NOT NULL CHECK (opening_cash_minor >= 0),
    closed_at            TEXT,
    closed_by            INTEGER REFERENCES operators(id),
    counted_cash_minor   INTEGER CHECK (counted_cash_minor >= 0),
    expected_cash_minor  INTEGER,
    CHECK ((closed_at IS NULL) = (counted_cash_minor IS NULL)),
    CHECK ((closed_at IS NULL) = (expected_cash_minor IS NULL))
);
CREATE UNIQUE INDEX shifts_open ON shifts (desk) WHERE closed_at IS NULL;
CREATE INDEX shifts_desk ON shifts (desk, id);

CREATE TABLE cash_moves (
    id            INTEGER PRIMARY KEY,
    shift_id      INTEGER NOT NULL REFERENCES shifts(id),
    kind          TEXT    NOT NULL CHECK (kind IN ('in', 'out')),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    reason        TEXT    NOT NULL,
    operator_id   INTEGER NOT NULL REFERENCES operators(id),
    created_at    TEXT    NOT NULL
);
CREATE INDEX cash_moves_shift ON cash_moves (shift_id, id);

ALTER TABLE ledger ADD COLUMN desk TEXT;
ALTER TABLE ledger ADD COLUMN shift_id INTEGER REFERENCES shifts(id);
ALTER TABLE ledger ADD COLUMN received_minor INTEGER CHECK (received_minor > 0);
CREATE INDEX ledger_shift ON ledger (shift_id, id) WHERE shift_id IS NOT NULL;
-- the payments of a period, for the reports by day, desk, cashier and method: covering, so a
-- month's report reads the index alone (measured: 485 ms → 82 ms for 80 000 payments)
CREATE INDEX ledger_money_in ON ledger (created_at, kind, method, amount_minor, desk, operator_id)
    WHERE kind IN ('payment', 'reversal');

-- Fiscal receipts (54-ФЗ) are the online cash register's: every cash or card payment is
-- queued here for the configured command, which answers with the fiscal document's number.
-- A failed attempt stays pending with its error, retried on the next payment and by
-- `kassa fiscal retry`; nothing is lost when the register is down.
CREATE TABLE fiscal_queue (
    operation_id   INTEGER PRIMARY KEY REFERENCES ledger(id),
    state          TEXT    NOT NULL CHECK (state IN ('pending', 'done')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    fiscal_number  TEXT,
    queued_at      TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    -- a desk running the command holds the row until then: two desks never run it twice
    claimed_until  TEXT,
    CHECK ((state = 'done') = (fiscal_number IS NOT NULL))
);
CREATE INDEX fiscal_queue_pending ON fiscal_queue (operation_id) WHERE state = 'pending';

-- A bank payment as the bank tells it: the day it was paid (an administrator may post it
-- back-dated, never ahead), the bank document's number and date, and the payer.
ALTER TABLE ledger ADD COLUMN paid_on TEXT;
ALTER TABLE ledger ADD COLUMN document_number TEXT;
ALTER TABLE ledger ADD COLUMN document_date TEXT;
ALTER TABLE ledger ADD COLUMN payer TEXT;
