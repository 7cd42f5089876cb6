//! (being written; see lib.rs for the module's standard)
