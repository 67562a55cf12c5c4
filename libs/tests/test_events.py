"""DESIGN §6: the envelope, the versioned schema registry and the AsyncAPI document."""

import uuid
from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from vbpkit.events import envelope as envelope_module
from vbpkit.events.asyncapi import asyncapi_document
from vbpkit.events.catalog import InstitutionRegistered
from vbpkit.events.envelope import Envelope, Event, event_schema
from vbpkit.events.registry import UnknownEvent, parse_event, registered_events
from vbpkit.runtime.topology import SERVICES

INSTITUTION = {"code": "H1", "name": "重庆市人民医院", "level": 3, "kind": "public", "region_code": "500157"}


def envelope(type_: str = "catalog.institution.registered", version: int = 1, data: dict | None = None) -> Envelope:
    return Envelope(
        event_id=uuid.uuid4(),
        type=type_,
        version=version,
        occurred_at=datetime(2025, 6, 20, tzinfo=timezone.utc),
        producer=type_.split(".", 1)[0],
        key="H1",
        data=INSTITUTION if data is None else data,
    )


@pytest.fixture
def registry(monkeypatch):
    """A copy of the global registry for this test only, so throwaway events leave no trace."""
    monkeypatch.setattr(envelope_module, "SCHEMAS", dict(registered_events()))
    return envelope_module.SCHEMAS


class TestTheEnvelopeNamesAnEventTypeStrictly:
    """§6: ``type`` is ``<service>.<aggregate>.<verb>``; ``version`` starts at 1."""

    def test_a_well_formed_envelope_is_accepted(self):
        assert envelope().type == "catalog.institution.registered"
        assert envelope("contracts.agreed_volume.set").type == "contracts.agreed_volume.set"

    @pytest.mark.parametrize(
        "bad_type",
        [
            "catalog.institution",  # no verb
            "catalog.institution.registered.again",
            "Catalog.Institution.Registered",
            "catalog institution registered",
            "catalog.institution.registered-v2",
            "",
        ],
    )
    def test_a_bad_type_string_is_refused(self, bad_type):
        with pytest.raises(ValidationError) as error:
            envelope(bad_type)
        assert [e["loc"] for e in error.value.errors()] == [("type",)]

    def test_version_zero_is_refused(self):
        with pytest.raises(ValidationError) as error:
            envelope(version=0)
        assert [e["loc"] for e in error.value.errors()] == [("version",)]


class TestParseEventFindsTheRegisteredSchema:
    """§6: consumers parse ``data`` into the exact published (type, version)."""

    def test_a_registered_type_and_version_parse_into_its_model(self):
        event = parse_event(envelope())
        assert type(event) is InstitutionRegistered
        assert event.model_dump() == INSTITUTION

    def test_a_version_nobody_registered_is_an_unknown_event(self):
        with pytest.raises(UnknownEvent, match="catalog.institution.registered v2"):
            parse_event(envelope(version=2))

    def test_a_type_nobody_registered_is_an_unknown_event(self):
        with pytest.raises(UnknownEvent):
            parse_event(envelope("catalog.nothing.happened"))

    def test_data_that_does_not_fit_the_schema_is_refused(self):
        with pytest.raises(ValidationError):
            parse_event(envelope(data=INSTITUTION | {"level": 4}))
        with pytest.raises(ValidationError):
            parse_event(envelope(data=INSTITUTION | {"beds": 800}))

    def test_two_versions_of_one_type_parse_into_their_own_models(self, registry):
        @event_schema
        class InstitutionRegisteredV2(Event):
            type = "catalog.institution.registered"
            version = 2

            code: str
            registry_name: str

        v2 = parse_event(envelope(version=2, data={"code": "H1", "registry_name": "x"}))
        assert type(v2) is InstitutionRegisteredV2
        assert type(parse_event(envelope(version=1))) is InstitutionRegistered


class TestAnEventIdentityIsRegisteredOnce:
    """§6: a published (type, version) is never redefined; a change is a new version."""

    def test_a_second_class_under_the_same_type_and_version_is_refused(self, registry):
        @event_schema
        class ThingHappened(Event):
            type = "catalog.test_thing.happened"
            version = 1

            thing: str

        class ThingHappenedAgain(Event):
            type = "catalog.test_thing.happened"
            version = 1

            other: int

        with pytest.raises(ValueError, match="registered twice"):
            event_schema(ThingHappenedAgain)
        assert registry[("catalog.test_thing.happened", 1)] is ThingHappened

    def test_registering_the_same_class_again_is_harmless(self, registry):
        assert event_schema(InstitutionRegistered) is InstitutionRegistered
        assert registry[("catalog.institution.registered", 1)] is InstitutionRegistered

    def test_a_type_not_starting_with_a_producing_service_is_refused(self, registry):
        class GatewayThing(Event):
            type = "gateway.key.issued"
            version = 1

        with pytest.raises(ValueError, match="producing service"):
            event_schema(GatewayThing)
        assert ("gateway.key.issued", 1) not in registry

    def test_the_throwaway_registrations_did_not_leak(self):
        # runs after the tests above (file order): the global registry holds only real events
        assert ("catalog.test_thing.happened", 1) not in registered_events()
        assert ("catalog.institution.registered", 2) not in registered_events()


class TestTheAsyncApiDocumentDescribesEveryEvent:
    """§6: event schemas are published as an AsyncAPI 3 document, one channel per producer."""

    def test_it_is_asyncapi_3_with_a_channel_per_producer(self):
        document = asyncapi_document()
        assert document["asyncapi"] == "3.0.0"
        assert set(document["channels"]) == set(SERVICES)
        for producer, channel in document["channels"].items():
            assert channel["address"] == f"vbp.{producer}"
            operation = document["operations"][f"publish_{producer}"]
            assert operation["action"] == "send"
            assert operation["channel"] == {"$ref": f"#/channels/{producer}"}

    def test_every_registered_event_has_a_message_whose_data_is_its_schema(self, registry):
        # a second event with a nested model, so a shared or cached schema would show
        @event_schema
        class ThingHappened(Event):
            """A throwaway event for this test."""

            type = "contracts.test_thing.happened"
            version = 3

            thing: InstitutionRegistered
            count: int

        document = asyncapi_document()
        messages = document["components"]["messages"]
        assert set(messages) == {f"{t}.v{v}" for t, v in registered_events()}
        assert len(messages) >= 2
        for (event_type, version), schema in registered_events().items():
            name = f"{event_type}.v{version}"
            payload = messages[name]["payload"]
            expected = schema.model_json_schema(ref_template="#/components/schemas/{model}")
            nested = expected.pop("$defs", {})
            assert payload["properties"]["data"] == expected
            for model, definition in nested.items():  # nested models are shared components
                assert document["components"]["schemas"][model] == definition
            assert payload["properties"]["type"] == {"const": event_type}
            assert payload["properties"]["version"] == {"const": version}
            assert set(payload["required"]) >= {"event_id", "type", "version", "occurred_at", "producer", "key", "data"}
            channel = document["channels"][schema.producer()]
            assert channel["messages"][name] == {"$ref": f"#/components/messages/{name}"}

    def test_each_message_sits_only_on_its_producers_channel(self):
        document = asyncapi_document()
        on_channels = {
            name: producer for producer, channel in document["channels"].items() for name in channel["messages"]
        }
        assert on_channels["catalog.institution.registered.v1"] == "catalog"
        assert sum(len(c["messages"]) for c in document["channels"].values()) == len(
            document["components"]["messages"]
        )


class TestTheSupplyEventsTheNextServicesNeedArePublished:
    """§6 (MON-6 fill rate and lead time, MON-8 supply, CON-5 returns): the supply events are
    registered, so they appear in ``/asyncapi.json`` on the contracts channel; acceptance v2
    sits beside v1, which stays as published."""

    SUPPLY = {
        ("contracts.order_line.confirmed", 1): {"line", "confirmed_on"},
        ("contracts.order_line.declined", 1): {"line", "declined_on", "reason"},
        ("contracts.delivery.recorded", 1): {"delivery_id", "ordered_on", "delivered_on", "lines"},
        ("contracts.delivery.accepted", 2): {"ordered_on", "delivered_on", "accepted_on", "quantity"},
        ("contracts.delivery.returned", 1): {"quantity", "amount_fen", "reason", "returned_on"},
    }

    def test_each_supply_event_is_on_the_contracts_channel_with_its_fields(self):
        document = asyncapi_document()
        contracts_channel = document["channels"]["contracts"]["messages"]
        for (event_type, version), fields in self.SUPPLY.items():
            name = f"{event_type}.v{version}"
            assert name in contracts_channel
            data = document["components"]["messages"][name]["payload"]["properties"]["data"]
            assert fields <= set(data["required"])

    def test_acceptance_v1_is_kept_as_published_beside_v2(self):
        v1 = registered_events()[("contracts.delivery.accepted", 1)]
        v2 = registered_events()[("contracts.delivery.accepted", 2)]
        assert "return_reason" in v1.model_fields and "ordered_on" not in v1.model_fields
        assert "return_reason" not in v2.model_fields

    def test_a_return_is_a_positive_quantity_with_its_reason(self):
        returned = registered_events()[("contracts.delivery.returned", 1)]
        schema = returned.model_json_schema()
        assert "reason" in schema["required"] and "quantity" in schema["required"]
        assert schema["properties"]["quantity"]["exclusiveMinimum"] == 0
        with pytest.raises(ValidationError):
            returned.model_validate({**{f: 1 for f in returned.model_fields}, "hospital_code": "H", "batch_code": "B",
                                     "manufacturer_code": "M", "distributor_code": "D", "reason": "破损",
                                     "returned_on": "2026-07-01", "quantity": -1})
        assert "return_reason" not in returned.model_fields

    def test_a_delivered_line_carries_its_lot_and_quantity(self):
        document = asyncapi_document()
        line = document["components"]["schemas"]["DeliveredLineFacts"]
        assert {"quantity", "lot", "line_no"} <= set(line["required"])


class TestTheSettlementEventsArePublished:
    """§6 and issue 8 (SET-1 … SET-5): invoice, payment, prepayment, offset and refund events are registered, so they
    appear in ``/asyncapi.json`` on the settlement channel with the facts consumers need."""

    SETTLEMENT = {
        ("settlement.invoice.submitted", 1): {"invoice_id", "company_code", "hospital_code", "amount_fen", "due_on",
                                              "lines"},
        ("settlement.invoice.accepted", 1): {"invoice_id", "accepted_on", "due_on"},
        ("settlement.invoice.rejected", 1): {"invoice_id", "rejected_on", "reason"},
        ("settlement.invoice.reversed", 1): {"invoice_id", "reversed_on", "reason"},
        ("settlement.invoice.overdue", 1): {"invoice_id", "due_on", "overdue_on", "unpaid_fen"},
        ("settlement.payment.recorded", 1): {"payment_id", "invoice_id", "amount_fen", "paid_on", "unpaid_fen"},
        # issue 8: who paid (SET-5 the fund, or the hospital) and the ledger transaction (SET-6)
        ("settlement.payment.recorded", 2): {"payment_id", "invoice_id", "amount_fen", "paid_on", "unpaid_fen",
                                             "source", "fund", "ledger_transaction_id"},
        ("settlement.payment.reversed", 1): {"reversal_id", "payment_id", "invoice_id", "amount_fen", "reversed_on",
                                             "reason", "unpaid_fen", "ledger_transaction_id"},
        # SET-3 prepayments
        ("settlement.prepayment.planned", 1): {"plan_id", "hospital_code", "total_fen", "tranches"},
        ("settlement.prepayment.disbursed", 1): {"plan_id", "tranche", "amount_fen", "ledger_transaction_id"},
        ("settlement.prepayment.late", 1): {"plan_id", "tranche", "undisbursed_fen", "due_on", "late_on"},
        ("settlement.prepayment.disbursement_reversed", 1): {"plan_id", "reverses_disbursement_id", "amount_fen",
                                                             "ledger_transaction_id", "reason"},
        # SET-4: one per payable version, with the day the fund paid (monitoring's 及时拨付)
        ("settlement.offset.applied", 1): {"payable_id", "hospital_code", "fund", "month", "amount_fen",
                                           "direct_settlements_fen", "offset_fen", "net_fen", "paid_on", "offsets",
                                           "deductions"},
        ("settlement.refund.demanded", 1): {"refund_id", "plan_id", "hospital_code", "fund", "amount_fen",
                                            "demanded_on", "offsets_began", "window_closed"},
        ("settlement.refund.received", 1): {"refund_id", "receipt_id", "amount_fen", "received_on", "still_due_fen"},
    }

    def test_each_settlement_event_is_on_the_settlement_channel_with_its_fields(self):
        document = asyncapi_document()
        channel = document["channels"]["settlement"]["messages"]
        for (event_type, version), fields in self.SETTLEMENT.items():
            name = f"{event_type}.v{version}"
            assert name in channel
            data = document["components"]["messages"][name]["payload"]["properties"]["data"]
            assert fields <= set(data["required"])
