//! Unit tests of the lint checks.
