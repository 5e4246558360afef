"""The `voronka` console script: manage.py under a friendlier name, and the token command."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from voronka.accounts.models import ApiToken, User, Workspace
from voronka.accounts.roles import Role
from voronka.accounts.services.tokens import api_token_authenticate
from voronka.accounts.tests.factories import MembershipFactory, WorkspaceFactory
from voronka.cli import ALIASES
from voronka.demo.generator import demo_load

VORONKA = str(Path(sys.executable).with_name("voronka"))


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "TASKS_BACKEND"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        SECRET_KEY="cli-test-secret-key-not-used-anywhere-else-0123456789",
        VORONKA_VAR_DIR=str(tmp_path / "var"),
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VORONKA, *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_voronka_help_lists_the_commands(tmp_path):
    result = _run(["help"], _env(tmp_path))
    assert result.returncode == 0, result.stderr
    for command in ("[accounts]", "token", "[demo]", "demo", "db_worker", "migrate"):
        assert command in result.stdout


def test_voronka_without_arguments_prints_its_usage_and_the_help(tmp_path):
    result = _run([], _env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "voronka token --email E  issue an API token" in result.stdout
    assert "Available subcommands:" in result.stdout


def test_aliases():
    assert ALIASES == {"serve": "runserver", "worker": "db_worker"}


def test_voronka_token_end_to_end_on_a_fresh_database(tmp_path):
    # given a migrated database with the demo company, through the console script itself
    env = _env(tmp_path)
    for args in (["migrate", "--noinput", "-v", "0"], ["demo", "--quiet-logins"]):
        result = _run(args, env)
        assert result.returncode == 0, result.stderr
    # when a token is issued
    result = _run(["token", "--email", "rep@voronka.test"], env)
    assert result.returncode == 0, result.stderr
    secret = result.stdout.strip()
    # then it is printed once and stored only as its hash
    assert secret.startswith("vk_")
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        rows = db.execute(
            "SELECT t.key_hash, t.name, u.email FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id"
        ).fetchall()
    assert rows == [(hashlib.sha256(secret.encode()).hexdigest(), "cli", "rep@voronka.test")]
    # and an unknown email fails with a message and a non-zero status
    missing = _run(["token", "--email", "nobody@voronka.test"], env)
    assert missing.returncode == 1
    assert "No active user with email nobody@voronka.test." in missing.stderr


def test_token_command_prints_a_token_that_authenticates(db):
    demo_load()
    out = StringIO()
    call_command("token", "--email", "REP@voronka.test", stdout=out)
    secret = out.getvalue().strip()
    token = api_token_authenticate(secret)
    assert token is not None
    assert (token.user.email, token.workspace.slug, token.name) == ("rep@voronka.test", "demo", "cli")
    assert ApiToken.unscoped.count() == 1


def test_token_command_needs_a_workspace_when_the_user_has_several(db):
    demo_load()
    rep = User.objects.get(email="rep@voronka.test")
    other = WorkspaceFactory(slug="other")
    MembershipFactory(workspace=other, user=rep, role=Role.MARKETER)
    with pytest.raises(CommandError, match="several workspaces; pass --workspace"):
        call_command("token", "--email", "rep@voronka.test", stdout=StringIO())
    out = StringIO()
    call_command("token", "--email", "rep@voronka.test", "--workspace", "other", "--name", "ci", stdout=out)
    token = api_token_authenticate(out.getvalue().strip())
    assert token is not None
    assert (token.workspace_id, token.name) == (other.pk, "ci")
    with pytest.raises(CommandError, match="no active membership"):
        call_command("token", "--email", "rep@voronka.test", "--workspace", "nope", stdout=StringIO())
    assert Workspace.objects.count() == 2


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to find the child processes")
def test_voronka_run_serves_with_a_worker_and_scheduler_and_ctrl_c_stops_all(tmp_path):
    import signal
    import time
    import urllib.request

    env = _env(tmp_path)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert _run(["migrate", "--noinput", "-v", "0"], env).returncode == 0
    port = _free_port()
    supervisor = subprocess.Popen([VORONKA, "run", f"127.0.0.1:{port}"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        status = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as response:
                    status = response.status
                break
            except OSError:
                time.sleep(0.2)
        assert status == 200
        children = _children_of(supervisor.pid)
        assert len(children) == 3  # the web server, the worker and the scheduler
        # when Ctrl-C reaches the supervisor
        supervisor.send_signal(signal.SIGINT)
        supervisor.wait(timeout=20)
        # then both children are gone
        time.sleep(0.5)
        assert all(not Path(f"/proc/{child}").exists() or "zombie" in Path(f"/proc/{child}/status").read_text()
                   for child in children)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
