//! Writes the numbering plans' formats into the build (`numbering.rs` in `OUT_DIR`),
//! as the `phonenumber` crate's metadata has them.
//!
//! Loading that metadata at run time parses and checks every pattern of every plan:
//! about 90 ms of CPU in each run, during which the first pages waited for it. With the
//! formats in the binary, a run compiles only the patterns of the plans its numbers
//! use, when it first meets one (docs/performance.md, "Phone numbers").

use std::fmt::Write;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let mut out = String::from("&[\n");
    for code in 1..1000u16 {
        // The formatter reads a country code's first plan, as the crate's formatter does.
        let Some(meta) = phonenumber::metadata::DATABASE.by_code(&code).and_then(|m| m.into_iter().next()) else {
            continue;
        };
        let formats =
            if meta.international_formats().is_empty() { meta.formats() } else { meta.international_formats() };
        write!(out, "    Numbering {{ code: {code}, formats: &[").unwrap();
        for f in formats {
            let leading = f.leading_digits().last().map(|l| l.as_str());
            write!(
                out,
                "\n        Format {{ pattern: {:?}, format: {:?}, leading: {:?} }},",
                f.pattern().as_str(),
                f.format(),
                leading
            )
            .unwrap();
        }
        out.push_str("\n    ] },\n");
    }
    out.push_str("]\n");
    let dir = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(std::path::Path::new(&dir).join("numbering.rs"), out).expect("OUT_DIR is writable");
}
