#!/usr/bin/env bash
# Build the one-folder bundle dist/neiqin/ with PyInstaller (build.spec) and smoke-test the frozen programs:
# demo data, a printed register (checked with pdftotext/pdffonts), an Excel export (opened with openpyxl), and
# the window started offscreen for a few seconds (it must keep running, hold the data-dir lock, log no error).
# Not part of the test suite (a build takes ~30 s). Run from anywhere:  bash scripts/build_and_smoke.sh
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/pyinstaller ] || .venv/bin/python -m pip install -q pyinstaller

start=$(date +%s.%N)
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN --workpath build --distpath dist build.spec 2>&1 \
  | grep -v -e "required via ctypes not found" -e "Ignoring icon" -e "libgdk-3" -e "libgtk-3" || true
build_s=$(echo "$(date +%s.%N) - $start" | bc)
app=dist/neiqin/neiqin
cli=dist/neiqin/neiqin-cli
[ -x "$app" ] && [ -x "$cli" ] || { echo "FAIL: $app or $cli was not built"; exit 1; }

echo "== modules that are only imported by name at run time are in the bundle"
.venv/bin/pyi-archive_viewer -r -b "$app" >build/archive.txt 2>/dev/null || true
for m in reportlab.graphics.barcode.code128 reportlab.graphics.barcode.qr reportlab.graphics.barcode.eanbc \
         reportlab.pdfbase._fontdata_widths_courier pypinyin.phrases_dict platformdirs.windows \
         cryptography.hazmat.primitives.kdf.scrypt cryptography.hazmat.primitives.ciphers.aead; do
  grep -qx " *$m" build/archive.txt || { echo "FAIL: $m is missing from the bundle"; exit 1; }
done
[ -f dist/neiqin/_internal/pypinyin/phrases_dict.json ] || { echo "FAIL: pypinyin data files missing"; exit 1; }
ls dist/neiqin/_internal/_rl_accel*.so >/dev/null 2>&1 || { echo "FAIL: reportlab's _rl_accel is missing"; exit 1; }
if find dist/neiqin/_internal -xtype l | grep -q .; then
  find dist/neiqin/_internal -xtype l; echo "FAIL: dangling symlinks in the bundle"; exit 1
fi

tmp=$(mktemp -d)
gui_pid=""
cleanup() { [ -n "$gui_pid" ] && kill "$gui_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; [ -d "$tmp/data/logs" ] && tail -n 30 "$tmp"/data/logs/*.log; exit 1; }
data="$tmp/data"

echo "== demo data"
"$app" --data-dir "$data" demo --rows 200 || fail "demo exited $?"

echo "== printed register"
"$app" --data-dir "$data" print visitors "$tmp/x.pdf" || fail "print exited $?"
pdftotext -layout "$tmp/x.pdf" "$tmp/x.txt"  # to a file: `pdftotext | grep -q` dies of SIGPIPE under pipefail
grep -q "来访登记簿" "$tmp/x.txt" || fail "来访登记簿 not in the PDF text"
pdffonts "$tmp/x.pdf" >"$tmp/fonts.txt"
awk 'NR>2 && $0 !~ / yes +yes +yes/ {bad=1} END {exit bad}' "$tmp/fonts.txt" \
  || { cat "$tmp/fonts.txt"; fail "a font in the PDF is not embedded as a subset"; }
echo "   $(grep -c . "$tmp/x.txt") lines of text, fonts: $(awk 'NR>2 {print $1}' "$tmp/fonts.txt" | sort -u | tr '\n' ' ')"

echo "== Excel export (console program)"
"$cli" --data-dir "$data" export visitors "$tmp/x.xlsx" || fail "export exited $?"
.venv/bin/python - "$tmp/x.xlsx" <<'PY' || fail "the exported workbook does not read back"
import sys
from openpyxl import load_workbook
ws = load_workbook(sys.argv[1], read_only=True).worksheets[0]
rows = list(ws.iter_rows(values_only=True))
assert rows[0][0] == "日期" and len(rows) >= 200, (rows[0], len(rows))
print(f"   {len(rows) - 1} rows, header {rows[0][:3]}")
PY

echo "== window, offscreen, 8 s"
QT_QPA_PLATFORM=offscreen "$app" --data-dir "$data" >"$tmp/gui.out" 2>&1 &
gui_pid=$!
sleep 5
kill -0 "$gui_pid" 2>/dev/null || { cat "$tmp/gui.out"; fail "the window exited early"; }
# the running window holds the data-dir lock: a writing command must be refused
if "$cli" --data-dir "$data" demo --rows 1 >"$tmp/locked.out" 2>&1; then
  fail "a second program could write while the window was open"
fi
grep -q "已在使用" "$tmp/locked.out" || { cat "$tmp/locked.out"; fail "unexpected refusal message"; }
sleep 3
kill -0 "$gui_pid" 2>/dev/null || { cat "$tmp/gui.out"; fail "the window died"; }
kill "$gui_pid"; wait "$gui_pid" 2>/dev/null || true; gui_pid=""
if grep -q -e "Traceback" -e "unexpected error" "$data"/logs/*.log; then fail "errors in the log"; fi
if grep -q -i -e "Traceback" -e "could not load the Qt platform plugin" "$tmp/gui.out"; then
  cat "$tmp/gui.out"; fail "errors on the window's stderr"
fi

# The real X11 platform plugin too (what a Linux desktop uses), when Xvfb and the X tools are installed
# (scripts/setup.sh installs them): the main window (its title carries the organisation name, which an error
# box's title would not) must appear; a screenshot is kept in build/ for a human to look at.
if command -v xvfb-run >/dev/null && command -v xwininfo >/dev/null && command -v import >/dev/null; then
  echo "== window under Xvfb (xcb)"
  xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
    start=$(date +%s.%N)
    QT_QPA_PLATFORM=xcb "$0" --data-dir "$1" >"$2/xcb.out" 2>&1 & pid=$!
    for i in $(seq 100); do
      sleep 0.1
      xwininfo -root -tree | grep -q "内勤台账 — .*有限公司" && break
    done
    printf "   main window mapped after %.2f s\n" "$(echo "$(date +%s.%N) - $start" | bc)"
    sleep 1.5
    xwininfo -root -tree >"$2/tree.txt"
    import -window root build/smoke-window.png
    kill $pid; wait $pid 2>/dev/null; true' "$app" "$data" "$tmp"
  grep -q "内勤台账 — .*有限公司" "$tmp/tree.txt" || { cat "$tmp/xcb.out"; fail "no main window under Xvfb"; }
  colours=$(identify -format "%k" build/smoke-window.png)
  [ "$colours" -gt 50 ] || fail "the screenshot looks blank ($colours colours)"
  echo "   screenshot build/smoke-window.png ($colours colours)"
fi

size=$(du -sh dist/neiqin | cut -f1)
printf "OK: bundle dist/neiqin %s, built in %.0f s\n" "$size" "$build_s"
