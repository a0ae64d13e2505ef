-- The history of a customer's working state (stop / pause / active) and of moves to the former
-- customers and back (UserSide state_change, to_ex, to_normal).
CREATE TABLE customer_state_history (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    -- 'state': from/to are 0 stop, 1 pause, 2 active; 'former': from/to are 0 or 1
    kind        TEXT    NOT NULL CHECK (kind IN ('state', 'former')),
    from_value  INTEGER NOT NULL,
    to_value    INTEGER NOT NULL,
    operator_id INTEGER REFERENCES operators(id),
    changed_at  TEXT    NOT NULL
);
CREATE INDEX customer_state_history_customer ON customer_state_history (customer_id, id);
