//! The `json` and `jsonl` forms: every campaign in one file with its tables inline,
//! `OUT/campaigns.json` (`{"campaigns": [...]}`, indented) or `OUT/campaigns.jsonl`
//! (one campaign per line). The two differ only in separators and line breaks.

use std::fs::File;
use std::io::{self, BufWriter, Write};

use crate::campaign::campaign_head;
use crate::line::Line;
use crate::options::{Form, Options};
use crate::plan::Plan;
use crate::rows::{CallRow, Sink, Tally, TaskRow, walk};
use crate::tables::pool_rows;
use crate::vocab::{AGENT_VERSIONS, NOTES};

/// Writes the campaigns file of the form; returns the number of tasks and calls written.
pub fn write(o: &Options, names: &[String]) -> Result<(u64, u64), String> {
    let pretty = o.form == Form::Json;
    let path = o.out.join(if pretty { "campaigns.json" } else { "campaigns.jsonl" });
    let file = File::create(&path).map_err(|e| crate::path_error("cannot create", &path, e))?;
    let mut w = BufWriter::with_capacity(1 << 20, file);
    write_all(&mut w, o, names, pretty).map_err(|e| crate::path_error("cannot write", &path, e))
}

fn write_all(w: &mut impl Write, o: &Options, names: &[String], pretty: bool) -> io::Result<(u64, u64)> {
    let (mut tasks, mut calls) = (0, 0);
    if pretty {
        w.write_all(b"{\"campaigns\": [\n")?;
    }
    for idx in 0..o.campaigns {
        if pretty && idx > 0 {
            w.write_all(b",\n")?;
        }
        let p = Plan::new(o, idx as u64);
        let (t, c) = write_inline(w, o, &p, names, pretty)?;
        tasks += t;
        calls += c;
        if !pretty {
            w.write_all(b"\n")?;
        }
    }
    if pretty {
        w.write_all(b"\n]}\n")?;
    }
    w.flush()?;
    Ok((tasks, calls))
}

fn task_json(l: &mut Line, p: &Plan, names: &[String], t: &TaskRow) {
    l.s("{\"task_id\":\"t-").pad(t.n, p.task_width).s("\",\"contact_name\":").js(&names[t.name]);
    l.s(",\"phone\":\"").s(t.phone.as_str()).s("\",\"status\":\"").s(t.status.as_str());
    l.s("\",\"attempts\":").u(t.attempts);
    if let Some(r) = t.last_result {
        l.s(",\"last_result\":\"").s(r.as_str()).s("\"");
    }
    if let Some(o) = t.outcome {
        l.s(",\"outcome\":\"").s(o).s("\"");
    }
    l.s(",\"talk_seconds\":").u(t.talk);
    if t.attempts > 0 {
        l.s(",\"last_attempt_at\":\"").ts(t.last_at).s("\",\"from_number\":\"").s(&p.from[t.from]).s("\"");
    }
    if let Some(ms) = t.latency {
        l.s(",\"latency_ms\":").u(ms);
    }
    l.s(",\"crm_ref\":\"CRM-").u(100_000 + p.idx * 7 + t.n).s("\"");
    if let Some(k) = t.note {
        l.s(",\"notes\":").js(NOTES[k]);
    }
    l.s("}");
}

fn call_json(l: &mut Line, p: &Plan, c: &CallRow) {
    l.s("{\"call_id\":\"c-").pad(c.n, 7).s("\",\"task_id\":\"t-").pad(c.task, p.task_width);
    l.s("\",\"from_number\":\"").s(&p.from[c.from]).s("\",\"to_number\":\"").s(c.to.as_str());
    l.s("\",\"started_at\":\"").ts(c.at).s("\",\"result\":\"").s(c.result.as_str());
    l.s("\",\"duration_seconds\":").u(c.duration);
    if let Some(ms) = c.latency {
        l.s(",\"latency_ms\":").u(ms);
    }
    l.s(",\"cost\":\"").milli(c.cost_milli).s("\",\"agent_version\":\"").s(AGENT_VERSIONS[c.agent]).s("\"");
    if let Some(k) = c.note {
        l.s(",\"notes\":").js(NOTES[k]);
    }
    l.s("}");
}

/// Writes one table inline, as a JSON array: tasks or calls.
struct JsonSink<'a, W: Write> {
    w: &'a mut W,
    line: Line,
    tasks: bool,
    first: bool,
    row_sep: &'static str,
}

impl<W: Write> JsonSink<'_, W> {
    fn sep(&mut self) {
        if !self.first {
            self.line.s(",");
        }
        self.first = false;
        self.line.s(self.row_sep);
    }
}

impl<W: Write> Sink for JsonSink<'_, W> {
    fn task(&mut self, p: &Plan, names: &[String], t: &TaskRow) -> io::Result<()> {
        if self.tasks {
            self.sep();
            task_json(&mut self.line, p, names, t);
            if self.line.0.len() > 32 << 10 {
                self.line.flush(self.w)?;
            }
        }
        Ok(())
    }

    fn call(&mut self, p: &Plan, c: &CallRow) -> io::Result<()> {
        if !self.tasks {
            self.sep();
            call_json(&mut self.line, p, c);
            if self.line.0.len() > 32 << 10 {
                self.line.flush(self.w)?;
            }
        }
        Ok(())
    }
}

/// Writes one campaign object with its tables inline (one line when `pretty` is false).
fn write_inline(w: &mut impl Write, o: &Options, p: &Plan, names: &[String], pretty: bool) -> io::Result<(u64, u64)> {
    let (counts, attempted) = p.census();
    let mut l = Line::new();
    campaign_head(&mut l, o, p, &counts, names, true, pretty);
    let (sep, row_sep, close) = if pretty { (",\n  ", "\n    ", "\n  ]") } else { (",", "", "]") };
    let mut tally = Tally { pool: vec![(0, 0); p.from.len()], calls: 0 };
    if p.tasks > 0 {
        l.s(sep).s("\"tasks\":[");
        let mut sink = JsonSink { w: &mut *w, line: l, tasks: true, first: true, row_sep };
        tally = walk(p, names, attempted, &mut sink)?;
        l = sink.line;
        l.s(close);
        if tally.calls > 0 {
            l.s(sep).s("\"calls\":[");
            let mut sink = JsonSink { w: &mut *w, line: l, tasks: false, first: true, row_sep };
            walk(p, names, attempted, &mut sink)?;
            l = sink.line;
            l.s(close);
        }
    }
    if tally.calls > 0 {
        l.s(sep).s("\"number_pool\":[");
        for (k, (n, a, ans, flagged, label)) in pool_rows(p, &tally).enumerate() {
            l.s(if k > 0 { "," } else { "" }).s("{\"number\":").js(n).s(",\"attempts\":").u(a);
            l.s(",\"answered\":").u(ans).s(",\"flagged\":").s(if flagged { "true" } else { "false" });
            l.s(",\"label\":").js(label).s("}");
        }
        l.s("]");
    }
    l.s(if pretty { "\n}" } else { "}" });
    l.flush(w)?;
    Ok((p.tasks, tally.calls))
}
