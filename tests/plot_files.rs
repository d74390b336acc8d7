//! The written pictures are valid files: SVG parses as XML with one <polygon> per region, PNG
//! has the PNG signature and decodes; the bounds sweep is consistent with independent counts.

mod common;

use common::data_path;
use ndarray::array;
use relu_regions::enumerate::CountOptions;
use relu_regions::formats::load_network;
use relu_regions::plot::{
    bounds_vs_radius, bounds_vs_radius_with, draw_bounds_chart, write_slice_picture, BoundsChart,
    CountCell, RadiusRow,
};
use relu_regions::slice::{
    compute_slice, parse_radii, split_regions, Plane, PlaneSpec, SliceSettings, CIRCLE_VERTICES,
};
use relu_regions::{Network, Norm, Shape};
use std::collections::HashSet;
use std::path::Path;

fn moons() -> Network {
    load_network(&data_path("moons-2-16-16-1.json"))
        .unwrap()
        .network
}

fn svg_elements(path: &Path, name: &str) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.trim_start().starts_with("<svg"),
        "{} does not start with <svg",
        path.display()
    );
    let doc = roxmltree::Document::parse(&text).expect("the SVG parses as XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.tag_name().name() == name)
        .count()
}

/// Decodes a PNG with the `png` crate; returns (width, height, distinct RGB colours).
fn decode_png(path: &Path) -> (u32, u32, usize) {
    let bytes = std::fs::read(path).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    let colours: HashSet<[u8; 3]> = buf[..info.buffer_size()]
        .chunks(step)
        .map(|p| [p[0], p[1 % step], p[2 % step]])
        .collect();
    (info.width, info.height, colours.len())
}

#[test]
fn slice_svg_and_png() {
    let dir = tempfile::tempdir().unwrap();
    let net = moons();
    let s = SliceSettings {
        spec: PlaneSpec::Axes(0, 1),
        norm: Norm::L2,
        radius: 0.8,
        count: CountOptions::default(),
        circle_vertices: CIRCLE_VERTICES,
    };
    let slice = compute_slice(&net, &array![0.5, 0.25], &s).unwrap();
    let n = slice.regions.len();
    assert!(n > 5);
    let svg = dir.path().join("slice.svg");
    let report = write_slice_picture(&slice, &svg, 600).unwrap();
    assert_eq!(svg_elements(&svg, "polygon"), n, "one <polygon> per region");
    assert_eq!(report.regions as usize, n);
    assert_eq!(report.polygons, n);
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.contains(&format!("{n} linear regions in the L2 disc of radius 0.8")),
        "title with the count"
    );
    // The JSON report carries the documented fields.
    let json = serde_json::to_value(&report).unwrap();
    for key in [
        "regions",
        "polygons",
        "area_total",
        "domain_area",
        "plane",
        "out",
    ] {
        assert!(json.get(key).is_some(), "report lacks {key}");
    }

    let png_path = dir.path().join("slice.png");
    write_slice_picture(&slice, &png_path, 500).unwrap();
    let (w, h, colours) = decode_png(&png_path);
    assert_eq!((w, h), (500, 540));
    assert!(colours > 5, "only {colours} colours in the PNG");

    // Unknown extension is an error naming the file.
    let err = write_slice_picture(&slice, &dir.path().join("slice.jpg"), 500)
        .unwrap_err()
        .to_string();
    assert!(err.contains("slice.jpg") && err.contains(".svg"), "{err}");
}

/// Independent counter for 2-D networks: geometric splitting of the domain (square for L∞).
fn split_count(
    net: &Network,
    domain: &relu_regions::Domain,
) -> relu_regions::Result<Option<CountCell>> {
    let plane = Plane::new(domain.center(), &PlaneSpec::Axes(0, 1))?;
    let net2 = plane.restrict(net)?;
    let r = match domain.shape() {
        Shape::Box { half_widths } => half_widths[0],
        Shape::L2Ball { radius } => *radius,
    };
    let n = split_regions(
        &net2,
        &plane.domain_polygon(domain.norm(), r, CIRCLE_VERTICES),
        1e-13,
    )?
    .len() as u64;
    Ok(Some(CountCell {
        exact: true,
        lower: n,
        upper: n.to_string(),
        log10_upper: (n as f64).log10(),
        near_tolerance: 0,
    }))
}

fn check_rows(rows: &[RadiusRow]) {
    for r in rows {
        assert!(r.log10_montufar2017 >= r.log10_serra2018 - 1e-12);
        assert!(r.log10_serra2018 >= r.log10_local_analytic - 1e-12);
        let c = r.count.as_ref().unwrap();
        let local: u128 = r.local_analytic.parse().unwrap();
        assert!(
            local >= c.lower as u128,
            "local bound {} below count {} at r = {}",
            local,
            c.lower,
            r.radius
        );
    }
}

#[test]
fn bounds_sweep_and_chart() {
    let dir = tempfile::tempdir().unwrap();
    let net = moons();
    let c = array![0.5, 0.25];
    let radii = parse_radii("0.1:1.5:5").unwrap();
    let rows =
        bounds_vs_radius_with(&net, &c, Norm::Linf, &radii, |d| split_count(&net, d)).unwrap();
    check_rows(&rows);
    // Counts grow with the radius (nested squares).
    assert!(rows
        .windows(2)
        .all(|w| w[0].count.as_ref().unwrap().lower <= w[1].count.as_ref().unwrap().lower));
    // With the enumerator: the same exact counts.
    let counted = bounds_vs_radius(
        &net,
        &c,
        Norm::Linf,
        &radii,
        Some(&CountOptions {
            time_limit: Some(std::time::Duration::from_secs(20)),
            ..CountOptions::default()
        }),
    )
    .unwrap();
    check_rows(&counted);
    // The enumerator does not count regions thinner than its interior tolerance (inscribed radius
    // 1e-6 r); the splitting keeps any area above 1e-13 of the domain's. So: enumerated ≤ split ≤
    // enumerated + decisions flagged near the tolerance.
    for (a, b) in rows.iter().zip(&counted) {
        let (split, en) = (a.count.as_ref().unwrap(), b.count.as_ref().unwrap());
        assert!(en.exact);
        assert!(
            en.lower <= split.lower && split.lower <= en.lower + en.near_tolerance,
            "r = {}: split {split:?} enumerator {en:?}",
            a.radius
        );
    }
    let chart = BoundsChart {
        rows: &counted,
        title: "moons".into(),
        size: (700, 450),
    };
    let svg = dir.path().join("bounds.svg");
    draw_bounds_chart(&chart, &svg).unwrap();
    // One point per exact count (plus one legend marker).
    let circles = svg_elements(&svg, "circle");
    assert!(
        circles == radii.len() || circles == radii.len() + 1,
        "{circles} circles"
    );
    let png_path = dir.path().join("bounds.png");
    draw_bounds_chart(&chart, &png_path).unwrap();
    assert_eq!(decode_png(&png_path).0, 700);
}

#[test]
fn radii_parser_errors() {
    for bad in [
        "0:1:5",
        "-1:1:3",
        "1:0.5:3",
        "0.1:1:0",
        "0.1:1:x",
        "a:1:2",
        "0.1:1",
        "0.1:1:2:3",
        "",
        "0.5,,1",
        "nan:1:2",
        "0.1:inf:3",
    ] {
        let e = parse_radii(bad);
        assert!(e.is_err(), "'{bad}' should be rejected");
        let e = e.unwrap_err();
        assert!(
            matches!(&e, relu_regions::Error::InvalidValue { field: relu_regions::error::Field::Radii, value, .. } if value.contains(bad)),
            "{e:?}"
        );
    }
    let r = parse_radii("1:2:3").unwrap();
    assert_eq!(r, vec![1.0, 1.5, 2.0]);
}
