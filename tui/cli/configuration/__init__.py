"""`fitsdesk asset`, `loan`, `labels` and `software`: the asset register at the
command line (store.configuration)."""
