from django.urls import include, path

app_name = "survey"

urlpatterns: list = [
    # Rating integrity review (issue 4), kept in its own module.
    path("", include("survey.quarantine_urls")),
]
