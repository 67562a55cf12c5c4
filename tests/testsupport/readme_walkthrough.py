"""The README's shell examples as one script (issue 12, item 1): every ```sh block of README.md, in
order, except one preceded by a ``<!-- not run … -->`` line, run by bash against a running platform.

Only what the README itself sets is used. The script runs in a directory that looks like the
project's (``.venv``, ``deploy`` and ``.vbp-data`` of the platform under test), with the gateway's
address put in place of the README's ``http://127.0.0.1:8000``. ``curl`` is wrapped so that a
4xx/5xx answer stops the script (``--fail-with-body``, which prints the problem), and so that each
call first waits for what the platform reports — every relay's backlog and every consumer's lag 0
— as a reader pasting block by block gives the events their moment.

    python tests/readme_walkthrough.py http://127.0.0.1:8600 /path/to/dir   # by hand
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from testsupport import ROOT

README = ROOT / "README.md"
README_URL = "http://127.0.0.1:8000"
# every relay's backlog 0 and every consumer's lag 0 — a lag of null (still joining its group)
# is not 0: a fresh platform's consumers take a few seconds to be assigned their partitions
SETTLED = ('.status == "ok" and all(.services[]; (.relay.backlog // 0) == 0 '
           'and ((has("consumer") | not) or .consumer.lag == 0))')
PRELUDE = r"""set -euo pipefail
PS4='+ '
settle() {
  [ -n "${ADMIN_KEY:-}" ] || return 0
  for _ in $(seq 1200); do
    command curl -s "__URL__/health" -H "X-API-Key: $ADMIN_KEY" | jq -e '__SETTLED__' >/dev/null && return 0
    sleep 0.1
  done
  echo "the platform did not settle in 120 s" >&2; return 1
}
curl() {  # a 4xx/5xx stops the script, its problem shown on stderr
  settle
  case " $* " in *" -o "*) command curl --silent --show-error --fail-with-body "$@"; return;; esac
  local body status
  body=$(mktemp)
  status=$(command curl --silent --show-error --output "$body" --write-out '%{http_code}' "$@")
  cat "$body"; echo
  if [ "$status" -ge 400 ]; then echo "HTTP $status from curl $*" >&2; cat "$body" >&2; echo >&2; return 22; fi
}
"""
# the ids and keys a reader takes from the answers, reported at the end so the test can check
# that each was really read (a jq of a missing field gives "null", which a later call may accept)
CAPTURED = ("ADMIN_KEY", "EXCHANGE_KEY", "INSURER_KEY", "HIS_KEY", "MANUFACTURER_KEY", "DISTRIBUTOR_KEY",
            "PRODUCT", "OTHER", "AGREEMENT", "ORDER", "DELIVERY", "INVOICE", "PAYMENT", "SECOND", "PLAN",
            "DISBURSEMENT", "ALERT", "BREACH", "FILES")


def blocks(text: str) -> list[tuple[int, str]]:
    """(line number, code) of each ```sh block that is run."""
    found, lines = [], text.splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() in ("```sh", "```bash"):
            previous = next((lines[j] for j in range(index - 1, -1, -1) if lines[j].strip()), "")
            end = next(j for j in range(index + 1, len(lines)) if lines[j].strip() == "```")
            if not re.match(r"<!--\s*not run", previous.strip()):
                found.append((index + 2, "\n".join(lines[index + 1:end])))
            index = end
        index += 1
    return found


def script(url: str, text: str | None = None) -> str:
    text = README.read_text(encoding="utf-8") if text is None else text
    parts = [PRELUDE.replace("__URL__", url).replace("__SETTLED__", SETTLED)]
    for line, code in blocks(text):
        parts.append(f": README.md line {line}\n" + code.replace(README_URL, url))
    report = " ".join(f'\\"{name}\\": \\"${{{name}:-}}\\",' for name in CAPTURED).rstrip(",")
    parts.append(f'echo "CAPTURED {{{report}}}"')
    return "\n".join(parts) + "\n"


def run(url: str, directory: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", script(url)], cwd=directory, capture_output=True, text=True,
                          timeout=timeout, env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
                                                "HOME": str(directory)})


if __name__ == "__main__":
    done = run(sys.argv[1], Path(sys.argv[2]))
    print(done.stdout)
    print(done.stderr[-6000:], file=sys.stderr)
    sys.exit(done.returncode)
