"""Settings of the submission benchmark only (bench/submit.py): the product's settings plus a throwaway URL.

The product's URLs come first and are unchanged, so the rating paths resolve exactly as in production; the one
extra route is the plain DRF `ModelSerializer` create endpoint that the benchmark uses as a reference. Never used
by the product.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
