//! Size limits of the reader's sparse operators (the matrices are [`crate::network::SparseRows`]).

pub(super) use crate::network::sparse::{dense_zeros, SparseRows, MAX_DENSE_ENTRIES};

/// Checks that a sparse operator with `entries` stored values stays within [`MAX_DENSE_ENTRIES`]
/// (a malformed shape must not make the reader allocate without bound).
pub(super) fn check_size(entries: usize, what: &str) -> Result<(), String> {
    if entries > MAX_DENSE_ENTRIES {
        return Err(format!(
            "{what} needs {entries} matrix entries; expected at most {MAX_DENSE_ENTRIES} (1 GiB)"
        ));
    }
    Ok(())
}
