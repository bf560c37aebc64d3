//! What the service reads from its environment.
//!
//! | variable | default | meaning |
//! | --- | --- | --- |
//! | `PORT` | `3000` | the port on 127.0.0.1 |
//! | `DATABASE_URL` | `sqlite://twostep-web.db?mode=rwc` | SQLite file or `postgres://…` |
//! | `TWOSTEP_WEB_KEY_FILE` | `twostep-web.key` | the server's master key (made on first run, mode 0600) |
//! | `TWOSTEP_WEB_SECURE_COOKIES` | `0` | `1` behind TLS: cookies get `Secure` |
//! | `TWOSTEP_WEB_OPERATORS` | empty | comma-separated e-mail addresses allowed on the support desk |
//! | `TWOSTEP_WEB_DEV` | `1` | development mode: the SMS outbox and `POST /dev/clock` |
//! | `TWOSTEP_WEB_CLOCK_OFFSET` | `0` | development mode only: seconds added to the clock |
//! | `TWOSTEP_WEB_LOG` | `twostep_web=info,warn` | the tracing filter |

use std::io::Write as _;
use std::path::PathBuf;

use hmac::{KeyInit, Mac};
use zeroize::Zeroizing;

/// Errors at start-up.
pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The service's settings.
#[derive(Debug)]
pub struct Config {
    pub port: u16,
    pub database_url: String,
    pub secure_cookies: bool,
    pub dev_mode: bool,
    pub clock_offset: i64,
    pub operators: Vec<String>,
    pub keys: Keys,
}

/// Keys derived from the one master key in the key file, one per use.
pub struct Keys {
    master: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    /// HMAC-SHA-256(master, label): an independent 32-byte key per label.
    pub fn derive(&self, label: &str) -> Zeroizing<[u8; 32]> {
        let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&self.master[..])
            .unwrap_or_else(|_| unreachable!("hmac takes any key length"));
        mac.update(label.as_bytes());
        Zeroizing::new(mac.finalize().into_bytes().into())
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn flag(name: &str, default: bool) -> bool {
    var(name).map_or(default, |v| v == "1" || v == "true")
}

impl Config {
    /// Reads the environment (see the module docs).
    pub fn from_env() -> Result<Self, Error> {
        let port = var("PORT").map_or(Ok(3000), |p| p.parse())?;
        let dev_mode = flag("TWOSTEP_WEB_DEV", true);
        let clock_offset = match var("TWOSTEP_WEB_CLOCK_OFFSET") {
            Some(_) if !dev_mode => {
                return Err("TWOSTEP_WEB_CLOCK_OFFSET needs TWOSTEP_WEB_DEV=1".into());
            }
            Some(v) => v.parse()?,
            None => 0,
        };
        let key_file =
            PathBuf::from(var("TWOSTEP_WEB_KEY_FILE").unwrap_or_else(|| "twostep-web.key".into()));
        Ok(Self {
            port,
            database_url: var("DATABASE_URL").unwrap_or_else(|| crate::db::Db::DEFAULT_URL.into()),
            secure_cookies: flag("TWOSTEP_WEB_SECURE_COOKIES", false),
            dev_mode,
            clock_offset,
            operators: var("TWOSTEP_WEB_OPERATORS")
                .map(|v| v.split(',').map(|e| e.trim().to_lowercase()).collect())
                .unwrap_or_default(),
            keys: Keys {
                master: load_or_create_key(&key_file)?,
            },
        })
    }
}

/// The master key: 64 hex digits in `path`, created (mode 0600) if absent.
/// In production it comes from a secrets manager, never the database.
fn load_or_create_key(path: &PathBuf) -> Result<Zeroizing<[u8; 32]>, Error> {
    let mut key = Zeroizing::new([0u8; 32]);
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let text = Zeroizing::new(text);
            let hex = text.trim().as_bytes();
            if hex.len() != 64 {
                return Err(format!("{}: expected 64 hex digits", path.display()).into());
            }
            for (byte, pair) in key.iter_mut().zip(hex.chunks(2)) {
                let s = std::str::from_utf8(pair)?;
                *byte = u8::from_str_radix(s, 16)?;
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            getrandom::fill(&mut key[..]).map_err(|e| format!("os rng: {e}"))?;
            let hex = Zeroizing::new(key.iter().map(|b| format!("{b:02x}")).collect::<String>());
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(path)?.write_all(hex.as_bytes())?;
            tracing::info!(path = %path.display(), "created a new master key");
        }
        Err(e) => return Err(e.into()),
    }
    Ok(key)
}
