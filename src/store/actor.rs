//! The store's own thread. SQLite calls block, so they never run on the UI
//! task or a runtime thread: the UI and the account worker send jobs here
//! and go on. Jobs run in the order sent, so a read sees every write sent
//! before it. Quitting waits for this thread only until a deadline
//! ([`StoreHandle::close`]).

use std::sync::mpsc;

use tokio::sync::oneshot;

use super::Store;

type Job = Box<dyn FnOnce(&mut Store) + Send>;

#[derive(Clone, Debug)]
pub struct StoreHandle {
    jobs: mpsc::Sender<Job>,
}

impl StoreHandle {
    /// Starts the thread; `open` runs on it, so opening and migrating a big
    /// database delays nobody.
    pub fn spawn(name: &str, open: impl FnOnce() -> Store + Send + 'static) -> StoreHandle {
        let (tx, rx) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name(format!("store {name}"))
            // Indexing parses bodies here, with the parser's stack.
            .stack_size(crate::mail::mime::limits::PARSE_STACK_BYTES)
            .spawn(move || {
                let opening = crate::startup::step("store open");
                let mut store = open();
                opening.end();
                loop {
                    // Between jobs, with none waiting: a slice of the
                    // search index's background build.
                    let job = if store.index_pending() {
                        match rx.try_recv() {
                            Ok(job) => job,
                            Err(mpsc::TryRecvError::Empty) => {
                                store.index_batch();
                                continue;
                            }
                            Err(mpsc::TryRecvError::Disconnected) => break,
                        }
                    } else {
                        match rx.recv() {
                            Ok(job) => job,
                            Err(_) => break,
                        }
                    };
                    job(&mut store);
                }
                // Every handle is gone: nothing more will be written.
                store.checkpoint();
            });
        if let Err(e) = spawned {
            tracing::warn!(account = %name, "cannot start the store thread: {e}; running uncached");
        }
        StoreHandle { jobs: tx }
    }

    /// Queues a job and does not wait (writes).
    pub fn send(&self, job: impl FnOnce(&mut Store) + Send + 'static) {
        // A stopped store thread means running uncached; nothing to do.
        let _ = self.jobs.send(Box::new(job));
    }

    /// At quit: runs what was sent, then checkpoints the WAL, waiting no
    /// later than `until` (the thread may be busy with a big write; the
    /// WAL is then replayed at the next start). True if it finished.
    pub async fn close(&self, until: tokio::time::Instant) -> bool {
        let done = self.call(Store::checkpoint);
        matches!(tokio::time::timeout_at(until, done).await, Ok(Some(())))
    }

    /// Runs a job and waits for its answer; None if the store is gone.
    pub async fn call<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Store) -> R + Send + 'static,
    ) -> Option<R> {
        let (tx, rx) = oneshot::channel();
        self.send(move |s| {
            let _ = tx.send(job(s));
        });
        rx.await.ok()
    }
}
