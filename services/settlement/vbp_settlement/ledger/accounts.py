"""The ledger's account addresses (SET-6), built in one place so no caller spells one by hand.

``fund:<kind>`` are the insurance funds (职工医保 employee, 居民医保 resident): the outside
world's source of the money, so they alone may go negative. Every other account is bounded.
"""

UNBOUNDED_PREFIXES = ("fund:",)


def fund(kind: str) -> str:
    if kind not in ("employee", "resident"):
        raise ValueError(f"unknown fund {kind!r}")
    return f"fund:{kind}"


def hospital_prepayment(hospital_code: str) -> str:
    """医保预付金 a hospital holds: disbursements in, offsets and refunds out (SET-3/SET-4)."""
    return f"hospital:{hospital_code}:prepayment"


def hospital_payable(hospital_code: str) -> str:
    """The fund's monthly payable to a hospital (SET-4)."""
    return f"hospital:{hospital_code}:payable"


def company_receivable(credit_code: str) -> str:
    """What a company is owed for accepted invoices (SET-1/SET-5)."""
    return f"company:{credit_code}:receivable"


def overdraft_allowed(address: str) -> bool:
    return address.startswith(UNBOUNDED_PREFIXES)


def hospital_settled(hospital_code: str) -> str:
    """Σ monthly fund payables (SET-4): what the fund settled for the hospital's medical costs,
    whether in cash, by offsetting the prepayment or by paying its companies directly."""
    return f"hospital:{hospital_code}:settled"


def hospital_direct_settled(hospital_code: str) -> str:
    """What the fund paid companies for the hospital (SET-5), not yet deducted from a payable."""
    return f"hospital:{hospital_code}:direct_settled"


def hospital_refund_due(hospital_code: str) -> str:
    """Prepayment demanded back (SET-4 退回), not yet received by the fund."""
    return f"hospital:{hospital_code}:refund_due"
