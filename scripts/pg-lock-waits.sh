#!/usr/bin/env bash
# What PostgreSQL backends wait on while four separate processes post payments: samples
# pg_stat_activity 40 times, 50 ms apart, and counts wait type, event and state.
#   scripts/pg-lock-waits.sh postgres://postgres@127.0.0.1/kassa_bench
# Needs a release build (cargo build --release --bin kassa-bench) and a demo database. Each
# poster posts POSTS payments (default 5000: enough to outlast the 40 samples at 2,000/s).
set -euo pipefail
url="${1:?a postgres:// URL of a demo database}"
bench="$(dirname "$0")/../target/release/kassa-bench"
db="${url##*/}"
customers="$(psql "$url" -Atc 'SELECT COUNT(*) FROM customers')"
for i in 1 2 3 4; do
  "$bench" --db "$url" post-worker --count "${POSTS:-5000}" --seed "$RANDOM" --max-customer "$customers" > /dev/null &
done
sleep 1.5
for _ in $(seq 1 40); do
  psql "$url" -Atc "SELECT coalesce(wait_event_type, '-') || ':' || coalesce(wait_event, 'cpu') || ':' || state \
    FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid() AND state <> 'idle'"
  sleep 0.05
done | sort | uniq -c | sort -rn
wait
