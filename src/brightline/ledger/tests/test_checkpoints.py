from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.core.management import call_command
from django.test import Client

from brightline.env import ConfigurationError
from brightline.ledger.keys import KEY_FILE_VARIABLE, log_verifier_key, signing_key
from brightline.ledger.models import Checkpoint
from brightline.ledger.selectors import tree_root
from brightline.ledger.services import checkpoint_sign
from brightline.ledger.tasks import checkpoint_sign_if_grown
from brightline.ledger.tests.conftest import ORIGIN, append_disclosures

pytestmark = pytest.mark.django_db


def test_the_signing_key_is_created_once_with_owner_only_permissions(settings: object) -> None:
    first = signing_key()
    path = Path(settings.DATA_DIR) / "keys" / "ledger-ed25519.pem"  # type: ignore[attr-defined]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing_key().public_key().public_bytes_raw() == first.public_key().public_bytes_raw()


def test_a_configured_key_file_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "district.pem"
    path.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    monkeypatch.setenv(KEY_FILE_VARIABLE, str(path))
    assert signing_key().public_key().public_bytes_raw() == key.public_key().public_bytes_raw()


def test_an_unreadable_configured_key_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_FILE_VARIABLE, str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigurationError, match=KEY_FILE_VARIABLE):
        signing_key()
    (tmp_path / "garbage.pem").write_text("not a key")
    monkeypatch.setenv(KEY_FILE_VARIABLE, str(tmp_path / "garbage.pem"))
    with pytest.raises(ConfigurationError, match=KEY_FILE_VARIABLE):
        signing_key()


def test_checkpoint_is_a_signed_note_of_origin_size_and_root() -> None:
    append_disclosures(3)
    checkpoint = checkpoint_sign()
    assert checkpoint is not None
    body, signatures = checkpoint.note.split("\n\n")
    assert body == f"{ORIGIN}\n3\n{base64.b64encode(tree_root(size=3)).decode()}"
    assert signatures.startswith(f"\u2014 {ORIGIN} ") and signatures.endswith("\n")
    raw = base64.b64decode(signatures.split(" ")[2])
    assert len(raw) == 68


def test_scheduled_signing_happens_only_when_the_log_grew() -> None:
    append_disclosures(2)
    first = checkpoint_sign_if_grown()
    assert first is not None
    assert checkpoint_sign_if_grown() is None
    append_disclosures(1)
    second = checkpoint_sign_if_grown()
    assert second is not None and Checkpoint.objects.get(pk=second).size == 3
    assert Checkpoint.objects.count() == 2


def test_the_checkpoint_command_signs_keeps_all_and_has_a_dry_run(capsys: pytest.CaptureFixture[str]) -> None:
    append_disclosures(1)
    call_command("ledger", "checkpoint", "--dry-run")
    assert "would sign a checkpoint of size 1" in capsys.readouterr().out
    assert not Checkpoint.objects.exists()
    call_command("ledger", "checkpoint")
    assert f"{ORIGIN}\n1\n" in capsys.readouterr().out
    call_command("ledger", "checkpoint")
    assert "nothing signed" in capsys.readouterr().out
    call_command("ledger", "checkpoint", "--force")
    assert Checkpoint.objects.count() == 2


def test_the_public_checkpoint_and_key_pages_are_plain_text(client: Client) -> None:
    assert client.get("/ledger/checkpoint").status_code == 404
    append_disclosures(2)
    checkpoint = checkpoint_sign()
    assert checkpoint is not None
    response = client.get("/ledger/checkpoint")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == checkpoint.note
    key = client.get("/ledger/key")
    assert key["Content-Type"].startswith("text/plain")
    assert key.content.decode().strip() == log_verifier_key()
    name, key_hash, encoded = key.content.decode().strip().split("+", 2)
    assert name == ORIGIN and len(key_hash) == 8 and base64.b64decode(encoded)[0] == 1


def test_signing_key_file_is_never_world_readable_even_with_a_loose_umask() -> None:
    old = os.umask(0)
    try:
        signing_key()
    finally:
        os.umask(old)
    from django.conf import settings

    mode = stat.S_IMODE((Path(settings.DATA_DIR) / "keys" / "ledger-ed25519.pem").stat().st_mode)
    assert mode == 0o600
