//! The streaming loader: worker threads decode and transform images while the consumer trains.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;

use super::{Augment, CROP, FolderSplit};
use crate::error::{DataError, Result};

/// Floats per transformed image.
const IMAGE_LEN: usize = 3 * CROP as usize * CROP as usize;

/// One batch of transformed images.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The split indices of the images, in the requested order.
    pub indices: Vec<usize>,
    /// `len() × 3 × 224 × 224` floats: each image CHW, `(pixel / 255 − mean) / std`.
    pub images: Vec<f32>,
    /// One label per image.
    pub labels: Vec<u16>,
}

impl Batch {
    /// Number of images.
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    /// Whether the batch has no images (the loader never yields one).
    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// Tensor shape of [`Batch::images`]: `[len, 3, 224, 224]`.
    pub fn shape(&self) -> [usize; 4] {
        [self.len(), 3, CROP as usize, CROP as usize]
    }
}

/// What the workers share with the consumer.
struct Shared {
    split: FolderSplit,
    order: Vec<usize>,
    batch: usize,
    prefetch: usize,
    augment: Augment,
    /// The next position of `order` to decode.
    next: AtomicUsize,
    /// Batches the consumer has received; workers wait on `wake` for it to grow.
    taken: Mutex<usize>,
    wake: Condvar,
    /// Set when the stream ends early (error or drop).
    stop: AtomicBool,
    /// Images transformed so far (for tests of the prefetch bound).
    #[cfg(test)]
    decoded: AtomicUsize,
}

/// A batch being assembled.
struct Partial {
    images: Vec<f32>,
    filled: usize,
    error: Option<(usize, DataError)>,
}

/// An iterator of [`Batch`]es over an order of a [`FolderSplit`], made by [`FolderSplit::loader`].
///
/// Workers take positions of the order one at a time (an atomic counter, so in order) and send
/// each transformed image to the consumer, which assembles batches in order. A worker may start
/// an image of batch `b` only while `b < taken + prefetch`, where `taken` counts the batches the
/// consumer has received: while it trains on one batch, the next `prefetch` are decoded or in
/// progress, and no more, so memory stays bounded however slow the consumer is.
///
/// The first image that fails ends the stream: the batches before it come out, then `Err` for
/// its batch (the earliest failing image of that batch, whatever the thread timing), then
/// `None`; the workers stop. Dropping the loader early stops and joins the workers too.
pub struct Loader {
    shared: Arc<Shared>,
    results: Receiver<(usize, Result<Vec<f32>>)>,
    workers: Vec<JoinHandle<()>>,
    /// The next batch to yield.
    current: usize,
    partial: HashMap<usize, Partial>,
    done: bool,
}

impl Loader {
    /// Start `workers` threads for `order`; see [`FolderSplit::loader`].
    pub(crate) fn start(
        split: FolderSplit,
        order: Vec<usize>,
        batch: usize,
        augment: Augment,
        workers: usize,
        prefetch: usize,
    ) -> Self {
        let shared = Arc::new(Shared {
            split,
            order,
            batch: batch.max(1),
            prefetch: prefetch.max(1),
            augment,
            next: AtomicUsize::new(0),
            taken: Mutex::new(0),
            wake: Condvar::new(),
            stop: AtomicBool::new(false),
            #[cfg(test)]
            decoded: AtomicUsize::new(0),
        });
        let (send, results) = channel();
        let workers = (0..workers.max(1))
            .map(|_| {
                let (shared, send) = (Arc::clone(&shared), send.clone());
                std::thread::spawn(move || work(&shared, &send))
            })
            .collect();
        Self {
            shared,
            results,
            workers,
            current: 0,
            partial: HashMap::new(),
            done: false,
        }
    }

    /// Number of batches the whole order makes.
    pub fn batches(&self) -> usize {
        self.shared.order.len().div_ceil(self.shared.batch)
    }

    /// The positions of `order` in batch `b`.
    fn range(&self, b: usize) -> std::ops::Range<usize> {
        let start = b * self.shared.batch;
        start..(start + self.shared.batch).min(self.shared.order.len())
    }

    /// File the result for position `pos` into its batch.
    fn file(&mut self, pos: usize, result: Result<Vec<f32>>) {
        let b = pos / self.shared.batch;
        let len = self.range(b).len();
        let partial = self.partial.entry(b).or_insert_with(|| Partial {
            images: vec![0.0; len * IMAGE_LEN],
            filled: 0,
            error: None,
        });
        partial.filled += 1;
        match result {
            Ok(image) => {
                let k = pos - b * self.shared.batch;
                partial.images[k * IMAGE_LEN..(k + 1) * IMAGE_LEN].copy_from_slice(&image);
            }
            // Keep the error of the earliest position, so the reported one does not depend on timing.
            Err(e) if partial.error.as_ref().is_none_or(|(p, _)| pos < *p) => {
                partial.error = Some((pos, e))
            }
            Err(_) => {}
        }
    }

    /// Wait until every image of batch `b` has been transformed (or has failed), and take it.
    fn wait_for(&mut self, b: usize) -> Result<Partial> {
        let len = self.range(b).len();
        loop {
            if self.partial.get(&b).is_some_and(|p| p.filled == len)
                && let Some(partial) = self.partial.remove(&b)
            {
                return Ok(partial);
            }
            let (pos, result) = self.results.recv().map_err(|_| {
                DataError::malformed("image folder loader", "the worker threads stopped")
            })?;
            self.file(pos, result);
        }
    }

    /// Tell the workers that batch `self.current` has been taken.
    fn advance(&mut self) {
        self.current += 1;
        *self
            .shared
            .taken
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = self.current;
        self.shared.wake.notify_all();
    }

    /// Stop the workers and wait for them.
    fn finish(&mut self) {
        self.done = true;
        self.shared.stop.store(true, Ordering::SeqCst);
        drop(
            self.shared
                .taken
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        self.shared.wake.notify_all();
        for worker in self.workers.drain(..) {
            // Workers catch panics of the decoder, so joining only fails on a bug in `work`.
            let _ = worker.join();
        }
    }
}

impl Iterator for Loader {
    type Item = Result<Batch>;

    fn next(&mut self) -> Option<Result<Batch>> {
        if self.done || self.current >= self.batches() {
            self.finish();
            return None;
        }
        let b = self.current;
        let range = self.range(b);
        let partial = match self.wait_for(b) {
            Ok(p) => p,
            Err(e) => {
                self.finish();
                return Some(Err(e));
            }
        };
        if let Some((_, e)) = partial.error {
            self.finish();
            return Some(Err(e));
        }
        self.advance();
        let indices = self.shared.order[range].to_vec();
        let labels = indices
            .iter()
            .map(|&i| self.shared.split.label(i))
            .collect();
        Some(Ok(Batch {
            indices,
            images: partial.images,
            labels,
        }))
    }
}

impl Drop for Loader {
    fn drop(&mut self) {
        self.finish();
    }
}

/// A worker: take the next position, wait until its batch is within the prefetch window,
/// transform the image and send it, until the order is done or the loader stops.
fn work(shared: &Shared, send: &Sender<(usize, Result<Vec<f32>>)>) {
    loop {
        let pos = shared.next.fetch_add(1, Ordering::SeqCst);
        if pos >= shared.order.len() || !wait_for_window(shared, pos / shared.batch) {
            return;
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            shared.split.load(shared.order[pos], shared.augment)
        }))
        .unwrap_or_else(|_| {
            Err(DataError::malformed(
                shared.split.describe(shared.order[pos]),
                "the decoder panicked",
            ))
        });
        #[cfg(test)]
        shared.decoded.fetch_add(1, Ordering::SeqCst);
        if send.send((pos, result)).is_err() {
            return;
        }
    }
}

/// Block until batch `b` may be decoded (`b < taken + prefetch`); false if the loader stopped.
fn wait_for_window(shared: &Shared, b: usize) -> bool {
    let mut taken = shared.taken.lock().unwrap_or_else(PoisonError::into_inner);
    while b >= *taken + shared.prefetch && !shared.stop.load(Ordering::SeqCst) {
        taken = shared
            .wake
            .wait(taken)
            .unwrap_or_else(PoisonError::into_inner);
    }
    !shared.stop.load(Ordering::SeqCst)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;
    use crate::ImageFolder;

    /// A folder of `n` tiny JPEGs in one class, in both splits.
    fn folder(dir: &std::path::Path, n: usize) -> ImageFolder {
        let mut bytes = Vec::new();
        let image = image::RgbImage::from_pixel(8, 8, image::Rgb([9, 99, 199]));
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 90)
            .encode_image(&image)
            .expect("encode");
        for split in ["train", "val"] {
            let class = dir.join(split).join("c");
            std::fs::create_dir_all(&class).expect("mkdir");
            for i in 0..n {
                std::fs::write(class.join(format!("{i:03}.jpg")), &bytes).expect("write");
            }
        }
        ImageFolder::open(dir)
            .map_err(|e| e.to_string())
            .expect("opens")
    }

    /// Wait until `decoded` has stayed at `want` for a while; its value when it settles or times out.
    fn settles_at(loader: &Loader, want: usize) -> usize {
        let start = Instant::now();
        while loader.shared.decoded.load(Ordering::SeqCst) < want
            && start.elapsed() < Duration::from_secs(30)
        {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(200));
        loader.shared.decoded.load(Ordering::SeqCst)
    }

    #[test]
    fn decodes_exactly_prefetch_batches_ahead_of_the_consumer() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = folder(dir.path(), 20);
        let split = folder
            .split("train")
            .map_err(|e| e.to_string())
            .expect("train");
        let mut loader = split.loader((0..20).collect(), 3, Augment::Eval, 4, 2);
        assert_eq!(loader.batches(), 7);
        // Nothing taken: batches 0 and 1 are decoded, no more.
        assert_eq!(settles_at(&loader, 6), 6);
        assert!(loader.next().is_some_and(|b| b.is_ok()));
        // One taken: batches 1 and 2 are ready while the consumer holds batch 0.
        assert_eq!(settles_at(&loader, 9), 9);
        let rest: Vec<_> = loader.by_ref().collect();
        assert_eq!(rest.len(), 6);
        assert_eq!(
            rest.last().and_then(|b| b.as_ref().ok()).map(Batch::len),
            Some(2)
        );
        assert_eq!(loader.shared.decoded.load(Ordering::SeqCst), 20);
        assert!(loader.next().is_none());
    }

    #[test]
    fn dropping_early_stops_the_workers() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = folder(dir.path(), 12);
        let split = folder.split("val").map_err(|e| e.to_string()).expect("val");
        let mut loader = split.loader(
            (0..12).collect(),
            2,
            Augment::Train { seed: 3, epoch: 1 },
            3,
            1,
        );
        assert!(loader.next().is_some_and(|b| b.is_ok()));
        let shared = Arc::clone(&loader.shared);
        drop(loader); // joins the workers
        assert!(shared.stop.load(Ordering::SeqCst));
        assert!(
            shared.decoded.load(Ordering::SeqCst) <= 4,
            "decoded past the window"
        );
    }
}
