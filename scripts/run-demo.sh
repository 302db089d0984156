#!/usr/bin/env bash
# Start neiqin on a demo database (created on first run) in ~/neiqin-demo, or in $1.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-$HOME/neiqin-demo}
if [ ! -f "$dir/neiqin.sqlite" ]; then
  .venv/bin/python -m neiqin --data-dir "$dir" demo --rows 3000
fi
exec .venv/bin/python -m neiqin --data-dir "$dir"
