#![no_main]
//! The VNN-LIB box reader never panics, aborts or overflows its stack, whatever the bytes; a box
//! read becomes a domain (or a clear error), as `count --box-file` makes it.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = relu_regions_fuzz::input_file(data, "vnnlib");
    for n0 in [1, 2, 5] {
        if let Ok((lo, hi)) = relu_regions::vnnlib::read_input_box(&path, n0) {
            let _ = relu_regions::Domain::from_bounds(&lo, &hi);
        }
    }
});
