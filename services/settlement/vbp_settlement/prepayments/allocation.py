"""SET-3/SET-6: how a plan's total is spread over its tranches — pure rules, no database.

A first plan splits the total by the policy's shares, the rounding remainder on the last
tranche (vbpkit.domain.money.split). When the total changes later, a tranche that has received
money keeps its amount; the tranches that have received nothing absorb the change by their
shares; if every tranche has received money, an increase becomes a top-up tranche. A
decrease takes from open tranches first, then from the last touched ones down to what they
received — never below, so no amount is ever negative and what was paid stays covered;
anything still above the total then is reported as ``excess_fen`` (recovered by SET-4).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from vbpkit.domain.money import split


@dataclass(frozen=True)
class TrancheState:
    number: int
    share: Decimal | None  # None for a top-up
    amount_fen: int
    disbursed_fen: int


@dataclass(frozen=True)
class Reallocation:
    amounts: dict[int, int]  # tranche number → new amount
    top_up_fen: int  # a new tranche to add (0: none)
    excess_fen: int  # disbursed beyond the new total (0 normally)
    how: str


def first_split(total_fen: int, shares: list[Decimal]) -> list[int]:
    return split(total_fen, shares)


def reallocate(tranches: list[TrancheState], total_fen: int) -> Reallocation:
    amounts = {t.number: t.amount_fen for t in tranches}
    current = sum(amounts.values())
    if total_fen == current:
        return Reallocation(amounts, 0, 0, "unchanged")
    open_ = [t for t in tranches if t.disbursed_fen == 0]
    touched = sum(t.amount_fen for t in tranches if t.disbursed_fen > 0)
    if open_ and total_fen >= touched:
        weights = [t.share if t.share is not None else Decimal(max(t.amount_fen, 1)) for t in open_]
        for t, part in zip(open_, split(total_fen - touched, weights), strict=True):
            amounts[t.number] = part
        return Reallocation(amounts, 0, 0, "the undisbursed tranches absorb the change by their shares")
    if total_fen > current:
        return Reallocation(amounts, total_fen - current, 0, "every tranche has received money: a top-up tranche")
    # A decrease below what the touched tranches hold: open ones go to zero, then the latest
    # touched ones shrink, each down to what it received.
    for t in open_:
        amounts[t.number] = 0
    cut = sum(amounts.values()) - total_fen
    for t in sorted(tranches, key=lambda t: t.number, reverse=True):
        if cut <= 0:
            break
        take = min(cut, amounts[t.number] - t.disbursed_fen)
        if take > 0:
            amounts[t.number] -= take
            cut -= take
    return Reallocation(amounts, 0, max(cut, 0), "a decrease: open tranches emptied, then the latest cut to what they received")
