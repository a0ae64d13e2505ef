#!/usr/bin/env bash
# The query plans behind the PostgreSQL search changes of 2026-11-30 (BENCHMARKS.md), on a demo
# database: for each case the plan's steps with the rows PostgreSQL expected and found, and the
# time it took.
#   scripts/pg-plans.sh postgres://postgres@127.0.0.1/kassa_bench
# Nothing is changed: the coarser statistics are tried in a transaction that is rolled back.
# Estimates from a sample differ between ANALYZE runs; which prefixes go wrong with 100 buckets
# differs with them.
set -euo pipefail
url="${1:?a postgres:// URL of a demo database}"
show() {
  grep -E '(Limit|Scan|Sort  |Nested|BitmapAnd|Execution Time)' | grep -v 'Sort Key' \
    | sed -E 's/\(cost=[^ ]+ rows=([0-9]+) width=[0-9]+\)/(expected \1)/; s/actual time=[0-9.]+\.\.([0-9.]+)/\1 ms,/'
}
prefix() {
  echo "SELECT c.id FROM customers c WHERE c.name_norm >= '$1' AND c.name_norm < '$1' || chr(1114111) \
    AND c.is_former = FALSE ORDER BY c.name_norm, c.id LIMIT 100"
}
for p in ос ив пе крас смир; do
  echo "== name prefix '$p', 100 histogram buckets (before migration 0012)"
  psql "$url" -Atq <<SQL | show
BEGIN;
ALTER TABLE customers ALTER COLUMN name_norm SET STATISTICS 100;
ANALYZE customers (name_norm);
EXPLAIN ANALYZE $(prefix "$p");
ROLLBACK;
SQL
  echo "== name prefix '$p', the database's statistics"
  psql "$url" -Atq -c "EXPLAIN ANALYZE $(prefix "$p")" | show
done
# A statement planned the way PostgreSQL plans one it has run a few times (a generic plan).
generic() {
  local sql="$1" args="$2"
  psql "$url" -Atq <<SQL | show
SET plan_cache_mode = force_generic_plan;
PREPARE q AS $sql;
EXPLAIN ANALYZE EXECUTE q($args);
SQL
}
old="SELECT c.id FROM houses h CROSS JOIN customers c WHERE c.house_id = h.id \
  AND h.search_text LIKE \$1 ESCAPE '\\' AND h.number = \$2"
new="WITH hs AS MATERIALIZED (SELECT h.id, h.number FROM houses h \
  WHERE h.search_text LIKE \$1 ESCAPE '\\' AND h.number = \$2) \
  SELECT c.id FROM hs CROSS JOIN customers c WHERE c.house_id = hs.id"
echo "== 'кирова 173', houses joined (before)"
generic "$old AND c.is_former = FALSE ORDER BY h.number, h.id, c.name_norm, c.id LIMIT 20" "'%кирова 173', 173"
echo "== 'кирова 173', houses first (after)"
generic "$new AND c.is_former = FALSE ORDER BY hs.number, hs.id, c.name_norm, c.id LIMIT 20" "'%кирова 173', 173"
echo "== 'карла маркса 45', houses joined, 'карла' through the trigram index (before)"
generic "$old AND c.search_text LIKE \$3 ESCAPE '\\' AND c.is_former = FALSE \
  ORDER BY h.number, h.id, c.name_norm, c.id LIMIT 20" "'%маркса 45', 45, '%карла%'"
echo "== 'карла маркса 45', houses first, 'карла' checked on the house's customers (after)"
generic "$new AND (c.search_text || '') LIKE \$3 ESCAPE '\\' AND c.is_former = FALSE \
  ORDER BY hs.number, hs.id, c.name_norm, c.id LIMIT 20" "'%маркса 45', 45, '%карла%'"
