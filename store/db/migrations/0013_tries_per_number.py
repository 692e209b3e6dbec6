"""Wrong check codes are counted against the log number tried, not the kiosk: a pupil
guessing one number slows that number down and nobody else (docs/kiosk.md)."""

from peewee import TextField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("attempt", "target", TextField(default="")),
        migrator.add_index("attempt", ("kind", "target", "at")),
    )
