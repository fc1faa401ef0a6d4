//! Tables shown as they are (audience preview, rejected upload rows): strings in
//! columns, the first rows kept and the rest only counted.

use std::collections::BTreeMap;
use std::path::Path;

use super::InputError;
use super::csv::CsvTable;

/// A table of strings: its columns, its first rows and how many rows it has.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total: u64,
}

impl Grid {
    /// Reads a CSV table, keeping `limit` rows; `leading` columns come first.
    pub fn from_csv(path: &Path, leading: &[&str], limit: usize) -> Result<Grid, InputError> {
        let mut table = CsvTable::open(path, &[])?;
        let headers: Vec<String> = table.headers().iter().map(str::to_string).collect();
        let order = column_order(&headers, leading);
        let mut grid = Grid { columns: order.iter().map(|&i| headers[i].clone()).collect(), ..Grid::default() };
        table.for_each_raw(|record, _| {
            grid.total += 1;
            if grid.rows.len() < limit {
                grid.rows.push(order.iter().map(|&i| record.get(i).unwrap_or("").to_string()).collect());
            }
            Ok(())
        })?;
        Ok(grid)
    }

    /// Reads inline rows (objects), keeping `limit` rows; `leading` columns come first.
    pub fn from_inline(rows: &[BTreeMap<String, serde_json::Value>], leading: &[&str], limit: usize) -> Grid {
        let mut names: Vec<String> = leading.iter().map(|s| s.to_string()).collect();
        for row in rows {
            for key in row.keys() {
                if !names.contains(key) {
                    names.push(key.clone());
                }
            }
        }
        let rows_out = rows
            .iter()
            .take(limit)
            .map(|row| names.iter().map(|n| row.get(n).map(cell).unwrap_or_default()).collect())
            .collect();
        Grid { columns: names, rows: rows_out, total: rows.len() as u64 }
    }
}

/// A JSON value as a table cell.
pub fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn column_order(headers: &[String], leading: &[&str]) -> Vec<usize> {
    let mut order: Vec<usize> = leading.iter().filter_map(|l| headers.iter().position(|h| h == l)).collect();
    let rest: Vec<usize> = (0..headers.len()).filter(|i| !order.contains(i)).collect();
    order.extend(rest);
    order
}
