-- Messages with a customer (UserSide msg, msg_add, msg_add_to_customer): from the customer or
-- from an employee to the customer, kept with an archive flag. Kept in step with the other
-- backend's 0008.
CREATE TABLE customer_messages (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    -- 'customer': written by the customer; 'operator': from an employee to the customer
    direction   TEXT NOT NULL CHECK (direction IN ('customer', 'operator')),
    body        TEXT NOT NULL,
    -- who entered it (for a customer's message: who took it down)
    operator_id INTEGER REFERENCES operators(id),
    created_at  TEXT NOT NULL,
    archived    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX customer_messages_customer ON customer_messages (customer_id, id);
CREATE INDEX customer_messages_created ON customer_messages (created_at);
CREATE INDEX customer_messages_operator ON customer_messages (operator_id, created_at);
