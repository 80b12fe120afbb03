"""The Binder and local-Jupyter path: chapters opened and run in JupyterLab.

What a reader does after pressing the Binder button, or after running
``.venv/bin/jupyter lab``: open ``book/<slug>.md``, which must open as a
notebook (jupytext as the default viewer, set by ``postBuild``), and run
every cell. The test starts JupyterLab from the project's environment on
127.0.0.1 with its own, empty Jupyter config, data and runtime directories,
runs ``postBuild`` there exactly as Binder runs it, and drives Debian's
Chromium through Playwright.

Kernels talk to the server over IPC (Unix sockets in the isolated runtime
directory) instead of TCP: a kernel started while other kernels run (in
this test, a parallel book build or another test session) cannot pick a
TCP port someone else grabs in the meantime ("Address already in use",
then "Invalid Signature" and a kernel that never connects).

The server is stopped in the fixture's teardown, also when a test fails;
the teardown fails if any process it started is still alive or if the
server's log shows port trouble or a traceback.
"""
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

import bookrules as br

ROOT = br.ROOT
BIN = Path(sys.executable).parent
# Three chapters with figures and a quiz that run in a few seconds each.
CHAPTERS = ["neuron", "activations", "forward-pass-by-hand"]

pytestmark = pytest.mark.jupyterlab


def _alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def lab():
    """A JupyterLab server for the clone, configured as Binder configures it."""
    assert (BIN / "jupyter-lab").exists(), "JupyterLab is not installed in the project's environment"
    # A short path: Unix socket paths (the kernels' IPC channels) are limited
    # to 107 bytes, and pytest's tmp_path can be longer than that.
    home = Path(tempfile.mkdtemp(prefix="nnlab-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
    )
    # Binder runs postBuild from the repository root after installing
    # requirements.txt; run its commands the same way inside the isolated
    # config, except package installs (pip), which make has already done in
    # this venv (and which would need the network).
    commands = [line for line in (ROOT / "postBuild").read_text().splitlines()
                if line.strip() and not line.lstrip().startswith("#") and " pip " not in f" {line} "]
    assert any("jupytext-config" in c for c in commands), "postBuild no longer sets jupytext as the viewer"
    setup = subprocess.run(["bash", "-c", "\n".join(commands)], cwd=ROOT, env=env,
                           capture_output=True, text=True)
    assert setup.returncode == 0, f"postBuild's commands failed:\n{setup.stdout}{setup.stderr}"
    labconfig = home / "config" / "labconfig" / "default_setting_overrides.json"
    assert labconfig.is_file(), "postBuild did not write its JupyterLab settings into the isolated config"

    # Not part of the Binder setup but of the test's hygiene: JupyterLab saves
    # open notebooks every two minutes, and a jupytext save rewrites the
    # chapter's .md (header, line wrapping). The test never writes the clone.
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    sources = {p: p.read_bytes() for p in sorted((ROOT / "book").rglob("*")) if p.is_file()}

    token = secrets.token_hex(16)
    log_path = home / "server.log"
    log = open(log_path, "w")
    command = [
        str(BIN / "jupyter-lab"), "--no-browser", "--ip=127.0.0.1", "--port=0",
        f"--ServerApp.root_dir={ROOT}", f"--IdentityProvider.token={token}",
        "--KernelManager.transport=ipc",
        # Checkpoints (made when a file opens) go to the temporary folder, not book/.
        f"--FileCheckpoints.checkpoint_dir={home / 'checkpoints'}",
        # No call to PyPI from the server (no network in tests).
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
        # window.jupyterapp: the test reads cells and outputs from the model.
        "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:  # CI containers run as root; Jupyter refuses that unless told
        command.append("--allow-root")
    proc = subprocess.Popen(
        command,
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    start = time.perf_counter()
    info = None
    try:
        while info is None:
            assert proc.poll() is None, "JupyterLab exited at start:\n" + log_path.read_text()[-3000:]
            assert time.perf_counter() - start < 60, "JupyterLab did not start in 60 s:\n" + log_path.read_text()[-3000:]
            files = list((home / "runtime").glob(f"jpserver-{proc.pid}.json"))
            if files and files[0].stat().st_size:
                try:
                    info = json.loads(files[0].read_text())
                except json.JSONDecodeError:  # half written
                    pass
            time.sleep(0.2)
        yield {"url": f"http://127.0.0.1:{info['port']}", "token": token, "log": log_path, "home": home}
    finally:
        problems = []
        if info is not None:  # File > Shut Down: the server stops its kernels, then itself
            request = urllib.request.Request(f"http://127.0.0.1:{info['port']}/api/shutdown", method="POST",
                                             headers={"Authorization": f"token {token}"})
            try:
                urllib.request.urlopen(request, timeout=10).close()
            except OSError as e:
                problems.append(f"the shutdown request failed: {e}")
        else:
            proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            problems.append("JupyterLab did not stop within 30 s of being asked to")
        # Kernels run in the server's process group: none may outlive it.
        deadline = time.perf_counter() + 10
        while _alive(proc.pid) and time.perf_counter() < deadline:
            time.sleep(0.2)
        if _alive(proc.pid):
            problems.append("processes started by JupyterLab outlived it")
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        text = log_path.read_text()
        for trouble in ("Address already in use", "Invalid Signature", "Traceback"):
            if trouble in text:
                problems.append(f"the server log shows {trouble!r}")
        after = {p for p in (ROOT / "book").rglob("*") if p.is_file()}
        for path, content in sources.items():
            if not path.is_file() or path.read_bytes() != content:
                problems.append(f"JupyterLab changed {path.relative_to(ROOT)} (see git diff)")
        for path in after - set(sources):
            problems.append(f"JupyterLab created {path.relative_to(ROOT)}")
        shutil.rmtree(home, ignore_errors=True)
        assert not problems, "; ".join(problems) + "\n" + text[-3000:]


KERNEL_IDLE_JS = """() => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel;
  return kernel?.name === 'python3' && kernel.status === 'idle';
}"""

# Read from JupyterLab's own document model: for every code cell, its
# execution count, the output types and MIME types it produced.
CELLS_JS = """() => {
  const widget = window.jupyterapp.shell.currentWidget;
  const cells = widget.content.model.cells;
  const out = [];
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    const outputs = cell.outputs.toJSON();
    out.push({
      index: i,
      source: cell.sharedModel.getSource().split('\\n')[0].slice(0, 60),
      count: cell.executionCount,
      figure: !!(cell.getMetadata('mystnb') || {}).figure,
      errors: outputs.filter(o => o.output_type === 'error').map(o => o.ename + ': ' + o.evalue),
      images: outputs.filter(o => o.data && o.data['image/png']).length,
      widgets: outputs.filter(o => o.data && o.data['application/vnd.jupyter.widget-view+json']).length,
      quiz: outputs.some(o => o.data && String(o.data['text/html'] || '').includes('nnbook-quiz')),
    });
  }
  return out;
}"""


@pytest.mark.parametrize("slug", CHAPTERS)
def test_chapter_opens_as_a_notebook_and_runs_in_jupyterlab(lab, browser, slug):
    start = time.perf_counter()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))

    def local_only(route):  # no network in tests: a request elsewhere fails and is reported
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            problems.append(f"request outside localhost: {route.request.url}")
            route.abort()
    context.route("**/*", local_only)
    try:
        # ?reset: a fresh workspace, so the previous chapter's tab is not restored.
        page.goto(f"{lab['url']}/lab/tree/book/{slug}.md?reset&token={lab['token']}")
        # jupytext's default viewer: a notebook panel, not the text editor.
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
        assert page.locator(".jp-FileEditor").count() == 0, f"{slug}.md opened as text"
        assert page.locator(".jp-NotebookPanel").count() == 1
        assert page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path") == f"book/{slug}.md"
        # The chapter's kernel (python3, from its jupytext header) has started.
        page.wait_for_function(KERNEL_IDLE_JS, timeout=60_000)
        cells = page.evaluate(CELLS_JS)
        assert cells, f"{slug}.md opened with no code cells: jupytext did not read it as a notebook"
        assert page.locator(".jp-MarkdownCell").count() > 0

        # Run > Run All Cells, as a reader would.
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        deadline = time.perf_counter() + 120
        while True:
            cells = page.evaluate(CELLS_JS)
            if all(c["count"] is not None for c in cells) or any(c["errors"] for c in cells):
                break
            assert time.perf_counter() < deadline, (
                f"{slug}: cells still not run after 120 s: {[c['source'] for c in cells if c['count'] is None]}")
            time.sleep(0.5)

        errors = {c["index"]: c["errors"] for c in cells if c["errors"]}
        assert not errors, f"{slug}: cells raised errors: {errors}"
        not_run = [c["source"] for c in cells if c["count"] is None]
        assert not not_run, f"{slug}: code cells without an execution count: {not_run}"
        counts = [c["count"] for c in cells]
        assert counts == list(range(1, len(cells) + 1)), f"{slug}: cells ran out of order: {counts}"

        # Every figure cell (mystnb figure metadata) drew a PNG, and the page
        # shows each one as a loaded image.
        # (An explorer, nnbook.explorer, is a live ipywidget in Jupyter: its
        # controls must render as widgets.)
        no_image = [c["source"] for c in cells if c["figure"] and not (c["images"] or c["widgets"])]
        assert not no_image, f"{slug}: figure cells with no image output: {no_image}"
        if any(c["widgets"] for c in cells):
            page.locator(".jp-OutputArea-output .jupyter-widgets").first.wait_for(timeout=30_000)
        n_figures = sum(c["figure"] and c["images"] > 0 for c in cells)
        assert n_figures >= 2, f"{slug}: expected at least two figure cells, found {n_figures}"
        images = page.locator(".jp-OutputArea-output.jp-RenderedImage img")
        assert images.count() >= n_figures
        for img in images.all():
            img.scroll_into_view_if_needed()
            assert img.evaluate("i => i.complete && i.naturalWidth > 0"), f"{slug}: a figure did not load"

        # The quiz: its output came from nnbook.quiz, its script ran (trusted
        # output of this session) and drew one button per answer.
        assert any(c["quiz"] for c in cells), f"{slug}: no cell displayed the quiz"
        questions = yaml.safe_load((ROOT / "book" / "quizzes" / f"{slug}.yml").read_text())
        quiz = page.locator(".jp-OutputArea-output .nnbook-quiz").first
        quiz.scroll_into_view_if_needed()
        buttons = quiz.locator(".MCButton")
        buttons.first.wait_for(timeout=10_000)
        assert buttons.count() == sum(len(q["answers"]) for q in questions), f"{slug}: the quiz is incomplete"
        # Its maths is typeset (by JupyterLab: the quiz fetches no MathJax of its own).
        if any("$" in q["question"] + "".join(a["answer"] for a in q["answers"]) for q in questions):
            quiz.locator("mjx-container").first.wait_for(timeout=10_000)
            assert "$" not in quiz.inner_text(), f"{slug}: quiz maths left as TeX"
        buttons.first.click()
        quiz.locator(".Feedback").first.wait_for(timeout=5_000)
        assert quiz.locator(".Feedback").first.inner_text().strip(), f"{slug}: a quiz answer gave no feedback"
        assert not problems, problems
        # The kernel's channels are Unix sockets in the isolated runtime directory.
        assert list((lab["home"] / "runtime").glob("kernel-*-ipc-*")), f"{slug}: the kernel does not use IPC"
        # Close it as a reader would: the kernel shuts down.
        page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
    finally:
        context.close()
        print(f"{slug}: opened and ran in JupyterLab in {time.perf_counter() - start:.1f} s")

