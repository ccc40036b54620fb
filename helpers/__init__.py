"""Helpers for the compendium auditing Menju Toshihiro, "International Policies of Local
Governments" (2003). Each module is imported explicitly: a notebook pays only for what it uses.

- ``paths``: every project folder, resolved from this package (never from the working directory)
- ``data``: load a CSV described by data/datapackage.json and stop with a clear error on bad input
- ``claims``: the claims ledger and the rules that turn a recomputed value into a verdict
- ``findings``: fill the sentences people wrote (data/findings.csv) with the run's numbers
- ``external``: check the ledger's stated values against external public records
- ``municipalities``: count Japan's local governments by type on any date, from a register
- ``exercises``: record a solution's answer; let a student check one without seeing it
- ``params``: check notebook parameters in their first cells
- ``plotting``: one seaborn theme and a source line under each figure
"""
