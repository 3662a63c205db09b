//! The subject index both kinds of fleet keep: one member per subject, found by name, listed
//! in subject order.
#![expect(
    clippy::indexing_slicing,
    reason = "positions come from the roster's own index, which every insertion and removal keeps in step with its members"
)]

use std::collections::HashMap;

/// FxHash: fast on short keys, and seeded with a constant, so nothing depends on a random seed.
pub(super) type Subjects<V> = HashMap<String, V, rustc_hash::FxBuildHasher>;

/// One member (a run, or a run set) per subject, in no particular order; `index` finds a
/// subject's.
#[derive(Clone, Debug)]
pub(super) struct Roster<M> {
    members: Vec<(String, M)>,
    index: Subjects<usize>,
}

impl<M> Default for Roster<M> {
    fn default() -> Self {
        Roster {
            members: Vec::new(),
            index: Subjects::default(),
        }
    }
}

impl<M> Roster<M> {
    /// Where the subject's member is.
    pub(super) fn position(&self, subject: &str) -> Option<usize> {
        self.index.get(subject).copied()
    }

    /// The member at a position [`position`](Roster::position) gave, if any.
    pub(super) fn at(&self, position: usize) -> Option<&M> {
        self.members.get(position).map(|(_, m)| m)
    }

    /// The member at a position [`position`](Roster::position) gave.
    pub(super) fn at_mut(&mut self, position: usize) -> &mut M {
        &mut self.members[position].1
    }

    pub(super) fn get(&self, subject: &str) -> Option<&M> {
        self.position(subject).map(|p| &self.members[p].1)
    }

    pub(super) fn get_mut(&mut self, subject: &str) -> Option<&mut M> {
        self.position(subject).map(|p| &mut self.members[p].1)
    }

    /// Puts `member` in for `subject`, in place of the one it had.
    pub(super) fn put(&mut self, subject: &str, member: M) -> &mut M {
        let position = match self.position(subject) {
            Some(position) => {
                self.members[position].1 = member;
                position
            }
            None => {
                let position = self.members.len();
                self.index.insert(subject.to_string(), position);
                self.members.push((subject.to_string(), member));
                position
            }
        };
        &mut self.members[position].1
    }

    /// The subject's member, made by `make` if it has none.
    pub(super) fn get_or_put_with(&mut self, subject: &str, make: impl FnOnce() -> M) -> &mut M {
        let position = match self.position(subject) {
            Some(position) => position,
            None => {
                let position = self.members.len();
                self.index.insert(subject.to_string(), position);
                self.members.push((subject.to_string(), make()));
                position
            }
        };
        &mut self.members[position].1
    }

    /// Removes a subject's member, keeping the index of the member moved into its place.
    pub(super) fn remove(&mut self, subject: &str) {
        if let Some(position) = self.index.remove(subject) {
            self.members.swap_remove(position);
            if let Some((moved, _)) = self.members.get(position) {
                self.index.insert(moved.clone(), position);
            }
        }
    }

    /// The members, in subject order.
    pub(super) fn in_order(&self) -> impl Iterator<Item = (&str, &M)> {
        let mut members: Vec<&(String, M)> = self.members.iter().collect();
        members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        members
            .into_iter()
            .map(|(subject, m)| (subject.as_str(), m))
    }

    /// The members, in subject order, to change.
    pub(super) fn in_order_mut(&mut self) -> impl Iterator<Item = (&str, &mut M)> {
        let mut members: Vec<&mut (String, M)> = self.members.iter_mut().collect();
        members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        members
            .into_iter()
            .map(|(subject, m)| (subject.as_str(), m))
    }

    /// Calls `step` on every member, in subject order; returns what it returned, with the
    /// subject, where that was not empty.
    pub(super) fn each_in_order<E>(
        &mut self,
        mut step: impl FnMut(&mut M) -> Vec<E>,
    ) -> Vec<(String, Vec<E>)> {
        self.in_order_mut()
            .filter_map(|(subject, member)| {
                let found = step(member);
                (!found.is_empty()).then(|| (subject.to_string(), found))
            })
            .collect()
    }

    /// The subjects, in order.
    pub(super) fn subjects(&self) -> Vec<&str> {
        self.in_order().map(|(subject, _)| subject).collect()
    }

    pub(super) fn len(&self) -> usize {
        self.members.len()
    }

    /// Removes the members `ended` says are over; returns their subjects, in order.
    pub(super) fn evict(&mut self, ended: impl Fn(&M) -> bool) -> Vec<String> {
        let mut gone: Vec<String> = self
            .members
            .iter()
            .filter(|(_, member)| ended(member))
            .map(|(subject, _)| subject.clone())
            .collect();
        gone.sort_unstable();
        for subject in &gone {
            self.remove(subject);
        }
        gone
    }
}
