//! The reinforcement models, sweeps and the decomposition through the binary: what they write,
//! and bad input refused with exit 1, the flag or key and the value named, and nothing written.

use std::path::Path;

use super::cli::hongbao;

/// Runs `args`, expects exit code 1, every needle in stderr, no panic, and `out` not created.
fn refused(args: &[&str], needles: &[&str], out: &Path) {
    let o = hongbao().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: {n:?} not in {err:?}");
    }
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
    let parent = out.parent().unwrap();
    let staging = std::fs::read_dir(parent)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("staging")
        })
        .count();
    assert_eq!(staging, 0, "no staging directory left behind");
}

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn bad_models_are_refused_by_flag_and_by_key() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    let o = out.to_str().unwrap();
    let g = data("wechat-2k.txt.gz");
    for (model, needle) in [
        ("threshold:0", "at least 1"),
        ("fractional:1.5", "(0, 1]"),
        ("dose:", "C1,C2"),
        ("dose:0.2,1.5", "1.5 is not a chance"),
        ("dose:0.4,0.2", "must not decrease"),
        ("contagious", "unknown model"),
    ] {
        refused(
            &["simulate", &g, "--model", model, "--runs", "5", "--out", o],
            &["--model", model, needle],
            &out,
        );
    }
    refused(
        &[
            "simulate",
            &g,
            "--lt-weights",
            "graph",
            "--runs",
            "5",
            "--out",
            o,
        ],
        &["--lt-weights", "--model lt"],
        &out,
    );
    refused(
        &[
            "simulate",
            &g,
            "--model",
            "lt",
            "--lt-weights",
            "graph",
            "--runs",
            "5",
            "--out",
            o,
        ],
        &["--lt-weights", "no weights"],
        &out,
    );
    let sc = d.path().join("bad.toml");
    std::fs::write(
        &sc,
        "[[platform]]\ngraph = { model = \"er\" }\nmodel = \"dose:0.5,0.1\"\n",
    )
    .unwrap();
    refused(
        &["compare", "--scenario", sc.to_str().unwrap(), "--out", o],
        &[
            "bad.toml: platform 1: model = \"dose:0.5,0.1\"",
            "must not decrease",
        ],
        &out,
    );
}

#[test]
fn simulate_with_a_model_reports_it() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("r");
    let o = hongbao()
        .args([
            "simulate",
            &data("wechat-2k.txt.gz"),
            "--model",
            "threshold:2",
            "--delay",
            "fixed:1",
        ])
        .args([
            "--seeds",
            "top-degree:20",
            "--runs",
            "50",
            "-q",
            "--json",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["parameters"]["model"], "threshold:2");
    assert_eq!(
        v["parameters"]["activation"]["p"], 1.0,
        "every exposure reaches by default"
    );
    assert!(v["final_reach"]["mean"].as_f64().unwrap() >= 20.0);
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(md.contains("| model | threshold:2 |"), "{md}");
}

#[test]
fn sweep_writes_its_report_and_refuses_bad_ranges() {
    let d = tempfile::tempdir().unwrap();
    let sc = d.path().join("s.toml");
    std::fs::write(
        &sc,
        "title = \"tiny\"\nnodes = 400\nruns = 10\nhours = 12\n\
         [[platform]]\nlabel = \"A\"\ngraph = { model = \"er\", mean_degree = 4.0 }\nmodel = \"fractional:0.2\"\n\
         delay = \"fixed:1\"\nseeds = \"random-per-run:2\"\n\
         [[platform]]\nlabel = \"B\"\ngraph = { model = \"ws\" }\np = 0.3\n",
    )
    .unwrap();
    let s = sc.to_str().unwrap();
    let out = d.path().join("one");
    hongbao()
        .args([
            "sweep",
            s,
            "--vary",
            "1.graph.mean_degree=2:6:3",
            "-q",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    for f in [
        "sweep.csv",
        "sweep.parquet",
        "sweep.png",
        "summary.md",
        "summary.json",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(
        csv.starts_with("1.graph.mean_degree,platform,nodes,runs,final_reach,"),
        "{csv}"
    );
    assert_eq!(
        csv.lines().count(),
        1 + 3 * 2,
        "a row per point and platform"
    );
    let two = d.path().join("two");
    hongbao()
        .args([
            "sweep",
            s,
            "--vary",
            "2.p=0.1:0.5:3",
            "--vary",
            "hours=6:12:2",
            "-q",
            "--out",
        ])
        .arg(&two)
        .assert()
        .success();
    let png = image_size(&two.join("sweep.png"));
    assert_eq!(png, (1600, 1000));
    let bad = d.path().join("bad");
    let b = bad.to_str().unwrap();
    for (vary, needle) in [
        ("colour=1:2:3", "unknown key"),
        ("p=0:1:0", "empty range"),
        ("p=1:0", "KEY=FROM:TO:STEPS"),
        ("model.3=0.1:0.2:2", "has 1 numbers"),
        ("2.model.1=0.1:0.2:2", "has no model spec"),
    ] {
        refused(
            &["sweep", s, "--vary", vary, "--out", b],
            &["--vary", vary.split('=').next().unwrap(), needle],
            &bad,
        );
    }
    refused(
        &[
            "sweep",
            s,
            "--vary",
            "2.p=0:1:101",
            "--vary",
            "hours=1:100:100",
            "--out",
            b,
        ],
        &["--vary", "10100 points", "--force"],
        &bad,
    );
}

#[test]
fn decompose_takes_the_gap_apart() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("dec");
    hongbao()
        .args([
            "compare",
            "--decompose",
            "--nodes",
            "2000",
            "--runs",
            "10",
            "-q",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("decomposition.csv")).unwrap();
    assert_eq!(csv.lines().count(), 5, "{csv}");
    let md = std::fs::read_to_string(out.join("summary.md")).unwrap();
    for n in [
        "(a) shape only",
        "(b) + tie strength",
        "(c) + reinforcement",
        "(d) the scenario",
        "The largest single ingredient",
    ] {
        assert!(md.contains(n), "{n} not in {md}");
    }
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["compare"]["platforms"].as_array().unwrap().len(), 8);
    assert_eq!(v["rungs"][3]["rung"], "d");
}

#[test]
fn centola_lattices_and_twins_from_the_command_line() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("lattice.txt");
    hongbao()
        .args([
            "generate",
            "centola",
            "-n",
            "144",
            "-p",
            "lattice=moore",
            "-p",
            "rewire=degree-preserving",
            "-q",
            "-o",
        ])
        .arg(&f)
        .assert()
        .success();
    let o = hongbao()
        .args(["stats", "--json"])
        .arg(&f)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["nodes"].as_u64(), v["edges"].as_u64()),
        (Some(144), Some(576))
    );
    assert!(
        v["avg_clustering"].as_f64().unwrap() < 0.2,
        "the twin is not clustered: {v}"
    );
    let bad = d.path().join("bad.txt");
    refused(
        &[
            "generate",
            "centola",
            "-n",
            "97",
            "-o",
            bad.to_str().unwrap(),
        ],
        &["--nodes", "97", "w × h"],
        &bad,
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for name in ["centola-2010.toml", "watts-2002.toml"] {
        hongbao::study::Scenario::from_file(&root.join(name)).unwrap();
    }
}

/// Width and height of a PNG.
fn image_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    (info.width, info.height)
}
