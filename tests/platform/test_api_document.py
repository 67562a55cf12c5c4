"""Issue 11, item 2: the gateway's OpenAPI document is the truth — every operation says who may
call it (``x-roles``, the roles its service enforces), has a description, lists every status it
can answer with the problem+json schema, and returns typed bodies; FastAPI's default 422 shape
is gone."""

from __future__ import annotations

SAFE = {"get", "head", "options"}


async def test_every_operation_documents_roles_statuses_and_problems(shared_platform):
    document = (await shared_platform.admin.get("/openapi.json")).json()
    operations = [(path, method, op) for path, item in document["paths"].items()
                  for method, op in item.items() if isinstance(op, dict) and "responses" in op]
    assert len(operations) > 100
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("description"), where
        assert set(op["x-roles"]) <= {"hospital", "exchange", "company", "insurer", "admin"} and op["x-roles"], where
        assert "**Roles:**" in op["description"], where
        statuses = {"400", "401", "403", "404", "422", "429", "502", "504"} | (
            set() if method in SAFE else {"409", "413", "415"})
        assert statuses <= set(op["responses"]), (where, sorted(op["responses"]))
        for status in statuses:
            assert op["responses"][status]["content"] == {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}}, (where, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert document["components"]["schemas"]["Problem"]["required"] == ["type", "title", "status"]

    paths = document["paths"]
    assert paths["/catalog/products/{product_id}/payment-standard"]["put"]["x-roles"] == ["admin", "insurer"]
    assert paths["/catalog/products/{product_id}/payment-standard"]["get"]["x-roles"] == [
        "hospital", "exchange", "company", "insurer", "admin"]
    assert paths["/admin/api-keys"]["get"]["x-roles"] == ["admin"]
    for path in ("/catalog/products/{product_id}/lower-prices", "/catalog/products/{product_id}/price-reductions"):
        schema = paths[path]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
        assert "$ref" in schema, (path, schema)     # CAT-6 answers are typed, not bare objects
