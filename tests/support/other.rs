//! "Another device": a second IMAP client (async-imap, on Dovecot's plain
//! loopback port) that changes the mailbox behind mailtui's back.

use async_imap::Session;
use futures::TryStreamExt;
use tokio::net::TcpStream;

pub struct OtherDevice {
    session: Session<TcpStream>,
}

impl OtherDevice {
    pub async fn connect(port: u16, user: &str, password: &str) -> OtherDevice {
        let tcp = TcpStream::connect(("127.0.0.1", port))
            .await
            .expect("connect to dovecot");
        let mut client = async_imap::Client::new(tcp);
        client.read_response().await.expect("greeting");
        let session = client
            .login(user, password)
            .await
            .map_err(|(e, _)| e)
            .expect("login");
        OtherDevice { session }
    }

    pub async fn select(&mut self, folder: &str) {
        self.session.select(folder).await.expect("select");
    }

    pub async fn append(&mut self, folder: &str, message: &[u8]) {
        self.session
            .append(folder, None, None, message)
            .await
            .expect("append");
    }

    /// UID STORE on the selected folder, e.g. `+FLAGS (\Flagged)`.
    pub async fn store(&mut self, uids: &str, what: &str) {
        self.session
            .uid_store(uids, what)
            .await
            .expect("store")
            .try_collect::<Vec<_>>()
            .await
            .expect("store answer");
    }

    /// Removes these messages for good (UID EXPUNGE, UIDPLUS).
    pub async fn expunge(&mut self, uids: &str) {
        self.store(uids, "+FLAGS.SILENT (\\Deleted)").await;
        self.session
            .uid_expunge(uids)
            .await
            .expect("expunge")
            .try_collect::<Vec<_>>()
            .await
            .expect("expunge answer");
    }

    pub async fn create(&mut self, folder: &str) {
        self.session.create(folder).await.expect("create");
    }

    pub async fn delete(&mut self, folder: &str) {
        self.session.delete(folder).await.expect("delete");
    }

    pub async fn uid_validity(&mut self, folder: &str) -> u32 {
        self.session
            .select(folder)
            .await
            .expect("select")
            .uid_validity
            .expect("uidvalidity")
    }

    /// FETCH on the selected folder; how many responses came.
    pub async fn fetch_count(&mut self, set: &str, query: &str) -> usize {
        self.session
            .fetch(set, query)
            .await
            .expect("fetch")
            .try_fold(0usize, |n, _| async move { Ok(n + 1) })
            .await
            .expect("fetch answer")
    }

    /// Subjects of the folder's messages, by UID.
    pub async fn subjects(&mut self, folder: &str) -> Vec<(u32, String)> {
        self.session.select(folder).await.expect("select");
        let fetched: Vec<_> = self
            .session
            .fetch("1:*", "(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            .await
            .expect("fetch")
            .try_collect()
            .await
            .expect("fetch answer");
        let mut out: Vec<(u32, String)> = fetched
            .iter()
            .filter_map(|f| {
                let h = String::from_utf8_lossy(f.header()?).to_string();
                let subject = h
                    .lines()
                    .find_map(|l| l.strip_prefix("Subject: "))
                    .unwrap_or("")
                    .trim()
                    .to_string();
                Some((f.uid?, subject))
            })
            .collect();
        out.sort();
        out
    }

    /// The flags of one message of the folder, as the server keeps them.
    pub async fn flags(&mut self, folder: &str, uid: u32) -> Vec<String> {
        self.session.select(folder).await.expect("select");
        let fetched: Vec<_> = self
            .session
            .uid_fetch(uid.to_string(), "(UID FLAGS)")
            .await
            .expect("fetch")
            .try_collect()
            .await
            .expect("fetch answer");
        fetched
            .iter()
            .flat_map(|f| f.flags().map(|fl| format!("{fl:?}")).collect::<Vec<_>>())
            .collect()
    }

    /// UID COPY on the selected folder.
    pub async fn copy_to(&mut self, uids: &str, folder: &str) {
        self.session.uid_copy(uids, folder).await.expect("copy");
    }

    /// Every message of the folder as (UID, seen, flagged), by UID: what
    /// a client's list must equal.
    pub async fn uid_flags(&mut self, folder: &str) -> Vec<(u32, bool, bool)> {
        self.session.examine(folder).await.expect("examine");
        let fetched: Vec<_> = self
            .session
            .uid_fetch("1:*", "(UID FLAGS)")
            .await
            .expect("fetch")
            .try_collect()
            .await
            .expect("fetch answer");
        let mut out: Vec<(u32, bool, bool)> = fetched
            .iter()
            .filter_map(|f| {
                let flags: Vec<String> = f.flags().map(|fl| format!("{fl:?}")).collect();
                Some((
                    f.uid?,
                    flags.iter().any(|x| x == "Seen"),
                    flags.iter().any(|x| x == "Flagged"),
                ))
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}
