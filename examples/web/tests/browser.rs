//! The service in a real browser: headless Chromium over WebDriver.
//!
//! One person's story, with a support operator in a second browser: sign up,
//! enrol an authenticator app by reading the QR code off a screenshot, keep
//! the backup codes; sign in with app codes (a code used once is refused the
//! second time); add a phone and sign in by text through the development
//! outbox; a text that fails, and what the sign-in page and the support desk
//! then say; a backup code and the count that drops; a remembered device
//! that skips the second step until "sign out everywhere"; and the support
//! desk finding a phone five hours fast from two codes.
//!
//! Needs `chromium` and `chromium-driver` (Debian); skipped with a message
//! when chromedriver is missing, except under `CI=true` where that fails.

#[path = "support/harness.rs"]
#[expect(
    dead_code,
    reason = "the plain-HTTP half of the harness is unused here"
)]
mod harness;

use std::time::{Duration, SystemTime};

use harness::{Browser, Stack, chromedriver};
use twostep::otp::Period;
use twostep::{KeyUri, Totp, UnixTime};

const PASSWORD: &str = "correct horse battery";
/// Browser stories run one at a time (two Chromiums on two cores would
/// only race each other's waits).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The authenticator app on the phone: the decoded Key URI, and the phone's
/// own clock (the real time plus the service's dev offset plus its own error).
struct Phone {
    totp: Totp,
    uri: KeyUri,
}

impl Phone {
    /// Reads the QR code off a PNG screenshot of the enrolment page.
    fn scan(png: &[u8]) -> Self {
        let image = image::load_from_memory(png)
            .expect("a png screenshot")
            .to_luma8();
        let (w, h) = (image.width() as usize, image.height() as usize);
        let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
            image.get_pixel(x as u32, y as u32).0[0]
        });
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code on the page");
        let (_, text) = grids[0].decode().expect("the QR code decodes");
        let uri = KeyUri::parse(&text).expect("the QR code holds a Key URI");
        let totp = Totp::new()
            .with_algorithm(uri.algorithm())
            .with_digits(uri.digits())
            .with_period(uri.period().unwrap_or(Period::DEFAULT));
        Self { totp, uri }
    }

    /// The code the app shows when its clock reads `at`.
    fn code(&self, at: UnixTime) -> String {
        self.totp
            .generate(self.uri.secret(), at)
            .expect("a code")
            .to_string()
    }
}

/// The service's time: the real time plus the dev clock offset.
fn service_now(offset: i64) -> UnixTime {
    let real = UnixTime::try_from(SystemTime::now()).expect("clock after 1970");
    real.checked_add_signed(offset).expect("in range")
}

async fn set_clock(b: &Browser, offset: i64) {
    b.goto("/dev/clock").await;
    b.fill("#offset", &offset.to_string()).await;
    b.click("#set").await;
}

async fn sign_in_password(b: &Browser, email: &str) {
    b.goto("/signin").await;
    b.fill("#email", email).await;
    b.fill("#password", PASSWORD).await;
    b.click("#signin").await;
}

async fn second_step(b: &Browser, code: &str, remember: bool) {
    assert_eq!(b.path().await, "/signin/second");
    b.fill("#code", code).await;
    if remember {
        b.tick("#remember").await;
    }
    b.click("#verify").await;
}

async fn sign_out(b: &Browser) {
    b.goto("/account").await;
    b.click("form[action='/signout'] button").await;
}

/// The code in the newest text of the outbox.
async fn newest_text_code(b: &Browser) -> String {
    b.goto("/outbox").await;
    let body = b.text("#outbox tr.message td.body").await;
    let code: String = body.chars().take_while(char::is_ascii_digit).collect();
    assert_eq!(code.len(), 6, "a 6-digit code leads the text: {body}");
    code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_life_in_the_browser() {
    let Some(driver) = chromedriver() else { return };
    story(&driver, None).await;
}

/// The same story with the service on PostgreSQL (`scripts/postgres.sh`),
/// when `TWOSTEP_TEST_POSTGRES_URL` names one; under `CI=true` it must.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_life_in_the_browser_on_postgres() {
    let Some(driver) = chromedriver() else { return };
    let Some(url) = std::env::var("TWOSTEP_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "CI=true but TWOSTEP_TEST_POSTGRES_URL is not set"
        );
        eprintln!("SKIPPED: TWOSTEP_TEST_POSTGRES_URL not set");
        return;
    };
    story(&driver, Some(url)).await;
}

async fn story(driver: &std::path::Path, database_url: Option<String>) {
    let _one = ONE_AT_A_TIME.lock().await;
    // On PostgreSQL, addresses of their own: the database outlives a run.
    let tag = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let tag = if database_url.is_some() {
        format!("-{tag}")
    } else {
        String::new()
    };
    let ana_email = format!("ana{tag}@example.com");
    let operator = format!("support{tag}@example.com");
    let (ana_at, desk_at) = (ana_email.as_str(), operator.as_str());
    let started = std::time::Instant::now();
    // Screenshots of the SQLite run only (the other would overwrite them).
    let shots = database_url.is_none();
    let mut env = vec![("TWOSTEP_WEB_OPERATORS", desk_at)];
    if let Some(url) = &database_url {
        env.push(("DATABASE_URL", url.as_str()));
    }
    let stack = Stack::start(driver, &env);
    let ana = stack.browser("ana").await;
    let desk = stack.browser("support").await;
    let mut offset = 0;

    // Sign up; the account page says two-step is off.
    ana.goto("/signup").await;
    ana.fill("#email", ana_at).await;
    ana.fill("#password", PASSWORD).await;
    ana.click("#signup").await;
    assert_eq!(ana.path().await, "/account");
    assert!(ana.has("#off").await);

    // Enrol: the phone reads the QR code off the screen.
    ana.goto("/enrol/totp").await;
    ana.text("#qr").await;
    let png = ana.screenshot().await;
    if shots {
        ana.save("enrol").await;
    }
    let phone = Phone::scan(&png);
    assert_eq!(phone.uri.issuer(), Some("twostep demo"));
    assert_eq!(phone.uri.account(), ana_at);
    let typed_secret = ana.text("#secret").await.replace(' ', "");
    assert_eq!(
        typed_secret,
        phone.uri.secret().to_base32().as_str(),
        "the key as text is the key in the QR code"
    );
    let first = phone.code(service_now(offset));
    ana.fill("#code", &first).await;
    ana.click("#confirm").await;
    let codes: Vec<String> = {
        let text = ana.text("#codes").await;
        text.lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    assert_eq!(codes.len(), 10, "ten backup codes shown: {codes:?}");
    let download = ana
        .client
        .find(fantoccini::Locator::Css("#download"))
        .await
        .expect("a download link");
    let href = download.attr("href").await.expect("href").expect("an href");
    assert!(
        href.starts_with("data:text/plain"),
        "the codes download as a text file"
    );
    assert!(
        codes.iter().all(|c| href.contains(c.as_str())),
        "the download holds every code"
    );
    if shots {
        ana.save("backup-codes").await;
    }
    ana.click("#done").await;
    assert_eq!(ana.text("#totp-status").await, "On");
    assert_eq!(ana.text("#codes-left").await, "10");

    // Sign out and in with the app; the confirming code is spent already.
    sign_out(&ana).await;
    sign_in_password(&ana, ana_at).await;
    second_step(&ana, &first, false).await;
    assert!(
        ana.text("#error").await.contains("already used"),
        "the enrolment code cannot sign in"
    );
    offset += 60;
    set_clock(&ana, offset).await;
    ana.goto("/signin/second").await;
    let code = phone.code(service_now(offset));
    second_step(&ana, &code, false).await;
    assert_eq!(ana.path().await, "/account");
    sign_out(&ana).await;
    sign_in_password(&ana, ana_at).await;
    second_step(&ana, &code, false).await;
    assert!(
        ana.text("#error").await.contains("already used"),
        "a code signs in once"
    );

    // Add a phone (from a full session) and sign in by text.
    offset += 60;
    set_clock(&ana, offset).await;
    ana.goto("/signin/second").await;
    second_step(&ana, &phone.code(service_now(offset)), false).await;
    ana.goto("/enrol/phone").await;
    ana.fill("#number", "+44 7700 900123").await;
    ana.click("#save").await;
    assert!(ana.text("#notice").await.contains("ending 23"));
    let confirm = newest_text_code(&ana).await;
    ana.goto("/enrol/phone/confirm").await;
    ana.fill("#code", &confirm).await;
    ana.click("#confirm").await;
    assert!(ana.text("#phone-status").await.contains("23"));
    offset += 120; // past the resend cooldown
    set_clock(&ana, offset).await;
    sign_out(&ana).await;
    sign_in_password(&ana, ana_at).await;
    ana.click("#sms").await;
    assert!(ana.text("#notice").await.contains("ending 23"));
    let sms = newest_text_code(&ana).await;
    if shots {
        ana.save("outbox").await;
    }
    ana.goto("/signin/second").await;
    second_step(&ana, &sms, false).await;
    assert_eq!(ana.path().await, "/account");

    // A text the carrier cannot deliver: the sign-in page says so, and so
    // does the support desk.
    sign_out(&ana).await;
    offset += 120; // past the resend cooldown
    set_clock(&ana, offset).await;
    sign_in_password(&ana, ana_at).await;
    ana.click("#sms").await;
    newest_text_code(&ana).await;
    ana.click("#outbox tr.message button[data-status='failed']")
        .await;
    assert_eq!(ana.text("#outbox tr.message td.status").await, "failed");
    ana.goto("/signin/second").await;
    let said = ana.text("#delivery").await;
    assert!(
        said.contains("could not reach the phone ending in 23"),
        "sign-in page: {said}"
    );
    if shots {
        ana.save("second-step-failed-text").await;
    }

    desk.goto("/signup").await;
    desk.fill("#email", desk_at).await;
    desk.fill("#password", PASSWORD).await;
    desk.click("#signup").await;
    desk.goto(&format!("/support?email={ana_at}")).await;
    let log = desk.text("#delivery-log").await;
    assert!(
        log.contains("failed (Unreachable, code 30003)"),
        "delivery log: {log}"
    );
    let diagnostic = desk.text("#delivery-support").await;
    assert!(
        diagnostic.to_lowercase().contains("fail"),
        "delivery diagnostic: {diagnostic}"
    );
    assert!(
        desk.text("#delivery-user")
            .await
            .contains("could not reach the phone")
    );
    assert!(
        desk.has("#unasked-support").await,
        "the desk also answers \"a code I did not ask for\""
    );

    // A backup code instead: in, and one code fewer.
    second_step(&ana, &codes[0], false).await;
    assert_eq!(ana.path().await, "/account");
    assert!(ana.text("#notice").await.contains("backup code"));
    assert_eq!(ana.text("#codes-left").await, "9");
    sign_out(&ana).await;
    sign_in_password(&ana, ana_at).await;
    second_step(&ana, &codes[0], false).await;
    assert!(
        ana.text("#error").await.contains("already used"),
        "a backup code works once"
    );

    // Remember this device: the next sign-in skips the second step...
    offset += 60;
    set_clock(&ana, offset).await;
    ana.goto("/signin/second").await;
    second_step(&ana, &phone.code(service_now(offset)), true).await;
    assert_eq!(ana.path().await, "/account");
    assert!(ana.text("#devices").await.contains("Chrome"));
    if shots {
        ana.save("account").await;
    }
    sign_out(&ana).await;
    sign_in_password(&ana, ana_at).await;
    assert_eq!(
        ana.path().await,
        "/account",
        "a remembered device skips the second step"
    );
    // ...until "sign out everywhere".
    ana.click("form[action='/account/sign-out-everywhere'] button")
        .await;
    assert!(ana.text("#notice").await.contains("signed out"));
    assert!(ana.has("#no-devices").await);
    sign_out(&ana).await;
    sign_in_password(&ana, ana_at).await;
    assert_eq!(
        ana.path().await,
        "/signin/second",
        "signing out everywhere forgets the device"
    );

    // Ana's phone runs five hours fast: support reads two codes off it.
    let fast = 5 * 3600;
    let now = service_now(offset);
    let code1 = phone.code(now.checked_add_signed(fast - 30).expect("in range"));
    let code2 = phone.code(now.checked_add_signed(fast).expect("in range"));
    desk.goto(&format!("/support?email={ana_at}")).await;
    desk.fill("#code1", &code1).await;
    desk.fill("#code2", &code2).await;
    desk.fill("#gap", "30").await;
    desk.click("#diagnose").await;
    let result = desk.text("#result").await;
    assert!(
        result.contains("5 hours") && result.contains("ahead"),
        "time-sync diagnostic: {result}"
    );
    if shots {
        desk.save("support-desk").await;
    }

    // Turning two-step off needs a fresh second factor, whatever the session.
    second_step(&ana, &codes[1], false).await;
    assert_eq!(ana.text("#codes-left").await, "8");
    ana.fill("#disable-code", "000000").await;
    ana.click("form[action='/account/disable'] button").await;
    assert!(ana.text("#error").await.contains("stays on"));
    ana.fill("#disable-code", &codes[2]).await;
    ana.click("form[action='/account/disable'] button").await;
    assert!(ana.text("#notice").await.contains("off"));
    assert!(ana.has("#off").await);

    ana.close().await;
    desk.close().await;
    drop(stack);
    eprintln!("browser story took {:?}", started.elapsed());
    assert!(
        started.elapsed() < Duration::from_secs(300),
        "the story should take well under 5 minutes"
    );
}
