"""Numbered schema scripts, run in order by `store.db.database.upgrade_schema`.

Each script holds frozen copies of the tables as they were when it was
written, so later changes to `store.db.models` never alter what it does.
"""
