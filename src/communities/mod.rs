//! Community detection: clusters of accounts from a weighted undirected graph.
//!
//! [`leiden()`] is our own parallel Leiden (Traag, Waltman & van Eck 2019): local moving of
//! nodes between communities, refinement of each community into well-connected parts,
//! aggregation of the refined parts into a smaller graph, repeated until nothing moves. It
//! optimises modularity (with a resolution) or the Constant Potts Model, whose lack of a
//! resolution limit keeps small dense coordinated groups apart inside large graphs.
//! [`components`] is the cheap alternative: one cluster per connected component.
//!
//! Parallel and deterministic: nodes are visited in a seeded random order, in batches whose
//! moves are decided in parallel against the state at the batch's start and then applied in
//! order, so one seed gives one partition whatever the thread count.
//!
//! ```
//! use coordnet::communities::{leiden, LeidenConfig};
//! use coordnet::graphs::Graph;
//! // Two triangles joined by one edge.
//! let edges = [(0, 1, 1.0), (1, 2, 1.0), (0, 2, 1.0), (3, 4, 1.0), (4, 5, 1.0), (3, 5, 1.0),
//!              (2, 3, 1.0)];
//! let g = Graph::undirected(6, &edges).unwrap();
//! let p = leiden(&g, &LeidenConfig::default()).unwrap();
//! assert_eq!(p.communities, 2);
//! assert_eq!(p.membership[0], p.membership[2]);
//! assert_ne!(p.membership[0], p.membership[3]);
//! ```

mod aggregate;
pub mod compare;
mod leiden;
mod moving;
mod partition;
mod trace;

pub use compare::{ari, nmi};
pub use leiden::{leiden, leiden_with_progress};
pub use partition::{components, quality, split_disconnected, Mixing, Partition};

/// What the clustering optimises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quality {
    /// Newman-Girvan modularity with a resolution γ: Σ_c [e_c/m − γ (K_c/2m)²].
    Modularity,
    /// Constant Potts Model: Σ_c [e_c − γ n_c(n_c−1)/2]; γ is the density a cluster must beat.
    Cpm,
}

impl Quality {
    pub const ALL: [Quality; 2] = [Quality::Modularity, Quality::Cpm];

    pub const fn name(self) -> &'static str {
        match self {
            Quality::Modularity => "modularity",
            Quality::Cpm => "cpm",
        }
    }
}

impl std::str::FromStr for Quality {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Quality, String> {
        crate::shown::by_name(&Quality::ALL, Quality::name, s, "quality")
    }
}

/// Settings of [`leiden()`]. `LeidenConfig::default()` is modularity at resolution 1, the
/// classic definition; `detect` clusters its fused graph with its own settings
/// (`DetectConfig::default().leiden`), so to find its clusters again, start from those.
#[derive(Clone, Debug, serde::Serialize)]
pub struct LeidenConfig {
    pub quality: Quality,
    /// γ: for modularity 1 is the classic definition, larger gives smaller clusters; for CPM
    /// it is the internal edge density (weight per node pair) a cluster must exceed.
    pub resolution: f64,
    pub seed: u64,
    /// Independent runs (seeds `seed`, `seed + 1`, ...); the best quality is kept.
    pub runs: u32,
    /// Leiden iterations per run, each starting from the previous partition; 0 repeats until
    /// an iteration changes nothing.
    pub iterations: u32,
    /// Local-moving passes per level at most.
    pub max_passes: u32,
    /// A level's local moving stops when a pass gains less than this share of the total edge
    /// weight; divided by 10 at each level down to 1e-5 (a tolerance schedule, as GVE-Leiden
    /// has).
    pub tolerance: f64,
}

impl Default for LeidenConfig {
    fn default() -> LeidenConfig {
        LeidenConfig {
            quality: Quality::Modularity,
            resolution: 1.0,
            seed: 1,
            runs: 1,
            iterations: 2,
            max_passes: 20,
            tolerance: 1e-3,
        }
    }
}

impl LeidenConfig {
    /// Refuse settings that can find no clusters, before any data is read.
    pub fn validate(&self) -> crate::error::Result<()> {
        use crate::error::Error;
        if self.runs == 0 {
            return Err(Error::config(
                "0 runs would find no clusters: Leiden needs at least 1 run (the default)",
            ));
        }
        if !(self.resolution.is_finite() && self.resolution > 0.0) {
            return Err(Error::config(format!(
                "resolution {} must be a positive number (for modularity 1 is the classic \
                 definition, and higher finds smaller clusters; for CPM try 0.05)",
                self.resolution
            )));
        }
        Ok(())
    }
}
