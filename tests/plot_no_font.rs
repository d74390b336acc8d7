//! Without a font the pictures are still drawn, without text (its own test binary: the font
//! choice is made once per process).

mod common;

use ndarray::array;
use relu_regions::enumerate::CountOptions;
use relu_regions::plot::{draw_bounds_chart, fonts, write_slice_picture, BoundsChart, RadiusRow};
use relu_regions::slice::{compute_slice, PlaneSpec, SliceSettings, CIRCLE_VERTICES};
use relu_regions::Norm;

#[test]
fn pictures_without_text() {
    std::env::set_var("RELU_REGIONS_FONT", "none");
    assert!(!fonts::text_available());
    let dir = tempfile::tempdir().unwrap();
    let net = common::random_network(&[2, 8, 8, 1], 9, 0.5);
    let s = SliceSettings {
        spec: PlaneSpec::Axes(0, 1),
        norm: Norm::Linf,
        radius: 1.0,
        count: CountOptions::default(),
        circle_vertices: CIRCLE_VERTICES,
    };
    let slice = compute_slice(&net, &array![0.0, 0.0], &s).unwrap();
    let svg = dir.path().join("s.svg");
    write_slice_picture(&slice, &svg, 300).unwrap();
    let text = std::fs::read_to_string(&svg).unwrap();
    let doc = roxmltree::Document::parse(&text).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.tag_name().name() == "text")
            .count(),
        0
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.tag_name().name() == "polygon")
            .count(),
        slice.regions.len()
    );
    let png = dir.path().join("s.png");
    write_slice_picture(&slice, &png, 300).unwrap();
    assert_eq!(&std::fs::read(&png).unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    let row = RadiusRow {
        radius: 1.0,
        montufar2017: "10".into(),
        serra2018: "9".into(),
        local_analytic: "5".into(),
        log10_montufar2017: 1.0,
        log10_serra2018: 0.95,
        log10_local_analytic: 0.7,
        count: None,
    };
    draw_bounds_chart(
        &BoundsChart {
            rows: &[row],
            title: "t".into(),
            size: (300, 200),
        },
        &dir.path().join("b.png"),
    )
    .unwrap();
}
