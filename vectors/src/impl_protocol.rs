//! The protocol ops over the impl's protocol modules (filled in once they
//! are on the branch).

use crate::value::{Obj, UNSUPPORTED};

/// Runs protocol `op` with the impl.
pub fn call(_op: &str, _i: &Obj) -> Result<Obj, String> {
    Err(UNSUPPORTED.to_string())
}
