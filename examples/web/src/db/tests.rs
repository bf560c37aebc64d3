use super::*;
use twostep::account::{self, Account, AsyncStore};
use twostep::delivered::Channel;

#[test]
fn the_schema_splits_into_its_statements_for_each_backend() {
    let sqlite = statements(SCHEMA, Backend::Sqlite);
    let postgres = statements(SCHEMA, Backend::Postgres);
    assert_eq!(sqlite.len(), postgres.len());
    let creates = SCHEMA.matches("CREATE ").count();
    assert_eq!(sqlite.len(), creates);
    for (s, p) in sqlite.iter().zip(&postgres) {
        assert!(
            s.starts_with("CREATE ") && s.trim_end().ends_with(';'),
            "{s}"
        );
        assert!(!s.contains("{id}") && !p.contains("{id}") && !s.contains("--"));
        // The only difference is the generated key.
        assert_eq!(
            s.replace(Backend::Sqlite.id_column(), "{id}"),
            p.replace(Backend::Postgres.id_column(), "{id}")
        );
    }
}

#[test]
fn urls_name_their_backend() {
    assert_eq!(Backend::of_url(Db::DEFAULT_URL), Some(Backend::Sqlite));
    assert_eq!(
        Backend::of_url("postgres://u@127.0.0.1:5432/d"),
        Some(Backend::Postgres)
    );
    assert_eq!(
        Backend::of_url("postgresql://u@127.0.0.1/d"),
        Some(Backend::Postgres)
    );
    assert_eq!(Backend::of_url("mysql://u@127.0.0.1/d"), None);
}

/// A SQLite file in the temp directory, removed (with its WAL files) before
/// use and on drop.
pub(crate) struct TempSqlite(std::path::PathBuf);

impl TempSqlite {
    pub(crate) fn new(test: &str) -> Self {
        let name = format!("twostep-web-{}-{test}.db", std::process::id());
        let db = Self(std::env::temp_dir().join(name));
        db.remove();
        db
    }

    pub(crate) fn url(&self) -> String {
        format!("sqlite://{}?mode=rwc", self.0.display())
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut file = self.0.clone().into_os_string();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}

impl Drop for TempSqlite {
    fn drop(&mut self) {
        self.remove();
    }
}

/// The PostgreSQL server of `scripts/postgres.sh`, if `TWOSTEP_TEST_POSTGRES_URL`
/// names one. Under CI it must: a missing server fails the test.
fn postgres_url() -> Option<String> {
    match std::env::var("TWOSTEP_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but TWOSTEP_TEST_POSTGRES_URL is not set (bash scripts/postgres.sh start)"
            );
            eprintln!("TWOSTEP_TEST_POSTGRES_URL not set: the PostgreSQL case is skipped");
            None
        }
    }
}

/// A distinct address per run, so runs against one server do not collide.
fn email(name: &str) -> String {
    let nonce = SessionToken::generate().unwrap();
    format!("{name}+{}@example.org", &nonce.as_str()[..12])
}

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

async fn users_are_unique_by_address(db: &Db) {
    let ana = email("Ana");
    let id = db
        .create_user(&format!(" {ana} "), "$argon2id$v=19$x")
        .await
        .unwrap();
    let again = db
        .create_user(&ana.to_uppercase(), "$argon2id$v=19$y")
        .await;
    assert!(
        again.as_ref().is_err_and(DbError::is_email_taken),
        "{again:?}"
    );
    let found = db
        .user_by_email(&ana.to_lowercase())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (found.id, found.email.as_str(), found.phone.as_deref()),
        (id, ana.as_str(), None)
    );
    assert_eq!(found.password_hash, "$argon2id$v=19$x");
    assert!(!format!("{found:?}").contains("argon2"));
    assert!(db.set_phone(id, Some("+15555550112")).await.unwrap());
    assert!(db.set_password_hash(id, "$argon2id$v=19$z").await.unwrap());
    let by_id = db.user_by_id(id).await.unwrap().unwrap();
    assert_eq!(by_id.phone.as_deref(), Some("+15555550112"));
    assert_eq!(by_id.password_hash, "$argon2id$v=19$z");
    assert_eq!(db.phone(id).await.unwrap().as_deref(), Some("+15555550112"));
    assert!(db.set_phone(id, None).await.unwrap());
    assert_eq!(db.phone(id).await.unwrap(), None);
    let bob = db.create_user(&email("bob"), "h").await.unwrap();
    assert_ne!(bob, id);
    let nobody = UserId::new(i64::MAX);
    assert!(db.user_by_id(nobody).await.unwrap().is_none());
    assert!(db.user_by_email(&email("nobody")).await.unwrap().is_none());
    assert!(!db.set_phone(nobody, Some("+1")).await.unwrap());
}

async fn sessions_are_found_by_their_token_only(db: &Db) {
    let ana = db.create_user(&email("ana"), "h").await.unwrap();
    let bob = db.create_user(&email("bob"), "h").await.unwrap();
    let pending = db.create_session(ana, None, at(100)).await.unwrap();
    let full = db
        .create_session(ana, Some(at(100)), at(100))
        .await
        .unwrap();
    let other = db.create_session(bob, None, at(100)).await.unwrap();
    let s = db.session(pending.as_str()).await.unwrap().unwrap();
    let expected = Session {
        user: ana,
        token_hash: pending.hash(),
        created_at: at(100),
        last_active: at(100),
        verified_at: None,
    };
    assert_eq!(s, expected);
    assert_eq!(
        db.session(full.as_str())
            .await
            .unwrap()
            .unwrap()
            .verified_at,
        Some(at(100))
    );
    // A token differing in one digit, or not a token at all, finds nothing.
    let mut near = pending.as_str().to_owned();
    let last = if near.ends_with('0') { "1" } else { "0" };
    near.replace_range(63.., last);
    for miss in [near.as_str(), "", "not a token"] {
        assert_eq!(db.session(miss).await.unwrap(), None, "{miss}");
        assert!(!db.touch_session(miss, at(1)).await.unwrap());
        assert!(!db.delete_session(miss).await.unwrap());
    }
    assert!(db.touch_session(pending.as_str(), at(160)).await.unwrap());
    assert!(
        db.set_session_verified(pending.as_str(), at(170))
            .await
            .unwrap()
    );
    let s = db.session(pending.as_str()).await.unwrap().unwrap();
    assert_eq!(
        (s.created_at, s.last_active, s.verified_at),
        (at(100), at(170), Some(at(170)))
    );
    assert!(db.delete_session(pending.as_str()).await.unwrap());
    assert_eq!(db.session(pending.as_str()).await.unwrap(), None);
    assert_eq!(db.delete_sessions_of(ana).await.unwrap(), 1);
    assert_eq!(db.session(full.as_str()).await.unwrap(), None);
    assert!(db.session(other.as_str()).await.unwrap().is_some());
}

async fn records_change_only_by_compare_and_swap(db: &Db) {
    let ana = db.create_user(&email("ana"), "h").await.unwrap();
    let bob = db.create_user(&email("bob"), "h").await.unwrap();
    assert_eq!(db.record(ana).await.unwrap(), None);
    assert!(!db.swap_record(ana, Some("a1;x"), "a1;y").await.unwrap());
    assert!(db.swap_record(ana, None, "a1;x").await.unwrap());
    assert!(!db.swap_record(ana, None, "a1;y").await.unwrap());
    assert!(!db.swap_record(ana, Some("a1;z"), "a1;y").await.unwrap());
    assert_eq!(db.record(ana).await.unwrap().as_deref(), Some("a1;x"));
    assert!(db.swap_record(ana, Some("a1;x"), "a1;y").await.unwrap());
    // Exact text: a different case is a different record.
    assert!(!db.swap_record(ana, Some("A1;Y"), "a1;w").await.unwrap());
    assert_eq!(db.record(ana).await.unwrap().as_deref(), Some("a1;y"));
    assert_eq!(db.record(bob).await.unwrap(), None);
    let mut store = db.clone();
    assert_eq!(
        AsyncStore::load(&mut store, &ana).await.unwrap().as_deref(),
        Some("a1;y")
    );
    assert!(
        AsyncStore::swap(&mut store, &bob, None, "a1;b")
            .await
            .unwrap()
    );
    // No record for a user who does not exist.
    assert!(
        db.swap_record(UserId::new(i64::MAX), None, "a1;x")
            .await
            .is_err()
    );
}

async fn the_driver_runs_on_the_store(db: &Db) {
    let carol = db.create_user(&email("carol"), "h").await.unwrap();
    assert_eq!(db.account(carol).await.unwrap(), Account::new());
    let mut store = db.clone();
    for epoch in 1..=2 {
        let stored = account::run_async(&mut store, &carol, |r| {
            let next = account::sign_out_everywhere(r);
            Ok::<_, account::AccountError>((next.device_epoch(), next))
        })
        .await
        .unwrap();
        assert_eq!(stored, epoch);
        assert_eq!(db.account(carol).await.unwrap().device_epoch(), epoch);
    }
    let text = db.record(carol).await.unwrap().unwrap();
    assert_eq!(text, db.account(carol).await.unwrap().to_string());
    // A row this service did not write is an error, never a fresh record.
    let dave = db.create_user(&email("dave"), "h").await.unwrap();
    assert!(db.swap_record(dave, None, "not a record").await.unwrap());
    let corrupt = db.account(dave).await;
    assert!(
        matches!(corrupt, Err(DbError::Corrupt { table: "twostep" })),
        "{corrupt:?}"
    );
    let refused = account::run_async(&mut store, &dave, |r| {
        Ok::<_, account::AccountError>(((), account::sign_out_everywhere(r)))
    })
    .await;
    assert!(
        matches!(refused, Err(account::RunError::Record(_))),
        "{refused:?}"
    );
}

async fn the_outbox_keeps_every_message_and_its_status(db: &Db) {
    let ana = db.create_user(&email("ana"), "h").await.unwrap();
    let first = db
        .push_outbox(ana, Channel::Sms, "+15555550112", "code 1", at(10))
        .await
        .unwrap();
    let second = db
        .push_outbox(ana, Channel::Voice, "+15555550112", "code 2", at(20))
        .await
        .unwrap();
    assert_eq!(
        (first.status, first.at, first.status_at),
        (OutboxStatus::Sent, at(10), None)
    );
    assert_eq!(
        (first.user, first.channel, first.to.as_str()),
        (ana, Channel::Sms, "+15555550112")
    );
    assert_ne!(first.provider_id(), second.provider_id());
    assert!(!format!("{first:?}").contains("code 1"));
    let listed = db.outbox().await.unwrap();
    let mine: Vec<_> = listed.iter().filter(|m| m.user == ana).collect();
    assert_eq!(mine, [&second, &first]);
    let failed = db
        .set_outbox_status(first.id, OutboxStatus::Failed, at(30))
        .await
        .unwrap();
    let failed = failed.unwrap();
    assert_eq!(
        (failed.status, failed.status_at),
        (OutboxStatus::Failed, Some(at(30)))
    );
    assert_eq!(db.outbox_message(first.id).await.unwrap(), Some(failed));
    assert_eq!(db.outbox_message(second.id).await.unwrap(), Some(second));
    assert_eq!(
        db.set_outbox_status(i64::MAX, OutboxStatus::Delivered, at(1))
            .await
            .unwrap(),
        None
    );
}

async fn the_audit_log_is_per_user_newest_first(db: &Db) {
    let ana = db.create_user(&email("ana"), "h").await.unwrap();
    let bob = db.create_user(&email("bob"), "h").await.unwrap();
    db.audit(ana, "user", "signed up", at(1)).await.unwrap();
    db.audit(bob, "user", "signed up", at(2)).await.unwrap();
    db.audit(ana, "support", "reset the lock", at(1))
        .await
        .unwrap();
    let log = db.audit_log(ana).await.unwrap();
    let events: Vec<_> = log
        .iter()
        .map(|e| (e.at, e.actor.as_str(), e.event.as_str()))
        .collect();
    assert_eq!(
        events,
        [
            (at(1), "support", "reset the lock"),
            (at(1), "user", "signed up")
        ]
    );
    assert_eq!(db.audit_log(bob).await.unwrap().len(), 1);
}

async fn exercise(url: &str) {
    // Twice, at once: the schema is applied by whichever comes first, and
    // the other finds it there.
    let (db, again) = tokio::join!(Db::connect(url), Db::connect(url));
    let (db, again) = (db.unwrap(), again.unwrap());
    again.close().await;
    users_are_unique_by_address(&db).await;
    sessions_are_found_by_their_token_only(&db).await;
    records_change_only_by_compare_and_swap(&db).await;
    the_driver_runs_on_the_store(&db).await;
    the_outbox_keeps_every_message_and_its_status(&db).await;
    the_audit_log_is_per_user_newest_first(&db).await;
    db.close().await;
}

#[tokio::test]
async fn storage_on_sqlite() {
    let file = TempSqlite::new("storage");
    exercise(&file.url()).await;
    let db = Db::connect(&file.url()).await.unwrap();
    assert_eq!(db.backend(), Backend::Sqlite);
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn storage_on_postgres() {
    if let Some(url) = postgres_url() {
        exercise(&url).await;
        assert_eq!(
            Db::connect(&url).await.unwrap().backend(),
            Backend::Postgres
        );
    }
}

#[tokio::test]
async fn a_url_naming_no_known_database_is_refused() {
    let refused = Db::connect("mysql://127.0.0.1/x").await;
    assert!(matches!(refused, Err(DbError::Url)), "{refused:?}");
}
