//! A slice end to end: plane, restricted network, exact count with witnesses, region polygons,
//! and the JSON report.

use super::plane::{Plane, PlaneSpec};
use super::polygon::Polygon;
use super::regions::{polygons_from_witnesses, SliceRegion};
use crate::domain::{Domain, Norm};
use crate::enumerate::{count_regions, CollectingSink, CountOptions, CountOutcome};
use crate::error::{Error, Result};
use crate::network::Network;
use ndarray::{array, Array1};
use serde::Serialize;

/// What to slice and how to count.
#[derive(Clone, Debug)]
pub struct SliceSettings {
    /// Which plane through the input space to slice along.
    pub spec: PlaneSpec,
    /// Norm of the domain.
    pub norm: Norm,
    /// Radius of the domain around the plane's center, in `norm`.
    pub radius: f64,
    /// How to count the regions in the plane.
    pub count: CountOptions,
    /// Vertices of the regular polygon circumscribed about the L2 disc ([`super::CIRCLE_VERTICES`]).
    pub circle_vertices: usize,
}

/// The regions of one slice.
#[derive(Clone, Debug)]
pub struct Slice {
    /// The plane, in input coordinates.
    pub plane: Plane,
    /// The network restricted to the plane (2 inputs: plane coordinates s, t).
    pub network: Network,
    /// The domain restricted to the plane, in plane coordinates (see [`Plane::domain_polygon`]).
    pub domain_polygon: Polygon,
    /// The domain the enumerator ran in (plane coordinates).
    pub count_domain: Domain,
    /// Whether `count_domain` is exactly the restricted domain (false for an L∞ box on a plane
    /// that is not spanned by two coordinate axes: there the enumerator runs in the polygon's
    /// bounding box and the regions are those whose polygon keeps an area above 10⁻¹² of the
    /// domain's after clipping — a floating-point count, not the certified one).
    pub certified_domain: bool,
    /// The outcome of counting in `count_domain`.
    pub count: CountOutcome,
    /// One polygon per region, sorted by pattern.
    pub regions: Vec<SliceRegion>,
    /// Norm of the domain.
    pub norm: Norm,
    /// Radius of the domain, in `norm`.
    pub radius: f64,
}

/// Computes the slice of `net` through `center`: restricts the network to the plane of
/// `settings.spec` (exactly, [`Plane::restrict`]), counts its regions in the restricted domain
/// with the exact enumerator ([`count_regions`]) collecting one witness per region, and builds
/// each region's polygon from its pattern ([`polygons_from_witnesses`]), checking that every
/// witness lies inside its polygon.
pub fn compute_slice(
    net: &Network,
    center: &Array1<f64>,
    settings: &SliceSettings,
) -> Result<Slice> {
    let plane = Plane::new(center, &settings.spec)?;
    let network = plane.restrict(net)?;
    let r = settings.radius;
    let domain_polygon = plane.domain_polygon(settings.norm, r, settings.circle_vertices);
    let origin = array![0.0, 0.0];
    let (count_domain, certified_domain) = match settings.norm {
        Norm::L2 => (Domain::ball(origin, r, Norm::L2)?, true),
        Norm::Linf if plane.is_axis_aligned() => (Domain::ball(origin, r, Norm::Linf)?, true),
        Norm::Linf => {
            let (lo, hi) = domain_polygon.bounding_box();
            (
                Domain::from_bounds(&array![lo[0], lo[1]], &array![hi[0], hi[1]])?,
                false,
            )
        }
    };
    let deadline = settings
        .count
        .time_limit
        .map(|t| std::time::Instant::now() + t);
    // the count takes COUNT_SHARE of the time limit; the polygons have the rest
    let count_settings = CountOptions {
        time_limit: settings.count.time_limit.map(|t| t.mul_f64(COUNT_SHARE)),
        ..settings.count.clone()
    };
    let sink = CollectingSink::new();
    let mut count = count_regions(&network, &count_domain, &count_settings, Some(&sink))?;
    let mut found = sink.into_regions();
    found.sort_by(|a, b| a.1.cmp(&b.1));
    let (regions, complete) = polygons_until(
        &network,
        &domain_polygon,
        &found,
        !certified_domain,
        deadline,
    )?;
    if !complete && !certified_domain {
        // the regions shown are the polygons drawn: fewer than there are
        count.exact = false;
        count.stop = crate::enumerate::Stop::TimeLimit;
    }
    if complete && certified_domain && regions.len() as u64 != count.regions {
        return Err(Error::invalid(format!(
            "the enumerator reported {} regions but streamed {} witnesses",
            count.regions,
            regions.len()
        )));
    }
    Ok(Slice {
        plane,
        network,
        domain_polygon,
        count_domain,
        certified_domain,
        count,
        regions,
        norm: settings.norm,
        radius: r,
    })
}

/// The share of a slice's time limit that its count may take: the polygons of the regions found
/// need the rest (each is cut from every unit's line: 1–2 ms a region for 10⁵ units), else a
/// count that used the whole limit left a picture of no polygons.
const COUNT_SHARE: f64 = 0.75;

/// How many regions' polygons are built between two looks at the clock.
const POLYGONS_PER_CHECK: usize = 32;

/// [`polygons_from_witnesses`] until `deadline` (the time limit of the slice, which covers the
/// polygons as well as the count: a picture of 10⁵ units builds each polygon from 10⁵ lines);
/// also whether every region got its polygon.
fn polygons_until(
    network: &Network,
    domain: &Polygon,
    found: &[(Array1<f64>, crate::network::ActivationPattern)],
    drop_empty: bool,
    deadline: Option<std::time::Instant>,
) -> Result<(Vec<SliceRegion>, bool)> {
    let mut regions = Vec::with_capacity(found.len());
    for chunk in found.chunks(POLYGONS_PER_CHECK) {
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return Ok((regions, false));
        }
        regions.extend(polygons_from_witnesses(network, domain, chunk, drop_empty)?);
    }
    Ok((regions, true))
}

impl Slice {
    /// The number of regions shown: the enumerator's count on a certified domain, the number of
    /// non-empty clipped polygons otherwise.
    pub fn region_count(&self) -> u64 {
        if self.certified_domain {
            self.count.regions
        } else {
            self.regions.len() as u64
        }
    }

    /// "N linear regions in the L2 disc of radius r" (or the L∞ square / polygon).
    pub fn title(&self) -> String {
        let n = self.region_count();
        let what = match (self.norm, self.certified_domain) {
            (Norm::L2, _) => "L2 disc",
            (Norm::Linf, true) => "L∞ square",
            (Norm::Linf, false) => "slice of the L∞ box",
        };
        let prefix = if self.count.exact {
            String::new()
        } else {
            "at least ".to_string()
        };
        let plural = if n == 1 { "region" } else { "regions" };
        format!(
            "{prefix}{n} linear {plural} in the {what} of radius {}",
            self.radius
        )
    }

    /// The JSON report of this slice written to `out`.
    pub fn report(&self, out: &str) -> SliceReport {
        let domain_area = self.domain_polygon.area();
        let exact_area = match self.norm {
            Norm::L2 => std::f64::consts::PI * self.radius * self.radius,
            Norm::Linf => domain_area,
        };
        SliceReport {
            regions: self.region_count(),
            exact: self.count.exact,
            upper: self.count.upper.to_string(),
            polygons: self.regions.len(),
            area_total: self.regions.iter().map(|r| r.area).sum(),
            domain_area,
            exact_domain_area: exact_area,
            certified_domain: self.certified_domain,
            norm: self.norm,
            radius: self.radius,
            plane: self.plane.clone(),
            solver_calls: self.count.solver_calls,
            near_tolerance: self.count.near_tolerance,
            out: out.to_string(),
        }
    }
}

/// The JSON summary of a slice.
#[derive(Clone, Debug, Serialize)]
pub struct SliceReport {
    /// Regions meeting the slice's domain (exact when `exact`).
    pub regions: u64,
    /// Whether `regions` is the exact count.
    pub exact: bool,
    /// Upper bound on the count (= `regions` when exact), decimal.
    pub upper: String,
    /// Polygons drawn.
    pub polygons: usize,
    /// Sum of the polygons' areas (plane units²).
    pub area_total: f64,
    /// Area of the domain polygon (for L2 the circumscribed 1,440-gon).
    pub domain_area: f64,
    /// Area of the true restricted domain (π r² for L2).
    pub exact_domain_area: f64,
    /// Whether the count ran in exactly the restricted domain (see `Slice::certified_domain`).
    pub certified_domain: bool,
    /// Norm of the domain.
    pub norm: Norm,
    /// Radius of the domain, in `norm`.
    pub radius: f64,
    /// The plane, in input coordinates.
    pub plane: Plane,
    /// Calls of the solver during the count.
    pub solver_calls: u64,
    /// Decisions near the enumerator's interior tolerance.
    pub near_tolerance: u64,
    /// The picture written.
    pub out: String,
}
