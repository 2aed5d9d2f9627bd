"""A regular (not editable) install carries everything the server needs at run time,
GraphiQL's files included."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import httpx
import pytest

from server.ui.web_assets import ASSETS, GRAPHIQL_FILES, problems, sri
from tests.cli.serving import free_port, served
from tests.needed import needs

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
WEB = "server/ui/web/"


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CONNECT_")}


def test_a_regular_install_migrates_from_any_folder(tmp_path: Path) -> None:
    target = tmp_path / "site"
    # This test is about migrations: it builds also where `npm ci` has not run.
    env = clean_env() | {"CONNECT_BUILD_WITHOUT_GRAPHIQL": "1"}
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--target", str(target), str(ROOT)],
        env=env, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    work = tmp_path / "elsewhere"
    work.mkdir()
    # The installed copy comes first on the path, ahead of the editable checkout.
    env = clean_env() | {"PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c",
         "import server, sys; print(server.__file__); "
         "from server.commandline.cli import main; sys.exit(main(['migrate']))"],
        cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(str(target))
    assert (work / "connect-admin.db").stat().st_size > 0


def clone(tmp_path: Path) -> Path:
    """The checkout's files as a clone has them (tracked and new, nothing ignored), with a
    link to its node_modules."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=False,
    )  # fmt: skip
    if listed.returncode != 0:
        pytest.skip(f"{ROOT} is not a git checkout")
    copy = tmp_path / "clone"
    for name in listed.stdout.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    (copy / "node_modules").symlink_to(NODE_MODULES)
    return copy


def build(source: Path, out: Path, *what: str) -> list[Path]:
    """``python -m build`` as docs/operators/web-assets.md says, without isolation (no
    index needed)."""
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", *what, "--outdir", str(out),
         str(source)],
        env=clean_env(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return sorted(out.iterdir())


def web_files(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith(WEB)}


@needs(
    not problems(NODE_MODULES, ROOT / "package-lock.json"),
    f"GraphiQL's pinned files are not in {NODE_MODULES}: run `npm ci`",
)
def test_a_wheel_installed_elsewhere_serves_graphiql_without_npm(tmp_path: Path) -> None:
    source = clone(tmp_path)
    # From the checkout's node_modules, and through the sdist, the same files.
    [wheel] = build(source, tmp_path / "wheel", "--wheel")
    from_sdist, sdist = build(source, tmp_path / "both")
    assert sdist.name.endswith(".tar.gz")
    carried = web_files(wheel)
    assert carried == web_files(from_sdist)
    for asset in ASSETS.values():
        assert sri(carried[WEB + asset.package + "/" + asset.file]) == asset.integrity

    # A fresh venv outside the checkout: the wheel installed from its file, without an
    # index; its dependencies are those of the test's own environment (a .pth line, so
    # nothing is downloaded), and pip checks that they satisfy the wheel's requirements.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        env=clean_env(), check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "test-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8"
    )
    checked = subprocess.run(
        [*pip, "check"], env=clean_env(), capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    work = tmp_path / "elsewhere"
    work.mkdir()
    port = free_port()
    env = clean_env() | {
        "CONNECT_DATABASE_URL": f"sqlite:///{work / 'connect-admin.db'}",
        "CONNECT_MAIL_DISPATCHER": "false",
    }
    command = [str(venv / "bin" / "connect-admin"), "serve", "--port", str(port)]
    with served(command, work, env) as server:
        server.wait_until_started()
        base = f"http://127.0.0.1:{port}"
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"}, timeout=30)
        assert page.status_code == 200, page.text
        urls = re.findall(r'(?:src|href)="(/graphql/assets/[^"]+)"', page.text)
        assert sorted(urls) == sorted(asset.url for asset in GRAPHIQL_FILES)
        for asset in ASSETS.values():
            response = httpx.get(base + asset.url, timeout=30)
            assert response.status_code == 200, asset
            assert response.headers["content-type"] == asset.media_type
            assert sri(response.content) == asset.integrity
    imported = subprocess.run(
        [python, "-c", "import server; print(server.__file__)"],
        cwd=work, env=clean_env(), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert imported.startswith(site)
    assert not (work / "node_modules").exists()
    # The mails' catalogues travel in the wheel and are found there.
    german = subprocess.run(
        [python, "-c", "from mail import catalogues; print(catalogues.languages(), "
         "catalogues.translations('de').gettext('Your Connect password was reset'))"],
        cwd=work, env=clean_env(), capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert german.strip() == "('de', 'en') Ihr Connect-Passwort wurde zurückgesetzt"


def test_a_build_without_graphiql_s_files_says_what_to_do(tmp_path: Path) -> None:
    source = clone(tmp_path)
    (source / "node_modules").unlink()
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir",
         str(tmp_path / "out"), str(source)],
        env=clean_env(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "GraphiQL's files are not installed" in result.stdout + result.stderr
    assert "run `npm ci`" in result.stdout + result.stderr
    assert "CONNECT_BUILD_WITHOUT_GRAPHIQL=1" in result.stdout + result.stderr
