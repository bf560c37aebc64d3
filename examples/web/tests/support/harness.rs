//! Starts the service and chromedriver on loopback ports, connects a
//! headless Chromium, and stops everything when dropped (also when a test
//! panics). Every wait is bounded.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

/// How long any one wait may take.
pub const WAIT: Duration = Duration::from_secs(15);

/// A child process killed and reaped on drop.
pub struct Proc {
    child: Child,
    name: &'static str,
    log: PathBuf,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("--- last lines of {} ---", self.name);
            tail.iter().rev().for_each(|l| eprintln!("{l}"));
        }
    }
}

/// A fresh directory under the system's temporary directory, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("twostep-web-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A port that was free a moment ago on 127.0.0.1.
pub fn free_port() -> u16 {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
    l.local_addr().expect("local addr").port()
}

/// Waits until something listens on `port`.
fn wait_listening(port: u16, what: &str) {
    let start = Instant::now();
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        assert!(
            start.elapsed() < WAIT,
            "{what} did not listen on port {port} within {WAIT:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn spawn(name: &'static str, mut cmd: Command, log: PathBuf) -> Proc {
    let out = std::fs::File::create(&log).expect("log file");
    let err = out.try_clone().expect("log file");
    cmd.stdin(Stdio::null()).stdout(out).stderr(err);
    let child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    Proc { child, name, log }
}

/// chromedriver's path: `$CHROMEDRIVER`, else the first on `PATH`. `None`
/// when absent; under `CI=true` that is a failure, not a skip.
pub fn chromedriver() -> Option<PathBuf> {
    let found = std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join("chromedriver"))
                .find(|p| p.is_file())
        });
    if found.is_none() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !ci,
            "chromedriver not found (install Debian's chromium-driver): the browser tests must run on CI"
        );
        eprintln!(
            "SKIPPED: chromedriver not found; install chromium and chromium-driver to run the browser tests"
        );
    }
    found
}

/// The service on its own loopback port, key file and SQLite file.
pub struct Service {
    pub base: String,
    pub port: u16,
    pub dir: PathBuf,
    pub log: PathBuf,
    // Drop order: the process first, then the directory.
    _app: Proc,
    _tmp: TempDir,
}

impl Service {
    /// Starts the service with `env` on top of the test defaults.
    pub fn start(env: &[(&str, &str)]) -> Self {
        let tmp = TempDir::new("service");
        let dir = tmp.0.clone();
        let port = free_port();
        let mut app = Command::new(env!("CARGO_BIN_EXE_twostep-web"));
        app.env("PORT", port.to_string())
            .env(
                "DATABASE_URL",
                format!("sqlite://{}?mode=rwc", dir.join("web.sqlite").display()),
            )
            .env("TWOSTEP_WEB_KEY_FILE", dir.join("master.key"))
            .env("TWOSTEP_WEB_DEV", "1")
            .env("TWOSTEP_WEB_LOG", "twostep_web=debug,info")
            .env("NO_COLOR", "1")
            .env_remove("TWOSTEP_WEB_CLOCK_OFFSET");
        app.envs(env.iter().copied());
        let log = dir.join("app.log");
        let app = spawn("twostep-web", app, log.clone());
        wait_listening(port, "twostep-web");
        Self {
            base: format!("http://127.0.0.1:{port}"),
            port,
            dir,
            log,
            _app: app,
            _tmp: tmp,
        }
    }
}

/// The service with chromedriver beside it.
pub struct Stack {
    pub service: Service,
    pub driver_url: String,
    _driver: Proc,
}

impl Stack {
    pub fn start(chromedriver: &Path, env: &[(&str, &str)]) -> Self {
        let service = Service::start(env);
        let driver_port = free_port();
        let mut driver = Command::new(chromedriver);
        driver
            .arg(format!("--port={driver_port}"))
            .arg("--allowed-ips=127.0.0.1");
        let driver = spawn("chromedriver", driver, service.dir.join("chromedriver.log"));
        wait_listening(driver_port, "chromedriver");
        Self {
            service,
            driver_url: format!("http://127.0.0.1:{driver_port}"),
            _driver: driver,
        }
    }

    /// A new headless Chromium with its own profile directory.
    pub async fn browser(&self, name: &str) -> Browser {
        let profile = self.service.dir.join(format!("profile-{name}"));
        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1000,900".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let caps = json!({ "browserName": "chrome", "goog:chromeOptions": { "binary": binary, "args": args } });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let mut builder =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        let connect = builder.capabilities(caps).connect(&self.driver_url);
        let client = tokio::time::timeout(WAIT * 2, connect)
            .await
            .expect("chromium did not start in time")
            .expect("webdriver session");
        Browser {
            client,
            base: self.service.base.clone(),
        }
    }
}

/// One browser, with the few moves the tests make.
pub struct Browser {
    pub client: Client,
    base: String,
}

impl Browser {
    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("goto");
    }

    pub async fn path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("url")
            .path()
            .to_string()
    }

    /// Waits for `css`, then returns its text.
    pub async fn text(&self, css: &str) -> String {
        let e = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await;
        e.unwrap_or_else(|e| panic!("no {css}: {e}"))
            .text()
            .await
            .expect("text")
    }

    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let e = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        e.clear().await.expect("clear");
        e.send_keys(value).await.expect("type");
    }

    /// Ticks a checkbox (no page load).
    pub async fn tick(&self, css: &str) {
        let e = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        e.click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks `css` and waits for the next page to load.
    pub async fn click(&self, css: &str) {
        let e = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"));
        let before = self
            .client
            .execute("window.__before_click = true; return true", vec![])
            .await;
        before.expect("mark the page");
        e.click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
        self.wait_loaded().await;
    }

    /// Waits until a new page (not the marked one) has loaded.
    async fn wait_loaded(&self) {
        let start = Instant::now();
        let script =
            "return document.readyState === 'complete' && window.__before_click === undefined";
        loop {
            let state = self.client.execute(script, vec![]).await;
            if state.is_ok_and(|s| s == true) {
                return;
            }
            assert!(start.elapsed() < WAIT, "page did not load within {WAIT:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn screenshot(&self) -> Vec<u8> {
        self.client.screenshot().await.expect("screenshot")
    }

    /// Saves a screenshot as `<name>.png` in `$TWOSTEP_WEB_SCREENSHOTS`, or
    /// in the target directory's `browser-screenshots/`.
    pub async fn save(&self, name: &str) {
        let dir = std::env::var_os("TWOSTEP_WEB_SCREENSHOTS").map_or_else(
            || Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots"),
            PathBuf::from,
        );
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(format!("{name}.png")), self.screenshot().await)
            .expect("write screenshot");
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
