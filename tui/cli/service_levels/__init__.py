"""`fitsdesk sla`, `fitsdesk service` and `fitsdesk report`: service level management at
the command line (store.service_levels): targets and hours of cover, the service
catalogue and its outages, and the termly service report."""
