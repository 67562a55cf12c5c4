"""DESIGN §7 "no loss" under SIGKILL, end to end: a short run of ``bench/chaos.py`` — mixed writes
through the gateway while the broker, a service, monitoring's consumer and PostgreSQL are each
killed once and brought back — must end with every acknowledged write stored once, every read
model equal to its source, every inbox equal to the outboxes and the ledger reconciled.

The benchmark itself runs 100,000 operations (figures in bench/RESULTS.md); this keeps its checks
and the platform's recovery honest on every CI run. Nothing here is timed."""

import re
import subprocess
import sys

from testsupport import ROOT

# our own errors (a service's "unhandled error on …", a failed commit; the gateway logs them bare)
# and the exception that ends each one's traceback — not the broker client's reconnection noise
OURS = re.compile(r"unhandled error on|commit failed on|^\S+ \S+ ERROR vbp")
EXCEPTION = re.compile(r"^[\w.]+(Error|Exception)\b")


def our_errors(stderr: str) -> str:
    found, lines = [], stderr.splitlines()
    for i, line in enumerate(lines):
        if OURS.search(line):
            after = lines[i + 1:i + 120]
            end = next((n for n, text in enumerate(after) if text and not text[0].isspace()
                        and not text.startswith(("Traceback", "The above", "During handling"))
                        and not EXCEPTION.match(text)), len(after))
            found += [line] + [text for text in after[:end] if EXCEPTION.match(text)][-1:]
    return "\n".join(found)[-4000:]


def test_a_short_chaos_run_loses_nothing_and_doubles_nothing():
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "chaos.py"), "--operations", "600", "--workers", "12", "--seed", "7",
         "--down", "1", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    report = run.stdout
    assert run.returncode == 0, report[-6000:] + "\n\nthe platform's errors:\n" + our_errors(run.stderr)
    schedule = report[report.index("kill schedule"):]
    for victim in ("SIGKILL broker", "SIGKILL monitoring's consumer", "SIGKILL PostgreSQL"):
        assert victim in schedule, schedule
    assert "SIGKILL contracts" in schedule or "SIGKILL settlement" in schedule, schedule
    assert "lost 0, doubled 0" in report and report.rstrip().endswith("lost 0, doubled 0, ledgers balanced")
