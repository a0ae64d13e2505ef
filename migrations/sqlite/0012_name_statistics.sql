-- Kept in step with PostgreSQL's 0012 (a finer histogram of customer names for its planner);
-- SQLite's planner reads name prefixes through the (name_norm, id) index either way.
SELECT 1;
