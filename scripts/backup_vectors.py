#!/usr/bin/env python3
"""Known-answer vectors for twostep backup-code hashing (src/backup.rs).

Computed with Python's standard library only (hmac, hashlib, base64), so the
vectors do not share a code path with the Rust implementation. Run:

    python3 scripts/backup_vectors.py > tests/vectors/backup_kat.txt

Construction (storage format v1), as documented in src/backup.rs:

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
"""

import base64
import hashlib
import hmac
import random

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
HMAC_TAG = b"twostep-bc/v1/hmac-sha256"
PBKDF2_TAG = b"twostep-bc/v1/pbkdf2-sha256"


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


def digest(code: str, salt: bytes, pepper: bytes, iterations: int) -> bytes:
    length = bytes([len(code)])
    if iterations == 0:
        msg = HMAC_TAG + length + salt + pack(code)
        return hmac.new(pepper, msg, hashlib.sha256).digest()
    pw = hmac.new(pepper, PBKDF2_TAG + length + pack(code), hashlib.sha256).digest()
    return hashlib.pbkdf2_hmac("sha256", pw, salt, iterations, 32)


def group(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def vector(name, seed, length, count, iterations, pepper, used, gen):
    rng = random.Random(seed)
    salt = bytes(rng.randrange(256) for _ in range(16))
    codes = ["".join(rng.choice(ALPHABET) for _ in range(length)) for _ in range(count)]
    assert len(set(codes)) == count
    alg = "hmac-sha256" if iterations == 0 else f"pbkdf2-sha256,i={iterations}"
    slots = []
    for i, code in enumerate(codes):
        d = b64(digest(code, salt, pepper, iterations))
        slots.append(("-" + d) if i in used else d)
    storage = (
        f"$twostep-bc$v=1$alg={alg},len={length},pepper={1 if pepper else 0}"
        f"$salt={b64(salt)}$gen={gen}$" + ",".join(slots)
    )
    print(f"name: {name}")
    print(f"pepper: {pepper.hex() if pepper else '-'}")
    print(f"codes: {' '.join(group(c) for c in codes)}")
    print(f"used: {' '.join(str(i) for i in sorted(used)) or '-'}")
    print(f"packed0: {pack(codes[0]).hex()}")
    print(f"storage: {storage}")
    print()


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
    main()
