//! The account layer: one per-user record, one `login` for every kind of
//! code, sealed secrets, remembered devices and re-verification.

pub mod device;
pub mod reverify;
pub mod seal;
