"""Change management's screens: the requests for change, one change and its forms,
and the forward schedule of change (store.changes)."""
