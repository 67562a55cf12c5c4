"""``vbp``: the files ops and the exchange really move, from the command line (issue 12, item 3).

    vbp keys issue --role exchange --tenant CQ-EXCHANGE --label 重庆药品交易所
    vbp keys list [--role hospital] [--tenant H500101001]
    vbp keys revoke KEY_ID
    vbp upload listings winning-products.xlsx --batch GJ-GMZJ-2023
    vbp upload institutions hospitals.csv
    vbp upload orders month-end.csv --key $HIS_KEY     # one row per order line
    vbp upload his-3503 purchases-2026-11.xlsx --key $HIS_KEY   # national 进销存 rows (MON-11)
    vbp download report --month 2026-10 [--region 500103] -o report.xlsx

``--url`` (``VBP_URL``, default http://127.0.0.1:8000) and ``--key`` (``VBP_API_KEY``) name the
gateway and the caller. An upload reads a ``.csv`` (UTF-8 or GB18030) or ``.xlsx`` whose first
row names the API's fields (a HIS's national rows, ``his-3501`` … ``his-3507``: the national
field names, or a ``.json`` export as the HIS sends it — a list, ``{"purcinfo": [...]}`` or the
national envelope), sends it in calls of at most 10,000 rows with a progress bar, and
gives each call an ``Idempotency-Key`` made of the file's SHA-256 and the call's number: run it
again after an interruption and the calls already made answer as before (DESIGN §5) while the
rest are sent, so nothing is stored twice (stderr says how many calls were answered so). A call
refused whole for some of its rows is sent again without them. Rows the platform refused are
written to ``<file>.errors.csv`` — the input's columns plus ``error`` — ready to correct and
upload again.

A mistake is one line on stderr saying what to do, never a traceback, and its own exit status
(issue 23, item 5): 1 the platform refused the call (its status and words), 2 some rows were
refused (written to the errors file), 3 a file that cannot be read, 4 a platform that cannot be
reached, 64 a usage error (a bad or missing option, no API key).
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import httpx
import typer
from typer.exceptions import TyperException
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from vbpkit.web.bulk_rows import MAX_BULK_ROWS

from vbptools.mistakes import REFUSED, UNREACHABLE, UNREADABLE, USAGE, Stop
from vbptools.tables import read_table

app = typer.Typer(help="The VBP platform's files from the command line: keys, uploads, downloads.",
                  no_args_is_help=True)
keys = typer.Typer(help="Issue, list and revoke API keys (admin).", no_args_is_help=True)
download = typer.Typer(help="Download the bureau's workbooks.", no_args_is_help=True)
app.add_typer(keys, name="keys")
app.add_typer(download, name="download")
console = Console(stderr=True)

UPLOADS = {  # kind → (path, needs a batch)
    "listings": ("/catalog/batches/{batch}/products", True),
    "institutions": ("/catalog/institutions", False),
    "companies": ("/catalog/companies", False),
    "agreed-volumes": ("/contracts/agreed-volumes", False),
    "fund-payables": ("/settlement/fund-payables", False),
    "non-winning-purchases": ("/monitoring/non-winning-purchases", False),
    "orders": ("/contracts/orders/bulk", False),
    # MON-11: a HIS's rows of the national 进销存 interfaces, in their national field names
    **{f"his-{infno}": (f"/monitoring/his/{infno}", False) for infno in ("3501", "3502", "3503", "3504", "3505",
                                                                         "3506", "3507")},
}
ORDER_FIELDS = ("his_order_no",)  # an orders file has one row per line; these cells name its order
TOTALS = ("created", "updated", "unchanged", "existing", "stored", "posted")  # what answers count

Url = Annotated[str, typer.Option(envvar="VBP_URL", help="the gateway")]
Key = Annotated[str, typer.Option(envvar="VBP_API_KEY", help="your API key")]


def client(url: str, key: str) -> httpx.Client:
    if not key:
        raise Stop("no API key: pass --key KEY or set VBP_API_KEY", USAGE)
    return httpx.Client(base_url=url, headers={"X-API-Key": key}, timeout=300)


def answer(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            body = response.json()
            detail = body.get("detail") or body.get("title")
            # the detail of a 422 already names its first errors: each is printed once
            errors = "; ".join(text for e in body.get("errors", [])[:5]
                               if (text := f"{e['field']}: {e['reason']}") not in (detail or ""))
        except ValueError:
            detail, errors = response.text[:300], ""
        if response.status_code == 401:
            errors = (errors + "; " if errors else "") + "pass --key KEY or set VBP_API_KEY"
        # the platform's words are text, not markup: ``lines[line_no=1]`` must reach the user whole
        console.print(f"[red]{response.status_code}[/red] " + escape(f"{detail}" + (f" ({errors})" if errors else "")))
        raise typer.Exit(1)
    return response.json() if response.headers.get("content-type", "").startswith("application/json") else None


REGISTERED = {"hospital": ("/catalog/institutions/{tenant}", "institution"),
              "company": ("/catalog/companies/{tenant}", "company")}


@keys.command("issue")
def issue_key(role: Annotated[str, typer.Option()], label: Annotated[str, typer.Option()], url: Url = "http://127.0.0.1:8000",
              key: Key = "", tenant: Annotated[Optional[str], typer.Option()] = None,
              force: Annotated[bool, typer.Option(help="issue it for a tenant not registered yet")] = False) -> None:
    """Issue a key; it is printed once, on standard output. A hospital's or a company's key is
    refused for a tenant the catalog has not registered, unless ``--force``."""
    with client(url, key) as http:
        if tenant and role in REGISTERED and not force:
            path, what = REGISTERED[role]
            if http.get(path.format(tenant=tenant)).status_code == 404:
                raise Stop(f"{tenant} is not a registered {what}: register it first, or pass --force to issue "
                           "the key anyway", REFUSED)
        issued = answer(http.post("/admin/api-keys", json={"role": role, "tenant": tenant, "label": label}))
    console.print(f"key {issued['key_id']} for {role} {tenant or ''}: shown only now")
    print(issued["api_key"])


@keys.command("list")
def list_keys(url: Url = "http://127.0.0.1:8000", key: Key = "",
              role: Annotated[Optional[str], typer.Option()] = None,
              tenant: Annotated[Optional[str], typer.Option()] = None) -> None:
    """Every key (never its secret), a line each: key id, role, tenant, label."""
    cursor = None
    with client(url, key) as http:
        while True:
            params = {k: v for k, v in {"role": role, "tenant": tenant, "cursor": cursor, "limit": 500}.items() if v}
            page = answer(http.get("/admin/api-keys", params=params))
            for item in page["items"]:
                print("\t".join(str(item.get(f) or "") for f in ("key_id", "role", "tenant", "label")))
            cursor = page["next_cursor"]
            if cursor is None:
                return


@keys.command("revoke")
def revoke_key(key_id: str, url: Url = "http://127.0.0.1:8000", key: Key = "") -> None:
    """Revoke a key: it stops working at once."""
    with client(url, key) as http:
        answer(http.delete(f"/admin/api-keys/{key_id}"))
    console.print(f"key {key_id} revoked")


@app.command()
def upload(kind: Annotated[str, typer.Argument(help=", ".join(UPLOADS))], file: Path,
           url: Url = "http://127.0.0.1:8000", key: Key = "",
           batch: Annotated[Optional[str], typer.Option(help="the batch, for listings")] = None) -> None:
    """Upload a file of any length in calls of at most 10,000 rows; resumable, never doubled."""
    if kind not in UPLOADS:
        raise typer.BadParameter(f"{kind!r}: one of {', '.join(UPLOADS)}")
    path, needs_batch = UPLOADS[kind]
    if needs_batch and not batch:
        raise typer.BadParameter("--batch is needed for listings")
    header, rows = read_table(file)
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:24]
    totals: dict[str, int] = {}
    failed: dict[int, str] = {}
    calls = replayed = 0
    with client(url, key) as http, Progress(console=console) as progress:
        task = progress.add_task(escape(f"{kind} ← {file.name}"), total=len(rows))
        for number, (indexes, body) in enumerate(upload_calls(kind, rows)):
            sent = sum(len(i) for i in indexes)
            response, indexes = _send(http, path.format(batch=batch), body, indexes,
                                      f"vbp-{kind}-{digest}-{number}", failed)
            calls += 1
            if response is not None:
                result = answer(response)  # a refusal of the whole call: say why and stop
                replayed += response.headers.get("idempotent-replayed") == "true"
                for name in TOTALS:
                    if name in result:
                        totals[name] = totals.get(name, 0) + result[name]
                for position, why in _answer_errors(result).items():
                    for index in indexes[position]:  # a refused order refuses each of its lines
                        failed.setdefault(index, why)
            progress.advance(task, sent)
    counted = ", ".join(f"{n} {name}" for name, n in totals.items())
    console.print(f"{len(rows)} rows: {counted + ', ' if counted else ''}{len(failed)} refused")
    if replayed:  # the counts above are those first answers', not this run's doing
        console.print(f"{replayed} of {calls} calls answered as before from their Idempotency-Keys: "
                      "nothing stored twice")
    if failed:
        errors_file = file.with_name(file.name + ".errors.csv")
        with errors_file.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow([*header, "error"])
            for index in sorted(failed):
                row = rows[index]
                writer.writerow([";".join(v) if isinstance(v := row.get(h, ""), list) else v for h in header]
                                + [failed[index]])
        console.print(f"the refused rows, with why, are in {escape(str(errors_file))}", soft_wrap=True)
        raise typer.Exit(2)


def upload_calls(kind: str, rows: list[dict[str, Any]]):
    """Each call's body and, per row (or order) of the body, the file rows it came from: rows in
    calls of at most 10,000; an orders file's lines grouped into orders by ``his_order_no``, whole
    orders in calls of at most 10,000 lines."""
    if kind != "orders":
        for start in range(0, len(rows), MAX_BULK_ROWS):
            chunk = rows[start:start + MAX_BULK_ROWS]
            yield [[start + i] for i in range(len(chunk))], {"rows": chunk}
        return
    orders: dict[Any, tuple[list[int], dict[str, Any]]] = {}
    for index, row in enumerate(rows):
        line = {name: value for name, value in row.items() if name not in ORDER_FIELDS}
        indexes, order = orders.setdefault(row.get("his_order_no", f"row {index + 2}"), ([], {
            "his_order_no": row.get("his_order_no", ""), "lines": []}))
        indexes.append(index)
        order["lines"].append(line)
    call: list[tuple[list[int], dict[str, Any]]] = []
    for indexes, order in orders.values():
        if call and sum(len(i) for i, _ in call) + len(indexes) > MAX_BULK_ROWS:
            yield [i for i, _ in call], {"orders": [o for _, o in call]}
            call = []
        call.append((indexes, order))
    if call:
        yield [i for i, _ in call], {"orders": [o for _, o in call]}


def _send(http: httpx.Client, url: str, body: dict[str, list], indexes: list[list[int]], key: str,
          failed: dict[int, str]) -> tuple[Optional[httpx.Response], list[list[int]]]:
    """POST one call; its answer (None when every row was refused) and the file rows of the body
    it answers. A call refused whole (422) for some of its rows is sent again without them, under
    a key of its own (the same on every run), so the call's good rows are stored, not lost."""
    attempt = 0
    while True:  # each attempt drops at least one row
        response = http.post(url, json=body, headers={"Idempotency-Key": key + (f"-{attempt}" if attempt else "")})
        located = {p: why for p, why in _row_errors(response).items() if p < len(indexes)}
        for position, why in located.items():
            for index in indexes[position]:
                failed.setdefault(index, why)
        kept = [p for p in range(len(indexes)) if p not in located]
        if not located:
            return response, indexes
        if not kept:
            return None, []
        [(name, items)] = body.items()
        body, indexes = {name: [items[p] for p in kept]}, [indexes[p] for p in kept]
        attempt += 1


def _row_errors(response: httpx.Response) -> dict[int, str]:
    """A whole call refused (422) with each bad row named by its place in the body."""
    if response.status_code not in (409, 422):  # 409: every row's key stored with other content (MON-11)
        return {}
    located = {}
    for error in response.json().get("errors", []):
        match = re.match(r"body\.(?:rows|orders)\.(\d+)\.?(.*)", error.get("field", ""))
        if match:
            located.setdefault(int(match[1]), f"{match[2] or 'row'}: {error['reason']}")
    return located


def _answer_errors(result: dict[str, Any]) -> dict[int, str]:
    """The rows (or orders) a bulk answer (207) refused while storing the rest, by their place in
    the body from 0; the services number them from 1 as ``row`` (the bulk convention)."""
    located = {}
    for error in result.get("errors", []):
        if isinstance(error.get("row"), int):
            located.setdefault(error["row"] - 1, f"{error.get('field') or 'row'}: {error['reason']}")
    return located


def _save(response: httpx.Response, output: Path) -> None:
    answer(response)
    output.write_bytes(response.content)
    console.print(f"saved {output} ({len(response.content):,} bytes)")


def _a_month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise typer.BadParameter(f"{value!r} is not a month: write it YYYY-MM, e.g. 2026-10")
    return value


@download.command("report")
def download_report(month: Annotated[str, typer.Option(help="YYYY-MM", callback=_a_month)],
                    output: Annotated[Path, typer.Option("-o")],
                    url: Url = "http://127.0.0.1:8000", key: Key = "",
                    region: Annotated[Optional[str], typer.Option()] = None) -> None:
    """The monthly report (MON-8) as .xlsx."""
    with client(url, key) as http:
        params = {"month": month, "format": "xlsx", **({"region_code": region} if region else {})}
        _save(http.get("/monitoring/reports/monthly", params=params), output)


@download.command("assessment")
def download_assessment(year: Annotated[int, typer.Option()], batch: Annotated[str, typer.Option()],
                        output: Annotated[Path, typer.Option("-o")], url: Url = "http://127.0.0.1:8000",
                        key: Key = "") -> None:
    """A batch's yearly assessment (MON-7) as .xlsx."""
    with client(url, key) as http:
        _save(http.get(f"/monitoring/assessments/{year}", params={"batch_code": batch, "format": "xlsx"}), output)


def main() -> None:  # the console script
    os.environ.setdefault("COLUMNS", "120")
    sys.exit(run())


def run(args: list[str] | None = None) -> int:
    """``vbp`` with ``args``; its exit status. Every mistake is one line (see the module's doc)."""
    try:
        return app(args, standalone_mode=False) or 0
    except Stop as stop:
        return _say(str(stop), stop.status)
    except typer.Abort:
        return _say("interrupted", 130)
    except typer.Exit as done:
        return done.exit_code
    except TyperException as error:  # a bad or missing argument or option (click's UsageError)
        context = getattr(error, "ctx", None)
        command = context.command_path if context is not None else "vbp"
        if not error.format_message():  # no command given: typer printed its help
            return USAGE
        return _say(f"{error.format_message()} (see {command} --help)", USAGE)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol, httpx.InvalidURL) as error:
        where = getattr(getattr(error, "_request", None), "url", None) or os.environ.get("VBP_URL", "the URL")
        return _say(f"cannot reach the platform at {where} ({error}): is it running (make run)? "
                    "--url or VBP_URL names it", UNREACHABLE)
    except httpx.TimeoutException as error:
        return _say(f"the platform did not answer in time ({type(error).__name__}); try again", UNREACHABLE)
    except (FileNotFoundError, PermissionError, IsADirectoryError) as error:
        return _say(f"cannot read {error.filename}: {error.strerror}", UNREADABLE)


def _say(message: str, status: int) -> int:
    console.print(f"[red]vbp:[/red] {escape(message)}", soft_wrap=True)
    return status
