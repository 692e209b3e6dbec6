"""The desk's dialogs: small screens that ask for one thing and do it through the store."""
