"""Every command's --help reads as plain English: each option, argument and action says
what it is for, and each placeholder is a word a person understands (NAME, DATE,
TEXT), never the program's own name for it (TRYING_TO_DO)."""

from __future__ import annotations

import argparse
import re

import pytest

from tui.cli import build_parser

pytestmark = pytest.mark.no_db

ROOT = "fitsdesk"


def parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = (ROOT,)):
    """Every parser under `parser` with the words that reach it: fitsdesk asset add..."""
    yield " ".join(path), parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from parsers(sub, (*path, name))


EVERY = dict(parsers(build_parser()))


def placeholder(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    """What --help shows for the action's value: `NAME` in `--requester NAME`."""
    formatter = parser._get_formatter()
    if action.option_strings:
        default = formatter._get_default_metavar_for_optional(action)
    else:
        default = formatter._get_default_metavar_for_positional(action)
    return formatter._format_args(action, default)


def internal(shown: str) -> str | None:
    """Why a placeholder is the program's own name rather than a word, or None."""
    for word in re.findall(r"[A-Za-z_][A-Za-z0-9_.]*", shown):
        if "_" in word:
            return f"{word} is a name from the code (it has an underscore)"
        if len(word) == 1 and word != "N":
            return f"{word} is one letter, which says nothing"
        if word.islower() and shown.strip("[]. ") == word:
            return f"{word} is the code's lower-case name for it"
    return None


def test_the_walk_reaches_every_command():
    assert {"fitsdesk log", "fitsdesk asset add", "fitsdesk software build install"} <= set(EVERY)
    assert len(EVERY) > 140


@pytest.mark.parametrize("where", sorted(EVERY))
def test_every_help_line_says_what_it_is_with_a_plain_placeholder(where):
    parser = EVERY[where]
    problems = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, argparse._SubParsersAction):
            listed = {choice.dest: choice.help for choice in action._choices_actions}
            problems += [
                f"the action '{name}' has no description"
                for name in action.choices
                if not (listed.get(name) or "").strip()
            ]
            continue
        name = "/".join(action.option_strings) or action.dest
        if not (action.help or "").strip():
            problems.append(f"{name} has no description")
        if action.nargs == 0 or (action.choices is not None and action.metavar is None):
            continue  # a flag, or a list of choices shown as {a,b,c}
        why = internal(placeholder(parser, action))
        if why:
            problems.append(f"{name}: {why}")
    assert not parser.format_help().count("%(")
    assert not problems, f"{where} --help:\n  " + "\n  ".join(problems)
