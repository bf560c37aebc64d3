//! Placeholder for the `account::reverify` module.
