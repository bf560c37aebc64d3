//! twostep's reference web service.

fn main() {}
