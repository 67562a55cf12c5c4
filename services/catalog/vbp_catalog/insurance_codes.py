"""CAT-11 national insurance codes (国家医保药品/医用耗材代码), checked against the structure the
National Healthcare Security Administration publishes for each — upper-case letters and
digits in fixed parts, no check character:

- **医用耗材** (医保医用耗材分类与代码): 20 characters in five parts — ``C`` (耗材标识码),
  6 digits of classification (分类码: 学科、用途、部位/功能), 3 digits of generic name
  (通用名码), 5 digits of product features (产品特征码: 材质、规格…), 5 digits of the
  manufacturer (生产企业码); the code database also publishes each single product under a
  27-character code, those 20 followed by 7 digits (单件产品码). Both are accepted.
- **西药** (医保药品分类与代码): 23 characters — ``X``, the ATC chemical subgroup (letter,
  2 digits, 2 letters, e.g. ``J01CA``), the generic name (letter + 3 digits), the dosage form
  (letter + 3 digits), specification and pack (4 digits), the company (5 digits), as in
  ``XJ01CAA040A001010102699`` (阿莫西林片).
- **中成药**: 20 characters — ``Z``, the category (letter, 2 digits, 2 letters), the
  generic name (letter + 4 digits), specification and pack (4 digits), the company (5 digits).

A code is stored as published: spaces and separators a spreadsheet adds are removed and
letters upper-cased, so a search finds it however it was typed. A drug batch takes drug
codes and a consumable batch device codes, as for registration numbers (CAT-3).
"""

from __future__ import annotations

import re

_SHAPES = {
    "device": re.compile(r"^C\d{6}\d{3}\d{5}\d{5}(\d{7})?$"),
    "drug": re.compile(r"^(X[A-Z]\d{2}[A-Z]{2}[A-Z]\d{3}[A-Z]\d{3}\d{4}\d{5}|Z[A-Z]\d{2}[A-Z]{2}[A-Z]\d{4}\d{4}\d{5})$"),
}
SHAPE_TEXT = {
    "device": "C + 19 digits (医用耗材: 6 classification, 3 generic name, 5 features, 5 manufacturer), "
              "optionally + 7 digits of the single product (27 characters)",
    "drug": "X + ATC subgroup (e.g. J01CA) + letter and 3 digits (name) + letter and 3 digits (dosage form) + "
            "9 digits (西药, 23 characters), or Z + category (e.g. A01AA) + letter and 4 digits + 9 digits "
            "(中成药, 20 characters)",
}
_SEPARATORS = re.compile(r"[\s\-_.·]+")
_SEARCH = re.compile(r"^[CXZ][0-9A-Z]{0,26}$")


def normalise(code: str) -> str:
    return _SEPARATORS.sub("", code).upper()


def kind_of(code: str) -> str | None:
    """``device`` or ``drug`` for a well-formed (normalised) code, None for anything else."""
    for kind, shape in _SHAPES.items():
        if shape.match(code):
            return kind
    return None


def problem(code: str, kind: str) -> str | None:
    """Why ``code`` is not a national insurance code of ``kind`` (``drug`` | ``device``), or None."""
    found = kind_of(code)
    if found == kind:
        return None
    if found is not None:
        return (f"{code} is a national insurance {found} code; this batch's products take {kind} codes: "
                f"{SHAPE_TEXT[kind]} (CAT-11)")
    return f"{code!r} is not a national insurance code: {SHAPE_TEXT[kind]} (CAT-11)"


def search_prefix(text: str) -> str | None:
    """A search term as a code prefix — a whole code, or its first parts (a classification such
    as ``C0301`` finds every product under it); None when it cannot begin any code."""
    term = normalise(text)
    return term if _SEARCH.match(term) else None
