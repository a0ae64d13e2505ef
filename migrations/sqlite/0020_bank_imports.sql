-- Payments from banks: statements (1CClientBankExchange) and agents' registries. Every
-- incoming document becomes one line here, once: its identity (our account, number, date,
-- amount, payer's account for a statement; the agent and its transaction id for a registry)
-- is unique, so the same file imported again, or an overlapping one, adds nothing. A line
-- waits (nothing matched, or more than one customer), is proposed (a rule found one customer),
-- accepted by an operator, skipped with a reason, or posted (its payment's operation).
-- Kept in step with the other backend's 0020.
CREATE TABLE bank_imports (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('statement', 'registry')),
    source       TEXT    NOT NULL,
    account      TEXT    NOT NULL,
    imported_at  TEXT NOT NULL,
    operator_id  INTEGER NOT NULL REFERENCES operators(id),
    documents    BIGINT  NOT NULL,
    new_lines    BIGINT  NOT NULL
);

CREATE TABLE bank_lines (
    id             INTEGER PRIMARY KEY,
    import_id      INTEGER NOT NULL REFERENCES bank_imports(id),
    identity       TEXT    NOT NULL UNIQUE,
    doc_number     TEXT    NOT NULL,
    doc_date       TEXT,
    paid_on        TEXT,
    amount_minor   BIGINT  NOT NULL CHECK (amount_minor > 0),
    payer          TEXT    NOT NULL,
    payer_account  TEXT    NOT NULL,
    payer_inn      TEXT    NOT NULL,
    purpose        TEXT    NOT NULL,
    customer_id    INTEGER REFERENCES customers(id),
    rule           TEXT,
    certainty      TEXT    CHECK (certainty IN ('sure', 'likely')),
    state          TEXT    NOT NULL CHECK (state IN ('waiting', 'proposed', 'accepted', 'skipped', 'posted')),
    note           TEXT,
    operation_id   INTEGER REFERENCES ledger(id),
    decided_by     INTEGER REFERENCES operators(id),
    decided_at     TEXT,
    CHECK ((state IN ('proposed', 'accepted', 'posted')) = (customer_id IS NOT NULL)),
    CHECK ((state = 'posted') = (operation_id IS NOT NULL))
);
CREATE INDEX bank_lines_state ON bank_lines (state, id);

-- "This payer is this customer", remembered by an operator: by the payer's account or INN.
CREATE TABLE payer_links (
    payer_key    TEXT    PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    created_by   INTEGER REFERENCES operators(id),
    created_at   TEXT NOT NULL
);
