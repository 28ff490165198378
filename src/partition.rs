//! The graph partitioned over the processes of a cluster (`simulate --partition`): no process
//! holds the whole graph.
//!
//! **Ownership.** A node belongs to process `hash(id) mod N` (the id as written in the file,
//! [`owner`]). A process holds the out-arcs of its nodes only: their targets as ids, sorted, with
//! their tie classes.
//!
//! **Loading.** Process `I` parses the lines that start in byte range `[I, I + 1) × len / N` of
//! the text file ([`crate::graph::load::ShareReader`]) and sends every arc to the owner of its
//! source (an undirected edge as two arcs; a target with no out-arc, or a self-loop's node, as a
//! bare node), in one exchange. Each process then sorts and deduplicates its arcs as the
//! one-machine loader does (self-loops dropped, a duplicated tie strong if any copy is).
//!
//! **Randomness.** A node's coins and delays in a run come from a stream seeded by a hash of
//! `(seed, run, node id)` (`successes`: failed coins skipped geometrically), read over its
//! out-arcs in the order of their target ids, which is the same on every process count. So a run
//! is a fixed set of live arcs with fixed delays whichever process draws them, and however often
//! a node is expanded, and an adoption time is the shortest time over live arcs from the seeds
//! (cut at the horizon). This was chosen over per-process streams because it makes the report's
//! bytes the same for any number of processes (tested with 1, 2 and 4), which is how the
//! partitioned path is checked: against itself across N byte for byte, each run's times against
//! a plain Dijkstra over the same live arcs, and against the one-machine engine in distribution
//! (its own random streams differ).
//!
//! **Cascades.** Runs go in batches; within a batch all runs advance together through time
//! buckets (a fixed delay's length, or a quarter of the shorter median delay). A bucket is worked
//! in iterations: every process expands its nodes whose best landing in the bucket is new (a
//! node's out-arcs: coins, delays), sends landings on other processes' nodes to them, and the
//! exchange also says whether any landing fell in the bucket again; when none did, the bucket's
//! nodes are settled (label-correcting inside the bucket, as Δ-stepping, so a node reached
//! first by a slower path is re-expanded when a faster one arrives: the times are exact). The
//! exchanges are timely messages through `cluster::all_to_all`; each carries the next
//! non-empty bucket, so all processes move together. At a batch's end every process sends its
//! adopters' times to process 0, which feeds the same accumulator as the one-machine engine.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use crate::cascade::{Activation, Adoption, Delay, Model, SeedSpec};
use crate::cluster;
use crate::curves::{Accumulator, Grid};
use crate::graph::TieClass;
use crate::graph::load::{LoadOptions, ShareReader, read_seed_file};
use crate::rng::splitmix64;
use crate::ties::TieSpec;
use crate::{Error, Result};

/// The process that owns node `id` among `parts`.
#[inline]
pub fn owner(id: u32, parts: usize) -> usize {
    (splitmix64(u64::from(id) ^ 0x9E37_79B9_7F4A_7C15) % parts as u64) as usize
}

/// The mark of a target held by this process (its local index below the mark).
const LOCAL: u32 = 1 << 31;

/// One process's part of the graph.
#[derive(Debug)]
pub struct Part {
    /// This process and how many there are.
    pub me: usize,
    pub parts: usize,
    /// The ids of the nodes this process owns, increasing.
    ids: Vec<u32>,
    /// A directory over `ids`: the ids `x` with `x >> shift == b` are
    /// `ids[dir[b]..dir[b + 1]]` (about one per slot: a look-up is two reads, not a binary
    /// search's twenty).
    dir: Vec<u32>,
    shift: u32,
    /// Out-arcs of `ids[i]`: `targets[offsets[i]..offsets[i + 1]]`: a target held here as
    /// `LOCAL | its local index`, another process's as its id.
    offsets: Vec<u64>,
    targets: Vec<u32>,
    /// Strong ties, an arc each (none: every tie has the class of `all`).
    strong: Option<Vec<bool>>,
    all: TieClass,
    /// Totals over all processes.
    pub nodes: usize,
    pub edges: usize,
    pub strong_ties: usize,
    pub weak_ties: usize,
    pub directed: bool,
    /// How the ties were classed, as the report prints it.
    pub ties_desc: String,
}

/// The directory of sorted `ids` (see [`Part`]): as many slots as ids (a power of two), each
/// covering `1 << shift` ids.
fn directory(ids: &[u32]) -> (Vec<u32>, u32) {
    let slots = ids.len().max(1).next_power_of_two();
    // The largest id has `bits` bits, of which a slot number takes the top log2(slots).
    let bits = 32 - ids.last().copied().unwrap_or(0).leading_zeros();
    let shift = bits.saturating_sub(slots.trailing_zeros());
    // Ids beyond the largest (asked for by other processes' arcs: never here) fall past the end.
    let count = ((u64::from(u32::MAX) >> shift) + 2).min(slots as u64 * 2 + 2) as usize;
    let mut dir = vec![0u32; count];
    for &x in ids {
        dir[(x >> shift) as usize + 1] += 1;
    }
    for b in 1..count {
        dir[b] += dir[b - 1];
    }
    (dir, shift)
}

/// Appends little-endian words.
fn put(out: &mut Vec<u8>, x: u64) {
    out.extend_from_slice(&x.to_le_bytes());
}

/// Reads the little-endian word at `*at`, moving past it.
fn take(b: &[u8], at: &mut usize) -> u64 {
    let x = u64::from_le_bytes(b[*at..*at + 8].try_into().expect("8 bytes"));
    *at += 8;
    x
}

/// Every process's bytes, the same bytes sent to all.
fn broadcast(bytes: Vec<u8>, parts: usize) -> Result<Vec<Vec<u8>>> {
    cluster::all_to_all(vec![bytes; parts])
}

impl Part {
    /// Loads this process's part of the text edge list `path` (see the module docs).
    ///
    /// # Errors
    /// A file that cannot be partitioned (compressed, ids of 2^32 or more), a tie rule that needs
    /// more than an arc's own columns, a bad line, or a failed exchange.
    pub fn load(path: &Path, opts: &LoadOptions, ties: Option<&TieSpec>) -> Result<Part> {
        let (me, parts) = cluster::place();
        let mut reader = ShareReader::open(path, opts, me, parts)?;
        // Whether the file has a tie column is known from its first lines, before any block,
        // and the same on every process (whether or not its share holds any line).
        let labelled = reader.has_ties();
        let (all, ties_desc, keep_labels) = match ties {
            None if labelled => (TieClass::Weak, "column".to_string(), true),
            None => (TieClass::Weak, "none (every tie weak)".to_string(), false),
            Some(TieSpec::Labels) => (TieClass::Weak, "column".to_string(), labelled),
            Some(TieSpec::AllStrong) => (TieClass::Strong, "all-strong".to_string(), false),
            Some(TieSpec::AllWeak) => (TieClass::Weak, "all-weak".to_string(), false),
            Some(other) => {
                return Err(Error::invalid(
                    "--ties",
                    other.to_string(),
                    "with --partition a tie's class must come from its own line (the file's \
                     tie column, all-strong or all-weak): weight and overlap rules need the \
                     whole graph",
                ));
            }
        };
        // Block by block: each block's arcs to their sources' owners, (source, target, strong)
        // as 9 bytes, bare nodes as 4; what comes in is kept as (source << 32 | target) keys,
        // strong ones listed apart. Every process takes part in every exchange until none has
        // more to send.
        let mut arcs: Vec<u64> = Vec::new();
        let mut strong_keys: Vec<u64> = Vec::new();
        let mut ids: Vec<u32> = Vec::new();
        let mut mine_done = false;
        loop {
            let block = if mine_done {
                None
            } else {
                reader.next_block()?
            };
            mine_done = block.is_none();
            let mut out_arcs: Vec<Vec<u8>> = vec![Vec::new(); parts];
            let mut out_bare: Vec<Vec<u8>> = vec![Vec::new(); parts];
            if let Some(share) = block {
                let mut arc = |u: u32, v: u32, strong: bool| {
                    let o = &mut out_arcs[owner(u, parts)];
                    o.extend_from_slice(&u.to_le_bytes());
                    o.extend_from_slice(&v.to_le_bytes());
                    o.push(u8::from(strong));
                };
                for i in 0..share.src.len() {
                    let (u, v) = (share.src[i], share.dst[i]);
                    let strong = keep_labels
                        && share
                            .ties
                            .as_ref()
                            .is_some_and(|t| t[i] == TieClass::Strong);
                    if u == v {
                        out_bare[owner(u, parts)].extend_from_slice(&u.to_le_bytes());
                        continue;
                    }
                    arc(u, v, strong);
                    if opts.directed {
                        out_bare[owner(v, parts)].extend_from_slice(&v.to_le_bytes());
                    } else {
                        arc(v, u, strong);
                    }
                }
            }
            let out: Vec<Vec<u8>> = out_arcs
                .into_iter()
                .zip(out_bare)
                .map(|(a, b)| {
                    let mut m = Vec::with_capacity(17 + a.len() + b.len());
                    m.push(u8::from(!mine_done));
                    put(&mut m, a.len() as u64);
                    m.extend_from_slice(&a);
                    m.extend_from_slice(&b);
                    m
                })
                .collect();
            let mut more = false;
            for m in cluster::all_to_all(out)? {
                more |= m[0] == 1;
                let mut at = 1;
                let len = take(&m, &mut at) as usize;
                for r in m[at..at + len].chunks_exact(9) {
                    let key = u64::from_le_bytes(r[0..8].try_into().expect("8 bytes"));
                    // (u, v) little-endian as one word: v << 32 | u; stored as u << 32 | v.
                    let key = key.rotate_left(32);
                    arcs.push(key);
                    if r[8] == 1 {
                        strong_keys.push(key);
                    }
                }
                for r in m[at + len..].chunks_exact(4) {
                    ids.push(u32::from_le_bytes(r.try_into().expect("4 bytes")));
                }
            }
            if !more {
                break;
            }
        }
        arcs.sort_unstable();
        arcs.dedup();
        arcs.shrink_to_fit();
        strong_keys.sort_unstable();
        strong_keys.dedup();
        ids.extend(arcs.iter().map(|&k| (k >> 32) as u32));
        ids.sort_unstable();
        ids.dedup();
        ids.shrink_to_fit();
        let mut offsets = vec![0u64; ids.len() + 1];
        {
            let mut i = 0;
            for &k in &arcs {
                let u = (k >> 32) as u32;
                while ids[i] != u {
                    i += 1;
                }
                offsets[i + 1] += 1;
            }
            for i in 0..ids.len() {
                offsets[i + 1] += offsets[i];
            }
        }
        let targets: Vec<u32> = arcs.iter().map(|&k| k as u32).collect();
        // A duplicated tie is strong if any copy is.
        let strong: Option<Vec<bool>> = keep_labels.then(|| {
            let mut j = 0;
            arcs.iter()
                .map(|&k| {
                    while j < strong_keys.len() && strong_keys[j] < k {
                        j += 1;
                    }
                    j < strong_keys.len() && strong_keys[j] == k
                })
                .collect()
        });
        drop(strong_keys);
        let own_strong = match &strong {
            Some(s) => s.iter().filter(|&&x| x).count(),
            None if all == TieClass::Strong => arcs.len(),
            None => 0,
        };
        drop(arcs);
        // Totals.
        let mut stats = Vec::new();
        put(&mut stats, ids.len() as u64);
        put(&mut stats, targets.len() as u64);
        put(&mut stats, own_strong as u64);
        let (mut nodes, mut arcs_all, mut strong_arcs) = (0u64, 0u64, 0u64);
        for m in broadcast(stats, parts)? {
            let mut at = 0;
            nodes += take(&m, &mut at);
            arcs_all += take(&m, &mut at);
            strong_arcs += take(&m, &mut at);
        }
        let per_edge = if opts.directed { 1 } else { 2 };
        let (dir, shift) = directory(&ids);
        let mut part = Part {
            me,
            parts,
            ids,
            dir,
            shift,
            offsets,
            targets,
            strong,
            all,
            nodes: nodes as usize,
            edges: (arcs_all / per_edge) as usize,
            strong_ties: (strong_arcs / per_edge) as usize,
            weak_ties: ((arcs_all - strong_arcs) / per_edge) as usize,
            directed: opts.directed,
            ties_desc,
        };
        // Targets held here become their local index, marked by the top bit: a landing on them
        // needs no look-up.
        for i in 0..part.targets.len() {
            let w = part.targets[i];
            if owner(w, parts) == me {
                let x = part.local(w).expect("every node has an entry at its owner");
                part.targets[i] = LOCAL | x;
            }
        }
        Ok(part)
    }

    /// The id of the target `w` as stored in `targets`.
    #[cfg(test)]
    #[inline]
    fn target_id(&self, w: u32) -> u32 {
        if w & LOCAL != 0 {
            self.ids[(w & !LOCAL) as usize]
        } else {
            w
        }
    }

    /// Nodes and arcs held here.
    pub fn own(&self) -> (usize, usize) {
        (self.ids.len(), self.targets.len())
    }

    /// Bytes of the part's arrays.
    pub fn bytes(&self) -> usize {
        self.ids.len() * 4
            + self.dir.len() * 4
            + self.offsets.len() * 8
            + self.targets.len() * 4
            + self.strong.as_ref().map_or(0, Vec::len)
    }

    /// The local index of node `id`, if this process owns it and it is in the graph.
    #[inline]
    fn local(&self, id: u32) -> Option<u32> {
        let b = (id >> self.shift) as usize;
        if b + 1 >= self.dir.len() {
            return None;
        }
        let (lo, hi) = (self.dir[b] as usize, self.dir[b + 1] as usize);
        self.ids[lo..hi]
            .iter()
            .position(|&x| x == id)
            .map(|i| (lo + i) as u32)
    }

    /// The seeds `spec` names, as `(id, start hour)`: the same list on every process.
    ///
    /// # Errors
    /// A rule that needs the whole node list (random seeds), more seeds than nodes, a seed file
    /// that cannot be read or names a node not in the graph (its line and value named).
    pub fn seeds(&self, spec: &SeedSpec) -> Result<Vec<(u32, f64)>> {
        match spec {
            SeedSpec::TopDegree(k) => {
                let k = *k;
                if k > self.nodes {
                    return Err(Error::invalid(
                        "--seeds",
                        format!("top-degree:{k}"),
                        format!("the graph has {} nodes", self.nodes),
                    ));
                }
                // Each process's best k by (degree, lower id first), then the best k of those.
                let mut best: Vec<(u64, u32)> = (0..self.ids.len())
                    .map(|i| (self.offsets[i + 1] - self.offsets[i], self.ids[i]))
                    .collect();
                let key = |&(d, id): &(u64, u32)| (std::cmp::Reverse(d), id);
                if best.len() > k {
                    best.select_nth_unstable_by_key(k, key);
                    best.truncate(k);
                }
                let mut bytes = Vec::new();
                for (d, id) in best {
                    put(&mut bytes, d);
                    put(&mut bytes, u64::from(id));
                }
                let mut all: Vec<(u64, u32)> = Vec::new();
                for m in broadcast(bytes, self.parts)? {
                    let mut at = 0;
                    while at < m.len() {
                        let d = take(&m, &mut at);
                        all.push((d, take(&m, &mut at) as u32));
                    }
                }
                all.sort_unstable_by_key(key);
                all.truncate(k);
                Ok(all.into_iter().map(|(_, id)| (id, 0.0)).collect())
            }
            SeedSpec::File(path) => self.seed_file(Path::new(path)),
            SeedSpec::Random(_) | SeedSpec::RandomPerRun(_) | SeedSpec::Best { .. } => {
                Err(Error::invalid(
                    "--seeds",
                    spec.to_string(),
                    "with --partition seeds are top-degree:K or file:PATH (random and best \
                     seeds need the whole node list)",
                ))
            }
            SeedSpec::Nodes(_) => Err(Error::invalid(
                "--seeds",
                spec.to_string(),
                "with --partition seeds are top-degree:K or file:PATH",
            )),
        }
    }

    fn seed_file(&self, path: &Path) -> Result<Vec<(u32, f64)>> {
        // Ids are parsed here; whether each is a node is for its owner to say (below).
        let read = read_seed_file(path, |tok| {
            tok.parse::<u32>().ok().map(|id| (id, tok.to_string()))
        })?;
        let seeds: Vec<(u32, f64)> = read.iter().map(|((id, _), hour, _)| (*id, *hour)).collect();
        let lines = read.into_iter().map(|((_, tok), _, line)| (line, tok));
        // Which seeds exist: each owner says for its own.
        let found: Vec<u8> = seeds
            .iter()
            .map(|&(id, _)| u8::from(owner(id, self.parts) == self.me && self.local(id).is_some()))
            .collect();
        let all = broadcast(found, self.parts)?;
        for (k, (line, value)) in lines.enumerate() {
            if all.iter().all(|m| m[k] == 0) {
                return Err(Error::Parse {
                    path: path.to_path_buf(),
                    line,
                    value,
                    msg: "seed is not a node of the graph".into(),
                });
            }
        }
        Ok(seeds)
    }
}

/// A delay drawn from the uniform `h` (64 random bits) and the next word of its hash.
#[inline]
fn delay(d: &Delay, h: u64) -> f64 {
    // In (0, 1]: never 0, so logarithms are finite.
    let unit = |x: u64| ((x >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64);
    match *d {
        Delay::Fixed { hours } => hours,
        Delay::Exp { mean } => -mean * unit(h).ln(),
        Delay::Weibull { shape, scale } => scale * (-unit(h).ln()).powf(1.0 / shape),
        Delay::LogNormal { median, sigma } => {
            // Box-Muller from two words.
            let (u1, u2) = (unit(h), unit(splitmix64(h)));
            let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
            median * (sigma * z).exp()
        }
    }
}

/// A uniform in [0, 1) from 64 random bits.
#[inline]
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The successes among a node's `deg` out-arcs in one run, in order: `f(i, delay)` for each arc
/// `i` whose coin succeeds. Everything is drawn from a stream seeded by the (run, node) hash
/// `base`, so a node expanded twice, or by another process count, has the same successes with
/// the same delays. Failed coins are skipped geometrically at the largest chance `p_max`, and a
/// candidate kept with its own class's chance over `p_max` (`class(i)`: its chance and delay).
#[inline]
fn successes<'a>(
    base: u64,
    deg: usize,
    p_max: f64,
    class: impl Fn(usize) -> (f64, &'a Delay),
    mut f: impl FnMut(usize, f64),
) {
    if p_max <= 0.0 || deg == 0 {
        return;
    }
    let mut state = base;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(state)
    };
    // ln(1 - p): the gap before the next success is floor(ln U / ln(1 - p)), U in (0, 1].
    let ln_q = (-p_max).ln_1p();
    let mut i = 0usize;
    loop {
        if p_max < 1.0 {
            let u = 1.0 - unit(next());
            let gap = (u.ln() / ln_q).floor();
            if gap >= (deg - i) as f64 {
                return;
            }
            i += gap as usize;
        }
        if i >= deg {
            return;
        }
        let (p, d) = class(i);
        if p >= p_max || unit(next()) * p_max < p {
            f(i, delay(d, next()));
        }
        i += 1;
    }
}

/// The hash of run `run` of a simulation seeded `seed`, and of node `id` in it.
#[inline]
fn run_base(seed: u64, run: u64) -> u64 {
    splitmix64(splitmix64(seed ^ 0x00C0_FFEE_D15C_0001).wrapping_add(run))
}

/// The median of a delay, in hours.
fn median(d: &Delay) -> f64 {
    match *d {
        Delay::Fixed { hours } => hours,
        Delay::Exp { mean } => mean * std::f64::consts::LN_2,
        Delay::Weibull { shape, scale } => scale * std::f64::consts::LN_2.powf(1.0 / shape),
        Delay::LogNormal { median, .. } => median,
    }
}

/// What a partitioned simulation returns: the accumulator (filled on process 0 only) and the
/// exchanges this process took part in.
pub struct Outcome {
    pub acc: Accumulator,
    pub exchanges: u64,
}

/// Hashes a (run, node) key with one multiply-xorshift (the keys are distinct integers; the
/// standard library's keyed hash costs more than the lookups it guards).
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, x: u64) {
        let h = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = h ^ (h >> 29);
    }
}

type Open = HashMap<u64, (f64, f64), std::hash::BuildHasherDefault<KeyHasher>>;

/// Runs per batch: all advance through the buckets together, so the exchanges are per batch.
const BATCH: u64 = 64;

/// Per-batch state of one process.
struct Batch {
    /// Adopted (settled) nodes: a bit per (run, local node).
    settled: Vec<Vec<u64>>,
    /// Reached but not settled: (run << 32 | local) → (best landing, hour it was expanded at).
    open: Open,
    /// Landings by bucket: (run, local node, hour).
    queue: BTreeMap<u64, Vec<(u32, u32, f64)>>,
    /// The bucket's expanded entries (to be settled).
    touched: Vec<u64>,
    /// Adoptions: (run, hour).
    adopted: Vec<(u32, f64)>,
    attempts: Vec<u64>,
}

/// Simulates `runs` runs from `seeds` on the partitioned graph (the model's independent
/// cascade), returning process 0's accumulator (empty on the others).
///
/// # Errors
/// A model the partitioned engine does not run (only the independent cascade with a uniform or
/// per-tie-class chance), or a failed exchange.
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    part: &Part,
    model: &Model,
    seeds: &[(u32, f64)],
    runs: u64,
    seed: u64,
    grid: Grid,
    run_done: &dyn Fn(),
) -> Result<Outcome> {
    let mut acc = Accumulator::new(part.nodes, grid, model.horizon());
    let exchanges = simulate_into(part, model, seeds, runs, seed, run_done, &mut |t, a| {
        crate::cascade::Accumulate::add_run(&mut acc, t, a)
    })?;
    Ok(Outcome { acc, exchanges })
}

/// [`simulate`] with each run's sorted adoption times and attempts given to `sink` (on process
/// 0, in run order); returns the number of exchanges.
fn simulate_into(
    part: &Part,
    model: &Model,
    seeds: &[(u32, f64)],
    runs: u64,
    seed: u64,
    run_done: &dyn Fn(),
    sink: &mut dyn FnMut(&[f64], u64),
) -> Result<u64> {
    if model.adoption != Adoption::Ic {
        return Err(Error::invalid(
            "--model",
            model.adoption.to_string(),
            "--partition runs the independent cascade (ic) only",
        ));
    }
    let (p_weak, p_strong) = match model.activation {
        Activation::Uniform { p } => (p, p),
        Activation::ByTie { strong, weak } => (weak, strong),
        ref other => {
            return Err(Error::invalid(
                "--partition",
                other.to_string(),
                "the partitioned engine takes a uniform chance (--p) or one per tie class \
                 (--p-strong, --p-weak)",
            ));
        }
    };
    let horizon = model.horizon();
    let delays = [model.delay_weak, model.delay_strong];
    // Only the classes present can succeed: skip at the largest chance among them.
    let p_max = match (&part.strong, part.all) {
        (Some(_), _) => p_weak.max(p_strong),
        (None, TieClass::Strong) => p_strong,
        (None, TieClass::Weak) => p_weak,
    };
    let width = match delays {
        [Delay::Fixed { hours: a }, Delay::Fixed { hours: b }] if a == b && a > 0.0 => a,
        _ => {
            let m = median(&delays[0]).min(median(&delays[1])) / 4.0;
            if m > 0.0 && m.is_finite() { m } else { 1.0 }
        }
    };
    let bucket = |t: f64| -> u64 { (t / width) as u64 };
    let mut exchanges = 0u64;
    let parts = part.parts;
    let n_local = part.ids.len();
    // The seeds held here, as local indices (those starting after the horizon never adopt).
    let local_seeds: Vec<(u32, f64)> = seeds
        .iter()
        .filter(|&&(id, t)| t <= horizon && owner(id, parts) == part.me)
        .filter_map(|&(id, t)| part.local(id).map(|v| (v, t)))
        .collect();
    let mut start = 0u64;
    while start < runs {
        crate::cancel::check()?;
        let b = BATCH.min(runs - start) as usize;
        let mut st = Batch {
            settled: vec![vec![0u64; n_local.div_ceil(64)]; b],
            open: Open::default(),
            queue: BTreeMap::new(),
            touched: Vec::new(),
            adopted: Vec::new(),
            attempts: vec![0; b],
        };
        // A landing on a node held here; true when it improves the node's best landing.
        let land = |st: &mut Batch, j: u32, v: u32, t: f64| -> bool {
            if st.settled[j as usize][v as usize / 64] >> (v % 64) & 1 == 1 {
                return false;
            }
            let e = st
                .open
                .entry(u64::from(j) << 32 | u64::from(v))
                .or_insert((f64::INFINITY, f64::INFINITY));
            if t < e.0 {
                e.0 = t;
                st.queue.entry(bucket(t)).or_default().push((j, v, t));
                true
            } else {
                false
            }
        };
        for j in 0..b {
            for &(v, t) in &local_seeds {
                land(&mut st, j as u32, v, t);
            }
        }
        let bases: Vec<u64> = (0..b as u64).map(|j| run_base(seed, start + j)).collect();
        let mut current: Option<u64> = None;
        let (mut again, mut outbox): (bool, Vec<Vec<u8>>) = (false, vec![Vec::new(); parts]);
        let mut sent_min = u64::MAX;
        loop {
            // The exchange: landings for other processes, and each process's word on the bucket.
            let local_min = st.queue.keys().next().copied().unwrap_or(u64::MAX);
            let msgs: Vec<Vec<u8>> = outbox
                .iter_mut()
                .map(|o| {
                    let mut m = Vec::with_capacity(16 + o.len());
                    put(&mut m, u64::from(again));
                    put(&mut m, local_min.min(sent_min));
                    m.append(o);
                    m
                })
                .collect();
            let got = cluster::all_to_all(msgs)?;
            exchanges += 1;
            let (mut more, mut next) = (false, u64::MAX);
            for m in &got {
                let mut at = 0;
                more |= take(m, &mut at) == 1;
                next = next.min(take(m, &mut at));
                for r in m[at..].chunks_exact(16) {
                    let j = u32::from_le_bytes(r[0..4].try_into().expect("4 bytes"));
                    let id = u32::from_le_bytes(r[4..8].try_into().expect("4 bytes"));
                    let t = f64::from_le_bytes(r[8..16].try_into().expect("8 bytes"));
                    if let Some(v) = part.local(id) {
                        land(&mut st, j, v, t);
                    }
                }
            }
            if !more {
                // The bucket is done everywhere: its nodes' best landings are final.
                for key in std::mem::take(&mut st.touched) {
                    let (j, v) = ((key >> 32) as usize, key as u32);
                    if let Some((t, _)) = st.open.remove(&key) {
                        // An adopter examines its out-arcs once (a re-expansion inside a
                        // bucket is the partitioned engine's own cost, not counted).
                        st.attempts[j] += part.offsets[v as usize + 1] - part.offsets[v as usize];
                        st.settled[j][v as usize / 64] |= 1 << (v % 64);
                        st.adopted.push((j as u32, t));
                    }
                }
                if next == u64::MAX {
                    break;
                }
                current = Some(next);
            }
            let k = current.expect("a bucket");
            again = false;
            sent_min = u64::MAX;
            // One iteration over the bucket's new best landings.
            let entries = st.queue.remove(&k).unwrap_or_default();
            for (j, v, t) in entries {
                let key = u64::from(j) << 32 | u64::from(v);
                let Some(e) = st.open.get_mut(&key) else {
                    continue; // settled
                };
                if t != e.0 || e.1 <= t {
                    continue; // a better landing came, or this one was expanded already
                }
                e.1 = t;
                st.touched.push(key);
                let id = part.ids[v as usize];
                let base = splitmix64(bases[j as usize] ^ u64::from(id));
                let (a, z) = (
                    part.offsets[v as usize] as usize,
                    part.offsets[v as usize + 1] as usize,
                );
                let class = |i: usize| {
                    let strong = match &part.strong {
                        Some(s) => s[a + i],
                        None => part.all == TieClass::Strong,
                    };
                    if strong {
                        (p_strong, &delays[1])
                    } else {
                        (p_weak, &delays[0])
                    }
                };
                successes(base, z - a, p_max, class, |i, d| {
                    let at = t + d;
                    if at > horizon {
                        return;
                    }
                    let w = part.targets[a + i];
                    if w & LOCAL != 0 {
                        if land(&mut st, j, w & !LOCAL, at) && bucket(at) <= k {
                            again = true;
                        }
                    } else {
                        let o = &mut outbox[owner(w, parts)];
                        o.extend_from_slice(&j.to_le_bytes());
                        o.extend_from_slice(&w.to_le_bytes());
                        o.extend_from_slice(&at.to_le_bytes());
                        let kb = bucket(at);
                        again |= kb <= k;
                        sent_min = sent_min.min(kb);
                    }
                });
            }
        }
        // The batch's adoptions and attempts to process 0.
        let mut to0 = Vec::with_capacity(8 * b + 12 * st.adopted.len());
        for &a in &st.attempts {
            put(&mut to0, a);
        }
        for &(j, t) in &st.adopted {
            to0.extend_from_slice(&j.to_le_bytes());
            to0.extend_from_slice(&t.to_le_bytes());
        }
        let mut msgs = vec![Vec::new(); parts];
        msgs[0] = to0;
        drop(st);
        let got = cluster::all_to_all(msgs)?;
        exchanges += 1;
        if part.me == 0 {
            let mut times: Vec<Vec<f64>> = vec![Vec::new(); b];
            let mut attempts = vec![0u64; b];
            for m in &got {
                let mut at = 0;
                for a in attempts.iter_mut() {
                    *a += take(m, &mut at);
                }
                for r in m[at..].chunks_exact(12) {
                    let j = u32::from_le_bytes(r[0..4].try_into().expect("4 bytes"));
                    let t = f64::from_le_bytes(r[4..12].try_into().expect("8 bytes"));
                    times[j as usize].push(t);
                }
            }
            for (ts, a) in times.iter_mut().zip(attempts) {
                ts.sort_unstable_by(f64::total_cmp);
                sink(ts, a);
            }
        }
        for _ in 0..b {
            run_done();
        }
        start += b as u64;
    }
    Ok(exchanges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_from_hashes_have_their_distributions() {
        // Medians and means of 200,000 hashed draws against the closed forms.
        let draws = |d: Delay| -> Vec<f64> {
            let mut v: Vec<f64> = (0..200_000u64).map(|i| delay(&d, splitmix64(i))).collect();
            v.sort_unstable_by(f64::total_cmp);
            v
        };
        for (d, mean) in [
            (Delay::Exp { mean: 2.0 }, 2.0),
            (
                Delay::LogNormal {
                    median: 1.5,
                    sigma: 0.8,
                },
                1.5 * (0.8f64 * 0.8 / 2.0).exp(),
            ),
            (
                Delay::Weibull {
                    shape: 1.5,
                    scale: 1.13,
                },
                1.13 * 0.902_745_292_950_934, // Γ(1 + 1/1.5)
            ),
        ] {
            let v = draws(d);
            let m = v[v.len() / 2];
            assert!((m / median(&d) - 1.0).abs() < 0.01, "{d:?}: median {m}");
            let avg = v.iter().sum::<f64>() / v.len() as f64;
            assert!((avg / mean - 1.0).abs() < 0.01, "{d:?}: mean {avg}");
        }
        assert_eq!(delay(&Delay::Fixed { hours: 3.0 }, 7), 3.0);
    }

    /// Loads `edges` (one process) and runs `runs` runs of `model` from `seeds`.
    fn run(edges: &str, model: Model, seeds: &str, runs: u64) -> crate::curves::Outcome {
        let d = tempfile::tempdir().unwrap();
        let (g, s) = (d.path().join("g.txt"), d.path().join("s.txt"));
        std::fs::write(&g, edges).unwrap();
        std::fs::write(&s, seeds).unwrap();
        let part = Part::load(&g, &LoadOptions::default(), None).unwrap();
        let seeds = part
            .seeds(&SeedSpec::File(s.display().to_string()))
            .unwrap();
        let grid = Grid::new(0.5, 6.0).unwrap();
        let out = simulate(&part, &model, &seeds, runs, 1, grid, &|| {}).unwrap();
        out.acc.finish("t")
    }

    fn ic(p: f64, delay: Delay, horizon: Option<f64>) -> Model {
        Model {
            adoption: Adoption::Ic,
            activation: Activation::Uniform { p },
            delay_strong: delay,
            delay_weak: delay,
            horizon_hours: horizon,
        }
    }

    #[test]
    fn closed_forms_path_star_and_p_zero() {
        // A path 10-11-...-15 seeded at 10, p = 1, one hour a hop: k + 1 adopters by hour k.
        let path = "10 11\n11 12\n12 13\n13 14\n14 15\n";
        let o = run(path, ic(1.0, Delay::Fixed { hours: 1.0 }, None), "10\n", 70);
        for (h, m) in o.curve.hour.iter().zip(&o.curve.mean) {
            assert_eq!(*m, (h.floor() + 1.0).min(6.0), "hour {h}");
        }
        assert_eq!(o.final_reach.mean, 6.0);
        // A second seed starting at hour 2 at the far end: the two fronts meet.
        let o = run(
            path,
            ic(1.0, Delay::Fixed { hours: 1.0 }, None),
            "10\n15 2\n",
            3,
        );
        let at = |h: f64| o.curve.mean[o.curve.hour.iter().position(|&x| x == h).unwrap()];
        assert_eq!(
            (at(0.0), at(1.0), at(2.0), at(3.0), at(4.0)),
            (1.0, 2.0, 4.0, 6.0, 6.0)
        );
        // p = 0: the seed alone. A horizon cuts the path: hops at hours 1..5, horizon 3.5.
        let o = run(path, ic(0.0, Delay::Exp { mean: 1.0 }, None), "12\n", 50);
        assert_eq!(o.final_reach.mean, 1.0);
        let o = run(
            path,
            ic(1.0, Delay::Fixed { hours: 1.0 }, Some(3.5)),
            "10\n",
            5,
        );
        assert_eq!(o.final_reach.mean, 4.0);
        // A star of 40 leaves seeded at the hub with p = 1/4: reach 1 + Binomial(40, 1/4), mean
        // 11, the hour of a leaf exponential with mean 2: by hour 1, 1 + 10 (1 - e^-1/2).
        let star: String = (1..=40).map(|v| format!("0 {v}\n")).collect();
        let o = run(&star, ic(0.25, Delay::Exp { mean: 2.0 }, None), "0\n", 4000);
        let sd = (40.0f64 * 0.25 * 0.75).sqrt() / 4000f64.sqrt();
        assert!(
            (o.final_reach.mean - 11.0).abs() < 4.0 * sd,
            "{}",
            o.final_reach.mean
        );
        let at1 = o.reach_at_hours["1"].mean;
        let want = 1.0 + 10.0 * (1.0 - (-0.5f64).exp());
        assert!((at1 - want).abs() < 0.1, "{at1} against {want}");
    }

    #[test]
    fn a_faster_path_found_later_in_a_bucket_wins() {
        // 0 -> 1 directly (delay 5) and 0 -> 2 -> 1 (1 + 1): with p = 1 and fixed delays per
        // class the second path must set node 1's time. Strong ties take 1 h, weak ones 5 h.
        let edges = "0 1 weak\n0 2 strong\n2 1 strong\n1 3 strong\n";
        let model = Model {
            activation: Activation::ByTie {
                strong: 1.0,
                weak: 1.0,
            },
            delay_strong: Delay::Fixed { hours: 1.0 },
            delay_weak: Delay::Fixed { hours: 5.0 },
            ..ic(1.0, Delay::Fixed { hours: 1.0 }, None)
        };
        let o = run(edges, model, "0\n", 4);
        let at = |h: f64| o.curve.mean[o.curve.hour.iter().position(|&x| x == h).unwrap()];
        assert_eq!((at(0.5), at(1.0), at(2.0), at(3.0)), (1.0, 2.0, 3.0, 4.0));
    }

    #[test]
    fn adoption_times_are_the_shortest_times_over_the_hashed_live_arcs() {
        // A random graph; each run's times against a plain Dijkstra over the same live arcs and
        // delays (exponential: many landings inside a bucket, so nodes are re-expanded).
        let mut x = 7u64;
        let mut next = || {
            x = splitmix64(x);
            x
        };
        let mut edges = String::new();
        for _ in 0..900 {
            edges += &format!("{} {}\n", next() % 300, next() % 300);
        }
        let d = tempfile::tempdir().unwrap();
        let g = d.path().join("g.txt");
        std::fs::write(&g, &edges).unwrap();
        let part = Part::load(&g, &LoadOptions::default(), None).unwrap();
        let model = ic(0.45, Delay::Exp { mean: 1.0 }, Some(9.0));
        let seeds = vec![(part.ids[0], 0.0), (part.ids[5], 0.7)];
        let mut got: Vec<Vec<f64>> = Vec::new();
        simulate_into(&part, &model, &seeds, 70, 4, &|| {}, &mut |t, _| {
            got.push(t.to_vec())
        })
        .unwrap();
        assert_eq!(got.len(), 70);
        let n = part.ids.len();
        let mut reexpanded = 0;
        for (r, times) in got.iter().enumerate() {
            let base = run_base(4, r as u64);
            let mut best = vec![f64::INFINITY; n];
            let mut heap = std::collections::BinaryHeap::new();
            for &(id, t) in &seeds {
                let v = part.local(id).unwrap() as usize;
                best[v] = best[v].min(t);
                heap.push(std::cmp::Reverse((t.to_bits(), v)));
            }
            let mut done = vec![false; n];
            while let Some(std::cmp::Reverse((tb, v))) = heap.pop() {
                let t = f64::from_bits(tb);
                if done[v] || t > best[v] {
                    continue;
                }
                done[v] = true;
                let b = splitmix64(base ^ u64::from(part.ids[v]));
                let a = part.offsets[v] as usize;
                let deg = part.offsets[v + 1] as usize - a;
                let mut hits = Vec::new();
                successes(
                    b,
                    deg,
                    0.45,
                    |_| (0.45, &model.delay_weak),
                    |i, dl| hits.push((i, dl)),
                );
                for (i, dl) in hits {
                    let w = part.target_id(part.targets[a + i]);
                    let wi = part.local(w).unwrap() as usize;
                    let at = t + dl;
                    if at <= 9.0 && at < best[wi] {
                        if dl < 0.25 * std::f64::consts::LN_2 && best[wi].is_finite() {
                            reexpanded += 1;
                        }
                        best[wi] = at;
                        heap.push(std::cmp::Reverse((at.to_bits(), wi)));
                    }
                }
            }
            let mut want: Vec<f64> = best.into_iter().filter(|t| t.is_finite()).collect();
            want.sort_unstable_by(f64::total_cmp);
            assert_eq!(times, &want, "run {r}");
        }
        assert!(
            got.iter().map(Vec::len).sum::<usize>() > 70 * 20,
            "cascades too small"
        );
        assert!(reexpanded > 0, "no landing improved inside a bucket");
    }

    #[test]
    fn skipped_coins_succeed_at_each_arc_s_own_chance() {
        // Twelve arcs, strong (0.3) and weak (0.05) alternating, over 200,000 (run, node)
        // streams: each arc's success rate within 4 standard errors of its chance; delays drawn
        // for successes are exponential with mean 2 (strong) and fixed 1 (weak).
        let (exp, fixed) = (Delay::Exp { mean: 2.0 }, Delay::Fixed { hours: 1.0 });
        let class = |i: usize| {
            if i.is_multiple_of(2) {
                (0.3, &exp)
            } else {
                (0.05, &fixed)
            }
        };
        let runs = 200_000u64;
        let mut hits = [0u64; 12];
        let (mut sum, mut count) = (0.0, 0u64);
        for r in 0..runs {
            successes(splitmix64(r), 12, 0.3, class, |i, d| {
                hits[i] += 1;
                if i % 2 == 0 {
                    sum += d;
                    count += 1;
                } else {
                    assert_eq!(d, 1.0);
                }
            });
        }
        for (i, &h) in hits.iter().enumerate() {
            let p = class(i).0;
            let se = (p * (1.0 - p) / runs as f64).sqrt();
            let rate = h as f64 / runs as f64;
            assert!((rate - p).abs() < 4.0 * se, "arc {i}: {rate} against {p}");
        }
        let mean = sum / count as f64;
        assert!(
            (mean - 2.0).abs() < 4.0 * 2.0 / (count as f64).sqrt(),
            "{mean}"
        );
        // p = 1: every arc; p = 0: none.
        let mut all = Vec::new();
        successes(5, 7, 1.0, |_| (1.0, &fixed), |i, _| all.push(i));
        assert_eq!(all, (0..7).collect::<Vec<_>>());
        successes(5, 7, 0.0, |_| (0.0, &fixed), |_, _| panic!("p = 0"));
    }

    #[test]
    fn owners_spread_ids_evenly() {
        for parts in [2usize, 3, 4] {
            let mut count = vec![0usize; parts];
            for id in 0..100_000u32 {
                count[owner(id, parts)] += 1;
            }
            let even = 100_000 / parts;
            assert!(
                count.iter().all(|&c| c.abs_diff(even) < even / 20),
                "{count:?}"
            );
        }
    }
}
