//! Source tests (to come).
