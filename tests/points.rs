//! Centers from the command line and from CSV/TXT/JSON/.npy files: every format gives the same
//! point; bad tokens, wrong dimensions, missing or out-of-range --row give errors naming the file.
use ndarray::{array, Array1, Array2};
use relu_regions::error::{Error, Field};
use relu_regions::points::{check_dimension, parse_center_list, read_center_file, read_table};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/points")
        .join(name)
}

fn err_string<T: std::fmt::Debug>(r: relu_regions::Result<T>) -> String {
    r.expect_err("expected an error").to_string()
}

#[test]
fn center_list_accepts_commas_spaces_signs_exponents() {
    assert_eq!(
        parse_center_list("0.1,-0.3,2e-3").unwrap(),
        array![0.1, -0.3, 0.002]
    );
    assert_eq!(
        parse_center_list(" 0.1  -0.3 , 2E+1,").unwrap(),
        array![0.1, -0.3, 20.0]
    );
    assert_eq!(parse_center_list("-.5\t+1").unwrap(), array![-0.5, 1.0]);
}

#[test]
fn center_list_errors_name_token_and_position() {
    let msg = err_string(parse_center_list("0.1,0.x,3"));
    assert!(msg.contains("value 2 (\"0.x\") at character 5"), "{msg}");
    let msg = err_string(parse_center_list("1, 2, nan"));
    assert!(
        msg.contains("value 3 (\"nan\")") && msg.contains("finite"),
        "{msg}"
    );
    let msg = err_string(parse_center_list("1,,2"));
    assert!(msg.contains("empty value 2 at character 3"), "{msg}");
    // the error is about the center, with the bad value and its place
    match parse_center_list("0.1,0.x,3") {
        Err(Error::InvalidValue {
            field: Field::Center,
            value,
            expected,
        }) => {
            assert_eq!(value, "value 2 (\"0.x\") at character 5");
            assert_eq!(expected, "a number");
        }
        other => panic!("{other:?}"),
    }
    assert!(parse_center_list("").is_err());
    assert!(parse_center_list(",1").is_err());
}

#[test]
fn every_file_format_gives_the_same_point() {
    let row1 = array![2.0, 0.0, -0.75, 0.0];
    let row0 = array![0.5, -1.25, 0.03, 1.0];
    for name in [
        "table_header.csv",
        "table_noheader.csv",
        "table_spaces.txt",
        "table.json",
    ] {
        assert_eq!(
            read_center_file(&fixture(name), Some(1)).unwrap(),
            row1,
            "{name}"
        );
        assert_eq!(
            read_center_file(&fixture(name), Some(0)).unwrap(),
            row0,
            "{name}"
        );
    }
    for name in ["center_object.json", "center_flat.json"] {
        assert_eq!(
            read_center_file(&fixture(name), None).unwrap(),
            row1,
            "{name}"
        );
        assert_eq!(
            read_center_file(&fixture(name), Some(0)).unwrap(),
            row1,
            "{name}"
        );
    }
    // .npy written here: 2-D f64, 2-D f32, 1-D f64
    let dir = tempfile::tempdir().unwrap();
    let table =
        Array2::from_shape_vec((2, 4), row0.iter().chain(row1.iter()).copied().collect()).unwrap();
    let p = dir.path().join("t64.npy");
    ndarray_npy::write_npy(&p, &table).unwrap();
    assert_eq!(read_center_file(&p, Some(1)).unwrap(), row1);
    let p = dir.path().join("t32.npy");
    ndarray_npy::write_npy(&p, &table.mapv(|v| v as f32)).unwrap();
    // every value of row 1 is exact in f32
    assert_eq!(read_center_file(&p, Some(1)).unwrap(), row1);
    let p = dir.path().join("p.npy");
    ndarray_npy::write_npy(&p, &row1).unwrap();
    assert_eq!(read_center_file(&p, None).unwrap(), row1);
}

#[test]
fn table_header_and_label_column() {
    let t = read_table(&fixture("table_header.csv")).unwrap();
    assert_eq!(
        t.columns.as_deref(),
        Some(&["x0".to_string(), "x1".into(), "x2".into(), "label".into()][..])
    );
    assert_eq!(t.len(), 2);
    assert_eq!(
        t.row_without(0, &["label"]).unwrap(),
        array![0.5, -1.25, 0.03]
    );
    assert_eq!(t.column("label").unwrap(), vec![1.0, 0.0]);
    let msg = err_string(t.row_without(0, &["target"]));
    assert!(
        msg.contains("table_header.csv") && msg.contains("\"target\""),
        "{msg}"
    );
    let t = read_table(&fixture("table_noheader.csv")).unwrap();
    assert!(t.columns.is_none());
    assert!(t.row_without(0, &["label"]).is_err());
}

#[test]
fn row_rules() {
    let msg = err_string(read_center_file(&fixture("table_header.csv"), None));
    assert!(
        msg.contains("table_header.csv") && msg.contains("2 rows"),
        "{msg}"
    );
    // a table of several rows needs a row chosen: the front end names how (the CLI's --row)
    match read_center_file(&fixture("table_header.csv"), None) {
        Err(Error::RowNotChosen { file, rows: 2 }) => assert!(file.ends_with("table_header.csv")),
        other => panic!("{other:?}"),
    }
    let msg = err_string(read_center_file(&fixture("table.json"), Some(2)));
    assert!(
        msg.contains("table.json: row 2: out of range; the table has 2 rows"),
        "{msg}"
    );
    let msg = err_string(read_center_file(&fixture("center_flat.json"), Some(1)));
    assert!(
        msg.contains("center_flat.json") && msg.contains("1 row"),
        "{msg}"
    );
}

#[test]
fn bad_files_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.csv");
    std::fs::write(&p, "a,b\n1,2\n3,x\n").unwrap();
    let msg = err_string(read_center_file(&p, Some(0)));
    assert!(msg.contains("bad.csv: line 3: field 2 (\"x\")"), "{msg}");
    std::fs::write(&p, "1,2\n3,4,5\n").unwrap();
    let msg = err_string(read_center_file(&p, Some(0)));
    assert!(
        msg.contains("bad.csv: line 2: found 3 fields; expected 2"),
        "{msg}"
    );
    let p = dir.path().join("bad.json");
    std::fs::write(&p, "[1, 2,\n \"z\"]").unwrap();
    let msg = err_string(read_center_file(&p, None));
    assert!(msg.contains("bad.json: top level[2]"), "{msg}");
    let p = dir.path().join("p.xyz");
    std::fs::write(&p, "1").unwrap();
    assert!(err_string(read_center_file(&p, None)).contains("p.xyz"));
}

#[test]
fn dimension_check() {
    let c = Array1::<f64>::zeros(63);
    let msg = err_string(check_dimension(&c, 64, Field::Center));
    assert!(
        msg.contains("center has 63 values; the network expects 64 inputs"),
        "{msg}"
    );
    assert!(matches!(
        check_dimension(&c, 64, Field::Center),
        Err(Error::DimensionMismatch {
            field: Field::Center,
            got: 63,
            expected: 64
        })
    ));
    let msg = err_string(check_dimension(&Array1::zeros(65), 64, Field::Center));
    assert!(msg.contains("label"), "{msg}");
    assert!(check_dimension(&Array1::zeros(64), 64, Field::Center).is_ok());
}

#[test]
fn digits_csv_row_without_label() {
    // the copy shipped in data/ (UCI digits, CC BY 4.0)
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/digits.csv");
    let t = read_table(&p).unwrap();
    assert_eq!(t.len(), 1797);
    let x = t.row_without(0, &["label"]).unwrap();
    assert_eq!(x.len(), 64);
    assert!(x.iter().all(|v| (0.0..=16.0).contains(v)));
    assert_eq!(&x.to_vec()[..4], &[0.0, 0.0, 5.0, 13.0]);
    assert_eq!(t.column("label").unwrap()[..3], [0.0, 1.0, 2.0]);
    let msg = err_string(read_center_file(&p, None));
    assert!(msg.contains("1797 rows"), "{msg}");
}
