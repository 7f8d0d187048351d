"""How the property-based tests (hypothesis, schemathesis) draw their examples.

By default the draw is repeatable: every run of a commit tries the same examples, so CI passes or fails for the
code, not for the luck of the draw, and anyone can reproduce a failure. To look for new bugs, explore: new random
examples on every run, `HL_FUZZ_SCALE` times as many, e.g.

    HL_FUZZ=explore HL_FUZZ_SCALE=10 make test PYTEST_ARGS="tests/api/test_schema.py tests/test_fuzz.py"

and add each bug it finds as a test of its own.
"""

import os

from hypothesis import settings

settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("HL_FUZZ") == "explore" else "repeatable")


def examples(count: int) -> int:
    """A test's number of examples, scaled by `HL_FUZZ_SCALE`."""
    return max(1, round(count * float(os.environ.get("HL_FUZZ_SCALE", "1"))))
