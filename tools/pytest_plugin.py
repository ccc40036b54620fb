"""Loaded by pytest before its other plugins (``-p tools.pytest_plugin`` in pyproject.toml).

nbval imports nbformat, and so jsonschema, as pytest starts, in the controller and in every
xdist worker. Skipping jsonschema's optional IRI checker there saves about 2 s per process;
see ``tools.nbfiles.skip_slow_validator``.
"""

from tools.nbfiles import skip_slow_validator

skip_slow_validator()
