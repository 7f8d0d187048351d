"""schemathesis against the API's own OpenAPI schema: every operation, a bounded number of generated requests each,
as the provincial integration account (token). No answer may be a 5xx or break the schema (status codes,
content types, bodies, headers).

New endpoints are covered as soon as they are in the schema. An operation that needs data to exist (a detail
route) also gets its ids from the `world` rows the fixture makes; generated ids mostly answer 404, which is
documented and checked against the error shape.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from survey import accounts
from survey.models import User
from tests import factories
from tests.fuzzing import examples

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())

# Operations whose input has rules that OpenAPI 3.0 cannot state (each described in the operation): rules across
# fields (contact needs consent; points not above the maximum), decimals with at most two places, a file's
# content (a CCHC import's rows and columns). Input valid field by field may break them and is rightly refused with
# 400, so "valid data is accepted" does not apply. Every other check still does.
# A rating import's file (its extension, and never the same file twice) and a batch's state (only a checked batch is
# confirmed, only a done one rolled back) are such rules too.
CROSS_FIELD_RULES = {
    "POST /api/v1/feedback/",
    "POST /api/v1/cchc-scores/",
    "POST /api/v1/cchc-scores/import/",
    "POST /api/v1/rating-imports/",
    "POST /api/v1/rating-imports/{id}/confirm/",
    "POST /api/v1/rating-imports/{id}/roll-back/",
}


@pytest.fixture
def wsgi_calls_keep_the_test_transaction():
    """schemathesis calls the WSGI application directly; like Django's test client, keep Django from closing the
    database connection (and with it the test's transaction) at the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def provincial_token(world, wsgi_calls_keep_the_test_transaction) -> str:
    factories.make_questionnaire(unit=world.unit_a)
    factories.make_questionnaire()
    # Rows for the lists of figures and scores to show (a figure with nothing to count has null values).
    factories.make_snapshot(level="unit", entity_id=world.unit_b.pk, period="2024", value=62.0, n=40)
    factories.make_snapshot(level="counter", entity_id=world.counter_a.pk, period="2024-03", value=None, n=0)
    factories.make_snapshot(level="province", entity_id=0, period="2024-Q2", index="pooled_sipas")
    factories.make_cchc_score(unit=world.unit_a, year=2024, points=82.36)
    factories.make_unit_snapshot(unit=world.unit_a, value=91.5, year=2024)
    integrator = factories.make_user(username="mot-cua", role=User.Role.PROVINCE)
    return accounts.issue_api_token(user=integrator, name="schemathesis")[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=examples(20), deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, provincial_token):
    # Identity encoding: the in-process WSGI client does not undo the site's gzip compression.
    excluded = [positive_data_acceptance] if case.operation.label in CROSS_FIELD_RULES else []
    case.call_and_validate(
        headers={"Authorization": f"Token {provincial_token}", "Accept-Encoding": "identity"},
        excluded_checks=excluded,
    )
