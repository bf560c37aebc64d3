#!/usr/bin/env python3
"""Generate tests/vectors/cross_checked.txt: TOTP/HOTP vectors cross-checked
against two independent, widely used implementations.

Usage (from the repository root; needs `oathtool` and `pyotp`):

    apt-get install -y oathtool && pip install pyotp
    python3 scripts/gen_vectors.py > tests/vectors/cross_checked.txt

The output is deterministic (seeded RNG, no dates) for given tool versions,
so re-running it must reproduce the committed file byte for byte.

Every vector is computed by up to three implementations and the script
aborts (non-zero exit, nothing written to stdout) if any two disagree or a
tool fails; no vector is dropped or filtered after it has been drawn:

* `oathtool` (OATH Toolkit, Debian package). Its TOTP mode takes hex keys,
  SHA1/SHA256/SHA512, any period (`-s`), T0 (`-S @t0`) and the time
  (`-N @t`), but only 6 to 8 digits, and times must fit a signed 64-bit
  `time_t` (t <= 2^63 - 1). Its HOTP mode (`--hotp -c`) takes any u64
  counter but is SHA-1 only.
* `pyotp` (PyPI). Its TOTP class has no T0, refuses periods above 120 s and
  times from the year 10000 on; its HOTP class takes any counter and 6 to 10
  digits. pyotp refuses keys under 112 bits unless a subclass lowers
  `min_secret_length_bits` (a documented override), which we do for the
  10..13-byte keys.
* `pyref`: an RFC 4226 implementation written below on Python's `hmac` and
  `hashlib`, independent of both tools and of twostep. It checks every row.

The last column of each row names the computations that produced exactly
that code for that row:

  oathtool-totp   oathtool TOTP mode with the row's own alg, digits, period,
                  T0 and time (the tool did the step arithmetic)
  oathtool-totp@  oathtool TOTP mode given the time relative to T0
                  (-S @0 -N @(t - T0)): used when t >= 2^63 (beyond time_t)
                  but t - T0 < 2^63; the subtraction is the script's
  oathtool-hotp   oathtool HOTP mode with the counter (SHA-1 only)
  oathtool-ctr    oathtool TOTP mode with -s 1 -S @0 -N @counter, i.e. the
                  HOTP value at `counter` for SHA-256/512 (counter < 2^63)
  oathtool-*:low8 9 and 10 digits only: oathtool's 8-digit code (in the
                  mode named before the colon) equals the last 8 digits of
                  the row's code.
                  This checks the HMAC and truncation but not the final
                  modulus, so 9/10-digit rows are fully checked only by
                  pyotp and pyref: say so when citing them
  pyotp-totp      pyotp.TOTP(...).at(t) (T0 = 0, period <= 120 s, t before
                  the year 10000)
  pyotp-totp@     pyotp.TOTP(...).at(t - T0) (T0 != 0; the subtraction is
                  the script's)
  pyotp-hotp      pyotp.HOTP(...).at(counter), counter = (t - T0) // period
                  computed by the script (periods above 120 s, huge times, HOTP)
  pyref           the script's own RFC 4226 implementation

Every row is checked by at least one oathtool computation, pyotp and pyref,
except SHA-256/512 HOTP rows with counters >= 2^63 and TOTP rows whose step
is >= 2^63 with SHA-256/512, which oathtool cannot express at all (its HOTP
mode is SHA-1 only and its TOTP time is a signed time_t); those rows are
checked by pyotp and pyref only, and their tool column says so.

Row format (whitespace separated; `-` for fields a mode does not have):

  totp ALG DIGITS PERIOD T0 TIME SECRET_HEX CODE TOOLS
  hotp ALG DIGITS - - COUNTER SECRET_HEX CODE TOOLS
"""

import base64
import hashlib
import hmac
import importlib.metadata
import platform
import random
import ssl
import subprocess
import sys

import pyotp

SEED = 0x7705_7E9
U64_MAX = 2**64 - 1
TIME_T_MAX = 2**63 - 1
PYOTP_TIME_LIMIT = 253_402_300_800  # 10000-01-01T00:00:00Z, pyotp's bound
PYOTP_MAX_INTERVAL = 120
ALGS = ["SHA1", "SHA256", "SHA512"]


class Mismatch(Exception):
    pass


# ---------------------------------------------------------------- pyref


def pyref_hotp(key: bytes, counter: int, digits: int, alg: str) -> str:
    """RFC 4226 §5.3 on the standard library only."""
    assert 0 <= counter <= U64_MAX
    mac = hmac.new(key, counter.to_bytes(8, "big"), getattr(hashlib, alg.lower())).digest()
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFF_FFFF
    return str(value % 10**digits).zfill(digits)


# ---------------------------------------------------------------- pyotp


class LowMinTotp(pyotp.TOTP):
    min_secret_length_bits = 80  # documented subclass override (keys of 10..13 bytes)


class LowMinHotp(pyotp.HOTP):
    min_secret_length_bits = 80


def b32(key: bytes) -> str:
    return base64.b32encode(key).decode().rstrip("=")


def pyotp_totp(key, t, t0, period, digits, alg):
    """(code, label) via pyotp's TOTP class when it can express the row."""
    if period > PYOTP_MAX_INTERVAL:
        return None
    rel = t - t0
    if rel >= PYOTP_TIME_LIMIT:
        return None
    totp = LowMinTotp(b32(key), digits=digits, digest=getattr(hashlib, alg.lower()), interval=period)
    if t0 == 0:
        return totp.at(t), "pyotp-totp"
    return totp.at(rel), "pyotp-totp@"


def pyotp_hotp(key, counter, digits, alg):
    hotp = LowMinHotp(b32(key), digits=digits, digest=getattr(hashlib, alg.lower()))
    return hotp.at(counter), "pyotp-hotp"


# ---------------------------------------------------------------- oathtool


def oathtool(args):
    out = subprocess.run(["oathtool", *args], capture_output=True, text=True, check=False)
    if out.returncode != 0 or out.stderr:
        raise Mismatch(f"oathtool {args[:-1]} failed: {out.stderr.strip()}")
    return out.stdout.strip()


def oathtool_counter(key, counter, digits, alg):
    """The HOTP value at `counter` via oathtool, or None if it cannot express it."""
    if alg == "SHA1":
        return oathtool(["--hotp", "-d", str(digits), "-c", str(counter), key.hex()]), "oathtool-hotp"
    if counter <= TIME_T_MAX:
        args = [f"--totp={alg}", "-d", str(digits), "-s", "1", "-S", "@0", "-N", f"@{counter}", key.hex()]
        return oathtool(args), "oathtool-ctr"
    return None


def oathtool_totp(key, t, t0, period, digits, alg):
    if t <= TIME_T_MAX:
        args = [f"--totp={alg}", "-d", str(digits), "-s", str(period), "-S", f"@{t0}", "-N", f"@{t}", key.hex()]
        return oathtool(args), "oathtool-totp"
    if t - t0 <= TIME_T_MAX:
        args = [f"--totp={alg}", "-d", str(digits), "-s", str(period), "-S", "@0", "-N", f"@{t - t0}", key.hex()]
        return oathtool(args), "oathtool-totp@"
    return oathtool_counter(key, (t - t0) // period, digits, alg)


# ---------------------------------------------------------------- checking


def agree(results, digits):
    """All full-length results must be equal; an oathtool result for 9/10
    digits is its 8-digit code and must equal the last 8 digits."""
    full = [(c, l) for c, l in results if not l.startswith("oathtool") or digits <= 8]
    code = full[0][0]
    for c, label in full:
        if c != code or len(c) != digits:
            raise Mismatch(f"{label} gave {c}, expected {code}")
    labels = [l for _, l in full]
    for c, label in results:
        if label.startswith("oathtool") and digits > 8:
            if c != code[-8:]:
                raise Mismatch(f"{label} (8 digits) gave {c}, expected ...{code[-8:]}")
            labels.insert(0, f"{label}:low8")
    return code, labels


def totp_row(key, alg, digits, period, t0, t):
    assert 0 <= t0 <= t <= U64_MAX and 1 <= period <= 86_400
    counter = (t - t0) // period
    results = []
    o = oathtool_totp(key, t, t0, period, min(digits, 8), alg)
    if o is not None:
        results.append(o)
    p = pyotp_totp(key, t, t0, period, digits, alg) or pyotp_hotp(key, counter, digits, alg)
    results.append(p)
    results.append((pyref_hotp(key, counter, digits, alg), "pyref"))
    code, labels = agree(results, digits)
    return f"totp {alg} {digits} {period} {t0} {t} {key.hex()} {code} {','.join(labels)}"


def hotp_row(key, alg, digits, counter):
    results = []
    o = oathtool_counter(key, counter, min(digits, 8), alg)
    if o is not None:
        results.append(o)
    results.append(pyotp_hotp(key, counter, digits, alg))
    results.append((pyref_hotp(key, counter, digits, alg), "pyref"))
    code, labels = agree(results, digits)
    return f"hotp {alg} {digits} - - {counter} {key.hex()} {code} {','.join(labels)}"


# ---------------------------------------------------------------- drawing


PERIODS = [1, 2, 5, 10, 15, 30, 60, 90, 120, 121, 300, 600, 3600, 43_200, 86_399, 86_400]


def draw_key(rng, i):
    # Both edges explicitly, then uniform over 10..=128 bytes.
    n = {0: 10, 1: 128, 2: 20, 3: 32, 4: 64}.get(i % 40, rng.randint(10, 128))
    return bytes(rng.getrandbits(8) for _ in range(n))


def draw_period(rng):
    r = rng.random()
    if r < 0.5:
        return rng.choice([p for p in PERIODS if p <= PYOTP_MAX_INTERVAL])
    if r < 0.75:
        return rng.choice(PERIODS)
    return rng.randint(1, 86_400)


def draw_t0(rng):
    r = rng.random()
    if r < 0.35:
        return 0
    if r < 0.75:
        return rng.randint(1, 2_000_000_000)
    if r < 0.9:
        return rng.randint(1, 2**62)
    return rng.randint(2**62, 2**63 + 2**62)


def draw_time(rng, t0, period):
    """A time >= t0: near today, at step edges, or huge (up to u64::MAX)."""
    kind = rng.randrange(10)
    if kind in (0, 1):  # realistic: 2001..2096, or T0 plus a little
        return max(t0 + rng.randint(0, 10**6), rng.randint(1_000_000_000, 4_000_000_000))
    if kind in (2, 3, 4):  # first / last second of a step, or the second before
        span = min(U64_MAX - t0, 2**63 if rng.random() < 0.5 else 2**32)
        steps = span // period
        step = rng.randint(0, steps - 1) if steps > 1 else 0
        start = t0 + step * period
        return [start, start + period - 1, max(t0, start - 1)][kind - 2]
    if kind == 5:  # T0 itself
        return t0
    if kind in (6, 7):  # up to 2^63 (the bound)
        return rng.randint(t0, max(t0, 2**63))
    if kind == 8:  # at 2^63 or just below
        return max(t0, 2**63 + rng.randint(-3, 0))
    return rng.randint(max(t0, 2**63), U64_MAX)  # beyond 2^63, for twostep's u64 range


def main():
    rng = random.Random(SEED)
    rows = []
    i = 0
    # TOTP: every (alg, digits) pair gets the same share of random draws.
    for _ in range(84):
        for alg in ALGS:
            for digits in range(6, 11):
                key = draw_key(rng, i)
                period = draw_period(rng)
                t0 = draw_t0(rng)
                t = draw_time(rng, t0, period)
                rows.append(totp_row(key, alg, digits, period, t0, t))
                i += 1
    # TOTP fixed edges: u64::MAX, 2^63 - 1, 2^63, period 1 with T0 = 0 (step >= 2^63).
    for alg in ALGS:
        for digits in (6, 8, 10):
            for t in (U64_MAX, 2**63 - 1, 2**63, 2**63 + 1, U64_MAX - 1):
                for period, t0 in ((1, 0), (30, 0), (86_400, 12_345), (1, 2**63 - 2)):
                    key = draw_key(rng, i)
                    rows.append(totp_row(key, alg, digits, period, t0, max(t, t0)))
                    i += 1
    # HOTP: small, random, around 2^32 / 2^63, and just below u64::MAX.
    for alg in ALGS:
        for digits in range(6, 11):
            counters = [0, 1, rng.randint(2, 1000), 2**32 - 1, 2**32, 2**63 - 1, 2**63]
            counters += [U64_MAX - k for k in range(4)]
            counters += [rng.randint(0, U64_MAX) for _ in range(3)]
            for c in counters:
                rows.append(hotp_row(draw_key(rng, i), alg, digits, c))
                i += 1

    oath_version = subprocess.run(["oathtool", "--version"], capture_output=True, text=True, check=True)
    header = [
        "# Cross-checked TOTP (RFC 6238) and HOTP (RFC 4226) vectors.",
        "# Generated by: python3 scripts/gen_vectors.py > tests/vectors/cross_checked.txt",
        f"# Seed: {SEED:#x}. Tools: {oath_version.stdout.splitlines()[0]} (Debian package oathtool);",
        f"# pyotp {importlib.metadata.version('pyotp')} (PyPI); Python {platform.python_version()} hmac/hashlib"
        f" ({ssl.OPENSSL_VERSION}) for pyref.",
        "# Every row's code was produced identically by each computation in its last column",
        "# (see the script's docstring for what each label means). 9- and 10-digit codes are",
        "# outside oathtool's range (6..8): for them oathtool checks only the last 8 digits",
        "# (labels ending in :low8), and the full code is checked by pyotp and pyref.",
        "# Rows without any oathtool label (SHA-256/512 with a counter >= 2^63) are checked by",
        "# pyotp and pyref only: oathtool cannot express them.",
        "# Columns: totp ALG DIGITS PERIOD T0 TIME SECRET_HEX CODE TOOLS",
        "#          hotp ALG DIGITS - - COUNTER SECRET_HEX CODE TOOLS",
        f"# Rows: {len(rows)}",
    ]
    sys.stdout.write("\n".join(header + rows) + "\n")


if __name__ == "__main__":
    try:
        main()
    except Mismatch as e:
        sys.exit(f"gen_vectors: disagreement, nothing written: {e}")
