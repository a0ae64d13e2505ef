-- kassa schema, SQLite. Kept in step with ../postgres/0001_foundation.sql:
-- the same tables, columns and meanings; only the types and the search index differ.
-- Money is INTEGER minor units (kopecks); timestamps are UTC text written by the service.

CREATE TABLE operators (
    id              INTEGER PRIMARY KEY,
    login           TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('admin', 'cashier', 'noc', 'viewer')),
    password_hash   TEXT    NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1,
    failed_logins   INTEGER NOT NULL DEFAULT 0,
    locked_until    TEXT,
    created_at      TEXT    NOT NULL
);

CREATE TABLE customer_groups (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE marks (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL UNIQUE,
    color TEXT NOT NULL DEFAULT 'yellow'
);

CREATE TABLE tariffs (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    period      TEXT    NOT NULL CHECK (period IN ('month', 'day')),
    active      INTEGER NOT NULL DEFAULT 1,
    -- offered to every customer; otherwise only through tariff_transitions
    public      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT    NOT NULL
);

-- When a tariff has rows here, its customers may switch only to these tariffs.
CREATE TABLE tariff_transitions (
    from_tariff_id INTEGER NOT NULL REFERENCES tariffs(id) ON DELETE CASCADE,
    to_tariff_id   INTEGER NOT NULL REFERENCES tariffs(id) ON DELETE CASCADE,
    PRIMARY KEY (from_tariff_id, to_tariff_id)
);

CREATE TABLE houses (
    id           INTEGER PRIMARY KEY,
    country      TEXT NOT NULL DEFAULT '',
    region       TEXT NOT NULL DEFAULT '',
    city         TEXT NOT NULL,
    street       TEXT NOT NULL,
    number       INTEGER NOT NULL CHECK (number > 0),
    letter       TEXT NOT NULL DEFAULT '',
    postcode     TEXT NOT NULL DEFAULT '',
    connect_date TEXT,
    ip_pool_id   INTEGER,
    -- normalised "street number letter" (ул. ленина 5а), written by the store: address search
    search_text  TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    UNIQUE (city, street, number, letter)
);

CREATE TABLE customers (
    id                  INTEGER PRIMARY KEY,
    name                TEXT    NOT NULL,
    name_norm           TEXT    NOT NULL,
    is_corporate        INTEGER NOT NULL DEFAULT 0,
    is_potential        INTEGER NOT NULL DEFAULT 0,
    is_former           INTEGER NOT NULL DEFAULT 0,
    state               INTEGER NOT NULL DEFAULT 2 CHECK (state IN (0, 1, 2)),
    agreement_number    TEXT UNIQUE,
    agreement_date      TEXT,
    account_number      TEXT UNIQUE,
    house_id            INTEGER REFERENCES houses(id),
    entrance            TEXT,
    floor               TEXT,
    apartment           TEXT,
    phone0              TEXT,
    phone1              TEXT,
    phone2              TEXT,
    phone3              TEXT,
    phone4              TEXT,
    email               TEXT,
    login               TEXT UNIQUE,
    group_id            INTEGER REFERENCES customer_groups(id),
    manager_id          INTEGER REFERENCES operators(id),
    parent_id           INTEGER REFERENCES customers(id),
    comment             TEXT,
    date_connect        TEXT,
    date_activity       TEXT,
    date_activity_inet  TEXT,
    tariff_id           INTEGER REFERENCES tariffs(id),
    balance_minor       INTEGER NOT NULL DEFAULT 0,
    credit_limit_minor  INTEGER NOT NULL DEFAULT 0 CHECK (credit_limit_minor >= 0),
    billing_id          INTEGER,
    billing_uid         TEXT,
    codeti              TEXT,
    lk_password_hash    TEXT,
    -- normalised (lower case, ё→е, NFC) name, address, login, e-mail, numbers: written by the service
    search_text         TEXT    NOT NULL,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);
CREATE INDEX customers_name_norm ON customers (name_norm);
CREATE INDEX customers_house ON customers (house_id, apartment);
CREATE INDEX customers_tariff ON customers (tariff_id);
CREATE INDEX customers_email ON customers (email) WHERE email IS NOT NULL;
CREATE INDEX customers_phone0 ON customers (phone0) WHERE phone0 IS NOT NULL;
CREATE INDEX customers_phone1 ON customers (phone1) WHERE phone1 IS NOT NULL;
CREATE INDEX customers_phone2 ON customers (phone2) WHERE phone2 IS NOT NULL;
CREATE INDEX customers_phone3 ON customers (phone3) WHERE phone3 IS NOT NULL;
CREATE INDEX customers_phone4 ON customers (phone4) WHERE phone4 IS NOT NULL;
CREATE INDEX customers_billing_uid ON customers (billing_uid) WHERE billing_uid IS NOT NULL;
CREATE INDEX customers_codeti ON customers (codeti) WHERE codeti IS NOT NULL;
CREATE INDEX customers_balance ON customers (balance_minor);

-- Substring search over search_text: FTS5 with the trigram tokenizer, kept in step by triggers.
CREATE VIRTUAL TABLE customer_search USING fts5(
    search_text, content = 'customers', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER customers_search_ai AFTER INSERT ON customers BEGIN
    INSERT INTO customer_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER customers_search_ad AFTER DELETE ON customers BEGIN
    INSERT INTO customer_search (customer_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER customers_search_au AFTER UPDATE OF search_text ON customers BEGIN
    INSERT INTO customer_search (customer_search, rowid, search_text)
        VALUES ('delete', old.id, old.search_text);
    INSERT INTO customer_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TABLE customer_marks (
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    mark_id     INTEGER NOT NULL REFERENCES marks(id),
    PRIMARY KEY (customer_id, mark_id)
);

-- IP and MAC addresses of customers (managed by the network operations).
CREATE TABLE customer_ips (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    ip          TEXT UNIQUE,
    mac         TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX customer_ips_customer ON customer_ips (customer_id);
CREATE INDEX customer_ips_mac ON customer_ips (mac) WHERE mac IS NOT NULL;

CREATE TABLE scheduled_tariff_changes (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    tariff_id   INTEGER NOT NULL REFERENCES tariffs(id),
    effective_on TEXT   NOT NULL,
    created_by  INTEGER REFERENCES operators(id),
    created_at  TEXT    NOT NULL,
    applied_at  TEXT
);
CREATE UNIQUE INDEX scheduled_tariff_changes_pending
    ON scheduled_tariff_changes (customer_id) WHERE applied_at IS NULL;

CREATE TABLE ledger (
    id                    INTEGER PRIMARY KEY,
    customer_id           INTEGER NOT NULL REFERENCES customers(id),
    kind                  TEXT    NOT NULL CHECK (kind IN ('payment', 'charge', 'correction', 'reversal')),
    amount_minor          INTEGER NOT NULL CHECK (amount_minor <> 0),
    balance_before_minor  INTEGER NOT NULL,
    balance_after_minor   INTEGER NOT NULL,
    method                TEXT CHECK (method IN ('cash', 'card', 'bank', 'terminal')),
    receipt_number        TEXT,
    comment               TEXT,
    operator_id           INTEGER REFERENCES operators(id),
    created_at            TEXT    NOT NULL,
    reverses_id           INTEGER REFERENCES ledger(id),
    idempotency_key       TEXT,
    CHECK (balance_after_minor = balance_before_minor + amount_minor)
);
CREATE INDEX ledger_customer ON ledger (customer_id, id);
CREATE UNIQUE INDEX ledger_receipt ON ledger (receipt_number) WHERE receipt_number IS NOT NULL;
CREATE UNIQUE INDEX ledger_reverses ON ledger (reverses_id) WHERE reverses_id IS NOT NULL;
-- partial: the millions of operations posted without a key cost nothing here
CREATE UNIQUE INDEX ledger_idempotency ON ledger (idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Named sequences, such as the next receipt (ПКО) number.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('receipt', 0), ('agreement', 0);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    operator_id    INTEGER REFERENCES operators(id),
    operator_login TEXT NOT NULL,
    origin         TEXT NOT NULL,
    action         TEXT NOT NULL,
    entity         TEXT NOT NULL,
    entity_id      INTEGER,
    before_json    TEXT,
    after_json     TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
