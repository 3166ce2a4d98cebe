//! One writer per run folder: while one `prunelab run` writes a folder, a second on the same
//! `--out` exits 2 naming the first's PID and touches nothing, and a second `sweep` skips the run;
//! once the holder is dead (SIGKILL: no cleanup) the folder is taken again at once, and a crashed
//! writer's temporary files are removed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{config, prunelab, stderr, write_mnist};

/// Long enough (many epochs) to be still running while the test looks at it.
const CONFIG: &str = "model = \"lenet300\"\nap = \"pro\"\np = 20\nq = 2\ncycles = 2\nepochs = 200\n\
    lr = 0.05\nbatch = 32\n";

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_prunelab"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("prunelab starts")
}

/// Wait until a lock file under `root` names `pid`; its path.
fn locked_by(root: &Path, pid: u32) -> PathBuf {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(120) {
        let mut stack = vec![root.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.file_name().is_some_and(|n| n == ".lock")
                    && std::fs::read_to_string(&path).is_ok_and(|t| t.trim() == pid.to_string())
                {
                    return path;
                }
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("no lock file under {} names process {pid}", root.display());
}

fn kill(mut child: Child) {
    child.kill().ok(); // SIGKILL on Unix
    child.wait().ok();
}

#[test]
fn a_second_run_on_a_held_folder_is_refused_and_a_dead_holder_never_blocks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    write_mnist(&data.join("mnist"), 600, 60);
    let data = data.display().to_string();
    let cfg = config(tmp.path(), CONFIG);
    let out = tmp.path().join("run");
    let out_s = out.display().to_string();
    let args = ["run", "--config", &cfg, "--out", &out_s, "--data", &data];

    let first = spawn(&args);
    let lock = locked_by(&out, first.id());
    let second = prunelab(&args);
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    let message = stderr(&second);
    assert!(
        message.contains(&format!("being written by prunelab process {}", first.id())),
        "{message}"
    );
    assert_eq!(
        std::fs::read_to_string(&lock).expect("lock file").trim(),
        first.id().to_string(),
        "the refused process left the lock file alone"
    );
    kill(first);

    // The holder died without cleaning up; a leftover temporary file is there too.
    let leftover = out.join(".results.json.tmp");
    std::fs::write(&leftover, b"half a file").expect("write");
    let third = spawn(&args);
    locked_by(&out, third.id());
    let start = Instant::now();
    while leftover.exists() && start.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        !leftover.exists(),
        "the crashed writer's temporary file is removed"
    );
    kill(third);
}

#[test]
fn a_sweep_skips_a_run_another_process_is_writing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    write_mnist(&data.join("mnist"), 600, 60);
    let data = data.display().to_string();
    let cfg = config(tmp.path(), CONFIG);
    let out = tmp.path().join("runs");
    let out_s = out.display().to_string();
    let args = ["sweep", &cfg, "--out", &out_s, "--data", &data];

    let first = spawn(&args);
    let lock = locked_by(&out, first.id());
    let second = prunelab(&args);
    assert!(second.status.success(), "{}", stderr(&second));
    let said = String::from_utf8_lossy(&second.stdout);
    assert!(
        said.contains(&format!(
            "{} is being written by prunelab process {}; skipped",
            lock.parent().expect("run folder").display(),
            first.id()
        )),
        "{said}"
    );
    kill(first);
}
