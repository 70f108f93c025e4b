"""Passwords: Argon2id hashes (argon2-cffi's defaults: RFC 9106's second recommendation) and the
passwords pingan generates for new accounts.

``verify`` costs the same whether or not the account exists (``verify_nobody``), so the login form does
not tell which names are accounts.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
# Letters and digits that cannot be mistaken for one another when read out over the telephone.
GENERATED_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GENERATED_LENGTH = 14

_HASHER = PasswordHasher()  # Argon2id
_NOBODY = _HASHER.hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    problem = weakness(password)
    if problem:
        raise ValueError(problem)
    return _HASHER.hash(password)


def weakness(password: str) -> str | None:
    """Why a password may not be used (Chinese), or None."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 位"
    if password.strip() != password:
        return "密码首尾不能是空格"
    return None


def verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_nobody(password: str) -> bool:
    """Spend what a real check costs, for a name that is no account; always False."""
    verify(_NOBODY, password)
    return False


def generate_password() -> str:
    return "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(GENERATED_LENGTH))
