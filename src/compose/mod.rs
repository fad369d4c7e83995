//! Placeholder of the compose API (replaced by the real module).
#![allow(dead_code, unused_variables)]
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComposeKind {
    New,
    Reply,
    ReplyAll,
    Forward { as_attachment: bool },
    EditAsNew,
    Recall,
}
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Identity {
    pub name: Option<String>,
    pub email: String,
    pub aliases: Vec<String>,
}
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ComposeSettings {
    pub attribution: String,
    pub signature: Option<String>,
    pub format_flowed: bool,
}
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Draft {
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    pub extra: Vec<(String, String)>,
    pub body: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub attachments: Vec<DraftAttachment>,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DraftAttachment {
    pub name: String,
    pub mime: String,
    pub source: AttachmentSource,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttachmentSource {
    File(PathBuf),
    Bytes(Arc<Vec<u8>>),
}
#[derive(Debug)]
pub struct EditorError {
    pub line: usize,
    pub message: String,
}
impl std::fmt::Display for EditorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}
#[derive(Debug)]
pub struct Warning(pub String);
impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
#[derive(Debug)]
pub struct BuildError(pub String);
impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
pub struct BuildOptions {
    pub now: i64,
    pub zone_offset_secs: i32,
    pub keep_bcc: bool,
    pub message_id: Option<String>,
}
pub struct Built {
    pub bytes: Vec<u8>,
    pub message_id: String,
    pub envelope_from: String,
    pub recipients: Vec<String>,
}
pub fn start(
    kind: ComposeKind,
    original: Option<&[u8]>,
    me: &Identity,
    settings: &ComposeSettings,
    now: i64,
    zone_offset_secs: i32,
) -> Draft {
    unimplemented!()
}
pub fn to_editor(draft: &Draft) -> String {
    unimplemented!()
}
pub fn from_editor(text: &str, previous: &Draft) -> Result<Draft, EditorError> {
    unimplemented!()
}
pub fn warnings(
    draft: &Draft,
    built_size: Option<u64>,
    server_size_limit: Option<u64>,
) -> Vec<Warning> {
    unimplemented!()
}
pub fn build(draft: &Draft, opts: &BuildOptions) -> Result<Built, BuildError> {
    unimplemented!()
}
