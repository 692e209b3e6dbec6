"""A change's committee votes come in rounds: when a change goes back to planning (its
window no longer fits the calendar, say), votes given on the old plan no longer count,
and each member votes again on the new one."""

from peewee import IntegerField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("change", "vote_round", IntegerField(default=1)),
        migrator.add_column("vote", "round", IntegerField(default=1)),
        migrator.drop_index("vote", "vote_change_id_stage_member_id"),
        migrator.add_index("vote", ("change_id", "stage", "round", "member_id"), True),
    )
