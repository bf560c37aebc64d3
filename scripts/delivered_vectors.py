#!/usr/bin/env python3
"""Known-answer vectors for twostep delivered codes (src/delivered/key.rs).

Computed with Python's standard library only (hmac, hashlib, random), so the
vectors do not share a code path with the Rust implementation. Run:

    python3 scripts/delivered_vectors.py > tests/vectors/delivered_kat.txt

Construction (tag v1), as documented in src/delivered/key.rs:

  P        the purpose as one byte: login 1, confirm-phone 2,
           confirm-address 3, recovery 4
  L        the attempt binding's length as one byte (1 to 64)
  D        the digit count as one byte (6 to 10)
  code     = BE64(HMAC-SHA-256(key, "twostep-dc/v1/code" || P || L || attempt || nonce || D)[0:8]) mod 10^D
  binding  = HMAC-SHA-256(key, "twostep-dc/v1/binding" || P || L || attempt)[0:16]

  state    d1;<no>,<nonce hex>,<binding hex>,<D>,<issued>,<expires>,0,l;-;1.1;
           0,<issued>,s,l,0,,,r,-,-
           (the state text of src/delivered/state.rs with this one code)
"""

import hashlib
import hmac
import random

CODE_TAG = b"twostep-dc/v1/code"
BINDING_TAG = b"twostep-dc/v1/binding"
PURPOSES = {"login": 1, "confirm-phone": 2, "confirm-address": 3, "recovery": 4}


def code(key: bytes, purpose: int, attempt: bytes, nonce: bytes, digits: int) -> str:
    msg = CODE_TAG + bytes([purpose, len(attempt)]) + attempt + nonce + bytes([digits])
    mac = hmac.new(key, msg, hashlib.sha256).digest()
    value = int.from_bytes(mac[:8], "big") % (10**digits)
    return str(value).zfill(digits)


def fingerprint(key: bytes, purpose: int, attempt: bytes) -> bytes:
    msg = BINDING_TAG + bytes([purpose, len(attempt)]) + attempt
    return hmac.new(key, msg, hashlib.sha256).digest()[:16]


def main() -> None:
    rng = random.Random(20261201)
    cases = [
        ("login-6-key32", 32, "login", 32, 6),
        ("login-8-key64", 64, "login", 16, 8),
        ("confirm-phone-7", 40, "confirm-phone", 1, 7),
        ("confirm-address-9", 33, "confirm-address", 64, 9),
        ("recovery-10", 48, "recovery", 20, 10),
        ("login-10-key63", 63, "login", 63, 10),
        ("recovery-6-attempt1", 32, "recovery", 1, 6),
    ]
    print("# Known-answer vectors for twostep delivered codes (derivation tag v1).")
    print("# Source: scripts/delivered_vectors.py, Python 3 hmac/hashlib only,")
    print("# independent of the Rust code path. Regenerate with:")
    print("#   python3 scripts/delivered_vectors.py > tests/vectors/delivered_kat.txt")
    print("# Fields: key, attempt, nonce, fingerprint (hex); purpose; digits; code;")
    print("# issued (unix seconds); state (a state holding this one code, issued")
    print("# then with a 600 s lifetime).")
    for name, key_len, purpose, attempt_len, digits in cases:
        key = bytes(rng.randrange(256) for _ in range(key_len))
        attempt = bytes(rng.randrange(256) for _ in range(attempt_len))
        nonce = bytes(rng.randrange(256) for _ in range(16))
        p = PURPOSES[purpose]
        issued = 1_795_780_800 + rng.randrange(86_400)
        fp = fingerprint(key, p, attempt)
        state = (
            f"d1;0,{nonce.hex()},{fp.hex()},{digits},{issued},{issued + 600},0,l;-;1.1;"
            f"0,{issued},s,l,0,,,r,-,-"
        )
        print()
        print(f"name: {name}")
        print(f"key: {key.hex()}")
        print(f"purpose: {purpose}")
        print(f"attempt: {attempt.hex()}")
        print(f"nonce: {nonce.hex()}")
        print(f"digits: {digits}")
        print(f"fingerprint: {fp.hex()}")
        print(f"code: {code(key, p, attempt, nonce, digits)}")
        print(f"issued: {issued}")
        print(f"state: {state}")


if __name__ == "__main__":
    main()
