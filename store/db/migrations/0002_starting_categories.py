"""The usual categories on every new database, so a first run needs no setup.

A database that already has categories (a school that made its own) is left alone.
"""

import datetime

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)

# name, pupil's words, impact, urgency, shown on the kiosk (1 high, 3 low)
STARTING = (
    ("laptop", "Laptop or Chromebook", 3, 2, True),
    ("printer", "Printer", 2, 2, True),
    ("wifi", "Wi-Fi or internet", 2, 2, True),
    ("login", "Logging in", 3, 1, True),
    ("projector", "Projector or board", 2, 1, True),
    ("software", "Software", 3, 2, True),
    ("other", "Something else", 3, 3, True),
    ("desktop", "Desktop computer", 3, 2, False),
    ("email", "Email", 2, 2, False),
    ("network", "Network or server", 1, 2, False),
    ("phone", "Telephone", 2, 2, False),
    ("mis", "MIS or school data", 2, 2, False),
)


def up(migrator, db):
    class Category(Model):
        name = CharField(max_length=40, unique=True)
        label = TextField()
        impact = SmallIntegerField(default=3)
        urgency = SmallIntegerField(default=3)
        on_kiosk = BooleanField(default=True)
        position = IntegerField(default=100)

        class Meta:
            database = db
            table_name = "category"

    class Journal(Model):
        at = DateTimeField()
        who = TextField()
        record = CharField(max_length=20)
        record_id = IntegerField()
        action = CharField(max_length=30)
        field = CharField(max_length=30, null=True)
        before = TextField(null=True)
        after = TextField(null=True)

        class Meta:
            database = db
            table_name = "journal"

    if Category.select().exists():
        return
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    for position, (name, label, impact, urgency, on_kiosk) in enumerate(STARTING, start=1):
        row = Category.create(
            name=name,
            label=label,
            impact=impact,
            urgency=urgency,
            on_kiosk=on_kiosk,
            position=position * 10,
        )
        Journal.create(
            at=now,
            who="setup",
            record="category",
            record_id=row.id,
            action="add",
            after=f"{name}: {label}",
        )
