#![no_main]
//! The ONNX network reader never panics or aborts, whatever the bytes.
libfuzzer_sys::fuzz_target!(|data: &[u8]| relu_regions_fuzz::network(data, "onnx"));
