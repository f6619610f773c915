"""``manage.py create_api_token`` makes a working token and refuses what it cannot do."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_printed_key_authenticates(reader):
    out = io.StringIO()
    call_command("create_api_token", "reader", "notebook", "--quiet-key", stdout=out)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().strip()}")
    assert client.get("/api/v1/companies/").status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "x"], "No user named"),
        (["reader", " "], "1 to 100 characters"),
        (["reader", "twice"], "already has"),
    ],
)
def test_mistakes_are_explained(reader, args, message):
    call_command("create_api_token", "reader", "twice", stdout=io.StringIO())
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *args, stdout=io.StringIO())
