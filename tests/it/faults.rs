//! Faults: runs interrupted by SIGINT or SIGTERM while their report is staged, a file-size limit
//! hit while writing, and two commands writing the same report at once. In every case the earlier
//! report stays as it was (or one complete report is left), and nothing half-written remains.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("hongbao")
}

/// Every file under `dir`, with its bytes, sorted by name.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// Entries of `dir` other than `keep`: staging directories, temporary or old copies.
fn litter(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

/// A Weibo-format file of `n` star cascades (enough to keep `fit` busy).
fn cascades(dir: &Path, n: usize) -> PathBuf {
    let mut text = String::new();
    let mut user = 1000u64;
    for id in 0..n {
        let root = user;
        user += 1;
        let mut parts = vec![format!("{root}:0")];
        for j in 0..(2 + id % 5) {
            parts.push(format!("{root}/{user}:{}", 60 * (j + 1) * (1 + id % 7)));
            user += 1;
        }
        text += &format!("{id}\t{root}\t0\t{}\t{}\n", parts.len(), parts.join(" "));
    }
    let p = dir.join("cascades.txt");
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs `args` (short) into `out` for an earlier report, then `long` with `--force` into the same
/// place, sends `signal` once its staging directory exists, and checks that the process exits
/// non-zero, the earlier report is byte for byte as it was, and nothing else is left.
fn interrupted(short: &[&str], long: &[&str], signal: i32) {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("report");
    let st = Command::new(binary())
        .args(short)
        .arg("--out")
        .arg(&out)
        .arg("-q")
        .current_dir(d.path())
        .status()
        .unwrap();
    assert!(st.success(), "{short:?}");
    let before = snapshot(&out);
    let mut child = Command::new(binary())
        .args(long)
        .arg("--out")
        .arg(&out)
        .args(["--force", "-q"])
        .current_dir(d.path())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let staged = litter(d.path(), &["report", "cascades.txt"])
            .iter()
            .any(|n| n.contains("staging"));
        if staged {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "{long:?} ended before it was interrupted"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no staging directory"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: sending a signal to our own child process.
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
    let out_status = child.wait_with_output().unwrap();
    assert!(
        !out_status.status.success(),
        "{long:?} exited 0 after the signal"
    );
    let err = String::from_utf8_lossy(&out_status.stderr);
    assert!(err.contains("interrupted"), "{err}");
    assert_eq!(
        snapshot(&out),
        before,
        "{long:?}: the earlier report changed"
    );
    assert_eq!(
        litter(d.path(), &["report", "cascades.txt"]),
        Vec::<String>::new(),
        "{long:?}: left behind"
    );
}

#[test]
fn an_interrupted_compare_leaves_the_earlier_report() {
    interrupted(
        &["compare", "--nodes", "2000", "--runs", "10"],
        &["compare", "--nodes", "100000", "--runs", "100000"],
        libc::SIGINT,
    );
}

#[test]
fn a_terminated_simulate_leaves_the_earlier_report() {
    let g = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/wechat-2k.txt.gz");
    let g = g.to_str().unwrap();
    interrupted(
        &["simulate", g, "--runs", "10"],
        &["simulate", g, "--runs", "100000000"],
        libc::SIGTERM,
    );
}

#[test]
fn an_interrupted_fit_leaves_the_earlier_report() {
    let d = tempfile::tempdir().unwrap();
    let f = cascades(d.path(), 3000);
    let f = f.to_str().unwrap();
    for signal in [libc::SIGINT, libc::SIGTERM] {
        interrupted(
            &["fit", f, "--format", "weibo", "--runs", "2"],
            &["fit", f, "--format", "weibo", "--runs", "100000"],
            signal,
        );
    }
}

#[test]
fn a_file_size_limit_is_an_error_with_the_path_and_leaves_nothing() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("report");
    // 64 blocks of 512 or 1024 bytes: the charts do not fit.
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -f 64 && exec \"{}\" compare --nodes 2000 --runs 10 -q --out \"{}\"",
            binary().display(),
            out.display()
        ))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("report"), "the path is named: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists());
    assert_eq!(litter(d.path(), &[]), Vec::<String>::new());
}

#[test]
fn two_commands_writing_one_report_leave_one_complete_report() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("report");
    let g = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/wechat-2k.txt.gz");
    for round in 0..3 {
        let children: Vec<_> = ["first", "second"]
            .iter()
            .map(|label| {
                Command::new(binary())
                    .arg("simulate")
                    .arg(&g)
                    .args(["--runs", "200", "--label", label, "--force", "-q", "--out"])
                    .arg(&out)
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let codes: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        // Each either wrote its report or was refused (the other's report was already there);
        // whichever wrote last, the directory holds that one report, every file from it.
        assert!(codes.iter().any(|o| o.status.success()), "round {round}");
        let curves = std::fs::read_to_string(out.join("curves.csv")).unwrap();
        let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
        let label = if curves.contains("first") {
            "first"
        } else {
            "second"
        };
        assert!(!curves.contains(if label == "first" { "second" } else { "first" }));
        assert!(
            summary.contains(label),
            "round {round}: curves from {label}, summary not"
        );
        for f in ["adoption.png", "curves.parquet", "summary.md"] {
            assert!(out.join(f).exists(), "round {round}: {f}");
        }
        assert_eq!(litter(d.path(), &["report"]), Vec::<String>::new());
    }
}

#[test]
fn a_graph_that_does_not_fit_is_refused_before_it_is_read() {
    let d = tempfile::tempdir().unwrap();
    // Two million edges (about 30 MB of text): some 130 MB to load.
    let big = d.path().join("big.txt");
    let mut text = String::with_capacity(32 << 20);
    for i in 0..2_000_000u64 {
        text += &format!("{} {}\n", i, (i * 7919 + 13) % 2_000_000);
    }
    std::fs::write(&big, text).unwrap();
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 200000 && exec \"{}\" stats \"{}\"",
            binary().display(),
            big.display()
        ))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "refused, not killed: {err}");
    assert!(
        err.contains("big.txt") && err.contains("needs about"),
        "{err}"
    );
    // The same refusal from --max-memory, with what to change.
    let g = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/wechat-2k.txt.gz");
    let o = Command::new(binary())
        .args([
            "simulate",
            g.to_str().unwrap(),
            "--max-memory",
            "1M",
            "-q",
            "--out",
        ])
        .arg(d.path().join("r"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("--max-memory") && err.contains("wechat-2k"),
        "{err}"
    );
    assert!(!d.path().join("r").exists());
}

#[test]
fn a_generated_graph_that_does_not_fit_is_refused_before_it_is_built() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 600000 && exec \"{}\" compare --nodes 5000000 --runs 2 -q --out \"{}\"",
            binary().display(),
            out.display()
        ))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "refused, not killed: {err}");
    assert!(
        err.contains("5000000") && err.contains("needs about"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn runs_whose_scratch_does_not_fit_are_refused_before_they_start() {
    let d = tempfile::tempdir().unwrap();
    // One million nodes, half a million edges (a matching): a small graph to load, but every
    // thread's runs keep buffers for a million nodes.
    let g = d.path().join("matching.txt");
    let mut text = String::with_capacity(16 << 20);
    for i in 0..500_000u64 {
        text += &format!("{} {}\n", 2 * i, 2 * i + 1);
    }
    std::fs::write(&g, text).unwrap();
    let run = |max: &str| {
        Command::new(binary())
            .env("RAYON_NUM_THREADS", "2")
            .args([
                "simulate",
                g.to_str().unwrap(),
                "--runs",
                "2",
                "--max-memory",
                max,
                "-q",
                "--out",
            ])
            .arg(d.path().join(format!("r{max}")))
            .output()
            .unwrap()
    };
    let o = run("64M");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("scratch memory")
            && err.contains("--max-memory")
            && err.contains("1000000 nodes"),
        "{err}"
    );
    assert!(!d.path().join("r64M").exists());
    // With room for them, the same runs go.
    let o = run("2G");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
