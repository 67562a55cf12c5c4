"""MON-11 on a real database: a hospital's HIS sends the national 进销存 rows (3501–3507) and
monitoring finds what it bought off the platform — figures worked out by hand.

Seeds: 000/002/004 不得线下采购 (通过招采系统进行交易; 所有采购必须遵守进场交易规定); 001 按时上传采购和
使用数据; 004 采购数据和使用数据互通; 002/003 不得再次议价; 003/004 按含伴随服务的中选价格零差率收费.
The batch CQ (chongqing-2025 preset) keeps the defaults: window 7 days, alert share 0.05, upload
due on the 10th of the next month."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from monitoring_setup import A, accepted, agreement, deliver, returned
from sqlalchemy import select, text
from vbp_monitoring.alerts import service as alerts
from vbp_monitoring.his import checks, mapping, reconciliation, uploads
from vbp_monitoring.his.models import HisRecord
from vbpkit.projections.catalog_view.models import ProductView
from vbpkit.projections.registry.models import CompanyView
from vbpkit.runtime.clock import SHANGHAI
from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem

ADMIN = Principal(role=Role.ADMIN, key_id="admin")
STENT = "C02010104501000304770000"  # product 11's national insurance code (CAT-11)
DISTRIBUTOR = "91500000MA5U0000D4"
NOW = datetime(2025, 4, 3, 9, tzinfo=timezone.utc)


def purchase(bchno: str, quantity: str, at: str, price: str = "590", code: str = STENT, **more) -> dict:
    return {"med_list_codg": code, "fixmedins_hilist_id": "HC0001", "fixmedins_hilist_name": "药物洗脱支架",
            "fixmedins_bchno": bchno, "spler_name": "重庆配送有限公司", "manu_lotnum": "L1", "prdr_name": "某器械公司",
            "aprvno": "国械注准20213130001", "manu_date": "2025-01-01", "expy_end": "2027-01-01",
            "finl_trns_pric": price, "purc_retn_cnt": quantity, "rx_flag": "0", "purc_retn_stoin_time": at,
            "purc_retn_opter_name": "张三", **more}


def purchase_return(bchno: str, quantity: str, at: str) -> dict:
    row = purchase(bchno, quantity, at)
    for name in ("manu_lotnum", "prdr_name", "aprvno"):
        row.pop(name)
    return {**row, "purc_invo_no": "INV-1", "medins_prod_purc_no": "TH-1"}


def sale(bchno: str, quantity: str, at: str, price: str) -> dict:
    return {"med_list_codg": STENT, "fixmedins_hilist_id": "HC0001", "fixmedins_hilist_name": "药物洗脱支架",
            "fixmedins_bchno": bchno, "manu_lotnum": "L1", "manu_date": "2025-01-01", "rx_flag": "0",
            "trdn_flag": "0", "finl_trns_pric": price, "rtal_docno": "D1", "sel_retn_cnt": quantity,
            "sel_retn_time": at, "psn_no": "P-SECRET-PSN", "certno": "500101199001011234", "psn_name": "李四患者",
            "psn_cert_type": "01", "prsc_dr_name": "王医生甲", "phar_name": "赵药师乙", "phar_prac_cert_no": "PRAC-SECRET",
            "setl_id": "SETL-SECRET", "mdtrt_sn": "MDTRT-SECRET", "sel_retn_opter_name": "钱经办"}


async def send(sessions, infno: str, body, hospital: str = "H1", now: datetime = NOW) -> dict:
    async with sessions() as session, session.begin():
        return await uploads.upload(session, hospital=hospital, infno=infno, body=body, now=now)


async def refused(sessions, infno: str, body, hospital: str = "H1") -> Problem:
    with pytest.raises(Problem) as caught:
        await send(sessions, infno, body, hospital)
    return caught.value


async def add_stent(sessions, *, code: str | None = STENT, price_fen: int = 59000) -> None:
    async with sessions() as session, session.begin():
        session.add(ProductView(product_id=11, batch_code="CQ", group_code="G1", registration_no="R11", spec="1",
                                name="药物洗脱支架", applicant_credit_code=A, winning=True, service_price_fen=1000,
                                winning_price_fen=price_fen, status="listed", insurance_code=code, unit="个",
                                as_of=datetime.now(timezone.utc)))
        session.add(CompanyView(credit_code=DISTRIBUTOR, name="重庆配送有限公司", roles=["distributor"],
                                as_of=datetime.now(timezone.utc)))
    await deliver(sessions, agreement(1, "H1", A, [(11, 1200, 59000)]), agreement(2, "H2", A, [(11, 1200, 59000)]),
                  agreement(3, "H3", A, [(11, 1200, 59000)]))


async def month_rows(sessions, month: str, principal: Principal = ADMIN, **filters) -> list[dict]:
    async with sessions() as session:
        chosen, rows, more = await reconciliation.visible_reconciliation(
            session, principal=principal, month=month, today=date(2026, 1, 1), hospital_code=filters.get("hospital_code"),
            batch_code=filters.get("batch_code"), region_code=filters.get("region_code"))
        assert (chosen, more) == (month, None)
        return rows


class TestOffPlatform:
    async def test_mon11_an_off_platform_purchase_is_found_with_its_explain(self, sessions):
        """Seeds 000/002/004 不得线下采购: H1's HIS stocked in 100 stents on 10 March and sent 10
        back on 15 March (net 90); the platform accepted 60 on 11 March and 5 came back on 20
        March (net 55). Off-platform 90 − 55 = 35, a share of 35 ÷ 90 = 0.3889 > 0.05: an alert."""
        await add_stent(sessions)
        await deliver(sessions, accepted(1, "H1", A, 11, 60, 59000, date(2025, 3, 11)),
                      returned(1, "H1", 5, 59000, date(2025, 3, 20)))
        await send(sessions, "3503", {"purcinfo": [purchase("B1", "100", "2025-03-10 10:00:00")]})
        await send(sessions, "3504", {"purcinfo": [purchase_return("B1", "10", "2025-03-15 10:00:00")]})
        [row] = await month_rows(sessions, "2025-03")
        assert (row["his_purchased"], row["his_returned"], row["his_net"], row["platform_net"], row["off_platform"],
                row["off_platform_share"], row["alert"]) == ("100.0000", "10.0000", "90.0000", "55.0000", "35.0000",
                                                             "0.3889", True)
        assert row["explain"]["platform_net"] == "accepted 60 − returned 5 in 2025-03"
        assert row["explain"]["rule"] == "MON-11" and row["explain"]["codes"] == [STENT]
        assert (row["designated_distributor"], row["other_suppliers"]) == ("重庆配送有限公司", [])
        async with sessions() as session, session.begin():
            await alerts.run_alert_checks(session, today=date(2025, 4, 10))  # the upload is due on the 10th
        async with sessions() as session:
            assert await alerts.listing(session, principal=ADMIN, filters={"kind": "off_platform"}, region_code=None,
                                        after_id=None, limit=10) == ([], {})
        async with sessions() as session, session.begin():
            await alerts.run_alert_checks(session, today=date(2025, 4, 11))
        async with sessions() as session:
            found, _ = await alerts.listing(session, principal=ADMIN, filters={"kind": "off_platform"},
                                            region_code=None, after_id=None, limit=10)
            announced = (await session.execute(text(
                "SELECT envelope FROM outbox WHERE type = 'monitoring.his.reconciled'"))).scalars().all()
        assert [(a.hospital_code, a.period, a.product_id, a.details["off_platform"]) for a in found] == [
            ("H1", "2025-03", 11, "35.0000")]
        assert [(e["data"]["hospital_code"], e["data"]["month"], e["data"]["off_platform"]) for e in announced] == [
            ("H1", "2025-03", "35.0000")]
        async with sessions() as session, session.begin():  # March is reconciled once; April has no rows
            await alerts.run_alert_checks(session, today=date(2025, 5, 20))
        async with sessions() as session:
            again = (await session.execute(text(
                "SELECT envelope FROM outbox WHERE type = 'monitoring.his.reconciled'"))).scalars().all()
        assert [(e["data"]["hospital_code"], e["data"]["month"]) for e in again] == [("H1", "2025-03")]

    async def test_mon11_a_purchase_matched_across_the_month_end_within_the_window_is_not_flagged(self, sessions):
        """Stocked in on 29 March, accepted on the platform on 2 April (4 days, within 7): one
        purchase, no off-platform in March, and April's acceptance is not counted twice. Stocked in
        on 20 March (not in March's last 7 days) and accepted on 2 April: 30 off-platform."""
        await add_stent(sessions)
        await deliver(sessions, accepted(1, "H1", A, 11, 50, 59000, date(2025, 4, 2)),
                      accepted(2, "H2", A, 11, 30, 59000, date(2025, 4, 2)))
        await send(sessions, "3503", [purchase("B1", "50", "2025-03-29 16:00:00")])
        await send(sessions, "3503", [purchase("B2", "30", "2025-03-20 16:00:00")], hospital="H2")
        h1, h2 = await month_rows(sessions, "2025-03")
        assert (h1["hospital_code"], h1["off_platform"], h1["matched_across_month_end"], h1["alert"]) == (
            "H1", "0.0000", "50.0000", False)
        assert h1["explain"]["matched_with_next_month"] == "50.0000"
        assert (h2["hospital_code"], h2["off_platform"], h2["alert"]) == ("H2", "30.0000", True)
        [april_h1, _] = await month_rows(sessions, "2025-04")
        assert (april_h1["off_platform"], april_h1["platform_surplus"], april_h1["alert"]) == ("0.0000", "50.0000",
                                                                                           False)

    async def test_mon11_a_hand_mapping_converts_his_units(self, sessions):
        """A HIS code the catalog does not know is stored and listed as unmapped, never refused;
        mapped to product 11 with 24 HIS units per catalog unit, 480 units are 20."""
        await add_stent(sessions)
        result = await send(sessions, "3503", [purchase("B1", "480", "2025-03-05 08:00:00", price="24.5",
                                                         code="HIS-LOCAL-001")])
        assert result["created"] == 1
        async with sessions() as session:
            [listed] = await mapping.unmapped(session, principal=ADMIN, hospital_code=None)
        assert (listed["med_list_codg"], listed["quantity"]) == ("HISLOCAL001", "480.0000")
        assert await month_rows(sessions, "2025-03") == []
        async with sessions() as session, session.begin():
            await mapping.put_mapping(session, code="his-local-001", product_id=11, his_units_per_unit=Decimal(24),
                                      note="盒=24片", actor="admin:a", now=NOW)
        [row] = await month_rows(sessions, "2025-03")
        assert (row["his_net"], row["off_platform"], row["highest_his_price"]) == ("20.0000", "20.0000", "588.00")
        async with sessions() as session:
            assert await mapping.unmapped(session, principal=ADMIN, hospital_code=None) == []


class TestUploads:
    async def test_mon11_replay_conflict_and_deletion_by_fixmedins_bchno(self, sessions):
        """The national key (hospital, data type, fixmedins_bchno): the same content again (10.0000
        is 10) is a replay; other content a 409 until deleted by 3507; then it is taken anew. Another hospital's
        same bchno is its own key."""
        first = await send(sessions, "3503", {"purcinfo": [purchase("B1", "10", "2025-03-01 09:00:00")]})
        assert (first["created"], first["unchanged"]) == (1, 0)
        replay = await send(sessions, "3503", {"purcinfo": [purchase("B1", "10.0000", "2025-03-01 09:00:00")]})
        assert (replay["created"], replay["unchanged"], replay["errors"]) == (0, 1, [])
        conflict = await refused(sessions, "3503", [purchase("B1", "11", "2025-03-01 09:00:00")])
        assert conflict.status == 409 and conflict.errors[0]["field"] == "body.0.fixmedins_bchno"
        assert (await send(sessions, "3503", [purchase("B1", "11", "2025-03-01 09:00:00")], hospital="H2"))[
            "created"] == 1
        mixed = await send(sessions, "3503", [purchase("B1", "12", "2025-03-01 09:00:00"),
                                              purchase("B2", "5", "2025-03-02 09:00:00")])
        assert (mixed["created"], [(e["row"], e["field"]) for e in mixed["errors"]]) == (1, [(1, "fixmedins_bchno")])
        async with sessions() as session, session.begin():
            gone = await uploads.remove(session, hospital="H1", body={"data": [
                {"fixmedins_bchno": "B1", "inv_data_type": "3"}, {"fixmedins_bchno": "NOPE", "inv_data_type": "3"}]})
        assert (gone["deleted"], [(e["row"], e["field"]) for e in gone["errors"]]) == (1, [(2, "fixmedins_bchno")])
        again = await send(sessions, "3503", [purchase("B1", "12", "2025-03-01 09:00:00")])
        assert again["created"] == 1
        async with sessions() as session:
            kept = {(r.hospital_code, r.fixmedins_bchno): r.quantity for r in await session.scalars(select(HisRecord))}
        assert kept == {("H1", "B1"): Decimal(12), ("H1", "B2"): Decimal(5), ("H2", "B1"): Decimal(11)}

    @pytest.mark.parametrize("form", [
        "bare object", "bare list", "rows", "purcinfo list", "purcinfo object", "purcinfo JSON text",
        "envelope", "envelope with input as JSON text", "envelope of one object"])
    async def test_mon11_every_envelope_form_is_accepted(self, sessions, form):
        """As public HIS code sends 3503: bare, under rows/purcinfo (list, one object or a JSON
        string of the list, as hsa-his does), or in the national envelope {infno, msgid, input}."""
        row = purchase("B1", "3", "2025-03-01 09:00:00")
        body = {"bare object": row, "bare list": [row], "rows": {"rows": [row]}, "purcinfo list": {"purcinfo": [row]},
                "purcinfo object": {"purcinfo": row}, "purcinfo JSON text": {"purcinfo": json.dumps([row])},
                "envelope": {"infno": "3503", "msgid": "H1202503010900000001", "opter_name": "张三",
                             "input": {"purcinfo": [row]}},
                "envelope with input as JSON text": {"infno": "3503", "input": json.dumps({"purcinfo": [row]})},
                "envelope of one object": {"infno": 3503, "input": {"purcinfo": row}}}[form]
        assert (await send(sessions, "3503", body))["created"] == 1

    async def test_mon11_an_envelope_of_another_interface_and_a_body_of_no_rows_are_refused(self, sessions):
        wrong = await refused(sessions, "3503", {"infno": "3505", "input": {"selinfo": []}})
        assert (wrong.status, wrong.errors[0]["field"]) == (422, "body.infno")
        empty = await refused(sessions, "3503", {"purcinfo": "not json"})
        assert (empty.status, empty.errors[0]["field"]) == (422, "body.purcinfo")

    async def test_mon11_every_bad_row_is_named_with_its_national_field_and_limit(self, sessions):
        good = purchase("B1", "1", "2025-03-01 09:00:00")
        rows = [
            good,
            {**good, "fixmedins_bchno": "B2", "med_list_codg": "无"},  # "无" counts as empty: missing
            {**good, "fixmedins_bchno": "B" * 31},
            {**good, "fixmedins_bchno": "B4", "purc_retn_cnt": "1.12345"},
            {**good, "fixmedins_bchno": "B5", "finl_trns_pric": "12345678901"},
            {**good, "fixmedins_bchno": "B6", "purc_retn_stoin_time": "2025-02-30 09:00:00"},
            {**good, "fixmedins_bchno": "B7", "prod_geay_flag": "2"},
            "not a row",
            {**good, "fixmedins_bchno": "B9", "memo": "无"},  # an optional "无" is simply empty
            {**good, "fixmedins_bchno": "B10", "memo": "a\x00b"},  # PostgreSQL stores no NUL
            {**good, "fixmedins_bchno": "B11", "memo": "a\ud800b"},  # nor a lone surrogate
        ]
        result = await send(sessions, "3503", {"purcinfo": rows})
        assert result["created"] == 2
        named = {(e["row"], e["field"]): e["reason"] for e in result["errors"]}
        assert list(named) == [(2, "med_list_codg"), (3, "fixmedins_bchno"), (4, "purc_retn_cnt"),
                               (5, "finl_trns_pric"), (6, "purc_retn_stoin_time"), (7, "prod_geay_flag"), (8, "row"),
                               (10, "memo"), (11, "memo")]
        assert "字符型 50" in named[(2, "med_list_codg")] and "无" in named[(2, "med_list_codg")]
        assert "字符型 30" in named[(3, "fixmedins_bchno")]
        assert "数值型 16,4" in named[(4, "purc_retn_cnt")]
        assert "数值型 16,6" in named[(5, "finl_trns_pric")]
        assert "日期时间型" in named[(6, "purc_retn_stoin_time")]
        none = await refused(sessions, "3503", [rows[1], rows[2]])
        assert none.status == 422 and [e["field"] for e in none.errors] == ["body.0.med_list_codg",
                                                                            "body.1.fixmedins_bchno"]

    async def test_mon11_patient_prescriber_and_pharmacist_identity_are_nowhere(self, sessions, caplog):
        """Dropped on receipt: not in any table (rows, outbox, inbox…) nor in any log line."""
        caplog.set_level(logging.DEBUG)
        await add_stent(sessions)
        result = await send(sessions, "3505", {"infno": "3505", "opter_name": "经办甲某", "input": {"selinfo": [
            sale("S1", "1", "2025-03-03 10:00:00", "600"), {**sale("S2", "x", "2025-03-03 10:00:00", "600")}]}})
        assert (result["created"], result["errors"][0]["field"]) == (1, "sel_retn_cnt")
        secrets = ["P-SECRET-PSN", "500101199001011234", "李四患者", "王医生甲", "赵药师乙", "PRAC-SECRET", "SETL-SECRET",
                   "MDTRT-SECRET", "钱经办", "经办甲某"]
        async with sessions() as session:
            tables = (await session.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))).scalars().all()
            everything = ""
            for table in tables:
                everything += " ".join((await session.execute(text(f'SELECT t::text FROM "{table}" t'))).scalars())
        assert "S1" in everything  # the sale is there …
        assert [s for s in secrets if s in everything] == []  # … and nobody's identity
        logged = " ".join(record.getMessage() + str(record.args) for record in caplog.records)
        assert [s for s in secrets if s in logged] == []


class TestChecks:
    async def test_mon11_missing_upload_price_above_agreed_and_charge_mismatch(self, sessions):
        """March 2025, checked on 11 April: H2 (agreements in force) sent nothing — upload missing,
        resolved when its rows come; H1 bought at 600.00 a unit above its agreed 590.00 (不得再次议价)
        and, a public hospital, sold the winning consumable at 650 where the with-service winning
        price is 600.00 (零差率收费)."""
        await add_stent(sessions, price_fen=60000)
        await deliver(sessions, accepted(1, "H1", A, 11, 10, 59000, date(2025, 3, 11)))
        await send(sessions, "3503", [purchase("B1", "10", "2025-03-10 10:00:00", price="600")])
        await send(sessions, "3505", [sale("S1", "1", "2025-03-12 10:00:00", "650"),
                                      sale("S2", "1", "2025-03-13 10:00:00", "600")])
        await send(sessions, "3503", [purchase("X1", "1", "2025-03-10 10:00:00")], hospital="H3")
        async with sessions() as session, session.begin():
            await alerts.run_alert_checks(session, today=date(2025, 4, 11))
        async with sessions() as session:
            found, _ = await alerts.listing(session, principal=ADMIN, filters={}, region_code=None, after_id=None,
                                            limit=50)
        kinds = {(a.kind, a.hospital_code): a.details for a in found if a.rule == "MON-11"}
        assert set(kinds) == {("his_upload_missing", "H2"), ("his_price", "H1"), ("charge_mismatch", "H1"),
                              ("off_platform", "H3")}
        assert (kinds[("his_price", "H1")]["highest_his_price"], kinds[("his_price", "H1")]["agreed_price"]) == (
            "600.00", "590.00")
        assert (kinds[("charge_mismatch", "H1")]["prices_charged"], kinds[("charge_mismatch", "H1")][
            "sales_at_another_price"]) == (["650"], 1)
        await send(sessions, "3503", [purchase("B9", "1", "2025-03-30 10:00:00")], hospital="H2",
                   now=datetime(2025, 4, 12, 1, tzinfo=SHANGHAI))
        async with sessions() as session:
            [missing], _ = await alerts.listing(session, principal=ADMIN, filters={"kind": "his_upload_missing"},
                                                region_code=None, after_id=None, limit=5)
            chosen, status = await checks.visible_upload_status(session, principal=ADMIN, month=None,
                                                                today=date(2025, 4, 12), hospital_code=None,
                                                                region_code=None, status=None)
        assert (missing.status, chosen) == ("resolved", "2025-03")
        assert [(s["hospital_code"], s["status"], s["rows"]) for s in status] == [
            ("H1", "on_time", {"purchase": 1, "sale": 2}), ("H2", "late", {"purchase": 1}),
            ("H3", "on_time", {"purchase": 1})]


class TestPages:
    async def test_mon11_a_page_holds_whole_hospitals_and_its_cursor_the_next(self, sessions):
        """Three hospitals with a row each, one row a page: H1, then H2, then H3 and no cursor."""
        await add_stent(sessions)
        for hospital in ("H1", "H2", "H3"):
            await send(sessions, "3503", [purchase("B1", "5", "2025-03-05 10:00:00")], hospital=hospital)
        pages, cursor = [], None
        while True:
            async with sessions() as session:
                _, rows, cursor = await reconciliation.visible_reconciliation(
                    session, principal=ADMIN, month="2025-03", today=date(2026, 1, 1), hospital_code=None,
                    batch_code=None, region_code=None, cursor=cursor, limit=1)
            pages.append([r["hospital_code"] for r in rows])
            if cursor is None:
                break
        assert pages == [["H1"], ["H2"], ["H3"]]


class TestScope:
    async def test_mon11_a_hospital_reads_its_own_an_insurer_its_region(self, sessions):
        """H1 (500103) and H2 (500157) are in Chongqing (500000), H3 (510104) in Sichuan."""
        await add_stent(sessions)
        for hospital in ("H1", "H2", "H3"):
            await send(sessions, "3503", [purchase("B1", "5", "2025-03-05 10:00:00")], hospital=hospital)
        everyone = [r["hospital_code"] for r in await month_rows(sessions, "2025-03")]
        own = [r["hospital_code"] for r in await month_rows(
            sessions, "2025-03", Principal(role=Role.HOSPITAL, tenant="H2", key_id="h2"))]
        foreign = await month_rows(sessions, "2025-03", Principal(role=Role.HOSPITAL, tenant="H2", key_id="h2"),
                                   hospital_code="H1")
        region = [r["hospital_code"] for r in await month_rows(
            sessions, "2025-03", Principal(role=Role.INSURER, tenant="500000", key_id="cq"))]
        company = await month_rows(sessions, "2025-03", Principal(role=Role.COMPANY, tenant=A, key_id="a"))
        narrowed = [r["hospital_code"] for r in await month_rows(sessions, "2025-03", region_code="510000")]
        assert (everyone, own, foreign, region, company, narrowed) == (
            ["H1", "H2", "H3"], ["H2"], [], ["H1", "H2"], [], ["H3"])
