"""FITS Desk's benchmarks: each figure is a ratio against a baseline timed in the same run.

    python -m bench                       # SQLite, 100k and 1M incidents
    python -m bench --sizes 100000 --postgres postgresql://postgres@127.0.0.1/test
    python -m bench --cache ~/.cache/fitsdesk-bench   # keep the big databases between runs

Absolute times on a shared machine drift; ratios measured side by side do not.
These are measurements, not tests: nothing here passes or fails.
"""
