"""Every chapter executes standalone, as Binder would run it (jupytext + nbclient).

This is independent of the Sphinx build: a reader who opens a chapter in
JupyterLab gets a fresh kernel whose working directory is ``book/``. Each
figure a chapter draws must carry alt text and a caption in its cell
metadata (CONTRIBUTING.md, rule 6).
"""
import time
from pathlib import Path

import jupytext
import nbclient
import pytest

import bookrules as br

ROOT = br.ROOT
NOTEBOOK_PAGES = [f for f in br.toc_files()
                  if (ROOT / f"{f}.md").is_file() and "kernelspec" in (ROOT / f"{f}.md").read_text()[:600]]

pytestmark = pytest.mark.book


def execute(path):
    nb = jupytext.read(path)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


def figure_problems(nb, slug):
    problems = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})
                  and "scrapbook" not in o.get("metadata", {})]
        if not images:
            continue
        meta = cell.metadata.get("mystnb", {})
        if not meta.get("image", {}).get("alt"):
            problems.append(f"{slug}, cell {i}: draws a figure without mystnb.image.alt text")
        if not meta.get("figure", {}).get("caption"):
            problems.append(f"{slug}, cell {i}: draws a figure without mystnb.figure.caption")
    return problems


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_page_executes_standalone(page, record_property):
    nb, seconds = execute(ROOT / f"{page}.md")
    assert any(c.cell_type == "code" for c in nb.cells), f"{page} was not read as a MyST notebook"
    record_property("seconds", round(seconds, 1))
    print(f"{page}: executed in {seconds:.1f} s")
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert figure_problems(nb, Path(page).name) == []


def test_figure_rule_catches_a_figure_without_alt_text(tmp_path):
    page = tmp_path / "fig.md"
    page.write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n"
        "```{code-cell} ipython3\n"
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([0, 1])\nplt.show()\n```\n"
    )
    nb, _ = execute(page)
    assert [c.cell_type for c in nb.cells] == ["code"], "the fixture was not read as a MyST notebook"
    problems = figure_problems(nb, "fig")
    assert any("alt text" in p for p in problems) and any("caption" in p for p in problems)
