//! Mutation fuzzing of every parser that reads a user's bytes (see `hongbao::fuzz`).
//!
//!     cargo run --release --example fuzz -- [TARGET ...] [--minutes M | --inputs N] [--seed S]
//!
//! For each target (all by default) the inputs start from `fuzz/corpus/TARGET/` and are mutated
//! at random: bits flipped, bytes set, inserted, deleted, duplicated, swapped with tokens that
//! parsers find hard (`-1`, `nan`, `1e400`, a NUL, an overlong line, ...), lines spliced from
//! another corpus file, truncated; for a gzip target also the text inside, recompressed. Inputs
//! that give a new kind of answer join the pool. A panic, a refusal that does not name the file,
//! or an input that takes more than a second is a finding, saved under `fuzz/findings/TARGET/`;
//! an input still running after ten seconds is saved and the fuzzer stops (a hang). Prints one
//! Markdown row per target.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hongbao::fuzz::{TARGETS, Target, Verdict, target};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

const TOKENS: &[&[u8]] = &[
    b"-1",
    b"0",
    b"nan",
    b"NaN",
    b"inf",
    b"-inf",
    b"1e400",
    b"-0",
    b"4294967295",
    b"4294967296",
    b"18446744073709551616",
    b"\0",
    b"\n",
    b"\r\n",
    b"\t",
    b",",
    b" ",
    b"\"",
    b"'",
    b"#",
    b"%",
    b"=",
    b"[",
    b"]",
    b"{",
    b"}",
    b":",
    b"/",
    b"\xff\xfe",
    b"\xe2\x82",
    b"strong",
    b"weak",
    b"0.5",
    b"1.5",
    b"true",
    b"[[platform]]",
    b"graph = ",
    b"model = \"",
    b"->",
];

fn mutate(rng: &mut Xoshiro256PlusPlus, input: &mut Vec<u8>, pool: &[Vec<u8>]) {
    let n = rng.random_range(1..=4);
    for _ in 0..n {
        let len = input.len();
        match rng.random_range(0..9) {
            0 if len > 0 => {
                let i = rng.random_range(0..len);
                input[i] ^= 1 << rng.random_range(0..8);
            }
            1 if len > 0 => {
                let i = rng.random_range(0..len);
                input[i] = rng.random();
            }
            2 => {
                let i = rng.random_range(0..=len);
                let t = TOKENS[rng.random_range(0..TOKENS.len())];
                input.splice(i..i, t.iter().copied());
            }
            3 if len > 0 => {
                let a = rng.random_range(0..len);
                let b = (a + rng.random_range(1..=64)).min(len);
                input.drain(a..b);
            }
            4 if len > 0 => {
                let a = rng.random_range(0..len);
                let b = (a + rng.random_range(1..=256)).min(len);
                let piece = input[a..b].to_vec();
                let at = rng.random_range(0..=input.len());
                input.splice(at..at, piece);
            }
            5 if len > 0 => input.truncate(rng.random_range(0..len)),
            6 if !pool.is_empty() => {
                let other = &pool[rng.random_range(0..pool.len())];
                if !other.is_empty() {
                    let a = rng.random_range(0..other.len());
                    let b = (a + rng.random_range(1..=512)).min(other.len());
                    let at = rng.random_range(0..=input.len());
                    input.splice(at..at, other[a..b].iter().copied());
                }
            }
            7 => {
                // A long line or a long number.
                let at = rng.random_range(0..=len);
                let c = if rng.random() { b'9' } else { b'a' };
                let k = rng.random_range(1..=5000);
                input.splice(at..at, std::iter::repeat_n(c, k));
            }
            _ if len > 0 => {
                // Replace a token (a run of non-separators) with another.
                let i = rng.random_range(0..len);
                let sep = |c: u8| matches!(c, b' ' | b'\t' | b'\n' | b',' | b':' | b'/');
                let (mut a, mut b) = (i, i);
                while a > 0 && !sep(input[a - 1]) {
                    a -= 1;
                }
                while b < input.len() && !sep(input[b]) {
                    b += 1;
                }
                let t = TOKENS[rng.random_range(0..TOKENS.len())];
                input.splice(a..b, t.iter().copied());
            }
            _ => input.extend_from_slice(TOKENS[rng.random_range(0..TOKENS.len())]),
        }
    }
}

fn gunzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("in memory");
    e.finish().expect("in memory")
}

fn corpus(root: &Path, t: &Target) -> Vec<Vec<u8>> {
    let dir = root.join("corpus").join(t.name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    let v: Vec<Vec<u8>> = files.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    if v.is_empty() { vec![Vec::new()] } else { v }
}

struct Tally {
    inputs: u64,
    accepted: u64,
    refused: u64,
    findings: u64,
    slowest: Duration,
}

fn save(root: &Path, t: &Target, kind: &str, n: u64, input: &[u8], msg: &str) {
    let dir = root.join("findings").join(t.name);
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join(format!("{kind}-{n}")), input);
    let _ = std::fs::write(dir.join(format!("{kind}-{n}.txt")), msg);
    eprintln!(
        "{}: {kind} #{n}: {}",
        t.name,
        msg.lines().next().unwrap_or("")
    );
}

fn fuzz(root: &Path, t: &'static Target, budget: Budget, seed: u64) -> Tally {
    let work = std::env::temp_dir().join(format!("hongbao-fuzz-{}-{}", std::process::id(), t.name));
    std::fs::create_dir_all(&work).expect("temporary directory");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut pool = corpus(root, t);
    let gz = t.file.ends_with(".gz");
    let mut seen: HashSet<String> = HashSet::new();
    let mut tally = Tally {
        inputs: 0,
        accepted: 0,
        refused: 0,
        findings: 0,
        slowest: Duration::ZERO,
    };
    // The watchdog: an input still running after ten seconds is saved as a hang, and we stop.
    let started = Arc::new(AtomicU64::new(u64::MAX));
    let epoch = Instant::now();
    {
        let (started, path, root, name) =
            (started.clone(), t.path(&work), root.to_path_buf(), t.name);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let s = started.load(Ordering::Relaxed);
                if s != u64::MAX && epoch.elapsed().as_millis() as u64 - s > 10_000 {
                    let dir = root.join("findings").join(name);
                    let _ = std::fs::create_dir_all(&dir);
                    let _ = std::fs::copy(&path, dir.join("hang"));
                    eprintln!(
                        "{name}: an input ran for ten seconds: saved as {}",
                        dir.join("hang").display()
                    );
                    std::process::exit(2);
                }
            }
        });
    }
    let t0 = Instant::now();
    while !budget.done(tally.inputs, t0) {
        let mut input = pool[rng.random_range(0..pool.len())].clone();
        if gz && rng.random_bool(0.5) {
            if let Some(mut text) = gunzip(&input) {
                mutate(&mut rng, &mut text, &pool);
                input = gzip(&text);
            } else {
                mutate(&mut rng, &mut input, &pool);
            }
        } else {
            mutate(&mut rng, &mut input, &pool);
        }
        started.store(epoch.elapsed().as_millis() as u64, Ordering::Relaxed);
        let clock = Instant::now();
        let verdict = t.check(&work, &input);
        let took = clock.elapsed();
        started.store(u64::MAX, Ordering::Relaxed);
        tally.inputs += 1;
        tally.slowest = tally.slowest.max(took);
        let key = match &verdict {
            Verdict::Accepted => {
                tally.accepted += 1;
                "accepted".to_string()
            }
            Verdict::Refused(m) => {
                tally.refused += 1;
                // The message without its numbers: a new kind of refusal.
                m.chars().filter(|c| !c.is_ascii_digit()).take(80).collect()
            }
            Verdict::Unnamed(m) => {
                tally.findings += 1;
                save(root, t, "unnamed", tally.findings, &input, m);
                continue;
            }
            Verdict::Panicked(m) => {
                tally.findings += 1;
                save(root, t, "panic", tally.findings, &input, m);
                continue;
            }
        };
        if took > Duration::from_secs(1) {
            tally.findings += 1;
            save(
                root,
                t,
                "slow",
                tally.findings,
                &input,
                &format!("{took:?}"),
            );
        }
        if seen.insert(key) && pool.len() < 500 && input.len() < 1 << 20 {
            pool.push(input);
        }
    }
    let _ = std::fs::remove_dir_all(&work);
    tally
}

#[derive(Copy, Clone)]
enum Budget {
    Minutes(f64),
    Inputs(u64),
}

impl Budget {
    fn done(self, inputs: u64, t0: Instant) -> bool {
        match self {
            Budget::Minutes(m) => t0.elapsed().as_secs_f64() >= m * 60.0,
            Budget::Inputs(n) => inputs >= n,
        }
    }
}

fn main() {
    let mut names = Vec::new();
    let mut budget = Budget::Inputs(10_000);
    let mut seed = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--minutes" => {
                budget = Budget::Minutes(
                    args.next()
                        .and_then(|v| v.parse().ok())
                        .expect("--minutes M"),
                )
            }
            "--inputs" => {
                budget = Budget::Inputs(
                    args.next()
                        .and_then(|v| v.parse().ok())
                        .expect("--inputs N"),
                )
            }
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).expect("--seed S"),
            name => names.push(name.to_string()),
        }
    }
    let targets: Vec<&'static Target> = if names.is_empty() {
        TARGETS.iter().collect()
    } else {
        names
            .iter()
            .map(|n| target(n).unwrap_or_else(|| panic!("no target {n}")))
            .collect()
    };
    // Panics are findings, reported once each; keep the default hook from printing them too.
    std::panic::set_hook(Box::new(|_| {}));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    println!(
        "| target | inputs | per second | accepted | refused (file named) | findings | slowest |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut any = false;
    for t in targets {
        let t0 = Instant::now();
        let tally = fuzz(&root, t, budget, seed);
        let secs = t0.elapsed().as_secs_f64();
        any |= tally.findings > 0;
        println!(
            "| {} | {} | {:.0} | {} | {} | {} | {:.1} ms |",
            t.name,
            tally.inputs,
            tally.inputs as f64 / secs,
            tally.accepted,
            tally.refused,
            tally.findings,
            tally.slowest.as_secs_f64() * 1000.0
        );
    }
    std::process::exit(if any { 1 } else { 0 });
}
