"""GW-5: which roles may call which route, checked before anything is forwarded.

Reads are open to every authenticated role — the services scope them to the
caller's tenant. Writes are an allow-list: a write route nobody listed here is for
admins only, so a new service route is closed until someone decides who may use it.
"""

from __future__ import annotations

import re

from vbpkit.web.identity import Role

READ_METHODS = frozenset({"GET", "HEAD"})

EXCHANGE_OR_INSURER = frozenset({Role.EXCHANGE, Role.INSURER})
WRITE_RULES: list[tuple[str, str, re.Pattern[str], frozenset[Role]]] = [
    ("POST", "catalog", re.compile(r"^/institutions$"), EXCHANGE_OR_INSURER),
    ("POST", "catalog", re.compile(r"^/companies$"), EXCHANGE_OR_INSURER),
    ("POST", "catalog", re.compile(r"^/batches$"), EXCHANGE_OR_INSURER),
    ("POST", "catalog", re.compile(r"^/batches/[^/]+/(extension|early-end)$"), frozenset({Role.INSURER})),
    ("POST", "catalog", re.compile(r"^/batches/[^/]+/products(/import)?$"), frozenset({Role.EXCHANGE})),
    ("POST", "catalog", re.compile(r"^/products/[^/]+/status$"), EXCHANGE_OR_INSURER),
    ("POST", "catalog", re.compile(r"^/products/[^/]+/lower-prices$"), frozenset({Role.EXCHANGE})),
    ("POST", "catalog", re.compile(r"^/products/[^/]+/price-reductions$"), frozenset({Role.COMPANY, Role.EXCHANGE})),
    ("POST", "catalog", re.compile(r"^/lower-prices/checks$"), frozenset({Role.INSURER})),
    ("POST", "catalog", re.compile(r"^/batches/[^/]+/national-lowest-prices$"), frozenset({Role.EXCHANGE})),
    ("POST", "catalog", re.compile(r"^/pre-listings/checks$"), frozenset({Role.INSURER})),
    ("PUT", "catalog", re.compile(r"^/calendar/[^/]+$"), frozenset({Role.INSURER})),
    ("PUT", "catalog", re.compile(r"^/products/[^/]+/payment-standard$"), frozenset({Role.INSURER})),
    ("POST", "contracts", re.compile(r"^/agreed-volumes$"), EXCHANGE_OR_INSURER),
    ("POST", "contracts", re.compile(r"^/agreements/generation$"), EXCHANGE_OR_INSURER),
    ("POST", "contracts", re.compile(r"^/agreements/[^/]+/distributor$"), frozenset({Role.COMPANY})),
    ("POST", "contracts", re.compile(r"^/agreements/[^/]+/service-option$"), frozenset({Role.HOSPITAL})),
    ("POST", "contracts", re.compile(r"^/agreements/[^/]+/signatures$"), frozenset({Role.HOSPITAL, Role.COMPANY})),
    ("POST", "contracts", re.compile(r"^/agreements/[^/]+/distributor-revocation$"), EXCHANGE_OR_INSURER),
    ("POST", "contracts", re.compile(r"^/orders(/bulk)?$"), frozenset({Role.HOSPITAL})),
    ("POST", "contracts", re.compile(r"^/orders/[^/]+/confirmation$"), frozenset({Role.COMPANY})),
    ("POST", "contracts", re.compile(r"^/deliveries$"), frozenset({Role.COMPANY})),
    ("POST", "contracts", re.compile(r"^/deliveries/[^/]+/acceptance$"), frozenset({Role.HOSPITAL})),
    ("POST", "contracts", re.compile(r"^/returns$"), frozenset({Role.HOSPITAL})),
    ("POST", "settlement", re.compile(r"^/invoices(/bulk)?$"), frozenset({Role.COMPANY})),
    ("POST", "settlement", re.compile(r"^/invoices/overdue-checks$"), frozenset({Role.INSURER})),
    ("POST", "settlement", re.compile(r"^/invoices/[^/]+/acceptance$"), frozenset({Role.HOSPITAL})),
    ("POST", "settlement", re.compile(r"^/invoices/[^/]+/reversal$"), frozenset({Role.COMPANY})),
    ("POST", "settlement", re.compile(r"^/payments$"), frozenset({Role.HOSPITAL})),
    ("POST", "settlement", re.compile(r"^/payments/[^/]+/reversal$"), frozenset({Role.HOSPITAL})),
    ("POST", "settlement", re.compile(r"^/prepayments/late-checks$"), frozenset({Role.INSURER})),
    ("PUT", "settlement", re.compile(r"^/prepayments/[^/]+/total$"), frozenset({Role.INSURER})),
    ("POST", "settlement", re.compile(r"^/prepayments/[^/]+/disbursements$"), frozenset({Role.INSURER})),
    ("POST", "settlement", re.compile(r"^/prepayments/[^/]+/disbursements/[^/]+/reversal$"),
     frozenset({Role.INSURER})),
    ("PUT", "settlement", re.compile(r"^/direct-settlement-regions/[^/]+$"), frozenset({Role.INSURER})),
    ("POST", "settlement", re.compile(r"^/fund-payables$"), frozenset({Role.INSURER})),
    ("POST", "settlement", re.compile(r"^/refund-checks$"), frozenset({Role.INSURER})),
    ("POST", "settlement", re.compile(r"^/refunds/[^/]+/receipts$"), frozenset({Role.INSURER})),
    ("POST", "monitoring", re.compile(r"^/alert-checks$"), frozenset({Role.INSURER})),
    ("POST", "monitoring", re.compile(r"^/baseline-prices$"), frozenset({Role.EXCHANGE})),
    ("POST", "monitoring", re.compile(r"^/non-winning-purchases$"), frozenset({Role.EXCHANGE})),
    ("POST", "monitoring", re.compile(r"^/alerts/[^/]+/acknowledgement$"), frozenset({Role.INSURER, Role.HOSPITAL})),
    ("POST", "monitoring", re.compile(r"^/breaches$"), frozenset({Role.INSURER})),
    ("POST", "monitoring", re.compile(r"^/breaches/[^/]+/exemption$"), frozenset({Role.INSURER})),
]


def allowed_roles(method: str, service: str, path: str) -> frozenset[Role]:
    if method in READ_METHODS:
        return frozenset(Role)
    for rule_method, rule_service, pattern, roles in WRITE_RULES:
        if rule_method == method and rule_service == service and pattern.match(path):
            return roles | {Role.ADMIN}
    return frozenset({Role.ADMIN})
