//! `MKSKIPPED` (SPEC.md section 9.1): the message keys of skipped messages.
//!
//! Kept as an ordered deque of *chains* (one per header key: the spec's
//! runs of equal header keys), each an ordered deque of `(n, mk)`. The chain
//! list is the index: a header is trial-decrypted once per header key, a
//! lookup inside the matching chain is a scan of `u32`s, and eviction of the
//! oldest entry is O(1). The global order (chain by chain, oldest first) is
//! exactly the spec's list order, so "first match" and "evict oldest" are
//! the spec's.
//!
//! Keys are individually boxed even inside the deques: moving a box moves a
//! pointer, so no unzeroized copy of a message key is left behind when the
//! containers grow or shift.
#![allow(clippy::vec_box)]

use std::collections::VecDeque;

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::keys::{HeaderKey, MessageKey};
use super::MAX_SKIPPED_TOTAL;

/// One skipped message key `(n, mk)`; boxed in the deques so moves copy
/// only the pointer, and wiped when dropped.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(super) struct SkippedMk {
    #[zeroize(skip)]
    pub(super) n: u32,
    pub(super) mk: MessageKey,
}

/// The skipped keys of one receiving chain, all under header key `hk`,
/// `n` increasing (SPEC.md section 9.1: one chain's entries are contiguous).
pub(super) struct SkippedChain {
    pub(super) hk: HeaderKey,
    pub(super) keys: VecDeque<Box<SkippedMk>>,
}

/// `MKSKIPPED` (SPEC.md section 9.1): chains oldest first, keys oldest
/// first within a chain. Adjacent chains never share a header key (they
/// are merged), so the chains are exactly the spec's runs.
#[derive(Default)]
pub(super) struct Skipped {
    pub(super) chains: VecDeque<Box<SkippedChain>>,
    pub(super) total: usize,
}

/// Keys skipped by one receive, per header key, in order: what a commit
/// appends to [`Skipped`].
pub(super) type SkippedRun = (HeaderKey, Vec<Box<SkippedMk>>);

impl Skipped {
    /// Appends `keys` (numbers increasing) under `hk`, then evicts the oldest
    /// entries beyond `MAX_SKIPPED_TOTAL` (SPEC.md 9.5 "Skipping", REQ-RATCHET-005).
    pub(super) fn append(&mut self, hk: &HeaderKey, keys: Vec<Box<SkippedMk>>) {
        if !keys.is_empty() {
            self.total = self.total.saturating_add(keys.len());
            match self.chains.back_mut() {
                Some(last) if last.hk.ct_eq(hk) => last.keys.extend(keys),
                _ => self.chains.push_back(Box::new(SkippedChain {
                    hk: hk.clone(),
                    keys: keys.into(),
                })),
            }
        }
        self.evict();
    }

    /// Drops the oldest entries until at most `MAX_SKIPPED_TOTAL` remain.
    fn evict(&mut self) {
        while self.total > MAX_SKIPPED_TOTAL {
            let Some(first) = self.chains.front_mut() else {
                self.total = 0;
                return;
            };
            let excess = self.total - MAX_SKIPPED_TOTAL;
            let take = excess.min(first.keys.len());
            drop(first.keys.drain(..take));
            self.total -= take;
            if first.keys.is_empty() {
                self.chains.pop_front();
            }
        }
    }

    /// Removes key `k` of chain `c` (used once, REQ-RATCHET-008); an emptied
    /// chain goes, and its neighbours merge if they share a header key.
    pub(super) fn remove(&mut self, c: usize, k: usize) {
        let Some(chain) = self.chains.get_mut(c) else {
            return;
        };
        if chain.keys.remove(k).is_some() {
            self.total = self.total.saturating_sub(1);
        }
        if chain.keys.is_empty() {
            self.chains.remove(c);
            if c > 0 && c < self.chains.len() {
                let same = match (self.chains.get(c - 1), self.chains.get(c)) {
                    (Some(a), Some(b)) => a.hk.ct_eq(&b.hk),
                    _ => false,
                };
                if same {
                    if let Some(mut next) = self.chains.remove(c) {
                        if let Some(prev) = self.chains.get_mut(c - 1) {
                            prev.keys.append(&mut next.keys);
                        }
                    }
                }
            }
        }
    }

    /// Deep copy (secrets stay boxed and wiped on drop).
    pub(super) fn duplicate(&self) -> Skipped {
        let chains = self
            .chains
            .iter()
            .map(|c| {
                Box::new(SkippedChain {
                    hk: c.hk.clone(),
                    keys: c
                        .keys
                        .iter()
                        .map(|k| {
                            Box::new(SkippedMk {
                                n: k.n,
                                mk: k.mk.clone(),
                            })
                        })
                        .collect(),
                })
            })
            .collect();
        Skipped {
            chains,
            total: self.total,
        }
    }
}
