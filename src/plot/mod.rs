//! Pictures: region slices and bounds-versus-radius charts (plotters).
