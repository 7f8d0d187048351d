"""The OpenAPI generator of the API: drf-spectacular's, plus the error answers every operation can give, all in
the one shape of api/errors.py, so that integrators (and schemathesis) see them documented."""

from drf_spectacular import openapi
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny

from .serializers.common import ErrorSerializer


class AutoSchema(openapi.AutoSchema):
    def _get_filter_parameters(self):
        # An empty filter (`?unit=`, as an HTML form sends it) means "no filter": say so in the schema.
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            if parameter.get("in") == "query":
                parameter["allowEmptyValue"] = True
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in self._error_answers():
            if code not in responses:
                response = OpenApiResponse(ErrorSerializer, description=description)
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _error_answers(self) -> list[tuple[str, str]]:
        answers = [("400", "Invalid input: `errors` names each field at fault.")]
        if self.view.get_authenticators():
            answers.append(("401", "Missing or invalid credentials."))
        if any(not isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            answers.append(("403", "The account may not do this."))
        answers.append(("404", "No such object (or not one the caller may see), or no such page of a list."))
        if self.method in ("POST", "PUT", "PATCH"):
            answers.append(("415", "The body is not JSON (or a form where the operation accepts one)."))
        answers.append(("429", "Too many requests: wait for the number of seconds in `Retry-After`."))
        return answers


class ProjectSessionScheme(SessionScheme):
    """Documents api.authentication.SessionAuthentication as the session cookie scheme it is."""

    target_class = "api.authentication.SessionAuthentication"


class ProjectTokenScheme(OpenApiAuthenticationExtension):
    """Documents api.authentication.TokenAuthentication (django-rest-knox's hashed, expiring tokens) as the
    `Authorization: Token <token>` header, under the scheme name DRF's tokens had, so clients need no change."""

    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")


class EmptyQueryMeansDefaultSchema(AutoSchema):
    """For views that read their query with a serializer (`parameters=[SomeSerializer]`): an optional parameter
    sent empty (`?quarter=`, as an HTML form sends it) takes its default, as DRF's serializers do; say so."""

    def _process_override_parameters(self, direction="request"):
        parameters = super()._process_override_parameters(direction)
        for parameter in parameters.values():
            if parameter.get("in") == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return parameters


# What config.middleware.ControlCharacterMiddleware refuses (400) anywhere in the address.
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f]*$"


def document_address_rules(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: every free-text path or query parameter says in its pattern that a
    control character is refused (400) before any view runs, so that clients (and schemathesis) know the rule."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                if parameter.get("in") not in ("path", "query") or schema.get("type") != "string":
                    continue
                if schema.get("pattern") == "^[^/]+$":
                    # A path segment from a route's regex: any character but "/", and not a control one either.
                    schema["pattern"] = r"^[^/\x00-\x1f\x7f]+$"
                elif not ({"enum", "format", "pattern"} & schema.keys()):
                    schema["pattern"] = NO_CONTROL_CHARACTERS
    return result
