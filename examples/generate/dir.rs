//! The `dir` form: one bundle folder per campaign, `OUT/batch-NNN/<id>/`, holding
//! `campaign.json` and the CSV tables (tasks, calls, number pool, upload rejects,
//! audience preview). Campaigns are written `--jobs` at a time.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use campaign_report::lifecycle::Status;

use crate::campaign::campaign_head;
use crate::line::{Line, civil_from_days};
use crate::options::Options;
use crate::plan::Plan;
use crate::rows::{CallRow, Sink, Tally, TaskRow, walk};
use crate::tables::{pool_rows, preview, rejects};
use crate::vocab::{AGENT_VERSIONS, NOTES, REJECT_REASONS};

/// Writes every campaign's bundle folder; returns the number of tasks and calls written.
pub fn write(o: &Options, names: &[String]) -> Result<(u64, u64), String> {
    let tasks = AtomicU64::new(0);
    let calls = AtomicU64::new(0);
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<String>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..o.jobs().min(o.campaigns.max(1)) {
            s.spawn(|| {
                loop {
                    let idx = next.fetch_add(1, Ordering::Relaxed);
                    if idx >= o.campaigns || failure.lock().expect("lock").is_some() {
                        break;
                    }
                    let p = Plan::new(o, idx as u64);
                    match write_bundle(o, &p, names) {
                        Ok((t, c)) => {
                            tasks.fetch_add(t, Ordering::Relaxed);
                            calls.fetch_add(c, Ordering::Relaxed);
                        }
                        Err(e) => {
                            *failure.lock().expect("lock") = Some(format!("campaign {}: {e}", p.id));
                            break;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failure.into_inner().expect("lock") {
        return Err(e);
    }
    Ok((tasks.into_inner(), calls.into_inner()))
}

/// Besides the format's columns, `crm_ref` and `notes` (tasks), `agent_version` and
/// `notes` (calls): extra columns, which the tool keeps in the export copies.
const TASKS_HEADER: &str = "task_id,contact_name,phone,status,attempts,last_result,outcome,talk_seconds,last_attempt_at,from_number,latency_ms,crm_ref,notes\n";
const CALLS_HEADER: &str =
    "call_id,task_id,from_number,to_number,started_at,result,duration_seconds,latency_ms,cost,agent_version,notes\n";

fn task_csv(l: &mut Line, p: &Plan, names: &[String], t: &TaskRow) {
    l.s("t-").pad(t.n, p.task_width).s(",").cs(&names[t.name]).s(",").s(t.phone.as_str()).s(",");
    l.s(t.status.as_str()).s(",").u(t.attempts).s(",");
    if let Some(r) = t.last_result {
        l.s(r.as_str());
    }
    l.s(",").s(t.outcome.unwrap_or("")).s(",").u(t.talk).s(",");
    if t.attempts > 0 {
        l.ts(t.last_at).s(",").s(&p.from[t.from]);
    } else {
        l.s(",");
    }
    l.s(",");
    if let Some(ms) = t.latency {
        l.u(ms);
    }
    l.s(",CRM-").u(100_000 + p.idx * 7 + t.n).s(",");
    if let Some(k) = t.note {
        l.cs(NOTES[k]);
    }
    l.s("\n");
}

fn call_csv(l: &mut Line, p: &Plan, c: &CallRow) {
    l.s("c-").pad(c.n, 7).s(",t-").pad(c.task, p.task_width).s(",").s(&p.from[c.from]).s(",");
    l.s(c.to.as_str()).s(",").ts(c.at).s(",").s(c.result.as_str()).s(",").u(c.duration).s(",");
    if let Some(ms) = c.latency {
        l.u(ms);
    }
    l.s(",").milli(c.cost_milli).s(",").s(AGENT_VERSIONS[c.agent]).s(",");
    if let Some(k) = c.note {
        l.cs(NOTES[k]);
    }
    l.s("\n");
}

/// Writes `tasks.csv` and `calls.csv` in one pass.
struct CsvSink {
    tasks: BufWriter<File>,
    calls: Option<BufWriter<File>>,
    task_line: Line,
    call_line: Line,
}

impl Sink for CsvSink {
    fn task(&mut self, p: &Plan, names: &[String], t: &TaskRow) -> io::Result<()> {
        task_csv(&mut self.task_line, p, names, t);
        if self.task_line.0.len() > 32 << 10 {
            self.task_line.flush(&mut self.tasks)?;
        }
        Ok(())
    }

    fn call(&mut self, p: &Plan, c: &CallRow) -> io::Result<()> {
        if let Some(w) = &mut self.calls {
            call_csv(&mut self.call_line, p, c);
            if self.call_line.0.len() > 32 << 10 {
                self.call_line.flush(w)?;
            }
        }
        Ok(())
    }
}

impl CsvSink {
    fn finish(mut self) -> io::Result<()> {
        self.task_line.flush(&mut self.tasks)?;
        self.tasks.flush()?;
        if let Some(mut w) = self.calls {
            self.call_line.flush(&mut w)?;
            w.flush()?;
        }
        Ok(())
    }
}

/// Writes one bundle folder: `campaign.json` and its CSV tables.
fn write_bundle(o: &Options, p: &Plan, names: &[String]) -> io::Result<(u64, u64)> {
    let dir = o.out.join(format!("batch-{:03}", p.idx / 100)).join(&p.id);
    fs::create_dir_all(&dir)?;
    let (counts, attempted) = p.census();
    let mut tally = Tally { pool: vec![(0, 0); p.from.len()], calls: 0 };
    if p.tasks > 0 {
        let mut tasks = BufWriter::with_capacity(1 << 20, File::create(dir.join("tasks.csv"))?);
        tasks.write_all(TASKS_HEADER.as_bytes())?;
        let calls = if p.calls_wanted > 0 && attempted > 0 {
            let mut w = BufWriter::with_capacity(1 << 20, File::create(dir.join("calls.csv"))?);
            w.write_all(CALLS_HEADER.as_bytes())?;
            Some(w)
        } else {
            None
        };
        let mut sink = CsvSink { tasks, calls, task_line: Line::new(), call_line: Line::new() };
        tally = walk(p, names, attempted, &mut sink)?;
        sink.finish()?;
    }
    let mut l = Line::new();
    if tally.calls > 0 {
        l.s("number,attempts,answered,flagged,label\n");
        for (n, a, ans, flagged, label) in pool_rows(p, &tally) {
            l.s(n).s(",").u(a).s(",").u(ans).s(",").s(if flagged { "true" } else { "false" }).s(",").cs(label).s("\n");
        }
        fs::write(dir.join("number_pool.csv"), &l.0)?;
        l.clear();
    }
    if p.upload_rejects.is_some() {
        l.s("row,reason,detail,contact_name,phone,source\n");
        let mut phone = String::new();
        for x in rejects(p, names) {
            let (reason, detail) = REJECT_REASONS[x.reason];
            x.phone_text(&mut phone);
            l.u(x.row).s(",").s(reason).s(",").cs(detail).s(",").cs(&names[x.name]).s(",").s(&phone);
            l.s(",crm-export\n");
        }
        fs::write(dir.join("upload_rejects.csv"), &l.0)?;
        l.clear();
    }
    if p.status == Status::Draft {
        l.s("contact_name,phone,last_visit,clinic\n");
        for (name, phone, visit, clinic) in preview(p, o.now) {
            let (y, m, d) = civil_from_days(visit.div_euclid(86_400));
            l.cs(&names[name]).s(",").s(phone.as_str()).s(",").pad(y as u64, 4).s("-").pad(m, 2).s("-").pad(d, 2);
            l.s(",").s(clinic).s("\n");
        }
        fs::write(dir.join("audience_preview.csv"), &l.0)?;
        l.clear();
    }
    campaign_head(&mut l, o, p, &counts, names, false, true);
    l.s("\n}\n");
    fs::write(dir.join("campaign.json"), &l.0)?;
    Ok((p.tasks, tally.calls))
}
