#!/usr/bin/env bash
# The whole test suite, twice: at the machine's real time, then under libfaketime in the early morning (05:10),
# an hour at which a program that asks the machine for "today" instead of neiqin.clock shows it.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -x -k today`).
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
# Two workers (pytest-xdist) for everything but the tests that print through the one real CUPS queue, which run
# one after another (they find their jobs in the queue's shared output folder).
run_suite() {
  local parallel=(-n 2)
  .venv/bin/python -c "import xdist" 2>/dev/null || parallel=()
  allow_empty "$@" -m "not cups_queue" "${parallel[@]}" && allow_empty "$@" -m cups_queue
}
allow_empty() {  # pytest says 5 when a -k of the caller's leaves one of the two parts without a test
  local rc=0
  "$@" || rc=$?
  [ "$rc" -eq 0 ] || [ "$rc" -eq 5 ]
}
echo "== pytest at the real time ($(date '+%F %T'))"
run_suite .venv/bin/python -m pytest -q "$@"
if ! command -v faketime >/dev/null; then
  echo "faketime is not installed (Debian package faketime; scripts/setup.sh installs it)" >&2
  exit 1
fi
early="$(date +%F) 05:10:00"
echo "== pytest under faketime at $early"
# '@' starts the fake clock there and lets it run (a frozen clock would hang timeouts)
# (each process's fake clock starts at its own launch: tests never compare clock readings across processes)
run_suite faketime -f "@$early" .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
