"""GW-2 bearer JWT for ops users: tokens from locally generated keys, verified against a local
JWKS endpoint (and a PEM for the offline setup); asymmetric algorithms only (``alg=none`` and
HMAC with the public key as secret refused), ``exp``/``nbf``/``iss``/``aud`` checked, claims
mapped to role and tenant by settings; API keys keep working beside them."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.server
import json
import threading
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from testsupport import IDENTITY_KEY
from vbp_gateway.main import create_app
from vbp_gateway.settings import GatewaySettings
from vbptools.embedded import free_port

ADMIN_KEY = "vbp_admin_bearer-tests-" + "b" * 24
ISSUER, AUDIENCE = "https://sso.ybj.example.gov.cn/realms/ops", "vbp-platform"


@pytest.fixture(scope="module")
def keys():
    signing = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(RSAAlgorithm.to_jwk(signing.public_key()))
    jwk.update(kid="ops-1", use="sig", alg="RS256")
    body = json.dumps({"keys": [jwk]}).encode()

    class Jwks(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pem = signing.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    yield {"signing": signing, "other": other, "pem": pem,
           "jwks_url": f"http://127.0.0.1:{server.server_address[1]}/certs"}
    server.shutdown()


def token(key, *, alg: str = "RS256", kid: str = "ops-1", **claims) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "zhang.wei", "iat": now, "exp": now + 300,
               "vbp_role": "医保局运维", "vbp_tenant": "500000", **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm=alg, headers={"kid": kid})


def hmac_token(payload: dict, secret: bytes) -> str:
    """The classic key-confusion forgery, built by hand (PyJWT itself refuses to make it)."""
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")
    signing_input = part(b'{"alg":"HS256","typ":"JWT"}') + "." + part(json.dumps(payload).encode())
    return signing_input + "." + part(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())


@contextlib.asynccontextmanager
async def gateway(new_database, kafka, **oidc):
    settings = GatewaySettings(database_url=await new_database("gwjwt"), kafka_bootstrap_servers=kafka,
                               identity_key=IDENTITY_KEY, admin_api_key=ADMIN_KEY,
                               catalog_url=f"http://127.0.0.1:{free_port()}", oidc_issuer=ISSUER,
                               oidc_audience=AUDIENCE, oidc_role_map={"医保局运维": "insurer"}, **oidc)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
            yield client


async def me(client, bearer: str) -> httpx.Response:
    return await client.get("/me", headers={"Authorization": f"Bearer {bearer}"})


class TestBearerTokens:
    async def test_gw2_a_valid_token_from_the_jwks_is_an_ops_principal(self, keys, new_database, kafka):
        async with gateway(new_database, kafka, oidc_jwks_url=keys["jwks_url"]) as client:
            response = await me(client, token(keys["signing"]))
            assert response.status_code == 200, response.text
            assert (response.json()["role"], response.json()["tenant"], response.json()["key_id"]) == (
                "insurer", "500000", "jwt:zhang.wei")
            # an API key still works beside them
            assert (await client.get("/me", headers={"X-API-Key": ADMIN_KEY})).json()["role"] == "admin"

    async def test_gw2_the_offline_pem_setup(self, keys, new_database, kafka):
        async with gateway(new_database, kafka, oidc_public_key_pem=keys["pem"]) as client:
            assert (await me(client, token(keys["signing"]))).status_code == 200

    async def test_gw2_bad_tokens_are_401(self, keys, new_database, kafka):
        now = int(time.time())
        bad = {
            "expired": token(keys["signing"], exp=now - 120, iat=now - 600),
            "not yet valid": token(keys["signing"], nbf=now + 600),
            "another issuer": token(keys["signing"], iss="https://evil.example.com"),
            "another audience": token(keys["signing"], aud="someone-else"),
            "no exp": token(keys["signing"], exp=None),
            "another key": token(keys["other"]),
            "alg none": jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": now + 300,
                                    "vbp_role": "admin"}, None, algorithm="none"),
            "hmac with the public key": hmac_token({"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": now + 300,
                                                    "vbp_role": "admin"}, keys["pem"].encode()),
        }
        async with gateway(new_database, kafka, oidc_jwks_url=keys["jwks_url"]) as client:
            for why, bearer in bad.items():
                response = await me(client, bearer)
                assert response.status_code == 401, (why, response.text)
                assert response.headers["content-type"].startswith("application/problem+json"), why
            unmapped = await me(client, token(keys["signing"], vbp_role="visitor"))
            assert unmapped.status_code == 403, unmapped.text


def test_gw2_symmetric_algorithms_cannot_be_configured():
    from vbp_gateway.bearer import BearerVerifier
    with pytest.raises(ValueError, match="asymmetric"):
        BearerVerifier(issuer=ISSUER, audience=AUDIENCE, public_key_pem="x", algorithms=["HS256"])
