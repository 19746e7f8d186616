//! Progress of a large conversion: a thread reads the loader's byte count every 200 ms and tells
//! the observer, until dropped.

use crate::observer::{Event, Observer};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Inputs smaller than this load too fast for progress to help.
const MIN_BYTES: u64 = 64 << 20;

pub(crate) struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    /// Starts reporting `read` out of `total` bytes, if `observer` wants progress and the input
    /// is large.
    pub(crate) fn start(
        read: Arc<AtomicU64>,
        total: u64,
        observer: &Arc<dyn Observer>,
    ) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        let thread = (total >= MIN_BYTES && observer.wants_progress()).then(|| {
            let (done, observer) = (done.clone(), observer.clone());
            std::thread::spawn(move || {
                let started = Instant::now();
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(200));
                    observer.event(Event::Progress {
                        read: read.load(Ordering::Relaxed).min(total),
                        total,
                        elapsed: started.elapsed(),
                    });
                }
                observer.event(Event::ProgressEnd);
            })
        });
        Progress { done, thread }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
