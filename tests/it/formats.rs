//! GraphML, Pajek and Matrix Market: round trips through the writers, files other tools write,
//! and bad input named by file, line and value.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use hongbao::graph::load::{LoadOptions, load};
use hongbao::graph::{EdgeList, Graph, NodeIds, TieClass};

/// Edges as (src label, dst label, tie, weight bits), undirected ones with the smaller label first.
fn edge_set(g: &Graph, ties: bool) -> BTreeSet<(String, String, Option<TieClass>, Option<u32>)> {
    let ids = g.ids();
    g.edges()
        .map(|(u, v, t, w)| {
            let (a, b) = (ids.label(u), ids.label(v));
            let (a, b) = if g.is_directed() || a <= b {
                (a, b)
            } else {
                (b, a)
            };
            (a, b, ties.then_some(t), w.map(f32::to_bits))
        })
        .collect()
}

/// A small graph with awkward text ids, both tie classes, weights and an isolated node.
fn sample(directed: bool) -> Graph {
    let ids: Vec<String> = ["a&b", "bob", "c<d>", "dave \"d\"", "eve", "lonely"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    let at = |s: &str| sorted.iter().position(|x| x == s).unwrap() as u32;
    let pairs = [
        ("a&b", "bob", TieClass::Strong, 2.5),
        ("bob", "c<d>", TieClass::Weak, 1.0),
        ("c<d>", "dave \"d\"", TieClass::Strong, 0.25),
        ("dave \"d\"", "a&b", TieClass::Weak, 7.0),
        ("eve", "bob", TieClass::Strong, 3.0),
    ];
    Graph::from_edges(
        EdgeList {
            n: sorted.len(),
            src: pairs.iter().map(|p| at(p.0)).collect(),
            dst: pairs.iter().map(|p| at(p.1)).collect(),
            ties: Some(pairs.iter().map(|p| p.2).collect()),
            weights: Some(pairs.iter().map(|p| p.3).collect()),
            ids: NodeIds::Text(sorted),
        },
        directed,
    )
}

fn round_trip(name: &str, g: &Graph) -> Graph {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join(name);
    hongbao::report::write_graph(g, &p, false).unwrap();
    load(&p, &LoadOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn graphml_keeps_ids_direction_ties_weights_and_isolated_nodes() {
    for directed in [false, true] {
        let g = sample(directed);
        for name in ["g.graphml", "g.graphml.gz"] {
            let back = round_trip(name, &g);
            assert_eq!(back.is_directed(), directed, "{name}");
            assert_eq!(back.node_count(), 6, "{name}: the isolated node too");
            assert_eq!(back.ids(), g.ids(), "{name}");
            assert_eq!(edge_set(&back, true), edge_set(&g, true), "{name}");
        }
    }
}

#[test]
fn pajek_keeps_labels_direction_and_weights() {
    for directed in [false, true] {
        let g = sample(directed);
        let back = round_trip("g.net", &g);
        assert_eq!(back.is_directed(), directed);
        assert_eq!(back.node_count(), 6);
        // Labels lose their double quotes (Pajek cannot hold them).
        assert!(back.ids().find("dave 'd'").is_some());
        assert_eq!(edge_set(&back, false).len(), 5);
        let w: Vec<u32> = edge_set(&back, false)
            .iter()
            .map(|e| e.3.unwrap())
            .collect();
        let mut want: Vec<u32> = edge_set(&g, false).iter().map(|e| e.3.unwrap()).collect();
        let mut got = w.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want);
    }
}

#[test]
fn matrix_market_keeps_structure_direction_and_weights_by_position() {
    for directed in [false, true] {
        let g = sample(directed);
        let back = round_trip("g.mtx", &g);
        assert_eq!(back.is_directed(), directed);
        assert_eq!(back.node_count(), 6);
        // Node i of the file is the i-th node in id order: labels become 1..n.
        let relabel = |s: &str| {
            let i = g.ids().find(s).unwrap();
            (i + 1).to_string()
        };
        let want: BTreeSet<_> = edge_set(&g, false)
            .into_iter()
            .map(|(a, b, _, w)| {
                let (a, b) = (relabel(&a), relabel(&b));
                let (a, b) = if directed || a <= b { (a, b) } else { (b, a) };
                (a, b, None, w)
            })
            .collect();
        assert_eq!(edge_set(&back, false), want);
    }
}

#[test]
fn mixed_files_make_undirected_edges_two_arcs() {
    let d = tempfile::tempdir().unwrap();
    let net = d.path().join("mixed.net");
    std::fs::write(
        &net,
        "*Vertices 3\n*Arcs\n1 2\n*Edges\n2 3\n*Arcslist\n3 1\n",
    )
    .unwrap();
    let g = load(&net, &LoadOptions::default()).unwrap();
    assert!(g.is_directed());
    // 1→2, 2→3, 3→2, 3→1.
    assert_eq!(g.edge_count(), 4);
    let gml = d.path().join("mixed.graphml");
    std::fs::write(
        &gml,
        r#"<graphml><graph edgedefault="undirected"><node id="x"/><node id="y"/><node id="z"/>
<edge source="x" target="y"/><edge source="y" target="z" directed="true"/></graph></graphml>"#,
    )
    .unwrap();
    let g = load(&gml, &LoadOptions::default()).unwrap();
    assert!(g.is_directed());
    assert_eq!(g.edge_count(), 3);
    let mtx = d.path().join("pattern.mtx");
    std::fs::write(
        &mtx,
        "%%MatrixMarket matrix coordinate pattern symmetric\n% c\n4 4 2\n2 1\n3 2\n",
    )
    .unwrap();
    let g = load(&mtx, &LoadOptions::default()).unwrap();
    assert!(!g.is_directed() && g.weights().is_none());
    assert_eq!((g.node_count(), g.edge_count()), (4, 2));
}

#[test]
fn a_chosen_graphml_attribute_gives_weights_and_ties() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("attrs.graphml");
    std::fs::write(
        &p,
        r#"<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="d0" for="edge" attr.name="calls" attr.type="int"><default>1</default></key>
  <key id="d1" for="edge" attr.name="kind" attr.type="string"/>
  <graph edgedefault="undirected">
    <node id="1"/><node id="2"/><node id="3"/>
    <edge source="1" target="2"><data key="d0">5</data><data key="d1">weak</data></edge>
    <edge source="2" target="3"><data key="d1">strong</data></edge>
  </graph>
</graphml>"#,
    )
    .unwrap();
    let opts = LoadOptions {
        weight: Some("calls".into()),
        tie: Some("kind".into()),
        ..LoadOptions::default()
    };
    let g = load(&p, &opts).unwrap();
    assert!(g.ids().is_numeric());
    let (one, two, three) = (
        g.ids().find("1").unwrap(),
        g.ids().find("2").unwrap(),
        g.ids().find("3").unwrap(),
    );
    let a = g.find_arc(one, two).unwrap();
    let b = g.find_arc(two, three).unwrap();
    assert_eq!(g.weights().unwrap()[a], 5.0);
    assert_eq!(g.weights().unwrap()[b], 1.0, "the key's default");
    assert_eq!(g.ties()[a], TieClass::Weak);
    assert_eq!(g.ties()[b], TieClass::Strong);
    let e = load(
        &p,
        &LoadOptions {
            weight: Some("duration".into()),
            ..LoadOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("attrs.graphml") && e.contains("duration") && e.contains("calls"),
        "{e}"
    );
}

#[test]
fn bad_files_are_refused_with_file_line_and_value() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "a.graphml",
            "<graphml><graph>\n<node id=\"1\"/>\n<edge source=\"1\"/>\n</graph></graphml>",
            ":3:",
            "target",
        ),
        (
            "b.graphml",
            "<graphml><graph edgedefault=\"sideways\">\n</graph></graphml>",
            ":1:",
            "sideways",
        ),
        (
            "c.graphml",
            "<graphml><graph>\n<node id=\"1\"/>\n<edge source=\"1\" target=\"2\"></graph>",
            ":3:",
            "XML",
        ),
        (
            "d.graphml",
            "<graphml>\n<key id=\"w\" for=\"edge\" attr.name=\"weight\"/><graph>\n<edge source=\"1\" target=\"2\"><data key=\"w\">heavy</data></edge>\n</graph></graphml>",
            ":3:",
            "heavy",
        ),
        (
            "e.graphml",
            "<graphml><graph>\n<hyperedge/>\n</graph></graphml>",
            ":2:",
            "hyperedge",
        ),
        ("f.graphml", "<graphml/>", "f.graphml", "no <graph>"),
        ("a.net", "*Vertices 3\n*Edges\n1 2\n2 9\n", ":4:", "\"9\""),
        ("b.net", "*Vertices 3\n*Edges\n1 2 lots\n", ":3:", "lots"),
        ("c.net", "*Vertices many\n", ":1:", "Vertices"),
        ("d.net", "*Edges\n1 2\n", ":2:", "Vertices"),
        ("e.net", "*Vertices 2\n*Matrix\n0 1\n1 0\n", ":2:", "Matrix"),
        (
            "a.mtx",
            "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 2 0.5\n4 1 1\n",
            ":4:",
            "\"4\"",
        ),
        (
            "b.mtx",
            "%%MatrixMarket matrix array real general\n2 2\n1\n0\n0\n1\n",
            ":1:",
            "array",
        ),
        (
            "c.mtx",
            "%%MatrixMarket matrix coordinate real general\n3 4 1\n1 2 1\n",
            ":2:",
            "square",
        ),
        (
            "d.mtx",
            "%%MatrixMarket matrix coordinate real general\n3 3 3\n1 2 1\n",
            ":3:",
            "fewer",
        ),
        (
            "e.mtx",
            "%%MatrixMarket matrix coordinate real general\n3 3 1\n1 2 -1\n",
            ":3:",
            "-1",
        ),
        ("f.mtx", "1 2\n", ":1:", "banner"),
        (
            "g.mtx",
            "%%MatrixMarket matrix coordinate complex general\n3 3 1\n1 2 1 0\n",
            ":1:",
            "complex",
        ),
    ];
    let d = tempfile::tempdir().unwrap();
    for (name, text, place, value) in cases {
        let p = d.path().join(name);
        std::fs::write(&p, text).unwrap();
        let e = load(&p, &LoadOptions::default())
            .err()
            .unwrap_or_else(|| panic!("{name} was accepted"))
            .to_string();
        assert!(
            e.contains(name) && e.contains(place) && e.contains(value),
            "{name}: {e}"
        );
    }
}

#[test]
fn a_file_claiming_billions_of_vertices_is_refused_before_allocating() {
    let d = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("huge.net", "*Vertices 4000000000\n"),
        (
            "huge.mtx",
            "%%MatrixMarket matrix coordinate pattern general\n4000000000 4000000000 0\n",
        ),
    ] {
        let p = d.path().join(name);
        std::fs::write(&p, text).unwrap();
        let e = load(&p, &LoadOptions::default()).unwrap_err().to_string();
        assert!(e.contains(name) && e.contains("4000000000"), "{e}");
    }
}

/// A GraphML file written by NetworkX loads with its counts and attributes (skipped without
/// NetworkX).
#[test]
fn a_networkx_graphml_file_loads() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("nx.graphml");
    let script = format!(
        r#"
import networkx as nx
G = nx.karate_club_graph()
for i, (u, v) in enumerate(G.edges()):
    G[u][v]["tie"] = "strong" if i % 3 else "weak"
G.add_node(99)
nx.write_graphml(G, r"{}")
print(G.number_of_nodes(), G.number_of_edges(), sum(d["weight"] for _, _, d in G.edges(data=True)),
      sum(1 for _, _, d in G.edges(data=True) if d["tie"] == "weak"))
"#,
        p.display()
    );
    let Ok(o) = Command::new("python3").args(["-c", &script]).output() else {
        eprintln!("skipped: no python3");
        return;
    };
    if !o.status.success() {
        eprintln!(
            "skipped: NetworkX absent ({})",
            String::from_utf8_lossy(&o.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        return;
    }
    let out = String::from_utf8_lossy(&o.stdout);
    let f: Vec<f64> = out.split_whitespace().map(|s| s.parse().unwrap()).collect();
    let g = load(&p, &LoadOptions::default()).unwrap();
    assert_eq!(g.node_count() as f64, f[0]);
    assert_eq!(g.edge_count() as f64, f[1]);
    assert!(!g.is_directed());
    let total: f64 = g.edges().map(|e| e.3.unwrap() as f64).sum();
    assert_eq!(total, f[2]);
    let weak = g.edges().filter(|e| e.2 == TieClass::Weak).count();
    assert_eq!(weak as f64, f[3]);
}

/// The binary: `generate` writes GraphML that `simulate` and `stats` read.
#[test]
fn the_commands_read_and_write_the_new_formats() {
    let bin = Path::new(env!("CARGO_BIN_EXE_hongbao"));
    let d = tempfile::tempdir().unwrap();
    let g = d.path().join("w.graphml");
    let o = Command::new(bin)
        .args([
            "generate", "wechat", "--nodes", "300", "--seed", "3", "-q", "--output",
        ])
        .arg(&g)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let txt = d.path().join("w.txt");
    Command::new(bin)
        .args([
            "generate", "wechat", "--nodes", "300", "--seed", "3", "-q", "--output",
        ])
        .arg(&txt)
        .output()
        .unwrap();
    let stats = |p: &Path| {
        let o = Command::new(bin)
            .arg("stats")
            .arg(p)
            .arg("--json")
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        (
            v["nodes"].clone(),
            v["edges"].clone(),
            v["strong_ties"].clone(),
        )
    };
    assert_eq!(stats(&g), stats(&txt));
    let o = Command::new(bin)
        .args(["simulate"])
        .arg(&g)
        .args(["--runs", "20", "-q", "--out"])
        .arg(d.path().join("r"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A bad file through the binary: exit 1, file and line named.
    let bad = d.path().join("bad.net");
    std::fs::write(&bad, "*Vertices 2\n*Edges\n1 3\n").unwrap();
    let o = Command::new(bin).arg("stats").arg(&bad).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.net:3:") && err.contains("\"3\""), "{err}");
}
