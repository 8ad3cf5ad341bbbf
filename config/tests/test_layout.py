"""The shape of the tree: every test is collected, and each app imports only from apps to its left.

The order is common ← accounts ← courses ← tna ← (pool, evaluation) ← committee ← reports; transfer, bench, config
and the browser journeys sit above them all and may read any app. It holds for tests too, so an app's
tests never need a later app to run.
"""

import ast
import configparser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# How far right each app sits; an app may import only apps with a smaller number.
ORDER = {
    "common": 0,
    "accounts": 1,
    "courses": 2,
    "tna": 3,
    "pool": 4,
    "evaluation": 4,
    "committee": 5,
    "reports": 6,
}
ABOVE_ALL = {"transfer", "bench", "config", "e2e"}


def _python_files(folder: Path):
    return sorted(path for path in folder.rglob("*.py") if "migrations" not in path.parts)


def _imported_apps(path: Path) -> set[tuple[str, int]]:
    """The project's top-level packages a module imports, each with the line it does so on."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in ORDER or top in ABOVE_ALL:
                found.add((top, node.lineno))
    return found


def test_every_folder_of_tests_is_collected_by_make_test():
    parser = configparser.ConfigParser()
    parser.read(ROOT / "pytest.ini")
    collected = parser["pytest"]["testpaths"].split()
    folders = {
        path.relative_to(ROOT).parts[0]
        for path in ROOT.rglob("test_*.py")
        if not {".venv", "node_modules", "var"} & set(path.relative_to(ROOT).parts)
    }
    assert folders, "no tests found at all"
    assert folders <= set(collected), f"tests outside pytest.ini's testpaths: {sorted(folders - set(collected))}"


@pytest.mark.parametrize("app", sorted(ORDER))
def test_an_app_imports_only_apps_to_its_left(app):
    wrong = []
    for path in _python_files(ROOT / app):
        for imported, line in _imported_apps(path):
            if imported == app:
                continue
            if imported in ABOVE_ALL or ORDER[imported] >= ORDER[app]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert not wrong, "imports against the direction of dependencies:\n" + "\n".join(sorted(wrong))
