//! Gathers changes: one entry per distinct change however many operations
//! reach it, each listing the operations it affects.

use std::collections::{HashMap, HashSet};

use super::change::{Change, Direction};
use super::checks::Check;
use crate::document::Document;

/// A schema comparison already made: both pointers, the direction, and the
/// text that names the node in messages.
pub(super) type MemoKey = (String, String, Direction, String);

type ChangeKey = (&'static str, Option<String>, Option<String>, String);

pub(super) struct Collector<'a> {
    pub old: Document<'a>,
    pub new: Document<'a>,
    changes: Vec<Change>,
    index: HashMap<ChangeKey, usize>,
    /// The changes met by each comparison in progress, innermost last.
    frames: Vec<Vec<usize>>,
    /// The changes each finished schema comparison met: a schema shared by
    /// many operations is compared once and attributed to all of them.
    memo: HashMap<MemoKey, Vec<usize>>,
    /// The schema pairs being compared: met again, they are a cycle of
    /// references, however differently the way back names them.
    active: HashSet<(String, String, Direction)>,
}

impl<'a> Collector<'a> {
    pub fn new(old: Document<'a>, new: Document<'a>) -> Self {
        Collector {
            old,
            new,
            changes: Vec::new(),
            index: HashMap::new(),
            frames: Vec::new(),
            memo: HashMap::new(),
            active: HashSet::new(),
        }
    }

    /// Records a change (once, however often it is met).
    pub fn report(
        &mut self,
        check: &'static Check,
        message: String,
        old: Option<&str>,
        new: Option<&str>,
    ) {
        let key = (
            check.id,
            old.map(str::to_owned),
            new.map(str::to_owned),
            message,
        );
        let index = match self.index.get(&key) {
            Some(&index) => index,
            None => {
                self.changes.push(Change {
                    check,
                    message: key.3.clone(),
                    old: key.1.clone(),
                    new: key.2.clone(),
                    operations: Vec::new(),
                });
                let index = self.changes.len() - 1;
                self.index.insert(key, index);
                index
            }
        };
        if let Some(frame) = self.frames.last_mut() {
            frame.push(index);
        }
    }

    /// Runs `compare` and attributes every change it meets to `operation`.
    pub fn for_operation(&mut self, operation: &str, compare: impl FnOnce(&mut Self)) {
        self.frames.push(Vec::new());
        compare(self);
        let frame = self.frames.pop().unwrap_or_default();
        for index in frame {
            let operations = &mut self.changes[index].operations;
            if !operations.iter().any(|known| known == operation) {
                operations.push(operation.to_string());
            }
        }
    }

    /// Runs `compare` once per key; later calls only re-attribute what the
    /// first met. A key met again while it is being compared is a cycle of
    /// references: the comparison in progress covers it.
    pub fn memoised(&mut self, key: MemoKey, compare: impl FnOnce(&mut Self)) {
        if let Some(found) = self.memo.get(&key) {
            let found = found.clone();
            if let Some(frame) = self.frames.last_mut() {
                frame.extend(found);
            }
            return;
        }
        let pair = (key.0.clone(), key.1.clone(), key.2);
        if !self.active.insert(pair.clone()) {
            return;
        }
        self.frames.push(Vec::new());
        compare(self);
        let mut found = self.frames.pop().unwrap_or_default();
        found.sort_unstable();
        found.dedup();
        self.active.remove(&pair);
        if let Some(frame) = self.frames.last_mut() {
            frame.extend(found.iter().copied());
        }
        self.memo.insert(key, found);
    }

    pub fn finish(self) -> Vec<Change> {
        self.changes
    }
}
