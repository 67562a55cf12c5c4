"""The shape of an API key: shown once, as ``vbp_<key id>_<secret>``; only the SHA-256 of the
secret is stored. The secret has 256 bits of entropy, so a fast hash is enough — there is no
password to brute-force (GW-2)."""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "vbp_"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh (key id, secret)."""
    return secrets.token_hex(8), secrets.token_urlsafe(32)


def shown(key_id: str, secret: str) -> str:
    return f"{PREFIX}{key_id}_{secret}"


def split_key(raw: str) -> tuple[str, str] | None:
    """(key id, secret) of a key in the platform's shape, else None."""
    if not raw.startswith(PREFIX):
        return None
    key_id, sep, secret = raw[len(PREFIX):].partition("_")
    if not sep or not key_id or not secret:
        return None
    return key_id, secret
