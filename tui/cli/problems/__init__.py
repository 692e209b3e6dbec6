"""`fitsdesk problem` and `fitsdesk metric`: problems, and the capacity readings
and forecasts, at the command line (store.problems)."""
