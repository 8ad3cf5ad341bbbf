"""Item: lockout and rate limits behind a proxy.

In production every request reaches the site from the TLS proxy's address. The client's own
address is read from X-Forwarded-For through the trusted proxies (common/clientip.py), and the
sign-in lockout and every allowance count per client, per kind.
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.ratelimit import LIMITS
from common.clientip import client_address

PROXY = "10.0.0.5"  # the TLS proxy: every request arrives from it
PASSWORD = "correct-horse-battery"  # every factory account's password


def through_proxy(client_ip: str, sent_by_client: str = "") -> dict:
    """The headers the site sees when the proxy forwards a request from client_ip; anything the
    client wrote in X-Forwarded-For itself comes first."""
    forwarded = f"{sent_by_client}, {client_ip}" if sent_by_client else client_ip
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def limits_on(settings):
    settings.RATE_LIMITS_ENABLED = True


def sign_in(client, email, password, **headers):
    return client.post(reverse("accounts:sign-in"), {"username": email, "password": password}, **headers)


# --- The client's address -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "proxies, meta, expected",
    [
        # No proxy trusted: the header is the client's own words, ignored.
        (0, {"REMOTE_ADDR": "198.51.100.20", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "198.51.100.20"),
        # One proxy: the entry it appended, whatever the client put before it.
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, "203.0.113.9"),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}, "203.0.113.9"),
        # Two proxies (a load balancer, then the TLS proxy): the second entry from the right.
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9, 10.0.0.2"}, "203.0.113.9"),
        # An address with a port, and IPv6 in brackets, as some proxies write them.
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9:51234"}, "203.0.113.9"),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "[2001:db8::7]:443"}, "2001:db8::7"),
        # No header (an internal probe straight to the site) or garbage: the proxy's own address.
        (1, {"REMOTE_ADDR": PROXY}, PROXY),
        (1, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "not-an-address"}, PROXY),
        # A Unix socket gives no address at all: still an address the counters can use.
        (0, {"REMOTE_ADDR": ""}, "0.0.0.0"),
    ],
)
def test_proxy_the_client_address_is_counted_from_the_right(settings, proxies, meta, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", **meta)
    assert client_address(request) == expected


def test_proxy_x_forwarded_proto_is_believed_only_behind_a_trusted_proxy():
    import subprocess
    import sys

    code = "from django.conf import settings; print(getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))"
    outputs = {}
    for count in ("0", "1"):
        outputs[count] = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env={
                "DJANGO_SETTINGS_MODULE": "config.settings.base",
                "TRUSTED_PROXY_COUNT": count,
                "PATH": "/usr/bin:/bin",
                "PYTHONPATH": ".",
            },
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    assert outputs == {"0": "None", "1": "('HTTP_X_FORWARDED_PROTO', 'https')"}


# --- The sign-in lockout ------------------------------------------------------------------------


@pytest.mark.django_db
def test_proxy_wrong_passwords_from_one_address_do_not_lock_the_account_from_another(client, settings, one_proxy):
    settings.AXES_ENABLED = True
    helen = UserFactory(email="helen.carter@example.org")
    attacker = through_proxy("203.0.113.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, helen.email, "guess", **attacker)
    assert sign_in(client, helen.email, PASSWORD, **attacker).status_code == 429
    # The attacker cannot refresh their allowance by writing another address in the header.
    assert sign_in(client, helen.email, PASSWORD, **through_proxy("203.0.113.66", "198.51.100.1")).status_code == 429
    # Helen, at her desk on another network, through the same proxy, signs in.
    response = sign_in(client, helen.email, PASSWORD, **through_proxy("198.51.100.20"))
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(helen.pk)


@pytest.mark.django_db
def test_proxy_the_lockout_is_per_account_too(client, settings, one_proxy):
    """One office's wrong passwords for Tom do not lock Priya, who signs in from the same office."""
    settings.AXES_ENABLED = True
    UserFactory(email="tom.fletcher@example.org")
    priya = UserFactory(email="priya.shah@example.org")
    office = through_proxy("203.0.113.10")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "Tom.Fletcher@example.org", "guess", **office)
    assert sign_in(client, "tom.fletcher@example.org", PASSWORD, **office).status_code == 429
    assert sign_in(client, priya.email, PASSWORD, **office).status_code == 302


# --- Allowances ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_proxy_allowances_count_per_client_not_per_proxy(client, one_proxy, limits_on):
    allowed = LIMITS["approval-link"].requests
    for n in range(allowed):
        client.get(reverse("courses:approval", args=[f"guess-{n}"]), **through_proxy("203.0.113.66"))
    assert client.get(reverse("courses:approval", args=["more"]), **through_proxy("203.0.113.66")).status_code == 429
    # Writing a made-up address before the proxy's entry does not give a fresh allowance.
    spoofed = through_proxy("203.0.113.66", "192.0.2.1")
    assert client.get(reverse("courses:approval", args=["more"]), **spoofed).status_code == 429
    # A line manager elsewhere, behind the same proxy, is not held up.
    assert client.get(reverse("courses:approval", args=["theirs"]), **through_proxy("198.51.100.20")).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "used_up, other",
    [
        ("approval-link", "evaluation:answer"),
        ("evaluation-link", "pool:respond-link"),
        ("assignment-link", "accounts:verify-email"),
        ("verification-link", "courses:approval"),
    ],
)
def test_proxy_using_up_one_kind_of_link_does_not_block_another(client, one_proxy, limits_on, used_up, other):
    names = {
        "approval-link": "courses:approval",
        "evaluation-link": "evaluation:answer",
        "assignment-link": "pool:respond-link",
        "verification-link": "accounts:verify-email",
    }
    office = through_proxy("203.0.113.10")
    for n in range(LIMITS[used_up].requests):
        client.get(reverse(names[used_up], args=[f"guess-{n}"]), **office)
    assert client.get(reverse(names[used_up], args=["one-more"]), **office).status_code == 429
    assert client.get(reverse(other, args=["not-yet-used"]), **office).status_code == 400


@pytest.mark.django_db
def test_proxy_the_sign_in_form_has_its_own_allowance(client, one_proxy, limits_on):
    """Many accounts tried from one address are paused, whatever axes counts per account."""
    office = through_proxy("203.0.113.10")
    for n in range(LIMITS["sign-in"].requests):
        sign_in(client, f"person{n}@example.org", "guess", **office)
    assert sign_in(client, "one.more@example.org", "guess", **office).status_code == 429
    assert sign_in(client, "one.more@example.org", "guess", **through_proxy("198.51.100.20")).status_code == 200
    # Reading the sign-in page is never limited, and using up sign-in does not block sign-up.
    assert client.get(reverse("accounts:sign-in"), **office).status_code == 200
    assert client.post(reverse("accounts:sign-up"), {"email": "x"}, **office).status_code == 200
