//! A SQLite database file in the temp directory, removed (with its WAL and
//! shared-memory files) before use and on drop. A test binary includes it
//! with `#[path = "support/temp_db.rs"] mod temp_db;`.

use std::path::PathBuf;

/// A database file unique to this process and test, removed on drop.
pub(crate) struct TempDb(pub(crate) PathBuf);

impl TempDb {
    pub(crate) fn new(prefix: &str, test: &str) -> Self {
        let name = format!("twostep-{prefix}-{}-{test}.db", std::process::id());
        let db = Self(std::env::temp_dir().join(name));
        db.remove();
        db
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut file = self.0.clone().into_os_string();
            file.push(suffix);
            let _ = std::fs::remove_file(file);
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        self.remove();
    }
}
