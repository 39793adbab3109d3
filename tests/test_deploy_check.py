"""`manage.py check --deploy` is clean with the production environment shipped in deploy/."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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
    # The key and the sink's volume as the README's set-up makes them, under tmp_path.
    key = tmp_path / "keys" / "signing-key.pem"
    key.parent.mkdir(exist_ok=True)
    if not key.exists():
        key.write_bytes(
            Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    (tmp_path / "checkpoints").mkdir(exist_ok=True)
    env["HUDUMA_SIGNING_KEY_FILE"] = str(key)
    env["HUDUMA_SIGNING_KEYSET_FILE"] = str(key.with_name("signing-keys.json"))
    env["HUDUMA_CHECKPOINT_SINK_FILE"] = str(tmp_path / "checkpoints" / "checkpoints.jsonl")
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


def server_start(env) -> subprocess.CompletedProcess:
    """What Granian does when it starts a worker: import the WSGI application."""
    return subprocess.run(
        [sys.executable, "-c", "import huduma.wsgi"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_example_sets_a_signing_key_a_sink_and_a_witness():
    example = ENV_EXAMPLE.read_text()
    for name in ("HUDUMA_SIGNING_KEY_FILE", "HUDUMA_CHECKPOINT_SINK_FILE"):
        assert f"\n{name}=/" in example
    assert "\nHUDUMA_CHECKPOINT_EMAIL=1" in example
    sink_folder = next(
        line.partition("=")[2].rsplit("/", 1)[0]
        for line in example.splitlines()
        if line.startswith("HUDUMA_CHECKPOINT_SINK_FILE=")
    )
    for unit in ("huduma-web.service", "huduma-worker.service"):
        paths = next(
            line
            for line in (ROOT / "deploy" / unit).read_text().splitlines()
            if line.startswith("ReadWritePaths=")
        )
        assert sink_folder in paths.split("=", 1)[1].split(), unit


def test_production_refuses_to_start_without_a_signing_key(tmp_path):
    env = production_env(tmp_path, HUDUMA_SIGNING_KEY_FILE=str(tmp_path / "absent.pem"))
    result = check_deploy(env)
    assert result.returncode != 0 and "huduma.ledger.E001" in result.stderr
    started = server_start(env)
    assert started.returncode != 0 and "huduma.ledger.E001" in started.stderr
    assert not (tmp_path / "absent.pem").exists()  # nor does it make one up


def test_production_refuses_to_start_without_a_checkpoint_sink(tmp_path):
    env = production_env(tmp_path, HUDUMA_CHECKPOINT_SINK_FILE="")
    result = check_deploy(env)
    assert result.returncode != 0 and "huduma.ledger.E003" in result.stderr
    started = server_start(env)
    assert started.returncode != 0 and "huduma.ledger.E003" in started.stderr


def test_production_refuses_a_sink_it_cannot_write_or_no_witness(tmp_path):
    env = production_env(
        tmp_path, HUDUMA_CHECKPOINT_SINK_FILE=str(tmp_path / "unmounted" / "checkpoints.jsonl")
    )
    assert "huduma.ledger.E004" in check_deploy(env).stderr
    env = production_env(tmp_path, HUDUMA_CHECKPOINT_EMAIL="0", HUDUMA_CHECKPOINT_WITNESS_URL="")
    assert "huduma.ledger.E005" in check_deploy(env).stderr


def test_the_server_starts_with_key_sink_and_witness(tmp_path):
    started = server_start(production_env(tmp_path))
    assert started.returncode == 0, started.stderr
