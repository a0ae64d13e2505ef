-- Tokens for scripts: a random secret shown once, kept only as its SHA-256 (a 256-bit random
-- secret needs no slow hash). A token acts as its operator, with the operator's role and state
-- as they are at each call.
CREATE TABLE api_tokens (
    id              INTEGER PRIMARY KEY,
    operator_id     INTEGER NOT NULL REFERENCES operators (id),
    name            TEXT    NOT NULL,
    secret_sha256   TEXT    NOT NULL UNIQUE,
    created_at      TEXT    NOT NULL,
    created_by      INTEGER NOT NULL REFERENCES operators (id),
    expires_at      TEXT,
    last_used_at    TEXT,
    revoked_at      TEXT,
    revoked_by      INTEGER REFERENCES operators (id)
);
CREATE INDEX api_tokens_operator ON api_tokens (operator_id);

-- SSH public keys an operator may log in to `kassa serve` with.
CREATE TABLE operator_keys (
    id              INTEGER PRIMARY KEY,
    operator_id     INTEGER NOT NULL REFERENCES operators (id),
    algorithm       TEXT    NOT NULL,
    -- the key as an authorized_keys line has it, without the comment
    public_key      TEXT    NOT NULL UNIQUE,
    fingerprint     TEXT    NOT NULL,
    comment         TEXT    NOT NULL,
    added_at        TEXT    NOT NULL,
    added_by        INTEGER NOT NULL REFERENCES operators (id)
);
CREATE INDEX operator_keys_operator ON operator_keys (operator_id);
