//! The cooperative hook the page pauses and stops runs through ([`Observer::between_steps`]), and
//! the AP step's own weights in [`Event::Cycle`] (the page's three-colour mask view).

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use burn::prelude::*;
use prunelab_core::Experiment;
use prunelab_core::report::RunResult;
use prunelab_data::{Dataset, Split};
use prunelab_engine::{EngineError, Event, Observer, Source, run};

/// 10 classes of 1×28×28 images: class k lights row band k, plus noise.
fn bands(n: usize, seed: u64) -> Dataset {
    let mut rng = prunelab_core::rng::Rng::new(seed, 3);
    let mut images = Vec::with_capacity(n * 784);
    for i in 0..n {
        for r in 0..28 {
            for _ in 0..28 {
                let lit = (2 * (i % 10) + 2..2 * (i % 10) + 5).contains(&r);
                images.push(if lit { 200 } else { 0 } + rng.below(50) as u8);
            }
        }
    }
    Dataset {
        images,
        labels: (0..n).map(|i| (i % 10) as u16).collect(),
        shape: [1, 28, 28],
        classes: 10,
    }
}

fn experiment() -> Experiment {
    let (exp, notices) = Experiment::from_hash(
        "model=lenet300&ap=pro&p=20&q=5&cycles=2&epochs=1&lr=0.02&batch=32",
        &[],
    );
    assert!(notices.is_empty(), "{notices:?}");
    exp
}

fn source() -> Source {
    Source::from(Split {
        train: bands(160, 1),
        test: bands(60, 2),
    })
}

/// Pending `left` times (as a paused page is), then ready; counts its polls.
struct Paused {
    left: u32,
    polls: Rc<Cell<u32>>,
}

impl Future for Paused {
    type Output = Result<(), EngineError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.polls.set(self.polls.get() + 1);
        if self.left == 0 {
            return Poll::Ready(Ok(()));
        }
        self.left -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Pauses before every step, stops after `stop_after` steps when set, and checks each cycle's
/// AP weights against its checkpoint.
#[derive(Default)]
struct Driver {
    steps: u32,
    polls: Rc<Cell<u32>>,
    stop_after: Option<u32>,
    ap_checked: usize,
}

impl Observer for Driver {
    fn on_event(&mut self, event: Event<'_>) -> Result<(), EngineError> {
        if let Event::Cycle {
            entry,
            checkpoint,
            ap_pruned,
        } = event
        {
            assert_eq!(ap_pruned.len(), entry.pruned.ap, "cycle {}", entry.cycle);
            let names = checkpoint.kernel_names();
            for w in ap_pruned {
                let name = names[w.layer];
                let prev = checkpoint
                    .f32(&format!("{name}_mask_prev"))
                    .expect("mask_prev")
                    .1[w.index];
                let next = checkpoint.f32(&format!("{name}_mask")).expect("mask").1[w.index];
                let theta = checkpoint.f32(name).expect("theta*").1[w.index];
                assert!(
                    prev == 1.0 && next == 0.0,
                    "AP weight {w:?} was not pruned in this cycle"
                );
                assert!(
                    theta < 0.0,
                    "AP prunes negative weights only, {w:?} is {theta}"
                );
            }
            self.ap_checked += ap_pruned.len();
        }
        Ok(())
    }

    fn between_steps(&mut self) -> impl Future<Output = Result<(), EngineError>> {
        self.steps += 1;
        let stop = self.stop_after.is_some_and(|n| self.steps > n);
        let polls = self.polls.clone();
        async move {
            if stop {
                return Err(EngineError::Cancelled);
            }
            Paused { left: 3, polls }.await
        }
    }
}

fn go(observer: &mut impl Observer) -> Result<RunResult, EngineError> {
    futures::executor::block_on(run(&experiment(), &source(), &Device::flex(), observer))
}

#[test]
fn a_paused_run_waits_at_every_step_and_ends_as_an_unpaused_one() {
    struct Plain;
    impl Observer for Plain {
        fn on_event(&mut self, _: Event<'_>) -> Result<(), EngineError> {
            Ok(())
        }
    }
    let plain = go(&mut Plain).expect("plain run");
    let mut driver = Driver::default();
    let paused = go(&mut driver).expect("paused run");
    // 160 images / 32 = 5 steps per epoch, 3 trainings.
    assert_eq!(driver.steps, 15);
    assert_eq!(
        driver.polls.get(),
        15 * 4,
        "every pause was awaited to its end"
    );
    assert_eq!(
        serde_json::to_string(&paused).ok(),
        serde_json::to_string(&plain).ok()
    );
    assert!(driver.ap_checked > 0, "AP-Pro pruned nothing");
}

#[test]
fn an_error_from_the_hook_stops_the_run() {
    let mut driver = Driver {
        stop_after: Some(7),
        ..Driver::default()
    };
    let err = go(&mut driver).expect_err("stopped");
    assert!(matches!(err, EngineError::Cancelled), "{err}");
    assert_eq!(driver.steps, 8, "the run stopped at the first refused step");
}
