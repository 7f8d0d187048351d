"""Public and staff pages of the survey app."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Unit


def home(request: HttpRequest) -> HttpResponse:
    """The public home page: what the platform is, and for staff the way to their area."""
    return render(
        request,
        "survey/home.html",
        {"unit_count": Unit.objects.active().count()},
    )
