"""The email channel: messages taken in (with their attachments) and the outbox of
messages to callers, each sent once."""

from peewee import (
    BlobField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class Frozen(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Incident(Frozen):
        class Meta:
            table_name = "incident"

    class MailIn(Frozen):
        key = CharField(max_length=200, unique=True)
        received_at = DateTimeField()
        sender_name = TextField(default="")
        sender_address = TextField(default="")
        subject = TextField(default="")
        body = TextField(default="")
        incident = ForeignKeyField(Incident, null=True)
        outcome = CharField(max_length=12)
        reason = TextField(default="")
        size = IntegerField(default=0)

        class Meta:
            table_name = "mail_in"

    class MailAttachment(Frozen):
        mail = ForeignKeyField(MailIn)
        name = TextField()
        size = IntegerField()
        content_type = TextField(default="")
        content = BlobField(null=True)

        class Meta:
            table_name = "mail_attachment"

    class MailOut(Frozen):
        incident = ForeignKeyField(Incident, null=True)
        kind = CharField(max_length=10)
        to_name = TextField(default="")
        to_address = TextField()
        subject = TextField()
        body = TextField()
        message_id = CharField(max_length=200, unique=True)
        in_reply_to = TextField(default="")
        status = CharField(max_length=10, default="waiting")
        attempts = IntegerField(default=0)
        queued_at = DateTimeField()
        next_try_at = DateTimeField()
        claimed_until = DateTimeField(null=True)
        sent_at = DateTimeField(null=True)
        last_error = TextField(default="")

        class Meta:
            table_name = "mail_out"
            indexes = ((("status", "next_try_at"), False), (("to_address", "queued_at"), False))

    db.create_tables([MailIn, MailAttachment, MailOut])
