"""`fitsdesk change` and `fitsdesk calendar`: requests for change and the school
calendar they are scheduled around, at the command line (store.changes)."""
