"""GW-2 bearer JWT for ops users, verified against a configured OIDC issuer with PyJWT.

A token in ``Authorization: Bearer`` that has the shape of a JWT (three base64url parts) is
verified — never decoded without verification:

- the key comes from the issuer's JWKS (``GATEWAY_OIDC_JWKS_URL``, fetched and cached by
  ``jwt.PyJWKClient``) or, for an offline setup, from a PEM public key
  (``GATEWAY_OIDC_PUBLIC_KEY_PEM``);
- only asymmetric algorithms are accepted (RS/PS/ES 256–512, EdDSA): ``alg=none`` and HMAC —
  where a public key would be used as the shared secret — are refused before verification;
- ``exp``, ``iss`` and ``aud`` are required and checked, ``nbf`` and ``iat`` when present, with
  ``GATEWAY_OIDC_LEEWAY_SECONDS`` of clock skew;
- the role is the claim ``GATEWAY_OIDC_ROLE_CLAIM`` (default ``vbp_role``), mapped through
  ``GATEWAY_OIDC_ROLE_MAP`` (e.g. ``{"医保局运维": "insurer"}``) or taken as a role name; the tenant
  is ``GATEWAY_OIDC_TENANT_CLAIM`` (default ``vbp_tenant``); the key id ``jwt:`` + the subject.

Anything else — an API key — goes to the key store as before.
"""

from __future__ import annotations

import asyncio
import hashlib
import re

import jwt

from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem

ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
_SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def looks_like_jwt(raw: str) -> bool:
    return bool(_SHAPE.match(raw))


class BearerVerifier:
    def __init__(self, *, issuer: str, audience: str, jwks_url: str | None = None,
                 public_key_pem: str | None = None, algorithms: list[str] | None = None,
                 role_claim: str = "vbp_role", tenant_claim: str = "vbp_tenant",
                 role_map: dict[str, str] | None = None, leeway_seconds: int = 30):
        if not (jwks_url or public_key_pem):
            raise ValueError("a bearer issuer needs a JWKS URL or a PEM public key")
        algorithms = algorithms or list(ASYMMETRIC)
        refused = [a for a in algorithms if a not in ASYMMETRIC]
        if refused:
            raise ValueError(f"only asymmetric algorithms are accepted, not {', '.join(refused)}")
        self.issuer, self.audience, self.algorithms = issuer, audience, algorithms
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self._pem = public_key_pem
        self._role_claim, self._tenant_claim = role_claim, tenant_claim
        self._role_map = role_map or {}
        self._leeway = leeway_seconds

    async def principal(self, token: str) -> Principal:
        """The verified token's principal; 401 problem naming the reason otherwise."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise _refused("the bearer token is not a well-formed JWT") from None
        if header.get("alg") not in self.algorithms:
            raise _refused(f"the token's algorithm {header.get('alg')!r} is not accepted; "
                           f"only {', '.join(self.algorithms)}")
        try:
            key = (await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)).key if self._jwks \
                else self._pem
            claims = jwt.decode(token, key, algorithms=self.algorithms, audience=self.audience, issuer=self.issuer,
                                leeway=self._leeway, options={"require": ["exp", "iss", "aud", "sub"]})
        except jwt.PyJWKClientError as exc:
            raise _refused(f"no signing key for the token: {exc}") from None
        except jwt.InvalidTokenError as exc:
            raise _refused(f"the bearer token is not valid: {exc}") from None
        claimed = claims.get(self._role_claim)
        role = self._role_map.get(str(claimed), claimed)
        if role not in {r.value for r in Role}:
            raise Problem(403, detail=f"the token's {self._role_claim} claim {claimed!r} maps to no role")
        tenant = claims.get(self._tenant_claim)
        subject = str(claims["sub"])
        key_id = "jwt:" + (subject if len(subject) <= 28 else hashlib.sha256(subject.encode()).hexdigest()[:28])
        return Principal(role=Role(role), tenant=str(tenant) if tenant is not None else None, key_id=key_id)


def _refused(detail: str) -> Problem:
    problem = Problem(401, detail=detail)
    problem.headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    return problem
