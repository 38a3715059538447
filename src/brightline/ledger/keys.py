"""The log's Ed25519 signing key.

From the file named by BRIGHTLINE_LEDGER_SIGNING_KEY_FILE (a PKCS#8 PEM file) when that variable is set;
otherwise `$BRIGHTLINE_DATA_DIR/keys/ledger-ed25519.pem`, created with mode 0600 on first use. The key
name of every signature is settings.LEDGER_ORIGIN.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from django.conf import settings

from brightline.env import ConfigurationError
from brightline.ledger.notes import raw_public_key, verifier_key

KEY_FILE_VARIABLE = "BRIGHTLINE_LEDGER_SIGNING_KEY_FILE"


def default_key_path() -> Path:
    return Path(settings.DATA_DIR) / "keys" / "ledger-ed25519.pem"


def _load(path: Path, source: str) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except OSError as error:
        raise ConfigurationError(
            f"{source}: cannot read the ledger signing key {path}: {error.strerror}"
        ) from None
    except (ValueError, TypeError) as error:
        raise ConfigurationError(
            f"{source}: {path} is not an unencrypted PEM private key ({error})"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"{source}: {path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def signing_key() -> Ed25519PrivateKey:
    configured = os.environ.get(KEY_FILE_VARIABLE, "")
    if configured:
        return _load(Path(configured).expanduser(), KEY_FILE_VARIABLE)
    path = default_key_path()
    if path.exists():
        return _load(path, f"{path} (set {KEY_FILE_VARIABLE} to use another key)")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    # Written aside and linked into place: a second process signing its first checkpoint at the same
    # moment either wins the link or reads the complete key the first one linked.
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        return _load(path, str(path))
    finally:
        temporary.unlink()
    return key


def public_key_bytes() -> bytes:
    return raw_public_key(signing_key().public_key())


def log_verifier_key() -> str:
    """The log's key in signed-note verifier-key form, for GET /ledger/key."""
    return verifier_key(settings.LEDGER_ORIGIN, public_key_bytes())


def existing_public_key() -> bytes | None:
    """The log's public key if a signing key exists already (verification never creates one)."""
    configured = os.environ.get(KEY_FILE_VARIABLE, "")
    if not configured and not default_key_path().exists():
        return None
    return public_key_bytes()
