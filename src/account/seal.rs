//! Placeholder for the `account::seal` module.
