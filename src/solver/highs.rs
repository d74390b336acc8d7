//! HiGHS backend (placeholder until the warm-started implementation lands).
