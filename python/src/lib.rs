//! `hongbao._hongbao`: the compiled half of the Python package. The Python half
//! (`pysrc/hongbao/__init__.py`) wraps it with docstrings, polars frames and NetworkX input.
//!
//! Every long call runs on a worker thread with the GIL released; the calling thread wakes every
//! 50 ms to let Python handle signals, and on Ctrl-C asks the library to stop
//! (`hongbao::cancel`), waits for the runs in flight, and raises `KeyboardInterrupt`.
//!
//! Python's own handler is not the only way a Ctrl-C is seen: other extensions replace the
//! process's SIGINT handler (polars does, at import, chaining to the one before), so during a
//! call a handler of ours, chained in the same way, also asks the library to stop. A Ctrl-C then
//! stops the job even when Python's flag is never raised, and the call raises `KeyboardInterrupt`
//! itself.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hongbao::cascade::{Engine, Model, ModelSpec, MonteCarlo, SeedSpec};
use hongbao::graph::generate::Generator;
use hongbao::graph::load::{Format, LoadOptions};
use hongbao::graph::{EdgeList, Graph, TieClass};
use hongbao::influence::SelectOptions;
use hongbao::report::{self, ChartOptions, ReportDir};
use hongbao::study::{
    self, CompareSummary, Decomposition, GraphInput, PlatformReport, Scenario, SeedsOptions,
    SeedsSummary, Silent, SimulateOptions, SweepSummary,
};
use hongbao::ties::TieSpec;
use hongbao::{Error, Naming};
use numpy::PyReadonlyArray1;
use pyo3::exceptions::{PyFileNotFoundError, PyKeyboardInterrupt, PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

/// The library's error as the Python exception a caller expects, with the CLI's message.
fn py_err(e: Error) -> PyErr {
    fn root(e: &Error) -> &Error {
        match e {
            Error::Within { source, .. } => root(source),
            other => other,
        }
    }
    let msg = e.to_string();
    match root(&e) {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(msg)
        }
        Error::Io { .. } => PyOSError::new_err(msg),
        Error::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
        _ => PyValueError::new_err(msg),
    }
}

trait OrPy<T> {
    fn py(self) -> PyResult<T>;
}

impl<T> OrPy<T> for hongbao::Result<T> {
    fn py(self) -> PyResult<T> {
        self.map_err(py_err)
    }
}

/// Calls under way (a SIGINT outside them is left to Python alone), and whether a SIGINT came
/// during one.
static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static SIGINT_SEEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Chains a SIGINT action of ours to the process's handler, once: during a call it asks the
/// library to stop. (It runs in a signal handler: atomic stores only.)
fn watch_sigint() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: the action only does atomic loads and stores, which are async-signal-safe.
        let _ = unsafe {
            signal_hook_registry::register(libc::SIGINT, || {
                use std::sync::atomic::Ordering::Relaxed;
                if CALLS.load(Relaxed) > 0 {
                    SIGINT_SEEN.store(true, Relaxed);
                    hongbao::cancel::request();
                }
            })
        };
    });
}

/// Runs `f` on a worker thread with the GIL released, waking every 50 ms for Python's signal
/// handlers; Ctrl-C stops the job (see the module's comment).
fn interruptible<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> hongbao::Result<T> + Send,
) -> PyResult<T> {
    use std::sync::atomic::Ordering::Relaxed;
    watch_sigint();
    hongbao::cancel::clear();
    SIGINT_SEEN.store(false, Relaxed);
    // Counted out on every way out of the call, a panic included.
    struct InCall;
    impl Drop for InCall {
        fn drop(&mut self) {
            CALLS.fetch_sub(1, Relaxed);
        }
    }
    CALLS.fetch_add(1, Relaxed);
    let _in_call = InCall;
    run_interruptible(py, f)
}

fn run_interruptible<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> hongbao::Result<T> + Send,
) -> PyResult<T> {
    use std::sync::atomic::Ordering::Relaxed;
    std::thread::scope(|s| {
        // The worker says when it is done through a channel, so a short call returns at once;
        // between signal checks the wait is at most 50 ms.
        let (done, finished) = std::sync::mpsc::channel::<()>();
        let worker = s.spawn(move || {
            let r = f();
            let _ = done.send(());
            r
        });
        // (`detach` wants a closure that can be shared: a receiver alone cannot.)
        let finished = std::sync::Mutex::new(finished);
        let mut signal: Option<PyErr> = None;
        loop {
            let waited = py.detach(|| {
                let finished = finished.lock().unwrap_or_else(|e| e.into_inner());
                finished.recv_timeout(Duration::from_millis(50))
            });
            if !matches!(waited, Err(std::sync::mpsc::RecvTimeoutError::Timeout)) {
                break;
            }
            if signal.is_none()
                && let Err(e) = py.check_signals()
            {
                hongbao::cancel::request();
                signal = Some(e);
            }
        }
        let result = match worker.join() {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        if signal.is_none() && SIGINT_SEEN.load(Relaxed) {
            // Python's handler may still have the Ctrl-C to raise; if it never saw it, say it.
            signal = Some(
                py.check_signals()
                    .err()
                    .unwrap_or_else(|| PyKeyboardInterrupt::new_err("interrupted")),
            );
        }
        hongbao::cancel::clear();
        match (signal, result) {
            (Some(e), Err(Error::Interrupted)) | (Some(e), Ok(_)) => Err(e),
            (_, r) => r.py(),
        }
    })
}

/// A graph with its tie classes, and where it came from (for reports).
#[pyclass(name = "Graph", module = "hongbao._hongbao", frozen)]
struct PyGraph {
    graph: Arc<Graph>,
    input: GraphInput,
    ties: String,
}

impl PyGraph {
    fn in_memory(graph: Graph, name: &str, ties: String) -> PyGraph {
        PyGraph {
            graph: Arc::new(graph),
            input: GraphInput {
                path: PathBuf::from(name),
                load: LoadOptions::default(),
                ties: None,
            },
            ties,
        }
    }
}

fn tie_spec(s: Option<&str>) -> PyResult<Option<TieSpec>> {
    s.map(str::parse::<TieSpec>).transpose().py()
}

#[pymethods]
impl PyGraph {
    #[staticmethod]
    #[pyo3(signature = (path, ties=None, directed=false, format=None, src=None, dst=None, weight=None, tie=None, layers=None, max_memory=None))]
    #[allow(clippy::too_many_arguments)]
    fn load(
        py: Python<'_>,
        path: PathBuf,
        ties: Option<&str>,
        directed: bool,
        format: Option<&str>,
        src: Option<String>,
        dst: Option<String>,
        weight: Option<String>,
        tie: Option<String>,
        layers: Option<Vec<String>>,
        max_memory: Option<u64>,
    ) -> PyResult<PyGraph> {
        let input = GraphInput {
            path,
            load: LoadOptions {
                directed,
                format: format.map(Format::parse).transpose().py()?,
                src,
                dst,
                weight,
                tie,
                layers: layers.unwrap_or_default(),
                max_memory,
            },
            ties: tie_spec(ties)?,
        };
        let (graph, ties) = interruptible(py, || input.load())?;
        Ok(PyGraph {
            graph: Arc::new(graph),
            input,
            ties,
        })
    }

    #[staticmethod]
    #[pyo3(signature = (model, nodes, seed=1, params=None))]
    fn generate(
        py: Python<'_>,
        model: &str,
        nodes: usize,
        seed: u64,
        params: Option<Vec<String>>,
    ) -> PyResult<PyGraph> {
        let params = params.unwrap_or_default();
        let (generator, rewire) = Generator::with_params(model, &params).py()?;
        let source = study::GraphSource::Generated {
            generator,
            nodes: Some(nodes),
            rewire,
        };
        let graph = interruptible(py, || {
            study::build_graph(&source, &TieSpec::Labels, nodes, seed)
        })?;
        let name = format!("{model}-{nodes}-seed{seed}");
        Ok(PyGraph::in_memory(graph, &name, "generator".into()))
    }

    #[staticmethod]
    #[pyo3(signature = (src, dst, strong=None, weight=None, directed=false, labels=None, name="edges"))]
    #[allow(clippy::too_many_arguments)]
    fn from_arrays(
        py: Python<'_>,
        src: PyReadonlyArray1<'_, i64>,
        dst: PyReadonlyArray1<'_, i64>,
        strong: Option<PyReadonlyArray1<'_, bool>>,
        weight: Option<PyReadonlyArray1<'_, f64>>,
        directed: bool,
        labels: Option<Vec<String>>,
        name: &str,
    ) -> PyResult<PyGraph> {
        let (s, d) = (src.as_slice()?, dst.as_slice()?);
        if s.len() != d.len() {
            return Err(PyValueError::new_err(format!(
                "src has {} entries and dst {}: they must be as long",
                s.len(),
                d.len()
            )));
        }
        let limit = labels.as_ref().map(|l| l.len() as i64);
        for (what, col) in [("src", s), ("dst", d)] {
            if let Some((i, &x)) = col.iter().enumerate().find(|&(_, &x)| {
                x < 0 || limit.is_some_and(|l| x >= l) || x >= u32::MAX as i64 && limit.is_some()
            }) {
                return Err(PyValueError::new_err(match limit {
                    Some(l) => format!("{what}[{i}] = {x}: a position must be from 0 to {}", l - 1),
                    None => format!("{what}[{i}] = {x}: node ids must not be negative"),
                }));
            }
        }
        let strong = strong.as_ref().map(|a| a.as_slice()).transpose()?;
        let weight = weight.as_ref().map(|a| a.as_slice()).transpose()?;
        for (what, len) in [
            ("strong", strong.map(<[bool]>::len)),
            ("weight", weight.map(<[f64]>::len)),
        ] {
            if let Some(len) = len.filter(|&l| l != s.len()) {
                return Err(PyValueError::new_err(format!(
                    "{what} has {len} entries for {} edges",
                    s.len()
                )));
            }
        }
        if let Some((i, &w)) = weight
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .find(|&(_, &w)| !w.is_finite() || w < 0.0)
        {
            return Err(PyValueError::new_err(format!(
                "weight[{i}] = {w}: a weight must be finite and not negative"
            )));
        }
        let graph = py.detach(|| {
            let mut edges = match &labels {
                Some(l) => {
                    let s: Vec<u32> = s.iter().map(|&x| x as u32).collect();
                    let d: Vec<u32> = d.iter().map(|&x| x as u32).collect();
                    EdgeList::from_labelled(l, &s, &d)
                }
                None => {
                    let s: Vec<u64> = s.iter().map(|&x| x as u64).collect();
                    let d: Vec<u64> = d.iter().map(|&x| x as u64).collect();
                    EdgeList::from_ids(&s, &d)
                }
            };
            edges.ties = strong.map(|t| {
                t.iter()
                    .map(|&b| if b { TieClass::Strong } else { TieClass::Weak })
                    .collect()
            });
            edges.weights = weight.map(|w| w.iter().map(|&x| x as f32).collect());
            Graph::from_edges(edges, directed)
        });
        let ties = if strong.is_some() {
            "column"
        } else {
            "none (every tie weak)"
        };
        Ok(PyGraph::in_memory(graph, name, ties.into()))
    }

    /// The same graph with ties classified by `spec` (`overlap:0.2`, `weight:1`, ...).
    fn with_ties(&self, py: Python<'_>, spec: &str) -> PyResult<PyGraph> {
        let spec: TieSpec = spec.parse().py()?;
        let g = (*self.graph).clone();
        let graph = interruptible(py, || hongbao::ties::classify(g, &spec))?;
        let mut input = self.input.clone();
        input.ties = Some(spec.clone());
        Ok(PyGraph {
            graph: Arc::new(graph),
            input,
            ties: spec.to_string(),
        })
    }

    fn stats_json(&self, py: Python<'_>) -> PyResult<String> {
        let g = self.graph.clone();
        let s = py.detach(move || hongbao::graph::stats::stats(&g));
        serde_json::to_string(&s).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    #[pyo3(signature = (path, force=false))]
    fn save(&self, py: Python<'_>, path: PathBuf, force: bool) -> PyResult<()> {
        let g = self.graph.clone();
        py.detach(move || report::write_graph(&g, &path, force))
            .py()
    }

    #[getter]
    fn nodes(&self) -> usize {
        self.graph.node_count()
    }
    #[getter]
    fn edges(&self) -> usize {
        self.graph.edge_count()
    }
    #[getter]
    fn directed(&self) -> bool {
        self.graph.is_directed()
    }
    #[getter]
    fn strong_ties(&self) -> usize {
        self.graph.tie_split().0
    }
    #[getter]
    fn weak_ties(&self) -> usize {
        self.graph.tie_split().1
    }
    #[getter]
    fn ties(&self) -> &str {
        &self.ties
    }
    #[getter]
    fn source(&self) -> String {
        self.input.path.display().to_string()
    }
    /// Node ids as the input gave them, in the graph's order.
    fn labels(&self) -> Vec<String> {
        let ids = self.graph.ids();
        (0..self.graph.node_count() as u32)
            .map(|u| ids.label(u))
            .collect()
    }

    fn __repr__(&self) -> String {
        let (s, w) = self.graph.tie_split();
        format!(
            "<hongbao.Graph {}: {} nodes, {} {} ({s} strong, {w} weak)>",
            self.input.path.display(),
            self.graph.node_count(),
            self.graph.edge_count(),
            if self.graph.is_directed() {
                "arcs"
            } else {
                "edges"
            }
        )
    }
}

/// What a job produced, as the CLI would write it.
enum Kind {
    Simulate {
        title: String,
        report: Box<PlatformReport>,
    },
    Compare(Box<CompareSummary>),
    Decompose(Box<Decomposition>),
    Sweep(Box<SweepSummary>),
    Seeds(Box<SeedsSummary>),
}

#[pyclass(name = "Report", module = "hongbao._hongbao", frozen)]
struct PyReport {
    kind: Kind,
}

fn chart(width: u32, height: u32) -> PyResult<ChartOptions> {
    if !(200..=10_000).contains(&width) || !(150..=10_000).contains(&height) {
        return Err(PyValueError::new_err(format!(
            "invalid width/height {width}x{height}: must be 200-10000 by 150-10000 pixels"
        )));
    }
    Ok(ChartOptions {
        width,
        height,
        ..Default::default()
    })
}

impl PyReport {
    fn platforms(&self) -> Option<(&str, &[PlatformReport])> {
        match &self.kind {
            Kind::Simulate { title, report } => {
                Some((title, std::slice::from_ref(report.as_ref())))
            }
            Kind::Compare(c) => Some((&c.title, &c.platforms)),
            Kind::Decompose(d) => Some((&d.compare.title, &d.compare.platforms)),
            _ => None,
        }
    }
}

#[pymethods]
impl PyReport {
    /// The kind of job: `simulate`, `compare`, `decompose`, `sweep` or `seeds`.
    #[getter]
    fn kind(&self) -> &'static str {
        match self.kind {
            Kind::Simulate { .. } => "simulate",
            Kind::Compare(_) => "compare",
            Kind::Decompose(_) => "decompose",
            Kind::Sweep(_) => "sweep",
            Kind::Seeds(_) => "seeds",
        }
    }

    /// `summary.json`, as the CLI writes it.
    fn summary_json(&self) -> String {
        match &self.kind {
            Kind::Simulate { report, .. } => report::summary_json(report),
            Kind::Compare(c) => report::compare_json(c),
            Kind::Decompose(d) => report::sorted_json(d.as_ref()),
            Kind::Sweep(s) => report::sorted_json(s.as_ref()),
            Kind::Seeds(s) => report::sorted_json(s.as_ref()),
        }
    }

    /// The main table (curves, sweep rows or seeds) as Parquet bytes.
    fn table_parquet<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = match &self.kind {
            Kind::Sweep(s) => report::sweep_parquet(s),
            Kind::Seeds(s) => report::seeds_parquet(s),
            _ => report::curves_parquet(self.platforms().map(|p| p.1).unwrap_or(&[])),
        }
        .py()?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// `summary.md`, as the CLI writes it.
    fn markdown(&self) -> String {
        match &self.kind {
            Kind::Simulate { title, report } => {
                report::platforms_markdown(title, std::slice::from_ref(report.as_ref()))
            }
            Kind::Compare(c) => report::platforms_markdown(&c.title, &c.platforms),
            Kind::Decompose(d) => format!(
                "{}{}",
                report::decomposition_markdown(d),
                report::platforms_markdown(&d.compare.title, &d.compare.platforms)
            ),
            Kind::Sweep(s) => report::sweep_markdown(s),
            Kind::Seeds(s) => report::seeds_markdown(s),
        }
    }

    /// Writes the report directory the CLI writes (`--out DIR`).
    #[pyo3(signature = (out, force=false, width=1600, height=1000))]
    fn save(
        &self,
        py: Python<'_>,
        out: PathBuf,
        force: bool,
        width: u32,
        height: u32,
    ) -> PyResult<String> {
        let c = chart(width, height)?;
        py.detach(|| {
            let dir = ReportDir::create(&out, force)?;
            match &self.kind {
                Kind::Simulate { title, report } => {
                    report::write_simulate(&dir, title, report, &c)?
                }
                Kind::Compare(s) => report::write_compare(&dir, s, &c)?,
                Kind::Decompose(d) => report::write_decomposition(&dir, d, &c)?,
                Kind::Sweep(s) => report::write_sweep(&dir, s, &c)?,
                Kind::Seeds(s) => report::write_seeds(&dir, s, &c)?,
            }
            dir.commit().map(|p| p.display().to_string())
        })
        .py()
    }

    /// Draws the adoption curves (or new adopters per hour) as a PNG.
    #[pyo3(signature = (path, new_per_hour=false, force=false, width=1600, height=1000))]
    fn plot(
        &self,
        py: Python<'_>,
        path: PathBuf,
        new_per_hour: bool,
        force: bool,
        width: u32,
        height: u32,
    ) -> PyResult<()> {
        let Some((title, platforms)) = self.platforms() else {
            return Err(PyValueError::new_err(
                "this report has no adoption curves; save() writes its own chart",
            ));
        };
        let mut opts = chart(width, height)?;
        opts.title = if new_per_hour {
            format!("{title}: new adopters per hour")
        } else {
            title.to_string()
        };
        let curves: Vec<_> = platforms
            .iter()
            .map(|p| (p.outcome.curve.clone(), p.outcome.nodes))
            .collect();
        py.detach(|| report::write_chart(&path, force, &curves, &opts, new_per_hour))
            .py()
    }
}

/// The keyword arguments that make a model.
const MODEL_KEYS: &[&str] = &[
    "model",
    "lt_weights",
    "p",
    "p_strong",
    "p_weak",
    "p_from_weight",
    "weighted_cascade",
    "delay",
    "delay_strong",
    "delay_weak",
    "hours",
];

/// The model from keyword arguments, named as Python's keywords (`p_strong = 1.5: ...`).
fn model(m: &Bound<'_, PyDict>) -> PyResult<Model> {
    fn value<'py>(m: &Bound<'py, PyDict>, k: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(m.get_item(k)?.filter(|v| !v.is_none()))
    }
    fn wrong(k: &str, v: &Bound<'_, PyAny>, want: &str) -> PyErr {
        PyValueError::new_err(format!("invalid {k} {v}: expected {want}"))
    }
    let text = |k: &str| -> PyResult<Option<String>> {
        value(m, k)?
            .map(|v| v.extract::<String>().map_err(|_| wrong(k, &v, "a string")))
            .transpose()
    };
    let number = |k: &str| -> PyResult<Option<f64>> {
        value(m, k)?
            .map(|v| v.extract::<f64>().map_err(|_| wrong(k, &v, "a number")))
            .transpose()
    };
    for k in m.keys() {
        let k: String = k.extract()?;
        if !MODEL_KEYS.contains(&k.as_str()) {
            return Err(PyValueError::new_err(format!(
                "unknown model argument {k:?}: expected one of {}",
                MODEL_KEYS.join(", ")
            )));
        }
    }
    let weighted_cascade = match value(m, "weighted_cascade")? {
        Some(v) => v
            .extract::<bool>()
            .map_err(|_| wrong("weighted_cascade", &v, "True or False"))?,
        None => false,
    };
    ModelSpec {
        model: text("model")?,
        lt_weights: text("lt_weights")?,
        p: number("p")?,
        p_strong: number("p_strong")?,
        p_weak: number("p_weak")?,
        p_from_weight: number("p_from_weight")?,
        weighted_cascade,
        delay: text("delay")?,
        delay_strong: text("delay_strong")?,
        delay_weak: text("delay_weak")?,
        hours: number("hours")?,
    }
    .build(Naming::Key)
    .py()
}

#[pyfunction]
#[pyo3(signature = (graph, model_args, seeds="top-degree:10", runs=1000, seed=1, step_hours=0.1, curve_hours=None, label=None, engine="auto"))]
#[allow(clippy::too_many_arguments)]
fn simulate(
    py: Python<'_>,
    graph: &PyGraph,
    model_args: &Bound<'_, PyDict>,
    seeds: &str,
    runs: u64,
    seed: u64,
    step_hours: f64,
    curve_hours: Option<f64>,
    label: Option<String>,
    engine: &str,
) -> PyResult<PyReport> {
    let opts = SimulateOptions {
        graph: graph.input.clone(),
        model: model(model_args)?,
        seeds: SeedSpec::parse(seeds).py()?,
        runs,
        seed,
        step_hours,
        curve_hours,
        label,
        engine: Engine::parse(engine).py()?,
    };
    opts.check().py()?;
    let g = graph.graph.clone();
    let ties = graph.ties.clone();
    let report = interruptible(py, || study::simulate_on(&opts, &g, ties, &Silent))?;
    Ok(PyReport {
        kind: Kind::Simulate {
            title: opts.title(),
            report: Box::new(report),
        },
    })
}

#[pyfunction]
#[pyo3(signature = (scenario=None, nodes=None, runs=None, hours=None, seed=None, step_hours=None, decompose=false))]
#[allow(clippy::too_many_arguments)]
fn compare(
    py: Python<'_>,
    scenario: Option<PathBuf>,
    nodes: Option<usize>,
    runs: Option<u64>,
    hours: Option<f64>,
    seed: Option<u64>,
    step_hours: Option<f64>,
    decompose: bool,
) -> PyResult<PyReport> {
    let sc = match &scenario {
        Some(p) => Scenario::from_file(p).py()?,
        None => Scenario::red_packet(),
    };
    let sc = sc
        .with_overrides(&study::Overrides {
            nodes,
            runs,
            hours,
            seed,
            step_hours,
        })
        .py()?;
    let kind = if decompose {
        Kind::Decompose(Box::new(interruptible(py, || {
            study::decompose(&sc, &Silent)
        })?))
    } else {
        Kind::Compare(Box::new(interruptible(py, || {
            study::compare(&sc, &Silent)
        })?))
    };
    Ok(PyReport { kind })
}

#[pyfunction]
#[pyo3(signature = (scenario, vary, runs=None, seed=None, force=false))]
fn sweep(
    py: Python<'_>,
    scenario: &str,
    vary: Vec<String>,
    runs: Option<u64>,
    seed: Option<u64>,
    force: bool,
) -> PyResult<PyReport> {
    let opts = study::SweepOptions::from_source(scenario, &vary, force, runs, seed).py()?;
    let s = interruptible(py, || study::sweep(&opts, &Silent))?;
    Ok(PyReport {
        kind: Kind::Sweep(Box::new(s)),
    })
}

#[pyfunction]
#[pyo3(signature = (graph, k, model_args, eps=0.1, delta=None, seed=1, eval_runs=100, max_memory=None))]
#[allow(clippy::too_many_arguments)]
fn seeds(
    py: Python<'_>,
    graph: &PyGraph,
    k: usize,
    model_args: &Bound<'_, PyDict>,
    eps: f64,
    delta: Option<f64>,
    seed: u64,
    eval_runs: u64,
    max_memory: Option<u64>,
) -> PyResult<PyReport> {
    let opts = SeedsOptions {
        graph: graph.input.clone(),
        model: model(model_args)?,
        select: SelectOptions {
            k,
            eps,
            delta,
            seed,
            max_memory,
        },
        eval_runs,
    };
    opts.check().py()?;
    let g = graph.graph.clone();
    let s = interruptible(py, || study::seeds_on(&opts, &g, 0.0, &Silent))?;
    Ok(PyReport {
        kind: Kind::Seeds(Box::new(s)),
    })
}

/// Exact sums of final sizes (integers, so that any split of the runs merges to the same bytes).
#[derive(Default)]
struct Finals {
    runs: u64,
    sum: u64,
    sum_sq: u128,
}

impl hongbao::cascade::Accumulate for Finals {
    fn add_run(&mut self, times: &[f64], _attempts: u64) {
        let n = times.len() as u64;
        self.runs += 1;
        self.sum += n;
        self.sum_sq += u128::from(n) * u128::from(n);
    }
    fn add_rounds(&mut self, rounds: &[(f64, u64)], _attempts: u64) {
        let n: u64 = rounds.iter().map(|r| r.1).sum();
        self.runs += 1;
        self.sum += n;
        self.sum_sq += u128::from(n) * u128::from(n);
    }
    fn merge(&mut self, o: Finals) {
        self.runs += o.runs;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }
}

/// The independent cascade with one chance on every arc, CyNetDiff's shape: no time, the final
/// number of adopters per run.
#[pyclass(name = "IndependentCascade", module = "hongbao._hongbao", frozen)]
struct PyIndependentCascade {
    graph: Arc<Graph>,
    model: Model,
    seeds: Vec<(u32, f64)>,
}

#[pymethods]
impl PyIndependentCascade {
    #[new]
    fn new(graph: &PyGraph, p: f64, seeds: Vec<String>) -> PyResult<Self> {
        let model = ModelSpec {
            p: Some(p),
            delay: Some("fixed:1".into()),
            ..ModelSpec::default()
        }
        .build(Naming::Key)
        .py()?;
        let ids = graph.graph.ids();
        let seeds = seeds
            .iter()
            .map(|s| {
                ids.find(s).map(|u| (u, 0.0)).ok_or_else(|| {
                    PyValueError::new_err(format!("invalid seeds {s:?}: not a node of the graph"))
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyIndependentCascade {
            graph: graph.graph.clone(),
            model,
            seeds,
        })
    }

    /// Runs `runs` cascades from `seed`; returns (mean, standard error) of the final number of
    /// adopters, seeds included.
    #[pyo3(signature = (runs, seed=1))]
    fn run(&self, py: Python<'_>, runs: u64, seed: u64) -> PyResult<(f64, f64)> {
        let mc = MonteCarlo::new(runs, seed, Naming::Key).py()?;
        let f = interruptible(py, || {
            hongbao::cascade::simulate(
                &self.graph,
                &self.model,
                &self.seeds,
                mc,
                Finals::default,
                &|| {},
            )
        })?;
        let n = f.runs.max(1) as f64;
        let mean = f.sum as f64 / n;
        let var = (f.sum_sq as f64 / n - mean * mean).max(0.0) * n / (n - 1.0).max(1.0);
        Ok((mean, (var / n).sqrt()))
    }
}

/// The number of threads the simulations use (rayon's pool; `RAYON_NUM_THREADS` sets it).
#[pyfunction]
fn threads() -> usize {
    rayon::current_num_threads()
}

#[pymodule]
fn _hongbao(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyGraph>()?;
    m.add_class::<PyReport>()?;
    m.add_class::<PyIndependentCascade>()?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    m.add_function(wrap_pyfunction!(seeds, m)?)?;
    m.add_function(wrap_pyfunction!(threads, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
