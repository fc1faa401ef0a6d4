//! Reading a campaign's tables once, as streams: the figures, the first task rows,
//! the grids shown as they are, and the rows for the export copies.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

use crate::export::csv::{CsvTable, cell_position};
use crate::export::grid::Grid;
use crate::export::{Bundle, InputError, TableName, Workspace};
use crate::figures::{CallCounts, Rules, TaskCounts};
use crate::model::{Call, PoolNumber, Task};
use crate::output::{Output, Staged};
use crate::render::copies::{CopyRules, CsvCopy};
use crate::view;
use csv::StringRecord;

use super::campaign::PREVIEW_ROWS;

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

/// Receives rows while the tables are read: export copies in a build, nothing in a check.
pub(super) trait Sink {
    fn first_tasks(&self) -> usize {
        0
    }
    fn start(&mut self, _table: TableName, _headers: &[&str]) -> Result<(), InputError> {
        Ok(())
    }
    fn row<'r>(&mut self, _table: TableName, _cells: &dyn Fn(usize) -> &'r str) -> Result<(), InputError> {
        Ok(())
    }
}

pub(super) struct NoSink;
impl Sink for NoSink {}

/// Task columns in the order of SPEC 1.2.
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

/// Reads every table of a campaign once, computing the figures and feeding the sink.
pub(super) fn read_tables(bundle: &Bundle, workspace: &Workspace, sink: &mut dyn Sink) -> Result<Tables, InputError> {
    let c = bundle.campaign();
    let rules = Rules::new(c, workspace);
    let mut out = Tables::default();
    let keep = sink.first_tasks();

    // Tasks.
    let mut pass = TaskPass { seen: HashSet::new(), counts: TaskCounts::default(), keep, first: Vec::new() };
    if let Some(path) = bundle.csv.get(TableName::Tasks) {
        let mut table = CsvTable::open(path, &["task_id", "phone", "status"])?;
        let headers: Vec<String> = table.headers().iter().map(str::to_string).collect();
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        sink.start(TableName::Tasks, &header_refs)?;
        let header_record = table.headers().clone();
        table.for_each(|task: Task, record: &StringRecord, line| {
            if let Err(id) = pass.add(task, &rules) {
                return Err(InputError::field(
                    path,
                    cell_position(&header_record, line, "task_id"),
                    "task_id",
                    duplicate_message(&id),
                ));
            }
            sink.row(TableName::Tasks, &|i| record.get(i).unwrap_or(""))
        })?;
        out.tasks = Some(pass.counts);
        out.first_tasks = pass.first;
    } else if let Some(tasks) = &c.tasks {
        sink.start(TableName::Tasks, &TASK_COLUMNS)?;
        for (i, task) in tasks.iter().enumerate() {
            let cells = task_cells(task);
            if let Err(id) = pass.add(task.clone(), &rules) {
                return Err(bundle.error(&format!("tasks[{i}].task_id"), duplicate_message(&id)));
            }
            sink.row(TableName::Tasks, &|k| cells[k].as_str())?;
        }
        out.tasks = Some(pass.counts);
        out.first_tasks = pass.first;
    }

    // Calls.
    let mut calls = CallCounts::default();
    if let Some(path) = bundle.csv.get(TableName::Calls) {
        let mut table = CsvTable::open(path, &["result"])?;
        let headers: Vec<String> = table.headers().iter().map(str::to_string).collect();
        let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        sink.start(TableName::Calls, &header_refs)?;
        table.for_each(|call: Call, record: &StringRecord, _| {
            calls.add(&call, &rules);
            sink.row(TableName::Calls, &|i| record.get(i).unwrap_or(""))
        })?;
        out.calls = Some(calls);
    } else if let Some(list) = &c.calls {
        sink.start(TableName::Calls, &CALL_COLUMNS)?;
        for call in list {
            calls.add(call, &rules);
            let cells = call_cells(call);
            sink.row(TableName::Calls, &|k| cells[k].as_str())?;
        }
        out.calls = Some(calls);
    }

    // Number pool: a small table, kept whole.
    if let Some(path) = bundle.csv.get(TableName::NumberPool) {
        let mut rows = Vec::new();
        CsvTable::open(path, &["number"])?.for_each(|row: PoolNumber, _, _| {
            rows.push(row);
            Ok(())
        })?;
        out.pool = Some(rows);
    } else {
        out.pool = c.number_pool.clone();
    }

    // Audience preview and rejected upload rows: shown as they are.
    out.preview = match (bundle.csv.get(TableName::AudiencePreview), &c.audience_preview) {
        (Some(path), _) => Some(Grid::from_csv(path, &["contact_name", "phone"], PREVIEW_ROWS)?),
        (None, Some(rows)) => Some(Grid::from_inline(rows, &["contact_name", "phone"], PREVIEW_ROWS)),
        (None, None) => None,
    };
    let reject_columns = ["row", "reason", "detail"];
    out.rejects = match (bundle.csv.get(TableName::UploadRejects), c.upload.as_ref().and_then(|u| u.rejects.as_ref())) {
        (Some(path), _) => {
            let mut table = CsvTable::open(path, &["row", "reason"])?;
            let headers: Vec<String> = table.headers().iter().map(str::to_string).collect();
            let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
            sink.start(TableName::UploadRejects, &header_refs)?;
            let mut grid = Grid { columns: headers.clone(), ..Grid::default() };
            table.for_each_raw(|record, _| {
                grid.total += 1;
                if grid.rows.len() < view::REJECTS_ON_PAGE {
                    grid.rows.push(record.iter().map(str::to_string).collect());
                }
                sink.row(TableName::UploadRejects, &|i| record.get(i).unwrap_or(""))
            })?;
            Some(grid)
        }
        (None, Some(rows)) => {
            let all = Grid::from_inline(rows, &reject_columns, usize::MAX);
            let refs: Vec<&str> = all.columns.iter().map(String::as_str).collect();
            sink.start(TableName::UploadRejects, &refs)?;
            for row in &all.rows {
                sink.row(TableName::UploadRejects, &|i| row[i].as_str())?;
            }
            Some(Grid { rows: all.rows.iter().take(view::REJECTS_ON_PAGE).cloned().collect(), ..all })
        }
        (None, None) => None,
    };
    Ok(out)
}

/// Writes the export copies while the tables are read.
pub(super) struct CopySink<'a> {
    pub(super) output: &'a Output,
    pub(super) dir: String,
    pub(super) rules: CopyRules,
    pub(super) keep: usize,
    pub(super) open: Option<(TableName, CsvCopy<'a>)>,
    pub(super) staged: Vec<Staged>,
    pub(super) written: Vec<&'static str>,
}

impl CopySink<'_> {
    pub(super) fn close(&mut self) -> Result<(), InputError> {
        if let Some((table, copy)) = self.open.take() {
            let staged = copy.stage().map_err(|e| InputError::file(Path::new(&self.dir), e.to_string()))?;
            self.staged.push(staged);
            self.written.push(table.file_name());
        }
        Ok(())
    }
}

impl Sink for CopySink<'_> {
    fn first_tasks(&self) -> usize {
        self.keep
    }

    fn start(&mut self, table: TableName, headers: &[&str]) -> Result<(), InputError> {
        self.close()?;
        if table == TableName::NumberPool || table == TableName::AudiencePreview {
            return Ok(());
        }
        let rel = format!("{}/export/{}", self.dir, table.file_name());
        let file = self.output.writer(&rel).map_err(|e| InputError::file(Path::new(&rel), e.to_string()))?;
        let copy = CsvCopy::new(file, headers, self.rules, table == TableName::UploadRejects)
            .map_err(|e| InputError::file(Path::new(&rel), e.to_string()))?;
        self.open = Some((table, copy));
        Ok(())
    }

    fn row<'r>(&mut self, table: TableName, cells: &dyn Fn(usize) -> &'r str) -> Result<(), InputError> {
        if let Some((open, copy)) = &mut self.open
            && *open == table
        {
            copy.write(cells).map_err(|e| InputError::file(Path::new(&self.dir), e.to_string()))?;
        }
        Ok(())
    }
}
