"""Two-factor secrets encrypted at rest (settings.MFA_ADAPTER points at `MFAAdapter` below).

allauth keeps each TOTP secret and each recovery-code seed in `mfa_authenticator.data` and
passes them through its MFA adapter's `encrypt`/`decrypt`. Here they become Fernet tokens
(`cryptography`: AES-128-CBC with an HMAC-SHA256, a fresh IV each time) under a key derived
from MFA_ENCRYPTION_KEY, which lives in the environment and never in the database: a copy
of the database alone (a backup, a dump) gives no secret to compute a code from.

Key rotation: MFA_ENCRYPTION_OLD_KEYS still decrypt while MFA_ENCRYPTION_KEY encrypts;
`manage.py rotate_mfa_key` re-encrypts every secret under the current key, after which the
old keys can go (README, "Two-factor secrets").
"""

import base64
import functools

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

PREFIX = "fernet:"  # marks an encrypted value: a stored value without it is in the clear
# The keys of `Authenticator.data` that hold secrets, per type (allauth's names).
SECRET_FIELDS = {
    Authenticator.Type.TOTP: ("secret",),
    Authenticator.Type.RECOVERY_CODES: ("seed", "migrated_codes"),
}


class SecretUnreadable(ImproperlyConfigured):
    """A stored secret that none of the configured keys decrypts: a configuration error
    (a wrong or missing key), never a wrong code."""


def _fernet(key: str) -> Fernet:
    """A Fernet key derived from any long random string (HKDF-SHA256, its own purpose)."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"sprint-tracker two-factor secrets")
    return Fernet(base64.urlsafe_b64encode(derived.derive(key.encode())))


@functools.cache
def _keyring(current: str, old: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet(current), *(_fernet(key) for key in old if key)])


def _keys() -> MultiFernet:
    return _keyring(settings.MFA_ENCRYPTION_KEY, tuple(settings.MFA_ENCRYPTION_OLD_KEYS))


def is_encrypted(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def encrypt(text: str) -> str:
    return PREFIX + _keys().encrypt(text.encode()).decode("ascii")


def decrypt(value: str) -> str:
    if not is_encrypted(value):
        raise SecretUnreadable(
            "A two-factor secret is stored unencrypted: run `manage.py rotate_mfa_key`, which encrypts it."
        )
    try:
        return _keys().decrypt(value.removeprefix(PREFIX).encode("ascii")).decode()
    except InvalidToken as error:
        raise SecretUnreadable(
            "A two-factor secret cannot be decrypted with MFA_ENCRYPTION_KEY or MFA_ENCRYPTION_OLD_KEYS: "
            "set the key it was encrypted with (README, Two-factor secrets)."
        ) from error


def _rotated(value: str) -> str:
    """`value` encrypted under the current key: re-encrypted if it was encrypted, else encrypted."""
    if not is_encrypted(value):
        return encrypt(value)
    try:
        return PREFIX + _keys().rotate(value.removeprefix(PREFIX).encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise SecretUnreadable(
            "A two-factor secret cannot be decrypted with MFA_ENCRYPTION_KEY or MFA_ENCRYPTION_OLD_KEYS: "
            "add the key it was encrypted with to MFA_ENCRYPTION_OLD_KEYS and run the rotation again."
        ) from error


def data_mapped(*, kind: str, data: dict, convert) -> dict:
    """`data` of an authenticator of `kind` with `convert` applied to each secret in it."""
    data = dict(data)
    for field in SECRET_FIELDS.get(kind, ()):
        value = data.get(field)
        if isinstance(value, list):
            data[field] = [convert(item) for item in value]
        elif isinstance(value, str):
            data[field] = convert(value)
    return data


@transaction.atomic
def mfa_secrets_rotate() -> int:
    """Re-encrypt every two-factor secret under MFA_ENCRYPTION_KEY (all or none); returns how
    many authenticators were rewritten."""
    rewritten = 0
    for authenticator in Authenticator.objects.select_for_update().filter(type__in=SECRET_FIELDS).order_by("pk"):
        data = data_mapped(kind=authenticator.type, data=authenticator.data, convert=_rotated)
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])
            rewritten += 1
    return rewritten


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter, with its secrets encrypted in the database."""

    def encrypt(self, text: str) -> str:
        return encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt(encrypted_text)
