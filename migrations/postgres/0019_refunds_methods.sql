-- Payment methods are a catalogue the administrator keeps (Ubilling's cashtype): each has a
-- short code, the name printed on receipts and in reports, and a kind that decides what kassa
-- does with it (cash goes through the drawer and takes change; cash and card are fiscalised;
-- bank payments carry the bank's document). The four kinds are the first four methods.
-- A ledger row keeps its kind in `method` and, from here on, its catalogue entry in
-- `method_code` (empty on older rows: the entry whose code is the kind).
-- Kept in step with the other backend's 0019.
CREATE TABLE payment_methods (
    code      TEXT    PRIMARY KEY,
    name      TEXT    NOT NULL UNIQUE,
    kind      TEXT    NOT NULL CHECK (kind IN ('cash', 'card', 'bank', 'terminal')),
    active    BOOLEAN NOT NULL DEFAULT TRUE,
    position  BIGINT  NOT NULL
);
INSERT INTO payment_methods (code, name, kind, position) VALUES
    ('cash', 'Наличные', 'cash', 1),
    ('card', 'Банковская карта', 'card', 2),
    ('bank', 'Банковский перевод', 'bank', 3),
    ('terminal', 'Платёжный терминал', 'terminal', 4);
ALTER TABLE ledger ADD COLUMN method_code TEXT REFERENCES payment_methods(code);

-- A partial refund gives back part of a payment: a reversal row pointing at the payment by
-- `refund_of` (a payment may have several; their sum never passes the payment), numbered by
-- the cash-out order (РКО) sequence, which has no gaps: the number is taken in the refund's
-- own transaction.
ALTER TABLE ledger ADD COLUMN refund_of BIGINT REFERENCES ledger(id);
ALTER TABLE ledger ADD COLUMN rko_number BIGINT;
CREATE INDEX ledger_refunds ON ledger (refund_of) WHERE refund_of IS NOT NULL;
CREATE UNIQUE INDEX ledger_rko ON ledger (rko_number) WHERE rko_number IS NOT NULL;
INSERT INTO counters (name, value) VALUES ('rko', 0);

-- the reports group by the catalogue entry and count a bank payment on the day it was paid:
-- the covering index covers both
DROP INDEX ledger_money_in;
CREATE INDEX ledger_money_in
    ON ledger (created_at, kind, method, method_code, amount_minor, desk, operator_id, paid_on)
    WHERE kind IN ('payment', 'reversal');
-- a bank payment counts on the day it was paid: the report reads those by that day
CREATE INDEX ledger_paid_on ON ledger (paid_on, kind, method, method_code, amount_minor, desk, operator_id)
    WHERE paid_on IS NOT NULL;
