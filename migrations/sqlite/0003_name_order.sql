-- Kept in step with PostgreSQL's 0003: there the name index gained the id so that name search
-- reads its order off the index. SQLite's index on name_norm ends with the rowid (the id)
-- already, so it stays as it is.
CREATE INDEX IF NOT EXISTS customers_name_norm ON customers (name_norm);
