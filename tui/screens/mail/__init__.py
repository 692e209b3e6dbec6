"""The email channel's screens: a call's mail in full, and the outbox of mail not
sent yet (store.mail, store.records.outbox)."""
