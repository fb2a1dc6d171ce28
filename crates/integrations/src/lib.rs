//! skillcert's connections to the outside world, each behind a trait so that the embedded
//! default needs no account anywhere: SMS, payment, file storage.

pub mod payments;
pub mod sms;
pub mod sms_signing;
pub mod storage;
