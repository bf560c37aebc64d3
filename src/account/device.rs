//! Placeholder for the `account::device` module.
