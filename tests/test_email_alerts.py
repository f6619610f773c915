"""E-mail alerts go to the server EMAIL_URL names, from DEFAULT_FROM_EMAIL: a real SMTP
server on 127.0.0.1 (aiosmtpd) receives them. Without EMAIL_URL, mail is printed to
the log, never sent to a server nobody configured."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from intel.choices import AlertChannel
from intel.monitoring.delivery import DeliveryError, send
from tests.factories import WatchlistFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


class Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], str]] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by this name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    settings.DEFAULT_FROM_EMAIL = "rivalscope <alerts@intel.example.com>"
    try:
        yield sink
    finally:
        controller.stop()


def test_an_alert_is_mailed_through_the_configured_server(smtp_server):
    watchlist = WatchlistFactory(email_to="analyst@example.com")
    send(AlertChannel.EMAIL, watchlist, subject="Brightwater enters India", text="Relevance 0.9")
    [(sender, recipients, content)] = smtp_server.messages
    assert sender == "alerts@intel.example.com" and recipients == ["analyst@example.com"]
    assert "Subject: [rivalscope] Brightwater enters India" in content


def test_a_server_that_is_down_is_a_delivery_error(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with pytest.raises(DeliveryError, match="mail server"):
        send(AlertChannel.EMAIL, WatchlistFactory(email_to="a@example.com"), subject="x", text="y")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", "django.core.mail.backends.console.EmailBackend False"),
        ("smtp+tls://bot:secret@mail.example.com:587", "django.core.mail.backends.smtp.EmailBackend True"),
    ],
)
def test_email_is_configured_from_the_environment(url, expected):
    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"}
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.local", **({"EMAIL_URL": url} if url else {})}
    code = "import django; django.setup(); from django.conf import settings as s; " \
           "print(s.EMAIL_BACKEND, getattr(s, 'EMAIL_USE_TLS', None))"  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == expected
