import subprocess
import sys

import pytest

from brightline.env import ConfigurationError, env_bool, env_int, env_timezone


def test_bad_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIGHTLINE_DEBUG", "maybe")
    with pytest.raises(ConfigurationError, match="BRIGHTLINE_DEBUG"):
        env_bool("BRIGHTLINE_DEBUG", False)


def test_bad_number_and_time_zone_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIGHTLINE_ADVANCE_NOTICE_DAYS", "ten")
    with pytest.raises(ConfigurationError, match="BRIGHTLINE_ADVANCE_NOTICE_DAYS"):
        env_int("BRIGHTLINE_ADVANCE_NOTICE_DAYS", 10)
    monkeypatch.setenv("BRIGHTLINE_TIME_ZONE", "Mars/Olympus")
    with pytest.raises(ConfigurationError, match="BRIGHTLINE_TIME_ZONE"):
        env_timezone("BRIGHTLINE_TIME_ZONE", "America/New_York")


def test_production_without_secret_key_refuses_to_start(tmp_path: object) -> None:
    env = {"BRIGHTLINE_PRODUCTION": "1", "BRIGHTLINE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "brightline", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "BRIGHTLINE_SECRET_KEY" in result.stderr
