"""Settings of the submission benchmark only (bench/submit.py): the product's settings plus a throwaway URL.

The product's URLs come first and are unchanged, so the rating paths resolve exactly as in production; the one
extra route is the plain DRF `ModelSerializer` create endpoint that the benchmark uses as a reference. Never used
by the product.
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The connection pool under evaluation (bench/submit.py, stage "servers"): psycopg's pool through Django's
# OPTIONS["pool"], which excludes persistent connections. Each worker process has its own pool, sized to its
# threads.
if os.environ.get("BENCH_DATABASE_POOL", "") not in ("", "0"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
    DATABASES["default"]["OPTIONS"]["pool"] = {  # noqa: F405
        "min_size": 1,
        "max_size": int(os.environ["BENCH_DATABASE_POOL"]),
        "timeout": 10,
    }
