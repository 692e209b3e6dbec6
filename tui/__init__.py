"""The technician desk (Textual), the widgets both apps share, and the `fitsdesk` command."""
