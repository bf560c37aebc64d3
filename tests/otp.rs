//! One-time codes: RFC 4226 and RFC 6238 vectors, codes cross-checked
//! against oathtool and pyotp, property tests of windows, steps and the code
//! grammar, and the small public surface's edges.

#[path = "otp/cross_check.rs"]
mod cross_check;
#[path = "otp/edges.rs"]
mod edges;
#[path = "otp/properties.rs"]
mod properties;
#[path = "otp/rfc_vectors.rs"]
mod rfc_vectors;
