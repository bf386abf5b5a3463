#!/usr/bin/env python3
"""An independent reference for custodian's ledger tree, proofs and checkpoints.

Written from the specifications only (RFC 6962 / RFC 9162 section 2.1, RFC 8032 Ed25519,
c2sp.org/signed-note, c2sp.org/tlog-checkpoint, docs/internals/ledger.md for the entry
encoding), with the Python standard library only, so that the C implementation is checked
against a second one. It reads the store with the sqlite3 module (read-only).

  tlog_ref.py selftest
  tlog_ref.py root DB [SIZE]                 print "SIZE ROOT_B64" of the ledger's tree
  tlog_ref.py check-proof DB PROOF.json      verify a proof of `audit prove --json`, and
                                             compare it with this implementation's own proof
  tlog_ref.py check-checkpoint DB NOTE VKEY  verify a signed checkpoint against the store
  tlog_ref.py rechain DB                     the insider's forgery: recompute every entry's
                                             prev_hash and hash and the head (no checkpoint
                                             can be recomputed without the signing key)
  tlog_ref.py forge-row DB TABLE ID COL VALUE  the insider's full forgery of one row (persons
                                             or decisions): change it, recompute its hash in the
                                             journal, the entry's commitment and the chain
"""
import base64
import hashlib
import json
import sqlite3
import struct
import sys


# ---- the entry encoding (docs/internals/ledger.md) ----------------------------------------

def enc(value):
    if value is None:
        return b"\xff" * 8
    if isinstance(value, int):
        value = str(value)
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return struct.pack(">Q", len(data)) + data


ENTRY_COLUMNS = ("seq", "at", "actor", "role", "action", "object_type", "object_id",
                 "outcome", "purpose", "detail")


def entry_bytes(row):
    """v2 (schema 9 on): the rows commitment follows detail; v1 entries (rows NULL) have none."""
    v2 = row.get("rows") is not None
    out = enc("custodian-ledger-v2" if v2 else "custodian-ledger-v1")
    out += b"".join(enc(row[c]) for c in ENTRY_COLUMNS)
    if v2:
        out += enc(row["rows"])
    return out + enc(row["prev_hash"])


def entries(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute("SELECT * FROM ledger ORDER BY seq")]
    con.close()
    return rows


# ---- RFC 6962 ---------------------------------------------------------------------------

def sha(data):
    return hashlib.sha256(data).digest()


def leaf_hash(data):
    return sha(b"\x00" + data)


def node_hash(left, right):
    return sha(b"\x01" + left + right)


def largest_pow2_below(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaves):
    """MTH over leaf hashes, by the recursive definition of RFC 6962 2.1."""
    n = len(leaves)
    if n == 0:
        return sha(b"")
    if n == 1:
        return leaves[0]
    k = largest_pow2_below(n)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    n = len(leaves)
    if n <= 1:
        return []
    k = largest_pow2_below(n)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m, leaves, complete):
    n = len(leaves)
    if m == n:
        return [] if complete else [mth(leaves)]
    k = largest_pow2_below(n)
    if m <= k:
        return subproof(m, leaves[:k], complete) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def consistency(m, leaves):
    if m == 0 or m == len(leaves):
        return []
    return subproof(m, leaves, True)


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(m, n, proof, root_m, root_n):
    """RFC 9162 2.1.4.2."""
    if m > n:
        return False
    if m == n:
        return not proof and root_m == root_n
    if m == 0:
        return not proof
    if not proof:
        return False
    if m & (m - 1) == 0:
        proof = [root_m] + list(proof)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root_m and sr == root_n


# ---- Ed25519 verification (RFC 8032 5.1), integers only -----------------------------------

P = 2 ** 255 - 19
L = 2 ** 252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def edd_add(a, b):
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % P
    bb = (y1 + x1) * (y2 + x2) % P
    cc = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def edd_mul(k, pt):
    acc = (0, 1, 1, 0)
    while k:
        if k & 1:
            acc = edd_add(acc, pt)
        pt = edd_add(pt, pt)
        k >>= 1
    return acc


def edd_decode(s):
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= P:
        return None
    u, v = (y * y - 1) % P, (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if v * x * x % P != u:
        x = x * SQRT_M1 % P
        if v * x * x % P != u:
            return None
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = P - x
    return (x, y, 1, x * y % P)


def edd_equal(a, b):
    return (a[0] * b[2] - b[0] * a[2]) % P == 0 and (a[1] * b[2] - b[1] * a[2]) % P == 0


GY = 4 * pow(5, P - 2, P) % P
BASE = edd_decode(GY.to_bytes(32, "little"))


def edd_encode(pt):
    zi = pow(pt[2], P - 2, P)
    x, y = pt[0] * zi % P, pt[1] * zi % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def ed25519_verify(pk, msg, sig):
    a = edd_decode(pk)
    if a is None or len(sig) != 64:
        return False
    r = edd_decode(sig[:32])
    s = int.from_bytes(sig[32:], "little")
    if r is None or s >= L:
        return False
    k = int.from_bytes(hashlib.sha512(sig[:32] + pk + msg).digest(), "little") % L
    return edd_equal(edd_mul(s, BASE), edd_add(r, edd_mul(k, a)))


# ---- signed notes and checkpoints ---------------------------------------------------------

def parse_vkey(vkey):
    name, key_id, key = vkey.strip().split("+", 2)
    raw = base64.b64decode(key, validate=True)
    if len(raw) != 33 or raw[0] != 1:
        raise ValueError("not an Ed25519 verifier key")
    pk = raw[1:]
    want = sha(name.encode() + b"\n\x01" + pk)[:4]
    if want.hex() != key_id:
        raise ValueError("key ID does not match")
    return name, want, pk


def open_note(data, vkey):
    name, key_id, pk = parse_vkey(vkey)
    cut = data.rindex(b"\n\n")
    text, sigs = data[:cut + 1], data[cut + 2:]
    verified = False
    for line in sigs.decode().splitlines():
        if not line.startswith("\u2014 "):
            raise ValueError("bad signature line")
        who, b64 = line[2:].split(" ")
        raw = base64.b64decode(b64, validate=True)
        if who == name and raw[:4] == key_id:
            if not ed25519_verify(pk, text, raw[4:]):
                raise ValueError("signature does not verify")
            verified = True
    if not verified:
        raise ValueError("not signed by " + name)
    return text


def tree_leaves(db):
    rows = entries(db)
    return [leaf_hash(entry_bytes(r)) for r in rows], rows


def b64(h):
    return base64.b64encode(h).decode()


def unb64(s):
    return base64.b64decode(s, validate=True)


# ---- commands -----------------------------------------------------------------------------

def selftest():
    # RFC 6962 vectors (transparency-dev/merkle): leaves and the root of 8
    data = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
            bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70))]
    leaves = [leaf_hash(d) for d in data]
    assert mth(leaves).hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    assert mth(leaves[:3]).hex() == "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"
    for n in range(1, 20):
        ls = [leaf_hash(bytes([i])) for i in range(n)]
        for i in range(n):
            assert verify_inclusion(i, n, ls[i], path(i, ls), mth(ls))
        for m in range(n + 1):
            assert verify_consistency(m, n, consistency(m, ls), mth(ls[:m]), mth(ls))
    # RFC 8032 7.1 test 1 public key and signature of the empty message
    pk = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    sig = bytes.fromhex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
                        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    assert ed25519_verify(pk, b"", sig)
    assert not ed25519_verify(pk, b"x", sig)
    assert edd_encode(BASE).hex() == "5866666666666666666666666666666666666666666666666666666666666666"
    # the Go sumdb/note example
    note = ("If you think cryptography is the answer to your problem,\n"
            "then you don't know what your problem is.\n\n"
            "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSN"
            "XgKvqfqdngotpRZb6KE6RyyBwJnAM=\n").encode()
    open_note(note, "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
    print("selftest ok")


def cmd_root(db, size=None):
    leaves, _ = tree_leaves(db)
    n = len(leaves) if size is None else int(size)
    print(n, b64(mth(leaves[:n])))


def cmd_check_proof(db, proof_file):
    with open(proof_file) as f:
        p = json.load(f)
    leaves, _ = tree_leaves(db)
    size = p["size"]
    root = mth(leaves[:size])
    assert b64(root) == p["root"], "root differs"
    hashes = [unb64(h) for h in p["hashes"]]
    if p["proof"] == "inclusion":
        i = p["leaf_index"]
        assert b64(leaves[i]) == p["leaf_hash"], "leaf hash differs"
        assert hashes == path(i, leaves[:size]), "inclusion proof differs from the reference"
        assert verify_inclusion(i, size, leaves[i], hashes, root), "inclusion proof fails"
    else:
        m = p["old_size"]
        old_root = mth(leaves[:m])
        assert b64(old_root) == p["old_root"], "old root differs"
        assert hashes == consistency(m, leaves[:size]), "consistency proof differs"
        assert verify_consistency(m, size, hashes, old_root, root), "consistency proof fails"
    print("proof ok")


def cmd_check_checkpoint(db, note_file, vkey_file):
    with open(note_file, "rb") as f:
        note = f.read()
    with open(vkey_file) as f:
        vkey = f.read()
    text = open_note(note, vkey).decode()
    origin, size, root = text.split("\n")[:3]
    assert origin == vkey.split("+")[0], "origin is not the key's name"
    leaves, _ = tree_leaves(db)
    size = int(size)
    assert size <= len(leaves), "the store has fewer entries than the checkpoint"
    assert b64(mth(leaves[:size])) == root, "the store does not extend the checkpoint"
    print("checkpoint ok", origin, size)


def cmd_rechain(db):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    con.execute("DROP TRIGGER IF EXISTS ledger_no_update")
    con.execute("DROP TRIGGER IF EXISTS ledger_no_delete")
    rows = [dict(r) for r in con.execute("SELECT * FROM ledger ORDER BY seq")]
    prev = "0" * 64
    for i, r in enumerate(rows, 1):
        old = r["seq"]
        r["seq"], r["prev_hash"] = i, prev
        prev = sha(entry_bytes(r)).hex()
        con.execute("UPDATE ledger SET seq = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                    (-i, r["prev_hash"], prev, old))
    con.execute("UPDATE ledger SET seq = -seq")
    con.execute("UPDATE ledger_head SET seq = ?, hash = ?", (len(rows), prev))
    con.commit()
    con.close()
    print("rechained", len(rows))


# ---- rows (docs/internals/ledger.md "Rows"), for two tables without child rows ----------

ROW_COLUMNS = {
    "persons": ("id", "person_key", "last_name", "first_name", "middle_name", "dob", "sex", "cii",
                "fbi", "sid", "a_number", "place_of_birth", "home_address", "immigration_status",
                "aliases", "sex_arson_registrant", "citizenship_status", "citizenship_rank",
                "citizenship_recorded_at"),
    "decisions": ("id", "request_id", "person_id", "booking_number", "policy_id", "policy_version",
                  "policy_sha256", "decided_at", "decided_by", "decision"),
}


def enc_value(v):
    if isinstance(v, float):
        v = "%.17g" % v
    return enc(v)


def row_hash(table, values):
    return sha(enc("custodian-row-v1") + enc(table) + b"".join(enc_value(v) for v in values))


def cmd_forge_row(db, table, rid, col, value):
    rid = int(rid)
    con = sqlite3.connect(db)
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        con.execute("DROP TRIGGER %s" % name)
    con.execute("UPDATE %s SET %s = ? WHERE id = ?" % (table, col), (value, rid))
    cols = ROW_COLUMNS[table]
    values = con.execute("SELECT %s FROM %s WHERE id = ?" % (", ".join(cols), table),
                         (rid,)).fetchone()
    new = row_hash(table, values)
    key = struct.pack(">q", rid)
    # the latest journal record of the key: patch its hash
    found = None
    for jid, seq, blob in con.execute("SELECT id, seq, hashes FROM ledger_rows WHERE tbl = ?"
                                      " ORDER BY seq, id", (table,)).fetchall():
        off = 0
        while off + 8 <= len(blob):
            (n,) = struct.unpack(">Q", blob[off:off + 8])
            if blob[off + 8:off + 8 + n] == key:
                found = (jid, seq, off + 8 + n)
            off += 8 + n + 32
    jid, seq, at = found
    (blob,) = con.execute("SELECT hashes FROM ledger_rows WHERE id = ?", (jid,)).fetchone()
    con.execute("UPDATE ledger_rows SET hashes = ? WHERE id = ?", (blob[:at] + new + blob[at + 32:], jid))
    # the entry's commitment to that table's journal
    parts = con.execute("SELECT n, hashes FROM ledger_rows WHERE seq = ? AND tbl = ? ORDER BY part",
                        (seq, table)).fetchall()
    (rows,) = con.execute("SELECT rows FROM ledger WHERE seq = ?", (seq,)).fetchone()
    commit = json.loads(rows)
    commit[table] = [sum(n for n, _ in parts), hashlib.sha256(b"".join(b for _, b in parts)).hexdigest()]
    con.execute("UPDATE ledger SET rows = ? WHERE seq = ?",
                (json.dumps(commit, separators=(",", ":")), seq))
    con.commit()
    con.close()
    cmd_rechain(db)


def main(argv):
    cmds = {"selftest": selftest, "root": cmd_root, "check-proof": cmd_check_proof,
            "check-checkpoint": cmd_check_checkpoint, "rechain": cmd_rechain,
            "forge-row": cmd_forge_row}
    if len(argv) < 2 or argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        cmds[argv[1]](*argv[2:])
    except (AssertionError, ValueError) as e:
        print("tlog_ref: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
