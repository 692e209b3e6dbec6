"""Financial management and IT service continuity: spending and budgets, a device's
funding, useful life and planned replacement, a licence's cost and renewal reminder,
installs beyond the seats or under a change, and a continuity plan for each service
with its tests (docs/finance.md, docs/continuity.md)."""

from peewee import (
    SQL,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    SmallIntegerField,
    TextField,
)


def up(migrator, db):
    class Frozen(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Asset(Frozen):
        class Meta:
            table_name = "asset"

    class Software(Frozen):
        class Meta:
            table_name = "software"

    class Incident(Frozen):
        class Meta:
            table_name = "incident"

    class Service(Frozen):
        class Meta:
            table_name = "service"

    class Spend(Frozen):
        amount_pence = IntegerField()
        category = CharField(max_length=12)
        spent_on = DateField(index=True)
        supplier = TextField(default="")
        reference = TextField(default="")
        description = TextField(default="")
        asset = ForeignKeyField(Asset, null=True)
        software = ForeignKeyField(Software, null=True)
        incident = ForeignKeyField(Incident, null=True)
        source = TextField(default="desk")
        created_by = TextField()
        created_at = DateTimeField()

        class Meta:
            table_name = "spend"

    class Budget(Frozen):
        year = IntegerField()
        category = CharField(max_length=12)
        amount_pence = IntegerField()

        class Meta:
            table_name = "budget"
            indexes = ((("year", "category"), True),)

    class ContinuityPlan(Frozen):
        service = ForeignKeyField(Service, unique=True)
        recovery_priority = SmallIntegerField(default=3)
        rto_minutes = IntegerField(null=True)
        rpo_minutes = IntegerField(null=True)
        backup_method = TextField(default="")
        copies = SmallIntegerField(default=0)
        copy_devices = SmallIntegerField(default=0)
        offsite = BooleanField(default=False)
        steps = TextField(default="")
        contacts = TextField(default="")
        reviewed_at = DateTimeField(null=True)
        tested_on = DateField(null=True)
        test_result = CharField(max_length=10, null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField(null=True)
        version = IntegerField(default=1)

        class Meta:
            table_name = "continuity_plan"

    class ContinuityTest(Frozen):
        plan = ForeignKeyField(ContinuityPlan)
        tested_on = DateField()
        result = CharField(max_length=10)
        notes = TextField(default="")
        recorded_by = TextField()
        recorded_at = DateTimeField()

        class Meta:
            table_name = "continuity_test"

    db.create_tables([Spend, Budget, ContinuityPlan, ContinuityTest])

    def kept(value: str) -> list:
        """A default the database itself keeps: rows written by a bulk insert that names
        only some columns (the register's import, the demo) get it too."""
        return [SQL(f"DEFAULT {value}")]

    migrator.migrate(
        migrator.add_column("asset", "funding", TextField(default="", constraints=kept("''"))),
        migrator.add_column("asset", "useful_life_years", SmallIntegerField(null=True)),
        migrator.add_column("asset", "replace_in", IntegerField(null=True)),
        migrator.add_column("software", "cost_pence", IntegerField(null=True)),
        migrator.add_column(
            "software",
            "cost_per",
            CharField(max_length=10, default="year", constraints=kept("'year'")),
        ),
        migrator.add_column(
            "software", "auto_renew", BooleanField(default=False, constraints=kept("FALSE"))
        ),
        migrator.add_column(
            "software", "remind_days", IntegerField(default=60, constraints=kept("60"))
        ),
        migrator.add_column("software_install", "change_id", IntegerField(null=True)),
        migrator.add_column(
            "software_install", "over_licence", TextField(default="", constraints=kept("''"))
        ),
    )
