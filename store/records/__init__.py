"""The records the FITS areas share: calls and their notes (`calls`, `views`), problem
and change rows with their numbers (`problems`, `changes`), and the messages queued to
callers (`outbox`, written from `templates`).

These are the reading and writing helpers the areas above use inside their own
transactions; the rules of each process live in its own package (store.servicedesk,
store.problems, store.changes). Stands on `store.db` and `store.school`.
"""
