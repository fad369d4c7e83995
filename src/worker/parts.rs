//! Parts of a message for saving, opening and viewing. The one way to
//! them: [`answer`] takes them out of the message source, whether the store
//! kept it or the worker fetched it whole; for a big message (fetched for
//! reading in part) each part asked for is fetched alone by its section.

use super::protocol::{PartsRequest, WorkerEvent};
use super::run::Worker;
use crate::mail::backend::MailBackend;
use crate::mail::mime::detached::{Detached, detached};
use crate::mail::mime::{part_view, parts};
use crate::mail::partial::WHOLE_FETCH_MAX;
use crate::sanitize::Clean;

/// The answer to `request` from the message source `raw`, worked out on
/// the parse thread (bounded like parsing).
pub async fn answer(raw: Vec<u8>, request: PartsRequest) -> WorkerEvent {
    let PartsRequest {
        uid,
        sections,
        req,
        view,
        ..
    } = request;
    let failed = |error: &str| WorkerEvent::PartsFailed {
        req,
        error: Clean::line(error),
    };
    if view {
        let Some(section) = sections.first().cloned() else {
            return failed("no part asked for");
        };
        return match detached(move || part_view::view(uid, &raw, &section)).await {
            Detached::Done(Some(v)) => WorkerEvent::Message {
                req,
                message: Box::new(v),
            },
            Detached::Done(None) => {
                failed("this part cannot be shown here; o opens it, s saves it")
            }
            _ => failed("this part could not be read"),
        };
    }
    // The empty section is the whole message (an answer or a forward).
    if sections.iter().all(String::is_empty) && !sections.is_empty() {
        let whole = parts::PartBytes {
            section: String::new(),
            file_name: None,
            mime: "message/rfc822".into(),
            charset: None,
            bytes: raw,
            damaged: false,
        };
        return WorkerEvent::Parts {
            req,
            parts: vec![whole],
        };
    }
    let job = move || {
        sections
            .iter()
            .map(|s| parts::extract(&raw, s).ok_or_else(|| s.clone()))
            .collect::<Result<Vec<_>, String>>()
    };
    match detached(job).await {
        Detached::Done(Ok(parts)) => WorkerEvent::Parts { req, parts },
        Detached::Done(Err(missing)) => failed(&format!("the message has no part {missing}")),
        _ => failed("the message could not be read"),
    }
}

/// [`answer`] for parts fetched one by one, each an entity of its own
/// (see [`MailBackend::fetch_part`]) whose part "1" is the part.
pub async fn answer_entities(
    entities: Vec<(String, Vec<u8>)>,
    request: PartsRequest,
) -> WorkerEvent {
    let (uid, req, view) = (request.uid, request.req, request.view);
    let failed = |error: &str| WorkerEvent::PartsFailed {
        req,
        error: Clean::line(error),
    };
    if view {
        let Some((_, entity)) = entities.into_iter().next() else {
            return failed("no part asked for");
        };
        return match detached(move || part_view::view(uid, &entity, "1")).await {
            Detached::Done(Some(v)) => WorkerEvent::Message {
                req,
                message: Box::new(v),
            },
            Detached::Done(None) => {
                failed("this part cannot be shown here; o opens it, s saves it")
            }
            _ => failed("this part could not be read"),
        };
    }
    let job = move || {
        entities
            .into_iter()
            .map(|(section, entity)| {
                let mut p = parts::extract(&entity, "1").ok_or_else(|| section.clone())?;
                p.section = section;
                Ok(p)
            })
            .collect::<Result<Vec<_>, String>>()
    };
    match detached(job).await {
        Detached::Done(Ok(parts)) => WorkerEvent::Parts { req, parts },
        Detached::Done(Err(missing)) => failed(&format!("the message has no part {missing}")),
        _ => failed("the message could not be read"),
    }
}

impl<B: MailBackend> Worker<B> {
    /// Serves the oldest parts request of the open folder.
    pub async fn fetch_parts(&mut self) {
        let Some(request) = self.parts.pop_front() else {
            return;
        };
        let here = self.open.as_ref().is_some_and(|o| {
            o.path == request.folder.path && o.uid_validity() == Some(request.folder.uid_validity)
        });
        if !here {
            self.emit(WorkerEvent::PartsFailed {
                req: request.req,
                error: Clean::line("the folder changed meanwhile; open the message again"),
            });
            return;
        }
        let uid = request.uid;
        let path = request.folder.path.clone();
        let size = self
            .store
            .call(move |s| s.message_size(&path, uid))
            .await
            .flatten();
        let whole = request.sections.iter().any(String::is_empty);
        if !whole && size.is_none_or(|s| s > WHOLE_FETCH_MAX) {
            // A big message: only the parts asked for.
            return self.fetch_parts_alone(request).await;
        }
        match self.backend.fetch_message(uid).await {
            Ok(raw) => {
                let now = crate::auth::oauth::now();
                let (path, keep) = (request.folder.path.clone(), raw.clone());
                self.store.send(move |s| s.put_body(&path, uid, &keep, now));
                let events = self.events_sender();
                let account = self.account;
                tokio::spawn(async move {
                    let _ = events.send((account, answer(raw, request).await));
                });
            }
            Err(e) => {
                if self.failed("fetch parts", &e) {
                    self.emit(WorkerEvent::PartsFailed {
                        req: request.req,
                        error: Clean::line(&e.to_string()),
                    });
                } else if e.ends_session() {
                    // Tried again once reconnected.
                    self.parts.push_front(request);
                }
            }
        }
    }

    async fn fetch_parts_alone(&mut self, request: PartsRequest) {
        let mut entities = Vec::new();
        for section in &request.sections {
            match self.backend.fetch_part(request.uid, section).await {
                Ok(e) => entities.push((section.clone(), e)),
                Err(e) => {
                    if self.failed("fetch parts", &e) {
                        self.emit(WorkerEvent::PartsFailed {
                            req: request.req,
                            error: Clean::line(&e.to_string()),
                        });
                    } else if e.ends_session() {
                        self.parts.push_front(request);
                    }
                    return;
                }
            }
        }
        let events = self.events_sender();
        let account = self.account;
        tokio::spawn(async move {
            let _ = events.send((account, answer_entities(entities, request).await));
        });
    }
}
