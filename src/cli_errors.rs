//! The command line's wording of library errors (used by the binary only): an error about a
//! parameter ([`Field`]) names the flag that sets it, and the user's own numbers (1-based input
//! axes) come back as they were typed.

use relu_regions::error::{Error, Field};

/// The flag that sets `field`.
fn flag(field: Field) -> String {
    let name = match field {
        Field::Center => "--center",
        Field::Radius => "--radius",
        Field::Norm => "--norm",
        Field::TimeLimit => "--time-limit",
        Field::Threads => "--threads",
        Field::Method => "--method",
        Field::Solver => "--solver",
        Field::Radii => "--radii",
        Field::Seeds => "--seeds",
        Field::PlaneAxes => "--axes",
        Field::PlaneDirection(k) => return format!("--plane (direction {})", k + 1),
        Field::PlanePoint(k) => return format!("--through P{}", k + 1),
        Field::Plane => "--axes, --plane and --through",
    };
    name.to_string()
}

/// The one line printed after `error: ` for a library error.
pub fn message(e: &Error) -> String {
    match e {
        Error::InvalidValue {
            field,
            value,
            expected,
        } => format!(
            "{}: {value} is not valid; expected {expected}",
            flag(*field)
        ),
        // `--axes I J` counts from 1; the library's indices count from 0
        Error::IndexOutOfRange {
            field: Field::PlaneAxes,
            index,
            len,
        } => format!(
            "--axes: input {} does not exist; the network has {len} inputs, numbered 1 to {len}",
            index + 1
        ),
        Error::IndexOutOfRange { field, index, len } => format!(
            "{}: index {index} is out of range; expected an index below {len}",
            flag(*field)
        ),
        // a center comes from --center or --center-file: the library's word names both
        Error::DimensionMismatch {
            field: Field::Center,
            ..
        } => e.to_string(),
        Error::DimensionMismatch {
            field,
            got,
            expected,
        } => format!(
            "{} has {got} values; the network expects {expected} inputs",
            flag(*field)
        ),
        Error::RowNotChosen { file, rows } => format!(
            "{file}: rows: the table has {rows} rows; pass --row K (0-based, 0..={}) to pick one",
            rows.saturating_sub(1)
        ),
        Error::NoNormalization => {
            "--raw-input: this network has no input normalization (only NNet \
             files carry one); give the center in the network's input space"
                .to_string()
        }
        Error::UnsupportedSolver { solver, norm } => {
            format!("--solver {solver}: does not support {norm} domains; use --solver clarabel")
        }
        Error::ThreadPool { threads, source } => {
            format!("--threads {threads}: cannot start the thread pool: {source}")
        }
        Error::Io { .. } | Error::Format { .. } | Error::Invalid { .. } | Error::Solver { .. } => {
            e.to_string()
        }
    }
}
