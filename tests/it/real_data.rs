//! Tests on `../shared/data`; each skips cleanly when the data is absent.

use hongbao::graph::load::{LoadOptions, load};
use hongbao::graph::stats::stats;

#[test]
fn ego_facebook_has_4039_nodes_and_88234_edges() {
    let Some(p) = super::shared("ego-facebook/facebook_combined.txt.gz") else {
        return;
    };
    let g = load(&p, &LoadOptions::default()).unwrap();
    assert_eq!(g.node_count(), 4039);
    assert_eq!(g.edge_count(), 88234);
    let s = stats(&g);
    assert_eq!(s.components, 1);
    // SNAP lists average clustering 0.6055 and 1,612,010 triangles for this graph.
    assert_eq!(s.triangles, 1_612_010);
    assert!(
        (s.avg_clustering - 0.6055).abs() < 1e-3,
        "{}",
        s.avg_clustering
    );
}

#[test]
fn slashdot_directed_has_82168_nodes_and_948464_input_arcs() {
    let Some(p) = super::shared("soc-slashdot0902/soc-Slashdot0902.txt.gz") else {
        return;
    };
    let g = load(
        &p,
        &LoadOptions {
            directed: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(g.node_count(), 82168);
    // SNAP's 948,464 lines include 78,303 self-loops (SOURCE.md), which the CSR drops and counts.
    let c = g.build_counts();
    assert_eq!(c.input_edges, 948_464);
    assert_eq!(c.self_loops, 78_303);
    assert_eq!(c.duplicates, 0);
    assert_eq!(g.arc_count(), 948_464 - 78_303);
}

#[test]
fn karate_club_weights_classify() {
    let Some(p) = super::shared("karate-club/karate_weighted.txt") else {
        return;
    };
    let g = load(&p, &LoadOptions::default()).unwrap();
    assert_eq!((g.node_count(), g.edge_count()), (34, 78));
    // Count ties of weight >= 4 straight from the text, independently of the loader.
    let text = std::fs::read_to_string(&p).unwrap();
    let heavy = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter(|l| l.split_whitespace().nth(2).unwrap().parse::<f64>().unwrap() >= 4.0)
        .count();
    let g = hongbao::ties::classify(g, &"weight:4".parse().unwrap()).unwrap();
    assert_eq!(g.tie_split(), (heavy, 78 - heavy));
}

#[test]
fn karate_reach_agrees_with_the_peer_reference() {
    // ../shared/peers/README.md: karate, p = 0.1, the 3 highest-degree nodes seeded (ties by lower
    // id): an independent live-edge Monte Carlo of 4M samples gives 8.0882 ± 0.0013, and CyNetDiff,
    // NDlib and EoN agree with it.
    let Some(p) = super::shared("karate-club/karate_weighted.txt") else {
        return;
    };
    use hongbao::cascade::{Activation, Delay, Model, MonteCarlo, SeedSpec, simulate};
    use hongbao::curves::RunStats;
    let g = load(&p, &LoadOptions::default()).unwrap();
    let seeds = SeedSpec::TopDegree(3).resolve(&g, 1).unwrap();
    let seed_ids: Vec<String> = seeds.iter().map(|s| g.ids().label(s.0)).collect();
    assert_eq!(seed_ids, vec!["33", "0", "32"], "degrees 17, 16, 12");
    let m = Model {
        adoption: hongbao::cascade::Adoption::Ic,
        activation: Activation::Uniform { p: 0.1 },
        delay_strong: Delay::Exp { mean: 1.0 },
        delay_weak: Delay::Exp { mean: 1.0 },
        horizon_hours: None,
    };
    let s: RunStats = simulate(
        &g,
        &m,
        &seeds,
        MonteCarlo {
            runs: 400_000,
            seed: 5,
        },
        RunStats::default,
        &|| {},
    )
    .unwrap();
    let z = (s.mean() - 8.0882) / (s.sem().powi(2) + 0.0013f64.powi(2)).sqrt();
    assert!(z.abs() < 4.0, "mean {} sem {} z {z}", s.mean(), s.sem());
}

#[test]
fn copenhagen_friends_who_call_or_text_are_strong() {
    let Some(dir) = super::shared("copenhagen-networks-study") else {
        return;
    };
    let fb = dir.join("fb_friends.csv");
    let calls = dir.join("calls.csv");
    let sms = dir.join("sms.csv.gz");
    let opts = LoadOptions {
        layers: vec![
            format!("{}:caller,callee", calls.display()),
            format!("{}:sender,recipient", sms.display()),
        ],
        ..Default::default()
    };
    let g = load(&fb, &opts).unwrap();
    let g = hongbao::ties::classify(g, &"weight:1".parse().unwrap()).unwrap();
    // Independently: unordered Facebook pairs that also appear in calls or SMS.
    use std::collections::HashSet;
    let pairs = |text: &str, a: usize, b: usize| -> HashSet<(u64, u64)> {
        text.lines()
            .skip(1)
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                let (x, y): (u64, u64) = (f[a].trim().parse().ok()?, f[b].trim().parse().ok()?);
                (x != y).then_some((x.min(y), x.max(y)))
            })
            .collect()
    };
    let friends = pairs(&std::fs::read_to_string(&fb).unwrap(), 0, 1);
    let mut sms_text = String::new();
    use std::io::Read;
    flate2::read::GzDecoder::new(std::fs::File::open(&sms).unwrap())
        .read_to_string(&mut sms_text)
        .unwrap();
    let talk: HashSet<(u64, u64)> = pairs(&std::fs::read_to_string(&calls).unwrap(), 1, 2)
        .union(&pairs(&sms_text, 1, 2))
        .copied()
        .collect();
    let strong = friends.intersection(&talk).count();
    assert_eq!(g.tie_split(), (strong, friends.len() - strong));
    assert!(strong > 100, "{strong}");
}

#[test]
fn observed_cascades_match_their_source_counts() {
    use hongbao::observed::{CascadeFormat, load_cascades};
    if let Some(p) = super::shared("higgs-twitter/higgs-activity_time.txt.gz") {
        // SOURCE.md: 228,556 distinct retweeters over 168.0 h.
        let c = load_cascades(&p, CascadeFormat::Higgs).unwrap();
        assert_eq!(c[0].adoption_hours.len(), 228_556);
        assert!(*c[0].adoption_hours.last().unwrap() <= 168.0);
    }
    if let Some(p) = super::shared("twitter15-16-propagation-trees/twitter15_16.tar.gz") {
        // SOURCE.md: 1,490 twitter15 trees and 818 twitter16 trees.
        let c = load_cascades(&p, CascadeFormat::TwitterTree).unwrap();
        assert_eq!(c.len(), 1490 + 818);
    }
    if let Some(p) = super::shared("weibo-deephawkes-sample/dataset.txt") {
        // SOURCE.md: 30 cascades of 10 to 2,239 participants, delays up to 24 h.
        let c = load_cascades(&p, CascadeFormat::Weibo).unwrap();
        assert_eq!(c.len(), 30);
        assert!(
            c.iter()
                .all(|c| (10..=2239).contains(&c.adoption_hours.len()))
        );
        assert!(
            c.iter()
                .all(|c| *c.adoption_hours.last().unwrap() <= 24.0 + 1e-9)
        );
    }
}

#[test]
fn fit_on_the_weibo_sample() {
    let Some(p) = super::shared("weibo-deephawkes-sample/dataset.txt") else {
        return;
    };
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("fit");
    assert_cmd::Command::cargo_bin("hongbao")
        .unwrap()
        .arg("fit")
        .arg(&p)
        .args(["--format", "weibo", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["cascades"], 30);
    let (adopters, roots) = (
        v["adopters"].as_u64().unwrap(),
        v["reproduction"]["roots"].as_u64().unwrap(),
    );
    // Every cascade has its root; every other adopter has exactly one parent and one delay.
    assert!(roots >= 30, "{roots}");
    assert_eq!(v["delays"]["count"].as_u64().unwrap(), adopters - roots);
    // SOURCE.md: delays up to 24 h.
    assert!(v["delays"]["median"].as_f64().unwrap() < 24.0);
    // The fitted model is a reasonable description (0.09 when this test was written).
    let ks = v["ks_distance"].as_f64().unwrap();
    assert!(ks < 0.2, "{ks}");
}

#[test]
fn collegemsg_message_counts_are_tie_weights() {
    let Some(p) = super::shared("collegemsg/CollegeMsg.txt.gz") else {
        return;
    };
    let opts = LoadOptions {
        weight: Some("rows".into()),
        ..Default::default()
    };
    let g = load(&p, &opts).unwrap();
    // SOURCE.md: 1,899 nodes, 59,835 messages, 13,838 unordered pairs.
    assert_eq!(g.node_count(), 1899);
    assert_eq!(g.edge_count(), 13_838);
    let total: f64 = g.weights().unwrap().iter().map(|&w| w as f64).sum();
    assert_eq!(
        total,
        2.0 * 59_835.0,
        "every message counted once on each arc of its pair"
    );
    assert!(g.weights().unwrap().iter().all(|&w| w >= 1.0));
}
