"""The ledger's account addresses (SET-6), built in one place so no caller spells one by hand.

Balance = Σ in − Σ out. ``fund:<kind>`` are the insurance funds (职工医保 employee, 居民医保
resident): the outside world's source of the money. ``hospital:<code>:purchases`` is the
origin of a hospital's debts to companies: an accepted invoice moves its amount from there
to the company's receivable, so it runs negative by what the hospital has ever owed. Those
two alone may go negative (the lead's money contract, issue 8); every other account is bounded.
"""

UNBOUNDED_PREFIXES = ("fund:",)
FUNDS = ("employee", "resident")


def fund(kind: str) -> str:
    if kind not in FUNDS:
        raise ValueError(f"unknown fund {kind!r}")
    return f"fund:{kind}"


def hospital_prepayment(hospital_code: str) -> str:
    """医保预付金 a hospital holds: disbursements in, offsets and refund demands out (SET-3/SET-4)."""
    return f"hospital:{hospital_code}:prepayment"


def hospital_payable(hospital_code: str) -> str:
    """The fund's monthly payable to a hospital (SET-4)."""
    return f"hospital:{hospital_code}:payable"


def hospital_settled(hospital_code: str) -> str:
    """Sink: Σ the monthly fund payables (SET-4) — what the fund has settled of the hospital's
    medical costs, whether paid in cash, by a prepayment offset or by direct settlement."""
    return f"hospital:{hospital_code}:settled"


def hospital_direct_settled(hospital_code: str) -> str:
    """What the fund paid companies on the hospital's behalf (SET-5), not yet deducted from
    one of its monthly payables (SET-4)."""
    return f"hospital:{hospital_code}:direct_settled"


def hospital_refund_due(hospital_code: str) -> str:
    """Prepayment demanded back from the hospital (SET-4), not yet received."""
    return f"hospital:{hospital_code}:refund_due"


def hospital_purchases(hospital_code: str) -> str:
    """Unbounded: where a hospital's debts to companies come from; negative by the accepted
    invoices (SET-1) still counted against it."""
    return f"hospital:{hospital_code}:purchases"


def company_receivable(credit_code: str) -> str:
    """What a company is owed for accepted invoices not yet paid (SET-1/SET-2/SET-5)."""
    return f"company:{credit_code}:receivable"


def company_received(credit_code: str) -> str:
    """Sink: what a company has been paid, by the hospital (SET-2) or by the fund (SET-5)."""
    return f"company:{credit_code}:received"


def overdraft_allowed(address: str) -> bool:
    return address.startswith(UNBOUNDED_PREFIXES) or (
        address.startswith("hospital:") and address.endswith(":purchases") and address.count(":") == 2)
