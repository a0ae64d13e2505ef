-- Blocked for debt: a customer whose balance + credit limit + active promised payment falls
-- below zero, kept apart from the state an operator sets (stop, pause). One row per block: when
-- it began and the operation that caused it, when it was lifted and the operation that lifted
-- it — the customer's history of blocks. At most one block is open per customer. Kept in step
-- with the other backend's 0016.
CREATE TABLE debt_blocks (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id      INTEGER NOT NULL REFERENCES customers(id),
    blocked_at       TEXT    NOT NULL,
    blocked_by       INTEGER REFERENCES ledger(id),
    -- balance + credit + promise when it began (minor units), below zero
    available_minor  INTEGER NOT NULL,
    unblocked_at     TEXT,
    unblocked_by     INTEGER REFERENCES ledger(id)
);
CREATE UNIQUE INDEX debt_blocks_open ON debt_blocks (customer_id) WHERE unblocked_at IS NULL;
CREATE INDEX debt_blocks_customer ON debt_blocks (customer_id, id);
