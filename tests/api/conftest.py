"""API clients for every role of the permission matrix.

`api_as(role)` gives a DRF APIClient acting as one of ROLES: staff roles log in with a session (as the browser
does), "token_client" is the one-stop system's integration account (provincial scope) calling with its token.
"""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from survey.models import User
from tests import factories

ROLES = ("anonymous", "officer_a", "officer_b", "lead_a", "province", "admin", "token_client", "inspector")

# Which units' rows each role may see in a scoped list: a unit name of the world, or "all".
VISIBLE_UNITS = {
    "officer_a": ["unit_a"],
    "lead_a": ["unit_a"],
    "officer_b": ["unit_b"],
    "province": "all",
    "admin": "all",
    "token_client": "all",
    # The inspectorate has no unit: it sees no unit's counters, ratings or figures; its cases (the complaints
    # against officials, of any unit) are checked by the endpoints that override this (`Endpoint.visible`).
    "inspector": [],
}


@pytest.fixture
def integrator(world) -> User:
    """The one-stop system's account: provincial scope, authenticates with a token."""
    return factories.make_user(username="mot-cua", role=User.Role.PROVINCE)


@pytest.fixture
def api_as(world, integrator):
    def make(role: str) -> APIClient:
        client = APIClient()
        if role == "token_client":
            token, _created = Token.objects.get_or_create(user=integrator)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        elif role != "anonymous":
            client.force_login(getattr(world, role))
        return client

    return make
