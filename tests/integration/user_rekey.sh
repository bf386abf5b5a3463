#!/usr/bin/env bash
# `custodian user rekey` (docs/operations.md "Keys"): the TOTP key file rotated, every secret
# sealed again under the new key in one transaction, the old key kept, staff still sign in with
# the same authenticator; a secret that does not open refuses it with nothing changed; a
# rotation interrupted after its commit (the final rename failing) is finished by the next run.
set -euo pipefail
source "$CUST_SOURCE_DIR/tests/integration/lib/common.sh"
C=$CUSTODIAN
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
unset CUSTODIAN_KEY_FILE
KEY="$T/custodian.db.key"
"$C" init >/dev/null
echo "copper meadow signal ninety" >"$T/pass"
"$C" user add ana --role supervisor --passphrase-file "$T/pass" >"$T/uri.ana" 2>/dev/null
"$C" user add ben --role clerk --passphrase-file "$T/pass" >"$T/uri.ben" 2>/dev/null
"$C" user add cal --role counsel --passphrase-file "$T/pass" >"$T/uri.cal" 2>/dev/null
cp "$KEY" "$T/key.before"
boxes() { sqlite3 "$CUSTODIAN_DB" 'SELECT name, hex(totp_nonce), hex(totp_key) FROM users ORDER BY name'; }
boxes >"$T/boxes.before"

signin() { # NAME: sign in to a server on the store with the current key file; 303 or fail
  rm -f "$T/port"
  "$C" serve --listen 127.0.0.1:0 --port-file "$T/port" 2>>"$T/server.err" &
  local pid=$!
  for _ in $(seq 1 400); do [ -s "$T/port" ] && break; sleep 0.025; done
  local code got
  code=$($TOTP "$(cat "$T/uri.$1")")
  got=$(curl -s -o /dev/null -w '%{http_code}' --data-urlencode "name=$1" \
    --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$code" \
    "http://127.0.0.1:$(cat "$T/port")/login")
  kill -TERM "$pid"
  wait "$pid" || true
  [ "$got" = 303 ] || fail "sign-in of $1 after the rotation: $got"
  ok
}

# --- a rotation
expect_exit 0 "$C" user rekey
grep '3 TOTP secrets sealed under a new key file' "$T/err" >/dev/null || fail "$(cat "$T/err")"
! cmp -s "$KEY" "$T/key.before" || fail "the key file did not change"
[ "$(stat -c %a "$KEY")" = 600 ] || fail "new key file mode $(stat -c %a "$KEY")"
old=$(ls "$KEY".old-*)
cmp -s "$old" "$T/key.before" || fail "the old key was not kept"
[ ! -e "$KEY.new" ] || fail "KEY.new left behind"
boxes >"$T/boxes.after"
! cmp -s "$T/boxes.before" "$T/boxes.after" || fail "the secrets were not sealed again"
"$C" audit log | grep user_rekey >/dev/null || fail "no ledger entry"
"$C" audit verify >/dev/null || fail "audit verify"
ok
signin ana
signin ben

# --- a secret that does not open with the key: refused, nothing changed
cp "$KEY" "$T/key.good"
head -c 32 /dev/urandom >"$T/wrong.key"
chmod 600 "$T/wrong.key"
boxes >"$T/boxes.now"
expect_exit 1 "$C" user rekey --key-file "$T/wrong.key"
grep "does not open with key file" "$T/err" >/dev/null || fail "$(cat "$T/err")"
boxes | cmp -s - "$T/boxes.now" || fail "a refused rotation changed the store"
[ ! -e "$T/wrong.key.new" ] || fail "a refused rotation left its new key"
cmp -s "$KEY" "$T/key.good" || fail "a refused rotation changed the key file"
ok

# --- interrupted after the commit: the rename of KEY.new over KEY fails (EIO); the store is
# sealed under KEY.new, KEY still the old key (KEY.new is made by link(), the one rename is
# the final one). The next run finishes it.
if command -v strace >/dev/null; then
  set +e
  strace -f -qq -o /dev/null -e trace=rename,renameat,renameat2 \
    -e inject=rename,renameat,renameat2:error=EIO:when=1 "$C" user rekey 2>"$T/err"
  rc=$?
  set -e
  [ "$rc" -ne 0 ] || fail "the failed rename was not reported"
  [ -e "$KEY.new" ] || fail "no KEY.new after the interrupted rotation: $(cat "$T/err")"
  cmp -s "$KEY" "$T/key.good" || fail "KEY changed although its rename failed"
  expect_exit 0 "$C" user rekey
  grep 'finished an interrupted rotation' "$T/err" >/dev/null || fail "$(cat "$T/err")"
  [ ! -e "$KEY.new" ] || fail "KEY.new left behind"
  ! cmp -s "$KEY" "$T/key.good" || fail "the interrupted rotation was not finished"
  ok
  signin cal # (a TOTP code is accepted once: ana's was used above)
fi
pass
