//! Where each state and track is written. A track's states are compiled into the playbook's
//! one list of states, after the top-level ones, so that a run indexes them all alike; this
//! file maps that list back to the document, for names, paths and positions.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::load::format::{PlaybookDoc, StateDoc, TrackDoc};
use crate::model::StateId;
use crate::yaml::Located;

/// A state as written, at its place in the model's list of states.
pub(super) struct StatePlace<'d> {
    /// Its name in the model: `crisis`, or `legal.assessing` in track `legal`.
    pub name: String,
    /// Its YAML path: `states.crisis`, or `states.breach.tracks.legal.states.assessing`.
    pub path: String,
    /// Its key, as written.
    pub written: &'d Located<String>,
    pub doc: &'d StateDoc,
    /// The index of its track in the model's list of tracks.
    pub track: Option<usize>,
}

/// A track as written, at its place in the model's list of tracks.
pub(super) struct TrackPlace<'d> {
    pub name: &'d Located<String>,
    /// The index of the state that holds it.
    pub parent: usize,
    /// Its YAML path: `states.breach.tracks.legal`.
    pub path: String,
    pub doc: &'d TrackDoc,
    /// Its states' indices in the model's list of states.
    pub states: Range<usize>,
}

impl TrackPlace<'_> {
    /// Its states by the names written in it (`assessing`, not `legal.assessing`): where its
    /// transitions and `initial` look.
    pub fn state_ids(&self) -> BTreeMap<&str, StateId> {
        self.doc
            .states
            .0
            .iter()
            .zip(self.states.clone())
            .map(|((name, _), index)| (name.value.as_str(), StateId::from_index(index)))
            .collect()
    }
}

/// Every state and track of the document, in model order: the top-level states as written,
/// then the states of each track, track by track, in the order the tracks are written. Tracks
/// written inside a track's state are not walked: they are an error.
pub(super) fn places(doc: &PlaybookDoc) -> (Vec<StatePlace<'_>>, Vec<TrackPlace<'_>>) {
    let mut states: Vec<StatePlace<'_>> = doc
        .states
        .0
        .iter()
        .map(|(name, state)| StatePlace {
            name: name.value.clone(),
            path: format!("states.{}", name.value),
            written: name,
            doc: state,
            track: None,
        })
        .collect();
    let mut tracks = Vec::new();
    for (parent, (parent_name, parent_doc)) in doc.states.0.iter().enumerate() {
        for (name, track) in &parent_doc.tracks.0 {
            let path = format!("states.{}.tracks.{}", parent_name.value, name.value);
            let start = states.len();
            for (state_name, state) in &track.states.0 {
                states.push(StatePlace {
                    name: format!("{}.{}", name.value, state_name.value),
                    path: format!("{path}.states.{}", state_name.value),
                    written: state_name,
                    doc: state,
                    track: Some(tracks.len()),
                });
            }
            tracks.push(TrackPlace {
                name,
                parent,
                path,
                doc: track,
                states: start..states.len(),
            });
        }
    }
    (states, tracks)
}
