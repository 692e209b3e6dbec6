"""The command palette (ctrl+p) offers the desk's actions by name: the keys of the screen
you are on, and the ones that work anywhere."""

from __future__ import annotations

from textual.app import SystemCommand
from textual.binding import Binding


def desk_commands(app, screen):
    """A command for each action with a description on `screen` and on the app."""
    seen = set()
    for owner in (screen, app):
        for binding in getattr(type(owner), "BINDINGS", []):
            if not isinstance(binding, Binding) or not binding.description:
                continue
            if binding.action in seen:
                continue
            if owner is screen and not screen.check_action(*_split(binding.action)):
                continue  # not possible here and now
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                binding.tooltip or binding.description,
                _runner(owner, binding.action),
            )


def _split(action: str) -> tuple[str, tuple]:
    name, _, rest = action.partition("(")
    args = tuple(part.strip().strip("'\"") for part in rest.rstrip(")").split(",") if part)
    return name, args


def _runner(owner, action: str):
    async def run() -> None:
        await owner.run_action(action)

    return run
