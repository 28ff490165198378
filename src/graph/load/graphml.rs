//! GraphML (`.graphml`, `.graphml.gz`), as NetworkX, Gephi, igraph and yEd write it: `<key>`
//! declarations, one `<graph>` with its `edgedefault`, `<node id>`s (isolated ones kept) and
//! `<edge source target [directed]>`s whose `<data>` give the weight and tie columns by attribute
//! name (`--weight ATTR`, `--tie ATTR`; by default `weight` and `tie` when declared). Nested
//! graphs, hyperedges and ports are refused with the line they are on.

use std::collections::HashMap;
use std::path::Path;

use quick_xml::events::{BytesStart, Event};

use super::super::{EdgeList, TieClass};
use super::{Declared, LoadOptions, ids_from_labels};
use crate::{Error, Result};

/// One `<key>`: its attribute name, and its `<default>` if any.
#[derive(Default)]
struct Key {
    name: String,
    default: Option<String>,
}

/// The reader's place in the document, for line numbers.
struct Lines<'a> {
    bytes: &'a [u8],
    /// Bytes counted so far, and the newlines among them.
    upto: usize,
    line: u64,
}

impl Lines<'_> {
    /// The 1-based line of byte offset `pos` (offsets only grow).
    fn at(&mut self, pos: u64) -> u64 {
        let pos = (pos as usize).min(self.bytes.len());
        if pos > self.upto {
            self.line += self.bytes[self.upto..pos]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.upto = pos;
        }
        self.line
    }
}

/// The value of attribute `name` of `e`, unescaped.
fn attr(e: &BytesStart, name: &[u8]) -> std::result::Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|err| err.to_string())?;
        if a.key.local_name().as_ref() == name {
            return a
                .unescape_value()
                .map(|v| Some(v.into_owned()))
                .map_err(|err| err.to_string());
        }
    }
    Ok(None)
}

/// An edge being read: its ends, direction and the values of its data keys.
struct OpenEdge {
    src: String,
    dst: String,
    directed: Option<bool>,
    data: HashMap<String, String>,
}

/// Reads a GraphML file.
pub(super) fn read(path: &Path, opts: &LoadOptions) -> Result<Declared> {
    let bytes = crate::input::read_bytes(path)?;
    let mut reader = quick_xml::Reader::from_reader(&bytes[..]);
    let mut lines = Lines {
        bytes: &bytes,
        upto: 0,
        line: 1,
    };
    let parse = |line: u64, value: &str, msg: &str| Error::Parse {
        path: path.to_path_buf(),
        line,
        value: value.chars().take(80).collect(),
        msg: msg.into(),
    };

    let mut keys: HashMap<String, Key> = HashMap::new();
    let mut nodes: Vec<String> = Vec::new();
    // Each edge with the line it ends on.
    let mut edges: Vec<(OpenEdge, u64)> = Vec::new();
    let mut default_directed = false;
    let mut graphs = 0u32;
    // Inside <key> (reading its <default>), <edge>, and <data key=..> (collecting its text).
    let mut open_key: Option<String> = None;
    let mut open_edge: Option<OpenEdge> = None;
    let mut open_data: Option<(String, String)> = None;
    let mut in_default = false;
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf);
        let line = lines.at(reader.buffer_position());
        let event = match event {
            Ok(e) => e,
            Err(e) => {
                let line = lines.at(reader.error_position());
                return Err(parse(line, &e.to_string(), "not well-formed XML"));
            }
        };
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let tag = e.local_name().as_ref().to_vec();
            let get = |name: &[u8]| attr(&e, name).map_err(|m| parse(line, &m, "a bad attribute"));
            match tag.as_slice() {
                b"key" => {
                    let id =
                        get(b"id")?.ok_or_else(|| parse(line, "<key>", "a <key> without an id"))?;
                    let name = get(b"attr.name")?.unwrap_or_else(|| id.clone());
                    keys.insert(
                        id.clone(),
                        Key {
                            name,
                            default: None,
                        },
                    );
                    if !empty {
                        open_key = Some(id);
                    }
                }
                b"default" if open_key.is_some() && !empty => in_default = true,
                b"graph" => {
                    graphs += 1;
                    if graphs > 1 {
                        return Err(parse(
                            line,
                            "<graph>",
                            "a second or nested graph: hongbao reads one graph per file",
                        ));
                    }
                    default_directed = match get(b"edgedefault")?.as_deref() {
                        Some("directed") => true,
                        Some("undirected") | None => false,
                        Some(other) => {
                            return Err(parse(
                                line,
                                other,
                                "edgedefault must be directed or undirected",
                            ));
                        }
                    };
                }
                b"node" => {
                    let id = get(b"id")?
                        .ok_or_else(|| parse(line, "<node>", "a <node> without an id"))?;
                    nodes.push(id);
                }
                b"edge" => {
                    let src = get(b"source")?
                        .ok_or_else(|| parse(line, "<edge>", "an <edge> without a source"))?;
                    let dst = get(b"target")?
                        .ok_or_else(|| parse(line, "<edge>", "an <edge> without a target"))?;
                    let directed = match get(b"directed")?.as_deref() {
                        Some("true") => Some(true),
                        Some("false") => Some(false),
                        None => None,
                        Some(other) => {
                            return Err(parse(line, other, "directed must be true or false"));
                        }
                    };
                    let edge = OpenEdge {
                        src,
                        dst,
                        directed,
                        data: HashMap::new(),
                    };
                    if empty {
                        edges.push((edge, line));
                    } else {
                        open_edge = Some(edge);
                    }
                }
                b"data" if open_edge.is_some() && !empty => {
                    let key = get(b"key")?
                        .ok_or_else(|| parse(line, "<data>", "a <data> without a key"))?;
                    open_data = Some((key, String::new()));
                }
                b"hyperedge" => {
                    return Err(parse(line, "<hyperedge>", "hyperedges are not supported"));
                }
                b"port" => return Err(parse(line, "<port>", "ports are not supported")),
                _ => {}
            }
            buf.clear();
            continue;
        }
        match event {
            Event::Text(t) => {
                let text = t
                    .xml_content()
                    .map_err(|e| parse(line, &e.to_string(), "text that is not UTF-8"))?;
                if let Some((_, v)) = open_data.as_mut() {
                    v.push_str(&text);
                } else if in_default
                    && let Some(k) = open_key.as_ref().and_then(|k| keys.get_mut(k))
                {
                    k.default.get_or_insert_with(String::new).push_str(&text);
                }
            }
            Event::CData(t) => {
                if let Some((_, v)) = open_data.as_mut() {
                    v.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(r) => {
                let name = r
                    .decode()
                    .map_err(|e| parse(line, &e.to_string(), "a bad reference"))?;
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| parse(line, &name, "an unknown entity"))?
                        .to_string(),
                    Err(e) => return Err(parse(line, &e.to_string(), "a bad character reference")),
                };
                if let Some((_, v)) = open_data.as_mut() {
                    v.push_str(&ch);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"key" => open_key = None,
                b"default" => in_default = false,
                b"data" => {
                    if let (Some((k, v)), Some(edge)) = (open_data.take(), open_edge.as_mut()) {
                        edge.data.insert(k, v);
                    }
                }
                b"edge" => {
                    if let Some(e) = open_edge.take() {
                        edges.push((e, line));
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if graphs == 0 {
        return Err(Error::file(path, "no <graph> element: not a GraphML file"));
    }

    // The data keys that give weights and tie classes, by attribute name.
    let key_named = |name: &str| {
        keys.iter()
            .find(|(_, k)| k.name == name)
            .map(|(id, k)| (id.clone(), k.default.clone()))
    };
    let chosen = |flag: &Option<String>,
                  default: &str,
                  what: &str|
     -> Result<Option<(String, Option<String>)>> {
        match flag.as_deref() {
            Some(n) if n.eq_ignore_ascii_case("none") => Ok(None),
            Some(n) => key_named(n).map(Some).ok_or_else(|| {
                let mut names: Vec<&str> = keys.values().map(|k| k.name.as_str()).collect();
                names.sort_unstable();
                Error::file(
                    path,
                    format!(
                        "no edge attribute {n:?} for the {what} (attributes: {})",
                        names.join(", ")
                    ),
                )
            }),
            None => Ok(key_named(default)),
        }
    };
    let weight_key = chosen(&opts.weight, "weight", "weight")?;
    let tie_key = chosen(&opts.tie, "tie", "tie class")?;

    // Directed when any edge is (an undirected edge among directed ones becomes two arcs).
    let directed = edges
        .iter()
        .any(|e| e.0.directed.unwrap_or(default_directed));
    let mut raw: Vec<&str> = nodes.iter().map(String::as_str).collect();
    for (e, _) in &edges {
        raw.push(&e.src);
        raw.push(&e.dst);
    }
    let (dense, ids) = ids_from_labels(&raw);
    let first_edge = nodes.len();
    let mut src = Vec::with_capacity(edges.len());
    let mut dst = Vec::with_capacity(edges.len());
    let mut weights = weight_key.as_ref().map(|_| Vec::with_capacity(edges.len()));
    let mut ties = tie_key.as_ref().map(|_| Vec::with_capacity(edges.len()));
    for (
        i,
        (
            OpenEdge {
                directed: dir,
                data,
                ..
            },
            line,
        ),
    ) in edges.iter().enumerate()
    {
        let (u, v) = (dense[first_edge + 2 * i], dense[first_edge + 2 * i + 1]);
        let value =
            |key: &(String, Option<String>)| data.get(&key.0).cloned().or_else(|| key.1.clone());
        let w = match &weight_key {
            Some(k) => {
                let s = value(k).ok_or_else(|| {
                    parse(
                        *line,
                        "",
                        "an edge without a weight (and its key has no default)",
                    )
                })?;
                let x: f32 = s
                    .trim()
                    .parse()
                    .map_err(|_| parse(*line, &s, "a weight must be a number"))?;
                if !x.is_finite() || x < 0.0 {
                    return Err(parse(*line, &s, "a weight must be finite and not negative"));
                }
                Some(x)
            }
            None => None,
        };
        let t = match &tie_key {
            Some(k) => {
                let s = value(k).ok_or_else(|| {
                    parse(
                        *line,
                        "",
                        "an edge without a tie class (and its key has no default)",
                    )
                })?;
                Some(
                    TieClass::parse(s.trim())
                        .ok_or_else(|| parse(*line, &s, "a tie class must be strong or weak"))?,
                )
            }
            None => None,
        };
        // In a graph with directed edges, an undirected one is two arcs.
        let both = directed && !dir.unwrap_or(default_directed);
        for (a, b) in std::iter::once((u, v)).chain(both.then_some((v, u))) {
            src.push(a);
            dst.push(b);
            if let (Some(ws), Some(x)) = (weights.as_mut(), w) {
                ws.push(x);
            }
            if let (Some(ts), Some(x)) = (ties.as_mut(), t) {
                ts.push(x);
            }
        }
    }
    Ok(Declared {
        edges: EdgeList {
            n: ids.len(),
            src,
            dst,
            ties,
            weights,
            ids,
        },
        directed,
    })
}
