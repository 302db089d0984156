#!/usr/bin/env bash
# The whole test suite, twice: at the machine's real time, then under libfaketime in the early morning (05:10),
# an hour at which a program that asks the machine for "today" instead of neiqin.clock shows it.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -x -k today`).
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
echo "== pytest at the real time ($(date '+%F %T'))"
.venv/bin/python -m pytest -q "$@"
if ! command -v faketime >/dev/null; then
  echo "faketime is not installed (Debian package faketime; scripts/setup.sh installs it)" >&2
  exit 1
fi
early="$(date +%F) 05:10:00"
echo "== pytest under faketime at $early"
# '@' starts the fake clock there and lets it run (a frozen clock would hang timeouts)
# (each process's fake clock starts at its own launch: tests never compare clock readings across processes)
faketime -f "@$early" .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
