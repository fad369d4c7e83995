#![cfg_attr(not(test), deny(clippy::unwrap_used))]
//! mailtui as a library: the binary in main.rs and the integration tests
//! in tests/ both build on these modules.

pub mod action;
pub mod addresses;
pub mod app;
pub mod auth;
pub mod calendar;
pub mod cli;
pub mod commands;
pub mod compose;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod files;
pub mod folder_views;
pub mod imap;
pub mod keymap;
pub mod layout;
pub mod logging;
pub mod mail;
pub mod notify;
pub mod outgoing;
pub mod paths;
pub mod query;
pub mod sanitize;
pub mod send;
pub mod signals;
pub mod startup;
pub mod state;
pub mod store;
pub mod sync;
pub mod text;
pub mod ui;
pub mod worker;

/// Cases per property test: `default`, or `MAILTUI_FUZZ_CASES` for a soak.
#[cfg(test)]
pub(crate) fn fuzz_cases(default: u32) -> u32 {
    std::env::var("MAILTUI_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
