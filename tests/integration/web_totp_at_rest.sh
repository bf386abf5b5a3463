#!/usr/bin/env bash
# TOTP secrets encrypted at rest (docs/internals/auth.md): `user add` creates the server key
# file (mode 0600, beside the store or --key-file / CUSTODIAN_KEY_FILE); the store's .dump holds
# no secret in the clear (base32 or raw bytes); sign-in works end to end through `serve`; a
# clear-text row from an older store is sealed on the first open with the key and still signs
# in; a key file group/others may read is refused, naming the file and `chmod 600`; without
# the key file, staff sign-in is refused and the server says why.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"

C=$CUSTODIAN
DB=$CUSTODIAN_DB
TOTP="node $CUST_SOURCE_DIR/tests/browser/totp.mjs"
command -v node >/dev/null || fail "node is needed (scripts/bootstrap installs it)"
command -v sqlite3 >/dev/null || fail "the sqlite3 CLI is needed"
unset CUSTODIAN_KEY_FILE
hex_of() { # base32 secret -> upper-case hex of its bytes
  node -e "import('$CUST_SOURCE_DIR/tests/browser/totp.mjs').then(m =>
    console.log(m.base32Decode(process.argv[1]).toString('hex').toUpperCase()))" "$1"
}
secret_of() { sed -n 's/.*[?&]secret=\([A-Z2-7]*\).*/\1/p' "$1"; }
# (into a file first: `sqlite3 | grep -q` under pipefail fails on SIGPIPE exactly on a match)
dump_has() { sqlite3 "$DB" .dump >"$T/dump.sql" && grep -qi -- "$1" "$T/dump.sql"; }

"$C" init >/dev/null
"$C" user --help >"$T/help.user"
grep -q -- "--key-file" "$T/help.user" || fail "user --help names --key-file"
"$C" serve --help >"$T/help.serve"
grep -q -- "--key-file" "$T/help.serve" || fail "serve --help names --key-file"
ok
echo "river otter lantern quietly 42" >"$T/pass"

# --- user add creates the key file, mode 0600, and the store keeps no secret in the clear
[ ! -e "$DB.key" ] || fail "key file before any user"
"$C" user add u1 --role clerk --passphrase-file "$T/pass" >"$T/uri.u1" 2>/dev/null
[ "$(stat -c %a "$DB.key")" = 600 ] || fail "key file mode $(stat -c %a "$DB.key")"
[ "$(stat -c %s "$DB.key")" = 32 ] || fail "key file size"
S1=$(secret_of "$T/uri.u1")
[ ${#S1} -ge 32 ] || fail "no secret in $(cat "$T/uri.u1")"
H1=$(hex_of "$S1")
dump_has "$S1" && fail "base32 secret in the .dump"
dump_has "$H1" && fail "raw secret (hex) in the .dump"
[ "$(sqlite3 "$DB" "SELECT length(totp_key), length(totp_nonce) FROM users WHERE name = 'u1'")" \
  = '36|24' ] || fail "sealed row shape"
ok
# a second account reuses the key (same file, not replaced)
KEYSUM=$(sha256sum <"$DB.key")
"$C" user add u2 --role supervisor --passphrase-file "$T/pass" >"$T/uri.u2" 2>/dev/null
[ "$(sha256sum <"$DB.key")" = "$KEYSUM" ] || fail "key file replaced"
ok

# --- a row from an older store: secret in the clear (positive control for the grep)
S3=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
H3=$(hex_of "$S3")
"$C" user add u3 --role counsel --passphrase-file "$T/pass" >/dev/null 2>&1
sqlite3 "$DB" "UPDATE users SET totp_key = X'$H3', totp_nonce = NULL WHERE name = 'u3'"
dump_has "$H3" || fail "positive control: the clear secret shows in the .dump"
ok

# --- serve
cat >"$T/serve.ini" <<INI
[server]
threads = 2
access_log = $T/access.log
INI
start() { serve_start --config "$T/serve.ini" "$@"; } # extra serve args...
login() { # NAME SECRET -> HTTP status
  curl -s -o /dev/null -w '%{http_code}' --data-urlencode "name=$1" \
    --data-urlencode "passphrase=$(cat "$T/pass")" --data-urlencode "code=$($TOTP "$2")" \
    "$BASE/login"
}

start
grep -q "sealed 1 clear-text TOTP secret" "$T/server.err" || fail "clear row not sealed"
dump_has "$H3" && fail "the old clear secret is still in the .dump"
[ "$(login u1 "$S1")" = 303 ] || fail "login u1"
[ "$(login u3 "$S3")" = 303 ] || fail "login u3 (sealed from the clear row)"
[ "$(login u2 "$S1")" != 303 ] || fail "u2 with u1's secret"
serve_stop
KEYHEX=$(od -An -tx1 "$DB.key" | tr -d ' \n')
for f in "$T/server.err" "$T/access.log"; do
  grep -qi "$KEYHEX" "$f" && fail "server key in $f"
done
dump_has "$KEYHEX" && fail "server key in the store"
ok

# --- a key file group or others may read is refused, naming the file and the fix
chmod 640 "$DB.key"
expect_exit 1 "$C" serve --listen 127.0.0.1:0
grep -q "$DB.key" "$T/err" && grep -q "chmod 600" "$T/err" || fail "message: $(cat "$T/err")"
expect_exit 1 "$C" user add u4 --role clerk --passphrase-file "$T/pass"
grep -q "chmod 600" "$T/err" || fail "user add message: $(cat "$T/err")"
chmod 600 "$DB.key"

# --- without the key file: the server runs (locator) and says sign-in is off
mv "$DB.key" "$T/moved.key"
start
grep -q "no key file '$DB.key'" "$T/server.err" || fail "no notice: $(cat "$T/server.err")"
[ "$(login u2 "$(secret_of "$T/uri.u2")")" != 303 ] || fail "login without the key"
serve_stop
ok

# --- --key-file and CUSTODIAN_KEY_FILE name it elsewhere
start --key-file "$T/moved.key"
[ "$(login u2 "$(secret_of "$T/uri.u2")")" = 303 ] || fail "login with --key-file"
serve_stop
CUSTODIAN_KEY_FILE="$T/moved.key" "$C" user add u5 --role auditor --passphrase-file "$T/pass" \
  >"$T/uri.u5" 2>/dev/null
[ ! -e "$DB.key" ] || fail "CUSTODIAN_KEY_FILE ignored by user add"
export CUSTODIAN_KEY_FILE="$T/moved.key"
start
[ "$(login u5 "$(secret_of "$T/uri.u5")")" = 303 ] || fail "login with CUSTODIAN_KEY_FILE"
serve_stop
ok
pass
