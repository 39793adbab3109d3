"""`manage.py check --deploy` is clean with the production environment shipped in deploy/."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV_EXAMPLE = ROOT / "deploy" / "huduma.env.example"


def production_env(tmp_path, **overrides) -> dict[str, str]:
    env = {"PATH": os.environ["PATH"], "HUDUMA_VAR_DIR": str(tmp_path)}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    # The example's placeholders, replaced as an operator would.
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env.update(overrides)
    return env


def check_deploy(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_production_environment(tmp_path):
    env = production_env(tmp_path)
    assert env["DEBUG"] == "0" and env["SECURE_COOKIES"] == "1"
    result = check_deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_still_catches_a_weak_configuration(tmp_path):
    # What is silenced (with a reason in settings.py) must not hide real mistakes.
    env = production_env(tmp_path, SECURE_COOKIES="0", SECURE_HSTS_SECONDS="0")
    result = check_deploy(env)
    assert result.returncode != 0
    for code in ("security.W004", "security.W012", "security.W016"):
        assert code in result.stderr


def test_without_a_proxy_the_missing_https_redirect_is_reported(tmp_path):
    # W008 is silenced only because the proxy redirects to https; no proxy, no silence.
    result = check_deploy(production_env(tmp_path, TRUSTED_PROXIES=""))
    assert result.returncode != 0 and "security.W008" in result.stderr
