//! The binary, end to end: commands that work, and bad input that must fail cleanly (exit 1, a
//! message naming the file, line and value or the option, no panic, no output left behind).

use std::io::Write;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

pub fn hongbao() -> Command {
    let mut c = Command::cargo_bin("hongbao").unwrap();
    c.env_remove("RAYON_NUM_THREADS");
    c
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs `args`, expects exit code 1 and a message containing every `needles`, and no panic.
fn fails(args: &[&str], needles: &[&str]) {
    let out = hongbao().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "args {args:?}: stderr {err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "args {args:?}: {n:?} not in {err:?}");
    }
}

#[test]
fn generate_round_trips_in_every_format() {
    let d = tempfile::tempdir().unwrap();
    let mut splits = vec![];
    for ext in ["txt", "txt.gz", "csv", "parquet"] {
        let f = d.path().join(format!("g.{ext}"));
        hongbao()
            .args(["generate", "wechat", "--nodes", "3000", "--seed", "4", "-o"])
            .arg(&f)
            .assert()
            .success();
        let out = hongbao()
            .arg("stats")
            .arg(&f)
            .args(["--ties", "column", "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        for key in [
            "nodes",
            "edges",
            "mean_degree",
            "max_degree",
            "avg_clustering",
            "components",
            "largest_component",
            "strong_ties",
            "weak_ties",
        ] {
            assert!(v.get(key).is_some(), "{key}");
        }
        assert_eq!(v["nodes"], 3000);
        splits.push((
            v["edges"].clone(),
            v["strong_ties"].clone(),
            v["weak_ties"].clone(),
        ));
    }
    assert!(splits.windows(2).all(|w| w[0] == w[1]), "{splits:?}");
    assert!(splits[0].2.as_u64().unwrap() > 0);
}

#[test]
fn generate_refuses_to_overwrite_without_force() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("g.txt");
    hongbao()
        .args(["generate", "er", "-n", "100", "-o"])
        .arg(&f)
        .assert()
        .success();
    let before = std::fs::read(&f).unwrap();
    fails(
        &[
            "generate",
            "er",
            "-n",
            "100",
            "--seed",
            "2",
            "-o",
            f.to_str().unwrap(),
        ],
        &["already exists", "--force"],
    );
    assert_eq!(std::fs::read(&f).unwrap(), before);
    hongbao()
        .args([
            "generate", "er", "-n", "100", "--seed", "2", "--force", "-o",
        ])
        .arg(&f)
        .assert()
        .success();
    assert_ne!(std::fs::read(&f).unwrap(), before);
}

#[test]
fn generate_takes_parameters() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("ba.csv");
    hongbao()
        .args(["generate", "ba", "-n", "500", "-p", "m=2", "-o"])
        .arg(&f)
        .assert()
        .success();
    let out = hongbao()
        .arg("stats")
        .arg(&f)
        .arg("--json")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["edges"], 2 * (500 - 2));
    fails(
        &[
            "generate",
            "ba",
            "-n",
            "50",
            "-p",
            "q=2",
            "-o",
            d.path().join("x.csv").to_str().unwrap(),
        ],
        &["--param", "q"],
    );
    fails(
        &[
            "generate",
            "nope",
            "-o",
            d.path().join("x.csv").to_str().unwrap(),
        ],
        &["nope"],
    );
}

#[test]
fn stats_reads_weights_labels_and_directed_graphs() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "w.txt",
        "# comment\n1 2 5\n2 3 1\n3 1 2\n3 3 1\n2 1 7\n4 5 9\n",
    );
    let out = hongbao()
        .arg("stats")
        .arg(&f)
        .args(["--ties", "weight:3", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["nodes"], 5);
    assert_eq!(v["edges"], 4);
    assert_eq!(v["self_loops_dropped"], 1);
    assert_eq!(v["duplicates_dropped"], 1);
    assert_eq!(v["strong_ties"], 2, "1-2 (max weight 7) and 4-5");
    assert_eq!(v["components"], 2);
    let out = hongbao()
        .arg("stats")
        .arg(&f)
        .args(["--directed", "--json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["edges"], 5, "directed keeps 1->2 and 2->1");
    // A message log: the third column is a time, `--weight rows` counts the messages per pair.
    let log = write(
        d.path(),
        "log.txt",
        "1 2 1000
2 1 1005
1 2 1010
2 3 1020
3 3 1030
",
    );
    let json = |args: &[&str]| -> serde_json::Value {
        let out = hongbao()
            .arg("stats")
            .arg(&log)
            .args(args)
            .arg("--json")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let v = json(&["--weight", "rows", "--ties", "weight:3"]);
    assert_eq!(v["edges"], 2);
    assert_eq!(v["strong_ties"], 1, "1-2 has three messages, 2-3 one");
    let v = json(&["--weight", "rows", "--directed", "--ties", "weight:2"]);
    assert_eq!(v["strong_ties"], 1, "only 1->2 has two messages");
    // Without `rows` the times would be weights; `none` drops them.
    assert_eq!(
        json(&["--ties", "weight:1015"])["strong_ties"],
        1,
        "2-3 at time 1020"
    );
    let out = hongbao()
        .arg("stats")
        .arg(&log)
        .args(["--weight", "none", "--ties", "weight:1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "no weights to rank by");
    let f = write(
        d.path(),
        "named.csv",
        "who,whom,kind\nann,bob,strong\nbob,cy,weak\n",
    );
    let out = hongbao()
        .arg("stats")
        .arg(&f)
        .args(["--src", "who", "--dst", "whom", "--tie", "kind", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["strong_ties"].as_u64(), v["weak_ties"].as_u64()),
        (Some(1), Some(1))
    );
    hongbao()
        .arg("stats")
        .arg(&f)
        .args(["--src", "who", "--dst", "whom"])
        .assert()
        .success()
        .stdout(predicate::str::contains("avg clustering"));
}

#[test]
fn bad_graph_input_is_named() {
    let d = tempfile::tempdir().unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let malformed = write(d.path(), "bad.txt", "1 2\n2 3\n7\n");
    fails(&["stats", &s(&malformed)], &["bad.txt:3", "\"7\""]);
    let word = write(d.path(), "word.txt", "1 2\n# c\nalice 3\n");
    fails(&["stats", &s(&word)], &["word.txt:3", "alice", "integer"]);
    fails(
        &["stats", &s(&d.path().join("missing.txt"))],
        &["missing.txt"],
    );
    let empty = write(d.path(), "empty.txt", "# nothing\n");
    fails(&["stats", &s(&empty)], &["empty.txt", "no edges"]);
    let empty_csv = write(d.path(), "empty.csv", "");
    fails(&["stats", &s(&empty_csv)], &["empty.csv", "empty"]);
    // A gzip file cut in half.
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..20_000 {
        writeln!(enc, "{i} {}", i + 1).unwrap();
    }
    let bytes = enc.finish().unwrap();
    let gz = d.path().join("cut.txt.gz");
    std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
    fails(&["stats", &s(&gz)], &["cut.txt.gz", "gzip"]);
    let csv = write(d.path(), "e.csv", "src,dst\n1,2\n");
    fails(
        &["stats", &s(&csv), "--weight", "calls"],
        &["e.csv", "\"calls\"", "src"],
    );
    let csv = write(d.path(), "w.csv", "src,dst,weight\n1,2,3\n2,3,lots\n");
    fails(&["stats", &s(&csv)], &["w.csv:3", "lots"]);
    let odd = write(d.path(), "g.xyz", "1 2\n");
    fails(&["stats", &s(&odd)], &["g.xyz", "extension"]);
    let ok = write(d.path(), "ok.txt", "1 2\n");
    fails(
        &["stats", &s(&ok), "--ties", "strength:3"],
        &["--ties", "strength:3"],
    );
    fails(
        &["stats", &s(&ok), "--ties", "weight:2"],
        &["--ties", "no weights"],
    );
    let tie = write(d.path(), "t.txt", "1 2 strong\n2 3 medium\n");
    fails(&["stats", &s(&tie)], &["t.txt:2", "medium"]);
}

#[test]
fn simulate_writes_the_report_and_refuses_bad_model_input() {
    let d = tempfile::tempdir().unwrap();
    let g = d.path().join("g.txt");
    hongbao()
        .args(["generate", "ws", "-n", "2000", "-o"])
        .arg(&g)
        .assert()
        .success();
    let out = d.path().join("rep");
    let o = hongbao()
        .arg("simulate")
        .arg(&g)
        .args([
            "--ties",
            "generator",
            "--p-strong",
            "0.3",
            "--p-weak",
            "0.1",
            "--delay-strong",
            "exp:0.5",
        ])
        .args([
            "--delay-weak",
            "lognormal:1.5,1.0",
            "--hours",
            "24",
            "--runs",
            "50",
            "--seeds",
            "top-degree:5",
            "--json",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for k in ["mean", "std", "sem", "p05", "p50", "p95"] {
        assert!(v["final_reach"][k].is_number(), "final_reach.{k}");
    }
    for k in ["1", "4", "24", "horizon"] {
        assert!(
            v["reach_at_hours"][k]["mean"].is_number(),
            "reach_at_hours.{k}"
        );
    }
    assert!(v["time_to_fraction"]["0.1"].is_object());
    assert_eq!(v["parameters"]["runs"], 50);
    assert_eq!(v["parameters"]["delay_weak"], "lognormal:1.5,1");
    let on_disk: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(on_disk, v);
    for f in [
        "curves.csv",
        "curves.parquet",
        "summary.md",
        "adoption.png",
        "new_per_hour.png",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let csv = std::fs::read_to_string(out.join("curves.csv")).unwrap();
    assert!(csv.starts_with("label,hour,mean,p05,p50,p95,new_per_hour"));
    assert_eq!(csv.lines().count(), 1 + 241, "0, 0.1, ..., 24 h");
    // An existing non-empty directory is refused, and left as it was.
    fails(
        &[
            "simulate",
            g.to_str().unwrap(),
            "--runs",
            "5",
            "--out",
            out.to_str().unwrap(),
        ],
        &["not empty", "--force"],
    );
    assert_eq!(
        std::fs::read_to_string(out.join("curves.csv")).unwrap(),
        csv
    );

    let gs = g.to_str().unwrap();
    let fresh = d.path().join("never");
    let f = fresh.to_str().unwrap();
    let seeds = write(d.path(), "seeds.txt", "1\n999999\n");
    for (extra, needles) in [
        (vec!["--p", "1.5"], vec!["--p", "1.5"]),
        (vec!["--p", "nan"], vec!["--p", "NaN"]),
        (vec!["--p-weak", "-0.1"], vec!["--p-weak", "-0.1"]),
        (
            vec!["--delay-weak", "exp:-1"],
            vec!["--delay-weak", "exp:-1"],
        ),
        (
            vec!["--delay-strong", "lognormal:nan,1"],
            vec!["--delay-strong"],
        ),
        (vec!["--delay", "gamma:2"], vec!["--delay", "gamma:2"]),
        (vec!["--seeds", "top-degree:5000"], vec!["--seeds", "5000"]),
        (vec!["--seeds", "finest:3"], vec!["--seeds", "finest:3"]),
        (
            vec!["--seeds", &format!("file:{}", seeds.display())],
            vec!["seeds.txt:2", "999999"],
        ),
        (vec!["--runs", "0"], vec!["--runs"]),
        (vec!["--hours", "0"], vec!["--hours"]),
        (vec!["--hours", "-3"], vec!["--hours"]),
        (vec!["--step-hours", "0"], vec!["--step-hours"]),
        (vec!["--p", "0.1", "--p-strong", "0.2"], vec!["only one"]),
    ] {
        let mut args = vec!["simulate", gs, "--out", f];
        if extra[0] != "--runs" {
            args.extend(["--runs", "3"]);
        }
        args.extend(extra.iter().map(|s| &**s));
        fails(&args, &needles);
        assert!(!fresh.exists(), "no output for {extra:?}");
    }
}

#[test]
fn output_is_byte_identical_on_one_two_and_eight_threads() {
    let d = tempfile::tempdir().unwrap();
    let g = d.path().join("g.txt.gz");
    hongbao()
        .args(["generate", "alipay", "-n", "3000", "-o"])
        .arg(&g)
        .assert()
        .success();
    let mut outputs = vec![];
    for threads in ["1", "2", "8"] {
        let out = d.path().join(format!("t{threads}"));
        hongbao()
            .env("RAYON_NUM_THREADS", threads)
            .arg("simulate")
            .arg(&g)
            .args([
                "--p",
                "0.2",
                "--delay",
                "weibull:0.8,2",
                "--runs",
                "120",
                "--seeds",
                "random:10",
                "--seed",
                "9",
                "-q",
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        outputs.push(
            ["curves.csv", "curves.parquet", "summary.json", "summary.md"]
                .map(|f| std::fs::read(out.join(f)).unwrap()),
        );
    }
    assert!(outputs[0] == outputs[1] && outputs[0] == outputs[2]);
}

#[test]
fn compare_end_to_end_and_plot() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("cmp");
    hongbao()
        .args([
            "compare", "--nodes", "3000", "--runs", "30", "--hours", "12", "-q", "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    let platforms = v["platforms"].as_array().unwrap();
    assert_eq!(platforms.len(), 2);
    for p in platforms {
        assert_eq!(p["nodes"], 3000);
        assert!(p["parameters"]["rationale"]["activation"].is_string());
    }
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(md.contains("WeChat-like") && md.contains("Alipay-like") && md.contains("why"));
    let png = d.path().join("replot.png");
    hongbao()
        .arg("plot")
        .arg(out.join("curves.csv"))
        .arg(out.join("curves.parquet"))
        .args(["--log", "-o"])
        .arg(&png)
        .assert()
        .success();
    assert!(png.exists());
    fails(
        &[
            "plot",
            out.join("summary.json").to_str().unwrap(),
            "-o",
            d.path().join("x.png").to_str().unwrap(),
        ],
        &["summary.json"],
    );
    fails(
        &[
            "plot",
            out.join("curves.csv").to_str().unwrap(),
            "-o",
            d.path().join("x.jpg").to_str().unwrap(),
        ],
        &["PNG"],
    );
    fails(
        &[
            "compare",
            "--nodes",
            "1",
            "--runs",
            "2",
            "-q",
            "--out",
            d.path().join("c2").to_str().unwrap(),
        ],
        &["--nodes"],
    );
    assert!(!d.path().join("c2").exists());
}

#[test]
fn compare_runs_a_scenario_file() {
    let d = tempfile::tempdir().unwrap();
    let g = d.path().join("edges.txt");
    hongbao()
        .args(["generate", "ws", "-n", "800", "-o"])
        .arg(&g)
        .assert()
        .success();
    let sc = write(
        d.path(),
        "s.toml",
        r#"
title = "Three ways"
runs = 20
hours = 10
[[platform]]
label = "lattice file"
graph = { file = "edges.txt" }
ties = "overlap:0.3"
p = 0.2
[[platform]]
label = "generated"
graph = { model = "er", mean_degree = 4.0, nodes = 500 }
p_weak = 0.3
"#,
    );
    let out = d.path().join("o");
    hongbao()
        .args(["compare", "--scenario"])
        .arg(&sc)
        .args(["-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["title"], "Three ways");
    assert_eq!(v["platforms"][0]["nodes"], 800);
    assert_eq!(v["platforms"][1]["nodes"], 500);
    let bad = write(
        d.path(),
        "bad.toml",
        "[[platform]]\ngraph = { model = \"er\" }\np = 3.0\n",
    );
    fails(
        &[
            "compare",
            "--scenario",
            bad.to_str().unwrap(),
            "-q",
            "--out",
            d.path().join("b").to_str().unwrap(),
        ],
        // A scenario file's error names the file, the platform and the key as written there.
        &["bad.toml: platform 1: p = 3", "[0, 1]"],
    );
}

#[test]
fn shipped_scenarios_parse() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            hongbao::study::Scenario::from_file(&p)
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            n += 1;
        }
    }
    assert!(n >= 2);
}

#[test]
fn percolation_breaks_a_ring_of_cliques_only_when_weak_ties_go_first() {
    // Ten 6-cliques joined in a ring by one bridge each: bridges have overlap 0, clique ties high.
    let d = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for c in 0..10u32 {
        for i in 0..6u32 {
            for j in i + 1..6 {
                text.push_str(&format!("{} {}\n", 6 * c + i, 6 * c + j));
            }
        }
        text.push_str(&format!("{} {}\n", 6 * c + 5, (6 * (c + 1)) % 60));
    }
    let g = write(d.path(), "ring.txt", &text);
    let out = d.path().join("perc");
    hongbao()
        .arg("percolation")
        .arg(&g)
        .args(["--ties", "overlap:0.5", "--points", "160", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("percolation.csv")).unwrap();
    assert!(csv.starts_with("order,fraction_removed,largest_component,susceptibility\n"));
    let at = |order: &str, i: usize| -> f64 {
        let row = csv.lines().filter(|l| l.starts_with(order)).nth(i).unwrap();
        row.split(',').nth(2).unwrap().parse().unwrap()
    };
    // After 10 of 160 ties (the ten bridges, weakest first) only single cliques remain.
    assert_eq!(at("weakest-first", 10), 6.0 / 60.0);
    assert_eq!(at("strongest-first", 10), 1.0);
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["strength"], "overlap");
    assert!(
        v["weakest_first"]["largest_below_half_at"]
            .as_f64()
            .unwrap()
            < v["strongest_first"]["largest_below_half_at"]
                .as_f64()
                .unwrap()
    );
    assert!(out.join("percolation.png").exists());
    fails(
        &[
            "percolation",
            g.to_str().unwrap(),
            "--ties",
            "weight:2",
            "-q",
            "--out",
            d.path().join("p2").to_str().unwrap(),
        ],
        &["--ties", "no weights"],
    );
    assert!(!d.path().join("p2").exists());
}

#[test]
fn interaction_layers_make_ties_strong() {
    let d = tempfile::tempdir().unwrap();
    let fb = write(d.path(), "fb.csv", "a,b\n1,2\n2,3\n3,4\n");
    let calls = write(
        d.path(),
        "calls.csv",
        "t,caller,callee\n5,2,1\n9,1,2\n7,4,3\n8,1,4\n",
    );
    let out = hongbao()
        .arg("stats")
        .arg(&fb)
        .arg("--layer")
        .arg(format!("{}:caller,callee", calls.display()))
        .args(["--ties", "weight:2", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 1-2 has two calls (strong at weight >= 2), 3-4 one, 2-3 none; 1-4 is not a friendship.
    assert_eq!(
        (v["strong_ties"].as_u64(), v["weak_ties"].as_u64()),
        (Some(1), Some(2))
    );
    fails(
        &[
            "stats",
            fb.to_str().unwrap(),
            "--layer",
            &format!("{}:who,whom", calls.display()),
        ],
        &["calls.csv", "\"who\""],
    );
}

#[test]
fn observed_cascades_report() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "weibo.txt",
        "1\t1\t0\t3\t1:0 1/2:1800 1/2/3:7200\n2\t5\t0\t2\t5:0 5/6:3600\n",
    );
    let out = d.path().join("ob");
    hongbao()
        .args(["observed"])
        .arg(&f)
        .args([
            "--format",
            "weibo",
            "--hours",
            "4",
            "--step-hours",
            "1",
            "-q",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["cascades"], 2);
    assert_eq!(v["adopters"], 5);
    assert_eq!(v["delays_hours"]["count"], 3);
    let curves = hongbao::study::read_curves(&out.join("curves.csv")).unwrap();
    // Mean over the two cascades at 0, 1, 2, 3, 4 h: (1+1)/2, (2+2)/2, (3+2)/2, ...
    assert_eq!(curves[0].0.mean, vec![1.0, 2.0, 2.5, 2.5, 2.5]);
    assert!(out.join("adoption.png").exists() && out.join("delays.csv").exists());
    fails(
        &[
            "observed",
            f.to_str().unwrap(),
            "--format",
            "myspace",
            "--out",
            d.path().join("x").to_str().unwrap(),
        ],
        &["--format", "myspace"],
    );
    let bad = write(d.path(), "bad.txt", "1\t1\t0\t1\n");
    fails(
        &[
            "observed",
            bad.to_str().unwrap(),
            "--format",
            "weibo",
            "--out",
            d.path().join("y").to_str().unwrap(),
        ],
        &["bad.txt:1"],
    );
    assert!(!d.path().join("x").exists() && !d.path().join("y").exists());
}

#[test]
fn fit_recovers_a_known_time_model_end_to_end() {
    // 300 star cascades in the Weibo format: a root and 2–6 children each, delays log-normal with
    // a median of 0.5 h and sigma 1 (Box–Muller from a seeded generator).
    let mut rng = hongbao::rng::stream(5, 0);
    let mut text = String::new();
    let mut user = 1000u64;
    let mut children = 0usize;
    for id in 0..300 {
        let root = user;
        user += 1;
        let k = 2 + (id % 5);
        children += k;
        let mut parts = vec![format!("{root}:0")];
        for _ in 0..k {
            let (u1, u2) = (hongbao::rng::unit(&mut rng), hongbao::rng::unit(&mut rng));
            let z = (-2.0 * (1.0 - u1).ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            let seconds = 1800.0 * z.exp();
            parts.push(format!("{root}/{user}:{seconds:.3}"));
            user += 1;
        }
        text += &format!("{id}\t{root}\t0\t{}\t{}\n", k + 1, parts.join(" "));
    }
    let d = tempfile::tempdir().unwrap();
    let f = write(d.path(), "stars.txt", &text);
    let out = d.path().join("fit");
    hongbao()
        .arg("fit")
        .arg(&f)
        .args(["--format", "weibo", "--runs", "10", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["cascades"], 300);
    assert_eq!(v["delays"]["count"], children);
    assert_eq!(v["chosen"]["family"], "lognormal", "{v}");
    let spec = v["chosen"]["delay"].as_str().unwrap();
    let nums: Vec<f64> = spec[10..].split(',').map(|x| x.parse().unwrap()).collect();
    // 1,200 delays: the SE of ln(median) is 1/sqrt(1200) = 0.029, of sigma 0.02.
    assert!((nums[0].ln() - 0.5f64.ln()).abs() < 0.12, "{spec}");
    assert!((nums[1] - 1.0).abs() < 0.08, "{spec}");
    assert_eq!(v["candidates"].as_array().unwrap().len(), 3);
    // Stars: every child of a root, none further.
    assert_eq!(
        v["reproduction"]["mean_children_per_root"],
        children as f64 / 300.0
    );
    assert_eq!(v["reproduction"]["mean_children_per_non_root"], 0.0);
    // Simulating stars with the fitted delays gives the same adoption times in distribution:
    // 1,500 observed vs ~15,000 simulated times, the 0.1 % critical KS distance is 0.053.
    let ks = v["ks_distance"].as_f64().unwrap();
    assert!(ks < 0.053, "{ks}");
    assert_eq!(v["goodness_of_fit"]["ks_distance"], ks);
    for file in [
        "summary.md",
        "curves.csv",
        "curves.parquet",
        "delays.csv",
        "fit.png",
        "adoption_times.png",
        "delays.png",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
    let curves = hongbao::study::read_curves(&out.join("curves.csv")).unwrap();
    assert_eq!(curves.len(), 2);
    // The same seed gives the same bytes.
    let again = d.path().join("again");
    hongbao()
        .arg("fit")
        .arg(&f)
        .args(["--format", "weibo", "--runs", "10", "-q", "--out"])
        .arg(&again)
        .env("RAYON_NUM_THREADS", "1")
        .assert()
        .success();
    for file in ["summary.json", "curves.csv"] {
        assert_eq!(
            std::fs::read(out.join(file)).unwrap(),
            std::fs::read(again.join(file)).unwrap(),
            "{file}"
        );
    }
    // Bad options and bad input: exit 1, named, nothing written.
    let x = d.path().join("x");
    for (args, want) in [
        (vec!["--family", "gamma"], "gamma"),
        (vec!["--resolution-seconds", "0"], "--resolution-seconds"),
        (vec!["--runs", "0"], "--runs"),
        (vec!["--hours", "-1"], "--hours"),
    ] {
        let mut all = vec!["fit", f.to_str().unwrap(), "--format", "weibo"];
        all.extend(args);
        all.extend(["--out", x.to_str().unwrap()]);
        fails(&all, &[want]);
    }
    let bad = write(d.path(), "bad.txt", "1\t1\t0\t2\t1:0 1/2:soon\n");
    fails(
        &[
            "fit",
            bad.to_str().unwrap(),
            "--format",
            "weibo",
            "--out",
            x.to_str().unwrap(),
        ],
        &["bad.txt:1", "1/2:soon"],
    );
    assert!(!x.exists());
}

/// A reader that stops early (`hongbao stats g | head -1`) closes the pipe before hongbao
/// writes: the command ends quietly with exit 0, no panic message.
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    let g = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/wechat-2k.txt.gz");
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    let g = g.to_str().unwrap();
    let runs: [&[&str]; 3] = [
        &["stats", g],
        &["stats", g, "--json"],
        &[
            "simulate",
            g,
            "--runs",
            "20",
            "-q",
            "--json",
            "--out",
            out.to_str().unwrap(),
        ],
    ];
    for args in runs {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("hongbao"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Close the reading end before the graph is even loaded: every write then fails.
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
}
