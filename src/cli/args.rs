//! Command-line arguments (clap). Specs are taken as text here and parsed by the library, so a bad
//! spec gets the library's message and exit code 1.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// How a viral item spreads over a social graph, hour by hour: strong-tie vs weak-tie networks.
///
/// The main job, `hongbao compare`, re-tells the WeChat photo red packet of 26 January 2016: the same
/// item, seeded the same way, on a WeChat-like strong-tie network and an Alipay-like weak-tie one.
#[derive(Parser, Debug)]
#[command(name = "hongbao", version, about, long_about = None, max_term_width = 110)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// The red-packet comparison: WeChat-like strong ties vs Alipay-like weak ties (or any scenario).
    Compare(CompareArgs),
    /// Generate a graph: wechat, alipay, ba, ws or er.
    Generate(GenerateArgs),
    /// Describe a graph: size, degrees, clustering, components, strong/weak split.
    Stats(StatsArgs),
    /// Simulate adoption on one graph: the independent cascade, or a model needing reinforcement.
    Simulate(SimulateArgs),
    /// Re-plot saved curve files (curves.csv / curves.parquet) into one chart.
    Plot(PlotArgs),
    /// Remove ties weakest first and strongest first; chart the largest component (Onnela et al. 2007).
    Percolation(PercolationArgs),
    /// Read real cascades (Higgs, Weibo, Twitter15/16 trees, SEISMIC): adoption curves and delays.
    Observed(ObservedArgs),
    /// Fit the time model (delay distribution, children per adopter) to real cascades and check it.
    Fit(FitArgs),
    /// Vary one or two values of a scenario over a range, the same seeds and runs at every point.
    Sweep(SweepArgs),
    /// Choose the K first users who reach the most people within H hours (RR sets, OPIM-C bounds).
    Seeds(SeedsArgs),
}

/// How to read a graph file.
#[derive(Args, Debug, Clone)]
pub struct GraphArgs {
    /// Edge list: .txt/.txt.gz (SNAP), .csv or .parquet.
    pub graph: PathBuf,
    /// Keep arcs one-way (follower graphs). Default: undirected.
    #[arg(long)]
    pub directed: bool,
    /// File format, overriding the extension: text, csv or parquet.
    #[arg(long)]
    pub format: Option<String>,
    /// Source column (CSV/Parquet name; text: column number). Default: src/source/from, else first.
    #[arg(long)]
    pub src: Option<String>,
    /// Target column. Default: dst/target/to, else second.
    #[arg(long)]
    pub dst: Option<String>,
    /// Weight column. Default: `weight` if present (text: column 3 if numeric). `rows`: the number
    /// of rows between the two (message logs); `none`: no weights.
    #[arg(long)]
    pub weight: Option<String>,
    /// Tie-class column (strong/weak). Default: `tie` if present (text: column 3 if words).
    #[arg(long)]
    pub tie: Option<String>,
    /// Interaction layer over the same people, PATH[:SRC,DST] (repeatable): each row between two
    /// tied people adds 1 to the tie's weight; then `--ties weight:1` = strong if they also interact.
    #[arg(long = "layer", value_name = "PATH[:SRC,DST]")]
    pub layers: Vec<String>,
    /// Tie rule: generator | column | weight:T | weight-quantile:Q | overlap:T | overlap-quantile:Q |
    /// all-strong | all-weak. Default: the file's tie column if it has one, else all weak.
    #[arg(long, value_name = "SPEC")]
    pub ties: Option<String>,
    /// Most memory to plan for, e.g. 4G or 512M (default: what the machine and ulimit allow): a
    /// graph, or RR sets, whose estimate exceeds it are refused before they are built.
    #[arg(long, value_name = "BYTES")]
    pub max_memory: Option<String>,
}

#[derive(Args, Debug)]
pub struct GenerateArgs {
    /// Model: wechat, alipay, ba, ws or er.
    pub model: String,
    /// Number of nodes.
    #[arg(long, short = 'n', default_value_t = 10_000)]
    pub nodes: usize,
    /// Random seed.
    #[arg(long, short = 's', default_value_t = 1)]
    pub seed: u64,
    /// Output file; the extension picks the format: .txt, .txt.gz, .csv, .parquet.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Model parameter KEY=VALUE (repeatable), e.g. m=3 (ba), k=10 beta=0.1 (ws), mean_degree=8
    /// (er, alipay), exponent=2.5 (alipay), overlap=0.3 circle_degree=10 min_circle=10
    /// max_circle=150 rewire=0.05 bridges_per_node=0.3 circle_exponent=2 (wechat).
    #[arg(long = "param", short = 'p', value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Print nothing but errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Adoption model, activation, delay and horizon options.
#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    /// Adoption model: ic (independent cascade) | threshold:K (adopt at the K-th exposure) |
    /// fractional:F (once the exposed share of one's neighbours reaches F) | lt (linear threshold)
    /// | dose:C1,C2,... (Ck: chance of having adopted after k exposures) [default: ic].
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Linear threshold weights: in-degree (1/in-degree, the default) or graph (the graph's weights).
    #[arg(long, value_name = "WEIGHTS")]
    pub lt_weights: Option<String>,
    /// Uniform chance on every tie (default 0.1 when no rule is given). Under the independent
    /// cascade, the chance that an attempt succeeds; under the other models, the chance that an
    /// adopted friend's exposure reaches you over the tie (default 1).
    #[arg(long, allow_negative_numbers = true)]
    pub p: Option<f64>,
    /// Chance on strong ties (as --p).
    #[arg(long, allow_negative_numbers = true)]
    pub p_strong: Option<f64>,
    /// Chance on weak ties (as --p).
    #[arg(long, allow_negative_numbers = true)]
    pub p_weak: Option<f64>,
    /// Probability from the weight w: 1-(1-P)^w (w independent chances of P).
    #[arg(long, value_name = "P", allow_negative_numbers = true)]
    pub p_from_weight: Option<f64>,
    /// Weighted cascade: p(u,v) = 1/in-degree(v).
    #[arg(long)]
    pub weighted_cascade: bool,
    /// Delay on strong ties: exp:MEAN_HOURS | lognormal:MEDIAN_HOURS,SIGMA | weibull:SHAPE,SCALE_HOURS | fixed:HOURS
    /// [default: exp:1].
    #[arg(long, value_name = "DIST")]
    pub delay_strong: Option<String>,
    /// Delay on weak ties (same syntax) [default: exp:1].
    #[arg(long, value_name = "DIST")]
    pub delay_weak: Option<String>,
    /// Delay on every tie (instead of --delay-strong and --delay-weak).
    #[arg(long, value_name = "DIST")]
    pub delay: Option<String>,
    /// Horizon in hours: adoptions later than this do not happen. Default: unbounded.
    #[arg(long, value_name = "H", allow_negative_numbers = true)]
    pub hours: Option<f64>,
}

/// Monte-Carlo, grid and output options shared by simulate and compare.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Replace a non-empty output directory.
    #[arg(long)]
    pub force: bool,
    /// Chart width in pixels.
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// Chart height in pixels.
    #[arg(long, default_value_t = 1000)]
    pub height: u32,
    /// No progress bar and no messages, only errors.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Also print the summary JSON to stdout.
    #[arg(long)]
    pub json: bool,
}

/// Runs sharded over several processes (timely dataflow's cluster communication).
#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Cluster")]
pub struct ClusterArgs {
    /// Processes in the cluster; 1 runs alone, without a socket (with --hosts: the cluster path
    /// with one process, to measure what it costs).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub processes: usize,
    /// This process's index, 0 to N - 1 (process 0 writes the report).
    #[arg(long, default_value_t = 0, value_name = "I")]
    pub process: usize,
    /// One host:port per line, one line per process (timely's hostfile).
    #[arg(long, value_name = "FILE")]
    pub hosts: Option<std::path::PathBuf>,
    /// Timely workers per process: the runs are cut into N × W shards.
    #[arg(long, default_value_t = 1, value_name = "W")]
    pub workers: usize,
    /// Seconds to wait for every process to connect, and for the others to finish.
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub cluster_timeout: u64,
}

#[derive(Args, Debug)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Seeds: top-degree:K | random:K | file:PATH (original ids, optional start hour per line).
    #[arg(long, default_value = "top-degree:10", value_name = "SPEC")]
    pub seeds: String,
    /// Monte-Carlo runs.
    #[arg(long, short = 'r', default_value_t = 1000)]
    pub runs: u64,
    /// Random seed (runs, random seeds).
    #[arg(long, short = 's', default_value_t = 1)]
    pub seed: u64,
    /// Grid step of the curves, in hours.
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub step_hours: f64,
    /// End of the curves, in hours. Default: the horizon, or 72 h when unbounded.
    #[arg(long)]
    pub curve_hours: Option<f64>,
    /// Name of this run in the curves and charts.
    #[arg(long)]
    pub label: Option<String>,
    /// Engine: auto (when every delay is the same fixed time and seeds start together, the first
    /// 64 runs measure whether runs meet often enough for fused 64-runs-per-pass to pay, else
    /// scalar; with continuous delays and no horizon, the first 16 runs measure whether live
    /// pays, else scalar; scalar otherwise), scalar (one run at a time; continuous delays on a
    /// calendar queue), fused, live (scalar; continuous delays as breadth-first rounds over the
    /// live arcs, then their shortest times), dijkstra (scalar with a binary heap), or
    /// plain (the reference: one run at a time, one coin per arc, no skipping, a binary heap).
    /// Same distribution either way; the report says which ran.
    #[arg(long, default_value = "auto")]
    pub engine: String,
    /// Report directory.
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// Partition the graph over the cluster's processes: each reads its share of the (plain
    /// text) file and holds only the arcs of the nodes it owns; cascades cross processes as
    /// messages; a node's coins and delays come from a stream seeded by (seed, run, node id), so
    /// the report has the same bytes for any number of processes. Independent cascade, uniform or per-tie-class p,
    /// top-degree or file seeds.
    #[arg(long, help_heading = "Cluster")]
    pub partition: bool,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Users per platform (generated graphs).
    #[arg(long, short = 'n')]
    pub nodes: Option<usize>,
    /// Monte-Carlo runs per platform.
    #[arg(long, short = 'r')]
    pub runs: Option<u64>,
    /// Horizon in hours.
    #[arg(long, allow_negative_numbers = true)]
    pub hours: Option<f64>,
    /// Random seed (graphs, seed users, runs).
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// A TOML scenario file (see scenarios/red-packet.toml). Default: the built-in red-packet scenario.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Grid step of the curves, in hours.
    #[arg(long)]
    pub step_hours: Option<f64>,
    /// Take the gap between the first two platforms apart: (a) shape only, (b) + tie strength,
    /// (c) + reinforcement, (d) the scenario itself; writes decomposition.csv too.
    #[arg(long)]
    pub decompose: bool,
    /// Report directory.
    #[arg(long, short = 'o', default_value = "red-packet-report")]
    pub out: PathBuf,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Curve files written by simulate or compare (curves.csv or curves.parquet).
    #[arg(required = true)]
    pub curves: Vec<PathBuf>,
    /// Output PNG.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Logarithmic y axis.
    #[arg(long)]
    pub log: bool,
    /// Plot new adopters per hour instead of cumulative adopters.
    #[arg(long)]
    pub new_per_hour: bool,
    /// Chart title.
    #[arg(long, default_value = "Adoption over time")]
    pub title: String,
    /// Chart width in pixels.
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// Chart height in pixels.
    #[arg(long, default_value_t = 1000)]
    pub height: u32,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct PercolationArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    /// Points on each curve (fractions of ties removed, evenly spaced from 0 to 1).
    #[arg(long, default_value_t = 100)]
    pub points: usize,
    /// Random seed for breaking ties between equally strong ties.
    #[arg(long, short = 's', default_value_t = 1)]
    pub seed: u64,
    /// Report directory (percolation.csv, percolation.png, summary.json).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct ObservedArgs {
    /// A cascade file, or a directory / .tar.gz of them (twitter-tree, seismic).
    pub cascades: PathBuf,
    /// higgs | weibo | twitter-tree | seismic.
    #[arg(long)]
    pub format: String,
    /// End of the curves, in hours since each cascade's first event.
    #[arg(long, default_value_t = 48.0, allow_negative_numbers = true)]
    pub hours: f64,
    /// Grid step of the curves, in hours.
    #[arg(long, default_value_t = 0.25, allow_negative_numbers = true)]
    pub step_hours: f64,
    /// Name of these cascades in the curves and charts (default: the format).
    #[arg(long)]
    pub label: Option<String>,
    /// Report directory (curves.csv, curves.parquet, delays.csv, summary.json, adoption.png).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct FitArgs {
    /// A cascade file, or a directory / .tar.gz of them (twitter-tree, seismic).
    pub cascades: PathBuf,
    /// higgs | weibo | twitter-tree | seismic.
    #[arg(long)]
    pub format: String,
    /// Delay family: auto (lowest AIC of exp, lognormal, weibull) or one of them.
    #[arg(long, default_value = "auto")]
    pub family: String,
    /// Time resolution of the data in seconds: shorter delays are treated as censored.
    /// Default: 1 (higgs, weibo, seismic), 0.6 (twitter-tree: 0.01 minutes).
    #[arg(long, allow_negative_numbers = true)]
    pub resolution_seconds: Option<f64>,
    /// Simulated copies of every observed cascade.
    #[arg(long, short = 'r', default_value_t = 20)]
    pub runs: u64,
    /// Random seed of the simulation.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Horizon in hours since each cascade's first event (default: the whole hours covering 99 %
    /// of the observed adoptions).
    #[arg(long, allow_negative_numbers = true)]
    pub hours: Option<f64>,
    /// Grid step of the curves in hours (default: 400 points over the hours that hold 95 % of
    /// the observed adoptions, at most 20,000 over the horizon).
    #[arg(long, allow_negative_numbers = true)]
    pub step_hours: Option<f64>,
    /// Largest simulated cascade (default: 10 × the largest observed one).
    #[arg(long)]
    pub max_size: Option<usize>,
    /// Name of these cascades in the charts (default: the format).
    #[arg(long)]
    pub label: Option<String>,
    /// Report directory (summary.json, summary.md, curves.csv/.parquet, delays.csv, fit.png,
    /// adoption_times.png, delays.png).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// A TOML scenario file, or `red-packet` for the built-in one.
    pub scenario: String,
    /// KEY=FROM:TO:STEPS, once or twice: STEPS evenly spaced values. Keys: nodes, hours, p,
    /// p_strong, p_weak, graph.NAME (a generator parameter), model.I / delay_strong.I / ... (the
    /// I-th number of a spec); prefix N. for platform N only (2.p_weak).
    #[arg(long = "vary", required = true, value_name = "KEY=FROM:TO:STEPS")]
    pub vary: Vec<String>,
    /// Monte-Carlo runs per point and platform (default: the scenario's).
    #[arg(long, short = 'r')]
    pub runs: Option<u64>,
    /// Random seed, the same at every point (default: the scenario's).
    #[arg(long, short = 's')]
    pub seed: Option<u64>,
    /// Report directory (sweep.csv, sweep.parquet, sweep.png, summary.md, summary.json).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// With --force: also run sweeps of more than 10,000 points.
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Args, Debug)]
pub struct SeedsArgs {
    #[command(flatten)]
    pub graph: GraphArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Seeds to choose.
    #[arg(long, short = 'k')]
    pub k: usize,
    /// The guarantee is 1 - 1/e - EPS of the best spread (larger: faster, weaker).
    #[arg(long, default_value_t = 0.1, allow_negative_numbers = true)]
    pub eps: f64,
    /// The guarantee holds with probability 1 - DELTA [default: 1/nodes].
    #[arg(long, allow_negative_numbers = true)]
    pub delta: Option<f64>,
    /// Random seed (RR sets; the forward comparison uses a seed derived from it).
    #[arg(long, short = 's', default_value_t = 1)]
    pub seed: u64,
    /// Forward runs per point of the comparison with top-degree, degree discount and random seeds
    /// (seeds.png); 0 skips it.
    #[arg(long, default_value_t = 100)]
    pub eval_runs: u64,
    /// Report directory (seeds.csv, seeds.txt, seeds.png, summary.md, summary.json).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}
