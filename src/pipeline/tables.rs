//! Reading a campaign's tables once, as streams: the figures, the first task rows,
//! the grids shown as they are, and the rows for the export copies.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;

use csv::StringRecord;

use super::report::CampaignError;
use crate::export::csv::{CsvTable, cell_position, typed};
use crate::export::grid::Grid;
use crate::export::{Bundle, InputError, TableName};
use crate::figures::{CallCounts, Rules, TaskCounts};
use crate::model::{Call, CallRow, PoolNumber, Task, Workspace};
use crate::output::{Output, OutputError, Staged};
use crate::render::copies::{CopyRules, CsvCopy};

/// What the streaming pass over a campaign's tables collects.
#[derive(Default)]
pub(super) struct Tables {
    pub(super) tasks: Option<TaskCounts>,
    pub(super) calls: Option<CallCounts>,
    pub(super) pool: Option<Vec<PoolNumber>>,
    pub(super) first_tasks: Vec<Task>,
    pub(super) preview: Option<Grid>,
    pub(super) rejects: Option<Grid>,
}

/// How many rows of each table the pages need kept; the rest are only counted.
#[derive(Debug, Clone, Copy)]
pub(super) struct Keep {
    pub(super) tasks: usize,
    pub(super) preview: usize,
    pub(super) rejects: usize,
}

impl Keep {
    /// Nothing kept: a check only counts.
    pub(super) const NOTHING: Keep = Keep { tasks: 0, preview: 0, rejects: 0 };
}

/// Where the export copies go; `None` in a check, which writes nothing.
pub(super) struct CopyTarget<'a> {
    pub(super) output: &'a Output,
    pub(super) dir: String,
    pub(super) rules: CopyRules,
}

/// The export copy of one table, while the table is read.
struct TableCopy<'a> {
    table: TableName,
    path: PathBuf,
    copy: Option<CsvCopy<'a>>,
}

impl<'a> TableCopy<'a> {
    fn open(target: Option<&CopyTarget<'a>>, table: TableName, headers: &[&str]) -> Result<Self, CampaignError> {
        let Some(target) = target else { return Ok(TableCopy { table, path: PathBuf::new(), copy: None }) };
        let rel = format!("{}/export/{}", target.dir, table.file_name());
        let path = target.output.root().join(&rel);
        let file = target.output.writer(&rel)?;
        let copy = CsvCopy::new(file, headers, target.rules, table == TableName::UploadRejects)
            .map_err(|cause| OutputError::Io { path: path.clone(), cause })?;
        Ok(TableCopy { table, path, copy: Some(copy) })
    }

    fn row<'r>(&mut self, cells: impl Fn(usize) -> &'r str) -> Result<(), CampaignError> {
        match &mut self.copy {
            Some(copy) => Ok(copy.write(cells).map_err(|cause| OutputError::Io { path: self.path.clone(), cause })?),
            None => Ok(()),
        }
    }

    fn finish(self) -> Result<Option<Copied>, CampaignError> {
        let Some(copy) = self.copy else { return Ok(None) };
        Ok(Some(Copied { staged: copy.stage()?, file: self.table.file_name() }))
    }
}

/// An export copy written under its temporary name.
pub(super) struct Copied {
    pub(super) staged: Staged,
    pub(super) file: &'static str,
}

/// Task columns in the order of docs/export-format.md.
const TASK_COLUMNS: [&str; 11] = [
    "task_id",
    "contact_name",
    "phone",
    "status",
    "attempts",
    "last_result",
    "outcome",
    "talk_seconds",
    "last_attempt_at",
    "from_number",
    "latency_ms",
];
const CALL_COLUMNS: [&str; 9] = [
    "call_id",
    "task_id",
    "from_number",
    "to_number",
    "started_at",
    "result",
    "duration_seconds",
    "latency_ms",
    "cost",
];

fn task_cells(t: &Task) -> [String; 11] {
    let opt = |v: Option<String>| v.unwrap_or_default();
    [
        t.task_id.to_string(),
        opt(t.contact_name.clone()),
        t.phone.to_string(),
        t.status.as_str().to_string(),
        opt(t.attempts.map(|a| a.to_string())),
        opt(t.last_result.map(|r| r.as_str().to_string())),
        opt(t.outcome.clone()),
        opt(t.talk_seconds.map(|v| v.0.to_string())),
        opt(t.last_attempt_at.map(|v| v.to_string())),
        opt(t.from_number.as_ref().map(|v| v.to_string())),
        opt(t.latency_ms.map(|v| v.0.to_string())),
    ]
}

fn call_cells(c: &Call) -> [String; 9] {
    let opt = |v: Option<String>| v.unwrap_or_default();
    [
        opt(c.call_id.clone()),
        opt(c.task_id.clone()),
        opt(c.from_number.as_ref().map(|v| v.to_string())),
        opt(c.to_number.as_ref().map(|v| v.to_string())),
        opt(c.started_at.map(|v| v.to_string())),
        c.result.as_str().to_string(),
        opt(c.duration_seconds.map(|v| v.0.to_string())),
        opt(c.latency_ms.map(|v| v.0.to_string())),
        opt(c.cost.map(|v| v.0.to_string())),
    ]
}

/// 128 bits of a task id: enough that two different ids never collide in practice,
/// at a fraction of the memory of keeping millions of ids.
fn id_key(id: &str) -> u128 {
    let mut a = DefaultHasher::new();
    id.hash(&mut a);
    let mut b = DefaultHasher::new();
    (0x9e37_79b9_u32, id).hash(&mut b);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// The task table's pass: counts, duplicate detection, the first rows.
struct TaskPass {
    seen: HashSet<u128>,
    counts: TaskCounts,
    keep: usize,
    first: Vec<Task>,
}

impl TaskPass {
    /// Counts a task, or returns its id when it is a duplicate.
    fn add(&mut self, task: Task, rules: &Rules) -> Result<(), String> {
        if !self.seen.insert(id_key(&task.task_id)) {
            return Err(task.task_id.to_string());
        }
        self.counts.add(&task, rules);
        if self.first.len() < self.keep {
            self.first.push(task);
        }
        Ok(())
    }
}

fn duplicate_message(id: &str) -> String {
    format!("duplicate task_id {}: task ids must be unique within a campaign", crate::model::shorten(id))
}

/// Reads every table of a campaign once, computing the figures and writing the
/// export copies when `target` is given. The task and call tables, the large ones,
/// are read at the same time on two threads. `keep` is how many rows of each to keep.
pub(super) fn read_tables(
    bundle: &Bundle,
    workspace: &Workspace,
    target: Option<&CopyTarget>,
    keep: Keep,
) -> Result<(Tables, Vec<Copied>), CampaignError> {
    let c = bundle.campaign();
    let rules = Rules::new(c, workspace);
    let (tasks, calls) =
        rayon::join(|| read_tasks(bundle, &rules, target, keep.tasks), || read_calls(bundle, &rules, target));
    let (tasks, tasks_copy) = tasks?;
    let (calls, calls_copy) = calls?;
    let (rejects, rejects_copy) = read_rejects(bundle, target, keep.rejects)?;
    let mut out = Tables { calls, rejects, ..Tables::default() };
    if let Some(pass) = tasks {
        out.tasks = Some(pass.counts);
        out.first_tasks = pass.first;
    }

    // Number pool: a small table, kept whole.
    if let Some(path) = bundle.csv.get(TableName::NumberPool) {
        let mut rows = Vec::new();
        CsvTable::open(path, &["number"])?.for_each(|row: PoolNumber, _, _| {
            rows.push(row);
            Ok::<(), InputError>(())
        })?;
        out.pool = Some(rows);
    } else {
        out.pool = c.number_pool.clone();
    }

    // Audience preview: shown as it is.
    out.preview = match (bundle.csv.get(TableName::AudiencePreview), &c.audience_preview) {
        (Some(path), _) => Some(Grid::from_csv(path, &["contact_name", "phone"], keep.preview)?),
        (None, Some(rows)) => Some(Grid::from_inline(rows, &["contact_name", "phone"], keep.preview)),
        (None, None) => None,
    };
    let copies = [tasks_copy, calls_copy, rejects_copy].into_iter().flatten().collect();
    Ok((out, copies))
}

fn read_tasks(
    bundle: &Bundle,
    rules: &Rules,
    target: Option<&CopyTarget>,
    keep: usize,
) -> Result<(Option<TaskPass>, Option<Copied>), CampaignError> {
    let mut pass = TaskPass { seen: HashSet::new(), counts: TaskCounts::default(), keep, first: Vec::new() };
    if let Some(path) = bundle.csv.get(TableName::Tasks) {
        let mut table = CsvTable::open(path, &["task_id", "phone", "status"])?;
        let headers = table.headers().clone();
        let mut copy = TableCopy::open(target, TableName::Tasks, &headers.iter().collect::<Vec<_>>())?;
        table.for_each(|task: Task, record: &StringRecord, line| {
            if let Err(id) = pass.add(task, rules) {
                let position = cell_position(&headers, line, "task_id");
                return Err(InputError::field(path, position, "task_id", duplicate_message(&id)).into());
            }
            copy.row(|i| record.get(i).unwrap_or(""))
        })?;
        Ok((Some(pass), copy.finish()?))
    } else if let Some(tasks) = &bundle.campaign().tasks {
        let mut copy = TableCopy::open(target, TableName::Tasks, &TASK_COLUMNS)?;
        for (i, task) in tasks.iter().enumerate() {
            if let Err(id) = pass.add(task.clone(), rules) {
                return Err(bundle.error(&format!("tasks[{i}].task_id"), duplicate_message(&id)).into());
            }
            let cells = task_cells(task);
            copy.row(|k| cells[k].as_str())?;
        }
        Ok((Some(pass), copy.finish()?))
    } else {
        Ok((None, None))
    }
}

fn read_calls(
    bundle: &Bundle,
    rules: &Rules,
    target: Option<&CopyTarget>,
) -> Result<(Option<CallCounts>, Option<Copied>), CampaignError> {
    let mut calls = CallCounts::default();
    if let Some(path) = bundle.csv.get(TableName::Calls) {
        let mut table = CsvTable::open(path, &["result"])?;
        let headers = table.headers().clone();
        let mut copy = TableCopy::open(target, TableName::Calls, &headers.iter().collect::<Vec<_>>())?;
        table.for_each_raw(|record, _| {
            let call: CallRow = typed(path, &headers, record)?;
            calls.add(&call, rules);
            copy.row(|i| record.get(i).unwrap_or(""))
        })?;
        Ok((Some(calls), copy.finish()?))
    } else if let Some(list) = &bundle.campaign().calls {
        let mut copy = TableCopy::open(target, TableName::Calls, &CALL_COLUMNS)?;
        for call in list {
            calls.add(&call.as_row(), rules);
            let cells = call_cells(call);
            copy.row(|k| cells[k].as_str())?;
        }
        Ok((Some(calls), copy.finish()?))
    } else {
        Ok((None, None))
    }
}

/// Rejected upload rows: the first ones for the page, all of them in the export copy.
fn read_rejects(
    bundle: &Bundle,
    target: Option<&CopyTarget>,
    keep: usize,
) -> Result<(Option<Grid>, Option<Copied>), CampaignError> {
    let c = bundle.campaign();
    match (bundle.csv.get(TableName::UploadRejects), c.upload.as_ref().and_then(|u| u.rejects.as_ref())) {
        (Some(path), _) => {
            let mut table = CsvTable::open(path, &["row", "reason"])?;
            let headers: Vec<String> = table.headers().iter().map(str::to_string).collect();
            let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
            let mut copy = TableCopy::open(target, TableName::UploadRejects, &refs)?;
            let mut grid = Grid { columns: headers.clone(), ..Grid::default() };
            table.for_each_raw(|record, _| {
                grid.total += 1;
                if grid.rows.len() < keep {
                    grid.rows.push(record.iter().map(str::to_string).collect());
                }
                copy.row(|i| record.get(i).unwrap_or(""))
            })?;
            Ok((Some(grid), copy.finish()?))
        }
        (None, Some(rows)) => {
            let all = Grid::from_inline(rows, &["row", "reason", "detail"], usize::MAX);
            let refs: Vec<&str> = all.columns.iter().map(String::as_str).collect();
            let mut copy = TableCopy::open(target, TableName::UploadRejects, &refs)?;
            for row in &all.rows {
                copy.row(|i| row[i].as_str())?;
            }
            let shown = Grid { rows: all.rows.iter().take(keep).cloned().collect(), ..all };
            Ok((Some(shown), copy.finish()?))
        }
        (None, None) => Ok((None, None)),
    }
}
