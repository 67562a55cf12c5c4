"""Issue 12, item 3: the ``vbp`` command line against the real platform — keys issued, listed and
revoked; a file longer than one call uploaded in 10,000-row calls, its refused rows written to
``<file>.errors.csv`` in the input's layout with an ``error`` column, and the same upload run
again answered from the Idempotency-Keys without storing anything twice; the monthly report
downloaded as .xlsx."""

from __future__ import annotations

import asyncio
import csv
import sys
import uuid
from pathlib import Path

from openpyxl import load_workbook

VBP = Path(sys.executable).with_name("vbp")


async def vbp(platform, key: str, *args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(VBP), *args, env={"VBP_URL": platform.url, "VBP_API_KEY": key, "PATH": "/usr/bin:/bin"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    return process.returncode, out.decode(), err.decode()


async def test_keys_are_issued_listed_and_revoked(shared_platform):
    admin = shared_platform.platform.admin_api_key
    tenant = f"H-CLI-{uuid.uuid4().hex[:6]}"
    code, out, err = await vbp(shared_platform, admin, "keys", "issue", "--role", "hospital", "--tenant", tenant,
                               "--label", "命令行")
    assert code == 0, err
    issued = out.strip()
    async with shared_platform.client(issued) as hospital:
        assert (await hospital.get("/me")).json()["tenant"] == tenant
    code, out, err = await vbp(shared_platform, admin, "keys", "list", "--tenant", tenant)
    [line] = out.strip().splitlines()
    key_id, role, listed_tenant, label = line.split("\t")
    assert (role, listed_tenant, label) == ("hospital", tenant, "命令行") and issued.startswith(f"vbp_{key_id}_")
    assert (await vbp(shared_platform, admin, "keys", "revoke", key_id))[0] == 0
    async with shared_platform.client(issued) as hospital:
        assert (await hospital.get("/me")).status_code == 401


async def test_a_long_file_is_uploaded_in_calls_resumably_with_an_error_file(shared_platform, tmp_path):
    admin = shared_platform.platform.admin_api_key
    tag = uuid.uuid4().hex[:6].upper()
    path = tmp_path / "hospitals.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["code", "name", "level", "kind", "region_code"])
        for n in range(10_003):
            writer.writerow([f"HCLI{tag}{n:05d}", f"医院{n}", 3 if n != 10_001 else 9, "public",
                             "500103" if n != 5 else "999999x"])
    code, out, err = await vbp(shared_platform, admin, "upload", "institutions", str(path))
    assert code == 2, err                                     # some rows refused
    assert "10003 rows: 10001 created, 0 updated, 0 unchanged, 2 refused" in err, err
    with (tmp_path / "hospitals.csv.errors.csv").open(encoding="utf-8-sig") as errors:
        refused = list(csv.DictReader(errors))
    assert [r["code"] for r in refused] == [f"HCLI{tag}00005", f"HCLI{tag}10001"]
    assert refused[0]["error"].startswith("region_code") and refused[1]["error"].startswith("level")

    again = await vbp(shared_platform, admin, "upload", "institutions", str(path))
    # the same calls again: answered as the first time from their Idempotency-Keys, nothing stored twice
    assert "10003 rows: 10001 created" in again[2], again[2]
    found = await shared_platform.admin.get(f"/catalog/institutions/HCLI{tag}10002")
    assert found.status_code == 200 and found.json()["level"] == 3


async def test_the_monthly_report_downloads_as_a_workbook(shared_platform, tmp_path):
    insurer = await shared_platform.issue_key("insurer", "500000")
    target = tmp_path / "report.xlsx"
    code, _, err = await vbp(shared_platform, insurer, "download", "report", "--month", "2026-10", "-o", str(target))
    assert code == 0, err
    assert load_workbook(target).worksheets
