"""Display formats of the site's two languages (settings.FORMAT_MODULE_PATH), read before Django's own.

Only output formats are set here: the input formats stay Django's, so that `<input type="date">` keeps receiving
ISO dates whatever the language.
"""
