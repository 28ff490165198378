//! Graph files in the formats other tools read: GraphML (NetworkX, Gephi, igraph, yEd), Pajek
//! `.net` and Matrix Market `.mtx`. GraphML keeps node ids, direction, tie classes and weights;
//! Pajek keeps ids (as vertex labels), direction and weights; Matrix Market keeps direction and
//! weights, and nodes by position only (row i is the i-th node in id order).

use std::io::{Result, Write};

use crate::graph::Graph;
use crate::graph::load::Format;

/// Writes `graph` to `w` in `format` (GraphML, Pajek or Matrix Market).
pub(super) fn write(graph: &Graph, format: Format, w: &mut dyn Write) -> Result<()> {
    match format {
        Format::Graphml => graphml(graph, w),
        Format::Pajek => pajek(graph, w),
        _ => mtx(graph, w),
    }
}

fn graphml(graph: &Graph, w: &mut dyn Write) -> Result<()> {
    use quick_xml::escape::escape;
    let ids = graph.ids();
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">"#
    )?;
    writeln!(
        w,
        r#"  <key id="tie" for="edge" attr.name="tie" attr.type="string"/>"#
    )?;
    if graph.weights().is_some() {
        writeln!(
            w,
            r#"  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>"#
        )?;
    }
    writeln!(
        w,
        r#"  <graph id="G" edgedefault="{}">"#,
        if graph.is_directed() {
            "directed"
        } else {
            "undirected"
        }
    )?;
    for u in 0..graph.node_count() as u32 {
        writeln!(w, r#"    <node id="{}"/>"#, escape(ids.label(u).as_str()))?;
    }
    for (u, v, t, wt) in graph.edges() {
        write!(
            w,
            r#"    <edge source="{}" target="{}"><data key="tie">{}</data>"#,
            escape(ids.label(u).as_str()),
            escape(ids.label(v).as_str()),
            t.as_str()
        )?;
        if let Some(x) = wt {
            write!(w, r#"<data key="weight">{x}</data>"#)?;
        }
        writeln!(w, "</edge>")?;
    }
    writeln!(w, "  </graph>")?;
    writeln!(w, "</graphml>")
}

fn pajek(graph: &Graph, w: &mut dyn Write) -> Result<()> {
    let ids = graph.ids();
    writeln!(w, "*Vertices {}", graph.node_count())?;
    for u in 0..graph.node_count() as u32 {
        // A label cannot hold a double quote.
        writeln!(w, "{} \"{}\"", u + 1, ids.label(u).replace('"', "'"))?;
    }
    writeln!(
        w,
        "{}",
        if graph.is_directed() {
            "*Arcs"
        } else {
            "*Edges"
        }
    )?;
    for (u, v, _, wt) in graph.edges() {
        match wt {
            Some(x) => writeln!(w, "{} {} {x}", u + 1, v + 1)?,
            None => writeln!(w, "{} {}", u + 1, v + 1)?,
        }
    }
    Ok(())
}

fn mtx(graph: &Graph, w: &mut dyn Write) -> Result<()> {
    let weighted = graph.weights().is_some();
    writeln!(
        w,
        "%%MatrixMarket matrix coordinate {} {}",
        if weighted { "real" } else { "pattern" },
        if graph.is_directed() {
            "general"
        } else {
            "symmetric"
        }
    )?;
    writeln!(
        w,
        "% written by hongbao: row i is the i-th node in id order"
    )?;
    let n = graph.node_count();
    writeln!(w, "{n} {n} {}", graph.edge_count())?;
    for (u, v, _, wt) in graph.edges() {
        // A symmetric matrix lists its lower triangle: row >= column.
        let (r, c) = if graph.is_directed() {
            (u, v)
        } else {
            (u.max(v), u.min(v))
        };
        match wt {
            Some(x) => writeln!(w, "{} {} {x}", r + 1, c + 1)?,
            None => writeln!(w, "{} {}", r + 1, c + 1)?,
        }
    }
    Ok(())
}
