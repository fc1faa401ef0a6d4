"""Validates PDF/A files with pikepdf's allowlist validator (pikepdf[pdfa]).

Usage: validate-pdfa.py FLAVOUR PDF...   (FLAVOUR is 2b or 3b)

Prints one line per file: its path, a tab, and "pass", or the verdict and every
finding separated by " | ". Exits 0 when the files could be read, whatever the
verdicts; the test suite reads the lines.
"""

import sys

import pikepdf
import pikepdf.pdfa

flavour = sys.argv[1]
for path in sys.argv[2:]:
    report = pikepdf.pdfa.validate_written(path, flavour)
    if report.passed:
        print(f"{path}\tpass")
    else:
        findings = " | ".join(str(f) for f in report.findings)
        print(f"{path}\t{report.verdict}\t{findings}")
sys.stdout.flush()
print(f"pikepdf {pikepdf.__version__}", file=sys.stderr)
