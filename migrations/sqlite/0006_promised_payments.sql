-- Promised payments (Carbon WEB_USER_PROMISE_PAY): an amount the customer may spend for a few
-- days before paying. Never a ledger row: the balance does not move; while active the amount
-- counts towards what the customer may spend, and it ends by itself at expires_at.
-- Kept in step with ../postgres/0006_promised_payments.sql.
CREATE TABLE promised_payments (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    days         INTEGER NOT NULL CHECK (days > 0),
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    -- set when it ended: at expires_at, written by the expiry run
    ended_at     TEXT,
    operator_id  INTEGER REFERENCES operators(id)
);
CREATE INDEX promised_payments_customer ON promised_payments (customer_id, id);
CREATE INDEX promised_payments_due ON promised_payments (expires_at) WHERE ended_at IS NULL;
-- one active promise per customer, even when two desks ask at once
CREATE UNIQUE INDEX promised_payments_active ON promised_payments (customer_id) WHERE ended_at IS NULL;
