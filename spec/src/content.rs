//! (being written; see SPEC.md)
