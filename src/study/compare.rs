//! `compare`: every platform of a scenario, the same seeds and runs on each.

use super::Progress;
use super::platform::{PlatformReport, RunSettings, build_graph, run_platform};
use super::scenario::{Platform, Scenario};
use crate::cascade::Engine;
use crate::graph::Graph;
use crate::{Result, Within};
use std::sync::Arc;

/// What `compare` found: `summary.json` as written (`platforms` before `title`, the order the
/// file has always had).
#[derive(Clone, Debug, serde::Serialize)]
pub struct CompareSummary {
    pub platforms: Vec<PlatformReport>,
    pub title: String,
}

/// Builds each platform's graph and runs it.
///
/// # Errors
/// A platform whose graph, seeds or model fail, named by its label.
pub fn compare(sc: &Scenario, progress: &dyn Progress) -> Result<CompareSummary> {
    progress.started(sc.runs * sc.platforms.len() as u64);
    compare_with(sc, progress, &mut |p: &Platform| {
        build_graph(&p.graph, &p.ties, sc.nodes, sc.seed).map(Arc::new)
    })
}

/// [`compare`] with the graphs from `graph_of` (a sweep keeps graphs a point does not change).
///
/// # Errors
/// As [`compare`].
pub(crate) fn compare_with(
    sc: &Scenario,
    progress: &dyn Progress,
    graph_of: &mut dyn FnMut(&Platform) -> Result<Arc<Graph>>,
) -> Result<CompareSummary> {
    let settings = RunSettings {
        nodes: sc.nodes,
        runs: sc.runs,
        seed: sc.seed,
        horizon_hours: Some(sc.hours),
        curve_hours: sc.hours,
        step_hours: sc.step_hours,
        engine: Engine::Auto,
    };
    let mut platforms = Vec::new();
    for p in &sc.platforms {
        let place = || format!("platform {:?}", p.label);
        let t = std::time::Instant::now();
        let graph = graph_of(p).within(place)?;
        progress.graph_ready(&p.label, &graph, t.elapsed().as_secs_f64());
        let rep = run_platform(p, &graph, &settings, progress).within(place)?;
        progress.platform_done(&rep);
        platforms.push(rep);
    }
    Ok(CompareSummary {
        platforms,
        title: sc.title.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::study::{Overrides, Silent};

    #[test]
    fn the_red_packet_scenario_runs_small_and_names_a_failing_platform() {
        let sc = Scenario::red_packet()
            .with_overrides(&Overrides {
                nodes: Some(2_000),
                runs: Some(8),
                ..Default::default()
            })
            .unwrap();
        let s = compare(&sc, &Silent).unwrap();
        assert_eq!(s.platforms.len(), 2);
        for p in &s.platforms {
            assert_eq!(p.outcome.runs, 8);
            assert_eq!(p.parameters.nodes, 2_000);
            assert!(p.outcome.final_reach.mean >= 50.0, "the 50 seeds at least");
        }
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["title"], sc.title);
        assert!(json["platforms"][0]["reach_at_hours"]["4"]["mean"].is_number());
        let mut bad = sc.clone();
        bad.platforms[1].seeds = crate::cascade::SeedSpec::Random(5_000);
        let e = compare(&bad, &Silent).unwrap_err().to_string();
        assert!(
            e.starts_with("platform \"Alipay-like (weak ties)\": ") && e.contains("5000"),
            "{e}"
        );
    }
}
