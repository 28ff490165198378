//! The time grid on which curves are sampled.

use crate::Naming;
use crate::Result;

/// The time grid on which curves are sampled: `0, step, 2·step, …, end`.
#[derive(Copy, Clone, Debug, PartialEq, serde::Serialize)]
pub struct Grid {
    pub step_hours: f64,
    pub end_hours: f64,
}

impl Grid {
    /// Checks the step and the end, naming them as the command line does.
    pub fn new(step_hours: f64, end_hours: f64) -> Result<Grid> {
        Grid::named(step_hours, end_hours, Naming::Flag)
    }

    /// Checks the step and the end, naming them by `naming` (`step_hours` and `hours`).
    pub fn named(step_hours: f64, end_hours: f64, naming: Naming) -> Result<Grid> {
        if !(step_hours.is_finite() && step_hours > 0.0) {
            return Err(naming.invalid("step_hours", step_hours, "must be a positive number"));
        }
        if !(end_hours.is_finite() && end_hours > 0.0) {
            return Err(naming.invalid("hours", end_hours, "must be a positive number"));
        }
        let points = (end_hours / step_hours + 1e-9).floor() + 1.0;
        if points > 1_000_000.0 {
            return Err(naming.invalid(
                "step_hours",
                step_hours,
                "gives more than a million grid points; use a larger step",
            ));
        }
        Ok(Grid {
            step_hours,
            end_hours,
        })
    }

    /// The grid's hours: `i × step`, rounded to 1e-9 h so that files show `0.3`, not
    /// `0.30000000000000004`.
    pub fn hours(&self) -> Vec<f64> {
        let k = (self.end_hours / self.step_hours + 1e-9).floor() as usize;
        (0..=k)
            .map(|i| (i as f64 * self.step_hours * 1e9).round() / 1e9)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_hours_are_rounded_and_checked() {
        let g = Grid::new(0.1, 0.5).unwrap();
        assert_eq!(g.hours(), vec![0.0, 0.1, 0.2, 0.3, 0.4, 0.5]);
        assert!(
            Grid::new(0.0, 1.0)
                .unwrap_err()
                .to_string()
                .contains("--step-hours")
        );
        assert!(
            Grid::new(1.0, -1.0)
                .unwrap_err()
                .to_string()
                .contains("--hours")
        );
        assert!(
            Grid::new(1e-7, 1.0)
                .unwrap_err()
                .to_string()
                .contains("million")
        );
    }
}
