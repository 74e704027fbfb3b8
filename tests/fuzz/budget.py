"""How long the hypothesis fuzz tests search: a bounded budget for CI, more on request.

``SOURCETRACE_FUZZ=ci`` (the default) runs each test's own small number of examples, with no example database
written into the checkout; ``SOURCETRACE_FUZZ=long`` multiplies every budget by 50 (or by
``SOURCETRACE_FUZZ_SCALE``) and keeps failing examples in ``.hypothesis/`` to replay them first next time.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis.database import DirectoryBasedExampleDatabase

PROFILE = os.environ.get("SOURCETRACE_FUZZ", "ci")
SCALE = int(os.environ.get("SOURCETRACE_FUZZ_SCALE", "50")) if PROFILE == "long" else 1
# Generous: the machine is shared and slow examples are not failures; a hang (an input that never finishes) is.
DEADLINE_MS = 20_000

# CI searches the same inputs every run (derandomize): a shared suite must not fail at random; the long profile
# searches afresh each time.
settings.register_profile("ci", database=None, derandomize=True, print_blob=True)
settings.register_profile("long", database=DirectoryBasedExampleDatabase(".hypothesis/examples"), print_blob=True)
settings.load_profile("long" if PROFILE == "long" else "ci")


def budget(examples: int, *, deadline_ms: int = DEADLINE_MS) -> settings:
    """Settings for one fuzz test: ``examples`` in CI, ``examples × SCALE`` in a long run."""
    return settings(max_examples=examples * SCALE, deadline=deadline_ms,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])
