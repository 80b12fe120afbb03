"""The package layout says what each package is: nncore is the library, nnbook the apparatus."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_importing_nncore_loads_neither_nnbook_nor_matplotlib():
    code = ("import sys, nncore; "
            "print(sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('nnbook', 'matplotlib')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    assert out == "[]", f"import nncore pulled in {out}"


def test_no_nncore_module_names_nnbook_or_a_teaching_tool():
    for path in sorted((ROOT / "nncore").rglob("*.py")):
        text = path.read_text()
        for word in ("nnbook", "matplotlib", "checkers", "handtrace"):
            assert word not in text, f"{path.relative_to(ROOT)} mentions {word!r}"


def test_every_module_has_its_own_test_file():
    for package in ("nncore", "nnbook"):
        for path in sorted((ROOT / package).glob("*.py")):
            if path.name.startswith("_"):
                continue
            expected = ROOT / "tests" / f"test_{package}_{path.stem}.py"
            assert expected.exists(), f"{package}.{path.stem} has no {expected.name}"
