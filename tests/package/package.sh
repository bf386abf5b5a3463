#!/usr/bin/env bash
# Install and package (docs/operations.md "Install"): the build installed into a scratch prefix
# and moved elsewhere runs decide, import and serve from another folder using only installed
# files (strace: no file of the source tree is touched); the man pages render; the bash
# completion completes commands, subcommands, options and request ids; the .deb (CPack) holds
# the right files, dependencies, conffile and maintainer scripts; the systemd units verify, are
# rated by `systemd-analyze security`, and the server's system calls under a sign-in and the
# API all lie inside the unit's SystemCallFilter.
set -euo pipefail
source "$CUST_SOURCE_DIR/tests/integration/lib/common.sh"
for tool in strace dpkg-deb cpack systemd-analyze man curl node jq; do
  command -v $tool >/dev/null || fail "$tool is needed (scripts/bootstrap installs it)"
done
SRC=$(realpath "$CUST_SOURCE_DIR")
BUILD=$(realpath "$CUST_BUILD_DIR")
TOTP="node $SRC/tests/browser/totp.mjs"
unset CUSTODIAN_POLICIES CUSTODIAN_KEY_FILE

# --- install into a scratch prefix, then move the tree: it must not care where it is
cmake --install "$BUILD" --prefix "$T/first" >"$T/install.log" 2>&1 || {
  cat "$T/install.log" >&2
  fail "cmake --install"
}
mv "$T/first" "$T/opt"
P="$T/opt"
for f in bin/custodian share/custodian/policies/us-ca.policy \
  share/custodian/policies/calendars/us-federal-holidays.csv \
  share/custodian/policies/desk/duty-deadlines.csv share/custodian/templates/notices \
  share/custodian/node_modules/@uswds/uswds/dist/css/uswds.min.css \
  share/custodian/node_modules/@uswds/uswds/dist/js/uswds.min.js \
  share/man/man1/custodian.1.gz share/man/man1/custodian-request.1.gz \
  share/bash-completion/completions/custodian lib/systemd/system/custodian.service \
  lib/systemd/system/custodian-tasks.service lib/systemd/system/custodian-tasks.timer \
  lib/systemd/system/custodian-public.service etc/custodian-public/custodian-public.ini \
  lib/custodian/checkpoint etc/custodian/custodian.ini share/doc/custodian/operations.md; do
  [ -e "$P/$f" ] || fail "not installed: $f"
  ok
done
[ ! -e "$P/share/custodian/node_modules/@uswds/uswds/dist/scss" ] || fail "USWDS sources installed"
ok

# --- the installed binary, from another folder, with a bare environment, under strace
mkdir -p "$T/county"
cd "$T/county"
B="$P/bin/custodian"
# LeakSanitizer cannot stop the world in a traced process (it aborts "does not work under
# ptrace"): traced runs check everything but leaks, which the untraced tests check.
TRACED_ASAN="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
run() { # LOG CMD...: the command under strace, every file it names logged
  local log=$1
  shift
  env -i PATH=/usr/bin:/bin HOME="$T/county" CUSTODIAN_DB="$T/county/custodian.db" \
    CUSTODIAN_USER=tester ASAN_OPTIONS="$TRACED_ASAN" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
    strace -f -qq -e trace=%file -o "$T/$log.strace" "$@"
}
no_source() { # LOG: the traced command touched nothing under the source tree or the build
  if grep -F -e "\"$SRC/" -e "\"$BUILD/" "$T/$1.strace" >"$T/$1.bad"; then
    head -5 "$T/$1.bad" >&2
    fail "$1: the installed binary read the source or the build tree"
  fi
  grep -F "\"$P/share/custodian/" "$T/$1.strace" >/dev/null || fail "$1: installed data not read"
  ok
}
printf '%s\n' '{"jurisdiction":"us-ca","as_of":"2025-07-17","request":{"kind":"detainer","form":"I-247A"},"subject":{"convictions":[]}}' >case.json
run decide "$B" decide case.json >decision.json
jq -e '.actions.hold.verdict == "prohibited"' decision.json >/dev/null || fail "decide: $(cat decision.json)"
no_source decide
run gen "$B" gen --seed 5 --bookings 300 --end "$(date -u -d '+30 days' +%F)" >county.jsonl
no_source gen
run import "$B" import county.jsonl >import.out 2>&1 || fail "import: $(cat import.out)"
grep 'imported' import.out >/dev/null || fail "import: $(cat import.out)"
ok

# serve: the locator page, its assets, a sign-in and the API, all from the installed tree;
# traced in full so that the system calls can be held to the unit's filter
echo "granite harbor violet seventeen" >"$T/pass"
env -i PATH=/usr/bin:/bin CUSTODIAN_DB="$T/county/custodian.db" CUSTODIAN_USER=tester \
  ASAN_OPTIONS="${ASAN_OPTIONS:-}" "$B" user add sup --role supervisor \
  --passphrase-file "$T/pass" >"$T/uri" 2>/dev/null
printf '[server]\nthreads = 2\n' >"$T/serve.ini"
rm -f "$T/port"
env -i PATH=/usr/bin:/bin HOME="$T/county" CUSTODIAN_DB="$T/county/custodian.db" \
  ASAN_OPTIONS="$TRACED_ASAN" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
  strace -f -qq -o "$T/serve.strace" "$B" serve --listen 127.0.0.1:0 --config "$T/serve.ini" \
  --port-file "$T/port" 2>"$T/server.err" &
SERVER_PID=$!
# (an empty SERVER_PID once stopped: no failing kill under set -e at exit)
trap '[ -z "$SERVER_PID" ] || kill -KILL "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
for _ in $(seq 1 800); do [ -s "$T/port" ] && break; sleep 0.025; done
[ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "the installed server did not start"; }
URL="http://127.0.0.1:$(cat "$T/port")"
[ "$(curl -s -o "$T/locator.html" -w '%{http_code}' "$URL/locator")" = 200 ] || fail "GET /locator"
[ "$(curl -s -o "$T/uswds.css" -w '%{http_code}' "$URL/static/uswds/css/uswds.min.css")" = 200 ] ||
  fail "GET the USWDS stylesheet from the installed assets"
cmp -s "$T/uswds.css" "$P/share/custodian/node_modules/@uswds/uswds/dist/css/uswds.min.css" ||
  fail "the stylesheet served is not the installed one"
code=$($TOTP "$(cat "$T/uri")")
[ "$(curl -s -c "$T/jar" -o /dev/null -w '%{http_code}' --data-urlencode name=sup \
  --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$URL/login")" = 303 ] ||
  fail "sign-in to the installed server"
BN=$(jq -r 'select(.booking_number) | .booking_number' county.jsonl | sed -n 1p)
[ "$(curl -s -b "$T/jar" -o /dev/null -w '%{http_code}' "$URL/api/v1/bookings/$BN")" = 200 ] ||
  fail "GET /api/v1/bookings/$BN"
# SIGTERM to the server itself (strace, its parent, holds fatal signals while it decodes)
kill -TERM "$(pgrep -P "$SERVER_PID" -x custodian)"
wait "$SERVER_PID" || fail "the installed server exited $? on SIGTERM"
SERVER_PID=
ok
cp "$T/serve.strace" "$T/servefile.strace"
no_source servefile

# every system call the server made is allowed by custodian.service's SystemCallFilter
expand() { # @SET|CALL...: the system calls of systemd's named sets (nested sets expanded), or
  local s # the call itself
  for s in "$@"; do
    [[ $s == @* ]] || { echo "$s"; continue; }
    systemd-analyze syscall-filter "$s" | awk '/^ *[#@]/ || /^@/ || !NF {next} {print $1}'
    for sub in $(systemd-analyze syscall-filter "$s" | awk '$1 ~ /^@/ && NR > 1 {print $1}'); do
      expand "$sub"
    done
  done
}
within_filter() { # UNIT STRACE: every system call in STRACE is allowed by UNIT's filter
  local unit=$1 trace=$2 line
  # systemd applies the lines in order: the first allows its sets, a later ~ line takes its
  # sets away, a later plain line adds its own back
  : >"$T/permitted"
  while read -r line; do
    case $line in
    "~"*)
      expand ${line#\~} | sort -u >"$T/denied"
      comm -23 "$T/permitted" "$T/denied" >"$T/permitted.new"
      ;;
    *) { cat "$T/permitted"; expand $line; } | sort -u >"$T/permitted.new" ;;
    esac
    mv "$T/permitted.new" "$T/permitted"
  done < <(sed -n 's/^SystemCallFilter=//p' "$unit")
  [ -s "$T/permitted" ] && grep -q '^SystemCallFilter=~' "$unit" || fail "$unit has no SystemCallFilter"
  sed -n 's/^[0-9][0-9]* *\([a-z_0-9]*\)(.*/\1/p' "$trace" | sort -u >"$T/used"
  [ "$(wc -l <"$T/used")" -gt 20 ] || fail "no system calls traced in $trace"
  comm -23 "$T/used" "$T/permitted" >"$T/outside"
  # not the service's: the sanitizers' runtime (make check's build) calls personality and
  # sched_getaffinity; SQLite fchown()s a new journal to the database's owner only when run as
  # root (the test may be; the service never is, and a denied fchown there is ignored)
  grep -v -x -e personality -e sched_getaffinity -e fchown "$T/outside" >"$T/outside.real" || true
  [ ! -s "$T/outside.real" ] ||
    fail "$(basename "$unit"): system calls outside the filter: $(tr '\n' ' ' <"$T/outside.real")"
  ok
  echo "package: $(basename "$unit"): $(wc -l <"$T/used") distinct system calls, all inside the filter"
}
within_filter "$P/lib/systemd/system/custodian.service" "$T/serve.strace"

# --- the public locator as custodian-public.service runs it: the view published by the
# installed binary, served by `serve --public-only` with the installed public settings; it
# opens neither the staff store nor anything under the staff settings' folder, and stays
# inside its unit's filter
PUNIT="$P/lib/systemd/system/custodian-public.service"
PINI="$P/etc/custodian-public/custodian-public.ini"
[ -r "$PINI" ] || fail "not installed: etc/custodian-public/custodian-public.ini"
mkdir -p "$T/public"
run publish "$B" publish --out "$T/public/public.db" >"$T/publish.out" 2>&1 ||
  fail "publish: $(cat "$T/publish.out")"
# the unit's command line, with the published file where this test keeps it
pcmd=$(sed -n 's/^ExecStart=//p' "$PUNIT")
[ "$pcmd" = "/usr/bin/custodian serve --public-only --store /var/lib/custodian-public/public.db" ] ||
  fail "custodian-public.service runs '$pcmd'"
grep -x 'InaccessiblePaths=-/etc/custodian -/var/lib/custodian' "$PUNIT" >/dev/null ||
  fail "custodian-public.service can see the staff store or settings"
grep '^ReadWritePaths' "$PUNIT" >/dev/null && fail "custodian-public.service may write"
grep -x 'ExecStart=/usr/bin/custodian publish --out /var/lib/custodian-public/public.db' \
  "$P/lib/systemd/system/custodian-tasks.service" >/dev/null || fail "the hourly task does not publish"
rm -f "$T/port"
env -i PATH=/usr/bin:/bin HOME="$T/public" CUSTODIAN_CONFIG="$PINI" \
  ASAN_OPTIONS="$TRACED_ASAN" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
  strace -f -qq -o "$T/public.strace" "$B" serve --public-only --store "$T/public/public.db" \
  --listen 127.0.0.1:0 --port-file "$T/port" 2>"$T/public.err" &
SERVER_PID=$!
for _ in $(seq 1 800); do [ -s "$T/port" ] && break; sleep 0.025; done
[ -s "$T/port" ] || { cat "$T/public.err" >&2; fail "the installed public server did not start"; }
URL="http://127.0.0.1:$(cat "$T/port")"
# someone in custody, booked long enough ago to be shown
read -r LN PBN < <(sqlite3 -separator ' ' -readonly "$T/public/public.db" "SELECT last_name,
  booking_number FROM public_bookings WHERE unreleased AND booked_ts < unixepoch() - 86400
  AND instr(last_name, ' ') = 0 LIMIT 1")
[ -n "$PBN" ] || fail "nobody in custody in the published view"
[ "$(curl -s -o "$T/found.html" -w '%{http_code}' -G --data-urlencode "last_name=$LN" "$URL/locator")" = 200 ] ||
  fail "GET /locator?last_name=$LN from the public server"
grep -F "$PBN" "$T/found.html" >/dev/null || fail "the public server did not find $LN ($PBN)"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/login")" = 404 ] || fail "the public server serves /login"
kill -TERM "$(pgrep -P "$SERVER_PID" -x custodian)"
wait "$SERVER_PID" || fail "the installed public server exited $? on SIGTERM"
SERVER_PID=
if grep -F -e "$T/county/custodian.db" -e "/etc/custodian/" "$T/public.strace" >"$T/public.bad"; then
  head -3 "$T/public.bad" >&2
  fail "the public server opened the staff store or settings"
fi
ok
within_filter "$PUNIT" "$T/public.strace"

# --- man pages: one per command of `custodian --help`, each rendering without a warning
cmds=$("$B" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ && $1 != "help" {print $1}')
[ "$(echo "$cmds" | wc -w)" -ge 15 ] || fail "too few commands in --help"
for c in "" $cmds; do
  page="$P/share/man/man1/custodian${c:+-$c}.1.gz"
  [ -f "$page" ] || fail "no man page for '$c'"
  MANWIDTH=80 man --warnings -l "$page" >"$T/page.txt" 2>"$T/page.err" || fail "man $page"
  [ ! -s "$T/page.err" ] || fail "man $page: $(head -3 "$T/page.err")"
  ok
done
MANWIDTH=80 man -l "$P/share/man/man1/custodian-request.1.gz" >"$T/page.txt" 2>/dev/null
grep 'fulfill ID \[--format csv|json\]' "$T/page.txt" >/dev/null || fail "custodian-request(1) lacks its help"
grep 'custodian-request - the request desk' "$T/page.txt" >/dev/null || fail "custodian-request(1) NAME"
ok

# --- bash completion
cd "$T/county"
"$B" --db "$T/county/custodian.db" request add --jsonl <(printf '{"kind":"notification_request","requester":{"agency":"ICE"},"received_at":"2026-01-05T10:00:00Z","subject":{"booking_number":"%s"},"asks":["notify"]}\n' "$BN") >/dev/null
complete_words() { # WORDS...: what completing the last word offers, one a line
  bash -c '
    source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _custodian custodian "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}"' _ "$P/share/bash-completion/completions/custodian" "$@"
}
complete_words custodian req | grep -x request >/dev/null || fail "completion: commands"
complete_words custodian request "" | grep -x fulfill >/dev/null || fail "completion: subcommands"
complete_words custodian audit verify --ch | grep -x -- --checkpoint >/dev/null ||
  fail "completion: options"
complete_words custodian --db "$T/county/custodian.db" request show R- >"$T/ids"
id=$(sqlite3 -readonly "$T/county/custodian.db" 'SELECT id FROM requests LIMIT 1')
grep -x "$id" "$T/ids" >/dev/null || fail "completion: request ids ($(cat "$T/ids"))"
ok

# --- the Debian package: contents, control, conffile, maintainer scripts, units
cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$T/pkg" >"$T/cpack.log" 2>&1 || {
  tail -20 "$T/cpack.log" >&2
  fail "cpack"
}
DEB=$(ls "$T"/pkg/custodian_*.deb)
dpkg-deb -f "$DEB" Package Version Architecture Depends >"$T/control"
for dep in 'libsqlite3-0' 'libsodium23' 'libmicrohttpd12' 'libjansson4' 'libicu72' 'adduser'; do
  grep "$dep" "$T/control" >/dev/null || fail "Depends lacks $dep: $(cat "$T/control")"
  ok
done
dpkg-deb -c "$DEB" >"$T/contents"
awk '$2 != "root/root" {bad = 1; print} END {exit bad}' "$T/contents" >&2 ||
  fail "files not owned by root in the package"
for f in ./usr/bin/custodian ./etc/custodian/custodian.ini ./usr/lib/systemd/system/custodian.service \
  ./usr/lib/systemd/system/custodian-tasks.timer ./usr/lib/systemd/system/custodian-public.service \
  ./etc/custodian-public/custodian-public.ini ./usr/share/man/man1/custodian.1.gz \
  ./usr/share/bash-completion/completions/custodian ./usr/share/custodian/policies/us-ca.policy; do
  grep -F " $f" "$T/contents" >/dev/null || fail "package lacks $f"
  ok
done
mkdir "$T/ctl"
dpkg-deb -e "$DEB" "$T/ctl"
grep -x /etc/custodian/custodian.ini "$T/ctl/conffiles" >/dev/null || fail "conffiles"
grep -x /etc/custodian-public/custodian-public.ini "$T/ctl/conffiles" >/dev/null ||
  fail "conffiles: the public settings"
for s in postinst prerm postrm; do
  [ -x "$T/ctl/$s" ] || fail "no $s"
  sh -n "$T/ctl/$s" || fail "$s: syntax"
  ok
done
grep 'adduser --system --group' "$T/ctl/postinst" >/dev/null || fail "postinst makes no user"
grep -F -e '--gecos "custodian public locator" custodian-public' "$T/ctl/postinst" >/dev/null ||
  fail "postinst makes no public locator user"
grep -F 'install -d -o custodian -g custodian-public -m 0750 /var/lib/custodian-public' \
  "$T/ctl/postinst" >/dev/null || fail "postinst makes no public folder"
grep 'head -c 32 /dev/urandom' "$T/ctl/postinst" >/dev/null || fail "postinst makes no key file"
! grep -E 'rm -rf? .*/var/lib/custodian' "$T/ctl/postrm" >/dev/null || fail "postrm deletes the store"
ok
dpkg-deb -x "$DEB" "$T/root"
# the packaged binary, unpacked anywhere, reads the unpacked data
env -i PATH=/usr/bin:/bin ASAN_OPTIONS="$TRACED_ASAN" strace -f -qq -e trace=%file \
  -o "$T/deb.strace" "$T/root/usr/bin/custodian" decide case.json >"$T/deb.decision"
cmp -s "$T/deb.decision" decision.json || fail "the packaged binary decides otherwise"
grep -F "\"$T/root/usr/share/custodian/policies" "$T/deb.strace" >/dev/null ||
  fail "the packaged binary did not read its own policies"
ok
# the units: well-formed (against the unpacked tree) and hardened
# (verified as copies naming the unpacked programs: this machine has none installed)
mkdir "$T/units"
UNITS="custodian.service custodian-tasks.service custodian-tasks.timer custodian-public.service"
for u in $UNITS; do
  sed -e "s|/usr/bin/custodian|$T/root/usr/bin/custodian|g" \
    -e "s|/usr/lib/custodian/|$T/root/usr/lib/custodian/|g" \
    "$T/root/usr/lib/systemd/system/$u" >"$T/units/$u"
done
for u in $UNITS; do
  (cd "$T/units" && systemd-analyze verify --man=no "$T/units/$u") >"$T/verify.out" 2>&1 ||
    fail "systemd-analyze verify $u: $(cat "$T/verify.out")"
  ok
done
for u in custodian.service custodian-tasks.service custodian-public.service; do
  score=$(systemd-analyze security --offline=yes --no-pager "$T/root/usr/lib/systemd/system/$u" 2>&1 |
    sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
  [ -n "$score" ] || fail "no security score for $u"
  awk -v s="$score" 'BEGIN {exit !(s <= 2.0)}' || fail "$u: exposure $score > 2.0"
  echo "package: systemd-analyze security $u: $score"
  ok
done
pass
