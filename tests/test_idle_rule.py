"""The idle rule: every template that makes a page refresh itself (an htmx `every` trigger, or
a script that runs on a timer) is named by a browser test marked `idle_pages` that calls
`idle_then_use`. A new polling page without such a test fails here, with its name."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "huduma" / "templates"
SCRIPTS = ROOT / "huduma" / "static" / "js"
TESTS = ROOT / "tests"
POLLS = re.compile(r"""hx-trigger\s*=\s*["'][^"']*\bevery\b""")
TIMERS = re.compile(r"\bset(?:Interval|Timeout)\s*\(")


def polling_templates() -> set[str]:
    timed = {path.name for path in SCRIPTS.glob("*.js") if TIMERS.search(path.read_text())}
    found = set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        scripts = set(re.findall(r"""static\s+['"]js/([\w.-]+\.js)['"]""", text))
        if POLLS.search(text) or scripts & timed:
            found.add(path.relative_to(TEMPLATES).as_posix())
    return found


def _marked(decorator) -> list[str] | None:
    """The templates named by `@pytest.mark.idle_pages(...)`, or None for another decorator."""
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
        return None
    if decorator.func.attr != "idle_pages":
        return None
    return [arg.value for arg in decorator.args if isinstance(arg, ast.Constant)]


def idle_tests() -> dict[str, list[str]]:
    """Template -> the idle tests naming it (only tests whose body calls idle_then_use)."""
    covered: dict[str, list[str]] = {}
    for path in TESTS.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
                continue
            names = [n for d in node.decorator_list for n in (_marked(d) or [])]
            calls = {
                c.func.id
                for c in ast.walk(node)
                if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)
            }
            if names and "idle_then_use" in calls:
                for name in names:
                    covered.setdefault(name, []).append(f"{path.name}::{node.name}")
    return covered


def test_the_scan_finds_the_known_polling_pages():
    # Guards the scan itself: were it to find nothing, the rule below would pass vacuously.
    assert {
        "queues/_console_status.html",
        "queues/display.html",
        "queues/live.html",
        "queues/_ticket_status.html",
        "feedback/_screen.html",
        "queues/kiosk_base.html",
    } <= polling_templates()


def test_every_polling_template_has_an_idle_browser_test():
    covered = idle_tests()
    missing = sorted(polling_templates() - covered.keys())
    assert not missing, (
        "these templates make a page refresh itself but no browser test leaves it idle: add a "
        "test marked @pytest.mark.idle_pages(<template>) that calls idle_then_use(page): "
        f"{missing}"
    )
    unknown = sorted(covered.keys() - polling_templates())
    assert not unknown, f"idle_pages names templates that do not poll (renamed?): {unknown}"
