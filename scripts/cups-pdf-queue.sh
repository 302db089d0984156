#!/usr/bin/env bash
# A real print queue for the printing tests: start CUPS and add the cups-pdf virtual printer "neiqin-pdf",
# which writes every job it receives as a PDF (what the tests then measure). Safe to run again; as root or
# through sudo. Installs Debian's cups and printer-driver-cups-pdf when they are missing.
#
#   scripts/cups-pdf-queue.sh              the machine's own CUPS (started if it is not running): CI
#   scripts/cups-pdf-queue.sh --dir DIR    a private cupsd with its configuration, spool and socket in DIR,
#                                          so the machine's printer list is left alone; then
#                                          export CUPS_SERVER=DIR/cups.sock  (printed at the end)
#   scripts/cups-pdf-queue.sh --stop DIR   stop that private cupsd
#
# Jobs land in /var/spool/cups-pdf/neiqin/<user>/ as <title>-job_<id>.pdf (see /etc/cups/cups-pdf-neiqin.conf;
# the queue's device URI cups-pdf:/neiqin selects that file). The tests find the queue with `lpstat -v`.
set -euo pipefail
QUEUE="${NEIQIN_PRINT_QUEUE:-neiqin-pdf}"
OUT=/var/spool/cups-pdf/neiqin
PPD=/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

private=""
case "${1:-}" in
  --dir) private="$(realpath -m "${2:?--dir needs a directory}")" ;;
  --stop)
    dir="$(realpath -m "${2:?--stop needs the directory given to --dir}")"
    if [ -f "$dir/cupsd.pid" ]; then $SUDO kill "$(cat "$dir/cupsd.pid")" 2>/dev/null || true; rm -f "$dir/cupsd.pid"; fi
    exit 0 ;;
  "") ;;
  *) echo "usage: $0 [--dir DIR | --stop DIR]" >&2; exit 2 ;;
esac

need=""
for pkg in cups printer-driver-cups-pdf; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need="$need $pkg"
done
if [ -n "$need" ]; then  # scripts/setup.sh lists them too; CI calls this script first
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
fi
for f in /usr/sbin/cupsd /usr/sbin/lpadmin /usr/lib/cups/backend/cups-pdf "$PPD"; do
  [ -e "$f" ] || { echo "missing $f: install cups and printer-driver-cups-pdf" >&2; exit 1; }
done

# The queue's own cups-pdf settings: a spool folder per user, the job id in every file name, the title kept.
conf="$(mktemp)"
cat >"$conf" <<EOF
# cups-pdf settings of the "$QUEUE" queue (device cups-pdf:/neiqin), written by neiqin's scripts/cups-pdf-queue.sh
Out $OUT/\${USER}
AnonDirName $OUT/ANONYMOUS
Label 2
TitlePref 1
Truncate 128
Grp lp
EOF
$SUDO install -m 0644 "$conf" /etc/cups/cups-pdf-neiqin.conf
rm -f "$conf"
$SUDO install -d -m 0755 "$OUT"

if [ -n "$private" ]; then
  export CUPS_SERVER="$private/cups.sock"
  if ! lpstat -r 2>/dev/null | grep -q "is running"; then
    $SUDO install -d -m 0755 "$private" "$private/etc" "$private/etc/ppd" "$private/log" "$private/cache"
    $SUDO install -d -m 0710 "$private/spool"
    $SUDO install -d -m 1777 "$private/tmp"
    $SUDO install -d -m 0755 "$private/run"
    tmp="$(mktemp -d)"
    cat >"$tmp/cupsd.conf" <<EOF
# private cupsd for neiqin's printing tests: reachable only through this socket
Listen $private/cups.sock
Browsing No
WebInterface No
LogLevel warn
MaxLogSize 1m
PreserveJobHistory Yes
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
EOF
    cat >"$tmp/cups-files.conf" <<EOF
ServerRoot $private/etc
RequestRoot $private/spool
CacheDir $private/cache
StateDir $private/run
TempDir $private/tmp
AccessLog $private/log/access_log
ErrorLog $private/log/error_log
PageLog $private/log/page_log
SystemGroup root lpadmin
EOF
    $SUDO install -m 0644 "$tmp/cupsd.conf" "$tmp/cups-files.conf" "$private/"
    rm -rf "$tmp"
    # in the foreground of its own session, so its pid is known and it outlives this script
    setsid $SUDO /usr/sbin/cupsd -f -c "$private/cupsd.conf" -s "$private/cups-files.conf" \
      </dev/null >>"$private/log/cupsd.out" 2>&1 &
    echo $! | $SUDO tee "$private/cupsd.pid" >/dev/null
  fi
elif ! lpstat -r 2>/dev/null | grep -q "is running"; then
  $SUDO /usr/sbin/cupsd  # no systemd in a container: cupsd runs as its own daemon
fi

for _ in $(seq 1 100); do  # the scheduler takes a moment to open its socket
  lpstat -r 2>/dev/null | grep -q "is running" && break
  sleep 0.1
done
lpstat -r | grep -q "is running" || { echo "cupsd did not start" >&2; exit 1; }

if ! lpstat -v "$QUEUE" 2>/dev/null | grep -q "cups-pdf:/neiqin"; then
  $SUDO env ${CUPS_SERVER:+CUPS_SERVER="$CUPS_SERVER"} lpadmin -p "$QUEUE" -v cups-pdf:/neiqin -P "$PPD" -E \
    -D "neiqin test printer (PDF)" -o printer-error-policy=abort-job 2>&1 | grep -v "deprecated" || true
fi
$SUDO env ${CUPS_SERVER:+CUPS_SERVER="$CUPS_SERVER"} cupsenable "$QUEUE"
$SUDO env ${CUPS_SERVER:+CUPS_SERVER="$CUPS_SERVER"} cupsaccept "$QUEUE"
lpstat -v "$QUEUE"
if [ -n "$private" ]; then
  echo "export CUPS_SERVER=$CUPS_SERVER"
fi
