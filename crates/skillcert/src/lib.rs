//! The skillcert binary's library half: command line, configuration and start-up, so that tests
//! can start exactly what `skillcert serve` starts.

pub mod bench;
pub mod cli;
pub mod config;
pub mod startup;
pub mod worker;
