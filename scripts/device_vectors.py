#!/usr/bin/env python3
"""Known-answer vectors for twostep remembered-device tokens
(src/account/device.rs).

Computed with Python's standard library only (hmac, hashlib, base64,
struct), so the vectors do not share a code path with the Rust
implementation. Run:

    python3 scripts/device_vectors.py > tests/vectors/device_kat.txt

Construction, as documented in src/account/device.rs:

  tag   = HMAC-SHA-256(key, "twostep-rd/v1" || BE32(key id) || BE64(len(user))
                            || user || device || BE64(expires) || BE64(epoch))
  token = "r1." key id "." b64url(device) "." expires "." epoch "." b64url(tag)

  with b64url = base64url (RFC 4648 section 5) without padding, numbers in
  decimal without leading zeros, and expires = now + lifetime (seconds).

Output: one vector per line, space-separated fields

  key_hex key_id user_hex device_hex now lifetime_secs epoch token

With --fuzz-seeds, writes the seed corpus of the device_token fuzz target
instead (fuzz/fuzz_targets/device_token.rs describes the layout):

    python3 scripts/device_vectors.py --fuzz-seeds fuzz/corpus/device_token
"""

import base64
import hashlib
import hmac
import os
import struct
import sys

DOMAIN = b"twostep-rd/v1"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def token(key: bytes, key_id: int, user: bytes, device: bytes, expires: int, epoch: int) -> str:
    assert len(key) == 32 and len(device) == 16
    msg = (
        DOMAIN
        + struct.pack(">I", key_id)
        + struct.pack(">Q", len(user))
        + user
        + device
        + struct.pack(">Q", expires)
        + struct.pack(">Q", epoch)
    )
    tag = hmac.new(key, msg, hashlib.sha256).digest()
    return f"r1.{key_id}.{b64url(device)}.{expires}.{epoch}.{b64url(tag)}"


DAY = 86_400

# (key, key id, user id, device id, now, lifetime in seconds, epoch)
CASES = [
    (bytes(range(32)), 0, b"user-7", bytes([1] * 16), 1_795_780_800, 30 * DAY, 0),
    (bytes([0x42] * 32), 1, b"user-7", bytes([1] * 16), 1_795_780_800, 30 * DAY, 0),
    (bytes([0x42] * 32), 1, b"user-8", bytes([1] * 16), 1_795_780_800, 30 * DAY, 0),
    (bytes([0x42] * 32), 1, b"user-7", bytes([1] * 16), 1_795_780_800, 30 * DAY, 1),
    (bytes([0x42] * 32), 2, b"user-7", bytes([1] * 16), 1_795_780_800, 30 * DAY, 0),
    (bytes([0xFF] * 32), 4_294_967_295, b"\x00", bytes([0xFB] * 16), 0, 1, 18_446_744_073_709_551_615),
    (bytes([0x5A] * 32), 7, "ana@example.com".encode(), bytes(range(16, 32)), 1_700_000_000, 400 * DAY, 42),
    (hashlib.sha256(b"key").digest(), 3, b"u" * 200, hashlib.sha256(b"dev").digest()[:16], 1_800_000_000, 3600, 9),
    (bytes([0x42] * 32), 1, "Zoë".encode(), bytes([0xFE] * 16), 18_446_744_073_709_551_615 - DAY, DAY, 5),
]


FUZZ_KEY = b"fuzz device key, 32 bytes long!!"
FUZZ_USERS = [b"user-a", b"user-b"]


def u8(v): return struct.pack("<B", v & 0xFF)
def u64(v): return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)
def i64(v): return struct.pack("<q", v)


def mint_op(user, device, epoch, now, lifetime, position=0, byte=0, cut=0):
    return u8(user) + device + u64(epoch) + u64(now) + i64(lifetime) + u8(position) + u8(byte) + u8(cut)


def fuzz_seeds(directory: str) -> None:
    now = 1_795_780_800
    genuine = token(FUZZ_KEY, 7, FUZZ_USERS[0], bytes([1] * 16), now + 30 * DAY, 0)
    forged = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    mints = (
        mint_op(0, bytes([1] * 16), 0, now, 30 * DAY, 80, ord("x"), 40)
        + mint_op(1, bytes(range(16)), 5, now, 400 * DAY, 3, ord("9"), 3)
        + mint_op(0, bytes([0xFB] * 16), 2**64 - 1, 2**64 - 1 - DAY, DAY, 200, 0, 127)
        + mint_op(1, bytes([2] * 16), 1, now, 401 * DAY)
    )
    program = u64(0) + u64(now + DAY) + mints
    seeds = {
        "seed-kat-first": CASES_TOKENS[0].encode() + b"\n" + program,
        "seed-kat-last": CASES_TOKENS[-1].encode() + b"\n" + program,
        "seed-forged-tag": forged.encode() + b"\n" + program,
        # The candidate is the first token the program mints (so it is Valid).
        "seed-minted-candidate": genuine.encode() + b"\n" + u64(0) + u64(now) + mints[:len(mint_op(0, bytes(16), 0, 0, 0))],
        "seed-not-canonical": genuine.replace(".0.", ".00.", 1).encode() + b"\n" + program,
        "seed-too-long": (genuine + "." + "A" * 60).encode() + b"\n" + program,
        "seed-garbage": b"r1.\xff\x00..;\n" + program,
        "seed-expiry-overflow": b"r1.7.AQEBAQEBAQEBAQEBAQEBAQ.18446744073709551616.0." + b"A" * 43 + b"\n" + program,
    }
    os.makedirs(directory, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


def main() -> None:
    print("# twostep remembered-device token vectors: scripts/device_vectors.py (Python hmac/hashlib)")
    print("# key_hex key_id user_hex device_hex now lifetime_secs epoch token")
    for key, key_id, user, device, now, lifetime, epoch in CASES:
        t = token(key, key_id, user, device, now + lifetime, epoch)
        print(key.hex(), key_id, user.hex() or "-", device.hex(), now, lifetime, epoch, t)


CASES_TOKENS = [token(k, i, u, d, n + l, e) for k, i, u, d, n, l, e in CASES]

if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--fuzz-seeds":
        fuzz_seeds(sys.argv[2])
    else:
        main()
