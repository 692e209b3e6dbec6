"""The email channel: calls logged from a mailbox (`mailbox`, `intake`, `parse`) and the
outbox sent to callers (`delivery`, `records`). Settings are `store.db.mail_settings`
(the [mail] table); the messages themselves are `store.records.templates`.

Stands on db, school, records and servicedesk.
"""
