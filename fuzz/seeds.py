#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets that read their input with
`Reader` (fuzz/src/lib.rs): guard_state, backup_set, key_uri, diagnose.

Run from the repository root: python3 fuzz/seeds.py
The files are fuzz/corpus/<target>/seed-<name>; they are committed (the
.gitignore keeps only seed-* files). Layout of a `Reader` program:
integers are little-endian of fixed width, text is a length byte and then the
bytes, and reading past the end gives zeros. The backup seeds reuse the
known-answer sets of tests/vectors/backup_kat.txt (codes, pepper, storage).
"""
import os
import struct

ROOT = os.path.dirname(os.path.abspath(__file__))


def u8(v): return struct.pack("<B", v & 0xFF)
def u16(v): return struct.pack("<H", v & 0xFFFF)
def i16(v): return struct.pack("<h", v)
def u32(v): return struct.pack("<I", v & 0xFFFFFFFF)
def u64(v): return struct.pack("<Q", v & 0xFFFFFFFFFFFFFFFF)
def i64(v): return struct.pack("<q", v)


def text(s):
    b = s.encode() if isinstance(s, str) else s
    assert len(b) < 256
    return u8(len(b)) + b


def write(target, name, data):
    d = os.path.join(ROOT, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# ---------------------------------------------------------------- guard_state
RFC_KEY = b"12345678901234567890"


def guard_config(period=30, alg=0, digits=6, t0=0, behind=1, ahead=1, drift=20,
                 free=3, lock=10, first=30, maxd=900, key=b"", start=1111111109):
    return (u32(period) + u8(alg) + u8(digits) + u32(t0) + u8(behind) + u8(ahead)
            + u8(drift) + u8(free) + u8(lock) + u32(first) + u32(maxd)
            + text(key) + u64(start))


SAME, LATER, EARLIER, AT = 0, 1, 2, 3


def when(mode=SAME, v=0):
    if mode in (LATER, EARLIER):
        return u8(mode) + u16(v)
    if mode == AT:
        return u8(mode) + u64(v)
    return u8(mode)


def check_real(offset, sep=0, t=None):
    return u8(0) + (t or when()) + u8(0) + i16(offset) + u8(sep)


def check_raw(s, t=None):
    return u8(0) + (t or when()) + u8(1) + text(s)


def resync_real(offset, s1=0, s2=0, t=None):
    return u8(1) + (t or when()) + u8(0) + i16(offset) + u8(s1) + u8(s2)


def resync_raw(a, b, t=None):
    return u8(1) + (t or when()) + u8(1) + text(a) + text(b)


def fail(t=None):
    return u8(2) + (t or when())


def reset(t=None):
    return u8(3) + (t or when())


G = "guard_state"
write(G, "login-replay-throttle-reset", b"g1.-.0.0.-\n" + guard_config() + b"".join([
    check_real(0), check_real(0), check_real(1, 3), check_raw("000000"),
    check_raw("000 000"), check_raw("12345"), check_raw("000000"),
    check_real(1, t=when(LATER, 31)), fail(), fail(when(LATER, 5000)),
    reset(), resync_real(6, 0x83, 2, when(LATER, 60)), check_real(0, 0x82, when(LATER, 30)),
]))
write(G, "throttled-then-later", b"g1.59260423.-1.4.1777777830\n"
      + guard_config(start=1777777800) + b"".join([
          check_real(0), check_real(0, t=when(LATER, 60)), check_real(2),
          resync_real(3), resync_raw("123456", "654321"),
      ]))
write(G, "locked", b"g1.100.2.10.-\n" + guard_config(drift=5) + b"".join([
    check_real(0), resync_real(0), reset(), check_real(2), check_real(0),
]))
write(G, "sha256-8-digits-period60-t0", b"g1.-.3.0.-\n"
      + guard_config(period=60, alg=1, digits=8, t0=1000, behind=2, ahead=3, drift=7,
                     free=1, lock=5, first=10, maxd=600, key=bytes(range(32)), start=999)
      + b"".join([
          check_raw("12345678"), check_real(0), check_real(0, t=when(LATER, 2000)), check_real(-2, 0x85),
          resync_real(-7, t=when(LATER, 120)), resync_real(-7),
          fail(), fail(), fail(), check_real(3), check_raw("1234-5678"),
      ]))
write(G, "sha512-near-max-time", b"g1.18446744073709551614.0.0.-\n"
      + guard_config(period=1, alg=2, digits=10, behind=100, ahead=100, drift=100,
                     key=bytes(range(64)), start=2**64 - 2) + b"".join([
                         check_real(1), check_real(0), resync_real(0),
                         check_real(0, t=when(AT, 2**64 - 1)),
                     ]))
for name, s in [("max", "g1.18446744073709551615.-100.4294967295.18446744073709551615"),
                ("new", "g1.-.0.0.-"), ("noncanonical", "g1.007.0.0.-"),
                ("negative-zero", "g1.-.-0.0.-"), ("drift-over", "g1.-.101.0.-"),
                ("version", "g2.-.0.0.-"), ("fields", "g1.-.0.0"), ("blocked", "g1.-.0.4.1030")]:
    write(G, "parse-" + name, s.encode())

# ---------------------------------------------------------------- backup_set
B = "backup_set"


def kat():
    entries, cur = [], {}
    with open(os.path.join(ROOT, "..", "tests", "vectors", "backup_kat.txt")) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                if cur:
                    entries.append(cur)
                    cur = {}
                continue
            k, _, v = line.partition(": ")
            cur[k] = v
    if cur:
        entries.append(cur)
    return entries


def generated(count=10, length=24 - 23, pepper=None, seed=b"\x07" * 32):
    # length byte: 0..0xdf -> 23 + b % 10 symbols (HMAC); >= 0xe0 -> 10 + b % 13 (PBKDF2)
    p = u8(0) if pepper is None else u8(1) + text(pepper)
    return u8(count) + u8(length) + p + seed


def real(slot, style=0): return u8(0) + u8(slot) + u8(style)
def raw(slot, s): return u8(1) + u8(slot) + text(s)
def altered(slot, at, sym): return u8(2) + u8(slot) + u8(at) + u8(sym)
def other_pepper(slot, *b): return u8(3) + u8(slot) + b"".join(u8(x) for x in b)


for e in kat():
    pepper = None if e["pepper"] == "-" else bytes.fromhex(e["pepper"])
    codes = e["codes"].split()
    used = set() if e["used"] == "-" else {int(x) for x in e["used"].split(",")}
    unused = [c for i, c in enumerate(codes) if i not in used]
    inputs = [unused[0], unused[0].lower().replace("-", " ")] if unused else []
    inputs += [codes[i] for i in sorted(used)][:1] + ["not a code"]
    prog = (u8(0) if pepper is None else u8(1) + text(pepper)) + u8(len(inputs[:4]))
    prog += b"".join(text(x) for x in inputs[:4])
    write(B, "kat-" + e["name"], e["storage"].encode() + b"\n" + prog)
    write(B, "parse-" + e["name"], e["storage"].encode())

ops = b"".join([real(0), real(0), real(1, 0x3f), real(2, 0x0b), raw(0, "XXXX"),
                altered(3, 5, 0), altered(3, 5, 31), other_pepper(4, 0, 9), real(4, 0x20),
                raw(0, "0000-0000-0000-0000-0000-0000"), real(9, 2)]) + u8(1)
write(B, "generated-default", b"x\n" + u8(0) + u8(0) + generated(10, 1) + ops)
write(B, "generated-pepper-len32", b"\n" + u8(0) + u8(0)
      + generated(20, 9, pepper=bytes(range(16, 48)), seed=bytes(range(32))) + ops)
write(B, "generated-pbkdf2-short", b"\n" + u8(0) + u8(0)
      + generated(3, 0xe0, seed=b"\x01" * 32) + b"".join(
          [real(0), real(0), real(1, 1), altered(2, 0, 7), raw(2, "0123456789")]) + u8(1))
write(B, "generated-count1", b"\n" + u8(0) + u8(0) + generated(1, 3) + real(0) + real(0, 8))
write(B, "generated-bad-count-pepper", b"\n" + u8(0) + u8(0)
      + generated(0, 4, pepper=b"short") + real(0) + other_pepper(0, 1, 5))

# ---------------------------------------------------------------- key_uri
K = "key_uri"
uris = {
    "google-example": "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
    "all-params": "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
    "sha512-8": "otpauth://totp/ana?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=sha512&digits=8&period=60",
    "hotp": "otpauth://hotp/Example:ana?secret=JBSWY3DPEHPK3PXP&issuer=Example&counter=18446744073709551615",
    "lenient": "OTPAUTH://TOTP/ACME%3A%20ana%20b?Secret=jbsw-y3dp+ehpk-3pxp====&ISSUER=ACME&image=x#frag",
    "colon-in-account": "otpauth://totp/Shop:ana:b?secret=JBSWY3DPEHPK3PXP&issuer=Shop",
    "utf8-issuer": "otpauth://totp/B%C3%A4ckerei:j%C3%BCrgen?secret=JBSWY3DPEHPK3PXP&issuer=B%C3%A4ckerei",
    "plus-space": "otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&issuer=Big+Bank",
    "mismatch": "otpauth://totp/A:ana?secret=JBSWY3DPEHPK3PXP&issuer=B",
    "bad-percent": "otpauth://totp/A%2:ana?secret=JBSWY3DPEHPK3PXP",
    "duplicate": "otpauth://totp/ana?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP",
    "missing-counter": "otpauth://hotp/ana?secret=JBSWY3DPEHPK3PXP",
    "empty-issuer": "otpauth://totp/:ana?secret=JBSWY3DPEHPK3PXP&issuer=",
}
for name, u in uris.items():
    write(K, name, u.encode())

# ---------------------------------------------------------------- diagnose
D = "diagnose"


def dconf(key=b"", period=30, digits=6, t0=0, alg=0, behind=1, ahead=1, drift=0,
          last=None, resync=20, selector=0, value=32, delay=20):
    return (text(key) + u32(period) + u8(digits) + u32(t0) + u8(alg) + u8(behind) + u8(ahead)
            + i64(drift) + (u8(0) if last is None else u8(1) + u64(last)) + u16(resync)
            + u8(selector) + u32(value) + u16(delay))


def obs_real_text(offset, sep=0, t=None): return (t or when()) + u8(0) + i16(offset) + u8(sep)
def obs_real_code(offset, t=None): return (t or when()) + u8(1) + i16(offset)
def obs_raw(s, t=None): return (t or when()) + u8(2) + text(s)
def obs_other_digits(d, v, t=None): return (t or when()) + u8(3) + u8(d) + u64(v)


NOW = 1_700_000_000
write(D, "in-sync", dconf() + u8(1) + u64(NOW) + obs_real_code(0))
write(D, "ahead-two-codes", dconf() + u8(2) + u64(NOW)
      + obs_real_text(14) + obs_real_text(14, 0x83, when(LATER, 40)))
write(D, "late-one-code", dconf() + u8(1) + u64(NOW) + obs_real_text(-3, 0x82))
write(D, "replayed", dconf(last=NOW // 30) + u8(1) + u64(NOW) + obs_real_code(0))
write(D, "drift-window", dconf(behind=2, ahead=0, drift=5, resync=10) + u8(3) + u64(NOW)
      + obs_real_code(5) + obs_real_code(6, when(LATER, 30)) + obs_raw("123456"))
write(D, "disagree", dconf() + u8(2) + u64(NOW) + obs_real_code(3) + obs_real_code(-9, when(LATER, 30)))
write(D, "dst-full-range", dconf(selector=0xf0, value=1463) + u8(2) + u64(NOW)
      + obs_real_code(-120) + obs_real_code(-120, when(LATER, 45)))
write(D, "sha256-8-digits-period60", dconf(key=bytes(range(32)), period=60, digits=8, alg=1, t0=600)
      + u8(2) + u64(NOW) + obs_real_text(2) + obs_real_text(2, 0x84, when(LATER, 61)))
write(D, "malformed", dconf() + u8(2) + u64(NOW) + obs_real_code(0) + obs_raw("12x456"))
write(D, "other-digits", dconf() + u8(1) + u64(NOW) + obs_other_digits(8, 12345678))
write(D, "before-t0", dconf(t0=NOW + 10) + u8(1) + u64(NOW) + obs_raw("123456"))
write(D, "none", dconf() + u8(0) + u64(NOW))
write(D, "too-many", dconf() + u8(9) + u64(NOW) + obs_real_code(0) * 9)
write(D, "eight-period1", dconf(period=1, selector=0, value=32, delay=600, resync=5760)
      + u8(8) + u64(NOW) + b"".join(obs_real_code(3, when(LATER, i)) for i in range(8)))
print("seeds written")
