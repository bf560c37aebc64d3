//! Named support cases in the diagnostic's grey zones, where one cause
//! cannot be told from another: each asserts the verdict and that the text
//! claims no more than the verdict does.
#![allow(clippy::unwrap_used, clippy::arithmetic_side_effects)]

use twostep::diagnose::{DiagnoseOptions, Diagnosis, LateCause, Observation, Verdict, diagnose};
use twostep::guard::State as GuardState;
use twostep::{Guard, Secret, Totp, UnixTime};

/// The start of a server step.
const START: u64 = 1_795_780_800;

fn secret() -> Secret {
    Secret::from_bytes(b"12345678901234567890").unwrap()
}

/// The code a phone whose clock is `offset` seconds off showed at server
/// time `read`, arriving at `arrive`.
fn typed(offset: i64, read: u64, arrive: u64) -> Observation<'static> {
    let phone = UnixTime::from_secs(read.checked_add_signed(offset).unwrap());
    let code = Totp::new().generate(&secret(), phone).unwrap();
    Observation::from_code(code, UnixTime::from_secs(arrive))
}

fn run(obs: &[Observation<'_>]) -> Diagnosis {
    let guard = Guard::new(Totp::new());
    let state = GuardState::new();
    diagnose(&guard, &secret(), &state, obs, &DiagnoseOptions::default())
        .unwrap()
        .0
}

/// The text of a late verdict names both causes and claims neither.
fn says_both_causes(d: &Diagnosis) {
    let text = d.to_string();
    assert!(
        text.contains("Either it was typed after it expired"),
        "{text}"
    );
    assert!(
        text.contains("or the phone's clock is slightly slow"),
        "{text}"
    );
    assert!(!text.contains("The phone's clock is about"), "{text}");
    assert!(text.contains("the computer's clock"), "{text}");
}

#[test]
fn one_code_three_minutes_old_typed_late() {
    // In sync, but read three minutes before it arrived.
    let d = run(&[typed(0, START + 5 - 180, START + 5)]);
    let Verdict::EnteredLate { offset, likely } = d.verdict() else {
        panic!("{d}");
    };
    assert!((-300..=-120).contains(&offset.whole_seconds()), "{d}");
    // With a gap this large the emphasis is on the clock, but both are said.
    assert_eq!(likely, LateCause::ClockSlow);
    says_both_causes(&d);
}

#[test]
fn one_code_from_a_clock_three_minutes_slow_looks_the_same() {
    // Typed at once from a phone three minutes slow: the same observation
    // as the late typist above, so the same diagnosis.
    let slow = run(&[typed(-180, START + 5, START + 5)]);
    let late = run(&[typed(0, START + 5 - 180, START + 5)]);
    assert_eq!(slow, late);
    says_both_causes(&slow);
}

#[test]
fn one_code_beyond_five_minutes_is_a_slow_clock() {
    let d = run(&[typed(-7 * 60, START + 5, START + 5)]);
    assert!(matches!(d.verdict(), Verdict::ClockBehind { .. }), "{d}");
    let text = d.to_string();
    assert!(
        text.contains("The phone's clock is about 7 minutes behind"),
        "{text}"
    );
    assert!(
        text.contains("the computer's clock and time zone play no part"),
        "{text}"
    );
}

#[test]
fn two_late_codes_with_different_delays_are_entered_late() {
    // A phone in sync; the first code typed 100 s after it was read, the
    // second 50 s: their offsets disagree, as late typing does.
    let obs = [
        typed(0, START + 5 - 100, START + 5),
        typed(0, START + 65 - 50, START + 65),
    ];
    let d = run(&obs);
    assert_eq!(
        d.verdict(),
        Verdict::EnteredLate {
            offset: d.offset().unwrap(),
            likely: LateCause::TypedLate
        },
        "{d}"
    );
    assert_eq!(d.agreeing_codes(), 2);
    assert_eq!(d.resync(), None);
    says_both_causes(&d);
    assert!(d.to_string().contains("typing late is the likelier"), "{d}");
}

#[test]
fn a_straddling_pair_whose_latest_code_logs_in_is_in_sync() {
    // The first code typed 70 s late, the second at once: the latest is
    // one a login takes now, whatever the first says.
    let obs = [
        typed(0, START + 5 - 70, START + 5),
        typed(0, START + 40, START + 45),
    ];
    let d = run(&obs);
    assert_eq!(d.verdict(), Verdict::InSync, "{d}");
    let text = d.to_string();
    assert!(text.contains("would be accepted now"), "{text}");
    assert!(!text.contains("clock is about"), "{text}");
    assert!(!text.contains("expired"), "{text}");
    // Given in the other order, the latest arrival still decides.
    let reversed = [obs[1], obs[0]];
    assert_eq!(run(&reversed).verdict(), Verdict::InSync);
}
