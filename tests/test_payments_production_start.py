"""Real providers or a refusal: with DEBUG off, `check --deploy` and the web server refuse a
sandbox payment provider or a missing key, unless HUDUMA_PAYMENTS_SANDBOX=1 declares a test
installation."""

import subprocess
import sys

import pytest

from huduma.payments.checks import payment_providers_check
from tests.test_deploy_check import ROOT, check_deploy, production_env

REAL = {
    "DEBUG": False,
    "PAYMENTS_SANDBOX": False,
    "MPESA_PROVIDER": "daraja",
    "MPESA_ENVIRONMENT": "production",
    "MPESA_CONSUMER_KEY": "key",
    "MPESA_CONSUMER_SECRET": "secret",
    "MPESA_SHORTCODE": "600000",
    "MPESA_PASSKEY": "passkey",
    "CARD_PROVIDER": "",
}


def ids(settings, **overrides) -> list[str]:
    for name, value in {**REAL, **overrides}.items():
        setattr(settings, name, value)
    return [message.id for message in payment_providers_check()]


def test_real_providers_with_their_keys_pass(settings):
    assert ids(settings) == []
    pesapal = {
        "CARD_PROVIDER": "pesapal",
        "PESAPAL_ENVIRONMENT": "live",
        "PESAPAL_CONSUMER_KEY": "k",
        "PESAPAL_CONSUMER_SECRET": "s",
        "PESAPAL_IPN_ID": "ipn",
    }
    assert ids(settings, **pesapal) == []


@pytest.mark.parametrize(
    "overrides",
    [
        {"MPESA_PROVIDER": "sandbox"},
        {"MPESA_ENVIRONMENT": "sandbox"},  # Daraja's own sandbox takes no money either
        {
            "CARD_PROVIDER": "pesapal",
            "PESAPAL_ENVIRONMENT": "sandbox",
            "PESAPAL_CONSUMER_KEY": "k",
            "PESAPAL_CONSUMER_SECRET": "s",
            "PESAPAL_IPN_ID": "ipn",
        },
    ],
)
def test_a_sandbox_provider_is_refused_in_production(settings, overrides):
    assert ids(settings, **overrides) == ["payments.E001"]
    # ...unless declared on purpose, or in development.
    assert ids(settings, PAYMENTS_SANDBOX=True, **overrides) == []
    assert ids(settings, DEBUG=True, **overrides) == []


def test_missing_provider_keys_are_refused(settings):
    assert ids(settings, MPESA_PASSKEY="") == ["payments.E002"]
    assert ids(settings, DEBUG=True, MPESA_CONSUMER_SECRET="") == ["payments.E002"]
    card = {"CARD_PROVIDER": "pesapal", "PESAPAL_ENVIRONMENT": "live"}
    assert ids(settings, PESAPAL_CONSUMER_KEY="", PESAPAL_IPN_ID="", **card) == ["payments.E003"]
    # The old sandbox card provider is no longer a choice.
    assert ids(settings, CARD_PROVIDER="sandbox") == ["payments.E003"]


def test_check_deploy_refuses_the_default_sandbox_provider(tmp_path):
    env = production_env(tmp_path)
    del env["MPESA_PROVIDER"]  # unset: today's default is the sandbox
    result = check_deploy(env)
    assert result.returncode != 0 and "payments.E001" in result.stderr
    env["HUDUMA_PAYMENTS_SANDBOX"] = "1"
    assert check_deploy(env).returncode == 0


def test_the_web_server_refuses_to_start_with_a_sandbox_provider(tmp_path):
    env = production_env(tmp_path, MPESA_PROVIDER="sandbox")
    start = [sys.executable, "-c", "import huduma.wsgi"]
    refused = subprocess.run(
        start, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode != 0
    assert "Huduma refuses to start" in refused.stderr and "payments.E001" in refused.stderr
    env["HUDUMA_PAYMENTS_SANDBOX"] = "1"
    started = subprocess.run(
        start, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert started.returncode == 0, started.stderr
