#!/usr/bin/env bash
# Set up neiqin on a fresh Debian machine: system packages (CJK font, PDF/barcode tools, Qt's xcb libraries,
# CUPS with the cups-pdf virtual printer), a virtualenv in .venv, and the package with its test extras. Safe to
# run again. The printing tests print through a real queue: scripts/cups-pdf-queue.sh adds one (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."
need=""
for pkg in fonts-wqy-zenhei poppler-utils zbar-tools faketime xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 \
           libxkbcommon-x11-0 libxkbcommon0 libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0 \
           cups printer-driver-cups-pdf; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
if [ -n "$need" ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install -q -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import neiqin, PySide6, peewee, reportlab, openpyxl" 
echo "neiqin set up in $(pwd)/.venv"
