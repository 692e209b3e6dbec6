"""`fitsdesk mail`: the email channel at the command line: fetch, send, the outbox,
the templates, and the files that came with the mail (store.mail)."""
