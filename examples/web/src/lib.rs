//! twostep's reference web service, as a library: the binary (`main.rs`)
//! serves it, the tests drive it.

pub mod db;
