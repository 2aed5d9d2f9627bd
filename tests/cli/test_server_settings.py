"""Settings from the environment, and the secret key."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from server.settings import (
    ConfigurationError,
    Settings,
    is_sqlite_url,
    resolve_secret_key,
    secret_key_file,
)


@pytest.fixture(autouse=True)
def no_connect_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "CONNECT_DATABASE_URL",
        "CONNECT_SECRET_KEY",
        "CONNECT_CORS_ORIGINS",
        "CONNECT_SESSION_TTL_MINUTES",
        "CONNECT_MAX_PAGE_SIZE",
    ):
        monkeypatch.delenv(name, raising=False)


class TestSettings:
    def test_defaults_to_a_sqlite_file_in_the_working_folder(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        settings = Settings()
        assert settings.database_url == f"sqlite:///{tmp_path / 'connect-admin.db'}"
        assert is_sqlite_url(settings.database_url)
        assert settings.secret_key is None
        assert settings.cors_origins == []
        assert settings.session_ttl_minutes == 720
        assert settings.max_page_size == 100

    def test_reads_comma_separated_cors_origins(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CONNECT_CORS_ORIGINS", "https://a.example, https://b.example,")
        assert Settings().cors_origins == ["https://a.example", "https://b.example"]

    def test_reads_a_single_cors_origin(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CONNECT_CORS_ORIGINS", "http://localhost:5173")
        assert Settings().cors_origins == ["http://localhost:5173"]

    def test_reads_the_other_variables(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CONNECT_DATABASE_URL", "postgresql://app@db.example/connect")
        monkeypatch.setenv("CONNECT_SECRET_KEY", "k" * 44)
        monkeypatch.setenv("CONNECT_SESSION_TTL_MINUTES", "60")
        monkeypatch.setenv("CONNECT_MAX_PAGE_SIZE", "50")
        settings = Settings()
        assert settings.database_url == "postgresql://app@db.example/connect"
        assert not is_sqlite_url(settings.database_url)
        assert settings.secret_key is not None
        assert settings.secret_key.get_secret_value() == "k" * 44
        assert "k" * 44 not in repr(settings)
        assert (settings.session_ttl_minutes, settings.max_page_size) == (60, 50)


class TestSecretKey:
    def test_the_environment_key_wins(self, tmp_path: Path) -> None:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'x.db'}",
            secret_key=SecretStr("from-the-environment"),
        )
        assert resolve_secret_key(settings) == "from-the-environment"
        assert not (tmp_path / "x.db.secret").exists()

    def test_sqlite_key_is_made_beside_the_database_with_mode_0600(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}")
        key = resolve_secret_key(settings)
        path = tmp_path / "x.db.secret"
        assert secret_key_file(settings.database_url) == path
        assert path.read_text().strip() == key
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        Fernet(key.encode())  # a valid Fernet key
        assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db.secret"]

    def test_sqlite_key_is_reused_on_later_starts(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}")
        first = resolve_secret_key(settings)
        assert resolve_secret_key(Settings(database_url=settings.database_url)) == first

    def test_in_memory_sqlite_gets_a_key_for_the_process(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.chdir(tmp_path)
        key = resolve_secret_key(Settings(database_url="sqlite://"))
        # A Fernet key (32 bytes, URL-safe base64) that encrypts and decrypts.
        assert len(base64.urlsafe_b64decode(key)) == 32
        box = Fernet(key.encode())
        assert box.decrypt(box.encrypt(b"smtp password")) == b"smtp password"
        # Kept in no file: there is no database file to keep it beside.
        assert secret_key_file("sqlite://") is None
        assert list(tmp_path.iterdir()) == []

    def test_postgresql_without_key_is_a_configuration_error(self) -> None:
        settings = Settings(database_url="postgresql://postgres@127.0.0.1:5432/connect")
        with pytest.raises(ConfigurationError, match="CONNECT_SECRET_KEY is required"):
            resolve_secret_key(settings)

    def test_an_empty_environment_key_counts_as_unset(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("CONNECT_DATABASE_URL", "postgresql://postgres@127.0.0.1/connect")
        monkeypatch.setenv("CONNECT_SECRET_KEY", "")
        with pytest.raises(ConfigurationError):
            resolve_secret_key(Settings())
