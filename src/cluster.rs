//! Runs sharded over several processes, on timely dataflow's cluster communication.
//!
//! Every process of a cluster runs the same command on the same inputs: it loads or generates the
//! same graph, resolves the same seeds and makes the same calls in the same order. Only the runs
//! are divided. Each Monte-Carlo batch ([`crate::cascade::simulate_plan`]) cuts its runs into
//! `processes × workers` contiguous shards; a process runs the shards of its workers, and the
//! shards' accumulators go through one small timely dataflow (every shard's bytes to every
//! worker), so that every process then holds all of them and merges them in shard order. The
//! merge is exact integer addition (see [`crate::cascade::Accumulate`]), so the result, and the
//! report process 0 writes from it, has the same bytes as a one-process run with the same seed,
//! for any number of processes and workers.
//!
//! The command itself runs on the calling thread; timely's workers run on their own threads and
//! only carry the exchanges ([`all_gather`]). A connection that fails (a process that cannot be
//! reached, or one that dies) is noticed through timely's "communication error" panics and turns
//! into [`Error::Cluster`] in every waiting process, within a bounded time, instead of a hang.

use std::cell::RefCell;
use std::io::BufRead;
use std::path::Path;
use std::rc::Rc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// Where this process sits in a cluster, as the command line gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Processes in the cluster (1: no cluster, no socket).
    pub processes: usize,
    /// This process's index, `0..processes`; process 0 writes the report.
    pub process: usize,
    /// One `host:port` per process, in process order.
    pub addresses: Vec<String>,
    /// Timely worker threads per process; the runs are cut into `processes × workers` shards.
    pub workers: usize,
    /// How long to wait for every process to connect, and for a silent peer before giving up.
    pub timeout: Duration,
}

/// Reads a hosts file: one `host:port` per line (timely's own format), blank lines and `#`
/// comments skipped, at least `processes` of them (the first `processes` are used).
///
/// # Errors
/// The file cannot be read, a line is not `host:port` with a port 1–65535 (named with its line
/// and value), or it holds fewer addresses than processes.
pub fn read_hosts(path: &Path, processes: usize) -> Result<Vec<String>> {
    let file = std::fs::File::open(path).map_err(|e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let bad = |msg: &str| Error::Parse {
            path: path.to_path_buf(),
            line: i as u64 + 1,
            msg: msg.to_string(),
            value: text.to_string(),
        };
        let Some((host, port)) = text.rsplit_once(':') else {
            return Err(bad("expected host:port"));
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(bad("expected host:port (no host)"));
        }
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => return Err(bad("expected host:port with a port from 1 to 65535")),
        }
        out.push(text.to_string());
    }
    if out.len() < processes {
        return Err(Error::file(
            path,
            format!(
                "{} address{} for {processes} processes (one host:port per line, one line per process)",
                out.len(),
                if out.len() == 1 { "" } else { "es" }
            ),
        ));
    }
    out.truncate(processes);
    Ok(out)
}

/// A message between workers: (exchange number, sending worker, bytes).
type Msg = (u64, u32, Vec<u8>);

/// One exchange as a worker is given it.
enum Job {
    /// This worker's shard: to every worker ([`all_gather`]).
    All(Vec<u8>),
    /// Bytes per process, sent by the process's first worker to each process's first worker
    /// ([`all_to_all`]); empty for the other workers, which only take part in the round.
    Each(Vec<Vec<u8>>),
}

/// What the calling thread holds while it is a member of a cluster.
struct Link {
    /// To each of this process's workers: its part of the next exchange.
    to_workers: Vec<Sender<Job>>,
    /// From this process's first worker: every shard's bytes, in shard order.
    from_worker: Receiver<Vec<Vec<u8>>>,
    process: usize,
    processes: usize,
    workers: usize,
}

/// The cluster this process belongs to, while a [`Member`] lives.
static CURRENT: Mutex<Option<Arc<Mutex<Link>>>> = Mutex::new(None);

/// The first communication failure seen (set by the panic hook, read by the waiting threads).
static FAILED: OnceLock<String> = OnceLock::new();

/// Bytes this process's workers handed to workers of other processes (shards' encoded results).
static SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Membership of a cluster: made by [`join`], left by [`Member::leave`] (or on drop).
pub struct Member {
    guards: Option<std::thread::JoinHandle<()>>,
    config: ClusterConfig,
}

impl Member {
    /// This process's index (process 0 writes the report).
    pub fn process(&self) -> usize {
        self.config.process
    }

    /// Processes in the cluster.
    pub fn processes(&self) -> usize {
        self.config.processes
    }

    /// Bytes of results this process has sent to the other processes so far (the payloads:
    /// timely's headers and TCP's are not counted).
    pub fn bytes_sent(&self) -> u64 {
        SENT.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Leaves the cluster: closes this process's side of the dataflow and waits (at most the
    /// timeout) until every process has closed its own, so that none sees the others vanish
    /// mid-exchange.
    ///
    /// # Errors
    /// A peer failed while the cluster was shutting down, or did not shut down in time.
    pub fn leave(mut self) -> Result<()> {
        self.shut()
    }

    fn shut(&mut self) -> Result<()> {
        if let Ok(mut c) = CURRENT.lock() {
            *c = None; // drops the senders: the workers close their inputs
        }
        let Some(handle) = self.guards.take() else {
            return Ok(());
        };
        let start = Instant::now();
        while !handle.is_finished() {
            failed()?;
            if start.elapsed() > self.config.timeout {
                return Err(Error::Cluster(format!(
                    "process {}: the other processes did not finish within {} s",
                    self.config.process,
                    self.config.timeout.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        failed()
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        let _ = self.shut();
    }
}

/// `Err` once any communication failure was seen.
pub(crate) fn check() -> Result<()> {
    failed()
}

fn failed() -> Result<()> {
    match FAILED.get() {
        Some(m) => Err(Error::Cluster(m.clone())),
        None => Ok(()),
    }
}

/// Turns timely's communication panics (a peer unreachable or gone) into a recorded failure,
/// without the panic's message and backtrace on the terminal; other panics as before.
fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| info.payload().downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let ours = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("timely"));
            if msg.starts_with("timely communication error") {
                let _ = FAILED.set(format!(
                    "lost the connection to another process ({}); no report was written",
                    msg.trim_start_matches("timely communication error: ")
                ));
                // The runs under way stop early: their results can no longer be merged.
                crate::cancel::request();
                return;
            }
            if FAILED.get().is_some() || ours {
                // A worker that tripped over the lost connection, after it was reported.
                let _ = FAILED.set(format!("a cluster worker stopped: {msg}"));
                return;
            }
            previous(info);
        }));
    });
}

/// Joins the cluster `config` describes: starts timely's communication and workers, and waits
/// until every process is connected. With one process nothing is started (`Ok(None)`).
///
/// # Errors
/// A bad configuration, or the other processes not reachable within the timeout.
pub fn join(config: ClusterConfig) -> Result<Option<Member>> {
    // One process and no address: no cluster at all. One process with an address runs the
    // cluster path alone (to measure what it costs).
    if config.processes <= 1 && config.addresses.is_empty() {
        return Ok(None);
    }
    if config.process >= config.processes {
        return Err(Error::invalid(
            "--process",
            config.process.to_string(),
            format!(
                "processes are numbered 0 to {} (--processes {})",
                config.processes - 1,
                config.processes
            ),
        ));
    }
    if config.workers == 0 {
        return Err(Error::invalid("--workers", "0", "need at least one worker"));
    }
    if config.addresses.len() != config.processes {
        return Err(Error::invalid(
            "--hosts",
            config.addresses.len().to_string(),
            format!("need one address per process ({})", config.processes),
        ));
    }
    install_panic_hook();
    let workers = config.workers;
    let (ready_tx, ready_rx) = channel::<()>();
    let (to_main, from_worker) = channel::<Vec<Vec<u8>>>();
    let mut to_workers = Vec::new();
    let mut inboxes = Vec::new();
    for _ in 0..workers {
        let (tx, rx) = channel::<Job>();
        to_workers.push(tx);
        inboxes.push(Mutex::new(Some(rx)));
    }
    let inboxes = Arc::new(inboxes);
    let to_main = Arc::new(Mutex::new(Some(to_main)));
    let ready_tx = Arc::new(Mutex::new(ready_tx));
    let tconf = timely::Config {
        communication: timely::CommunicationConfig::Cluster {
            threads: workers,
            process: config.process,
            addresses: config.addresses.clone(),
            report: false,
            zerocopy: false,
        },
        worker: timely::WorkerConfig::default(),
    };
    // `execute` connects before it returns (and retries forever): it runs on a thread of its own,
    // and this one waits for the workers' word with a deadline.
    let handle = std::thread::Builder::new()
        .name("timely-cluster".into())
        .spawn(move || {
            let guards = timely::execute(tconf, move |worker| {
                let local = worker.index() % workers;
                let inbox = inboxes[local].lock().ok().and_then(|mut r| r.take());
                let to_main = if local == 0 {
                    to_main.lock().ok().and_then(|mut s| s.take())
                } else {
                    None
                };
                if let Ok(r) = ready_tx.lock() {
                    let _ = r.send(());
                }
                if let Some(inbox) = inbox {
                    serve(worker, workers, inbox, to_main);
                }
            });
            match guards {
                Ok(g) => drop(g.join()),
                Err(e) => {
                    let _ = FAILED.set(format!("could not start the cluster: {e}"));
                }
            }
        })
        .map_err(|e| Error::Cluster(format!("could not start a thread: {e}")))?;
    let start = Instant::now();
    let mut ready = 0;
    while ready < workers {
        failed()?;
        match ready_rx.recv_timeout(Duration::from_millis(50)) {
            Ok(()) => ready += 1,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                failed()?;
                return Err(Error::Cluster("the cluster's workers stopped".into()));
            }
        }
        if start.elapsed() > config.timeout {
            return Err(Error::Cluster(format!(
                "process {} of {}: not every process in {:?} could be reached within {} s \
                 (start all of them, with the same --processes and --hosts, or raise --cluster-timeout)",
                config.process,
                config.processes,
                config.addresses,
                config.timeout.as_secs()
            )));
        }
    }
    let link = Link {
        to_workers,
        from_worker,
        process: config.process,
        processes: config.processes,
        workers,
    };
    if let Ok(mut c) = CURRENT.lock() {
        *c = Some(Arc::new(Mutex::new(link)));
    }
    Ok(Some(Member {
        guards: Some(handle),
        config,
    }))
}

/// A worker's life: one dataflow that sends every message to every worker; for each exchange,
/// its shard's bytes in, and (the first worker of the process) every shard's bytes out.
fn serve(
    worker: &mut timely::worker::Worker,
    workers: usize,
    inbox: Receiver<Job>,
    to_main: Option<Sender<Vec<Vec<u8>>>>,
) {
    use timely::dataflow::operators::{Exchange, Input, Inspect, Probe};
    use timely::dataflow::{InputHandle, ProbeHandle};

    let me = worker.index() as u32;
    let peers = worker.peers();
    let seen: Rc<RefCell<Vec<Msg>>> = Rc::new(RefCell::new(Vec::new()));
    let mut input: InputHandle<u64, _> = InputHandle::new();
    let probe = ProbeHandle::new();
    {
        let seen = Rc::clone(&seen);
        worker.dataflow(|scope| {
            scope
                .input_from(&mut input)
                .container::<Vec<(u64, Msg)>>()
                .exchange(|(to, _)| *to)
                .inspect(move |(_, m)| seen.borrow_mut().push(m.clone()))
                .probe_with(&probe);
        });
    }
    let mut round = 0u64;
    loop {
        let bytes = loop {
            match inbox.recv_timeout(Duration::from_millis(5)) {
                Ok(b) => break Some(b),
                Err(RecvTimeoutError::Timeout) => {
                    if FAILED.get().is_some() {
                        return;
                    }
                    worker.step_or_park(Some(Duration::from_millis(5)));
                }
                Err(RecvTimeoutError::Disconnected) => break None,
            }
        };
        let Some(job) = bytes else { break };
        let here = (me as usize / workers) * workers..(me as usize / workers + 1) * workers;
        match job {
            Job::All(bytes) => {
                for to in 0..peers {
                    if !here.contains(&to) {
                        SENT.fetch_add(bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
                    }
                    input.send((to as u64, (round, me, bytes.clone())));
                }
            }
            Job::Each(per_process) => {
                for (p, bytes) in per_process.into_iter().enumerate() {
                    let to = p * workers;
                    if !here.contains(&to) {
                        SENT.fetch_add(bytes.len() as u64, std::sync::atomic::Ordering::Relaxed);
                    }
                    input.send((to as u64, (round, me, bytes)));
                }
            }
        }
        round += 1;
        input.advance_to(round);
        while probe.less_than(input.time()) {
            if FAILED.get().is_some() {
                return;
            }
            worker.step_or_park(Some(Duration::from_millis(5)));
        }
        let mut got: Vec<Msg> = seen
            .borrow_mut()
            .extract_if(.., |m| m.0 == round - 1)
            .collect();
        got.sort_unstable_by_key(|m| m.1);
        if let Some(tx) = &to_main {
            let _ = tx.send(got.into_iter().map(|m| m.2).collect());
        }
    }
    drop(input);
    while worker.step_or_park(Some(Duration::from_millis(5))) {
        if FAILED.get().is_some() {
            return;
        }
    }
}

/// This process's shards when it is a member of a cluster: `(first shard, shards here, all
/// shards)`; `None` outside a cluster.
pub(crate) fn shards() -> Option<(usize, usize, usize)> {
    let c = CURRENT.lock().ok()?.clone()?;
    let l = c.lock().ok()?;
    Some((l.process * l.workers, l.workers, l.processes * l.workers))
}

/// Gives this process's shards' bytes (one per local worker, in order) to every process and
/// returns all shards' bytes in shard order. Every process must call it the same number of times.
///
/// # Errors
/// Not in a cluster, the wrong number of shards, or a peer that failed.
pub(crate) fn all_gather(mine: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>> {
    let c = CURRENT
        .lock()
        .ok()
        .and_then(|c| c.clone())
        .ok_or_else(|| Error::Cluster("not a member of a cluster".into()))?;
    let l = c
        .lock()
        .map_err(|_| Error::Cluster("the cluster link was poisoned".into()))?;
    if mine.len() != l.to_workers.len() {
        return Err(Error::Cluster(format!(
            "{} shards given for {} workers",
            mine.len(),
            l.to_workers.len()
        )));
    }
    for (tx, b) in l.to_workers.iter().zip(mine) {
        tx.send(Job::All(b))
            .map_err(|_| failed().err().unwrap_or_else(lost_worker))?;
    }
    receive(&l)
}

/// Gives `per_process[p]` to process `p` (its own share included) and returns what every
/// process gave this one, in process order. Every process must call it the same number of times
/// (and the same number of times relative to [`all_gather`]). Outside a cluster, with one
/// process, it returns its argument.
///
/// # Errors
/// Not one part per process, or a peer that failed.
pub(crate) fn all_to_all(per_process: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>> {
    let Some(c) = CURRENT.lock().ok().and_then(|c| c.clone()) else {
        if per_process.len() == 1 {
            return Ok(per_process);
        }
        return Err(Error::Cluster("not a member of a cluster".into()));
    };
    let l = c
        .lock()
        .map_err(|_| Error::Cluster("the cluster link was poisoned".into()))?;
    if per_process.len() != l.processes {
        return Err(Error::Cluster(format!(
            "{} parts given for {} processes",
            per_process.len(),
            l.processes
        )));
    }
    let mut job = Some(per_process);
    for tx in &l.to_workers {
        tx.send(Job::Each(job.take().unwrap_or_default()))
            .map_err(|_| failed().err().unwrap_or_else(lost_worker))?;
    }
    receive(&l)
}

/// Bytes this process has handed to other processes so far (payloads only).
pub(crate) fn bytes_sent() -> u64 {
    SENT.load(std::sync::atomic::Ordering::Relaxed)
}

/// This process's place in the cluster: `(process, processes)`; `(0, 1)` outside one.
pub(crate) fn place() -> (usize, usize) {
    CURRENT
        .lock()
        .ok()
        .and_then(|c| c.clone())
        .and_then(|c| c.lock().ok().map(|l| (l.process, l.processes)))
        .unwrap_or((0, 1))
}

/// The exchange's result, from this process's first worker.
fn receive(l: &Link) -> Result<Vec<Vec<u8>>> {
    // The slowest process may still be running its shards: no deadline here, only failures.
    loop {
        failed()?;
        match l.from_worker.recv_timeout(Duration::from_millis(20)) {
            Ok(all) => return Ok(all),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                failed()?;
                return Err(lost_worker());
            }
        }
    }
}

fn lost_worker() -> Error {
    Error::Cluster("this process's cluster worker stopped; no report was written".into())
}
