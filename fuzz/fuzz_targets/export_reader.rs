//! Feeds arbitrary bytes to the export reader: as a `.json` file, as a `.jsonl`
//! file, and as a `tasks.csv` table. Any panic is a bug; errors are expected.
#![no_main]

use std::io::Write;
use std::path::Path;

use campaign_report::export::csv::CsvTable;
use campaign_report::export::json::{read_json_file, read_json_lines};
use campaign_report::model::Task;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = Path::new("fuzz-input.json");
    let _ = read_json_file(path, data);
    let _ = read_json_lines(path, data);

    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(data).expect("write");
    if let Ok(mut table) = CsvTable::open(file.path(), &["task_id", "phone", "status"]) {
        let _ = table.for_each(|_task: Task, _, _| Ok(()));
    }
});
