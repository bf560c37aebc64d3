#!/usr/bin/env python3
"""Known-answer vectors for twostep backup-code hashing (src/backup.rs).

Computed with Python's standard library only (hmac, hashlib, base64), so the
vectors do not share a code path with the Rust implementation. Run:

    python3 scripts/backup_vectors.py > tests/vectors/backup_kat.txt
    python3 scripts/backup_vectors.py --v2 > tests/vectors/backup_kat_v2.txt

Construction (storage format v1, read but no longer written), as documented
in src/backup.rs:

  symbols  Crockford base32, alphabet 0123456789ABCDEFGHJKMNPQRSTVWXYZ
  packed   the 5-bit symbol values concatenated most significant bit first,
           zero-padded to whole bytes: ceil(5 * len / 8) bytes
  L        the symbol count as one byte
  key      the pepper, or the empty key when there is none

  hmac-sha256   (len >= 23, i.e. >= 112 bits):
      digest = HMAC-SHA-256(key, "twostep-bc/v1/hmac-sha256" || L || salt || packed)
  pbkdf2-sha256 (len <= 22):
      pw     = HMAC-SHA-256(key, "twostep-bc/v1/pbkdf2-sha256" || L || packed)
      digest = PBKDF2-HMAC-SHA-256(pw, salt, i, 32)

  storage  $twostep-bc$v=1$alg=<alg>[,i=<i>],len=<len>,pepper=<0|1>
           $salt=<b64 salt>$gen=<gen>$<slot>,<slot>,...
           with b64 = standard base64 without padding, and a used slot
           written as "-" followed by its digest.

Storage format v2 (written by new sets) binds the pepper's length into the
key, so that peppers differing only by trailing zero bytes (which HMAC's key
padding would equate), and an all-zero pepper and none, are different keys:

  P        the pepper bytes (empty when there is none)
  key      HMAC-SHA-256("twostep-bc/v2/pepper", len(P) as one byte || P)

  hmac-sha256:    digest = HMAC-SHA-256(key, "twostep-bc/v2/hmac-sha256" || L || salt || packed)
  pbkdf2-sha256:  pw     = HMAC-SHA-256(key, "twostep-bc/v2/pbkdf2-sha256" || L || packed)
                  digest = PBKDF2-HMAC-SHA-256(pw, salt, i, 32)

  storage  as v1, with v=2.
"""

import base64
import hashlib
import hmac
import random
import sys

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
HMAC_TAG = b"twostep-bc/v1/hmac-sha256"
PBKDF2_TAG = b"twostep-bc/v1/pbkdf2-sha256"
PEPPER_TAG_V2 = b"twostep-bc/v2/pepper"
HMAC_TAG_V2 = b"twostep-bc/v2/hmac-sha256"
PBKDF2_TAG_V2 = b"twostep-bc/v2/pbkdf2-sha256"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def pack(code: str) -> bytes:
    bits = 0
    for ch in code:
        bits = (bits << 5) | ALPHABET.index(ch)
    nbits = 5 * len(code)
    nbytes = (nbits + 7) // 8
    bits <<= nbytes * 8 - nbits
    return bits.to_bytes(nbytes, "big")


def digest(code: str, salt: bytes, pepper: bytes, iterations: int, version: int = 1) -> bytes:
    length = bytes([len(code)])
    if version == 1:
        key, hmac_tag, pbkdf2_tag = pepper, HMAC_TAG, PBKDF2_TAG
    else:
        key = hmac.new(PEPPER_TAG_V2, bytes([len(pepper)]) + pepper, hashlib.sha256).digest()
        hmac_tag, pbkdf2_tag = HMAC_TAG_V2, PBKDF2_TAG_V2
    if iterations == 0:
        msg = hmac_tag + length + salt + pack(code)
        return hmac.new(key, msg, hashlib.sha256).digest()
    pw = hmac.new(key, pbkdf2_tag + length + pack(code), hashlib.sha256).digest()
    return hashlib.pbkdf2_hmac("sha256", pw, salt, iterations, 32)


def group(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def vector(name, seed, length, count, iterations, pepper, used, gen, version=1):
    rng = random.Random(seed)
    salt = bytes(rng.randrange(256) for _ in range(16))
    codes = ["".join(rng.choice(ALPHABET) for _ in range(length)) for _ in range(count)]
    assert len(set(codes)) == count
    alg = "hmac-sha256" if iterations == 0 else f"pbkdf2-sha256,i={iterations}"
    slots = []
    for i, code in enumerate(codes):
        d = b64(digest(code, salt, pepper, iterations, version))
        slots.append(("-" + d) if i in used else d)
    storage = (
        f"$twostep-bc$v={version}$alg={alg},len={length},pepper={1 if pepper else 0}"
        f"$salt={b64(salt)}$gen={gen}$" + ",".join(slots)
    )
    print(f"name: {name}")
    print(f"pepper: {pepper.hex() if pepper else '-'}")
    print(f"codes: {' '.join(group(c) for c in codes)}")
    print(f"used: {' '.join(str(i) for i in sorted(used)) or '-'}")
    print(f"packed0: {pack(codes[0]).hex()}")
    print(f"storage: {storage}")
    print()
    return storage


def main_v2():
    print("# Known-answer vectors for twostep backup-code hashing (storage format v2).")
    print("# Source: scripts/backup_vectors.py --v2, Python 3 hashlib/hmac/base64 only,")
    print("# independent of the Rust code path. Regenerate with:")
    print("#   python3 scripts/backup_vectors.py --v2 > tests/vectors/backup_kat_v2.txt")
    print("# Fields as in backup_kat.txt. The '-trailing-zero' vectors share codes and")
    print("# salt with the vector before them, under that pepper with a zero byte")
    print("# appended: their digests differ.")
    print()
    pepper32 = bytes(range(0x20, 0x40))
    pepper16 = bytes(range(1, 17))
    v = lambda *a: vector(*a, version=2)
    v("v2-hmac-len24-no-pepper", 11, 24, 3, 0, b"", {1}, 2)
    a = v("v2-hmac-len24-pepper", 12, 24, 4, 0, pepper32, set(), 1)
    b = v("v2-hmac-len24-pepper-trailing-zero", 12, 24, 4, 0, pepper32 + b"\0", set(), 1)
    v("v2-hmac-len24-all-zero-pepper", 13, 24, 2, 0, bytes(32), set(), 1)
    v("v2-hmac-len32-max-pepper", 14, 32, 2, 0, bytes(range(64)), {0}, 5)
    c = v("v2-pbkdf2-len10-pepper", 15, 10, 3, 1000, pepper16, {2}, 2)
    d = v("v2-pbkdf2-len10-pepper-trailing-zero", 15, 10, 3, 1000, pepper16 + b"\0", {2}, 2)
    v("v2-pbkdf2-len22-no-pepper", 16, 22, 2, 1000, b"", set(), 1)
    for x, y in [(a, b), (c, d)]:
        assert x.rsplit("$", 1)[0] == y.rsplit("$", 1)[0]
        assert not set(x.rsplit("$", 1)[1].split(",")) & set(y.rsplit("$", 1)[1].split(","))


def main():
    print("# Known-answer vectors for twostep backup-code hashing (storage format v1).")
    print("# Source: scripts/backup_vectors.py, Python 3 hashlib/hmac/base64 only,")
    print("# independent of the Rust code path. Regenerate with:")
    print("#   python3 scripts/backup_vectors.py > tests/vectors/backup_kat.txt")
    print("# Fields: pepper (hex or -), codes (grouped, slot order), used (0-based")
    print("# slot indices already spent, or -), packed0 (hex of the first code's")
    print("# packed symbols), storage (the set's storage string).")
    print()
    pepper32 = bytes(range(0x20, 0x40))
    vector("hmac-len24-no-pepper", 1, 24, 3, 0, b"", {1}, 2)
    vector("hmac-len24-pepper", 2, 24, 4, 0, pepper32, set(), 1)
    vector("hmac-len23-threshold", 3, 23, 2, 0, b"", set(), 1)
    vector("hmac-len32-max", 4, 32, 2, 0, bytes(range(16)), {0}, 5)
    vector("pbkdf2-len22-below-threshold", 5, 22, 2, 1000, b"", set(), 1)
    vector("pbkdf2-len10-pepper", 6, 10, 3, 1000, pepper32, {2}, 2)
    vector("pbkdf2-len16-default-cost", 7, 16, 1, 100000, b"", set(), 1)


if __name__ == "__main__":
    if sys.argv[1:] == ["--v2"]:
        main_v2()
    else:
        main()
