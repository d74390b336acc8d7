#![no_main]
//! The JSON network reader never panics or aborts, whatever the bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| relu_regions_fuzz::network(data, "json"));
