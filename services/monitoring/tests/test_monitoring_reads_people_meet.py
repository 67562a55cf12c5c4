"""Issue 23, items 3, 4 and 6, monitoring's reads as a person meets them: progress filtered by
``behind``; progress and alerts as ``.csv`` and ``.xlsx`` like the reports — every row the
filters select, the CSV with the API's field names, the workbook with a cover sheet (what,
filters, when, by whom), Chinese column names above the field names, money as numbers of yuan
and dates as dates; the hospital's name beside its code; and a recorded time that follows the
platform's clock."""

from __future__ import annotations

import csv
from datetime import date, datetime, timezone
from io import BytesIO, StringIO

import pytest
from monitoring_setup import A, accepted, add_batch_and_hospitals, agreement, deliver
from openpyxl import load_workbook
from vbp_monitoring.alerts.models import Alert
from vbp_monitoring.main import create_app
from vbp_monitoring.settings import MonitoringSettings
from vbpkit.projections.registry.models import CompanyView, InstitutionView
from vbpkit.web.xlsx import MEDIA_TYPE


@pytest.fixture
async def monitoring(service_client):
    """On 2025-04-10 (day 100 of 365): H1 accepted 60 of its 365 (behind), H2 300 of 365 (ahead)."""
    client = await service_client(create_app, MonitoringSettings, consumers_enabled=False,
                                  clock="frozen:2025-04-10T10:00:00+08:00")
    sessions = client.app.state.runtime.sessionmaker
    await add_batch_and_hospitals(sessions)
    async with sessions() as session, session.begin():
        (await session.get(InstitutionView, "H1")).name = "重庆市第一人民医院"
    await deliver(sessions, agreement(1, "H1", A, [(11, 365, 1000)]), agreement(2, "H2", A, [(11, 365, 1000)]),
                  accepted(1, "H1", A, 11, 60, 1000, date(2025, 3, 1)),
                  accepted(2, "H2", A, 11, 300, 1000, date(2025, 3, 1)))
    return client


class TestProgressBehind:
    async def test_behind_keeps_the_rows_behind_and_false_the_others(self, monitoring):
        every = (await monitoring.get("/progress")).json()["items"]
        assert {(row["key"]["hospital_code"], row["behind"]) for row in every} == {("H1", True), ("H2", False)}
        behind = (await monitoring.get("/progress", params={"behind": "true"})).json()["items"]
        assert [row["key"]["hospital_code"] for row in behind] == ["H1"]
        ahead = (await monitoring.get("/progress", params={"behind": "false"})).json()["items"]
        assert [row["key"]["hospital_code"] for row in ahead] == ["H2"]


class TestProgressDownloads:
    async def test_csv_has_every_selected_row_with_the_api_field_names(self, monitoring):
        response = await monitoring.get("/progress", params={"format": "csv", "limit": 1})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        assert "progress-2025-04-10-item.csv" in response.headers["content-disposition"]
        rows = list(csv.DictReader(StringIO(response.content.decode("utf-8-sig"))))
        assert [r["hospital_code"] for r in rows] == ["H1", "H2"]  # every row, not the page of one
        assert (rows[0]["accepted_quantity"], rows[0]["accepted_amount"], rows[0]["completion"],
                rows[0]["behind"]) == ("60", "600.00", "0.1644", "True")
        assert rows[0]["hospital_name"] == "重庆市第一人民医院"  # the name beside the code

    async def test_the_workbook_has_a_cover_chinese_headers_and_numbers(self, monitoring):
        response = await monitoring.get("/progress", params={"format": "xlsx", "behind": "true"})
        assert response.headers["content-type"] == MEDIA_TYPE
        book = load_workbook(BytesIO(response.content))
        cover, table = book.worksheets
        facts = {row[0]: row[1] for row in cover.iter_rows(min_row=2, values_only=True)}
        assert facts["behind"] is True and facts["group_by"] == "item"
        assert isinstance(facts["生成时间 (北京时间)"], datetime) and facts["生成者"]
        labels, names, *rows = list(table.iter_rows(values_only=True))
        assert labels[names.index("accepted_amount")] == "验收金额(元)"
        [h1] = rows
        assert (h1[names.index("hospital_code")], h1[names.index("hospital_name")]) == ("H1", "重庆市第一人民医院")
        assert h1[names.index("accepted_amount")] == 600 and h1[names.index("agreed_quantity")] == 365

    async def test_json_stays_the_default_and_a_format_it_does_not_know_is_a_422(self, monitoring):
        assert (await monitoring.get("/progress")).headers["content-type"] == "application/json"
        response = await monitoring.get("/progress", params={"format": "pdf"})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "query.format"


class TestAlertDownloads:
    async def test_alerts_as_csv_and_xlsx(self, monitoring):
        async with monitoring.app.state.runtime.sessionmaker() as session, session.begin():
            session.add(Alert(kind="behind", rule="MON-1", period="2025-03", batch_code="CQ", hospital_code="H1",
                              region_code="500103", raised_on=date(2025, 4, 1), details={}))
        rows = list(csv.DictReader(StringIO((await monitoring.get(
            "/alerts", params={"format": "csv"})).content.decode("utf-8-sig"))))
        assert [(r["kind"], r["hospital_code"], r["hospital_name"], r["raised_on"]) for r in rows] == [
            ("behind", "H1", "重庆市第一人民医院", "2025-04-01")]
        [alert] = (await monitoring.get("/alerts")).json()["items"]
        assert (alert["hospital_code"], alert["hospital_name"]) == ("H1", "重庆市第一人民医院")
        book = load_workbook(BytesIO((await monitoring.get("/alerts", params={"format": "xlsx"})).content))
        labels, names, row = list(book.worksheets[1].iter_rows(values_only=True))
        assert labels[names.index("raised_on")] == "预警日期"
        assert row[names.index("raised_on")] == datetime(2025, 4, 1)


class TestRecordedTimesFollowThePlatformsClock:
    async def test_a_breach_recorded_on_a_frozen_platform_bears_the_platforms_time(self, monitoring):
        """Issue 23, item 6: in ``make demo`` ``recorded_at`` showed real 2026 times beside 2023
        business dates; a row the platform records carries its clock's instant."""
        async with monitoring.app.state.runtime.sessionmaker() as session, session.begin():
            session.add(CompanyView(credit_code=A, name="某医疗器械有限公司", roles=["manufacturer"],
                                    as_of=datetime.now(timezone.utc)))
        recorded = await monitoring.post("/breaches", json={
            "company_code": A, "kind": "quality", "severity": "一般", "occurred_on": "2025-04-09",
            "description": "质量问题"})
        assert recorded.status_code == 201, recorded.text
        assert datetime.fromisoformat(recorded.json()["recorded_at"]) == datetime(2025, 4, 10, 2, tzinfo=timezone.utc)
