//! The file records of a run, kept on disk once they are many.
//!
//! A run of a hundred thousand campaigns lists some 600,000 files in its manifest,
//! about a hundred bytes each. Records are kept in memory until there are [`RUN`] of
//! them; then they are sorted by path and appended, as one sorted run, to a file of
//! the output folder whose name is removed as soon as it is created (a run killed in
//! that instant leaves it under the temporary prefix, which the next run removes).
//! Reading them back merges the runs and what is still in memory in path order, one
//! record and a 32 KiB buffer per run at a time, so memory holds about one run's worth
//! of records whatever the number of files. When the folder cannot take them (a full
//! disk) the records stay in memory.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::Record;

/// How many records are kept in memory before they are written to disk as one run.
pub(super) const RUN: usize = 1 << 14;

/// A record as it was added: the file, the temporary name it waits under (empty when
/// it is in place) and its place in the order records were added.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) record: Record,
    pub(super) temp: Box<str>,
    seq: u64,
}

impl Item {
    fn key(&self) -> (&str, u64) {
        (&self.record.path, self.seq)
    }
}

/// Records, in memory in the order they were added and on disk in sorted runs.
#[derive(Debug)]
pub(super) struct Records {
    folder: PathBuf,
    run: usize,
    recent: Vec<Item>,
    /// The runs written to `file`: where each starts and ends.
    runs: Vec<(u64, u64)>,
    file: Option<File>,
    /// The disk refused a run: the records stay in memory from then on.
    in_memory: bool,
    next: u64,
}

impl Records {
    /// Records that go to a file in `folder` once there are `run` of them in memory.
    pub(super) fn new(folder: &Path, run: usize) -> Records {
        Records {
            folder: folder.to_path_buf(),
            run: run.max(1),
            recent: Vec::new(),
            runs: Vec::new(),
            file: None,
            in_memory: false,
            next: 0,
        }
    }

    pub(super) fn push(&mut self, record: Record, temp: Box<str>) {
        if self.recent.len() == self.recent.capacity() {
            // Grown by a quarter rather than doubled when the records stay in memory.
            let more = (self.recent.capacity() / 4).max(64);
            self.recent.reserve_exact(more);
        }
        self.recent.push(Item { record, temp, seq: self.next });
        self.next += 1;
        if self.recent.len() >= self.run && !self.in_memory {
            self.spill();
        }
    }

    /// Writes the records in memory to disk as one sorted run.
    fn spill(&mut self) {
        self.recent.sort_by(|a, b| a.key().cmp(&b.key()));
        match self.write_run() {
            Ok(()) => self.recent.clear(),
            Err(_) => self.in_memory = true,
        }
    }

    fn write_run(&mut self) -> io::Result<()> {
        let file = match &mut self.file {
            Some(file) => file,
            empty => empty.insert(unnamed_file(&self.folder)?),
        };
        let start = self.runs.last().map_or(0, |run| run.1);
        let (mut at, mut buf) = (start, Vec::with_capacity(1 << 16));
        for item in &self.recent {
            encode(item, &mut buf);
            if buf.len() >= 1 << 16 {
                file.write_all_at(&buf, at)?;
                at += buf.len() as u64;
                buf.clear();
            }
        }
        file.write_all_at(&buf, at)?;
        at += buf.len() as u64;
        self.runs.push((start, at));
        Ok(())
    }

    /// Every record, sorted by path and, for one path, in the order they were added.
    pub(super) fn sorted(&self) -> Merge<'_> {
        Merge::of(&[self])
    }
}

/// A file in `folder` that no name leads to: created under the output folder's
/// temporary prefix and its name removed at once.
pub(crate) fn unnamed_file(folder: &Path) -> io::Result<File> {
    let (file, name) = tempfile::Builder::new().prefix(super::TEMP_PREFIX).tempfile_in(folder)?.into_parts();
    name.close()?;
    Ok(file)
}

/// Records of several stores merged by path; for one path, those of an earlier store
/// come first, and those of one store in the order they were added.
pub(super) struct Merge<'a> {
    heap: BinaryHeap<Reverse<Head>>,
    sources: Vec<Source<'a>>,
    /// A run that could not be read: the merge ends with this error.
    error: Option<io::Error>,
}

/// The next record of a source, ordered by path, store and order of adding.
struct Head {
    item: Item,
    store: usize,
    source: usize,
}

impl Head {
    fn key(&self) -> (&str, usize, u64) {
        (&self.item.record.path, self.store, self.item.seq)
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Head) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Head {}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Head) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Head {
    fn cmp(&self, other: &Head) -> Ordering {
        self.key().cmp(&other.key())
    }
}

enum Source<'a> {
    /// Records still in memory, in the order of these indexes.
    Memory { items: &'a [Item], order: std::vec::IntoIter<u32> },
    /// A run on disk.
    Disk(BufReader<Span<'a>>),
}

impl Source<'_> {
    fn next(&mut self) -> io::Result<Option<Item>> {
        match self {
            Source::Memory { items, order } => Ok(order.next().map(|i| items[i as usize].clone())),
            Source::Disk(reader) => decode(reader),
        }
    }
}

impl<'a> Merge<'a> {
    pub(super) fn of(stores: &[&'a Records]) -> Merge<'a> {
        let mut sources = Vec::new();
        let mut store_of = Vec::new();
        for (store, records) in stores.iter().enumerate() {
            if let Some(file) = &records.file {
                for &(start, end) in &records.runs {
                    sources.push(Source::Disk(BufReader::with_capacity(1 << 15, Span { file, at: start, end })));
                    store_of.push(store);
                }
            }
            let mut order: Vec<u32> = (0..records.recent.len() as u32).collect();
            order.sort_by(|&a, &b| records.recent[a as usize].key().cmp(&records.recent[b as usize].key()));
            sources.push(Source::Memory { items: &records.recent, order: order.into_iter() });
            store_of.push(store);
        }
        let mut merge = Merge { heap: BinaryHeap::with_capacity(sources.len()), sources, error: None };
        for (source, store) in store_of.into_iter().enumerate() {
            if let Err(error) = merge.refill(source, store) {
                // Reported by the first call to `next`.
                merge.error = Some(error);
                break;
            }
        }
        merge
    }

    /// Puts the next record of `source` on the heap.
    fn refill(&mut self, source: usize, store: usize) -> io::Result<()> {
        if let Some(item) = self.sources[source].next()? {
            self.heap.push(Reverse(Head { item, store, source }));
        }
        Ok(())
    }

    /// The last record of each path, in path order: a record added later (or by a later
    /// store) replaces one of the same path.
    pub(super) fn latest(self) -> Latest<'a> {
        Latest { merge: self, pending: None }
    }
}

impl Iterator for Merge<'_> {
    type Item = io::Result<Item>;

    fn next(&mut self) -> Option<io::Result<Item>> {
        if let Some(error) = self.error.take() {
            self.heap.clear();
            return Some(Err(error));
        }
        let Reverse(head) = self.heap.pop()?;
        if let Err(error) = self.refill(head.source, head.store) {
            self.heap.clear();
            return Some(Err(error));
        }
        Some(Ok(head.item))
    }
}

/// See [`Merge::latest`].
pub(super) struct Latest<'a> {
    merge: Merge<'a>,
    pending: Option<Item>,
}

impl Iterator for Latest<'_> {
    type Item = io::Result<Item>;

    fn next(&mut self) -> Option<io::Result<Item>> {
        let mut last = match self.pending.take() {
            Some(item) => item,
            None => match self.merge.next()? {
                Ok(item) => item,
                Err(error) => return Some(Err(error)),
            },
        };
        loop {
            match self.merge.next() {
                None => return Some(Ok(last)),
                Some(Err(error)) => return Some(Err(error)),
                Some(Ok(item)) if item.record.path == last.record.path => last = item,
                Some(Ok(item)) => {
                    self.pending = Some(item);
                    return Some(Ok(last));
                }
            }
        }
    }
}

/// A part of the records' file, read at its own position (runs are read side by side
/// from one file).
pub(crate) struct Span<'a> {
    pub(crate) file: &'a File,
    pub(crate) at: u64,
    pub(crate) end: u64,
}

impl Read for Span<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = (self.end - self.at).min(buf.len() as u64) as usize;
        if left == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..left], self.at)?;
        if n == 0 {
            // Not `UnexpectedEof`, which is how a run ends where it should.
            return Err(io::Error::new(io::ErrorKind::InvalidData, "the file holding them was cut short"));
        }
        self.at += n as u64;
        Ok(n)
    }
}

/// An item as bytes: path length and path, digest, size, temporary name length and
/// name, order of adding.
fn encode(item: &Item, buf: &mut Vec<u8>) {
    let Item { record, temp, seq } = item;
    buf.extend_from_slice(&(record.path.len() as u32).to_le_bytes());
    buf.extend_from_slice(record.path.as_bytes());
    buf.extend_from_slice(&record.sha256);
    buf.extend_from_slice(&record.bytes.to_le_bytes());
    buf.extend_from_slice(&(temp.len() as u32).to_le_bytes());
    buf.extend_from_slice(temp.as_bytes());
    buf.extend_from_slice(&seq.to_le_bytes());
}

/// The next item of a run; `None` at its end.
fn decode(reader: &mut impl Read) -> io::Result<Option<Item>> {
    let mut len = [0u8; 4];
    match reader.read_exact(&mut len) {
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        other => other?,
    }
    let path = text(reader, u32::from_le_bytes(len))?;
    let mut sha256 = [0u8; 32];
    reader.read_exact(&mut sha256)?;
    let bytes = u64::from_le_bytes(array(reader)?);
    let temp_len = u32::from_le_bytes(array(reader)?);
    let temp = text(reader, temp_len)?;
    let seq = u64::from_le_bytes(array(reader)?);
    Ok(Some(Item { record: Record { path, sha256, bytes }, temp, seq }))
}

fn array<const N: usize>(reader: &mut impl Read) -> io::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    reader.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn text(reader: &mut impl Read, len: u32) -> io::Result<Box<str>> {
    let mut bytes = vec![0u8; len as usize];
    reader.read_exact(&mut bytes)?;
    String::from_utf8(bytes)
        .map(String::into_boxed_str)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a file record read back is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(path: &str, n: u8) -> Record {
        Record { path: path.into(), sha256: [n; 32], bytes: u64::from(n) }
    }

    fn listed(records: &Records) -> Vec<(String, u8)> {
        records
            .sorted()
            .latest()
            .map(|i| i.map(|i| (i.record.path.to_string(), i.record.sha256[0])))
            .collect::<io::Result<_>>()
            .unwrap()
    }

    #[test]
    fn runs_on_disk_and_in_memory_merge_in_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut records = Records::new(dir.path(), 4);
        for n in 0..30u8 {
            records.push(record(&format!("f{}", (u32::from(n) * 13) % 9), n), "".into());
        }
        assert_eq!(records.runs.len(), 7, "seven runs of four on disk, two records in memory");
        let mut want = std::collections::BTreeMap::new();
        for n in 0..30u8 {
            want.insert(format!("f{}", (u32::from(n) * 13) % 9), n);
        }
        assert_eq!(listed(&records), want.into_iter().collect::<Vec<_>>());
        assert_eq!(records.sorted().count(), 30, "every record, duplicates included");
    }

    #[test]
    fn records_stay_in_memory_when_the_folder_takes_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut records = Records::new(&dir.path().join("missing"), 2);
        for n in [3u8, 1, 2, 1] {
            records.push(record(&format!("f{n}"), n * 10), format!("t{n}").into());
        }
        assert!(records.runs.is_empty() && records.in_memory);
        assert_eq!(listed(&records), [("f1".to_string(), 10), ("f2".to_string(), 20), ("f3".to_string(), 30)]);
    }

    #[test]
    fn a_run_cut_short_is_an_error_not_a_shorter_list() {
        let dir = tempfile::tempdir().unwrap();
        let mut records = Records::new(dir.path(), 2);
        for n in 0..4u8 {
            records.push(record(&format!("f{n}"), n), "".into());
        }
        // Cut after its first record (58 bytes): where a record ends, not inside one.
        records.file.as_ref().unwrap().set_len(58).unwrap();
        assert!(records.sorted().latest().any(|item| item.is_err()));
    }
}
