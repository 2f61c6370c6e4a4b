//! Database layer.
