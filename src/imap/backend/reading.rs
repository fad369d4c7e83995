//! Messages for reading: whole, or the header and structure first and
//! only the text parts of a big one; attachments one part at a time.

use std::collections::HashMap;

use async_imap::imap_proto::{AttributeValue, MessageSection, Response, SectionPath};

use super::{ImapBackend, SPARE_RESPONSES};
use crate::imap::fetch;
use crate::imap::raw::Limits;
use crate::imap::structure;
use crate::mail::backend::{MailError, MailResult};
use crate::mail::partial::{self, Fetched, WHOLE_FETCH_MAX};

impl ImapBackend {
    pub(super) async fn fetch_message(&mut self, uid: u32) -> MailResult<Vec<u8>> {
        let limits = Limits {
            read: self.settings.timeouts.transfer,
            responses: SPARE_RESPONSES,
            whole: None,
        };
        let cmd = format!("UID FETCH {uid} (UID BODY.PEEK[])");
        let a = self.exchange("fetch message", &cmd, limits).await?;
        let mut body = None;
        for r in &a.untagged {
            if let Response::Fetch(_, attrs) = r.parsed() {
                let it = fetch::items(attrs);
                if it.uid == Some(uid)
                    && let Some(section) = it.section
                {
                    body = Some(section.to_vec());
                    continue;
                }
            }
            self.tracker.absorb(r.parsed());
        }
        body.ok_or_else(|| MailError::Command(format!("message {uid} is gone from the server")))
    }

    pub(super) async fn fetch_for_reading(
        &mut self,
        uid: u32,
        size: Option<u32>,
    ) -> MailResult<Fetched> {
        if size.is_some_and(|s| s <= WHOLE_FETCH_MAX) {
            return self.fetch_message(uid).await.map(Fetched::whole);
        }
        self.fetch_structured(uid, false).await
    }

    /// The header and structure, then the text parts only (`text_only`,
    /// or a message bigger than [`WHOLE_FETCH_MAX`]); else the whole.
    pub(super) async fn fetch_structured(
        &mut self,
        uid: u32,
        text_only: bool,
    ) -> MailResult<Fetched> {
        let limits = Limits {
            read: self.settings.timeouts.transfer,
            responses: SPARE_RESPONSES,
            whole: None,
        };
        let cmd = format!("UID FETCH {uid} (UID RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER])");
        let a = self
            .exchange("read message structure", &cmd, limits)
            .await?;
        let mut found = None;
        for r in &a.untagged {
            if let Response::Fetch(_, attrs) = r.parsed()
                && attrs
                    .iter()
                    .any(|x| matches!(x, AttributeValue::Uid(u) if *u == uid))
            {
                let it = fetch::items(attrs);
                let header = it.section.map(<[u8]>::to_vec);
                let plan = attrs.iter().find_map(|x| match x {
                    AttributeValue::BodyStructure(b) => Some(structure::plan(b)),
                    _ => None,
                });
                found = Some((it.size, header, plan));
                continue;
            }
            self.tracker.absorb(r.parsed());
        }
        let Some((real_size, header, plan)) = found else {
            return Err(MailError::Command(format!(
                "message {uid} is gone from the server"
            )));
        };
        let (Some(real_size), Some(header), Some(plan)) = (real_size, header, plan) else {
            // An odd answer: the whole message, within the literal cap.
            return self.fetch_message(uid).await.map(Fetched::whole);
        };
        if real_size <= WHOLE_FETCH_MAX && !text_only {
            return self.fetch_message(uid).await.map(Fetched::whole);
        }
        let wanted: Vec<String> = plan
            .parts
            .iter()
            .filter_map(|p| p.fetch.map(|n| format!("BODY.PEEK[{}]<0.{n}>", p.section)))
            .collect();
        let mut parts = HashMap::new();
        if !wanted.is_empty() {
            let cmd = format!("UID FETCH {uid} (UID {})", wanted.join(" "));
            let a = self.exchange("fetch message text", &cmd, limits).await?;
            for r in &a.untagged {
                if let Response::Fetch(_, attrs) = r.parsed()
                    && attrs
                        .iter()
                        .any(|x| matches!(x, AttributeValue::Uid(u) if *u == uid))
                {
                    for x in attrs {
                        if let AttributeValue::BodySection {
                            section: Some(SectionPath::Part(path, None)),
                            data: Some(data),
                            ..
                        } = x
                        {
                            parts.insert(section_text(path), data.to_vec());
                        }
                    }
                    continue;
                }
                self.tracker.absorb(r.parsed());
            }
        }
        Ok(Fetched {
            raw: partial::assemble(&header, real_size, &plan.parts, &parts),
            partial: true,
        })
    }

    pub(super) async fn fetch_part(&mut self, uid: u32, section: &str) -> MailResult<Vec<u8>> {
        if section.is_empty() || !section.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Err(MailError::Command(format!("no part {section:?} to fetch")));
        }
        let limits = Limits {
            read: self.settings.timeouts.transfer,
            responses: SPARE_RESPONSES,
            whole: None,
        };
        let cmd = format!("UID FETCH {uid} (UID BODY.PEEK[{section}.MIME] BODY.PEEK[{section}])");
        let a = self.exchange("fetch attachment", &cmd, limits).await?;
        let (mut header, mut body) = (None, None);
        for r in &a.untagged {
            if let Response::Fetch(_, attrs) = r.parsed()
                && attrs
                    .iter()
                    .any(|x| matches!(x, AttributeValue::Uid(u) if *u == uid))
            {
                for x in attrs {
                    match x {
                        AttributeValue::BodySection {
                            section: Some(SectionPath::Part(_, Some(MessageSection::Mime))),
                            data,
                            ..
                        } => header = Some(data.as_deref().unwrap_or_default().to_vec()),
                        AttributeValue::BodySection {
                            section: Some(SectionPath::Part(_, None)),
                            data,
                            ..
                        } => body = Some(data.as_deref().unwrap_or_default().to_vec()),
                        _ => {}
                    }
                }
                continue;
            }
            self.tracker.absorb(r.parsed());
        }
        match (header, body) {
            (Some(mut entity), Some(body)) => {
                // The MIME header ends in its empty line; add one if a
                // server leaves it out.
                if !entity.ends_with(b"\r\n\r\n") && !entity.ends_with(b"\n\n") {
                    entity.extend_from_slice(b"\r\n");
                }
                entity.extend_from_slice(&body);
                Ok(entity)
            }
            _ => Err(MailError::Command(format!(
                "part {section} of message {uid} is gone from the server"
            ))),
        }
    }
}

/// `[2, 1]` as "2.1".
fn section_text(path: &[u32]) -> String {
    path.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}
