#!/usr/bin/env node
// Validates JSON values against a JSON Schema (draft 2020-12) with Ajv, in strict
// mode, so a schema that uses a keyword or format wrongly fails instead of being
// half applied.
//
//   node tools/validate-json.js SCHEMA.json < values.jsonl
//
// Reads one JSON value per line of standard input and writes one line per input
// line: `valid`, or `invalid` and the errors as JSON after a tab. Exits 2 when the
// schema does not compile or a line is not JSON.
"use strict";

const fs = require("fs");
const Ajv2020 = require("ajv/dist/2020").default;

const [schemaPath] = process.argv.slice(2);
if (!schemaPath) {
  console.error("usage: node tools/validate-json.js SCHEMA.json < values.jsonl");
  process.exit(2);
}

const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
// schemars marks whole numbers with the Rust type; the schema states their bounds
// with minimum and maximum, so these formats hold nothing more.
const wholeNumber = (max) => ({ type: "number", validate: (n) => Number.isInteger(n) && n >= 0 && n <= max });
ajv.addFormat("uint32", wholeNumber(4294967295));
ajv.addFormat("uint64", wholeNumber(18446744073709551615));

let validate;
try {
  validate = ajv.compile(JSON.parse(fs.readFileSync(schemaPath, "utf8")));
} catch (e) {
  console.error(`validate-json: the schema does not compile: ${e.message}`);
  process.exit(2);
}

const lines = fs.readFileSync(0, "utf8").split("\n");
if (lines[lines.length - 1] === "") lines.pop();
const out = [];
for (const [i, line] of lines.entries()) {
  let value;
  try {
    value = JSON.parse(line);
  } catch (e) {
    console.error(`validate-json: line ${i + 1} is not JSON: ${e.message}`);
    process.exit(2);
  }
  out.push(validate(value) ? "valid" : `invalid\t${JSON.stringify(validate.errors)}`);
}
process.stdout.write(out.map((l) => `${l}\n`).join(""));
