-- The name search reads customers whose name starts with what was typed, in name order, from
-- the (name_norm, id) index, and stops after a page. PostgreSQL picks that plan only when it
-- expects many matches; with the default statistics its estimate for a prefix range was off
-- by up to a hundred times at a million customers ("крас": 72 expected, 6,777 there), and it
-- then read every match and sorted them: 30–80 ms instead of 0.2 ms. A finer histogram of the
-- names keeps the estimate within a factor of two, enough for the right plan (measured on two
-- builds of the demo: "ос" 9,407–10,339 for 10,050, "крас" 5,662–5,839 for 6,777, "смир"
-- 1,880–2,908 for 3,440; scripts/pg-plans.sh). SQLite's 0012 is empty: its planner takes the
-- index either way.
ALTER TABLE customers ALTER COLUMN name_norm SET STATISTICS 1000;
ANALYZE customers;
