"""Problem management's screens: the problems and known errors, one problem, the
trends that suggest new ones, and capacity (store.problems)."""
