#!/usr/bin/env bash
# Issue 12, hostile input against EVERY route (the list comes from the router: `serve
# --print-routes`, never a hand list): SQL-injection and traversal strings in each path
# parameter, in the query and in JSON and form bodies; malformed and oversized bodies; oversized,
# malformed and repeated headers, bad cookies; raw requests no client library would send. Each
# route is tried signed in as a role its guard admits (so the handler itself reads the input).
# Nothing may answer 5xx, show SQL, a path or a file's contents; afterwards the server still
# answers, the store's tables and rows are intact and the ledger verifies.
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"

C=$CUSTODIAN
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
"$C" init >/dev/null
"$C" import "$CUST_SOURCE_DIR/tests/data/records/good.jsonl" >/dev/null 2>&1
DET=$("$C" request add "$CUST_SOURCE_DIR/tests/data/requests/detainer.json")
echo "river otter lantern quietly 42" >"$T/pass"
ROLES=(supervisor auditor admin)
for r in "${ROLES[@]}"; do
  "$C" user add "u_$r" --role "$r" --passphrase-file "$T/pass" >"$T/uri.$r" 2>/dev/null
done

# body and header limits small enough to cross cheaply; no rate limit in the way of the probe
cat >"$T/serve.ini" <<INI
[server]
threads = 2
body_limit = 65536
header_limit = 8192
access_log = $T/access.log
[ratelimit]
rate = 100000
burst = 100000
all_rate = 100000
all_burst = 100000
INI
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
"$C" serve --listen 127.0.0.1:0 --config "$T/serve.ini" --port-file "$T/port" 2>"$T/server.err" &
SERVER_PID=$!
for _ in $(seq 1 200); do [ -s "$T/port" ] && break; sleep 0.05; done
[ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not start"; }
PORT=$(cat "$T/port")
BASE="http://127.0.0.1:$PORT"

declare -A CSRF
for r in "${ROLES[@]}"; do
  code=$($TOTP "$(cat "$T/uri.$r")")
  st=$(curl -s -c "$T/jar.$r" -o /dev/null -w '%{http_code}' --data-urlencode "name=u_$r" \
    --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$BASE/login")
  [ "$st" = 303 ] || fail "login $r: $st"
  CSRF[$r]=$(curl -s -b "$T/jar.$r" "$BASE/console" | grep -o 'name="csrf" value="[0-9a-f]*"' |
    head -1 | sed 's/.*value="//; s/"//')
  [ -n "${CSRF[$r]}" ] || fail "csrf for $r"
done
ok

schema() { sqlite3 -cmd ".timeout 10000" "$CUSTODIAN_DB" \
  "SELECT type, name FROM sqlite_master ORDER BY name; SELECT count(*) FROM persons;
   SELECT count(*) FROM bookings; SELECT count(*) FROM users;"; }
schema >"$T/schema.before"

# --- the hostile strings
SQLI=("' OR '1'='1" "1; DROP TABLE persons; --" "\" OR \"\"=\"" "x' UNION SELECT name, sql FROM sqlite_master --"
  "%' AND 1=1 --" "'); DELETE FROM ledger; --" "1 OR 1=1" "\\'; SELECT load_extension('x'); --")
TRAV=("../../../../../../etc/passwd" "..\\..\\..\\windows\\win.ini" "/etc/passwd" "....//....//etc/passwd"
  "..%2f..%2fetc%2fpasswd" "%2e%2e%2f%2e%2e%2fetc%2fpasswd" "us-ca/../../../etc/passwd"
  "$(printf 'x\001\002\177')" "$(printf '\xc0\xae\xc0\xae/\xff\xfe')")
LONG=$(head -c 6000 /dev/zero | tr '\0' 'A')
VALUES=("${SQLI[@]}" "${TRAV[@]}" "$LONG" "" "-1" "99999999999999999999999" "0x7fffffff" "1e308" "null")
enc() { # VALUE -> REPLY, percent-encoded byte by byte (no subshell: thousands of probes)
  local LC_ALL=C s=$1 out= c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [a-zA-Z0-9.~_-]) out+=$c ;;
      *) printf -v c '%%%02X' "'$c"; out+=$c ;;
    esac
  done
  REPLY=$out
}
ENC=()
for v in "${VALUES[@]}"; do enc "$v"; ENC+=("$REPLY"); done

role_for() { # GUARD -> the role signed in for it (none for public routes)
  case "$1" in
    public) echo none ;;
    audit.read | oversight.read) echo auditor ;; # the inspector general's view: auditors only
    user.manage) echo admin ;;
    *) echo supervisor ;;
  esac
}
path_for() { # PATTERN VALUE -> REPLY: the path with every {param} replaced by VALUE
  local p=$1
  while [[ $p =~ ^(.*)\{[a-z_]+\}(.*)$ ]]; do p=${BASH_REMATCH[1]}$2${BASH_REMATCH[2]}; done
  REPLY=$p
}
cq() { # VALUE -> Q: the value quoted for a curl config file
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  Q="\"$s\""
}

# --- one curl config per probe: many transfers on kept-alive connections
mkdir "$T/r"
n=0
exec 3>"$T/probe.cfg" 4>"$T/probe.idx"
probe() { # ROLE METHOD PATH [CONTENT-TYPE BODY-FILE] [HEADER...]
  local role=$1 method=$2 path=$3 ctype=${4:-} body=${5:-} out Q
  shift 5 2>/dev/null || shift $#
  n=$((n + 1))
  cq "$BASE$path"
  out="url = $Q"$'\n'"request = $method"$'\npath-as-is\nsilent\nshow-error\nmax-time = 20\n'
  out+="output = \"$T/r/$n\""$'\n'"write-out = \"$n %{http_code}\\n\""$'\n'
  if [ "$role" != none ]; then
    out+="cookie = \"$T/jar.$role\""$'\n'"header = \"X-CSRF-Token: ${CSRF[$role]}\""$'\n'
  fi
  if [ -n "$ctype" ]; then cq "Content-Type: $ctype"; out+="header = $Q"$'\n'; fi
  [ -n "$body" ] && out+="data-binary = \"@$body\""$'\n'
  for h in "$@"; do cq "$h"; out+="header = $Q"$'\n'; done
  printf '%snext\n' "$out" >&3
  printf '%s %s %s %s\n' "$n" "$role" "$method" "$path" >&4
}

# bodies: JSON with hostile values in the fields handlers read, malformed JSON and forms, too big
i=0
for v in "${VALUES[@]}"; do
  i=$((i + 1))
  jq -cn --arg v "$v" '{reason: $v, person_id: $v, person: $v, by: $v, jurisdiction: $v,
    note: $v, action: $v, outcome: $v, items: [$v], kind: $v, number: $v, as_of: $v,
    case: {jurisdiction: $v, as_of: $v, request: {kind: $v, items: [$v]}, subject: {}}}' >"$T/json.$i"
  e=${ENC[$((i - 1))]}
  printf 'reason=%s&person=%s&person_id=%s&action=%s&by=%s' "$e" "$e" "$e" "$e" "$e" >"$T/form.$i"
done
NBODY=$i
printf '{' >"$T/bad.1"
printf '[' >"$T/bad.2"
printf '{"reason": "x", }' >"$T/bad.3"
printf 'null' >"$T/bad.4"
printf '"just a string"' >"$T/bad.5"
head -c 20000 /dev/zero | tr '\0' '[' >"$T/bad.6" # nesting deeper than any parser should follow
printf '{"reason": "\xff\xfe\xc0\xae"}' >"$T/bad.7"
printf '{"reason": "a\\u0000b"}' >"$T/bad.8"
printf '%%zz=%%&&==&reason=%%' >"$T/badform.1"
head -c 70000 /dev/zero | tr '\0' 'a' >"$T/huge" # over body_limit
HUGEHDR="X-Padding: $(head -c 9000 /dev/zero | tr '\0' 'h')"

"$C" serve --print-routes >"$T/routes"
[ "$(wc -l <"$T/routes")" -ge 40 ] || fail "route list"
nroutes=0
while read -r method pattern guard; do
  [ "$pattern" = /logout ] && continue # ends the session: tried last
  nroutes=$((nroutes + 1))
  role=$(role_for "$guard")
  # a plain request first: the role must get past the guard, or the probe reaches nothing
  case "$pattern" in
    */persons/*) path_for "$pattern" P1001 ;;
    */bookings/*) path_for "$pattern" 6012345 ;;
    *) path_for "$pattern" "$DET" ;;
  esac
  base=$REPLY
  case "$pattern" in /static/uswds/*) base=/static/uswds/css/uswds.min.css ;; esac
  probe "$role" "$method" "$base" application/json "$T/json.1"
  echo "$n" >>"$T/reach.idx"
  # every path parameter, encoded (and raw for traversal)
  if [[ "$pattern" == *"{"* ]]; then
    for e in "${ENC[@]}"; do path_for "$pattern" "$e"; probe "$role" "$method" "$REPLY"; done
    for v in "../../../../etc/passwd" "..%2f..%2f..%2fetc%2fpasswd" "%2e%2e" "..;" "%00" "%"; do
      path_for "$pattern" "$v"; probe "$role" "$method" "$REPLY"
    done
  fi
  # the query: hostile values under the names handlers read
  for e in "${ENC[@]}"; do
    probe "$role" "$method" "$base?q=$e&name=$e&policy=$e&as_of=$e&status=$e&limit=$e&offset=$e&page=$e&before=$e&after=$e&from=$e&to=$e&kind=$e&sort=$e&at=$e"
  done
  probe "$role" "$method" "$base?%zz=%&&==&q=%"
  probe "$role" "$method" "$base?$(head -c 7000 /dev/zero | tr '\0' 'q')=1"
  # bodies: hostile values for what POST handlers read; malformed ones on every method (a GET
  # with a body must not confuse anything either)
  if [ "$method" = POST ]; then
    for k in $(seq 1 "$NBODY"); do
      probe "$role" "$method" "$base" application/json "$T/json.$k"
      probe "$role" "$method" "$base" application/x-www-form-urlencoded "$T/form.$k"
    done
  fi
  for k in 1 2 3 4 5 6 7 8; do probe "$role" "$method" "$base" application/json "$T/bad.$k"; done
  probe "$role" "$method" "$base" application/x-www-form-urlencoded "$T/badform.1"
  probe "$role" "$method" "$base" "multipart/form-data; boundary=x" "$T/bad.3"
  probe "$role" "$method" "$base" "$(printf 'text/\001; charset=%s' "$LONG")" "$T/bad.3"
  probe "$role" "$method" "$base" application/json "$T/huge"
  # headers: oversized, many, odd cookies, odd Accept/Host, forwarded-for forgery
  probe "$role" "$method" "$base" "" "" "$HUGEHDR"
  probe "$role" "$method" "$base" "" "" "Accept: text/html" "Cookie: custodian_session=;;;==;%zz; a=$LONG"
  probe none "$method" "$base" "" "" "Accept: text/html" "Cookie: custodian_session=%27%20OR%20%271%27%3D%271"
  probe none "$method" "$base" "" "" "Cookie: custodian_session=../../etc/passwd"
  probe "$role" "$method" "$base" "" "" "Host: ../../etc/passwd" "X-Forwarded-For: ' OR 1=1 --" \
    "Accept: */*;q=$LONG" "X-CSRF-Token: ' OR '1'='1"
  hs=()
  for k in $(seq 1 200); do hs+=("X-H$k: $k"); done
  probe "$role" "$method" "$base" "" "" "${hs[@]}"
done <"$T/routes"
exec 3>&- 4>&-
[ "$nroutes" -ge 40 ] || fail "only $nroutes routes"
curl -K "$T/probe.cfg" >"$T/probe.out" 2>"$T/probe.curlerr" || true
[ "$(wc -l <"$T/probe.out")" = "$n" ] || fail "$(wc -l <"$T/probe.out") answers for $n probes"
ok

# --- what came back
bad=0
# what only the server's insides could say (an echo of the probe's own string is no leak: the
# SQL strings above never name sqlite3, a SQLite error or the store's folder)
LEAK="sqlite3|SQLITE_[A-Z]|SQL logic error|syntax error|unrecognized token|no such (table|column)|database (is locked|disk image)|unable to open|root:x:0|$T/|custodian[.]db|$CUST_SOURCE_DIR/(policies|src|web)"
while read -r k st line; do
  if [ "$st" = 000 ] || [ "$st" -ge 500 ]; then
    echo "  $st: $line: $(head -c 300 "$T/r/$k" 2>/dev/null)" >&2
    bad=$((bad + 1))
  fi
done < <(awk 'NR == FNR { idx[$1] = $0; next } { sub(/^[0-9]+ /, "", idx[$1]); print $1, $2, idx[$1] }' \
  "$T/probe.idx" "$T/probe.out")
# the stylesheet may say "select": static files are not searched
for f in $(awk '$4 !~ /^\/static\// { print $1 }' "$T/probe.idx"); do
  [ -f "$T/r/$f" ] && echo "$T/r/$f"
done >"$T/bodies"
if xargs grep -laE "$LEAK" <"$T/bodies" >"$T/leaks"; then
  for f in $(cat "$T/leaks"); do
    k=${f##*/}
    echo "  leak: $(awk -v k="$k" '$1 == k' "$T/probe.idx"): $(grep -aoE "$LEAK" "$f" | head -3 | tr '\n' ' ')" >&2
    bad=$((bad + 1))
  done
fi
# curl's own word on a probe that got nothing (000): a timeout, a reset, a refused connection
[ "$bad" = 0 ] || { grep . "$T/probe.curlerr" | tail -5 >&2 || true; }
[ "$bad" = 0 ] || fail "$bad of $n probes answered 5xx, nothing, or showed internals"
ok
while read -r k; do
  st=$(awk -v k="$k" '$1 == k { print $2 }' "$T/probe.out")
  case "$st" in 401 | 403) fail "the probe of $(sed -n "${k}p" "$T/probe.idx") stopped at the guard ($st)" ;; esac
done <"$T/reach.idx"
ok
# the limits answered as limits: 413 for the big body, 431 for the big header (at least once each)
grep -c . "$T/probe.out" >/dev/null
awk '$2 == 413' "$T/probe.out" | grep . >/dev/null || fail "no 413 for an oversized body"; ok
awk '$2 == 431' "$T/probe.out" | grep . >/dev/null || fail "no 431 for an oversized header"; ok
echo "hostile: $n requests against $nroutes routes" >&2

# --- raw requests no client library sends: each answered 4xx or closed, never 5xx (but 505 for
# HTTP/9.9)
raw() { # REQUEST-BYTES -> the status line (or "closed")
  local out
  out=$(timeout 10 bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$PORT"'; printf "%b" "$1" >&3; head -c 200 <&3' _ "$1" 2>/dev/null | head -1 | tr -d '\r') || true
  echo "${out:-closed}"
}
rawbad=0
while read -r method pattern guard; do
  path_for "$pattern" x; path=$REPLY
  for req in \
    "$method $path HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n" \
    "$method $path HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n" \
    "$method $path HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcde" \
    "$method $path HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n" \
    "$method $path HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n" \
    "$method $path HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n" \
    "$method $path?a=%00 HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n" \
    "$method $path HTTP/9.9\r\nHost: x\r\n\r\n" \
    "$method  $path  HTTP/1.1\r\n\r\n" \
    "$method ${path}#frag HTTP/1.1\r\nHost: x\r\n\r\n"; do
    s=$(raw "$req")
    case "$s" in
      closed | "HTTP/1."[01]" "[1-4]*) ;;
      "HTTP/1."[01]" 505 "*) [[ "$req" == *"HTTP/9.9"* ]] || { echo "  raw $method $path: $s" >&2; rawbad=$((rawbad + 1)); } ;;
      *) echo "  raw $method $path: $s" >&2; rawbad=$((rawbad + 1)) ;;
    esac
  done
done < <(awk '$2 != "/logout"' "$T/routes" | sort -u -k1,2 | awk 'NR % 4 == 1 || $2 ~ /\{/')
[ "$rawbad" = 0 ] || fail "$rawbad raw requests answered 5xx"
ok

# --- afterwards: still serving, the store intact, the ledger verifies, no incident logged
[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz")" = 200 ] || fail "healthz after the probe"; ok
[ "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar.supervisor" "$BASE/api/v1/persons/P1001")" = 200 ] ||
  fail "the supervisor's session survived"
ok
schema >"$T/schema.after"
diff "$T/schema.before" "$T/schema.after" >&2 || fail "tables or rows changed"; ok
[ "$(sqlite3 -cmd ".timeout 10000" "$CUSTODIAN_DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity"; ok
"$C" audit verify | grep '^ledger ok' >/dev/null || fail "ledger intact"; ok
! grep -a "incident" "$T/server.err" >/dev/null || { grep -a incident "$T/server.err" | head -5 >&2; fail "incidents logged"; }
ok
code=$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar.admin" --data "csrf=%27%20OR%20%271%27%3D%271" "$BASE/logout")
[ "$code" = 403 ] || fail "logout with a hostile CSRF token: $code"; ok

kill -TERM "$SERVER_PID"
rc=0; wait "$SERVER_PID" || rc=$?
SERVER_PID=
[ "$rc" = 0 ] || { tail -30 "$T/server.err" >&2; fail "server exit status $rc"; }
! grep -q "Sanitizer" "$T/server.err" || { cat "$T/server.err" >&2; fail "sanitizer report"; }
ok
pass
