//! skillcert's connections to the outside world, each behind a trait so that the embedded
//! default needs no account anywhere: SMS now; payment and object storage in later issues.

pub mod sms;
