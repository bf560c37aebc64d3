#!/usr/bin/env bash
# Constant-time regression check, valgrind method (tests/ct_check/).
#
# Builds tests/ct_check in release mode with debug info, runs each case
# under memcheck with the secrets marked undefined (key bytes, the typed
# code, backup-code digests, a remembered-device cookie's tag, a sealed
# secret's tag and the secret it opens to), and requires:
#   - every constant-time case: no memcheck error at all (no "Conditional
#     jump or move depends on uninitialised value(s)", no "Use of
#     uninitialised value"), apart from the public outcomes listed in
#     tests/ct_check/declassify.supp and below (each explained, line-exact
#     where it can be: found by text in src/ or, for an outcome inside a
#     dependency, in the source of the version Cargo.lock pins);
#   - every negative control (leaky_*): flagged. This proves the check can
#     fail; if a control passes, the check itself is broken.
# `scripts/ct_check.sh CASE…` runs only the cases named.
# Installs valgrind with apt-get if it is missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ct_check: installing valgrind with apt-get"
    apt-get update -qq >/dev/null && apt-get install -y -qq valgrind >/dev/null
  else
    echo "ct_check: valgrind is not installed and cannot be installed here (needs root and apt-get)." >&2
    echo "ct_check: install valgrind (e.g. 'apt-get install valgrind') and rerun scripts/ct_check.sh" >&2
    exit 1
  fi
fi

target_dir="${CARGO_TARGET_DIR:-$PWD/target}/ct_check"
CARGO_TARGET_DIR="$target_dir" cargo build --quiet --release --manifest-path tests/ct_check/Cargo.toml
bin="$target_dir/release/twostep-ct-check"
supp_static=tests/ct_check/declassify.supp
log=$(mktemp)
supp=$(mktemp)
trap '[ -n "${CT_KEEP:-}" ] && cp "$log" "$CT_KEEP"; rm -f "$log" "$supp"' EXIT

# Public outcomes of backup::CodeSet::redeem. The Crockford normaliser
# decodes the typed code without a secret-dependent branch or index and then
# answers whether it is well formed (Malformed otherwise); after the
# constant-time slot scan (no report allowed there), redeem branches on
# whether a slot matched and whether it was used, and marks the matched slot
# used in the new set: the outcome, public by design. These five lines are
# found by their text in src/backup/crockford.rs and src/backup/set.rs and
# suppressed by exact file:line, so the suppressions follow
# edits elsewhere in the file, never cover the scan, and a changed or moved
# outcome line fails the check (a report appears) instead of hiding a branch.
# The bounds check at the third line sits in inlined frames that share one
# address, whose line valgrind cannot match: there the inlined `get_mut` on
# the slots (redeem's only one) names it instead. The same holds for the
# normaliser's answer: its `then_some` on the symbols (the only one, which
# the script checks by text) names it.
# outcome_line FILE TEXT: the number of the one line of FILE holding TEXT.
outcome_line() {
  local n
  n=$(grep -cF -- "$2" "$1" || true)
  if [ "$n" != 1 ]; then
    echo "ct_check: expected exactly one line '$2' in $1, found $n" >&2
    exit 1
  fi
  grep -nF -- "$2" "$1" | cut -d: -f1
}
redeem_line() { outcome_line src/backup/set.rs "$1"; }
found_line=$(redeem_line 'if !bool::from(found) {')
used_line=$(redeem_line 'if bool::from(used) {')
slot_line=$(redeem_line 'match next.slots.get_mut(slot) {')
mark_line=$(redeem_line 'Some(s) => s.used = true,')
well_formed_line=$(outcome_line src/backup/crockford.rs '(well_formed != 0).then_some(out)')
# Code::parse answers once whether the typed text is a code (else Malformed).
parse_line=$(outcome_line src/otp/code.rs 'if !bool::from(well_formed) {')
# delivered::verify computes both codes' comparisons in constant time, then
# branches once on each answer (the outcome: Accepted, Superseded or Wrong).
current_line=$(outcome_line src/delivered/verify.rs 'if bool::from(is_current) {')
previous_line=$(outcome_line src/delivered/verify.rs '} else if bool::from(is_previous) {')
# A line of a dependency's source, for the outcomes that leave the
# constant-time code inside a dependency: the crate's directory (the
# version tests/ct_check/Cargo.lock pins) comes from cargo metadata.
dep_dir() {
  local dir
  dir=$(cargo metadata --format-version 1 --manifest-path tests/ct_check/Cargo.toml 2>/dev/null |
    grep -oE "\"manifest_path\":\"[^\"]*/$1-[0-9][^\"/]*/Cargo.toml\"" | head -n1 |
    sed -E 's/^"manifest_path":"(.*)\/Cargo.toml"$/\1/')
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "ct_check: cannot find the source of $1 (cargo metadata)" >&2
    exit 1
  fi
  echo "$dir"
}
# line_after FILE FROM TEXT: the first line holding TEXT after the one line
# of FILE holding FROM (a function's signature).
line_after() {
  local from n
  from=$(outcome_line "$1" "$2")
  n=$(tail -n "+$from" "$1" | grep -nF -m1 -- "$3" | cut -d: -f1)
  if [ -z "$n" ]; then
    echo "ct_check: no line '$3' after '$2' in $1" >&2
    exit 1
  fi
  echo $((from + n - 1))
}
# account::device::check parses the cookie, then compares the tag in
# constant time, then branches once on the answer (Invalid otherwise).
genuine_line=$(outcome_line src/account/device.rs 'if !genuine || user_id.is_empty() {')
# base64ct decodes the cookie's tag without a branch or an index on its
# symbols, then answers once whether every symbol is in the alphabet and
# once whether the unused bits of the last one are zero (canonical): the
# text's form, public (Invalid otherwise), like Code::parse's answer.
b64_src=$(dep_dir base64ct)/src/encoding.rs
b64_valid_line=$(line_after "$b64_src" 'fn decode(src: impl AsRef<[u8]>, dst: &mut [u8]) -> Result<&[u8], Error> {' 'if err == 0 {')
b64_canonical_line=$(line_after "$b64_src" 'fn validate_last_block<' 'if block')
# chacha20poly1305 computes the Poly1305 tag and compares it with subtle,
# then branches once on the answer (decrypt, or Forged): the outcome.
aead_src=$(dep_dir chacha20poly1305)/src/cipher.rs
aead_line=$(line_after "$aead_src" 'pub(crate) fn decrypt_inout_detached(' 'if self.mac.verify(tag).is_ok() {')
# Keyring::open turns that answer into Forged or the plaintext; depending on
# inlining the branch is charged to its own line (the same public answer).
open_line=$(line_after src/account/seal/keyring.rs '.decrypt_inout_detached(&nonce, &ad, body.as_mut_slice().into(), &tag)' '.map_err(|_| OpenError::Forged)?;')
# account::login picks the kind of code by the input's shape before it
# looks at a secret: Code::parse answers whether the input is a code of
# the app's length, and of the sent code's (the same parse_line). Then it
# calls delivered::verify (the delivered outcomes above, one entry each for
# this case) and Guard::check (the code and guard outcomes, which hold for
# any caller of the guard).
{
  cat "$supp_static"
  cat <<EOF
{
   backup-outcome: the normaliser answers whether the typed code is well formed (else Malformed), line $well_formed_line
   Memcheck:Cond
   fun:then_some<twostep::backup::crockford::Symbols>
   fun:*crockford*normalise*
   fun:*CodeSet*redeem*
   fun:*backup_redeem_slots*
}
{
   backup-outcome: redeem returns Invalid when no slot matched
   Memcheck:Cond
   src:*set.rs:$found_line
   fun:*backup_redeem_slots*
}
{
   backup-outcome: redeem returns AlreadyUsed when the matched slot was used
   Memcheck:Cond
   src:*set.rs:$used_line
   fun:*backup_redeem_slots*
}
{
   backup-outcome: the bounds check of the (public) matched slot in the new set, line $slot_line
   Memcheck:Cond
   fun:get_mut<twostep::backup::set::Slot>
   fun:get_mut<twostep::backup::set::Slot, usize>
   fun:*CodeSet*redeem*
   fun:*backup_redeem_slots*
}
{
   backup-outcome: the new set marks the (public) matched slot used
   Memcheck:Value8
   src:*set.rs:$mark_line
   fun:*backup_redeem_slots*
}
EOF
  cat <<EOF
{
   code-outcome: Code::parse answers whether the typed text is a code (else Malformed), line $parse_line
   Memcheck:Cond
   src:*code.rs:$parse_line
   ...
   fun:*guard*Guard*
}
{
   delivered-outcome: Code::parse answers whether the typed code is well formed (else Malformed, no HMAC), line $parse_line
   Memcheck:Cond
   src:*code.rs:$parse_line
   ...
   fun:*delivered*verify*
   fun:*delivered_verify*
}
{
   delivered-outcome: verify returns Accepted when the current code matched, line $current_line
   Memcheck:Cond
   src:*verify.rs:$current_line
   ...
   fun:*delivered_verify*
}
{
   delivered-outcome: verify returns Superseded when the replaced code matched (else Wrong), line $previous_line
   Memcheck:Cond
   src:*verify.rs:$previous_line
   ...
   fun:*delivered_verify*
}
{
   guard-outcome: Guard::ending turns the scan's (public) result into the outcome and the new state (accepted step, offset, drift)
   Memcheck:Cond
   ...
   fun:ending<*
}
EOF
  cat <<EOF
{
   device-outcome: check returns Invalid unless the tag matched (after the constant-time comparison), line $genuine_line
   Memcheck:Cond
   src:*device.rs:$genuine_line
   fun:*account*device*check*
}
{
   device-shape: base64ct answers whether the cookie's tag is in the alphabet (else Invalid), line $b64_valid_line of $b64_src
   Memcheck:Cond
   src:*encoding.rs:$b64_valid_line
   fun:*device*token*b64_read*
}
{
   device-shape: base64ct answers whether the cookie's tag is canonical (unused bits zero, else Invalid), line $b64_canonical_line of $b64_src
   Memcheck:Cond
   src:*encoding.rs:$b64_canonical_line
   fun:*base64ct*decode*
   fun:*device*token*b64_read*
}
{
   device-shape: Token::from_str splits the cookie at its dots; memchr, looking for the next '.', branches on which of the tag's symbols is a dot (none is a base64url symbol): the token's form, public
   Memcheck:Cond
   ...
   fun:*memchr_aligned*
   ...
   fun:*device*token*Token*FromStr*from_str*
   fun:parse<twostep::account::device::token::Token>
   fun:*account*device*check*
}
{
   device-shape: the same search for a '.', its word-at-a-time index (where the next dot is)
   Memcheck:Value8
   ...
   fun:*memchr_aligned*
   ...
   fun:*device*token*Token*FromStr*from_str*
   fun:parse<twostep::account::device::token::Token>
   fun:*account*device*check*
}
{
   seal-outcome: the AEAD returns the plaintext or an error (Forged) after comparing the Poly1305 tag with subtle, line $aead_line of $aead_src
   Memcheck:Cond
   src:*cipher.rs:$aead_line
   ...
   fun:*seal*Keyring*open*
}
{
   seal-answer: Keyring::open maps the AEAD's answer to Forged or the plaintext (the Result combinator inlined at line $open_line of src/account/seal/keyring.rs)
   Memcheck:Cond
   src:*core/src/result.rs
   fun:*seal*Keyring*open*
}
{
   login-shape: Code::parse answers whether the input is a code (login's two tests of its shape, then delivered::verify's and Guard::check's own), line $parse_line
   Memcheck:Cond
   src:*code.rs:$parse_line
   ...
   fun:*account*login*login*
   fun:*account_login*
}
{
   login-outcome: verify returns Accepted when the current sent code matched, line $current_line
   Memcheck:Cond
   src:*verify.rs:$current_line
   ...
   fun:*account*login*login*
   fun:*account_login*
}
{
   login-outcome: verify returns Superseded when the replaced sent code matched (else Wrong), line $previous_line
   Memcheck:Cond
   src:*verify.rs:$previous_line
   ...
   fun:*account*login*login*
   fun:*account_login*
}
EOF
} >"$supp"

run_case() {
  valgrind --tool=memcheck --error-exitcode=99 --error-limit=no -s \
    --suppressions="$supp" "$bin" "$1" >"$log" 2>&1
}
# Reports hidden by an "open:" suppression (a known leak outside the case's
# own code, listed in declassify.supp): printed, so they stay in sight.
open_reports() {
  grep -E 'used_suppression: +[0-9]+ open:' "$log" | sed -E 's/.*used_suppression: +([0-9]+) (open:.*) [^ ]+:[0-9]+$/\1 reports by "\2"/' || true
}
flagged() {
  grep -Eq 'Conditional jump or move depends on uninitialised value|Use of uninitialised value' "$log"
}

# What must have run: "COUNT NAME" pairs (separated by '|'), a suppression
# NAME (its text up to the count) that a case must use exactly COUNT times.
# A use is one time the public outcome was computed from secret data, so
# this checks the claims that something is always computed: account_login
# opens the sealed TOTP secret (the AEAD's answer) and compares the sent
# code (verify's first answer) in each of its three tries, whichever code
# matched.
declare -A must_use=(
  [account_login]="3 seal-outcome: the AEAD returns|3 login-outcome: verify returns Accepted"
)
# uses NAME: how many times the case's log says suppression NAME was used.
uses() {
  grep -F -- "$1" "$log" | sed -nE 's/.*used_suppression: +([0-9]+) .*/\1/p' | head -n1
}
must_use_ok() {
  local want n count name
  [ -n "${must_use[$1]:-}" ] || return 0
  IFS='|' read -ra want <<<"${must_use[$1]}"
  for n in "${want[@]}"; do
    count=${n%% *} name=${n#* }
    if [ "$(uses "$name")" != "$count" ]; then
      echo "FAIL $1: '$name' was used $(uses "$name") times, not $count (did not always run?)"
      return 1
    fi
  done
}

failed=0
cases=$("$bin" --list)
# `scripts/ct_check.sh CASE…` runs only the cases named (while iterating).
if [ "$#" -gt 0 ]; then
  cases=$(grep -E "^($(IFS='|'; echo "$*"))( |$)" <<<"$cases" || true)
  [ -n "$cases" ] || { echo "ct_check: no case among: $*" >&2; exit 1; }
fi
while read -r name rest; do
  [ -n "$name" ] || continue
  rc=0
  run_case "$name" || rc=$?
  summary=$(grep -m1 -E 'ERROR SUMMARY' "$log" | sed 's/^==[0-9]*== //')
  if ! grep -q '^under valgrind: true' "$log"; then
    echo "FAIL $name: the program did not detect valgrind (client requests not working?)"
    cat "$log"; failed=1; continue
  fi
  if [ -z "$rest" ]; then
    # A constant-time case: it must run and memcheck must report nothing.
    if [ "$rc" -eq 0 ] && grep -q "^$name: ran" "$log" && ! flagged && ! must_use_ok "$name"; then
      failed=1
    elif [ "$rc" -eq 0 ] && grep -q "^$name: ran" "$log" && ! flagged; then
      echo "ok   $name: no secret-dependent branch or index ($summary)"
      open_reports | while read -r line; do echo "     $name: suppressed $line"; done
    else
      echo "FAIL $name (exit $rc):"; cat "$log"; failed=1
    fi
  else
    # A negative control: memcheck must flag it.
    if [ "$rc" -eq 99 ] && flagged && grep -q "^$name: ran" "$log"; then
      echo "ok   $name: leak detected as it must be ($summary)"
    else
      echo "FAIL $name: the deliberately leaky control was NOT flagged; the check is broken"
      cat "$log"; failed=1
    fi
  fi
done <<<"$cases"

if [ "$failed" -ne 0 ]; then
  echo "constant-time check FAILED"
  exit 1
fi
echo "constant-time check passed"
