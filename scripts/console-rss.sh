#!/usr/bin/env bash
# Resident memory of the real console on a database: runs the release binary in an 80x24 tmux
# pane, logs in as the demo cashier, runs four searches, opens a card, two pages of history
# and the tariff screen, then prints VmHWM and VmRSS of the kassa process and quits it.
#
#   scripts/console-rss.sh /tmp/bench.db        (or a postgres:// URL)
set -euo pipefail
db="${1:?usage: scripts/console-rss.sh DATABASE}"
cd "$(dirname "$0")/.."
cargo build --release --bin kassa >/dev/null
socket="kassa-rss-$$"
t() { tmux -L "$socket" "$@"; }
trap 't kill-server 2>/dev/null || true' EXIT
t new-session -d -s rss -x 80 -y 24 "LANG=ru_RU.UTF-8 ./target/release/kassa --db '$db'; sleep 5"
wait_for() {
  for _ in $(seq 1 200); do
    t capture-pane -p -t rss | grep -q "$1" && return 0
    sleep 0.05
  done
  echo "never shown: $1" >&2
  t capture-pane -p -t rss >&2
  exit 1
}
wait_for "Оператор"
t send-keys -t rss cashier Enter kassa Enter
wait_for "Поиск абонента"
for q in "Иванов" "Ленина 5" "кузн" "10001"; do
  t send-keys -t rss C-u "$q"
  sleep 1
done
wait_for "10001 "
t send-keys -t rss Enter
wait_for "Лицевой счёт"
t send-keys -t rss h
wait_for "Приход / расход"
t send-keys -t rss PageDown
sleep 0.5
t send-keys -t rss Escape
wait_for "Лицевой счёт"
t send-keys -t rss t
wait_for "Смена тарифа"
pid="$(pgrep -P "$(t display -p -t rss '#{pane_pid}')" -x kassa)"
grep -E "VmHWM|VmRSS" "/proc/$pid/status"
t send-keys -t rss Escape F10
