"""Helpers for the compendium auditing Menju Toshihiro, "International Policies of Local
Governments" (2003).

Modules, each small and imported explicitly so that a notebook pays only for what it uses:

- ``paths``: every project folder, resolved from this package (never from the working directory)
- ``data``: load a CSV described by data/datapackage.json and stop with a clear error on bad input
- ``claims``: the claims ledger and the rules that turn a recomputed value into a verdict
- ``params``: check notebook parameters in their first cells
- ``plotting``: one seaborn theme and a source line under each figure
- ``notebooks``: the ordered list of notebooks, what each reads and writes
- ``run``: execute notebooks with papermill, in parallel, incrementally and atomically
"""
