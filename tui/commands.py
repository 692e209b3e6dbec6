"""The command palette (ctrl+p) offers the desk's actions by name: the keys of the screen
you are on, and the ones that work anywhere. Each is named once, by the words its key
has in the footer and F1; the line under the name says more only when there is more to
say (the key's tooltip)."""

from __future__ import annotations

from textual.app import SystemCommand
from textual.binding import Binding


def desk_commands(app, screen, named: set[str] | None = None):
    """A command for each action with a description on `screen` and on the app, each
    name once (`named` gathers the names given, to leave out a repeat)."""
    named = set() if named is None else named
    for owner in (screen, app):
        for binding in getattr(type(owner), "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            if binding.description in named or binding.action == "command_palette":
                continue
            if not _possible(owner, binding.action):
                continue  # not possible here and now
            named.add(binding.description)
            yield SystemCommand(
                binding.description,
                binding.tooltip if binding.tooltip != binding.description else "",
                _runner(owner, binding.action),
            )


def _possible(owner, action: str) -> bool:
    """Whether `action` (as a binding on `owner` names it) can be done now."""
    if action.startswith("app."):
        owner, action = owner.app, action.removeprefix("app.")
    return bool(owner.check_action(*_split(action)))


def _split(action: str) -> tuple[str, tuple]:
    name, _, rest = action.partition("(")
    args = tuple(part.strip().strip("'\"") for part in rest.rstrip(")").split(",") if part)
    return name, args


def _runner(owner, action: str):
    async def run() -> None:
        await owner.run_action(action)

    return run
