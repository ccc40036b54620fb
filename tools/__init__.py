"""Build machinery: run the notebooks, build the site, sweeps, benchmark, coverage, lock.

No notebook imports these; the analysis rests on ``helpers/`` only.
"""
