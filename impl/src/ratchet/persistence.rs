//! The ratchet part of the session export (format: [`crate::session`]
//! module docs, from `u8(flags)` on): implementation only, not SPEC.md.

use std::collections::VecDeque;

use zeroize::Zeroizing;

use crate::crypto::x25519;
use crate::encoding::Reader;
use crate::Error;

use super::keys::{ChainKey, HeaderKey, MessageKey, RootKey};
use super::skipped::{Skipped, SkippedChain, SkippedMk};
use super::state::{Core, RatchetState};
use super::MAX_SKIPPED_TOTAL;

impl RatchetState {
    /// The state in the ratchet part of the session export format. Secret.
    pub fn export(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(self.export_len()));
        self.export_into(&mut out);
        out
    }

    /// The exact length of what [`RatchetState::export_into`] writes, so
    /// that callers allocate once (a growing vector would free outgrown
    /// buffers holding keys without wiping them).
    pub(crate) fn export_len(&self) -> usize {
        let c = &self.core;
        let present = [
            c.dhr.is_some(),
            c.cks.is_some(),
            c.ckr.is_some(),
            c.hks.is_some(),
            c.hkr.is_some(),
        ]
        .iter()
        .filter(|p| **p)
        .count();
        let chains: usize = self
            .skipped
            .chains
            .iter()
            .map(|ch| 32 + 4 + 36 * ch.keys.len())
            .sum();
        1 + 32 + 32 * present + 3 * 32 + 3 * 4 + 4 + chains
    }

    /// Serializes the state (format: [`crate::session`] module docs).
    pub(crate) fn export_into(&self, out: &mut Vec<u8>) {
        let c = &self.core;
        let flags = u8::from(c.dhr.is_some())
            | u8::from(c.cks.is_some()) << 1
            | u8::from(c.ckr.is_some()) << 2
            | u8::from(c.hks.is_some()) << 3
            | u8::from(c.hkr.is_some()) << 4;
        out.push(flags);
        out.extend_from_slice(&c.dhs_secret);
        if let Some(dhr) = &c.dhr {
            out.extend_from_slice(dhr);
        }
        for key in [
            c.cks.as_ref().map(ChainKey::as_bytes),
            c.ckr.as_ref().map(ChainKey::as_bytes),
            c.hks.as_ref().map(HeaderKey::as_bytes),
            c.hkr.as_ref().map(HeaderKey::as_bytes),
        ]
        .into_iter()
        .flatten()
        {
            out.extend_from_slice(key);
        }
        out.extend_from_slice(c.rk.as_bytes());
        out.extend_from_slice(c.nhks.as_bytes());
        out.extend_from_slice(c.nhkr.as_bytes());
        out.extend_from_slice(&c.ns.to_be_bytes());
        out.extend_from_slice(&c.nr.to_be_bytes());
        out.extend_from_slice(&c.pn.to_be_bytes());
        out.extend_from_slice(&(self.skipped.chains.len() as u32).to_be_bytes());
        for chain in &self.skipped.chains {
            out.extend_from_slice(chain.hk.as_bytes());
            out.extend_from_slice(&(chain.keys.len() as u32).to_be_bytes());
            for k in &chain.keys {
                out.extend_from_slice(&k.n.to_be_bytes());
                out.extend_from_slice(k.mk.as_bytes());
            }
        }
    }

    /// Parses what [`RatchetState::export_into`] wrote, strictly; any
    /// violation is `InvalidState`.
    pub(crate) fn import_from(r: &mut Reader<'_>) -> Result<RatchetState, Error> {
        let flags = r.u8()?;
        if flags & !0x1f != 0 {
            return Err(Error::InvalidState);
        }
        let has = |bit: u8| flags & (1 << bit) != 0;
        // CKs comes with HKs and CKr with HKr in every reachable state.
        if has(1) != has(3) || has(2) != has(4) {
            return Err(Error::InvalidState);
        }
        let dhs_secret = Zeroizing::new(r.array::<32>()?);
        let mut opt = |bit: u8| -> Result<Option<Zeroizing<[u8; 32]>>, Error> {
            if has(bit) {
                r.array::<32>().map(|k| Some(Zeroizing::new(k)))
            } else {
                Ok(None)
            }
        };
        let dhr = opt(0)?;
        let cks = opt(1)?;
        let ckr = opt(2)?;
        let hks = opt(3)?;
        let hkr = opt(4)?;
        let core = Box::new(Core {
            dhs_public: x25519::public_key(&dhs_secret),
            dhs_secret: *dhs_secret,
            dhr: dhr.map(|k| *k),
            rk: RootKey::from_bytes(&Zeroizing::new(r.array::<32>()?)),
            cks: cks.map(|k| ChainKey::from_bytes(&k)),
            ckr: ckr.map(|k| ChainKey::from_bytes(&k)),
            hks: hks.map(|k| HeaderKey::from_bytes(&k)),
            hkr: hkr.map(|k| HeaderKey::from_bytes(&k)),
            nhks: HeaderKey::from_bytes(&r.array::<32>()?),
            nhkr: HeaderKey::from_bytes(&r.array::<32>()?),
            ns: r.u32()?,
            nr: r.u32()?,
            pn: r.u32()?,
        });
        let n_chains = r.u32()?;
        let mut skipped = Skipped::default();
        for _ in 0..n_chains {
            let hk = HeaderKey::from_bytes(&r.array::<32>()?);
            let count = r.u32()? as usize;
            if count == 0 || count > MAX_SKIPPED_TOTAL - skipped.total {
                return Err(Error::InvalidState);
            }
            if let Some(last) = skipped.chains.back() {
                if last.hk.ct_eq(&hk) {
                    return Err(Error::InvalidState);
                }
            }
            let mut keys = VecDeque::with_capacity(count);
            let mut prev: Option<u32> = None;
            for _ in 0..count {
                let n = r.u32()?;
                if prev.is_some_and(|p| p >= n) {
                    return Err(Error::InvalidState);
                }
                prev = Some(n);
                keys.push_back(Box::new(SkippedMk {
                    n,
                    mk: MessageKey::from_bytes(&Zeroizing::new(r.array::<32>()?)),
                }));
            }
            skipped.total += count;
            skipped
                .chains
                .push_back(Box::new(SkippedChain { hk, keys }));
        }
        Ok(RatchetState { core, skipped })
    }
}
