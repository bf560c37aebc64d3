//! Property tests over any program of operations on one record: every
//! record reached round-trips exactly through its text and fits `MAX_LEN`;
//! the throttle counts each refused attempt once and nothing else; no code
//! is accepted twice.

use std::collections::HashSet;

use proptest::prelude::*;
use twostep::account::device::DeviceId;
use twostep::account::{self, Account, DeviceLabel, LoginOutcome, Method, Phone, Refusal};
use twostep::backup::ShownCodes;
use twostep::delivered::{Binding, Channel, Hint, Purpose, Reason};
use twostep::otp::KeyedTotp;
use twostep::{Guard, Totp, UnixTime};

use crate::{config_with, login_binding, rng, user};

#[derive(Clone, Debug)]
enum Op {
    BeginTotp,
    ConfirmTotp { right: bool },
    LoginTotp { right: bool },
    BeginPhone { voice: bool },
    SendConfirm,
    ConfirmPhone { right: bool },
    SendLogin,
    LoginSent { right: bool },
    Regenerate,
    LoginBackup { slot: usize },
    Remember,
    Forget { back: usize },
    SignOut,
    RemoveTotp,
    RemovePhone,
    Garbage,
}

fn op() -> impl Strategy<Value = (u64, Op)> {
    let dt = prop_oneof![3 => 0u64..40, 2 => 0u64..1_000, 1 => 0u64..100_000];
    let op = prop_oneof![
        1 => Just(Op::BeginTotp),
        1 => any::<bool>().prop_map(|right| Op::ConfirmTotp { right }),
        3 => any::<bool>().prop_map(|right| Op::LoginTotp { right }),
        1 => any::<bool>().prop_map(|voice| Op::BeginPhone { voice }),
        1 => Just(Op::SendConfirm),
        1 => any::<bool>().prop_map(|right| Op::ConfirmPhone { right }),
        2 => Just(Op::SendLogin),
        2 => any::<bool>().prop_map(|right| Op::LoginSent { right }),
        1 => Just(Op::Regenerate),
        2 => (0usize..12).prop_map(|slot| Op::LoginBackup { slot }),
        1 => Just(Op::Remember),
        1 => (0usize..12).prop_map(|back| Op::Forget { back }),
        1 => Just(Op::SignOut),
        1 => Just(Op::RemoveTotp),
        1 => Just(Op::RemovePhone),
        1 => Just(Op::Garbage),
    ];
    (dt, op)
}

/// What the test keeps beside the record: the app, the codes, the last
/// messages, the devices, and the codes accepted so far.
struct World {
    account: Account,
    now: u64,
    pending_app: Option<KeyedTotp>,
    app: Option<KeyedTotp>,
    codes: Option<ShownCodes>,
    confirm_code: Option<String>,
    login_code: Option<String>,
    devices: Vec<DeviceId>,
    accepted: HashSet<(u8, String, u64)>,
}

fn wrong(code: &str) -> String {
    let v: u64 = code.parse().unwrap_or(0);
    format!(
        "{:0width$}",
        (v + 1) % 10u64.pow(code.len() as u32),
        width = code.len()
    )
}

/// Checks the throttle's arithmetic for one attempt and records accepted
/// codes (a code accepted twice fails the test).
fn attempt(w: &mut World, kind: u8, input: &str, outcome: LoginOutcome, next: Account) {
    let before = w.account.guard().failures();
    let after = next.guard().failures();
    match outcome {
        LoginOutcome::Accepted { .. } => {
            assert_eq!(after, 0);
            // TOTP codes are single-use per step; others once for ever.
            let step = if kind == 0 { w.now / 30 } else { 0 };
            assert!(
                w.accepted.insert((kind, input.to_owned(), step)),
                "accepted twice: {input}"
            );
        }
        LoginOutcome::Refused {
            reason: Refusal::Replayed | Refusal::NotEnrolled,
        } => {
            assert_eq!(after, before);
        }
        LoginOutcome::Refused { .. } => assert_eq!(after, before + 1, "{outcome:?}"),
        LoginOutcome::Throttled { .. } | LoginOutcome::Locked => assert_eq!(after, before),
        _ => unreachable!(),
    }
    w.account = next;
}

fn step(w: &mut World, op: Op, seed: u64) {
    let config = config_with(Guard::new(Totp::new()));
    let now = UnixTime::from_secs(w.now);
    let mut rng = rng(seed);
    let user = user();
    let confirm = Binding::new(Purpose::ConfirmPhone, b"settings").unwrap();
    match op {
        Op::BeginTotp => {
            let (uri, a) =
                account::begin_totp(&config, &user, "Ex", "ana", now, &mut rng, &w.account)
                    .unwrap();
            w.pending_app = Some(Totp::new().key(uri.secret()));
            w.account = a;
        }
        Op::ConfirmTotp { right } => {
            let code = w
                .pending_app
                .as_ref()
                .map_or("000000".into(), |k| k.generate(now).unwrap().to_string());
            let code = if right { code } else { wrong(&code) };
            let (c, a) = account::confirm_totp(&config, &user, &code, now, &w.account).unwrap();
            if c.is_confirmed() {
                w.app = w.pending_app.take();
                // The confirming code is spent for logins at this step.
                w.accepted.insert((0, code, w.now / 30));
            }
            w.account = a;
        }
        Op::LoginTotp { right } => {
            let code = w
                .app
                .as_ref()
                .map_or("000000".into(), |k| k.generate(now).unwrap().to_string());
            let code = if right { code } else { wrong(&code) };
            let (o, a) =
                account::login(&config, &user, &login_binding(), &code, now, &w.account).unwrap();
            let kind = match o {
                LoginOutcome::Accepted {
                    method: Method::Delivered,
                    ..
                } => 1,
                _ => 0,
            };
            attempt(w, kind, &code, o, a);
        }
        Op::BeginPhone { voice } => {
            let channel = if voice { Channel::Voice } else { Channel::Sms };
            w.account = account::begin_phone(
                Phone::new(channel, Hint::new("**42").unwrap()).unwrap(),
                &w.account,
            );
        }
        Op::SendConfirm | Op::SendLogin => {
            let confirming = matches!(op, Op::SendConfirm);
            let binding = if confirming { confirm } else { login_binding() };
            if let Ok((m, a)) = account::send_code(
                &config,
                &binding,
                Reason::UserResend,
                now,
                &mut rng,
                &w.account,
            ) {
                let code = Some(m.code().to_string());
                if confirming {
                    w.confirm_code = code
                } else {
                    w.login_code = code
                }
                w.account = a;
            }
        }
        Op::ConfirmPhone { right } => {
            let code = w.confirm_code.clone().unwrap_or_else(|| "000000".into());
            let code = if right { code } else { wrong(&code) };
            if let Ok((_, a)) = account::confirm_phone(&config, &confirm, &code, now, &w.account) {
                w.account = a;
            }
        }
        Op::LoginSent { right } => {
            let code = w.login_code.clone().unwrap_or_else(|| "000000".into());
            let code = if right { code } else { wrong(&code) };
            let (o, a) =
                account::login(&config, &user, &login_binding(), &code, now, &w.account).unwrap();
            let kind = match o {
                LoginOutcome::Accepted {
                    method: Method::Totp,
                    ..
                } => 0,
                _ => 1,
            };
            attempt(w, kind, &code, o, a);
        }
        Op::Regenerate => {
            let (shown, a) =
                account::regenerate_backup_codes(&config, &mut rng, &w.account).unwrap();
            w.codes = Some(shown);
            w.account = a;
        }
        Op::LoginBackup { slot } => {
            let code = w
                .codes
                .as_ref()
                .and_then(|c| c.get(slot))
                .map_or("0000-0000-0000-0000-0000-0000".into(), |c| c.to_string());
            let (o, a) =
                account::login(&config, &user, &login_binding(), &code, now, &w.account).unwrap();
            attempt(w, 2, &code, o, a);
        }
        Op::Remember => {
            let d = DeviceId::generate(&mut rng);
            let label = DeviceLabel::lossy(&format!("device {seed}"));
            let (_, a) = account::remember_device(
                &config,
                &user,
                d,
                label,
                now,
                time::Duration::days(30),
                &w.account,
            )
            .unwrap();
            w.devices.push(d);
            w.account = a;
        }
        Op::Forget { back } => {
            if let Some(&d) = w.devices.iter().rev().nth(back) {
                w.account = account::forget_device(d, &w.account);
            }
        }
        Op::SignOut => w.account = account::sign_out_everywhere(&w.account),
        Op::RemoveTotp => w.account = account::remove_totp(&w.account),
        Op::RemovePhone => w.account = account::remove_phone(&w.account),
        Op::Garbage => {
            let (o, a) =
                account::login(&config, &user, &login_binding(), "%%%", now, &w.account).unwrap();
            attempt(w, 3, "%%%", o, a);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn every_reachable_record_round_trips_and_fits(program in proptest::collection::vec(op(), 1..40)) {
        let mut w = World {
            account: Account::new(),
            now: crate::T,
            pending_app: None,
            app: None,
            codes: None,
            confirm_code: None,
            login_code: None,
            devices: Vec::new(),
            accepted: HashSet::new(),
        };
        for (i, (dt, op)) in program.into_iter().enumerate() {
            w.now += dt;
            step(&mut w, op, i as u64);
            let text = w.account.to_string();
            prop_assert!(text.len() <= Account::MAX_LEN);
            let parsed: Account = text.parse().unwrap();
            prop_assert_eq!(&parsed, &w.account);
            prop_assert_eq!(parsed.to_string(), text);
            prop_assert!(w.account.devices().count() <= Account::MAX_DEVICES);
        }
    }

    #[test]
    fn arbitrary_text_never_panics_and_what_parses_prints_back(text in "a1;[ -~]{0,200}") {
        if let Ok(a) = text.parse::<Account>() {
            prop_assert_eq!(a.to_string(), text);
        }
    }
}
