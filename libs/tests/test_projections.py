"""DESIGN §2 read models declared once (vbpkit.projections): the registry (CAT-9, with the
SET-3 fund) and the catalog view (CAT-1 typed policy and groups), filled by the same
handlers in every service, stale events ignored, both BatchPublished versions accepted; and
each service's migration moves its earlier institution read model without losing a row."""

import asyncio
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

from vbpkit.db.engine import create_sessionmaker
from vbpkit.events import Envelope
from vbpkit.events.catalog import BatchPublished, BatchPublishedV2, CompanyRegistered, InstitutionRegistered
from vbpkit.db.migrations import alembic_config, upgrade_to_head
from vbpkit.domain.policy import PRESETS, agreement_years, policy_from_preset
from vbpkit.domain.policy.rules import StentRenewal
from vbpkit.web.problems import Problem
from vbpkit.projections import CatalogView, Registry, include_tables
from vbpkit.projections.catalog_view import repository as catalog_view
from vbpkit.projections.migrations import create_catalog_view_v1, create_registry_v1
from vbpkit.projections.registry import repository as registry

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 7, 1, 9, tzinfo=timezone.utc)


def envelope(event, at: datetime) -> Envelope:
    return Envelope(event_id=uuid.uuid4(), type=event.type, version=event.version, occurred_at=at,
                    producer="catalog", key="k", data=event.model_dump(mode="json"))


def institution(code: str, level: int, name: str = "医院") -> InstitutionRegistered:
    return InstitutionRegistered(code=code, name=name, level=level, kind="public", region_code="500101")


def batch_facts(code: str, **changes) -> dict:
    return dict(code=code, name="冠脉支架", kind="consumable", organiser_level="provincial", document_no="渝医保办〔2023〕3号",
                starts_on=date(2023, 1, 31), ends_on=date(2026, 1, 30), planned_ends_on=date(2026, 1, 30),
                cycle_years=3, ended_early_on=None, end_reason=None,
                groups=[{"code": "A", "name": "A组"}], **changes)


@pytest.fixture
async def projected(new_database):
    """A database holding both projections' tables, built by their migration steps."""
    engine = create_async_engine(await new_database("projection"))

    def migrate(connection):
        with Operations.context(MigrationContext.configure(connection)):
            create_registry_v1()
            create_catalog_view_v1()

    async with engine.begin() as connection:
        await connection.run_sync(migrate)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def apply(sessionmaker, handler, *pairs):
    async with sessionmaker() as session, session.begin():
        await handler(session, [(event, envelope(event, at)) for event, at in pairs])


class TestRegistryProjection:
    async def test_the_fund_follows_the_level(self, projected):
        """SET-3 (seeds 000/002): level ≥ 2 → employee fund (职工医保), else resident (居民医保)."""
        handler = Registry.handlers["catalog.institution.registered"]
        await apply(projected, handler, (institution("H1", 1), T0), (institution("H2", 2), T0),
                    (institution("H3", 3), T0))
        async with projected() as session:
            funds = {code: (await registry.institution(session, code)).fund for code in ("H1", "H2", "H3")}
            assert (await registry.institution(session, "H2")).region_code == "500101"
        assert funds == {"H1": "resident", "H2": "employee", "H3": "employee"}

    async def test_an_older_event_never_overwrites_a_newer_one(self, projected):
        handler = Registry.handlers["catalog.institution.registered"]
        await apply(projected, handler, (institution("H1", 3, "新名"), T0 + timedelta(minutes=1)))
        await apply(projected, handler, (institution("H1", 1, "旧名"), T0))
        async with projected() as session:
            row = await registry.institution_or_404(session, "H1")
        assert (row.name, row.level, row.fund) == ("新名", 3, "employee")

    async def test_an_unknown_institution_is_a_404_and_known_ones_are_found(self, projected):
        await apply(projected, Registry.handlers["catalog.institution.registered"], (institution("H1", 2), T0))
        async with projected() as session:
            with pytest.raises(Problem) as raised:
                await registry.institution_or_404(session, "NOPE")
            assert await registry.known_institutions(session, ["H1", "NOPE"]) == {"H1"}
        assert raised.value.status == 404

    async def test_companies_keep_their_roles(self, projected):
        company = CompanyRegistered(credit_code="91350100M000100Y43", name="某公司", roles=["manufacturer", "distributor"])
        await apply(projected, Registry.handlers["catalog.company.registered"], (company, T0))
        async with projected() as session:
            assert (await registry.company(session, "91350100M000100Y43")).roles == ["manufacturer", "distributor"]


class TestCatalogViewProjection:
    async def test_v1_and_v2_both_give_the_typed_policy_and_groups(self, projected):
        """§6: consumers handle both versions of catalog.batch.published; a v1 policy dict is
        parsed into the typed ExecutionPolicy (CAT-1, §4)."""
        handler = CatalogView.handlers["catalog.batch.published"]
        v1 = BatchPublished(**batch_facts("B1"), policy=PRESETS["chongqing-stent-2023"].model_dump(mode="json"))
        v2 = BatchPublishedV2(**batch_facts("B2"), policy=policy_from_preset("chongqing-stent-2023",
                                                                            {"prepayment_ratio": "0.8"}))
        await apply(projected, handler, (v1, T0), (v2, T0))
        async with projected() as session:
            first, second = await catalog_view.batch(session, "B1"), await catalog_view.batch(session, "B2")
        assert isinstance(first.policy.renewal, StentRenewal) and first.policy == PRESETS["chongqing-stent-2023"]
        assert str(second.policy.prepayment_ratio) == "0.8"
        assert first.groups == [{"code": "A", "name": "A组"}]
        assert agreement_years(first.cycle).value == 3 and first.cycle.preset == "chongqing-stent-2023"

    async def test_an_older_publication_does_not_undo_an_early_end(self, projected):
        handler = CatalogView.handlers["catalog.batch.published"]
        ended = BatchPublishedV2(**batch_facts("B1") | {"ends_on": date(2024, 3, 31), "ended_early_on": date(2024, 3, 31)},
                                 policy=PRESETS["chongqing-stent-2023"])
        first = BatchPublishedV2(**batch_facts("B1"), policy=PRESETS["chongqing-stent-2023"])
        await apply(projected, handler, (ended, T0 + timedelta(minutes=1)))
        await apply(projected, handler, (first, T0))
        async with projected() as session:
            row = await catalog_view.batch_or_422(session, "B1")
            with pytest.raises(Problem) as raised:
                await catalog_view.batch_or_422(session, "NOPE", field="body.batch")
        assert row.ends_on == date(2024, 3, 31) and agreement_years(row.cycle).value == 2
        assert raised.value.status == 422


class TestSwitchingProjectionsOn:
    def test_the_tables_join_the_service_metadata(self):
        metadata = include_tables(MetaData(), [Registry, CatalogView])
        assert set(metadata.tables) == {"institution_view", "company_view", "batch_view", "product_view"}


@pytest.mark.parametrize(("service", "before", "old_table", "columns", "values"), [
    ("contracts", "0003", "hospital_parties", "code, name, kind, level, as_of", "'H1', '医院', 'public', 3, now()"),
    ("settlement", "0001", "funded_hospitals", "code, name, level, fund, as_of", "'H1', '医院', 3, 'employee', now()"),
    ("monitoring", "0001", "monitored_hospitals", "code, name, level, region_code, as_of",
     "'H1', '医院', 3, '500101', now()"),
])
async def test_the_migration_moves_the_old_institution_read_model(service, before, old_table, columns, values,
                                                                   new_database):
    """A database with the old read model keeps its rows in institution_view (issue 7)."""
    url = await new_database(f"mv_{service}")
    migrations = ROOT / "services" / service / "migrations"
    await asyncio.to_thread(command.upgrade, alembic_config(migrations, url), before)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"INSERT INTO {old_table} ({columns}) VALUES ({values})"))
        await asyncio.to_thread(upgrade_to_head, migrations, url)
        async with engine.connect() as connection:
            row = (await connection.execute(text("SELECT * FROM institution_view"))).mappings().one()
            gone = await connection.scalar(text(f"SELECT to_regclass('{old_table}')"))
    finally:
        await engine.dispose()
    assert (row["code"], row["level"], row["fund"]) == ("H1", 3, "employee") and gone is None
    assert row["kind"] == ("public" if service == "contracts" else None)
    assert row["region_code"] == ("500101" if service == "monitoring" else None)


async def _migrate_with_rows(new_database, service: str, before: str, statements: list[str], queries: dict[str, str]):
    """Upgrade ``service`` to ``before``, run ``statements``, read ``queries``; upgrade to head and
    read them again (the same names in each service's tables of before and after)."""
    url = await new_database(f"mv_{service}")
    migrations = ROOT / "services" / service / "migrations"
    await asyncio.to_thread(command.upgrade, alembic_config(migrations, url), before)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
        await asyncio.to_thread(upgrade_to_head, migrations, url)
        async with engine.connect() as connection:
            return {name: (await connection.execute(text(query))).all() for name, query in queries.items()}
    finally:
        await engine.dispose()


class TestTheAcceptedLinesMoveIntoTheProjection:
    """Issue 22, item 2: settlement's and monitoring's accepted lines become one projection; each
    service's migration keeps every line, every return and every biller."""

    async def test_settlements_lines_keep_their_biller_and_their_returns_become_dated_rows(self, new_database):
        line = ("INSERT INTO accepted_lines (delivery_id, line_no, order_id, hospital_code, biller_code, "
                "manufacturer_code, distributor_code, batch_code, product_id, agreement_id, unit_price_fen, "
                "accepted_quantity, returned_quantity, accepted_on, as_of) VALUES ({d}, 1, {d}, 'H1', 'D{d}', 'M', "
                "'D{d}', 'B', 11, 7, 1000, 10, {returned}, '2025-03-0{d}', now())")
        after = await _migrate_with_rows(new_database, "settlement", "0009", [
            line.format(d=1, returned=0),
            line.format(d=2, returned=3),  # returned before returns were dated: no row for it
            line.format(d=3, returned=4),  # 1 dated, 3 counted before
            "INSERT INTO accepted_line_returns (delivery_id, line_no, quantity, returned_on) "
            "VALUES (3, 1, 1, '2025-03-20')",
        ], {
            "lines": "SELECT delivery_id, quantity, accepted_on FROM accepted_lines ORDER BY 1",
            "billing": "SELECT delivery_id, biller_code, order_id, agreement_id FROM billing_lines ORDER BY 1",
            "returns": "SELECT delivery_id, quantity, returned_on FROM line_returns ORDER BY 1, 3",
        })
        assert [(d, q) for d, q, _ in after["lines"]] == [(1, 10), (2, 10), (3, 10)]
        assert after["billing"] == [(1, "D1", 1, 7), (2, "D2", 2, 7), (3, "D3", 3, 7)]
        assert after["returns"] == [(2, 3, date(2025, 3, 2)), (3, 3, date(2025, 3, 3)), (3, 1, date(2025, 3, 20))]

    async def test_monitorings_lines_and_returns_stay_as_they_are(self, new_database):
        after = await _migrate_with_rows(new_database, "monitoring", "0014", [
            "INSERT INTO accepted_lines (delivery_id, line_no, hospital_code, batch_code, agreement_year, "
            "manufacturer_code, product_id, quantity, unit_price_fen, accepted_on) "
            "VALUES (1, 1, 'H1', 'B', 1, 'M', 11, 10, 1000, '2025-03-01'), (2, 1, 'H1', 'B', 2, 'M', 11, 5, 1000, "
            "'2026-03-01')",
            "INSERT INTO line_returns (delivery_id, line_no, quantity, returned_on) VALUES (1, 1, 2, '2025-03-05')",
        ], {
            "lines": "SELECT delivery_id, agreement_year, quantity, as_of = 'epoch' FROM accepted_lines ORDER BY 1",
            "returns": "SELECT delivery_id, quantity, returned_on FROM line_returns",
        })
        assert after["lines"] == [(1, 1, 10, True), (2, 2, 5, True)]
        assert after["returns"] == [(1, 2, date(2025, 3, 5))]


class TestMonitoringsAlertPeriodsBecomeMonths:
    async def test_onboarding_and_pre_listing_periods_become_the_month_they_are_due(self, new_database):
        """Issue 23, item 7 (monitoring 0016): every alert's period is the month its facts belong
        to; MON-3's "onboarding" becomes its check day's month (start + 2 months) and CAT-12's
        deadline date the deadline's month; the other kinds stay as they were."""
        alert = ("INSERT INTO alerts (kind, rule, period, batch_code, hospital_code, raised_on, details) "
                 "VALUES ('{}', '{}', '{}', 'B', '{}', '2025-09-01', '{{}}')")
        after = await _migrate_with_rows(new_database, "monitoring", "0015", [
            "INSERT INTO batch_view (code, name, kind, starts_on, ends_on, policy, as_of) "
            "VALUES ('B', 'B', 'consumable', '2025-06-20', '2027-06-19', '{}', now())",
            alert.format("onboarding", "MON-3", "onboarding", "H1"),
            alert.format("pre_listing", "CAT-12", "2025-06-05", ""),
            alert.format("stockpiling", "MON-2", "2025-07", "H1"),
        ], {"periods": "SELECT kind, period FROM alerts ORDER BY id"})
        assert after["periods"] == [("onboarding", "2025-08"), ("pre_listing", "2025-06"), ("stockpiling", "2025-07")]
