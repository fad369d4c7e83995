//! [`MailBackend`] over one IMAP connection per account.

use std::future::Future;
use std::time::Duration;

use async_imap::Session;
use std::collections::HashMap;

use async_imap::imap_proto::{
    AttributeValue, MailboxDatum, MessageSection, Response, SectionPath, StatusAttribute,
};
use tokio::time::timeout;
use tokio_rustls::TlsConnector;

use super::connect::{Transport, open};
use super::convert::folder;
use super::fetch::{self, row_query, uid_set};
use super::idle::{self, Mode, Outcome};
use super::listing::Listing;
use super::login::{LoggedIn, capabilities_in, login};
use super::ops;
use super::pipeline::{self, Pipeline};
use super::raw::{self, Answer, Limits};
use super::select;
use super::structure;
use super::tracker::Tracker;
use super::{ImapAuth, ImapSettings, tls};
use crate::auth::Secret;
use crate::mail::backend::{
    Features, FlagScan, FolderCount, KnownState, MailBackend, MailError, MailResult, Moved,
    Noticed, Selected,
};
use crate::mail::partial::{self, Fetched, WHOLE_FETCH_MAX};
use crate::mail::types::{FlagKind, Folder, NewMessage, sort_folders};

/// Untagged responses one ordinary command may bring besides its answer.
const SPARE_RESPONSES: usize = 10_000;
/// How long a reachability probe (a bare TCP connect) may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// For answers whose size the client cannot know beforehand (a QRESYNC
/// SELECT, flags changed since a modseq, new mail).
const BIG_ANSWER: usize = 2_000_000;

pub struct ImapBackend {
    settings: ImapSettings,
    auth: ImapAuth,
    tls: Option<TlsConnector>,
    session: Option<Session<Transport>>,
    /// Kept after the first good login so a reconnect doesn't re-run
    /// password_command (which may prompt).
    password: Option<Secret>,
    /// When the bearer token this session logged in with expires, and its lifetime.
    token_expiry: Option<(i64, i64)>,
    features: Features,
    tracker: Tracker,
    /// IDLE failed to start once: poll for the rest of the run.
    idle_broken: bool,
    /// The server takes literals without a go-ahead.
    literal_plus: bool,
    /// Set when this is a shared mailbox opened with another account's token.
    delegate: Option<super::shared::Delegate>,
    /// A list-row FETCH sent ahead of its turn.
    pipe: Pipeline,
    /// `UID SEARCH` slices of the selected folder so far.
    listing: Listing,
}

impl ImapBackend {
    pub fn new(settings: ImapSettings, auth: ImapAuth) -> Self {
        ImapBackend {
            settings,
            auth,
            tls: None,
            session: None,
            password: None,
            token_expiry: None,
            features: Features::default(),
            tracker: Tracker::default(),
            idle_broken: false,
            literal_plus: false,
            delegate: None,
            pipe: Pipeline::default(),
            listing: Listing::default(),
        }
    }

    /// A shared mailbox (the login user) opened with `delegate`'s token:
    /// refusals then name the permission the delegate lacks.
    pub fn opened_by(mut self, delegate: super::shared::Delegate) -> Self {
        self.delegate = Some(delegate);
        self
    }

    fn explain_refusal(&self, e: MailError) -> MailError {
        match &self.delegate {
            Some(d) => super::shared::explain(e, &self.settings.username, d),
            None => e,
        }
    }

    /// Takes over a logged-in session and learns what the server offers
    /// now that the user is known; returns those capabilities. `connect`
    /// ends here, and so does `doctor`, which opens sessions step by step.
    pub(crate) async fn adopt(
        &mut self,
        logged: LoggedIn,
        caps: Vec<String>,
    ) -> MailResult<Vec<String>> {
        self.token_expiry = logged.token_expires_at.zip(logged.token_lifetime);
        self.session = Some(logged.session);
        self.tracker = Tracker::default();
        // Capabilities change with login (Exchange and Dovecot both say
        // more, or less, once the user is known).
        let a = self
            .exchange("capabilities", "CAPABILITY", self.limits(10))
            .await?;
        let caps = a
            .untagged
            .iter()
            .find_map(|r| capabilities_in(r.parsed()))
            .unwrap_or(caps);
        self.enable_extensions(&caps).await?;
        Ok(caps)
    }

    /// One APPEND, under a time limit that grows with the message.
    async fn append_once(
        &mut self,
        path: &str,
        bytes: &[u8],
        flags: &[FlagKind],
    ) -> MailResult<()> {
        let list: Vec<&str> = flags.iter().map(|f| f.imap()).collect();
        let flags = format!("({})", list.join(" "));
        // The server reads the literal at its own pace: a step's time, and
        // one more transfer pause per MiB.
        let t = self.settings.timeouts;
        let mib = u32::try_from(bytes.len() >> 20).unwrap_or(u32::MAX);
        let limit = t.step() + t.transfer.saturating_mul(mib.min(1000));
        self.ready().await?;
        let session = self.session()?;
        let result = match tokio::time::timeout(
            limit,
            session.append(path, Some(flags.as_str()), None, bytes),
        )
        .await
        {
            Ok(r) => r.map_err(|e| super::convert::command_error("store a message", e)),
            Err(_) => Err(MailError::Network(format!(
                "storing a message in {path} took longer than {} s",
                limit.as_secs()
            ))),
        };
        if matches!(result, Err(MailError::Network(_))) {
            self.drop_session();
        }
        self.settle(result)
    }

    fn session(&mut self) -> MailResult<&mut Session<Transport>> {
        self.session
            .as_mut()
            .ok_or_else(|| MailError::Network("not connected".to_string()))
    }

    /// An answer that can only be short gets the command timeout as a
    /// whole; one that grows with the mailbox gets a step's.
    fn limits(&self, responses: usize) -> Limits {
        let t = self.settings.timeouts;
        Limits {
            read: t.command,
            responses,
            whole: Some(if responses <= 100 {
                t.command
            } else {
                t.step()
            }),
        }
    }

    /// Runs one command; on an error that leaves the session unusable the
    /// session is dropped, after looking for the server's reason.
    async fn exchange(&mut self, what: &str, command: &str, limits: Limits) -> MailResult<Answer> {
        self.ready().await?;
        let session = self.session()?;
        let result = raw::run(session, what, command, limits).await;
        self.settle(result)
    }

    /// Reads the answer of a FETCH sent ahead, so the next command's answer
    /// is its own.
    async fn ready(&mut self) -> MailResult<()> {
        if !self.pipe.busy() {
            return Ok(());
        }
        let limits = self.row_limits();
        let Some(session) = self.session.as_mut() else {
            self.pipe.forget();
            return Ok(());
        };
        let result = pipeline::drain(session, &mut self.tracker, &mut self.pipe, limits).await;
        self.settle(result)
    }

    /// Limits for the answer to a FETCH of n list rows.
    fn row_limits(&self) -> impl Fn(usize) -> Limits + use<> {
        let t = self.settings.timeouts;
        move |n| Limits {
            read: t.command,
            responses: n * 2 + SPARE_RESPONSES,
            whole: Some(t.step()),
        }
    }

    fn settle<T>(&mut self, result: MailResult<T>) -> MailResult<T> {
        if let Err(e) = &result
            && e.ends_session()
        {
            self.drop_session();
        }
        result
    }

    /// A dropped session may have said why: Exchange ends sessions whose
    /// token expired with `* BYE Session invalidated - AccessTokenExpired`.
    fn drop_session(&mut self) {
        self.pipe.forget();
        self.listing.restart();
        if let Some(s) = self.session.take() {
            while let Ok(u) = s.unsolicited_responses.try_recv() {
                if let async_imap::types::UnsolicitedResponse::Other(r) = u {
                    self.tracker.absorb(r.parsed());
                }
            }
        }
        if let Some(text) = self.tracker.bye.take() {
            tracing::warn!(server = %crate::sanitize::Clean::line(&text), "server ended the session");
            if (text.contains("AccessTokenExpired") || text.contains("Session invalidated"))
                && let ImapAuth::Bearer { tokens, .. } = &self.auth
                && let Some(t) = tokens.current_token()
            {
                tokens.rejected(&t);
            }
        }
    }

    /// Hands every response the caller did not consume to the tracker.
    fn absorb_rest<'a>(&mut self, rest: impl IntoIterator<Item = &'a Response<'a>>) {
        for r in rest {
            self.tracker.absorb(r);
        }
    }

    async fn enable_extensions(&mut self, caps: &[String]) -> MailResult<()> {
        let has = |c: &str| caps.iter().any(|x| x.eq_ignore_ascii_case(c));
        let enable = has("ENABLE");
        let mut f = Features {
            condstore: has("CONDSTORE") || has("QRESYNC"),
            qresync: false,
            idle: has("IDLE"),
            list_status: has("LIST-STATUS"),
            moves: has("MOVE"),
            uidplus: has("UIDPLUS"),
        };
        self.literal_plus = has("LITERAL+");
        if enable && has("QRESYNC") {
            match self
                .exchange("enable QRESYNC", "ENABLE QRESYNC", self.limits(10))
                .await
            {
                Ok(a) => f.qresync = a.untagged.iter().any(|r| enabled(r.parsed(), "QRESYNC")),
                Err(MailError::Command(e)) => tracing::info!("QRESYNC not enabled: {e}"),
                Err(e) => return Err(e),
            }
        }
        if f.condstore && !f.qresync && enable {
            // Not fatal: SELECT … (CONDSTORE) asks again per folder.
            let _ = self
                .exchange("enable CONDSTORE", "ENABLE CONDSTORE", self.limits(10))
                .await;
        }
        self.features = f;
        Ok(())
    }

    /// A SEARCH with user text in it; the UIDs it found.
    async fn searching(
        &mut self,
        what: &str,
        prefix: &str,
        text: &str,
        limits: Limits,
    ) -> MailResult<Vec<u32>> {
        let literal_plus = self.literal_plus;
        self.ready().await?;
        let session = self.session()?;
        let result = raw::run_with_text(session, what, prefix, text, literal_plus, limits).await;
        let a = self.settle(result)?;
        let uids = ops::searched(&a.untagged);
        for r in &a.untagged {
            if !matches!(r.parsed(), Response::MailboxData(MailboxDatum::Search(_))) {
                self.tracker.absorb(r.parsed());
            }
        }
        Ok(uids)
    }

    /// Sends a SELECT or EXAMINE and reads its answer as it arrives: a
    /// QRESYNC answer may hold every message's flags.
    async fn read_select(
        &mut self,
        path: &str,
        what: &str,
        cmd: &str,
        known: Option<KnownState>,
    ) -> MailResult<Selected> {
        let mut reader = select::Reader::new(known);
        let limits = self.limits(BIG_ANSWER);
        self.ready().await?;
        let session = self.session()?;
        let result = raw::run_each(session, what, cmd, limits, |r| {
            reader.feed(r.parsed());
            Ok(())
        })
        .await;
        let done = self.settle(result)?;
        let sel = reader.finish(done.parsed());
        self.tracker.selected(path, sel.exists);
        self.listing = Listing::new(sel.exists);
        Ok(sel)
    }

    /// The list rows in an answer that `keep` accepts (by sequence number
    /// and UID); everything else goes to the tracker.
    fn selected_rows(&mut self, a: &Answer, keep: impl Fn(u32, u32) -> bool) -> Vec<NewMessage> {
        let mut rows = Vec::new();
        for r in &a.untagged {
            let parsed = r.parsed();
            if let Response::Fetch(seq, attrs) = parsed
                && let Some(row) = fetch::row(&fetch::items(attrs))
            {
                if keep(*seq, row.envelope.uid) {
                    rows.push(row);
                }
                continue;
            }
            self.tracker.absorb(parsed);
        }
        rows
    }
}

fn enabled(r: &Response<'_>, what: &str) -> bool {
    match r {
        Response::Capabilities(caps) => caps.iter().any(|c| {
            matches!(c, async_imap::imap_proto::Capability::Atom(a) if a.eq_ignore_ascii_case(what))
        }),
        // imap-proto reads `* ENABLED X` as data with the text "X".
        Response::Data { outcome, .. } => outcome
            .information
            .as_deref()
            .is_some_and(|i| i.split_whitespace().any(|w| w.eq_ignore_ascii_case(what))),
        _ => false,
    }
}

impl MailBackend for ImapBackend {
    async fn connect(&mut self) -> MailResult<()> {
        self.disconnect().await;
        // The network first: the trust roots and the password are made
        // ready while TCP, TLS and the greeting are on the way.
        let (settings, cached, auth) = (&self.settings, &mut self.tls, &self.auth);
        let have_password = self.password.is_some();
        let tls = async {
            if let Some(c) = cached.as_ref() {
                return Ok(c.clone());
            }
            let setup = crate::startup::step("tls setup");
            let ca_file = settings.ca_file.clone();
            let c = tokio::task::spawn_blocking(move || tls::connector(ca_file.as_deref()))
                .await
                .map_err(|e| MailError::Config(format!("TLS setup: {e}")))??;
            setup.end();
            *cached = Some(c.clone());
            Ok(c)
        };
        let password = async {
            let ImapAuth::Password(source) = auth else {
                return None;
            };
            if have_password {
                return None;
            }
            let reading = crate::startup::step("password");
            let p = source.resolve().await;
            reading.end();
            Some(p)
        };
        let (opened, password) = tokio::join!(open(settings, tls), password);
        match password {
            // Kept for the login below (and a retry after a lost
            // connection, so a prompting command asks once); dropped
            // again if the server turns it down.
            Some(Ok(p)) => self.password = Some(p),
            Some(Err(e)) if opened.is_ok() => return Err(MailError::Config(e.to_string())),
            _ => {}
        }
        let (client, caps) = opened?;
        let logged = login(
            client,
            &caps,
            &self.settings,
            &self.auth,
            &mut self.password,
        )
        .await
        .map_err(|e| self.explain_refusal(e))?;
        let adopting = crate::startup::step("capabilities and enable");
        self.adopt(logged, caps).await?;
        adopting.end();
        if self.delegate.is_some() {
            // Exchange takes the login and CAPABILITY for a shared mailbox
            // the token's owner may not open, and refuses the first command
            // that needs the mailbox: ask one now, so it is a login failure.
            let probe = self
                .exchange("open the shared mailbox", "LIST \"\" \"\"", self.limits(10))
                .await;
            if let Err(e) = probe {
                self.drop_session();
                return Err(self.explain_refusal(e));
            }
        }
        Ok(())
    }
    fn features(&self) -> Features {
        Features {
            idle: self.features.idle && !self.idle_broken,
            ..self.features
        }
    }

    async fn list_folders(&mut self) -> MailResult<Vec<Folder>> {
        let mut folders = Vec::new();
        let mut delimiter = None;
        // Each line made a folder as it arrives: a LIST may be 100,000 lines.
        let limits = self.limits(100_000);
        self.ready().await?;
        let (session, tracker) = (self.session.as_mut(), &mut self.tracker);
        let session = session.ok_or_else(|| MailError::Network("not connected".into()))?;
        let result = raw::run_each(session, "list folders", "LIST \"\" \"*\"", limits, |r| {
            match r.parsed() {
                Response::MailboxData(MailboxDatum::List(l)) => {
                    delimiter =
                        delimiter.or_else(|| l.delimiter.as_deref().and_then(|d| d.chars().next()));
                    folders.push(folder(l));
                }
                other => tracker.absorb(other),
            }
            Ok(())
        })
        .await;
        self.settle(result)?;
        sort_folders(&mut folders, delimiter.unwrap_or('/'));
        Ok(folders)
    }

    async fn select(&mut self, path: &str, known: Option<KnownState>) -> MailResult<Selected> {
        let known = known.filter(|_| self.features.qresync);
        let cmd = select::command(
            path,
            self.features.condstore && !self.features.qresync,
            known,
        )?;
        let what = format!("open {}", raw::excerpt(path));
        // Whatever the last folder reported stays with it; if this SELECT
        // fails the server has no folder selected at all.
        self.tracker.deselected();
        self.read_select(path, &what, &cmd, known).await
    }

    async fn examine(&mut self, path: &str) -> MailResult<Selected> {
        let cmd = format!("EXAMINE {}", select::quote(path)?);
        let what = format!("look into {}", raw::excerpt(path));
        self.tracker.deselected();
        self.read_select(path, &what, &cmd, None).await
    }

    async fn all_uids(&mut self) -> MailResult<Vec<u32>> {
        self.listing.restart();
        loop {
            if let Some(uids) = self.list_uids_step().await? {
                return Ok(uids);
            }
        }
    }

    async fn list_uids_step(&mut self) -> MailResult<Option<Vec<u32>>> {
        let (lo, hi) = self.listing.next_range();
        let cmd = match hi {
            Some(hi) => format!("UID SEARCH {lo}:{hi}"),
            None => format!("UID SEARCH {lo}:*"),
        };
        let a = match self
            .exchange("list message ids", &cmd, self.limits(SPARE_RESPONSES))
            .await
        {
            Ok(a) => a,
            Err(e) => {
                self.listing.restart();
                return Err(e);
            }
        };
        let mut found = Vec::new();
        for r in &a.untagged {
            match r.parsed() {
                Response::MailboxData(MailboxDatum::Search(uids)) => {
                    found.extend(uids.iter().copied())
                }
                other => self.tracker.absorb(other),
            }
        }
        let Some(uids) = self.listing.took(lo, hi, found) else {
            return Ok(None);
        };
        self.tracker.set_uids(uids.clone());
        Ok(Some(uids))
    }

    async fn fetch_rows(&mut self, uids: &[u32]) -> MailResult<Vec<NewMessage>> {
        self.fetch_rows_then(uids, None).await
    }

    async fn fetch_rows_then(
        &mut self,
        uids: &[u32],
        next: Option<&[u32]>,
    ) -> MailResult<Vec<NewMessage>> {
        let query = row_query(self.features.condstore);
        let limits = self.row_limits();
        let Some(session) = self.session.as_mut() else {
            return Err(MailError::Network("not connected".to_string()));
        };
        let pipe = &mut self.pipe;
        let result =
            pipeline::rows(session, &mut self.tracker, pipe, uids, next, &query, limits).await;
        self.settle(result)
    }

    async fn fetch_newest(&mut self, n: usize) -> MailResult<Vec<NewMessage>> {
        let exists = self.tracker.exists();
        if exists == 0 || n == 0 {
            return Ok(Vec::new());
        }
        // By sequence number: right after SELECT nothing can have shifted
        // them, and the answer names each message's UID.
        let lo = exists.saturating_sub(n as u32 - 1).max(1);
        let cmd = format!("FETCH {lo}:{exists} {}", row_query(self.features.condstore));
        let a = self
            .exchange(
                "fetch newest messages",
                &cmd,
                self.limits(n * 2 + SPARE_RESPONSES),
            )
            .await?;
        // Only the sequence numbers asked for, each once: a server that
        // answers with more must not put rows on the first screen.
        let mut rows = self.selected_rows(&a, |seq, _| (lo..=exists).contains(&seq));
        rows.sort_by_key(|r| r.envelope.uid);
        rows.dedup_by_key(|r| r.envelope.uid);
        Ok(rows)
    }

    async fn fetch_rows_above(&mut self, uid: u32) -> MailResult<Vec<NewMessage>> {
        let from = uid.saturating_add(1);
        let cmd = format!("UID FETCH {from}:* {}", row_query(self.features.condstore));
        let a = self
            .exchange("fetch new mail", &cmd, self.limits(BIG_ANSWER))
            .await?;
        // `n:*` always includes the highest UID, even below n.
        let rows = self.selected_rows(&a, |_, u| u > uid);
        self.tracker
            .appended(rows.iter().map(|r| r.envelope.uid).collect());
        Ok(rows)
    }

    async fn fetch_flags(
        &mut self,
        lo: u32,
        hi: u32,
        changed_since: Option<u64>,
    ) -> MailResult<FlagScan> {
        let modifier = match changed_since {
            Some(m) if self.features.qresync => format!(" (CHANGEDSINCE {m} VANISHED)"),
            Some(m) if self.features.condstore => format!(" (CHANGEDSINCE {m})"),
            _ => String::new(),
        };
        let cmd = format!("UID FETCH {lo}:{hi} (UID FLAGS){modifier}");
        // Read as it arrives: every message's flags may have changed, and
        // each is kept as a few bytes, not as a parsed response.
        let limits = self.limits(BIG_ANSWER);
        self.ready().await?;
        let Some(session) = self.session.as_mut() else {
            return Err(MailError::Network("not connected".to_string()));
        };
        let tracker = &mut self.tracker;
        let mut scan = FlagScan::default();
        let result = raw::run_each(session, "fetch flags", &cmd, limits, |r| {
            match r.parsed() {
                Response::Fetch(_, attrs) => match fetch::flag_update(&fetch::items(attrs)) {
                    Some(u) => scan.flags.push(u),
                    None => tracker.absorb(r.parsed()),
                },
                Response::Vanished {
                    earlier: true,
                    uids,
                } => match fetch::expand(uids, 1_000_000) {
                    Some(u) => scan
                        .vanished
                        .extend(u.into_iter().filter(|u| (lo..=hi).contains(u))),
                    None => {
                        return Err(
                            "the server reported an impossible number of vanished messages".into(),
                        );
                    }
                },
                other => tracker.absorb(other),
            }
            Ok(())
        })
        .await;
        self.settle(result)?;
        Ok(scan)
    }

    async fn fetch_message(&mut self, uid: u32) -> MailResult<Vec<u8>> {
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

    async fn fetch_for_reading(&mut self, uid: u32, size: Option<u32>) -> MailResult<Fetched> {
        if size.is_some_and(|s| s <= WHOLE_FETCH_MAX) {
            return self.fetch_message(uid).await.map(Fetched::whole);
        }
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
        if real_size <= WHOLE_FETCH_MAX {
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

    async fn fetch_part(&mut self, uid: u32, section: &str) -> MailResult<Vec<u8>> {
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

    async fn store_flag(&mut self, uids: &[u32], flag: FlagKind, on: bool) -> MailResult<()> {
        if uids.is_empty() {
            return Ok(());
        }
        let sign = if on { '+' } else { '-' };
        let cmd = format!(
            "UID STORE {} {sign}FLAGS.SILENT ({})",
            uid_set(uids),
            flag.imap()
        );
        let a = self
            .exchange(
                "change flags",
                &cmd,
                self.limits(uids.len() + SPARE_RESPONSES),
            )
            .await?;
        self.absorb_rest(a.untagged.iter().map(|r| r.parsed()));
        Ok(())
    }

    async fn append(&mut self, path: &str, bytes: &[u8], flags: &[FlagKind]) -> MailResult<()> {
        match self.append_once(path, bytes, flags).await {
            // A Sent or Drafts folder the server does not have yet (it
            // says [TRYCREATE]): made, once, and the APPEND again. A
            // CREATE the server refuses (the folder exists) leaves the
            // first answer standing.
            Err(MailError::Command(first)) => {
                let create = format!("CREATE {}", super::select::quote(path)?);
                match self
                    .exchange("create a folder", &create, self.limits(10))
                    .await
                {
                    Ok(_) => {
                        tracing::info!(folder = path, "folder created for a message");
                        self.append_once(path, bytes, flags).await
                    }
                    Err(MailError::Command(_)) => Err(MailError::Command(first)),
                    Err(e) => Err(e),
                }
            }
            other => other,
        }
    }

    async fn move_messages(&mut self, uids: &[u32], to: &str) -> MailResult<Moved> {
        if uids.is_empty() {
            return Ok(Moved::default());
        }
        let set = uid_set(uids);
        let target = select::quote(to)?;
        let limits = self.limits(uids.len() * 2 + SPARE_RESPONSES);
        let verb = if self.features.moves { "MOVE" } else { "COPY" };
        let a = self
            .exchange(
                "move messages",
                &format!("UID {verb} {set} {target}"),
                limits,
            )
            .await?;
        let copyuid = ops::copyuid(a.untagged.iter().chain([&a.done]));
        self.absorb_rest(a.untagged.iter().map(|r| r.parsed()));
        let removed = if self.features.moves {
            true
        } else {
            self.expunge_messages(uids).await?
        };
        Ok(Moved { copyuid, removed })
    }

    async fn expunge_messages(&mut self, uids: &[u32]) -> MailResult<bool> {
        if uids.is_empty() {
            return Ok(true);
        }
        self.store_flag(uids, FlagKind::Deleted, true).await?;
        if !self.features.uidplus {
            // A plain EXPUNGE would also remove what others marked \Deleted.
            return Ok(false);
        }
        let limits = self.limits(uids.len() * 2 + SPARE_RESPONSES);
        let a = self
            .exchange("expunge", &format!("UID EXPUNGE {}", uid_set(uids)), limits)
            .await?;
        self.absorb_rest(a.untagged.iter().map(|r| r.parsed()));
        Ok(true)
    }

    async fn search_text(&mut self, text: &str) -> MailResult<Vec<u32>> {
        let limits = Limits {
            read: self.settings.timeouts.transfer,
            responses: SPARE_RESPONSES,
            whole: Some(self.settings.timeouts.step()),
        };
        let prefix = "UID SEARCH CHARSET UTF-8 TEXT";
        self.searching("search", prefix, text, limits).await
    }

    async fn find_message_ids(&mut self, ids: &[String]) -> MailResult<Vec<u32>> {
        let mut found = Vec::new();
        for id in ids.iter().take(1000) {
            let limits = self.limits(SPARE_RESPONSES);
            let prefix = "UID SEARCH HEADER Message-ID";
            found.extend(
                self.searching("find a message", prefix, &format!("<{id}>"), limits)
                    .await?,
            );
        }
        found.sort_unstable();
        found.dedup();
        Ok(found)
    }

    async fn watch(
        &mut self,
        max: Duration,
        stop: impl Future<Output = ()> + Send,
    ) -> MailResult<()> {
        let t = self.settings.timeouts;
        let use_idle = self.features.idle && !self.idle_broken;
        let (mode, slice) = if use_idle {
            (Mode::Idle, t.idle_slice)
        } else {
            (Mode::Poll, t.poll)
        };
        let mut silent = false;
        self.ready().await?;
        let session = self
            .session
            .as_mut()
            .ok_or_else(|| MailError::Network("not connected".into()))?;
        let result = idle::watch(
            session,
            &mut self.tracker,
            mode,
            max.min(slice),
            t.command,
            &mut silent,
            stop,
        )
        .await;
        match result {
            Ok(Outcome::Done) => Ok(()),
            Ok(Outcome::IdleRefused(why)) => {
                tracing::warn!(
                    "the server refused IDLE ({why}); checking for changes every {}s instead",
                    t.poll.as_secs()
                );
                self.idle_broken = true;
                Ok(())
            }
            Err(e) => {
                if use_idle && silent {
                    tracing::warn!(
                        "the server did not start IDLE ({e}); checking for changes every {}s from now on",
                        t.poll.as_secs()
                    );
                    self.idle_broken = true;
                }
                self.settle(Err(e))
            }
        }
    }

    fn take_changes(&mut self) -> Noticed {
        self.tracker.take()
    }

    fn message_count(&self) -> Option<u32> {
        self.tracker.folder().map(|_| self.tracker.exists())
    }

    async fn folder_counts(&mut self, paths: &[String]) -> MailResult<Vec<FolderCount>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let untagged = if self.features.list_status {
            let cmd = "LIST \"\" \"*\" RETURN (STATUS (MESSAGES UNSEEN))";
            self.exchange("count messages", cmd, self.limits(200_000))
                .await?
                .untagged
        } else {
            let cmds: Vec<String> = paths
                .iter()
                .filter_map(|p| select::quote(p).ok())
                .map(|q| format!("STATUS {q} (MESSAGES UNSEEN)"))
                .collect();
            let limits = self.limits(cmds.len() * 4 + SPARE_RESPONSES);
            self.ready().await?;
            let session = self.session()?;
            let result = raw::run_pipelined(session, "count messages", &cmds, limits).await;
            let (untagged, refused) = self.settle(result)?;
            if refused > 0 {
                tracing::debug!(refused, "some folders could not be counted");
            }
            untagged
        };
        let mut counts = Vec::new();
        for r in &untagged {
            match r.parsed() {
                Response::MailboxData(MailboxDatum::Status { mailbox, status }) => {
                    if !paths.iter().any(|p| p == mailbox.as_ref()) {
                        continue;
                    }
                    let mut c = FolderCount {
                        path: mailbox.to_string(),
                        total: 0,
                        unseen: 0,
                    };
                    for s in status {
                        match s {
                            StatusAttribute::Messages(n) => c.total = *n,
                            StatusAttribute::Unseen(n) => c.unseen = *n,
                            _ => {}
                        }
                    }
                    counts.push(c);
                }
                Response::MailboxData(MailboxDatum::List(_)) => {}
                other => self.tracker.absorb(other),
            }
        }
        Ok(counts)
    }

    async fn reachable(&self) -> bool {
        let addr = (self.settings.host.clone(), self.settings.port);
        matches!(
            timeout(PROBE_TIMEOUT, tokio::net::TcpStream::connect(addr)).await,
            Ok(Ok(_))
        )
    }

    async fn disconnect(&mut self) {
        self.token_expiry = None;
        self.pipe.forget();
        if let Some(mut s) = self.session.take() {
            let _ = timeout(Duration::from_secs(2), s.logout()).await;
        }
    }

    fn reconnect_at(&self) -> Option<i64> {
        let (expires_at, lifetime) = self.token_expiry?;
        Some(expires_at - crate::auth::tokens::reconnect_margin(lifetime))
    }
}

/// `[2, 1]` as "2.1".
fn section_text(path: &[u32]) -> String {
    path.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}
