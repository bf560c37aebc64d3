//! The service over plain HTTP, where a browser hides what matters: cookie
//! flags, the CSRF check on every POST, `Retry-After` on a throttled second
//! step, and log lines that carry no secret.

#[path = "support/harness.rs"]
#[expect(dead_code, reason = "the browser half of the harness is unused here")]
mod harness;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::time::{Duration, SystemTime};

use harness::Service;
use twostep::{Secret, Totp, UnixTime};

/// One HTTP/1.1 exchange and the cookies it keeps.
#[derive(Default)]
struct Client {
    cookies: HashMap<String, String>,
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn set_cookies(&self) -> impl Iterator<Item = &str> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| v.as_str())
    }

    /// The first form's CSRF token on the page.
    fn csrf(&self) -> String {
        between(&self.body, "name=\"csrf\" value=\"", "\"").expect("a form with a csrf field")
    }
}

fn between(text: &str, start: &str, end: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(text[from..from + len].to_string())
}

impl Client {
    fn send(&mut self, port: u16, method: &str, path: &str, form: &[(&str, &str)]) -> Response {
        let body: String = form
            .iter()
            .map(|(k, v)| {
                format!(
                    "{k}={}",
                    v.replace('%', "%25")
                        .replace('&', "%26")
                        .replace('+', "%2B")
                        .replace(' ', "+")
                        .replace('@', "%40")
                )
            })
            .collect::<Vec<_>>()
            .join("&");
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut request =
            format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
        if !cookie.is_empty() {
            request.push_str(&format!("Cookie: {}\r\n", cookie.join("; ")));
        }
        if method == "POST" {
            request.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .expect("timeout");
        stream.write_all(request.as_bytes()).expect("send");
        let mut raw = String::new();
        stream.read_to_string(&mut raw).expect("read the response");
        let (head, body) = raw.split_once("\r\n\r\n").expect("a response head");
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("status");
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let response = Response {
            status,
            headers,
            body: body.to_string(),
        };
        for c in response.set_cookies() {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        response
    }

    fn get(&mut self, port: u16, path: &str) -> Response {
        self.send(port, "GET", path, &[])
    }

    /// GETs `page` for its token, then POSTs `form` to `action` with it.
    fn submit(&mut self, port: u16, page: &str, action: &str, form: &[(&str, &str)]) -> Response {
        let token = self.get(port, page).csrf();
        let mut with = vec![("csrf", token.as_str())];
        with.extend_from_slice(form);
        self.send(port, "POST", action, &with)
    }
}

const PASSWORD: &str = "correct horse battery";

#[test]
fn cookies_are_http_only_same_site_and_secure_behind_tls() {
    let plain = Service::start(&[]);
    let r = Client::default().get(plain.port, "/signup");
    let sid = r
        .set_cookies()
        .find(|c| c.starts_with("sid="))
        .expect("a sid cookie")
        .to_string();
    assert!(
        sid.contains("HttpOnly") && sid.contains("SameSite=Lax"),
        "{sid}"
    );
    assert!(!sid.contains("Secure"), "no Secure over plain HTTP: {sid}");
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(
        r.header("content-security-policy")
            .is_some_and(|c| c.contains("frame-ancestors 'none'"))
    );
    assert_eq!(r.header("x-frame-options"), Some("DENY"));

    let tls = Service::start(&[("TWOSTEP_WEB_SECURE_COOKIES", "1")]);
    let r = Client::default().get(tls.port, "/signup");
    assert!(
        r.set_cookies()
            .any(|c| c.starts_with("sid=") && c.contains("; Secure"))
    );
}

#[test]
fn every_post_needs_the_csrf_token_of_its_own_cookie() {
    let s = Service::start(&[]);
    let form = [("email", "ana@example.com"), ("password", PASSWORD)];
    let mut ana = Client::default();
    ana.get(s.port, "/signup");
    assert_eq!(
        ana.send(s.port, "POST", "/signup", &form).status,
        403,
        "no token"
    );
    let other = Client::default().get(s.port, "/signup").csrf();
    let mut forged = vec![("csrf", other.as_str())];
    forged.extend_from_slice(&form);
    assert_eq!(
        ana.send(s.port, "POST", "/signup", &forged).status,
        403,
        "another cookie's token"
    );
    assert_eq!(
        ana.submit(s.port, "/signup", "/signup", &form).status,
        303,
        "the right token"
    );
    for action in [
        "/signin",
        "/signin/second",
        "/signin/sms",
        "/account/disable",
        "/outbox/1/status",
        "/support/unlock",
        "/dev/clock",
    ] {
        assert_eq!(
            ana.send(s.port, "POST", action, &[("code", "123456")])
                .status,
            403,
            "{action} without a token"
        );
    }
}

#[test]
fn a_throttled_second_step_says_retry_after_and_no_secret_is_logged() {
    let s = Service::start(&[]);
    let mut ana = Client::default();
    let email = [("email", "ana@example.com"), ("password", PASSWORD)];
    let Enrolment {
        secret_text,
        first,
        confirmed: r,
        ..
    } = enrol(&s, &mut ana, "ana@example.com");
    let backup = between(&r.body, "<li class=\"code\">", "<").expect("backup codes shown");
    ana.submit(s.port, "/account", "/signout", &[]);
    assert_eq!(
        ana.submit(s.port, "/signin", "/signin", &email)
            .header("location"),
        Some("/signin/second")
    );

    let mut seen = Vec::new();
    for _ in 0..10 {
        let r = ana.submit(
            s.port,
            "/signin/second",
            "/signin/second",
            &[("code", "000000")],
        );
        seen.push(r.status);
        if r.status == 429 {
            let after: u64 = r
                .header("retry-after")
                .expect("Retry-After")
                .parse()
                .expect("whole seconds");
            assert!((1..=3600).contains(&after), "Retry-After {after}");
            assert!(r.body.contains("Too many wrong codes"));
            break;
        }
        assert_eq!(r.status, 401, "a wrong code");
    }
    assert_eq!(
        seen.last(),
        Some(&429),
        "throttled within ten wrong codes: {seen:?}"
    );

    let log = std::fs::read_to_string(&s.log).expect("the service's log");
    assert!(log.contains("second step"), "the log is being written");
    for secret in [
        secret_text.as_str(),
        &first,
        &backup,
        PASSWORD,
        ana.cookies["sid"].as_str(),
    ] {
        assert!(!log.contains(secret), "a secret in the log");
    }
}

/// An enrolled authenticator app: its secret (and as the page showed it),
/// the code that confirmed it and the page that confirmed it.
struct Enrolment {
    secret: Secret,
    secret_text: String,
    first: String,
    confirmed: Response,
}

/// Signs `email` up and enrols an authenticator app from the secret the
/// enrolment page shows as text.
fn enrol(s: &Service, client: &mut Client, email: &str) -> Enrolment {
    let form = [("email", email), ("password", PASSWORD)];
    assert_eq!(
        client.submit(s.port, "/signup", "/signup", &form).status,
        303
    );
    let enrol = client.get(s.port, "/enrol/totp");
    let secret_text = between(&enrol.body, "id=\"secret\">", "<")
        .expect("the secret as text")
        .replace(' ', "");
    let secret = Secret::from_base32(&secret_text).expect("base32");
    let now = UnixTime::try_from(SystemTime::now()).expect("now");
    let first = Totp::default()
        .generate(&secret, now)
        .expect("code")
        .to_string();
    let token = enrol.csrf();
    let confirmed = client.send(
        s.port,
        "POST",
        "/enrol/totp",
        &[("csrf", &token), ("code", &first)],
    );
    assert_eq!(confirmed.status, 200, "confirmed");
    Enrolment {
        secret,
        secret_text,
        first,
        confirmed,
    }
}

/// Signs `email` up and enrols an authenticator app; returns the secret.
fn enrolled(s: &Service, client: &mut Client, email: &str) -> Secret {
    enrol(s, client, email).secret
}

/// The time-sync diagnostic is an attempt: each code of an unconfirmed
/// diagnosis is a failure on the user's record, as a wrong login is.
#[test]
fn a_support_diagnosis_counts_its_codes_as_attempts() {
    let s = Service::start(&[("TWOSTEP_WEB_OPERATORS", "support@example.com")]);
    let mut ana = Client::default();
    enrolled(&s, &mut ana, "ana@example.com");
    let mut desk = Client::default();
    let op = [("email", "support@example.com"), ("password", PASSWORD)];
    assert_eq!(desk.submit(s.port, "/signup", "/signup", &op).status, 303);
    let page = desk.get(s.port, "/support?email=ana%40example.com");
    assert!(page.body.contains("id=\"failures\">0<"), "no failures yet");
    let token = page.csrf();
    let r = desk.send(
        s.port,
        "POST",
        "/support/timesync",
        &[
            ("csrf", &token),
            ("email", "ana@example.com"),
            ("code1", "000000"),
            ("code2", "999999"),
            ("gap", "30"),
        ],
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("id=\"result\""), "the diagnosis is shown");
    assert!(
        r.body.contains("id=\"failures\">2<"),
        "two codes, two failures stored"
    );
}

#[test]
fn a_locked_account_opens_only_after_support_checks_the_identity() {
    let s = Service::start(&[("TWOSTEP_WEB_OPERATORS", "support@example.com")]);
    let mut ana = Client::default();
    let secret = enrolled(&s, &mut ana, "ana@example.com");
    ana.submit(s.port, "/account", "/signout", &[]);
    let login = [("email", "ana@example.com"), ("password", PASSWORD)];
    ana.submit(s.port, "/signin", "/signin", &login);

    // Wrong codes, waiting out each back-off on the development clock,
    // until the hard lock.
    // A sign-in waiting for its second step lasts 15 minutes: past that,
    // the password again.
    let mut offset = 0u64;
    let mut locked = false;
    for _ in 0..40 {
        if ana.get(s.port, "/signin/second").status == 303 {
            ana.submit(s.port, "/signin", "/signin", &login);
        }
        let r = ana.submit(
            s.port,
            "/signin/second",
            "/signin/second",
            &[("code", "000000")],
        );
        if r.body.contains("is locked") {
            locked = true;
            break;
        }
        if r.status == 429 {
            offset += r
                .header("retry-after")
                .and_then(|v| v.parse::<u64>().ok())
                .expect("Retry-After")
                + 1;
            let o = offset.to_string();
            ana.submit(s.port, "/dev/clock", "/dev/clock", &[("offset", &o)]);
        }
    }
    assert!(locked, "locked within forty wrong codes");
    let right = |offset: u64| {
        let now = UnixTime::try_from(SystemTime::now()).expect("now");
        let now = now
            .checked_add_signed(i64::try_from(offset).expect("small"))
            .expect("in range");
        Totp::default()
            .generate(&secret, now)
            .expect("code")
            .to_string()
    };
    let r = ana.submit(
        s.port,
        "/signin/second",
        "/signin/second",
        &[("code", &right(offset))],
    );
    assert!(
        r.body.contains("is locked"),
        "the right code is refused while locked"
    );

    let mut desk = Client::default();
    let op = [("email", "support@example.com"), ("password", PASSWORD)];
    assert_eq!(desk.submit(s.port, "/signup", "/signup", &op).status, 303);
    let page = desk.get(s.port, "/support?email=ana%40example.com");
    assert!(
        page.body.contains("id=\"lock\">locked"),
        "the desk sees the lock"
    );
    let token = page.csrf();
    let r = desk.send(
        s.port,
        "POST",
        "/support/unlock",
        &[("csrf", &token), ("email", "ana@example.com")],
    );
    assert!(r.body.contains("Check the person's identity first"));
    let r = ana.submit(
        s.port,
        "/signin/second",
        "/signin/second",
        &[("code", &right(offset))],
    );
    assert!(
        r.body.contains("is locked"),
        "no unlock without the identity check"
    );
    let r = desk.send(
        s.port,
        "POST",
        "/support/unlock",
        &[
            ("csrf", &token),
            ("email", "ana@example.com"),
            ("identity_checked", "1"),
        ],
    );
    assert!(r.body.contains("The lock is reset"));
    assert!(
        r.body.contains("lock reset after an identity check"),
        "the audit log says so"
    );

    // A fresh step: the one typed while locked was never accepted, but move on anyway.
    offset += 30;
    let o = offset.to_string();
    ana.submit(s.port, "/dev/clock", "/dev/clock", &[("offset", &o)]);
    if ana.get(s.port, "/signin/second").status == 303 {
        ana.submit(s.port, "/signin", "/signin", &login);
    }
    let r = ana.submit(
        s.port,
        "/signin/second",
        "/signin/second",
        &[("code", &right(offset))],
    );
    assert_eq!(
        r.header("location"),
        Some("/account"),
        "signed in after the reset"
    );

    let mut stranger = Client::default();
    stranger.submit(
        s.port,
        "/signup",
        "/signup",
        &[("email", "eve@example.com"), ("password", PASSWORD)],
    );
    assert_eq!(
        stranger
            .get(s.port, "/support?email=ana%40example.com")
            .status,
        403,
        "only operators"
    );
}

#[test]
fn wrong_passwords_back_off_with_retry_after_and_a_right_one_resets() {
    let s = Service::start(&[]);
    let mut ana = Client::default();
    let form = [("email", "ana@example.com"), ("password", PASSWORD)];
    assert_eq!(ana.submit(s.port, "/signup", "/signup", &form).status, 303);
    ana.submit(s.port, "/account", "/signout", &[]);
    let wrong = [
        ("email", "ana@example.com"),
        ("password", "not the password"),
    ];
    let mut seen = Vec::new();
    for _ in 0..10 {
        let r = ana.submit(s.port, "/signin", "/signin", &wrong);
        seen.push(r.status);
        if r.status == 429 {
            let after: u64 = r
                .header("retry-after")
                .expect("Retry-After")
                .parse()
                .expect("whole seconds");
            assert!(after >= 1);
            break;
        }
        assert_eq!(r.status, 401);
    }
    assert_eq!(
        seen.last(),
        Some(&429),
        "throttled within ten wrong passwords: {seen:?}"
    );
    let r = ana.submit(s.port, "/signin", "/signin", &form);
    assert_eq!(
        r.status, 429,
        "even the right password waits out the back-off"
    );
    ana.submit(s.port, "/dev/clock", "/dev/clock", &[("offset", "3600")]);
    let r = ana.submit(s.port, "/signin", "/signin", &form);
    assert_eq!(
        r.header("location"),
        Some("/account"),
        "after the wait, the right password signs in"
    );
    ana.submit(s.port, "/account", "/signout", &[]);
    let r = ana.submit(s.port, "/signin", "/signin", &wrong);
    assert_eq!(
        r.status, 401,
        "the run of failures ended with the right password"
    );
}
