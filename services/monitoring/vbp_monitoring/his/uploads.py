"""MON-11 uploads: a hospital's rows of the national interfaces 3501–3506, and deletions (3507),
keyed as nationally by (hospital, data type, ``fixmedins_bchno``) — see the package's docstring."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.db.repository import as_json, lock_for_transaction
from vbpkit.events.monitoring import HisRowsDeleted, HisRowsUploaded
from vbpkit.messaging import outbox
from vbpkit.runtime.clock import SHANGHAI
from vbpkit.web.problems import Problem

from vbp_monitoring.his import national, repository
from vbp_monitoring.his.months import month_text
from vbp_monitoring.his.national import DELETES, INTERFACES, EnvelopeError, code_key

MAX_ROWS = 10_000



def _problem(where: str, reason: str) -> Problem:
    return Problem(422, "validation-error", "Not a national upload", f"{where} {reason}",
                   errors=[{"field": where, "reason": reason}])


async def upload(session: AsyncSession, *, hospital: str, infno: str, body: Any, now: datetime) -> dict:
    """Store a call's rows of interface ``infno`` (3501–3506) for ``hospital``."""
    interface = INTERFACES[infno]
    try:
        sent = national.unwrap(body, interface)
    except EnvelopeError as exc:
        raise _problem(exc.field, exc.reason) from None
    if len(sent.rows) > MAX_ROWS:
        raise _problem(sent.path, f"holds {len(sent.rows):,} rows; a call takes at most {MAX_ROWS:,}")
    if not sent.rows:
        raise _problem(sent.path, "holds no rows")
    errors: list[dict] = []
    records: dict[str, tuple[int, str, tuple]] = {}  # bchno → (row, hash, record)
    unchanged = 0
    for number, raw in enumerate(sent.rows, start=1):
        if not isinstance(raw, dict):
            errors.append({"row": number, "field": "row", "reason": "is not an object of national fields"})
            continue
        # identity first, so that nothing below reads it (not even to refuse it); read_row checks
        # every field it keeps (type, length, NUL, digits), so no generic scan of the row is needed
        values, kept, problems = national.read_row(interface, national.without_identity(raw))
        if problems:
            errors += [{"row": number, "field": where, "reason": reason} for where, reason in problems]
            continue
        kept_json = as_json(kept)  # the fields column, and what the content hash is of
        digest = hashlib.sha256(kept_json.encode()).hexdigest()
        bchno = values["fixmedins_bchno"]
        if bchno in records:
            earlier, earlier_digest, _ = records[bchno]
            if earlier_digest == digest:
                unchanged += 1
            else:
                errors.append({"row": number, "field": "fixmedins_bchno",
                               "reason": f"repeats row {earlier}'s key {bchno} with other content"})
            continue
        at = values[interface.time]
        if isinstance(at, date) and not isinstance(at, datetime):
            at = datetime(at.year, at.month, at.day, tzinfo=SHANGHAI)
        records[bchno] = (number, digest, (
            hospital, interface.data_type, bchno, code_key(values["med_list_codg"]), values[interface.quantity],
            values.get(interface.price) if interface.price else None, at, at.astimezone(SHANGHAI).date().replace(day=1),
            values.get("spler_name"), kept_json, digest, now))
    await lock_for_transaction(session, "his_records", [hospital])
    stored = await repository.stored_hashes(session, hospital, {(interface.data_type, b) for b in records})
    new = []
    for bchno, (number, digest, record) in records.items():
        before = stored.get((interface.data_type, bchno))
        if before is None:
            new.append(record)
        elif before == digest:
            unchanged += 1
        else:
            errors.append({"row": number, "field": "fixmedins_bchno", "conflict": True, "reason": (
                f"{bchno} is stored with other content; delete it first (3507, inv_data_type "
                f"{interface.inv_data_type}) to send it anew")})
    errors.sort(key=lambda e: e["row"])
    if errors and not new and not unchanged:
        conflict = all(e.get("conflict") for e in errors)
        located = [{"field": ".".join(filter(None, (sent.where(e["row"]), None if e["field"] == "row" else e["field"]))),
                    "row": e["row"], "reason": e["reason"]} for e in errors]
        raise Problem(409 if conflict else 422, "conflict" if conflict else "validation-error",
                      "Stored with other content" if conflict else "No valid rows",
                      f"no row could be stored ({len(errors)} refusals); nothing was stored", errors=located)
    await repository.store(session, new)
    months = sorted({month_text(r[7]) for r in new})
    await repository.resolve_missing_uploads(session, hospital, set(months), now.astimezone(SHANGHAI).date())
    outbox.add(session, HisRowsUploaded(
        hospital_code=hospital, interface=infno, data_type=interface.data_type, msgid=sent.msgid,
        received=len(sent.rows), stored=len(new), unchanged=unchanged, refused=len({e["row"] for e in errors}),
        months=months), key=hospital)
    return {"received": len(sent.rows), "created": len(new), "updated": 0, "unchanged": unchanged,
            "errors": [{k: v for k, v in e.items() if k != "conflict"} for e in errors]}


async def remove(session: AsyncSession, *, hospital: str, body: Any) -> dict:
    """3507 商品信息删除: delete each (``fixmedins_bchno``, ``inv_data_type``) sent."""
    interface = INTERFACES["3507"]
    try:
        sent = national.unwrap(body, interface)
    except EnvelopeError as exc:
        raise _problem(exc.field, exc.reason) from None
    if not sent.rows or len(sent.rows) > MAX_ROWS:
        raise _problem(sent.path, f"holds {len(sent.rows):,} rows; a call takes 1 to {MAX_ROWS:,}")
    await lock_for_transaction(session, "his_records", [hospital])
    errors, deleted, months = [], [], set()
    for number, raw in enumerate(sent.rows, start=1):
        values, _, problems = national.read_row(interface, raw) if isinstance(raw, dict) else (
            {}, {}, [("row", "is not an object of national fields")])
        if problems:
            errors += [{"row": number, "field": where, "reason": reason} for where, reason in problems]
            continue
        gone = await repository.delete_keys(session, hospital, DELETES[values["inv_data_type"]],
                                            values["fixmedins_bchno"])
        if not gone:
            errors.append({"row": number, "field": "fixmedins_bchno", "reason": (
                f"nothing of yours is stored under {values['fixmedins_bchno']} with inv_data_type "
                f"{values['inv_data_type']}")})
            continue
        deleted.append({"fixmedins_bchno": values["fixmedins_bchno"], "inv_data_type": values["inv_data_type"]})
        months |= {month_text(m) for m in gone}
    if errors and not deleted:
        located = [{"field": ".".join(filter(None, (sent.where(e["row"]), None if e["field"] == "row" else e["field"]))),
                    "row": e["row"], "reason": e["reason"]} for e in errors]
        raise Problem(422, "validation-error", "Nothing deleted",
                      f"no row could be deleted ({len(errors)} refusals)", errors=located)
    outbox.add(session, HisRowsDeleted(hospital_code=hospital, deleted=deleted, months=sorted(months)), key=hospital)
    return {"received": len(sent.rows), "deleted": len(deleted), "errors": errors}
