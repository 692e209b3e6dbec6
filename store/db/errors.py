"""The three ways a store call can say no, each with one plain sentence.

    from store.db.errors import BadInput
    try:
        incidents.resolve("INC-000042", by="jsmith", kind="fix", text="")
    except BadInput as refusal:
        print(refusal)          # "Say what was done to resolve it."
        sys.exit(refusal.exit_code)

The command line maps `exit_code` straight to its exit status (docs/architecture.md:
1 not found, 2 bad input); the apps show the sentence on the field or screen.
"""


class FitsDeskError(Exception):
    """Something the person asked for cannot be done; str() is the sentence."""

    exit_code = 1


class NotFound(FitsDeskError):
    """No record answers to the number, name or code given."""

    exit_code = 1


class BadInput(FitsDeskError):
    """The input is empty, too long, malformed or names something unknown."""

    exit_code = 2


class Refused(BadInput):
    """The FITS rules do not allow this move from the record's current state."""


class NotAllowed(Refused):
    """The one acting lacks the role (technician, manager, committee member) or the part
    in the record (peer reviewer, implementer) the step needs. Each one is kept in the
    security audit trail (`store.school.audit`): `who` acted, `action` names the step."""

    def __init__(self, sentence: str, *, who: str, action: str | None = None) -> None:
        super().__init__(sentence)
        self.who = who
        self.action = action
        self.audited = False


class Unavailable(FitsDeskError):
    """The database cannot be opened, reached or written."""

    exit_code = 1
