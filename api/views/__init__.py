"""Views of the API, one module per domain app (survey now; feedback and indices as they land)."""
