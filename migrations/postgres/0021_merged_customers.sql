-- The customers merged into others, few among many: matching a bank statement's lines reads
-- the agreement, account and name indexes alone and leaves these out by this small index,
-- instead of fetching every matched customer's row (thousands of random reads).
CREATE INDEX customers_merged ON customers (id) WHERE merged_into IS NOT NULL;
