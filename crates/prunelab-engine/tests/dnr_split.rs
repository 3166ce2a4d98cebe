//! A cycle's DNR averages over the training samples (AP paper, eq. 1), `dnr_split = "train"`,
//! by default; `test` measures the test split. The test images here are blank, so the two differ,
//! and the training-split figure is checked against an evaluation of the cycle's own checkpoint.

use burn::prelude::*;
use prunelab_core::Experiment;
use prunelab_core::report::RunResult;
use prunelab_core::state::DnrSplit;
use prunelab_data::{Dataset, Split};
use prunelab_engine::{Checkpoint, EngineError, Event, Images, NetState, Observer, Source};
use prunelab_engine::{evaluate, run};
use prunelab_models::InputShape;

/// Class k lights rows 2k..2k+3 of a 28×28 image; `blank` images are all black.
fn images(n: usize, blank: bool) -> Dataset {
    let mut pixels = Vec::with_capacity(n * 784);
    for i in 0..n {
        for r in 0..28 {
            let lit = !blank && (2 * (i % 10) + 2..2 * (i % 10) + 5).contains(&r);
            pixels.extend([if lit { 250 } else { (r * 3 % 40) as u8 }; 28]);
        }
    }
    Dataset {
        images: pixels,
        labels: (0..n).map(|i| (i % 10) as u16).collect(),
        shape: [1, 28, 28],
        classes: 10,
    }
}

/// The last cycle's checkpoint.
#[derive(Default)]
struct Last(Option<Checkpoint>);

impl Observer for Last {
    fn on_event(&mut self, event: Event<'_>) -> Result<(), EngineError> {
        if let Event::Cycle { checkpoint, .. } = event {
            self.0 = Some(Checkpoint::from_bytes(&checkpoint.to_bytes()?)?);
        }
        Ok(())
    }
}

fn go(extra: &str) -> (Experiment, RunResult, Checkpoint) {
    let hash = format!("model=lenet300&ap=none&cycles=1&epochs=1&lr=0.05&batch=32&seed=3{extra}");
    let (exp, notices) = Experiment::from_hash(&hash, &[]);
    assert!(notices.is_empty(), "{notices:?}");
    let source = Source::from(Split {
        train: images(320, false),
        test: images(64, true),
    });
    let mut last = Last::default();
    let result = futures::executor::block_on(run(&exp, &source, &Device::flex(), &mut last))
        .expect("run succeeds");
    (exp, result, last.0.expect("a cycle"))
}

#[test]
fn dnr_is_measured_on_the_training_images_unless_asked_otherwise() {
    let (exp, train, ck) = go("");
    let (_, test, _) = go("&dnr_split=test");
    // the last cycle: its checkpoint's mask is the one it trained with (no pruning after it)
    let (on_train, on_test) = (&train.cycles[1], &test.cycles[1]);
    assert_eq!(
        (on_train.dnr_split, on_test.dnr_split),
        (DnrSplit::Train, DnrSplit::Test)
    );
    assert_eq!(
        on_train.test_accuracy, on_test.test_accuracy,
        "the same training"
    );
    assert_ne!(
        on_train.dnr.dynamic, on_test.dnr.dynamic,
        "blank test images and the training images give the same DNR: is the split ignored?"
    );
    // the recorded figure is an evaluation of the trained net over the training images
    let device = Device::flex().autodiff();
    let mut net = NetState::new(&exp, InputShape([1, 28, 28]), 10, &device);
    net.load_checkpoint(&ck, "lenet300")
        .expect("its own checkpoint");
    let again =
        futures::executor::block_on(evaluate(&net, &Images::memory(images(320, false)), 256))
            .expect("evaluation");
    assert!(
        (again.dnr.dynamic - on_train.dnr.dynamic).abs() < 1e-9
            && (again.dnr.static_ - on_train.dnr.static_).abs() < 1e-9,
        "recorded {:?}, the checkpoint on the training images gives {:?}",
        on_train.dnr,
        again.dnr
    );
}
