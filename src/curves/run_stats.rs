//! The smallest accumulator: final reach counts only (mean and standard error of the reach).

use crate::cascade::Accumulate;

/// An accumulator that keeps only final reach counts: sum, sum of squares, runs, attempts.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunStats {
    pub runs: u64,
    pub reach_sum: u64,
    pub reach_sq_sum: u128,
    pub attempts: u64,
}

impl RunStats {
    /// Mean final reach.
    pub fn mean(&self) -> f64 {
        self.reach_sum as f64 / self.runs as f64
    }
    /// Standard error of the mean final reach.
    pub fn sem(&self) -> f64 {
        let r = self.runs as f64;
        let var = (self.reach_sq_sum as f64 - (self.reach_sum as f64).powi(2) / r) / (r - 1.0);
        (var.max(0.0) / r).sqrt()
    }
}

impl Accumulate for RunStats {
    fn add_run(&mut self, t: &[f64], attempts: u64) {
        self.runs += 1;
        self.reach_sum += t.len() as u64;
        self.reach_sq_sum += (t.len() as u128).pow(2);
        self.attempts += attempts;
    }
    fn add_rounds(&mut self, rounds: &[(f64, u64)], attempts: u64) {
        let total: u64 = rounds.iter().map(|r| r.1).sum();
        self.runs += 1;
        self.reach_sum += total;
        self.reach_sq_sum += (total as u128).pow(2);
        self.attempts += attempts;
    }
    fn encode(&self) -> Option<Vec<u8>> {
        bincode::serialize(self).ok()
    }
    fn decode(bytes: &[u8]) -> Option<Self> {
        bincode::deserialize(bytes).ok()
    }
    fn merge(&mut self, o: Self) {
        self.runs += o.runs;
        self.reach_sum += o.reach_sum;
        self.reach_sq_sum += o.reach_sq_sum;
        self.attempts += o.attempts;
    }
}
