//! Backend selection (placeholder).
