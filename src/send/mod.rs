//! Placeholder of the send API (replaced by the real module).
#![allow(dead_code, unused_variables)]
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use crate::auth::PasswordSource;
use crate::auth::service::TokenHandle;

#[derive(Clone, Debug)]
pub struct SmtpSettings { pub host: String, pub port: u16, pub tls: crate::imap::TlsMode, pub ca_file: Option<PathBuf>, pub timeout: Duration }
#[derive(Clone, Debug)]
pub enum SmtpAuth { Password { user: String, password: PasswordSource }, Bearer { user: String, tokens: TokenHandle }, None }
#[derive(Clone, Debug)]
pub struct Outbox { dir: PathBuf }
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EntryId(pub String);
impl std::fmt::Display for EntryId { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(&self.0) } }
pub struct NewEntry { pub account: String, pub bytes: Vec<u8>, pub envelope_from: String, pub recipients: Vec<String>, pub subject: String, pub after: AfterSend }
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct AfterSend { pub answered: Option<(String, u32, u32)>, pub forwarded: Option<(String, u32, u32)>, pub save_sent: Option<String>, pub replaces_draft: Option<(String, u32, u32)> }
#[derive(Clone, Debug)]
pub enum EntryState { Queued, Sending { since: i64 }, Accepted { at: i64, reply: String }, Failed { at: i64, error: SendError } }
#[derive(Clone, Debug)]
pub struct EntryMeta { pub id: EntryId, pub account: String, pub subject: String, pub recipients: Vec<String>, pub size: u64, pub created: i64, pub state: EntryState, pub after: AfterSend }
impl EntryMeta { pub fn uncertain(&self) -> bool { matches!(self.state, EntryState::Sending { .. }) } }
#[derive(Clone, Debug)]
pub struct SendError { pub sentence: String, pub raw: Option<String> }
pub enum SendCommand { Send { id: EntryId }, Shutdown }
pub enum SendStep { Connecting, Securing, Authenticating, Transferring }
pub enum SendEvent { Step { id: EntryId, step: SendStep }, Accepted { id: EntryId, reply: String }, Failed { id: EntryId, error: SendError }, ServerSize { size: Option<u64> } }
impl Outbox {
    pub fn open(dir: &Path) -> io::Result<Outbox> { unimplemented!() }
    pub fn add(&self, e: NewEntry) -> io::Result<EntryId> { unimplemented!() }
    pub fn list(&self) -> Vec<EntryMeta> { unimplemented!() }
    pub fn bytes(&self, id: &EntryId) -> io::Result<Vec<u8>> { unimplemented!() }
    pub fn set_state(&self, id: &EntryId, s: EntryState) -> io::Result<()> { unimplemented!() }
    pub fn remove(&self, id: &EntryId) -> io::Result<()> { unimplemented!() }
}
pub fn spawn(account: String, smtp: SmtpSettings, auth: SmtpAuth, outbox: Outbox) -> (UnboundedSender<SendCommand>, UnboundedReceiver<SendEvent>) { unimplemented!() }
