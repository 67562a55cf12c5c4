"""The execution policy as a database column: JSONB on disk, `ExecutionPolicy` in Python.

A row's ``policy`` attribute is the typed model, so code reads ``batch.policy.renewal``
and never a string key of a dict (STYLE: "Reading a typed thing by string keys"); what is
stored is the policy's JSON form, as the catalog has always stored it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator

from vbpkit.domain.policy.rules import ExecutionPolicy


class PolicyColumn(TypeDecorator):
    impl = JSONB
    cache_ok = True

    def process_bind_param(self, value: ExecutionPolicy | dict | None, dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, dict):
            value = ExecutionPolicy.model_validate(value)
        return value.model_dump(mode="json")

    def process_result_value(self, value: Any, dialect) -> ExecutionPolicy | None:
        return None if value is None else ExecutionPolicy.model_validate(value)

    def coerce_compared_value(self, op, value):
        return self.impl_instance.coerce_compared_value(op, value)
