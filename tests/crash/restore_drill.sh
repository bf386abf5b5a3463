#!/usr/bin/env bash
# The restore drill (docs/operations.md "Backups"): back up while the server takes requests,
# check the folder as an auditor would (every file's SHA-256, the schema version, the ledger
# head, the signed checkpoint, no TOTP key file in it), lose the store, restore it, serve it
# again and sign in; and the restores that must be refused before anything is replaced: a
# changed byte, a rewritten history (even with the manifest rewritten to match), a cut ledger,
# an existing store without --replace, a store a server has open.
set -euo pipefail
. "$(dirname "$0")/../integration/lib/common.sh"
C=$CUSTODIAN
DB=$CUSTODIAN_DB
REF="python3 $CUST_SOURCE_DIR/tests/integration/lib/tlog_ref.py"
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
for tool in sqlite3 jq node python3 curl; do
  command -v $tool >/dev/null || fail "$tool is needed (scripts/bootstrap installs it)"
done
unset CUSTODIAN_KEY_FILE CUSTODIAN_LEDGER_KEY
export CUSTODIAN_NOW=2025-07-18T19:00:00Z
NOW_TS=$(date -u -d "$CUSTODIAN_NOW" +%s)

# --- a county with requests, a fulfilment (disclosures), a staff account, a ledger key
mkdir -p "$T/var" "$T/keys" "$T/offsite"
DB="$T/var/custodian.db"
export CUSTODIAN_DB=$DB
"$C" gen --seed 5 --bookings 800 --end 2025-07-31 >"$T/county.jsonl"
"$C" import "$T/county.jsonl" 2>/dev/null
"$C" gen --requests --seed 5 --bookings 800 --end 2025-07-31 | head -12 >"$T/reqs.jsonl"
"$C" request add --jsonl "$T/reqs.jsonl" 2>/dev/null
DOJ=$("$C" request list --json | jq -r '[.[] | select(.kind == "information_request")][0].id')
[ -n "$DOJ" ] && [ "$DOJ" != null ] || fail "no DOJ letter in the demo requests"
"$C" request fulfill "$DOJ" --format csv --out "$T/doj.csv" 2>/dev/null
echo "river otter lantern quietly 42" >"$T/pass"
"$C" user add sup --role supervisor --passphrase-file "$T/pass" >"$T/uri" 2>/dev/null
"$C" audit key generate --name county.example/jail-ledger --out "$T/keys/ledger" >/dev/null
"$C" audit checkpoint --key "$T/keys/ledger.key" -o "$T/offsite/published.cp" >/dev/null
"$C" backup --help >"$T/help"
grep -- '--out DIR' "$T/help" >/dev/null && grep 'NOT copied' "$T/help" >/dev/null || fail "backup --help"
"$C" restore --help | grep -- '--replace' >/dev/null || fail "restore --help"
expect_exit 2 "$C" backup
expect_exit 2 "$C" restore
ok

# --- back up while the server takes requests in
cat >"$T/serve.ini" <<INI
[server]
threads = 2
[ratelimit]
rate = 100000
burst = 100000
all_rate = 100000
all_burst = 100000
INI
SERVER_PID=
trap '[ -n "$SERVER_PID" ] && kill -KILL "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$T"' EXIT
serve() {
  rm -f "$T/port"
  "$C" serve --listen 127.0.0.1:0 --config "$T/serve.ini" --port-file "$T/port" 2>"$T/server.err" &
  SERVER_PID=$!
  for _ in $(seq 1 400); do [ -s "$T/port" ] && break; sleep 0.025; done
  [ -s "$T/port" ] || { cat "$T/server.err" >&2; fail "server did not start"; }
  URL="http://127.0.0.1:$(cat "$T/port")"
}
serve
code=$($TOTP "$(cat "$T/uri")" "$NOW_TS")
[ "$(curl -s -c "$T/jar" -o /dev/null -w '%{http_code}' --data-urlencode name=sup \
  --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$URL/login")" = 303 ] ||
  fail "login"
CSRF=$(curl -s -b "$T/jar" "$URL/console" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -1 |
  sed 's/.*value="//; s/"//')
BN=$("$C" roster --as-of 2025-07-18 --json | jq -r '.[0].booking_number')
printf '{"kind":"notification_request","requester":{"agency":"ICE"},"received_at":"2025-07-17T10:00:00-07:00","subject":{"booking_number":"%s"},"asks":["notify"]}\n' \
  "$BN" >"$T/req.json"
writer() { # requests through the API until told to stop
  while [ ! -e "$T/stop" ]; do
    curl -s -o /dev/null -b "$T/jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
      --data-binary "@$T/req.json" "$URL/api/v1/requests" || true
  done
}
writer &
WRITER=$!
sleep 1
before=$(sqlite3 "$DB" 'SELECT count(*) FROM requests')
"$C" backup --out "$T/offsite/b1" --key "$T/keys/ledger.key" --checkpoint "$T/offsite/published.cp" \
  --pubkey "$T/keys/ledger.pub" >"$T/b1.out" 2>"$T/b1.err" || { cat "$T/b1.err" >&2; fail "backup"; }
after=$(sqlite3 "$DB" 'SELECT count(*) FROM requests')
touch "$T/stop"
wait "$WRITER"
grep "the TOTP key file $DB.key is NOT in this backup" "$T/b1.err" >/dev/null ||
  { cat "$T/b1.err" >&2; fail "the key file reminder"; }
ok

# --- the folder, as an auditor checks it
B="$T/offsite/b1"
M="$B/manifest.json"
[ "$(stat -c %a "$B")" = 700 ] || fail "backup folder mode $(stat -c %a "$B")"
[ "$(ls "$B" | sort | paste -sd' ')" = "custodian.db manifest.json" ] || fail "folder: $(ls "$B")"
[ "$(stat -c %a "$B/custodian.db")" = 600 ] || fail "copy mode"
jq -e '.format == "custodian-backup" and .format_version == 1 and .key_file.included == false' "$M" \
  >/dev/null || fail "manifest format / key_file"
jq -r '.files[] | "\(.sha256)  \(.name)"' "$M" >"$T/sums"
(cd "$B" && sha256sum --quiet -c "$T/sums") || fail "the manifest's SHA-256s"
[ "$(jq '.files[0].bytes' "$M")" = "$(stat -c %s "$B/custodian.db")" ] || fail "bytes"
[ "$(jq '.store.schema_version' "$M")" = "$(sqlite3 "$B/custodian.db" 'SELECT max(version) FROM schema_migrations')" ] ||
  fail "schema version"
[ "$(jq -r '"\(.ledger.head_seq) \(.ledger.head_hash)"' "$M")" = "$(sqlite3 "$B/custodian.db" "SELECT seq || ' ' || hash FROM ledger_head")" ] ||
  fail "ledger head"
# a consistent snapshot while the server wrote: intact, between the counts before and after
"$C" --db "$B/custodian.db" audit verify >/dev/null || fail "the copy's audit verify"
n=$(sqlite3 "$B/custodian.db" 'SELECT count(*) FROM requests')
[ "$n" -ge "$before" ] && [ "$n" -le "$after" ] || fail "copy has $n requests, live $before..$after"
[ "$after" -gt "$before" ] || fail "the server took no request during the backup"
[ "$(sqlite3 "$B/custodian.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
# the checkpoint is signed, verifies independently, and covers the copy's whole ledger
jq -j .checkpoint "$M" >"$T/b1.cp"
$REF check-checkpoint "$B/custodian.db" "$T/b1.cp" "$T/keys/ledger.pub" >/dev/null ||
  fail "reference: the manifest's checkpoint"
[ "$(sed -n 2p "$T/b1.cp")" = "$(jq .ledger.entries "$M")" ] || fail "checkpoint size"
jq -j .published_checkpoint "$M" | cmp -s - "$T/offsite/published.cp" || fail "published checkpoint"
# no file in it holds the TOTP key, and no sealed secret is in the clear
keysum=$(sha256sum <"$DB.key" | cut -d' ' -f1)
for f in "$B"/*; do [ "$(sha256sum <"$f" | cut -d' ' -f1)" != "$keysum" ] || fail "key file copied"; done
python3 -c 'import sys; sys.exit(open(sys.argv[1], "rb").read() in open(sys.argv[2], "rb").read())' \
  "$DB.key" "$B/custodian.db" || fail "the key's bytes are in the copy"
# the live store records who took the copy
# (by action, not among the last few entries: the server keeps writing while the copy is made)
[ "$(sqlite3 "$DB" "SELECT count(*) FROM ledger WHERE action = 'backup' AND object_id = '$B'")" = 1 ] ||
  fail "no backup entry in the live ledger"
expect_exit 1 "$C" backup --out "$B" # a backup goes into a new folder
grep 'not empty' "$T/err" >/dev/null || fail "non-empty folder message"
ok

# --- refusals, each with nothing replaced (the live store is still the server's)
livesum() { sqlite3 "$DB" 'SELECT seq || hash FROM ledger_head'; }
L0=$(livesum)
refused() { # WHY ARGS...: restore refused with exit 1, the message naming WHY, nothing replaced
  local why=$1; shift
  expect_exit 1 "$C" restore "$@"
  grep "^custodian: restore refused, nothing replaced: .*$why" "$T/err" >/dev/null ||
    { cat "$T/err" >&2; fail "refusal: expected '$why'"; }
  [ ! -e "$DB.restoring" ] || fail "a staged copy left behind"
  ok
}
refused 'a store is at' "$B"
refused 'in use' "$B" --replace
[ "$(livesum)" = "$L0" ] || fail "the live store changed"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
SERVER_PID=
L0=$(livesum)
copy() { rm -rf "$T/t"; cp -r "$B" "$T/t"; chmod 700 "$T/t"; }
resum() { # rewrite the manifest's file entry to match a changed copy (an attacker with the folder)
  local sha bytes
  sha=$(sha256sum "$T/t/custodian.db" | cut -d' ' -f1)
  bytes=$(stat -c %s "$T/t/custodian.db")
  jq --arg s "$sha" --argjson b "$bytes" '.files[0].sha256 = $s | .files[0].bytes = $b' \
    "$T/t/manifest.json" >"$T/m" && mv "$T/m" "$T/t/manifest.json"
}
# a changed byte
copy
printf 'X' | dd of="$T/t/custodian.db" bs=1 seek=$(($(stat -c %s "$T/t/custodian.db") - 100)) conv=notrunc 2>/dev/null
refused 'does not match the manifest' "$T/t" --replace
# a rewritten entry, the chain recomputed and the manifest's sums and head rewritten to match:
# the manifest's signed checkpoint no longer fits
copy
sqlite3 "$T/t/custodian.db" "DROP TRIGGER ledger_no_update; UPDATE ledger SET actor = 'nobody' WHERE seq = 2"
$REF rechain "$T/t/custodian.db" >/dev/null
jq --arg h "$(sqlite3 "$T/t/custodian.db" 'SELECT hash FROM ledger_head')" '.ledger.head_hash = $h' \
  "$T/t/manifest.json" >"$T/m" && mv "$T/m" "$T/t/manifest.json"
resum
refused 'does not extend the checkpoint' "$T/t" --replace
# ... and with the manifest's checkpoint replaced by an unsigned one of the rewritten ledger,
# the verifier key and the published checkpoint still refuse it
"$C" --db "$T/t/custodian.db" audit checkpoint >"$T/forged.cp" 2>/dev/null
jq --rawfile c "$T/forged.cp" '.checkpoint = $c' "$T/t/manifest.json" >"$T/m" && mv "$T/m" "$T/t/manifest.json"
refused 'no signature' "$T/t" --replace --pubkey "$T/keys/ledger.pub"
refused 'does not extend the checkpoint given' "$T/t" --replace --checkpoint "$T/offsite/published.cp"
# the tail cut, the head rewound, the manifest made to match: the checkpoint's size is not met
copy
last=$(sqlite3 "$T/t/custodian.db" 'SELECT max(seq) FROM ledger')
sqlite3 "$T/t/custodian.db" "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq > $((last - 3));
  UPDATE ledger_head SET seq = $((last - 3)), hash = (SELECT hash FROM ledger WHERE seq = $((last - 3)))"
jq --argjson s $((last - 3)) --arg h "$(sqlite3 "$T/t/custodian.db" 'SELECT hash FROM ledger_head')" \
  '.ledger.head_seq = $s | .ledger.head_hash = $h' "$T/t/manifest.json" >"$T/m" && mv "$T/m" "$T/t/manifest.json"
resum
refused 'does not extend the checkpoint' "$T/t" --replace
# not a backup: no manifest (an interrupted backup)
copy
rm "$T/t/manifest.json"
refused 'not a backup' "$T/t" --replace
[ "$(livesum)" = "$L0" ] || fail "a refused restore changed the live store"
ok

# --- the disaster: the store is gone; restore it where it was, serve it, sign in
keep_key="$T/keys/totp.key.kept-apart"
cp "$DB.key" "$keep_key"
rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key"
"$C" restore "$B" --pubkey "$T/keys/ledger.pub" --checkpoint "$T/offsite/published.cp" \
  >"$T/r.out" 2>"$T/r.err" || { cat "$T/r.err" >&2; fail "restore"; }
grep 'signature verified' "$T/r.out" >/dev/null || fail "restore: signature"
grep 'the checkpoint given' "$T/r.out" >/dev/null || fail "restore: published checkpoint"
grep "no TOTP key file at $DB.key" "$T/r.err" >/dev/null || fail "restore: key file reminder"
"$C" audit verify >/dev/null || fail "audit verify after the restore"
[ "$(sqlite3 "$DB" 'SELECT action FROM ledger ORDER BY seq DESC LIMIT 1')" = restore ] ||
  fail "the restore is not in the restored ledger"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM requests')" = "$n" ] || fail "requests restored"
[ "$(sqlite3 "$DB" "SELECT status FROM requests WHERE id = '$DOJ'")" = fulfilled ] || fail "fulfilment"
"$C" audit verify --checkpoint "$T/b1.cp" --pubkey "$T/keys/ledger.pub" >/dev/null ||
  fail "the restored store extends the backup's checkpoint"
cp "$keep_key" "$DB.key"
chmod 600 "$DB.key"
export CUSTODIAN_NOW=2025-07-18T19:01:00Z # a code not used before (one use per code)
serve
code=$($TOTP "$(cat "$T/uri")" $((NOW_TS + 60)))
[ "$(curl -s -c "$T/jar2" -o /dev/null -w '%{http_code}' --data-urlencode name=sup \
  --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" "$URL/login")" = 303 ] ||
  fail "sign-in on the restored store"
[ "$(curl -s -b "$T/jar2" "$URL/api/v1/requests" | jq '.requests | length')" -gt 0 ] ||
  fail "requests through the API after the restore"
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
SERVER_PID=
# --replace over a store: the old one is kept aside, never deleted
before_sum=$(sha256sum <"$DB" | cut -d' ' -f1)
"$C" restore "$B" --replace >"$T/r2.out" 2>/dev/null || fail "restore --replace"
kept=$(sed -n 's/.*the store that was there is kept at //p' "$T/r2.out")
[ -n "$kept" ] && [ -f "$kept" ] || fail "no kept store"
[ "$(sha256sum <"$kept" | cut -d' ' -f1)" = "$before_sum" ] || fail "the kept store changed"
"$C" --db "$kept" audit verify >/dev/null || fail "the kept store"
ok
pass
