//! Shared helpers for the specforge test suite.
