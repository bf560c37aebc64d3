#!/usr/bin/env python3
"""Known-answer vectors for twostep sealed secrets (src/account/seal.rs).

XChaCha20-Poly1305 comes from libsodium through PyNaCl
(nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt), so the vectors
share no code with the Rust implementation (RustCrypto chacha20poly1305).
Keys, nonces, plaintexts and user ids are drawn from a fixed seed, so the
output is the same on every run. Run:

    pip install pynacl
    python3 scripts/seal_vectors.py > tests/vectors/seal_kat.txt
    python3 scripts/seal_vectors.py --fuzz-seeds   # fuzz/corpus/sealed_secret/seed-*

Construction (version 1), as documented in src/account/seal.rs:

  AD      = "twostep-seal/v1" || BE32(key id) || len(user id) (one byte) || user id
  payload = nonce (24 bytes) || XChaCha20-Poly1305(key, nonce, AD, plaintext) (ciphertext || 16-byte tag)
  sealed  = "z1." || decimal(key id) || "." || base64url-unpadded(payload)
"""

import base64
import os
import random
import sys

from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt,
    crypto_aead_xchacha20poly1305_ietf_encrypt,
)

LABEL = b"twostep-seal/v1"


def associated_data(key_id: int, user_id: bytes) -> bytes:
    assert 1 <= len(user_id) <= 255
    return LABEL + key_id.to_bytes(4, "big") + bytes([len(user_id)]) + user_id


def sealed_text(key_id: int, payload: bytes) -> str:
    b64 = base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")
    return f"z1.{key_id}.{b64}"


# name, key id, user id (bytes or a length to draw), plaintext length
CASES = [
    ("totp-sha1-20", 1, b"user-1842", 20),
    ("totp-sha256-32", 2, b"ana@example.com", 32),
    ("totp-sha512-64", 7, b"3f2b8c1e-9d4a-4e57-b6a0-1c2d3e4f5a6b", 64),
    ("secret-min-10", 0, b"u", 10),
    ("plaintext-max-128", 4294967295, 255, 128),
    ("empty-plaintext", 42, 16, 0),
    ("user-id-binary", 3, 32, 20),
]


def vectors():
    """(name, key, key id, user id, nonce, plaintext, ad, payload, sealed) per case."""
    rng = random.Random(20261201)

    def draw(n: int) -> bytes:
        return bytes(rng.randrange(256) for _ in range(n))

    out = []
    for name, key_id, user, pt_len in CASES:
        key = draw(32)
        user_id = user if isinstance(user, bytes) else draw(user)
        nonce = draw(24)
        plaintext = draw(pt_len)
        ad = associated_data(key_id, user_id)
        ct = crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, ad, nonce, key)
        assert crypto_aead_xchacha20poly1305_ietf_decrypt(ct, ad, nonce, key) == plaintext
        payload = nonce + ct
        out.append((name, key, key_id, user_id, nonce, plaintext, ad, payload,
                    sealed_text(key_id, payload)))
    return out


def fuzz_seeds() -> None:
    """Seeds for fuzz/fuzz_targets/sealed_secret.rs: `<text>\n<program>`,
    the program being blob(user id), blob(plaintext), a 32-byte seed, u16
    position, u8 byte. The texts are this file's vectors (sealed under keys
    the target does not hold, so none opens there) and malformed ones."""
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus", "sealed_secret")
    os.makedirs(d, exist_ok=True)

    def blob(b: bytes) -> bytes:
        assert len(b) < 256
        return bytes([len(b)]) + b

    def program(user: bytes, plaintext: bytes, seed: int, pos: int, byte: int) -> bytes:
        return blob(user) + blob(plaintext) + bytes([seed]) * 32 + pos.to_bytes(2, "little") + bytes([byte])

    seeds = {}
    for (name, _key, _id, user_id, _n, plaintext, _ad, _payload, sealed) in vectors():
        seeds["kat-" + name] = sealed.encode() + b"\n" + program(user_id, plaintext, 1, 7, ord("A"))
    good = vectors()[0][8]
    seeds["text-version"] = b"z2" + good[2:].encode() + b"\n" + program(b"u", b"x" * 20, 2, 0, 0)
    seeds["text-key-id-leading-zero"] = good.replace("z1.1.", "z1.01.").encode() + b"\n"
    seeds["text-padded"] = (good + "=").encode() + b"\n"
    seeds["text-too-long"] = (good + "A" * 200).encode() + b"\n"
    seeds["seal-empty-user"] = b"\n" + program(b"", b"x" * 20, 3, 0, 0)
    seeds["seal-long-plaintext"] = b"\n" + program(b"u", b"p" * 129, 4, 0, 0)
    seeds["seal-max"] = b"\n" + program(b"m" * 255, b"p" * 128, 5, 200, ord("."))
    seeds["seal-empty-plaintext"] = b"\n" + program(b"user-1", b"", 6, 3, ord("9"))
    for name, data in seeds.items():
        with open(os.path.join(d, "seed-" + name), "wb") as f:
            f.write(data)


def main() -> None:
    if sys.argv[1:] == ["--fuzz-seeds"]:
        fuzz_seeds()
        return
    print("# Known-answer vectors for twostep sealed secrets (text version z1).")
    print("# Source: scripts/seal_vectors.py, libsodium's XChaCha20-Poly1305 through")
    print("# PyNaCl, independent of the Rust code path. Regenerate with:")
    print("#   python3 scripts/seal_vectors.py > tests/vectors/seal_kat.txt")
    print("# Fields: key, user_id, nonce, plaintext, ad, payload (hex); key_id")
    print("# (decimal); sealed (the text form). ad is the associated data the")
    print("# seal binds; payload is nonce || ciphertext || tag.")
    for (name, key, key_id, user_id, nonce, plaintext, ad, payload, sealed) in vectors():
        print()
        print(f"name: {name}")
        print(f"key: {key.hex()}")
        print(f"key_id: {key_id}")
        print(f"user_id: {user_id.hex()}")
        print(f"nonce: {nonce.hex()}")
        print(f"plaintext: {plaintext.hex()}")
        print(f"ad: {ad.hex()}")
        print(f"payload: {payload.hex()}")
        print(f"sealed: {sealed}")


if __name__ == "__main__":
    main()
