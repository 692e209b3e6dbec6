"""FITS Desk's records and their rules: no Textual, no terminal I/O.

    from store.db import database; from store.servicedesk import servicedesk, incidents
    database.connect("sqlite:////tmp/desk.db")    # or None: FITSDESK_DB, config, default
    call = servicedesk.log_call(summary="Projector flickers", requester="Ms Khan",
                                role="staff", location="S12", by="jsmith")
    incidents.take(call.number, by="jsmith")
    incidents.resolve(call.number, kind="fix", text="New lamp", by="jsmith")
    servicedesk.confirm_fixed(call.scan)          # the caller, with the check code

Modules are named after the FITS process they serve: `servicedesk` (logging,
finding and closing calls), `incidents` (a technician's work on a call),
`people`, `locations`, `categories`, `assets`; `journal` records every
change; `sanitise` cleans every piece of people's text.
"""
