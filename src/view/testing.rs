//! A campaign and everything the view reads of it, built in a line, for the view's
//! unit tests.

use serde_json::{Value, json};

use super::{ViewInput, ViewOptions};
use crate::export::grid::Grid;
use crate::figures::{CallCounts, Figures, Rules, TaskCounts};
use crate::lifecycle::Status;
use crate::model::{Campaign, Task, Workspace};

/// An owned campaign with its figures; [`Fixture::input`] lends it to the view.
pub struct Fixture {
    json: Value,
    pub campaign: Campaign,
    pub status: Status,
    pub figures: Figures,
    pub workspace: Workspace,
    pub options: ViewOptions,
    pub first_tasks: Vec<Task>,
    pub preview: Option<Grid>,
    pub rejects: Option<Grid>,
    pub exports: Vec<&'static str>,
}

impl Fixture {
    /// A campaign in `status` with nothing but its id, name, tenant and export time
    /// (the snapshot time, so its data is current).
    pub fn new(status: &str) -> Fixture {
        let json = json!({
            "id": "c1",
            "name": "Spring recall",
            "tenant": {"id": "acme", "name": "Acme"},
            "status": status,
            "exported_at": "2026-11-27T12:00:00Z"
        });
        let options = ViewOptions {
            now: "2026-11-27T12:00:00Z".parse().unwrap(),
            show_latency: false,
            redact: false,
            refresh_seconds: 60,
            pdf_max_tasks: 200,
            tasks_per_page: super::TASKS_PER_PAGE,
            overview_tasks: super::OVERVIEW_TASKS,
            tasks_tab: true,
            print: false,
        };
        let campaign: Campaign = serde_json::from_value(json.clone()).unwrap();
        let mut f = Fixture {
            campaign: campaign.clone(),
            json,
            status: Status::Draft,
            figures: Figures::finish(&campaign, &Workspace::default(), None, None, None, options.now),
            workspace: Workspace::default(),
            options,
            first_tasks: Vec::new(),
            preview: None,
            rejects: None,
            exports: vec!["campaign.json"],
        };
        f.rebuild();
        f
    }

    pub fn draft() -> Fixture {
        Fixture::new("draft")
    }

    pub fn running() -> Fixture {
        Fixture::new("running")
    }

    pub fn ended() -> Fixture {
        Fixture::new("completed")
    }

    /// Sets top-level fields of the campaign object.
    pub fn with(mut self, fields: Value) -> Fixture {
        let object = self.json.as_object_mut().unwrap();
        for (k, v) in fields.as_object().unwrap() {
            object.insert(k.clone(), v.clone());
        }
        self.rebuild();
        self
    }

    /// `n` completed tasks, `t1`…, each dialled once without an answer from +14155550199.
    pub fn tasks(self, n: usize) -> Fixture {
        let tasks: Vec<Value> = (1..=n)
            .map(|i| {
                json!({
                    "task_id": format!("t{i}"),
                    "contact_name": format!("Contact {i}"),
                    "phone": format!("+1415555{:04}", 99 + i),
                    "status": "completed",
                    "attempts": 1,
                    "last_result": "no_answer",
                    "from_number": "+14155550199",
                    "latency_ms": 900
                })
            })
            .collect();
        self.with(json!({ "tasks": tasks }))
    }

    /// Contacts masked, as `--redact contacts` does.
    pub fn redacted(mut self) -> Fixture {
        self.options.redact = true;
        self
    }

    /// A role that may see restricted metrics.
    pub fn admin(mut self) -> Fixture {
        self.options.show_latency = true;
        self
    }

    /// Workspace settings, as `workspace.json` gives them.
    pub fn workspace(mut self, settings: Value) -> Fixture {
        self.workspace = serde_json::from_value(settings).unwrap();
        self.rebuild();
        self
    }

    fn rebuild(&mut self) {
        self.campaign = serde_json::from_value(self.json.clone()).unwrap();
        self.status = Status::parse(&self.campaign.status, &self.workspace.terminal_statuses).unwrap();
        let rules = Rules::new(&self.campaign, &self.workspace);
        let tasks = self.campaign.tasks.as_ref().map(|tasks| {
            let mut counts = TaskCounts::default();
            tasks.iter().for_each(|t| counts.add(t, &rules));
            counts
        });
        let calls = self.campaign.calls.as_ref().map(|calls| {
            let mut counts = CallCounts::default();
            calls.iter().for_each(|c| counts.add(&c.as_row(), &rules));
            counts
        });
        self.first_tasks = self.campaign.tasks.clone().unwrap_or_default();
        self.figures = Figures::finish(
            &self.campaign,
            &self.workspace,
            tasks,
            calls,
            self.campaign.number_pool.as_deref(),
            self.options.now,
        );
    }

    /// What the view reads.
    pub fn input(&self) -> ViewInput<'_> {
        ViewInput {
            campaign: &self.campaign,
            status: &self.status,
            figures: &self.figures,
            workspace: &self.workspace,
            options: &self.options,
            first_tasks: &self.first_tasks,
            preview: self.preview.as_ref(),
            rejects: self.rejects.as_ref(),
            exports: &self.exports,
        }
    }
}
