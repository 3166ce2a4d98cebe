//! Property-based fuzzing of the byte parsers (issue: fuzzed parsers): IDX images and labels,
//! CIFAR-10 and CIFAR-100 records, safetensors checkpoints and resume files. Arbitrary bytes and
//! mutated valid files must never panic and never allocate beyond a bound; they parse or give an
//! error. Cases per parser: proptest's `PROPTEST_CASES` (256 by default; `cargo xtask fuzz
//! --cases N` runs more). One `#[test]`, so the allocation bound is measured on one thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use prunelab_data::{cifar10_from_batches, cifar100_from_files, idx};
use prunelab_engine::Checkpoint;

/// The system allocator, counting the bytes alive and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; the counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, layout, new) };
        if !q.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            let now = LIVE.fetch_add(new, Ordering::Relaxed) + new;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// At most this much memory beyond what was alive before a parse, for an input of `len` bytes:
/// a parser may copy its input a few times, never trust a header's sizes.
fn bound(len: usize) -> usize {
    16 * len + (16 << 20)
}

/// Run `parse` on `bytes`; fail the case if it allocated beyond [`bound`].
fn bounded(what: &str, bytes: &[u8], parse: impl FnOnce(&[u8])) -> Result<(), TestCaseError> {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    parse(bytes);
    let peak = PEAK.load(Ordering::Relaxed) - before;
    prop_assert!(
        peak <= bound(bytes.len()),
        "{what}: {peak} bytes allocated for a {}-byte input",
        bytes.len()
    );
    Ok(())
}

/// A valid file with up to 8 bytes overwritten and maybe truncated.
fn mutated(valid: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    (
        prop::collection::vec((any::<Index>(), any::<u8>()), 1..8),
        any::<Index>(),
        any::<bool>(),
    )
        .prop_map(move |(edits, cut, truncate)| {
            let mut bytes = valid.clone();
            for (at, b) in edits {
                let i = at.index(bytes.len());
                bytes[i] = b;
            }
            if truncate {
                bytes.truncate(cut.index(bytes.len() + 1));
            }
            bytes
        })
}

fn arbitrary() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..2048)
}

/// One parser against arbitrary and mutated-valid inputs; returns the cases run.
fn fuzz(what: &str, valid: Vec<u8>, parse: impl Fn(&[u8]) + Copy) -> u32 {
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    let mut cases = 0;
    for strategy in [arbitrary().boxed(), mutated(valid).boxed()] {
        let mut runner = TestRunner::new(config.clone());
        runner
            .run(&strategy, |bytes| bounded(what, &bytes, parse))
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        cases += config.cases;
    }
    cases
}

fn idx_images() -> Vec<u8> {
    idx::write_images(3, 4, 5, &(0..60).collect::<Vec<u8>>())
}

fn cifar_records(n: usize, bytes_per_record: usize) -> Vec<u8> {
    (0..n * bytes_per_record).map(|i| (i % 251) as u8).collect()
}

fn checkpoint() -> Vec<u8> {
    let mut ck = Checkpoint::default();
    ck.push_f32("fc1.weight", &[3, 4], &[0.5; 12]);
    ck.push_f32("fc1.weight_mask", &[3, 4], &[1.0; 12]);
    ck.push_f32("fc1.bias", &[3], &[0.0; 3]);
    ck.metadata.insert("classes".into(), "3".into());
    ck.metadata.insert("model".into(), "lenet300".into());
    ck.metadata
        .insert("progress".into(), r#"{"cycle":1,"epoch":2}"#.into());
    ck.to_bytes().expect("a small checkpoint")
}

#[test]
fn parsers_never_panic_nor_overallocate() {
    let mut total = 0;
    let mut report = |what: &str, cases: u32| {
        eprintln!("fuzz {what}: {cases} cases, no crash");
        total += cases;
    };
    report(
        "IDX images",
        fuzz("IDX images", idx_images(), |b| {
            let _ = idx::parse_images(b);
        }),
    );
    report(
        "IDX labels",
        fuzz("IDX labels", idx::write_labels(&[1, 2, 3, 4]), |b| {
            let _ = idx::parse_labels(b);
        }),
    );
    report(
        "CIFAR-10 records",
        fuzz("CIFAR-10 records", cifar_records(3, 3073), |b| {
            let (train, test) = b.split_at(b.len() / 2);
            let _ = cifar10_from_batches(&[train], test);
        }),
    );
    report(
        "CIFAR-100 records",
        fuzz("CIFAR-100 records", cifar_records(3, 3074), |b| {
            let (train, test) = b.split_at(b.len() / 2);
            let _ = cifar100_from_files(train, test);
        }),
    );
    report(
        "safetensors checkpoints",
        fuzz("checkpoints", checkpoint(), |b| {
            if let Ok(ck) = Checkpoint::from_bytes(b) {
                let _ = ck.classes(10);
                let _ = ck.kernel_names();
                for name in ["fc1.weight", "fc1.weight_mask", "fc1.bias"] {
                    let _ = ck.f32(name);
                }
            }
        }),
    );
    eprintln!("fuzz: {total} cases in all, no crash");
}
