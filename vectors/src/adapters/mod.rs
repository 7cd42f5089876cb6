//! The two in-process implementations of [`crate::conformance::Conformance`]:
//! the executable specification ([`spec::Spec`], the oracle) and the
//! optimized implementation ([`imp::Impl`]). Both are thin: each method
//! reads its typed input, calls the implementation and writes its typed
//! output.

pub mod imp;
pub mod replay;
pub mod spec;
