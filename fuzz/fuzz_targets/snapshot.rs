//! Fuzz target: see `tests/fuzzing/mod.rs`, which holds its body and replays its corpus.
#![no_main]

#[path = "../../tests/fuzzing/mod.rs"]
mod fuzzing;

libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::snapshot(data));
