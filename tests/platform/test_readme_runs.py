"""Issue 12, item 1: the README runs verbatim. Every shell example of README.md, in order, runs
against a fresh platform on today's clock with only what the README itself sets — keys and ids
taken from the answers with jq, Chinese query values url-encoded, one batch throughout — and
every call must succeed; if the README drifts from the API, this fails and names the line."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from vbpkit.runtime.clock import SHANGHAI

from testsupport import readme_walkthrough
from testsupport.scenario_setup import isolated_platform
from testsupport import ROOT



@pytest.fixture(scope="module")
async def walkthrough(shared_platform, tmp_path_factory):
    """The README's script run once on a platform of its own whose admin key is the one
    generated into ``.vbp-data/secrets.json``, as ``make run`` leaves it."""
    data = tmp_path_factory.mktemp("readme")
    async with isolated_platform(shared_platform, data, "e2e_readme_", admin_api_key=None) as platform:
        project = data / "project"
        project.mkdir()
        (project / ".venv").symlink_to(Path(sys.executable).parent.parent)
        (project / "deploy").symlink_to(ROOT / "deploy")
        (project / ".vbp-data").symlink_to(data / "platform")
        done = await asyncio.to_thread(readme_walkthrough.run, platform.url, project)
        assert done.returncode == 0, "the README stopped:\n" + "\n".join(
            line for line in done.stderr.splitlines()[-60:] if not line.startswith("+ "))
        captured = json.loads(done.stdout.rsplit("CAPTURED ", 1)[1])
        async with platform.client(captured["ADMIN_KEY"]) as admin:
            yield project, captured, platform, admin


def test_the_script_is_every_shell_block_but_the_marked_ones():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    run = readme_walkthrough.blocks(text)
    assert all("make run" not in code for _, code in run)  # the marked block: the two commands
    assert text.count("```sh") + text.count("```bash") == len(run) + 1
    walked = "\n".join(code for _, code in run)
    for path in ("/admin/api-keys", "/catalog/batches", "/contracts/orders", "/contracts/deliveries",
                 "/settlement/invoices", "/settlement/payments", "/settlement/prepayments", "/settlement/fund-payables",
                 "/monitoring/progress", "/monitoring/alerts", "/monitoring/reports/monthly",
                 "/monitoring/assessments", "/catalog/products/$PRODUCT/payment-standard", "/national-lowest-prices",
                 "/pre-listing", "insurance_code=", "/admin/audit-log", "vbp upload orders", "vbp download assessment",
                 "/monitoring/his/3503", "/monitoring/his/off-platform"):
        assert path in walked, path
    assert "uuidgen" not in walked and "127.0.0.1:8000/catalog/products/42" not in walked


def test_every_key_and_id_was_read_from_an_answer(walkthrough):
    _, captured, _, _ = walkthrough
    for name, value in captured.items():
        if name.endswith("_KEY"):
            assert value.startswith("vbp_"), (name, value)
        elif name == "FILES":
            assert Path(value).is_dir(), value
        else:
            assert value.isdigit(), (name, value)


async def test_the_his_flow_left_what_the_readme_says(walkthrough):
    """CON-4/CON-5 and SET-1/SET-2 as the README tells them: 25 ordered, 20 delivered and accepted,
    1 returned; invoice 1 bills 10 and owes all of it again after its payment was reversed; the
    bulk invoice was reversed (红冲); the stockpiling alert (MON-2) was acknowledged."""
    _, ids, platform, _ = walkthrough
    async with platform.client(ids["HIS_KEY"]) as his, platform.client(ids["INSURER_KEY"]) as insurer:
        order = (await his.get(f"/contracts/orders/{ids['ORDER']}")).json()
        [line] = order["lines"]
        assert (line["quantity"], line["delivered_quantity"], line["unit_price"]) == (25, 20, "730.00")
        invoice = (await his.get(f"/settlement/invoices/{ids['INVOICE']}")).json()
        assert (invoice["status"], invoice["amount"], invoice["paid"], invoice["unpaid"]) == (
            "accepted", "7300.00", "0.00", "7300.00"), invoice
        second = (await his.get(f"/settlement/invoices/{ids['SECOND']}")).json()
        assert second["status"] == "reversed", second
        alerts = (await insurer.get("/monitoring/alerts", params={"kind": "stockpiling"})).json()["items"]
        [alert] = [a for a in alerts if a["id"] == int(ids["ALERT"])]
        assert (alert["kind"], alert["status"]) == ("stockpiling", "acknowledged"), alert


async def test_the_his_uploads_found_what_the_readme_says(walkthrough):
    """MON-11 as the README tells it: the HIS stocked in 21 stents this month (and 1 more from a
    file with ``vbp upload his-3503``), the platform accepted 20 and took 1 back: 3 bought off the
    platform, some at a price above the agreed 730.00, from a supplier that is not the designated
    distributor."""
    _, ids, platform, _ = walkthrough
    async with platform.client(ids["INSURER_KEY"]) as insurer:
        month = datetime.now(SHANGHAI).strftime("%Y-%m")  # the README's $MONTH: its platform runs on today's clock
        found = (await insurer.get("/monitoring/his/off-platform", params={"month": month})).json()
    [row] = [r for r in found["items"] if r["product_id"] == int(ids["PRODUCT"])]
    assert (row["his_net"], row["platform_net"], row["off_platform"], row["alert"], row["price_above_agreed"],
            row["other_suppliers"]) == ("22.0000", "19.0000", "3.0000", True, True, ["某医疗器械经销部"]), row


def test_the_files_the_readme_downloads_are_real_workbooks(walkthrough):
    project, captured, _, _ = walkthrough
    files = Path(captured["FILES"])
    for name in ("standards.xlsx", "statement.xlsx", "report.xlsx", "assessment.xlsx", "off-platform.xlsx"):
        assert load_workbook(files / name, read_only=True).sheetnames, name
    assert (files / "audit.csv").read_text(encoding="utf-8-sig").startswith("id,")
    assert not list(files.glob("*.errors.csv"))  # every row of the README's uploads was stored
    # issue 23, item 8: nothing written into the project, the shell's TZ left alone
    assert sorted(p.name for p in project.iterdir()) == sorted([".venv", ".vbp-data", "deploy"])
    assert "export TZ" not in (ROOT / "README.md").read_text(encoding="utf-8")
