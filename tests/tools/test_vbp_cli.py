"""Issue 12, item 3: the ``vbp`` command line against the real platform — keys issued, listed and
revoked; a file longer than one call uploaded in 10,000-row calls, its refused rows written to
``<file>.errors.csv`` in the input's layout with an ``error`` column, and the same upload run
again answered from the Idempotency-Keys without storing anything twice; an orders file sent as
whole orders (never split between calls), a refused order's lines written back together; the
exchange's non-winning purchases, a call refused whole for one row sent again without it; the
monthly report and the yearly assessment downloaded as .xlsx, and a refused download exiting 1
with the problem on stderr and no file."""

from __future__ import annotations

import asyncio
import csv
import json
import sys
import uuid
from pathlib import Path

import httpx
import pytest
import typer
from openpyxl import load_workbook

from testsupport.contracts_setup import build_market, effective_agreements
from vbptools.cli import answer, read_table, upload_calls
from vbptools.embedded import free_port

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
    registered = await shared_platform.admin.post("/catalog/institutions", json={"rows": [
        {"code": tenant, "name": "命令行医院", "level": 2, "kind": "public", "region_code": "500103"}]})
    assert registered.status_code == 200, registered.text
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


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_errors(path: Path) -> list[dict[str, str]]:
    with path.with_name(path.name + ".errors.csv").open(encoding="utf-8-sig") as errors:
        return list(csv.DictReader(errors))


async def all_orders(client) -> list[dict]:
    """Every order the caller sees, a page of 200 at a time."""
    orders, cursor = [], None
    while True:
        page = await client.get("/contracts/orders", params={"limit": 200, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        orders += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return orders


ORDER_COLUMNS = ["his_order_no", "line_no", "product_id", "quantity", "unit_price"]


async def test_an_orders_file_is_placed_as_whole_orders_and_a_refused_order_goes_whole_to_the_errors_file(
        shared_platform, tmp_path):
    """Issue 12, item 3 with CON-4: ``vbp upload orders`` groups a file's lines by his_order_no
    (also when an order's lines are not adjacent) and sends each order whole to
    /contracts/orders/bulk. An order with one bad line — a price above the winning price, or a
    product without an effective agreement — is refused whole: each of its lines goes to
    ``<file>.errors.csv`` in the input's columns with the field and reason, the exit status is 2,
    and the good orders are placed. The same file again is answered from its Idempotency-Key
    (said on stderr) and places nothing twice; a corrected file is then accepted, the orders
    already placed counted as existing."""
    market = await build_market(shared_platform, products_each=2)
    await effective_agreements(shared_platform, market)
    hospital, (first, second) = market.hospitals[0], market.product_ids
    assert (market.prices[first], market.prices[second]) == ("730.00", "740.00")
    his_key = await shared_platform.issue_key("hospital", hospital)
    tag = uuid.uuid4().hex[:6].upper()
    a, b, c, d = (f"CLI-{tag}-{n}" for n in "ABCD")
    lines = [
        [a, 1, first, 2, "730.00"],
        [b, 1, first, 1, "730.00"],
        [a, 2, second, 1, "740.00"],       # order A's second line, after another order's
        [c, 1, first, 1, "730.00"],
        [d, 1, 999_999_999, 1, "730.00"],  # no such product
        [c, 2, second, 1, "740.01"],       # above the winning price 740.00: order C is refused whole
    ]
    path = write_csv(tmp_path / "month-end.csv", ORDER_COLUMNS, lines)
    code, _, err = await vbp(shared_platform, his_key, "upload", "orders", str(path))
    assert code == 2, err
    assert "6 rows: 2 created, 0 existing, 3 refused" in err, err
    refused = read_errors(path)
    assert [[r[f] for f in ORDER_COLUMNS] for r in refused] == [
        [str(v) for v in row] for row in (lines[3], lines[4], lines[5])]
    assert list(refused[0]) == [*ORDER_COLUMNS, "error"]
    assert refused[0]["error"] == refused[2]["error"]  # the order's reason on each of its lines
    assert refused[0]["error"].startswith("lines[line_no=2].unit_price: "), refused
    assert "740.01" in refused[0]["error"] and "740.00" in refused[0]["error"], refused
    assert refused[1]["error"].startswith("lines[line_no=1].product_id: "), refused
    his = market.client(hospital)
    placed = {o["his_order_no"]: o for o in await all_orders(his)}
    assert sorted(placed) == [a, b]
    assert [(l["line_no"], l["product_id"], l["quantity"], l["unit_price"]) for l in placed[a]["lines"]] == [
        (1, first, 2, "730.00"), (2, second, 1, "740.00")]
    assert [(l["product_id"], l["quantity"]) for l in placed[b]["lines"]] == [(first, 1)]

    code, _, err = await vbp(shared_platform, his_key, "upload", "orders", str(path))
    # the same call, the same Idempotency-Key: the first answer again, nothing placed twice
    assert code == 2 and "6 rows: 2 created, 0 existing, 3 refused" in err, err
    assert "1 of 1 calls answered as before" in err, err
    assert len(read_errors(path)) == 3
    assert sorted(o["his_order_no"] for o in await all_orders(his)) == [a, b]

    corrected = write_csv(tmp_path / "corrected.csv", ORDER_COLUMNS, [
        lines[0], lines[2], lines[3], [c, 2, second, 1, "740.00"]])
    code, _, err = await vbp(shared_platform, his_key, "upload", "orders", str(corrected))
    assert code == 0, err
    assert "4 rows: 1 created, 1 existing, 0 refused" in err and "answered as before" not in err, err
    assert not corrected.with_name("corrected.csv.errors.csv").exists()
    placed = {o["his_order_no"]: o for o in await all_orders(his)}
    assert sorted(placed) == [a, b, c] and [l["unit_price"] for l in placed[c]["lines"]] == ["730.00", "740.00"]


async def test_an_orders_file_longer_than_one_call_is_split_between_whole_orders(shared_platform, tmp_path):
    """Issue 12, item 3 with CON-4: an orders file of 10,098 lines (102 orders of 99 lines) is
    sent in calls of at most 10,000 lines that never split an order — 101 orders (9,999 lines),
    then the last one, where 10,000-row calls would have cut it after its first line — and every
    order is placed once with all its lines. (Supply beyond the agreed 100 continues at the
    winning price, CON-4, so 10,098 × 1 is accepted.)"""
    market = await build_market(shared_platform)
    await effective_agreements(shared_platform, market)
    hospital, product = market.hospitals[0], market.product_ids[0]
    tag = uuid.uuid4().hex[:6].upper()
    path = write_csv(tmp_path / "orders.csv", ORDER_COLUMNS, [
        [f"CLI-{tag}-{n:03d}", line, product, 1, "730.00"] for n in range(102) for line in range(1, 100)])

    _, rows = read_table(path)
    calls = list(upload_calls("orders", rows))
    assert [len(body["orders"]) for _, body in calls] == [101, 1]
    assert [sum(len(o["lines"]) for o in body["orders"]) for _, body in calls] == [9999, 99]
    assert calls[1][1]["orders"][0]["his_order_no"] == f"CLI-{tag}-101"
    assert calls[1][0] == [list(range(9999, 10098))]  # the last order's lines of the file, together

    code, _, err = await vbp(shared_platform, await shared_platform.issue_key("hospital", hospital),
                             "upload", "orders", str(path))
    assert code == 0, err
    assert "10098 rows: 102 created, 0 existing, 0 refused" in err, err
    placed = await all_orders(market.client(hospital))
    assert sorted(o["his_order_no"] for o in placed) == [f"CLI-{tag}-{n:03d}" for n in range(102)]
    assert {tuple(l["line_no"] for l in o["lines"]) for o in placed} == {tuple(range(1, 100))}


NON_WINNING_COLUMNS = ["hospital_code", "batch_code", "group_code", "product", "month", "quantity", "amount"]


async def test_non_winning_purchases_are_pushed_and_refused_rows_are_written_back(shared_platform, tmp_path):
    """Issue 12, item 3 with MON-5: ``vbp upload non-winning-purchases`` as the exchange stores
    a good row (visible in the substitutes share) and writes back the rows refused — an
    institution monitoring does not know (refused alone, in the answer) and a month that is no
    YYYY-MM (a 422 of the whole call): that call is sent again without it, so the good row of the
    same call is stored, not lost. The same file again stores nothing twice."""
    market = await build_market(shared_platform)
    await effective_agreements(shared_platform, market)
    hospital = market.hospitals[0]
    product = (await shared_platform.admin.get(f"/catalog/products/{market.product_ids[0]}")).json()
    grouped = await shared_platform.admin.post(f"/catalog/batches/{market.batch}/products",
                                               params={"create_groups": "true"}, json={"rows": [{
        "registration_no": product["registration_no"], "spec": "G1型", "name": "吻合器G1", "group": "G1",
        "applicant": product["applicant"], "applicant_credit_code": market.manufacturers[0],
        "registrant": product["registrant"], "product_price": "680", "service_price": "50"}]})
    assert grouped.status_code == 200 and grouped.json()["created"] == 1, grouped.text
    await shared_platform.settled()  # monitoring has learnt the hospital, the batch and its group G1
    unknown = f"HNOPE{uuid.uuid4().hex[:6]}"
    rows = [
        [hospital, market.batch, "G1", "某非中选产品", "2026-11", 6, "2814.00"],
        [unknown, market.batch, "G1", "某非中选产品", "2026-11", 3, "1407.00"],
        [hospital, market.batch, "G1", "另一非中选产品", "11/2026", 2, "938.00"],
    ]
    path = write_csv(tmp_path / "non-winning.csv", NON_WINNING_COLUMNS, rows)
    exchange = await shared_platform.issue_key("exchange", "CQ-EXCHANGE")
    code, _, err = await vbp(shared_platform, exchange, "upload", "non-winning-purchases", str(path))
    assert code == 2, err
    assert "3 rows: 1 stored, 2 refused" in err, err
    refused = read_errors(path)
    assert [[r[f] for f in NON_WINNING_COLUMNS] for r in refused] == [[str(v) for v in row] for row in rows[1:]]
    assert refused[0]["error"] == "hospital_code: not a known institution", refused
    assert refused[1]["error"].startswith("month: "), refused

    async def shares():
        response = await market.insurer.get("/monitoring/substitutes", params={"batch_code": market.batch})
        assert response.status_code == 200, response.text
        return [(r["hospital_code"], r["group_code"], r["month"], r["non_winning_quantity"])
                for r in response.json()["items"]]
    assert await shares() == [(hospital, "G1", "2026-11", 6)]

    code, _, err = await vbp(shared_platform, exchange, "upload", "non-winning-purchases", str(path))
    assert code == 2 and "3 rows: 1 stored, 2 refused" in err, err
    assert "1 of 1 calls answered as before" in err, err
    assert await shares() == [(hospital, "G1", "2026-11", 6)]


HIS_COLUMNS = ["med_list_codg", "fixmedins_hilist_id", "fixmedins_hilist_name", "fixmedins_bchno", "spler_name",
               "manu_lotnum", "prdr_name", "aprvno", "manu_date", "expy_end", "finl_trns_pric", "purc_retn_cnt",
               "rx_flag", "purc_retn_stoin_time"]


async def test_a_his_uploads_its_national_rows_from_a_workbook_and_a_json_export(shared_platform, tmp_path):
    """MON-11 with issue 12, item 3: ``vbp upload his-3503`` as a hospital sends an .xlsx of
    national 3503 rows — a row with a count of 5 decimals (数值型 16,4) written back with why —
    and again stores nothing twice; a JSON export in the national envelope goes as it is."""
    from openpyxl import Workbook

    hospital = f"H-HIS-{uuid.uuid4().hex[:6]}"
    registered = await shared_platform.admin.post("/catalog/institutions", json={"rows": [
        {"code": hospital, "name": "进销存医院", "level": 3, "kind": "public", "region_code": "500103"}]})
    assert registered.status_code == 200, registered.text
    key = await shared_platform.issue_key("hospital", hospital)
    book = Workbook()
    sheet = book.active
    sheet.append(HIS_COLUMNS)
    for bchno, count in (("CG1", "3"), ("CG2", "1.00001"), ("CG3", "2")):
        sheet.append(["CLI-CODE-1", "HC1", "吻合器", bchno, "某经销部", "L1", "某企业", "国械注准1", "2026-01-01",
                      "2028-01-01", "730", count, "0", "2026-11-05 09:00:00"])
    path = tmp_path / "purchases.xlsx"
    book.save(path)
    code, _, err = await vbp(shared_platform, key, "upload", "his-3503", str(path))
    assert code == 2 and "3 rows: 2 created, 0 updated, 0 unchanged, 1 refused" in err, err
    [refused] = read_errors(path)
    assert refused["fixmedins_bchno"] == "CG2" and refused["error"].startswith("purc_retn_cnt: "), refused
    code, _, err = await vbp(shared_platform, key, "upload", "his-3503", str(path))
    assert code == 2 and "1 of 1 calls answered as before" in err, err

    export = tmp_path / "3503.json"
    export.write_text(json.dumps({"infno": "3503", "input": {"purcinfo": [
        dict(zip(HIS_COLUMNS, ["CLI-CODE-1", "HC1", "吻合器", "CG4", "某经销部", "L1", "某企业", "国械注准1",
                               "2026-01-01", "2028-01-01", "730", "4", "0", "2026-11-06 09:00:00"]))]}},
                                 ensure_ascii=False), encoding="utf-8")
    code, _, err = await vbp(shared_platform, key, "upload", "his-3503", str(export))
    assert code == 0 and "1 rows: 1 created" in err, err
    async with shared_platform.client(key) as his:
        status = (await his.get("/monitoring/his/uploads", params={"month": "2026-11"})).json()["items"]
    assert [(s["hospital_code"], s["rows"]) for s in status] == [(hospital, {"purchase": 3})]


async def test_the_assessment_downloads_as_a_workbook(shared_platform, tmp_path):
    """Issue 12, item 3 with MON-7: ``vbp download assessment`` saves a batch's year as a real
    .xlsx — its hospitals sheet lists the hospital with the year's agreement."""
    market = await build_market(shared_platform)
    await effective_agreements(shared_platform, market)

    async def assessed():
        response = await market.insurer.get("/monitoring/assessments/1", params={"batch_code": market.batch})
        assert response.status_code == 200, response.text
        assert [h["hospital_code"] for h in response.json()["hospitals"]] == market.hospitals, response.json()
    await shared_platform.eventually(assessed)
    target = tmp_path / "assessment.xlsx"
    code, _, err = await vbp(shared_platform, await shared_platform.issue_key("insurer", "500000"), "download",
                             "assessment", "--year", "1", "--batch", market.batch, "-o", str(target))
    assert code == 0, err
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["说明", "hospitals", "companies"]  # a cover first (issue 23)
    hospitals = list(workbook["hospitals"].iter_rows(values_only=True))
    assert hospitals[1][0] == "hospital_code" and [r[0] for r in hospitals[2:]] == market.hospitals


async def test_a_download_the_caller_may_not_make_exits_1_with_the_problem_and_writes_nothing(
        shared_platform, tmp_path):
    """Issue 12, item 3 with GW-5 and §5: a download the platform refuses — a hospital asking for
    the bureau's monthly report (403), an unknown batch's assessment (404) — exits 1 with the
    status and the problem's detail on stderr, and leaves no file behind."""
    hospital = await shared_platform.issue_key("hospital", f"H-CLI-{uuid.uuid4().hex[:6]}")
    target = tmp_path / "report.xlsx"
    code, out, err = await vbp(shared_platform, hospital, "download", "report", "--month", "2026-10",
                               "-o", str(target))
    forbidden = await shared_platform.client(hospital).get("/monitoring/reports/monthly", params={"month": "2026-10"})
    assert forbidden.status_code == 403
    assert code == 1 and out == "", (code, out, err)
    assert "403" in err and forbidden.json()["detail"] in err, err
    assert not target.exists()

    insurer = await shared_platform.issue_key("insurer", "500000")
    batch = f"NO-SUCH-{uuid.uuid4().hex[:6]}"
    target = tmp_path / "assessment.xlsx"
    code, out, err = await vbp(shared_platform, insurer, "download", "assessment", "--year", "1", "--batch", batch,
                               "-o", str(target))
    assert code == 1 and out == "", (code, out, err)
    assert "404" in err and f"no batch {batch} known to monitoring" in err, err
    assert not target.exists()


def test_a_refusal_is_printed_as_the_platform_wrote_it(capsys):
    """Issue 12, item 3 with §5: a refused call's status, detail and located errors reach stderr
    verbatim — brackets in a field (``lines[line_no=1]``) are text, not the console's markup —
    and the command stops with status 1."""
    refused = httpx.Response(422, json={"detail": "the order [HIS-1] was refused", "errors": [
        {"field": "body.lines[line_no=1].unit_price", "reason": "740.01 is above [/the] winning price"}]})
    with pytest.raises(typer.Exit) as stopped:
        answer(refused)
    assert stopped.value.exit_code == 1
    assert " ".join(capsys.readouterr().err.split()) == (  # the console wraps at its width
        "422 the order [HIS-1] was refused (body.lines[line_no=1].unit_price: 740.01 is above [/the] winning price)")


async def vbp_at(url: str, key: str, *args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        str(VBP), *args, env={"VBP_URL": url, "VBP_API_KEY": key, "PATH": "/usr/bin:/bin"}, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    return process.returncode, out.decode(), err.decode()


def one_line(err: str) -> str:
    """What the user reads: a single line starting ``vbp:``, never a traceback."""
    assert "Traceback" not in err and "╭" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("vbp: "), err
    return lines[0]


class TestAMistakeIsOneLineAndItsOwnStatus:
    """Issue 23, item 5: a user's mistake is one line saying what to do, with a distinct exit
    status (1 refused, 2 rows refused, 3 unreadable file, 4 unreachable platform, 64 usage)."""

    async def test_a_missing_or_unreadable_file_exits_3(self, tmp_path):
        code, _, err = await vbp_at("http://127.0.0.1:1", "k", "upload", "institutions", str(tmp_path / "nope.csv"))
        assert code == 3 and "nope.csv" in one_line(err) and "No such file" in err
        garbage = tmp_path / "hospitals.xlsx"
        garbage.write_bytes(b"not a workbook")
        code, _, err = await vbp_at("http://127.0.0.1:1", "k", "upload", "institutions", str(garbage))
        assert code == 3 and "not a workbook" in one_line(err)
        empty = tmp_path / "empty.csv"
        empty.write_text("")
        code, _, err = await vbp_at("http://127.0.0.1:1", "k", "upload", "institutions", str(empty))
        assert code == 3 and "is empty" in one_line(err)

    async def test_an_unreachable_platform_exits_4_naming_the_url_and_the_setting(self, tmp_path):
        code, _, err = await vbp_at(f"http://127.0.0.1:{free_port()}", "k", "keys", "list")
        line = one_line(err)
        assert code == 4 and "cannot reach the platform at http://127.0.0.1:" in line and "VBP_URL" in line
        code, _, err = await vbp_at("ftp://example.org", "k", "keys", "list")
        assert code == 4 and "ftp://example.org" in one_line(err)

    async def test_no_key_and_a_bad_argument_are_usage_errors_64(self, tmp_path):
        code, out, err = await vbp_at("http://127.0.0.1:1", "", "keys", "list")
        assert code == 64 and "--key" in one_line(err) and "VBP_API_KEY" in err and out == ""
        code, _, err = await vbp_at("http://127.0.0.1:1", "k", "download", "report", "--month", "2026-13",
                                    "-o", str(tmp_path / "r.xlsx"))
        line = one_line(err)
        assert code == 64 and "'2026-13' is not a month" in line and "YYYY-MM" in line
        assert line.count("2026-13") == 1 and "\\d" not in line  # said once, in words, not as a regex
        code, _, err = await vbp_at("http://127.0.0.1:1", "k", "upload", "hospitals", "x.csv")
        assert code == 64 and "one of listings" in one_line(err)

    async def test_a_wrong_key_exits_1_saying_where_the_key_goes(self, shared_platform):
        code, _, err = await vbp(shared_platform, "vbp_admin_wrong_" + "x" * 24, "keys", "list")
        assert code == 1 and "401" in err and "--key" in err and "VBP_API_KEY" in err and "Traceback" not in err

    async def test_a_key_for_an_unregistered_tenant_needs_force(self, shared_platform):
        admin = shared_platform.admin.headers["X-API-Key"]
        ghost = f"H{uuid.uuid4().int % 10**9:09d}"
        code, out, err = await vbp(shared_platform, admin, "keys", "issue", "--role", "hospital", "--tenant", ghost,
                                   "--label", "无此医院")
        assert code == 1 and out == "" and f"{ghost} is not a registered institution" in one_line(err)
        assert "--force" in err
        code, out, err = await vbp(shared_platform, admin, "keys", "issue", "--role", "hospital", "--tenant", ghost,
                                   "--label", "先发钥匙", "--force")
        assert code == 0 and out.startswith("vbp_") and f"for hospital {ghost}" in err, (code, out, err)
