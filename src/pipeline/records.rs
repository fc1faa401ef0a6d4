//! The campaign records of a run, kept on disk once they are many.
//!
//! Every campaign built or kept has a record for the manifest, and its record carries
//! its line of the campaign list: about a kilobyte each in memory, a hundred megabytes
//! for a hundred thousand campaigns. Like the file records (`output/records.rs`), they
//! are kept in memory until there are [`RUN`] of them; then they are written to a file
//! of the output folder that no name leads to, as two sorted runs: the records by id,
//! for the manifest, and their list entries in the list's order, for `index.html`.
//! Reading merges the runs and what is still in memory, one value and a 32 KiB buffer
//! per run at a time, so memory holds about one run's worth of records whatever the
//! number of campaigns (docs/performance.md, "Memory of many campaigns"). When the
//! folder cannot take them (a full disk) the records stay in memory.
//!
//! A run is JSON Lines: each line is a record (or an entry) as serde writes it. The one
//! number in them, a progress bar's length, is a percentage rounded to one decimal
//! (`figures::percent`), which serde_json reads back as the number written (a unit
//! test checks every one of them).

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::manifest::CampaignRecord;
use crate::output::{Span, unnamed_file};
use crate::view::{self, ListEntry};

/// How many records are kept in memory before they are written to disk as runs.
const RUN: usize = 1 << 12;

/// The records of the campaigns of one output folder.
pub struct CampaignRecords {
    folder: PathBuf,
    run: usize,
    recent: Vec<CampaignRecord>,
    /// The runs of records by id, and of entries in list order, in `file`.
    by_id: Vec<(u64, u64)>,
    by_list: Vec<(u64, u64)>,
    file: Option<File>,
    end: u64,
    /// The disk refused a run: the records stay in memory from then on.
    in_memory: bool,
    /// How many records there are in all, and in each group of the list.
    len: usize,
    groups: [usize; 3],
    /// Campaigns whose records are written without their key (see [`Self::forget_keys`]).
    unkeyed: HashSet<String>,
}

impl CampaignRecords {
    /// Records that go to a file in `folder` once there are [`RUN`] of them in memory.
    pub fn new(folder: &Path) -> CampaignRecords {
        CampaignRecords::keeping(folder, RUN)
    }

    fn keeping(folder: &Path, run: usize) -> CampaignRecords {
        CampaignRecords {
            folder: folder.to_path_buf(),
            run: run.max(1),
            recent: Vec::new(),
            by_id: Vec::new(),
            by_list: Vec::new(),
            file: None,
            end: 0,
            in_memory: false,
            len: 0,
            groups: [0; 3],
            unkeyed: HashSet::new(),
        }
    }

    pub fn push(&mut self, record: CampaignRecord) {
        self.len += 1;
        self.groups[view::list_group(record.entry.layout)] += 1;
        self.recent.push(record);
        if self.recent.len() >= self.run && !self.in_memory {
            self.spill();
        }
    }

    /// How many records there are.
    pub fn count(&self) -> usize {
        self.len
    }

    /// How many entries each group of the list has (Active, Draft, Ended).
    pub fn group_counts(&self) -> [usize; 3] {
        self.groups
    }

    /// The records of these campaigns lose their key: they are built again next time.
    pub fn forget_keys(&mut self, ids: impl IntoIterator<Item = String>) {
        self.unkeyed.extend(ids);
    }

    /// Writes the records in memory to disk as two sorted runs.
    fn spill(&mut self) {
        match self.write_runs() {
            Ok(()) => self.recent.clear(),
            Err(_) => self.in_memory = true,
        }
    }

    fn write_runs(&mut self) -> io::Result<()> {
        let file = match &mut self.file {
            Some(file) => file,
            empty => empty.insert(unnamed_file(&self.folder)?),
        };
        let start = self.end;
        let at = write_run(file, start, by_id(&self.recent).into_iter())?;
        let end = write_run(file, at, in_list_order(&self.recent).into_iter().map(|(_, e)| e))?;
        // Both runs are counted only once both are written.
        self.by_id.push((start, at));
        self.by_list.push((at, end));
        self.end = end;
        Ok(())
    }

    /// Every record, by id; a record whose key was forgotten has none.
    pub fn by_id(&self) -> impl Iterator<Item = io::Result<CampaignRecord>> + '_ {
        let memory = by_id(&self.recent).into_iter().map(|r| (r.id.clone(), r.clone()));
        Merge::of(self.runs(&self.by_id), memory, |r: &CampaignRecord| r.id.clone()).map(|record| {
            let mut record = record.map_err(unread)?;
            if self.unkeyed.contains(&record.id) {
                record.key = None;
            }
            Ok(record)
        })
    }

    /// Every list entry, in the list's order: group by group, by name, then id.
    pub fn in_list_order(&self) -> impl Iterator<Item = io::Result<ListEntry>> + '_ {
        let memory = in_list_order(&self.recent).into_iter().map(|(key, e)| (key, e.clone()));
        Merge::of(self.runs(&self.by_list), memory, view::list_order).map(|entry| entry.map_err(unread))
    }

    fn runs(&self, spans: &[(u64, u64)]) -> Vec<BufReader<Span<'_>>> {
        let Some(file) = &self.file else { return Vec::new() };
        spans.iter().map(|&(at, end)| BufReader::with_capacity(1 << 15, Span { file, at, end })).collect()
    }
}

/// Records sorted by id.
fn by_id(records: &[CampaignRecord]) -> Vec<&CampaignRecord> {
    let mut sorted: Vec<&CampaignRecord> = records.iter().collect();
    sorted.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    sorted
}

/// Where an entry stands in the list (see `view::list_order`).
type ListKey = (usize, String, String);

/// The records' list entries in the list's order, with their keys.
fn in_list_order(records: &[CampaignRecord]) -> Vec<(ListKey, &ListEntry)> {
    let mut sorted: Vec<(ListKey, &ListEntry)> =
        records.iter().map(|r| (view::list_order(&r.entry), &r.entry)).collect();
    sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    sorted
}

/// Why records kept on disk could not be read back.
fn unread(cause: io::Error) -> io::Error {
    io::Error::new(cause.kind(), format!("cannot read back the campaign records: {}", crate::os::describe(&cause)))
}

/// Appends one run at `at`, a line per value; returns where it ends.
fn write_run<'v, T: Serialize + 'v>(file: &File, mut at: u64, values: impl Iterator<Item = &'v T>) -> io::Result<u64> {
    let mut buf = Vec::with_capacity(1 << 16);
    for value in values {
        serde_json::to_writer(&mut buf, value)?;
        buf.push(b'\n');
        if buf.len() >= 1 << 16 {
            file.write_all_at(&buf, at)?;
            at += buf.len() as u64;
            buf.clear();
        }
    }
    file.write_all_at(&buf, at)?;
    Ok(at + buf.len() as u64)
}

/// The next value of a run; `None` at its end.
fn decode<T: DeserializeOwned>(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Option<T>> {
    line.clear();
    if reader.read_until(b'\n', line)? == 0 {
        return Ok(None);
    }
    let damaged = || io::Error::new(io::ErrorKind::InvalidData, "a line of them is damaged");
    let json = line.strip_suffix(b"\n").ok_or_else(damaged)?;
    serde_json::from_slice(json).map(Some).map_err(|_| damaged())
}

/// Runs and the records still in memory, merged by key; for one key, an earlier run
/// comes first and memory last.
struct Merge<'a, K, T, M> {
    heap: BinaryHeap<Reverse<Head<K, T>>>,
    runs: Vec<BufReader<Span<'a>>>,
    memory: M,
    key: fn(&T) -> K,
    line: Vec<u8>,
    /// A run that could not be read: the merge ends with this error.
    error: Option<io::Error>,
}

/// The next value of a source, with its key; `source` is the run's index, or the
/// number of runs for memory.
struct Head<K, T> {
    key: K,
    source: usize,
    value: T,
}

impl<K: Ord, T> PartialEq for Head<K, T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<K: Ord, T> Eq for Head<K, T> {}

impl<K: Ord, T> PartialOrd for Head<K, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K: Ord, T> Ord for Head<K, T> {
    fn cmp(&self, other: &Self) -> Ordering {
        (&self.key, self.source).cmp(&(&other.key, other.source))
    }
}

impl<'a, K: Ord, T: DeserializeOwned, M: Iterator<Item = (K, T)>> Merge<'a, K, T, M> {
    fn of(runs: Vec<BufReader<Span<'a>>>, memory: M, key: fn(&T) -> K) -> Self {
        let sources = runs.len() + 1;
        let mut merge =
            Merge { heap: BinaryHeap::with_capacity(sources), runs, memory, key, line: Vec::new(), error: None };
        for source in 0..sources {
            if let Err(error) = merge.refill(source) {
                // Reported by the first call to `next`.
                merge.error = Some(error);
                break;
            }
        }
        merge
    }

    /// Puts the next value of `source` on the heap.
    fn refill(&mut self, source: usize) -> io::Result<()> {
        let next = match self.runs.get_mut(source) {
            Some(run) => decode::<T>(run, &mut self.line)?.map(|value| ((self.key)(&value), value)),
            None => self.memory.next(),
        };
        if let Some((key, value)) = next {
            self.heap.push(Reverse(Head { key, source, value }));
        }
        Ok(())
    }
}

impl<K: Ord, T: DeserializeOwned, M: Iterator<Item = (K, T)>> Iterator for Merge<'_, K, T, M> {
    type Item = io::Result<T>;

    fn next(&mut self) -> Option<io::Result<T>> {
        if let Some(error) = self.error.take() {
            self.heap.clear();
            return Some(Err(error));
        }
        let Reverse(head) = self.heap.pop()?;
        if let Err(error) = self.refill(head.source) {
            self.heap.clear();
            return Some(Err(error));
        }
        Some(Ok(head.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::Layout;

    fn record(id: &str, name: &str, layout: Layout, bar: Option<f64>) -> CampaignRecord {
        let entry = serde_json::json!({"id": id, "name": name, "status": "Running", "status_word": "running",
            "status_kind": "active", "layout": layout, "progress": "-", "bar": bar, "key_figure": "-",
            "href": format!("campaigns/{id}/"), "tabs": [{"label": "Overview", "href": "index.html"}],
            "warnings": null});
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "status": "Running", "layout": layout,
            "key": format!("k-{id}"), "content_key": null, "entry": entry}))
        .unwrap()
    }

    /// 23 campaigns of every group, names that differ in case, in no order, bars as the
    /// figures give them.
    fn campaigns() -> Vec<CampaignRecord> {
        let layouts = [Layout::Ended, Layout::Active, Layout::Draft];
        (0..23u32)
            .map(|n| {
                let id = format!("c{}", (n * 7) % 23);
                let name = ["beta", "Alpha", "alpha", "Émile", "zeta"][(n % 5) as usize];
                let bar = (n % 4 != 0).then(|| crate::figures::percent(u64::from(n) * 5, 117));
                record(&id, name, layouts[(n % 3) as usize], bar)
            })
            .collect()
    }

    fn read<T>(values: impl Iterator<Item = io::Result<T>>) -> Vec<T> {
        values.collect::<io::Result<Vec<T>>>().unwrap()
    }

    #[test]
    fn runs_on_disk_and_in_memory_read_as_the_list_and_the_manifest_order_them() {
        let dir = tempfile::tempdir().unwrap();
        let all = campaigns();
        let mut want_ids: Vec<&CampaignRecord> = all.iter().collect();
        want_ids.sort_by(|a, b| a.id.cmp(&b.id));
        let entries: Vec<&ListEntry> = all.iter().map(|r| &r.entry).collect();
        let list = view::list_view(entries, "Acme", String::new(), String::new());
        let want_list: Vec<&ListEntry> = list.groups.iter().flat_map(|g| g.entries.iter().copied()).collect();
        for run in [1, 4, 5, 23, 100] {
            let mut records = CampaignRecords::keeping(dir.path(), run);
            all.iter().cloned().for_each(|r| records.push(r));
            assert_eq!(records.by_id.len(), 23 / run, "runs of {run} on disk");
            assert_eq!(records.count(), 23);
            assert_eq!(records.group_counts(), [8, 7, 8]);
            let by_id = read(records.by_id());
            assert_eq!(
                serde_json::to_string(&by_id).unwrap(),
                serde_json::to_string(&want_ids).unwrap(),
                "runs of {run}: the records by id, every field and every bit of the bars"
            );
            let in_list = read(records.in_list_order());
            assert_eq!(serde_json::to_string(&in_list).unwrap(), serde_json::to_string(&want_list).unwrap());
            assert!(in_list.iter().zip(&want_list).all(|(a, b)| a.bar.map(f64::to_bits) == b.bar.map(f64::to_bits)));
        }
    }

    #[test]
    fn the_list_page_is_the_same_from_runs_on_disk_from_memory_and_drawn_by_an_overridden_template() {
        let dir = tempfile::tempdir().unwrap();
        let theme = dir.path().join("theme");
        std::fs::create_dir(&theme).unwrap();
        let (_, index) = crate::render::html::BUILTIN.iter().find(|(name, _)| *name == "index.html").unwrap();
        std::fs::write(theme.join("index.html"), index).unwrap();
        let tenant: crate::model::Tenant =
            serde_json::from_value(serde_json::json!({"id": "acme", "name": "Acme"})).unwrap();
        let now: jiff::Timestamp = "2026-11-27T12:00:00Z".parse().unwrap();
        let mut pages = Vec::new();
        for (run, templates) in [(2, None), (1000, None), (3, Some(theme.as_path()))] {
            let root = dir.path().join(format!("out-{run}"));
            let output = crate::output::Output::create(&root).unwrap();
            let renderer = crate::render::html::HtmlRenderer::new(templates).unwrap();
            let mut records = CampaignRecords::keeping(&root, run);
            campaigns().into_iter().for_each(|r| records.push(r));
            super::super::list::write_at(&output, &renderer, now, &jiff::tz::TimeZone::UTC, &tenant, &records).unwrap();
            output.commit_held(None).unwrap();
            pages.push(std::fs::read_to_string(root.join("index.html")).unwrap());
        }
        assert_eq!(pages[0].matches("<th scope=\"row\">").count(), 23, "a row per campaign");
        assert!(pages[0] == pages[1], "runs on disk and records in memory give the same page");
        assert!(pages[0] == pages[2], "rows written by the tool and drawn by the template are the same");
    }

    #[test]
    fn every_progress_bar_length_reads_back_as_written() {
        // `figures::percent` rounds to one decimal, and a bar is clamped to 0–100: these
        // are all the lengths a bar can have.
        for k in 0..=1000u32 {
            let bar = f64::from(k) / 10.0;
            let written = serde_json::to_vec(&record("c", "C", Layout::Active, Some(bar))).unwrap();
            let read: CampaignRecord = serde_json::from_slice(&written).unwrap();
            assert_eq!(read.entry.bar.map(f64::to_bits), Some(bar.to_bits()), "{bar}");
        }
        assert_eq!(crate::figures::percent(1, 3), 333.0 / 10.0);
    }

    #[test]
    fn a_forgotten_key_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut records = CampaignRecords::keeping(dir.path(), 2);
        campaigns().into_iter().for_each(|r| records.push(r));
        records.forget_keys(["c5".to_string(), "c14".to_string()]);
        let keys: Vec<(String, bool)> = read(records.by_id()).into_iter().map(|r| (r.id, r.key.is_some())).collect();
        assert_eq!(keys.len(), 23);
        assert!(keys.iter().all(|(id, keyed)| *keyed == (id != "c5" && id != "c14")));
    }

    #[test]
    fn records_stay_in_memory_when_the_folder_takes_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut records = CampaignRecords::keeping(&dir.path().join("missing"), 2);
        campaigns().into_iter().for_each(|r| records.push(r));
        assert!(records.by_id.is_empty() && records.in_memory);
        assert_eq!(read(records.by_id()).len(), 23);
        assert_eq!(read(records.in_list_order()).len(), 23);
    }

    #[test]
    fn a_run_cut_short_is_an_error_not_a_shorter_list() {
        let dir = tempfile::tempdir().unwrap();
        let mut records = CampaignRecords::keeping(dir.path(), 4);
        campaigns().into_iter().for_each(|r| records.push(r));
        let (start, end) = records.by_list[2];
        records.file.as_ref().unwrap().set_len(start + (end - start) / 2).unwrap();
        assert!(records.in_list_order().any(|e| e.is_err()));
        assert!(records.by_id().any(|r| r.is_err()));
        let error = records.by_id().find_map(Result::err).unwrap();
        assert_eq!(error.to_string(), "cannot read back the campaign records: the file holding them was cut short");
    }
}
