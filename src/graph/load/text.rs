//! SNAP-style text edge lists: `src dst [weight|tie]` per line, blanks or commas between columns,
//! `#` and `%` comments. A plain file is mapped whole and parsed in parallel chunks cut at line
//! boundaries; a gzipped one is parsed block by block while the next block is inflated. Ids are
//! interned without concatenating the chunks first.

use std::path::Path;

use rayon::prelude::*;

use super::super::build::{Numbering, Pieces, dense_numbering};
use super::super::{EdgeList, Graph, NodeIds, TieClass};
use super::{LoadOptions, intern_pairs_numeric};
use crate::input::map_or_read;
use crate::{Error, Result};

/// What the third (or a chosen) column of a text edge list holds.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Extra {
    None,
    Weight(usize),
    Tie(usize),
}

/// One parsed chunk of a text file.
#[derive(Debug, Default)]
struct Chunk {
    /// Ids below `u32::MAX` are stored as they are; `u32::MAX` means "the next one in `big`".
    src: Vec<u32>,
    dst: Vec<u32>,
    big_src: Vec<u64>,
    big_dst: Vec<u64>,
    weights: Vec<f32>,
    ties: Vec<TieClass>,
    lines: u64,
    /// The largest id in `src` and `dst` (`u32::MAX` once an id is too wide for them).
    max: u32,
}

impl Chunk {
    /// Adds one edge (ids of 32 bits or less take 4 bytes each, not 8).
    #[inline]
    fn push(&mut self, u: u64, v: u64) {
        let narrow = |x: u64, big: &mut Vec<u64>| {
            if x < u32::MAX as u64 {
                x as u32
            } else {
                big.push(x);
                u32::MAX
            }
        };
        let a = narrow(u, &mut self.big_src);
        let b = narrow(v, &mut self.big_dst);
        self.max = self.max.max(a).max(b);
        self.src.push(a);
        self.dst.push(b);
    }

    /// The ids of one side, full width.
    fn wide<'a>(narrow: &'a [u32], big: &'a [u64]) -> impl Iterator<Item = u64> + 'a {
        let mut big = big.iter();
        narrow.iter().map(move |&x| {
            if x == u32::MAX {
                *big.next().expect("one big id per marker")
            } else {
                x as u64
            }
        })
    }
}

/// A parse failure inside a chunk: (line within the chunk, offending value, message).
type ChunkError = (u64, String, String);

pub(super) fn column_number(option: &str, value: &str) -> Result<usize> {
    match value.parse::<usize>() {
        Ok(c) if (1..=8).contains(&c) => Ok(c - 1),
        _ => Err(Error::invalid(
            option,
            value,
            "for a text edge list, columns are numbered 1 to 8",
        )),
    }
}

fn is_comment(line: &[u8]) -> bool {
    matches!(line.first(), None | Some(b'#') | Some(b'%'))
}

/// The lines of `text` that are neither blank nor comments, trimmed.
fn data_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split(|&b| b == b'\n')
        .map(|l| l.trim_ascii())
        .filter(|l| !is_comment(l))
}

/// The columns are read off the first whole line that is not a comment: reads on, through
/// `more` (which appends to `text` and says whether the input has ended), until `text` holds one
/// (past a long comment header, or a first line cut where a read ended), or the input ends.
/// Only the part not yet looked at is scanned again. Returns whether the input has ended.
fn read_to_data_line(
    text: &mut Vec<u8>,
    mut end: bool,
    more: &mut impl FnMut(&mut Vec<u8>) -> Result<bool>,
) -> Result<bool> {
    let mut from = 0;
    while !end {
        let whole = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if data_lines(&text[from..whole]).next().is_some() {
            break;
        }
        from = whole;
        end = more(text)?;
    }
    Ok(end)
}

/// A text edge list as it was parsed, in pieces (a chunk each), over dense ids.
pub(crate) struct Parsed {
    pub n: usize,
    pub ids: NodeIds,
    pub pieces: Pieces,
    pub ties: Option<Vec<TieClass>>,
    pub weights: Option<Vec<f32>>,
}

impl Parsed {
    /// The graph, built from the pieces where they are.
    pub(crate) fn into_graph(self, directed: bool) -> Graph {
        Graph::from_pieces(
            self.n,
            self.pieces,
            self.ties,
            self.weights,
            self.ids,
            directed,
        )
    }
}

/// Reads a text edge list into one list of edges.
pub(super) fn read(path: &Path, opts: &LoadOptions) -> Result<EdgeList> {
    let p = read_pieces(path, opts)?;
    let (src, dst) = p.pieces.concat();
    Ok(EdgeList {
        n: p.n,
        src,
        dst,
        ties: p.ties,
        weights: p.weights,
        ids: p.ids,
    })
}

/// Reads a text edge list, keeping the parsed chunks as the pieces of the edge list.
pub(super) fn read_pieces(path: &Path, opts: &LoadOptions) -> Result<Parsed> {
    let (chunks, extra) = if crate::input::is_gzip(path) {
        parse_gzip(path, opts, GZIP_BLOCK)?
    } else {
        let bytes = map_or_read(path)?;
        let (src_col, dst_col, extra) = columns(&bytes, opts)?;
        // Split into chunks at line boundaries and parse them in parallel.
        let target = (bytes.len() / (rayon::current_num_threads() * 8)).max(1 << 20);
        let mut bounds = vec![0usize];
        while *bounds.last().unwrap() < bytes.len() {
            let start = *bounds.last().unwrap();
            let mut end = (start + target).min(bytes.len());
            while end < bytes.len() && bytes[end - 1] != b'\n' {
                end += 1;
            }
            bounds.push(end);
        }
        let chunks: Vec<std::result::Result<Chunk, ChunkError>> = bounds
            .par_windows(2)
            .map(|w| parse_chunk(&bytes[w[0]..w[1]], src_col, dst_col, extra))
            .collect();
        (chunks, extra)
    };

    let mut parsed = Vec::with_capacity(chunks.len());
    let mut lines = 0u64;
    for c in chunks {
        match c {
            Ok(c) => {
                lines += c.lines;
                parsed.push(c);
            }
            Err((line, value, msg)) => {
                return Err(Error::Parse {
                    path: path.to_path_buf(),
                    line: lines + line,
                    value,
                    msg,
                });
            }
        }
    }
    let ties = matches!(extra, Extra::Tie(_))
        .then(|| parsed.iter().flat_map(|c| c.ties.iter().copied()).collect());
    let weights = matches!(extra, Extra::Weight(_)).then(|| {
        parsed
            .iter()
            .flat_map(|c| c.weights.iter().copied())
            .collect()
    });
    let (n, ids, pieces) = intern_chunks(parsed);
    Ok(Parsed {
        n,
        ids,
        pieces,
        ties,
        weights,
    })
}

/// Decompressed text per block of a gzipped edge list. 1 MiB: on ba_1m gzipped, seeds took 479 ms
/// with 1 MiB blocks, 536 ms with 4 MiB (and 160 MB at its peak instead of 129 MB), 609 ms when
/// the whole text was inflated before parsing (benches/RESULTS.md, 2026-12-03 (18:00)).
const GZIP_BLOCK: usize = 1 << 20;

/// Parses a gzipped edge list while it is decompressed: each block of about `block` bytes of
/// text, cut after its last newline, is parsed by another thread while the next is inflated
/// (inflating is sequential, and as slow as parsing on two threads), and the whole text is never
/// held at once. Chunks come back in file order.
fn parse_gzip(
    path: &Path,
    opts: &LoadOptions,
    block: usize,
) -> Result<(Vec<std::result::Result<Chunk, ChunkError>>, Extra)> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut inflate = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
    // Appends `block` more bytes of text to `buf` (fewer at the end); true at the end.
    let mut more = |buf: &mut Vec<u8>| -> Result<bool> {
        let got = (&mut inflate)
            .take(block as u64)
            .read_to_end(buf)
            .map_err(|e| crate::input::gzip_error(path, e))?;
        Ok(got < block)
    };
    let mut text = Vec::with_capacity(block + (1 << 16));
    let end = more(&mut text)?;
    let mut end = read_to_data_line(&mut text, end, &mut more)?;
    let (src_col, dst_col, extra) = columns(&text, opts)?;
    let parsed = std::sync::Mutex::new(Vec::new());
    let parsed_ref = &parsed;
    rayon::scope(|scope| -> Result<()> {
        let mut index = 0usize;
        loop {
            // Whole lines only: the part after the last newline starts the next block.
            let rest = if end {
                Vec::new()
            } else {
                match text.iter().rposition(|&b| b == b'\n') {
                    Some(i) => text.split_off(i + 1),
                    // A line longer than the block so far: read on.
                    None => {
                        end = more(&mut text)?;
                        continue;
                    }
                }
            };
            let done = std::mem::replace(&mut text, rest);
            scope.spawn(move |_| {
                let chunk = parse_chunk(&done, src_col, dst_col, extra);
                parsed_ref.lock().unwrap().push((index, chunk));
            });
            if end {
                return Ok(());
            }
            index += 1;
            text.reserve(block);
            end = more(&mut text)?;
        }
    })?;
    let mut parsed = parsed.into_inner().unwrap();
    parsed.sort_by_key(|p| p.0);
    Ok((parsed.into_iter().map(|p| p.1).collect(), extra))
}

/// The source and target columns and what the extra column holds: given, or sniffed from the
/// first data line.
fn columns(bytes: &[u8], opts: &LoadOptions) -> Result<(usize, usize, Extra)> {
    let src_col = opts
        .src
        .as_deref()
        .map(|s| column_number("--src", s))
        .transpose()?
        .unwrap_or(0);
    let dst_col = opts
        .dst
        .as_deref()
        .map(|s| column_number("--dst", s))
        .transpose()?
        .unwrap_or(1);
    // The kind of the extra column: given, or sniffed from the first data line.
    let extra = match (&opts.weight, &opts.tie) {
        (Some(w), None) if w.eq_ignore_ascii_case("none") => Extra::None,
        (Some(w), Some(t)) if w.eq_ignore_ascii_case("none") => {
            Extra::Tie(column_number("--tie", t)?)
        }
        (Some(w), _) => Extra::Weight(column_number("--weight", w)?),
        (None, Some(t)) => Extra::Tie(column_number("--tie", t)?),
        (None, None) => {
            let first = data_lines(bytes).next();
            let third = first.and_then(|l| {
                l.split(|b| b.is_ascii_whitespace() || *b == b',')
                    .filter(|t| !t.is_empty())
                    .nth(2)
            });
            match third {
                None => Extra::None,
                Some(t) => {
                    let t = String::from_utf8_lossy(t);
                    if t.parse::<f64>().is_ok() {
                        Extra::Weight(2)
                    } else {
                        Extra::Tie(2)
                    }
                }
            }
        }
    };
    Ok((src_col, dst_col, extra))
}

/// A block of edges of one process's share of a text edge list (see [`ShareReader`]), with the
/// tie-class column when the file has one.
#[derive(Debug, Default)]
pub struct Share {
    pub src: Vec<u32>,
    pub dst: Vec<u32>,
    pub ties: Option<Vec<TieClass>>,
}

/// Bytes of a partitioned file read at a time for its head (see [`ShareReader::open`]).
#[cfg(not(test))]
const HEAD: usize = 1 << 20;
/// Small in tests, so that a header longer than a read is cheap to make.
#[cfg(test)]
const HEAD: usize = 64;

/// Reads share `part` of `parts` of a plain (uncompressed) text edge list in blocks: the lines
/// that start in the byte range `[part, part + 1) × len / parts`, so that the shares cover every
/// line once and a process reads only its own (and the file's first lines, which say what the
/// extra column holds). A block is parsed from a buffer of a few megabytes, so the text never
/// takes more memory than that.
pub struct ShareReader {
    file: std::fs::File,
    path: std::path::PathBuf,
    /// Next byte to read, and the end of the share (both at line starts).
    at: u64,
    end: u64,
    cols: (usize, usize, Extra),
    buf: Vec<u8>,
    /// Bytes read at a time.
    block: usize,
}

/// Bytes read at a time.
const BLOCK: usize = 16 << 20;

impl ShareReader {
    /// Opens share `part` of `parts` of `path`.
    ///
    /// # Errors
    /// A compressed file (it cannot be read from the middle), or one that cannot be read.
    pub fn open(path: &Path, opts: &LoadOptions, part: usize, parts: usize) -> Result<ShareReader> {
        use std::os::unix::fs::FileExt;
        if crate::input::is_gzip(path) {
            return Err(Error::file(
                path,
                "--partition reads a plain text edge list, each process its own byte range; a \
                 compressed file cannot be read from the middle: decompress it first (gunzip -k)",
            ));
        }
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
        // The columns are sniffed from the head: its first MiB, and more until it holds a whole
        // data line (a long comment header, or a first line cut at the MiB).
        let mut head = Vec::new();
        let mut more = |head: &mut Vec<u8>| -> Result<bool> {
            let at = head.len();
            let want = HEAD.min((len - at as u64) as usize);
            head.resize(at + want, 0);
            file.read_exact_at(&mut head[at..], at as u64)
                .map_err(|e| Error::io(path, e))?;
            Ok(head.len() as u64 >= len)
        };
        let end = more(&mut head)?;
        read_to_data_line(&mut head, end, &mut more)?;
        let cols = columns(&head, opts)?;
        drop(head);
        // A line belongs to the share its first byte falls in: a share starts after the first
        // newline at or past its raw start (minus one).
        let line_start = |raw: u64| -> Result<u64> {
            if raw == 0 || raw >= len {
                return Ok(raw.min(len));
            }
            let mut at = raw - 1;
            let mut b = [0u8; 4096];
            loop {
                let n = file.read_at(&mut b, at).map_err(|e| Error::io(path, e))?;
                if n == 0 {
                    return Ok(len);
                }
                if let Some(i) = b[..n].iter().position(|&c| c == b'\n') {
                    return Ok(at + i as u64 + 1);
                }
                at += n as u64;
            }
        };
        let (p, n) = (part as u128, parts as u128);
        let at = line_start((len as u128 * p / n) as u64)?;
        let end = line_start((len as u128 * (p + 1) / n) as u64)?;
        Ok(ShareReader {
            file,
            path: path.to_path_buf(),
            at,
            end,
            cols,
            buf: Vec::new(),
            block: BLOCK,
        })
    }

    /// Whether the file has a tie-class column (every block then carries `ties`).
    pub fn has_ties(&self) -> bool {
        matches!(self.cols.2, Extra::Tie(_))
    }

    /// The next block of the share's edges; `None` once the share is read.
    ///
    /// # Errors
    /// A bad line (named with its line number in the whole file and its value), an id of 2^32 - 1
    /// or more, or a read error.
    pub fn next_block(&mut self) -> Result<Option<Share>> {
        use std::os::unix::fs::FileExt;
        if self.at >= self.end {
            return Ok(None);
        }
        let want = self.block.min((self.end - self.at) as usize);
        self.buf.resize(want, 0);
        self.file
            .read_exact_at(&mut self.buf, self.at)
            .map_err(|e| Error::io(&self.path, e))?;
        // Whole lines only (the share ends at a line start, so its last block ends at one).
        let mut take = want;
        if self.at + (want as u64) < self.end {
            take = match self.buf.iter().rposition(|&c| c == b'\n') {
                Some(i) => i + 1,
                None => {
                    // A line longer than a block: read it whole.
                    let mut more = vec![0u8; 1 << 20];
                    loop {
                        let from = self.at + self.buf.len() as u64;
                        let k = self
                            .file
                            .read_at(&mut more, from)
                            .map_err(|e| Error::io(&self.path, e))?;
                        if k == 0 {
                            break self.buf.len();
                        }
                        if let Some(i) = more[..k].iter().position(|&c| c == b'\n') {
                            self.buf.extend_from_slice(&more[..=i]);
                            break self.buf.len();
                        }
                        self.buf.extend_from_slice(&more[..k]);
                    }
                }
            };
        }
        let (src_col, dst_col, extra) = self.cols;
        let start = self.at;
        let chunk = parse_chunk(&self.buf[..take], src_col, dst_col, extra)
            .map_err(|(line, value, msg)| self.error_at(start, line, value, msg))?;
        self.at += take as u64;
        // Ids of 31 bits: a partitioned graph marks its own nodes with the 32nd.
        let over = chunk
            .big_src
            .first()
            .or(chunk.big_dst.first())
            .copied()
            .or_else(|| (chunk.max >= 1 << 31).then_some(u64::from(chunk.max)));
        if let Some(x) = over {
            return Err(Error::file(
                &self.path,
                format!("node id {x}: --partition takes ids below 2147483648"),
            ));
        }
        Ok(Some(Share {
            src: chunk.src,
            dst: chunk.dst,
            ties: matches!(extra, Extra::Tie(_)).then_some(chunk.ties),
        }))
    }

    /// A parse error at line `line` of the block starting at byte `start`: the lines before are
    /// counted now (only on this path).
    fn error_at(&self, start: u64, line: u64, value: String, msg: String) -> Error {
        use std::os::unix::fs::FileExt;
        let mut before = 0u64;
        let mut b = vec![0u8; 1 << 20];
        let mut at = 0u64;
        while at < start {
            let want = b.len().min((start - at) as usize);
            match self.file.read_at(&mut b[..want], at) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    before += b[..n].iter().filter(|&&c| c == b'\n').count() as u64;
                    at += n as u64;
                }
            }
        }
        Error::Parse {
            path: self.path.clone(),
            line: before + line,
            value,
            msg,
        }
    }
}

/// Interns the ids of parsed chunks without concatenating them: the chunks' id vectors become
/// the pieces of the edge list, as they are when the ids are 0..max (the numbering is then the
/// identity), renumbered in place otherwise.
fn intern_chunks(chunks: Vec<Chunk>) -> (usize, NodeIds, Pieces) {
    let m: usize = chunks.iter().map(|c| c.src.len()).sum();
    let wide = chunks
        .iter()
        .any(|c| !c.big_src.is_empty() || !c.big_dst.is_empty());
    let max = if wide {
        u64::MAX
    } else {
        chunks.iter().map(|c| c.max as u64).max().unwrap_or(0)
    };
    if max > 4 * 2 * m as u64 + 1024 {
        // Sparse ids: the general path.
        let src: Vec<u64> = chunks
            .iter()
            .flat_map(|c| Chunk::wide(&c.src, &c.big_src))
            .collect();
        let dst: Vec<u64> = chunks
            .iter()
            .flat_map(|c| Chunk::wide(&c.dst, &c.big_dst))
            .collect();
        drop(chunks);
        let (n, ids, src, dst) = intern_pairs_numeric(&src, &dst);
        return (n, ids, Pieces::new(vec![src], vec![dst]));
    }
    // Dense ids: mark, number in order, and map each chunk in place, in parallel.
    let numbering = dense_numbering(
        max,
        chunks
            .par_iter()
            .flat_map(|c| c.src.par_iter().chain(c.dst.par_iter()))
            .map(|&x| x as u64),
    );
    let (mut src, mut dst): (Vec<Vec<u32>>, Vec<Vec<u32>>) =
        chunks.into_iter().map(|c| (c.src, c.dst)).unzip();
    // Every id from 0 to the largest present (generated graphs, most SNAP files): the numbering
    // is the identity, and the chunks stay as they are.
    if let Numbering::Table(table, _) = &numbering {
        src.par_iter_mut()
            .chain(dst.par_iter_mut())
            .for_each(|ids| ids.iter_mut().for_each(|x| *x = table[*x as usize]));
    }
    (numbering.len(), numbering.into_ids(), Pieces::new(src, dst))
}

#[inline]
fn parse_id(tok: &[u8]) -> Option<u64> {
    if tok.is_empty() || tok.len() > 19 {
        // Longer than any 19-digit number: let the standard parser decide (it rejects overflow).
        return std::str::from_utf8(tok).ok()?.parse::<u64>().ok();
    }
    let mut x = 0u64;
    for &b in tok {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        x = x * 10 + d as u64;
    }
    Some(x)
}

/// Parses, from `pos`, a line that starts with two decimal ids separated by blanks or a comma (and
/// is optionally followed by more columns): the ids and where the next line starts; `None` for
/// anything else (which the general path then reads, and names if it is wrong). One pass over the
/// bytes, without first looking for the line's end.
#[inline]
fn two_ids_at(text: &[u8], mut i: usize) -> Option<(u64, u64, usize)> {
    let n = text.len();
    // At most 19 digits: no u64 overflows, and longer ids take the general path.
    let number = |i: &mut usize| -> Option<u64> {
        let start = *i;
        // An id shorter than eight digits followed by anything (the usual case): eight bytes at
        // once, without a branch per digit (whose length, taken at random, the branch predictor
        // guesses wrong about once an id).
        if let Some(bytes) = text.get(start..start + 8) {
            let x =
                u64::from_le_bytes(bytes.try_into().expect("eight bytes")) ^ 0x3030_3030_3030_3030;
            // The high bit of each byte that is not a digit ('0' to '9' became 0 to 9). A carry
            // out of a byte only reaches the bytes after it, past the first non-digit.
            let other = (x.wrapping_add(0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080;
            if other != 0 {
                let len = (other.trailing_zeros() / 8) as usize;
                if len == 0 {
                    return None;
                }
                *i = start + len;
                // The digits moved to the high bytes, zeros (leading zeros) before them.
                return Some(eight_digits(x << (64 - 8 * len)));
            }
        }
        let mut x = 0u64;
        while *i < n {
            let d = text[*i].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            // Wraps only past 19 digits, where the value is thrown away.
            x = x.wrapping_mul(10).wrapping_add(d as u64);
            *i += 1;
        }
        (*i > start && *i - start <= 19).then_some(x)
    };
    while i < n && (text[i] == b' ' || text[i] == b'\t') {
        i += 1;
    }
    let u = number(&mut i)?;
    let sep = i;
    while i < n && matches!(text[i], b' ' | b'\t' | b',') {
        i += 1;
    }
    if i == sep {
        return None;
    }
    let v = number(&mut i)?;
    match text.get(i) {
        None => Some((u, v, n)),
        Some(b'\n') => Some((u, v, i + 1)),
        Some(b'\r') if text.get(i + 1) == Some(&b'\n') => Some((u, v, i + 2)),
        // More columns or a carriage return: the line ends at the next newline.
        Some(b' ' | b'\t' | b',' | b'\r') => Some((u, v, line_end(text, i))),
        // The id must end at a separator or the end of the line.
        Some(_) => None,
    }
}

/// The number written by eight digit values (0 to 9), one a byte, the first in the lowest byte:
/// pairs, then fours, then all eight, by three multiplications.
#[inline(always)]
fn eight_digits(x: u64) -> u64 {
    const LOW: u64 = 0x0000_00FF_0000_00FF;
    let x = x.wrapping_mul(10).wrapping_add(x >> 8);
    let a = (x & LOW).wrapping_mul(100 + (1_000_000 << 32));
    let b = ((x >> 16) & LOW).wrapping_mul(1 + (10_000 << 32));
    (a.wrapping_add(b) >> 32) as u32 as u64
}

/// Where the line holding `text[i]` ends (after its newline, or the end of the text).
fn line_end(text: &[u8], i: usize) -> usize {
    text[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |k| i + k + 1)
}

fn parse_chunk(
    text: &[u8],
    src_col: usize,
    dst_col: usize,
    extra: Extra,
) -> std::result::Result<Chunk, ChunkError> {
    let mut out = Chunk::default();
    let need = src_col.max(dst_col) + 1;
    let mut toks: [&[u8]; 8] = [&[]; 8];
    let plain = src_col == 0 && dst_col == 1 && extra == Extra::None;
    if plain {
        // About one edge per 12 bytes in SNAP files: reserve rather than grow by copying.
        out.src.reserve(text.len() / 12);
        out.dst.reserve(text.len() / 12);
    }
    let mut pos = 0;
    while pos < text.len() {
        out.lines += 1;
        // Fast path for the common `src dst` line; anything unusual takes the general path below,
        // which also produces the error messages.
        if plain && let Some((u, v, next)) = two_ids_at(text, pos) {
            out.push(u, v);
            pos = next;
            continue;
        }
        let end = line_end(text, pos);
        let raw_line = &text[pos..end];
        pos = end;
        let line = raw_line.trim_ascii();
        if is_comment(line) {
            continue;
        }
        let mut count = 0;
        for t in line
            .split(|b| b.is_ascii_whitespace() || *b == b',')
            .filter(|t| !t.is_empty())
        {
            if count < toks.len() {
                toks[count] = t;
            }
            count += 1;
        }
        let lossy = |t: &[u8]| String::from_utf8_lossy(t).into_owned();
        if count < need {
            return Err((
                out.lines,
                lossy(line),
                format!("expected at least {need} columns (source target)"),
            ));
        }
        let u = parse_id(toks[src_col]).ok_or_else(|| {
            (
                out.lines,
                lossy(toks[src_col]),
                "node id is not a non-negative integer".to_string(),
            )
        })?;
        let v = parse_id(toks[dst_col]).ok_or_else(|| {
            (
                out.lines,
                lossy(toks[dst_col]),
                "node id is not a non-negative integer".to_string(),
            )
        })?;
        out.push(u, v);
        match extra {
            Extra::None => {}
            Extra::Weight(c) => {
                let w = if c < count {
                    let s = std::str::from_utf8(toks[c]).unwrap_or("");
                    match s.parse::<f64>() {
                        Ok(w) if w.is_finite() => w as f32,
                        _ => {
                            return Err((
                                out.lines,
                                lossy(toks[c]),
                                "weight is not a finite number".into(),
                            ));
                        }
                    }
                } else {
                    1.0
                };
                out.weights.push(w);
            }
            Extra::Tie(c) => {
                let t = if c < count {
                    let s = std::str::from_utf8(toks[c]).unwrap_or("");
                    TieClass::parse(s).ok_or_else(|| {
                        (
                            out.lines,
                            lossy(toks[c]),
                            "tie class must be strong or weak".to_string(),
                        )
                    })?
                } else {
                    TieClass::Weak
                };
                out.ties.push(t);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tie column is sniffed from the first data line even when the comments before it are
    /// longer than one read of the head (64 bytes in tests, a MiB otherwise), or the first data
    /// line is cut where a read ends: heads of 8 to 350 bytes of comments.
    #[test]
    fn a_share_reader_finds_the_tie_column_past_a_long_header() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("g.txt");
        for header in (8..350).step_by(7) {
            let mut text = String::new();
            while text.len() < header {
                text += "# comment line\n";
            }
            text += "0 1 strong\n1 2 weak\n";
            std::fs::write(&p, &text).unwrap();
            for parts in [1, 2] {
                let r = ShareReader::open(&p, &LoadOptions::default(), 0, parts).unwrap();
                assert!(
                    r.has_ties(),
                    "header of {} bytes, {parts} parts",
                    text.len() - 20
                );
            }
        }
    }

    #[test]
    fn shares_cover_every_line_once_in_blocks_and_name_bad_lines() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("g.txt");
        let mut text = String::from("# a comment\n");
        for i in 0..500u32 {
            text += &format!(
                "{} {} {}\n",
                i,
                (i * 7 + 3) % 500,
                if i % 3 == 0 { "strong" } else { "weak" }
            );
        }
        std::fs::write(&p, &text).unwrap();
        let opts = LoadOptions::default();
        for parts in 1..=5 {
            let mut all = Vec::new();
            for part in 0..parts {
                let mut r = ShareReader::open(&p, &opts, part, parts).unwrap();
                r.block = 37; // blocks shorter than some lines
                while let Some(s) = r.next_block().unwrap() {
                    let ties = s.ties.unwrap();
                    all.extend(
                        (s.src.iter().zip(&s.dst).zip(&ties)).map(|((&u, &v), &t)| (u, v, t)),
                    );
                }
            }
            all.sort_unstable_by_key(|e| e.0);
            assert_eq!(all.len(), 500, "{parts} parts");
            for (i, e) in all.iter().enumerate() {
                let i = i as u32;
                assert_eq!((e.0, e.1), (i, (i * 7 + 3) % 500));
                assert_eq!(e.2 == TieClass::Strong, i.is_multiple_of(3));
            }
        }
        // Line 300 of the file (edge 298) is bad: named with its line whichever share reads it.
        let bad = text.replacen("\n298 ", "\n2x8 ", 1);
        std::fs::write(&p, bad).unwrap();
        for parts in [1, 3] {
            let mut found = 0;
            for part in 0..parts {
                let mut r = ShareReader::open(&p, &opts, part, parts).unwrap();
                r.block = 1000;
                loop {
                    match r.next_block() {
                        Ok(Some(_)) => {}
                        Ok(None) => break,
                        Err(e) => {
                            let e = e.to_string();
                            assert!(e.contains("g.txt:300") && e.contains("2x8"), "{e}");
                            found += 1;
                            break;
                        }
                    }
                }
            }
            assert_eq!(found, 1, "{parts} parts");
        }
        let gz = d.path().join("g.txt.gz");
        std::fs::write(&gz, b"").unwrap();
        assert!(ShareReader::open(&gz, &opts, 0, 1).is_err());
    }

    fn parse(text: &str, extra: Extra) -> std::result::Result<Chunk, ChunkError> {
        parse_chunk(text.as_bytes(), 0, 1, extra)
    }

    #[test]
    fn fast_path_ids() {
        let at = |t: &[u8]| two_ids_at(t, 0);
        assert_eq!(at(b"12 34\n"), Some((12, 34, 6)));
        assert_eq!(at(b"\t1,2\r\n"), Some((1, 2, 6)));
        assert_eq!(at(b"12 34"), Some((12, 34, 5)));
        // More columns: the next line starts after the newline, and is read from there.
        let two = b"1 2 strong\n3  4\n";
        assert_eq!(at(two), Some((1, 2, 11)));
        assert_eq!(two_ids_at(two, 11), Some((3, 4, two.len())));
        assert_eq!(at(b"1x 2\n"), None);
        assert_eq!(at(b"1 2x\n"), None);
        assert_eq!(at(b"12\n"), None);
        assert_eq!(at(b"12 \n"), None);
        assert_eq!(at(b"# 1 2\n"), None);
        assert_eq!(at(b"\n"), None);
        // 19 digits on the fast path; 2^64 − 1 (20 digits) and 2^64 take the general path, which
        // reads the one and reports the other.
        assert_eq!(
            at(b"9999999999999999999 1\n"),
            Some((9999999999999999999, 1, 22))
        );
        assert_eq!(at(b"18446744073709551615 1\n"), None);
        assert_eq!(at(b"18446744073709551616 1\n"), None);
        let c = parse("18446744073709551615 1\n2 3\n", Extra::None).unwrap();
        assert_eq!(
            Chunk::wide(&c.src, &c.big_src).collect::<Vec<_>>(),
            [u64::MAX, 2]
        );
        assert_eq!(c.lines, 2);
        assert_eq!(
            parse("1 2\n18446744073709551616 1\n", Extra::None)
                .unwrap_err()
                .0,
            2
        );
        assert_eq!(parse_id(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(parse_id(b"18446744073709551616"), None);
        assert_eq!(parse_id(b"-1"), None);
        assert_eq!(parse_id(b""), None);
    }

    #[test]
    fn eight_bytes_at_once_read_every_id_as_one_at_a_time() {
        // Ids of one to seven digits (all below 2,000, every 113th above, the largest of each
        // length; with leading zeros too) before a separator, a letter, a newline and the bytes
        // on either side of the digits, against the standard parser; the fast path then checks
        // what follows.
        let mut line = Vec::new();
        let mut check = |id: &str, after: &[u8]| {
            line.clear();
            line.extend_from_slice(id.as_bytes());
            line.extend_from_slice(after);
            let want = id.parse::<u64>().unwrap();
            let got = two_ids_at(&line, 0);
            match after {
                b" 7\n.......\n" | b"\t7\r\n........" => {
                    assert_eq!(got.map(|g| (g.0, g.1)), Some((want, 7)), "{id:?}")
                }
                _ => assert_eq!(got, None, "{id:?} then {after:?}"),
            }
        };
        let tails: [&[u8]; 6] = [
            b" 7\n.......\n",
            b"\t7\r\n........",
            b"x 7\n........",
            b"\n........",
            // The bytes just past '9' and before '0'.
            b": 7\n.......",
            b"/ 7\n.......",
        ];
        let largest = (1..8).map(|d| 10u64.pow(d) - 1);
        for x in (0..10_000_000u64)
            .step_by(113)
            .chain(0..2000)
            .chain(largest)
        {
            for tail in tails {
                check(&x.to_string(), tail);
                check(&format!("{x:07}"), tail);
            }
        }
        // Eight digits or more, and ids near the end of the text, take the byte-wise loop.
        assert_eq!(
            two_ids_at(b"12345678 87654321\n", 0),
            Some((12345678, 87654321, 18))
        );
        assert_eq!(two_ids_at(b"1 2", 0), Some((1, 2, 3)));
        assert_eq!(two_ids_at(b"0012 3\r\n", 0), Some((12, 3, 8)));
        assert_eq!(two_ids_at(b"12 3\r4\n", 0), Some((12, 3, 7)));
        // A byte above 0x80 right after an id (a carry out of it must not change the id).
        assert_eq!(two_ids_at("123\u{ff}\u{ff} 5\n..".as_bytes(), 0), None);
        assert_eq!(two_ids_at("9 123\u{ff}\u{ff} 5\n..".as_bytes(), 0), None);
    }

    #[test]
    fn chunks_parse_weights_ties_and_comments() {
        let c = parse("# c\n% c\n\n1 2 0.5\n3,4,2\n5 6\n", Extra::Weight(2)).unwrap();
        assert_eq!(
            (c.src.clone(), c.dst.clone()),
            (vec![1, 3, 5], vec![2, 4, 6])
        );
        assert_eq!(c.weights, vec![0.5, 2.0, 1.0]);
        assert_eq!(c.lines, 6);
        let c = parse("1 2 strong\n2 3 W\n", Extra::Tie(2)).unwrap();
        assert_eq!(c.ties, vec![TieClass::Strong, TieClass::Weak]);
        // Ids past u32 are kept whole.
        let c = parse("4294967296 1\n", Extra::None).unwrap();
        let wide: Vec<u64> = Chunk::wide(&c.src, &c.big_src).collect();
        assert_eq!(wide, vec![1u64 << 32]);
    }

    #[test]
    fn gzip_blocks_parse_as_the_plain_text_and_name_bad_lines() {
        let d = tempfile::tempdir().unwrap();
        let mut text = String::from("# comment\n");
        for i in 0..300u64 {
            text.push_str(&format!("{} {}\n", i, (i * 7 + 3) % 301));
            if i == 100 {
                // A line longer than a block (blanks before the ids).
                text.push_str(&" ".repeat(200));
                text.push_str("5 6\n");
            }
        }
        text.push_str("7 8"); // no newline at the end
        let gz = |name: &str, body: &str| {
            let p = d.path().join(name);
            crate::input::write_gzip(&p, body.as_bytes());
            p
        };
        let plain = d.path().join("g.txt");
        std::fs::write(&plain, &text).unwrap();
        let opts = LoadOptions::default();
        let want = read(&plain, &opts).unwrap();
        let zipped = gz("g.txt.gz", &text);
        for block in [16, 37, 1 << 20] {
            let (chunks, extra) = parse_gzip(&zipped, &opts, block).unwrap();
            assert_eq!(extra, Extra::None);
            let chunks: Vec<Chunk> = chunks.into_iter().map(|c| c.unwrap()).collect();
            assert!(
                block > 1000 || chunks.len() > 10,
                "{block}: {}",
                chunks.len()
            );
            assert_eq!(chunks.iter().map(|c| c.lines).sum::<u64>(), 303);
            let (n, _, pieces) = intern_chunks(chunks);
            let (src, dst) = pieces.concat();
            assert_eq!(
                (n, &src, &dst),
                (want.n, &want.src, &want.dst),
                "block {block}"
            );
        }
        assert_eq!(read(&zipped, &opts).unwrap().src, want.src);
        // A bad line is named by its line in the whole file, whatever block it fell in.
        let bad = gz("bad.txt.gz", &text.replace("250 ", "x50 "));
        for block in [16, 1 << 20] {
            let (chunks, _) = parse_gzip(&bad, &opts, block).unwrap();
            let mut before = 0;
            let mut found = None;
            for c in chunks {
                match c {
                    Ok(c) => before += c.lines,
                    Err(e) => {
                        found = Some((before + e.0, e.1));
                        break;
                    }
                }
            }
            assert_eq!(found, Some((253, "x50".to_string())), "block {block}");
        }
        let e = read(&bad, &opts).unwrap_err().to_string();
        assert!(
            e.contains("bad.txt.gz") && e.contains("253") && e.contains("x50"),
            "{e}"
        );
        // The weight column is found past a comment header longer than a block, and when the
        // first data line is cut by a block's end.
        let weighted = format!("{}1 2 0.5\n3 4 2\n", "# a comment line\n".repeat(20));
        let w = gz("w.txt.gz", &weighted);
        for block in [8, 16, 345, 350, 1 << 20] {
            let (chunks, extra) = parse_gzip(&w, &opts, block).unwrap();
            assert_eq!(extra, Extra::Weight(2), "block {block}");
            let weights: Vec<f32> = chunks
                .into_iter()
                .flat_map(|c| c.unwrap().weights)
                .collect();
            assert_eq!(weights, [0.5, 2.0], "block {block}");
        }
        // A truncated stream is named, not a panic.
        let bytes = std::fs::read(&zipped).unwrap();
        std::fs::write(&zipped, &bytes[..bytes.len() / 2]).unwrap();
        let e = read(&zipped, &opts).unwrap_err().to_string();
        assert!(e.contains("g.txt.gz") && e.contains("gzip"), "{e}");
    }

    #[test]
    fn bad_lines_name_their_line_and_value() {
        let e = parse("1 2\n3\n", Extra::None).unwrap_err();
        assert_eq!((e.0, e.1.as_str()), (2, "3"));
        let e = parse("1 2\nx 2\n", Extra::None).unwrap_err();
        assert_eq!((e.0, e.1.as_str()), (2, "x"));
        let e = parse("1 2 inf\n", Extra::Weight(2)).unwrap_err();
        assert_eq!((e.0, e.1.as_str()), (1, "inf"));
        let e = parse("1 2 medium\n", Extra::Tie(2)).unwrap_err();
        assert!(e.2.contains("strong or weak"), "{e:?}");
        assert!(column_number("--src", "9").is_err() && column_number("--src", "0").is_err());
    }

    #[test]
    fn whole_files_report_the_line_across_chunks_and_sniff_the_third_column() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("g.txt");
        let mut text = String::from("# header\n");
        for i in 0..200_000 {
            text.push_str(&format!("{i} {}\n", i + 1));
        }
        text.push_str("7 oops\n");
        std::fs::write(&p, &text).unwrap();
        let e = read(&p, &LoadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("g.txt:200002") && e.contains("oops"), "{e}");
        std::fs::write(&p, "1 2 3.5\n2 3 1\n").unwrap();
        let el = read(&p, &LoadOptions::default()).unwrap();
        assert_eq!(el.weights, Some(vec![3.5, 1.0]));
        std::fs::write(&p, "1 2 strong\n2 3 weak\n").unwrap();
        let el = read(&p, &LoadOptions::default()).unwrap();
        assert_eq!(el.ties, Some(vec![TieClass::Strong, TieClass::Weak]));
        // Sparse ids take the general numbering path.
        std::fs::write(&p, "1 9000000000\n9000000000 5\n").unwrap();
        let el = read(&p, &LoadOptions::default()).unwrap();
        assert_eq!(el.n, 3);
        assert_eq!(el.ids.label(el.src[0]), "1");
    }
}
