"""Password hashing: argon2id from argon2-cffi, a slow salted hash, so a copied database does
not give the passwords away. Only the hash is stored; its own text carries salt and costs."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from services.store.errors import N_, RevisitError

MIN_LENGTH = 6
# argon2-cffi's defaults (RFC 9106's low-memory choice): about 50 ms and 64 MiB per check.
_hasher = PasswordHasher()


def check_new(password: str) -> str:
    """Refuse a password too short to choose; returns it unchanged."""
    if len(password) < MIN_LENGTH:
        raise RevisitError(N_("A password needs at least {n} characters."), n=MIN_LENGTH)
    if password != password.strip():
        raise RevisitError(N_("A password cannot start or end with a space."))
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_new(password))


def verify(stored: str | None, password: str) -> bool:
    """Whether `password` matches the stored hash (False for no hash or a damaged one)."""
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when the hash was made with older, weaker costs than today's."""
    try:
        return _hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@lru_cache(maxsize=4)
def shared_hash(password: str) -> str:
    """One hash of `password` reused for many accounts (the demo's documented password):
    hashing it once per account would only slow the demo down."""
    return hash_password(password)
