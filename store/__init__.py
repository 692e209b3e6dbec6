"""FITS Desk's records and their rules: no Textual, no terminal I/O.

    from store.db import database
    from store.servicedesk import incidents, servicedesk
    database.connect("sqlite:////tmp/desk.db")    # or None: FITSDESK_DB, config, default
    call = servicedesk.log_call(summary="Projector flickers", requester="Ms Khan",
                                role="staff", location="S12", by="jsmith")
    incidents.take(call.number, by="jsmith")
    incidents.resolve(call.number, kind="fix", text="New lamp", by="jsmith")
    servicedesk.confirm_fixed(call.scan)          # the caller, with the check code

One package per FITS area, each importing only from the areas below it (lowest
first): `db` (the connection, tables, settings, journal, errors), `school` (people,
rooms, kiosks), `records` (the rows areas share), `configuration` (the register),
`problems`, `servicedesk`, `changes`, `mail`, `continuity` (backups),
`service_levels` and `finance` (to come), `demo`. docs/architecture.md draws the map.
"""
