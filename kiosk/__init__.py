"""The walk-up kiosk (Textual). Talks to the database only through `store`."""
