"""Build the website from a clean output folder, then use it as a reader would.

The build runs with warnings as errors into a fresh temporary folder (so
every chapter executes: nothing comes from a cache). The browser tests drive
Debian's Chromium through Playwright against that build, served on
localhost: every page loads without errors and fetches nothing from outside
the book; a solution opens; a quiz answer gives feedback; the Binder link has
the right shape; a glossary term shows its definition on hover; without
JavaScript a quiz shows its printed questions and answers.
"""
import functools
import html
import http.server
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

import bookrules as br

ROOT = br.ROOT
JB = str(Path(sys.executable).parent / "jupyter-book")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    start = time.perf_counter()
    proc = subprocess.run(
        [JB, "build", str(ROOT), "--builder", "html", "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True, text=True,
    )
    print(f"clean HTML build: {time.perf_counter() - start:.0f} s")
    log = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout + proc.stderr)  # drop colour codes
    (out / "build.log").write_text(log)
    # Sphinx and docutils write "WARNING: ..." / "ERROR: ..." (with -W they also make the
    # exit status non-zero). Logger lines from a kernel shutting down, such as
    # "ERROR:tornado.general:...", are not messages about the book.
    warnings = [line for line in log.splitlines() if re.search(r"\b(WARNING|ERROR): ", line)]
    assert proc.returncode == 0 and not warnings, "the book does not build cleanly:\n" + "\n".join(warnings or log.splitlines()[-40:])
    return out / "_build" / "html"


@pytest.mark.book
def test_book_builds_clean_with_every_page(site):
    for page in br.toc_files():
        assert (site / f"{page}.html").is_file(), f"{page}.html was not built"
    assert (site / "index.html").is_file()


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def open_page(browser, url):
    """Open url; return the page and the list of problems seen while loading it."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    host = urlparse(url).netloc
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("console", lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.on("request", lambda r: problems.append(f"fetched from outside the book: {r.url}")
            if urlparse(r.url).netloc not in (host, "") and not r.url.startswith("data:") else None)
    page.goto(url, wait_until="networkidle")
    return page, problems


def pages_with(site, marker):
    return [p for p in br.toc_files() if marker in (site / f"{p}.html").read_text()]


@pytest.mark.browser
def test_every_page_loads_cleanly_from_the_books_own_assets(site, server, browser):
    failures = {}
    for name in br.toc_files() + ["search", "genindex"]:
        page, problems = open_page(browser, f"{server}/{name}.html")
        if problems:
            failures[name] = problems
        page.close()
    assert not failures, failures


@pytest.mark.browser
def test_shown_code_fits_without_a_scroll_bar(site, server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    wide = {}
    for name in br.chapter_files():
        page.goto(f"{server}/{name}.html", wait_until="networkidle")
        for button in page.locator("div.solution.dropdown button.toggle-button").all():
            button.click()  # code inside solutions counts too
        widths = page.evaluate("""() => [...document.querySelectorAll(
            'div.cell:not(.tag_hide-input) div.cell_input pre')]
            .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
            .map(e => e.innerText.split('\\n')[0].slice(0, 40))""")
        if widths:
            wide[name] = widths
    page.close()
    assert not wide, f"code blocks that scroll sideways at 1280 px: {wide}"


@pytest.mark.browser
def test_a_solution_dropdown_opens(site, server, browser):
    names = pages_with(site, 'class="solution dropdown')
    assert names, "no page of the book has a solution dropdown"
    page, problems = open_page(browser, f"{server}/{names[0]}.html")
    solution = page.locator("div.solution.dropdown").first
    body = solution.locator("section, div.section, p:not(.admonition-title)").first
    assert not body.is_visible(), "the solution is visible before it is opened"
    solution.locator("button.toggle-button").click()
    body.wait_for(state="visible", timeout=5000)
    assert not problems


@pytest.mark.browser
def test_a_quiz_answer_gives_feedback(site, server, browser):
    names = pages_with(site, "nnbook-quiz")
    assert names, "no page of the book shows a quiz"
    page, problems = open_page(browser, f"{server}/{names[0]}.html")
    quiz = page.locator(".nnbook-quiz").first
    button = quiz.locator(".MCButton").first
    button.wait_for(timeout=5000)
    button.click()
    feedback = quiz.locator(".Feedback").first
    feedback.wait_for(timeout=5000)
    text = feedback.inner_text().strip()
    assert text, "clicking an answer showed no feedback"
    # The feedback shown is the one the quiz file wrote for the clicked answer.
    slug = Path(names[0]).name
    questions = yaml.safe_load((ROOT / "book" / "quizzes" / f"{slug}.yml").read_text())
    clicked = button.inner_text().strip()
    written = [a["feedback"].strip() for q in questions for a in q["answers"]
               if a["answer"].strip() == clicked or a["answer"].strip().replace("$", "") == clicked]
    assert written, f"the clicked answer {clicked!r} is not in {slug}.yml"
    assert any(w[:15] in text for w in written), f"feedback {text!r} is not the one written for {clicked!r}"
    assert not problems


@pytest.mark.browser
def test_a_quiz_without_javascript_shows_its_questions_and_answers(site, server, browser):
    names = pages_with(site, "nnbook-quiz")
    slug = Path(names[0]).name
    questions = yaml.safe_load((ROOT / "book" / "quizzes" / f"{slug}.yml").read_text())
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/{names[0]}.html")
    fallback = page.locator(".nnbook-quiz-noscript").first
    assert fallback.is_visible(), "without JavaScript the quiz shows nothing"
    text = fallback.inner_text()
    assert "Answers." in text
    first_words = re.sub(r"[*`]", "", questions[0]["question"].split("$")[0]).strip()[:30]
    assert first_words in text, f"the first question ({first_words!r}) is missing"
    context.close()


@pytest.mark.browser
def test_binder_link_opens_the_chapter_in_jupyterlab(site, server, browser):
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = urlparse(config["repository"]["url"]).path.strip("/")
    branch = config["repository"]["branch"]
    names = pages_with(site, "mybinder.org")
    assert names, "no page has a Binder launch button"
    name = names[0]
    page, problems = open_page(browser, f"{server}/{name}.html")
    hrefs = page.eval_on_selector_all("a[href*='mybinder.org']", "els => els.map(e => e.href)")
    expected = f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/{name}.md"
    assert expected in hrefs, f"Binder links on {name}: {hrefs}"
    assert not problems


@pytest.mark.browser
def test_glossary_term_shows_its_definition_on_hover(site, server, browser):
    names = [n for n in pages_with(site, "glossary.html#term-") if not n.endswith("glossary")]
    assert names, "no page links a glossary term"
    page, problems = open_page(browser, f"{server}/{names[0]}.html")
    link = page.locator("article a.reference.internal[href*='glossary.html#term-']").first
    target = link.get_attribute("href").split("#")[1]
    link.scroll_into_view_if_needed()
    link.hover()
    tip = page.locator(".tippy-box").first
    tip.wait_for(state="visible", timeout=5000)
    # The tooltip shows the glossary's own definition of that term.
    glossary, _ = open_page(browser, f"{server}/book/glossary.html")
    definition = glossary.locator(f"dt[id='{target}'] + dd").inner_text().strip()
    assert definition[:30] in tip.inner_text()
    assert not problems


# axe-core, Deque's accessibility engine, vendored from npm (tests/vendor/axe-core).
AXE = ROOT / "tests" / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_RUN = """async (tags) => {
  // Open what a reader can open (solutions, hidden code) so it is audited too,
  // and let MathJax finish: the quiz's answers are labelled from their maths.
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('div.dropdown button.toggle-button').forEach(b => b.click());
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await new Promise(r => setTimeout(r, 600));  // jupyterquiz's typeset runs 500 ms after drawing
  await Promise.all(document.getAnimations().filter(a => a instanceof CSSTransition)
                    .map(a => a.finished.catch(() => null)));  // dropdowns fully open
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       targets: v.nodes.map(n => n.target.join(' '))}));
}"""


@pytest.mark.browser
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_passes_axe_at_wcag_aa(site, server, browser, theme):
    """axe-core finds nothing serious or critical at WCAG 2.1 A/AA, in either theme.

    The theme follows the reader's system setting (default_mode: auto), which
    the browser context sets; the page's <html data-theme> confirms it.
    """
    context = browser.new_context(color_scheme=theme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    found, start = [], time.perf_counter()
    for name in br.toc_files() + ["search", "genindex"]:
        page.goto(f"{server}/{name}.html", wait_until="networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == theme, f"{name}: not in the {theme} theme"
        page.add_script_tag(path=str(AXE))
        for v in page.evaluate(AXE_RUN, WCAG_AA):
            if v["impact"] in ("serious", "critical"):
                targets = ", ".join(v["targets"][:5]) + (f" (+{len(v['targets']) - 5} more)" if len(v["targets"]) > 5 else "")
                found.append(f"{name} [{theme}] {v['id']} ({v['impact']}, {len(v['targets'])}x): {v['help']}: {targets}")
    context.close()
    print(f"axe, {theme} theme: {len(br.toc_files()) + 2} pages in {time.perf_counter() - start:.0f} s")
    print("\n".join(found))
    assert not found, f"{len(found)} accessibility violations (serious or critical):\n" + "\n".join(found)


@pytest.mark.browser
def test_a_quiz_waits_for_a_late_mathjax_and_typesets_its_maths(site, server, browser):
    """MathJax is a deferred script; the quiz's inline script runs before it.

    On a busy machine or a slow network MathJax arrives late, and jupyterquiz
    used to read ``MathJax.version[0]`` from MathJax's bare configuration
    object (a script error, and maths left as TeX). Hold MathJax back for two
    seconds (jupyterquiz looks again after half a second): the quiz must wait,
    then show its maths typeset, with no script error.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    quizzes = {n: ROOT / "book" / "quizzes" / f"{Path(n).name}.yml" for n in br.chapter_files()}
    names = [n for n, q in quizzes.items() if q.is_file() and "$" in q.read_text()]
    assert names, "no quiz has maths in it"
    name = "book/forward-pass-by-hand" if "book/forward-pass-by-hand" in names else names[0]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems, held = [], []
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("console", lambda m: problems.append(f"console error: {m.text}") if m.type == "error" else None)

    def hold(route):
        held.append(route.request.url)
        time.sleep(2)
        route.continue_()

    page.route("**/vendor/mathjax/tex-mml-chtml.js*", hold)
    page.goto(f"{server}/{name}.html", wait_until="load")
    quiz = page.locator(".nnbook-quiz").first
    try:
        quiz.locator("mjx-container").first.wait_for(timeout=15000)
    except PlaywrightTimeout:
        pass  # the assertions below say what is missing
    page.wait_for_timeout(1000)  # past jupyterquiz's own second look at MathJax
    assert held, "the MathJax script was never requested, so nothing was held back"
    assert not problems, problems
    assert quiz.locator(".MCButton").count() > 0, "the quiz rendered no answers"
    assert quiz.locator("mjx-container").count() > 0, f"no maths typeset in the quiz of {name}"
    untypeset = re.findall(r"\$[^$\n]+\$", quiz.inner_text())
    assert not untypeset, f"maths left as TeX in the quiz of {name}: {untypeset[:3]}"
    page.close()


@pytest.mark.book
def test_the_build_log_has_no_warning_from_a_kernel(site):
    """The chapters' kernels start quietly (book_tweaks.encrypt_kernels).

    Sphinx's own warnings fail the build fixture; this catches what the
    kernels print, such as ipykernel's "[IPKernelApp] WARNING | Kernel is
    running over TCP without encryption".
    """
    log = (site.parents[1] / "build.log").read_text()
    assert log.count("Executing notebook") >= len(br.chapter_files()), \
        "the build did not execute every chapter, so not every kernel was heard"
    noisy = [line for line in log.splitlines() if re.match(r"\[\w+\] (WARNING|ERROR|CRITICAL)\b", line)]
    assert not noisy, "kernels wrote warnings into the build log:\n" + "\n".join(noisy[:5])


@pytest.mark.book
def test_every_chapter_offers_its_executed_notebook(site):
    """Each chapter's page links its executed .ipynb, which opens anywhere."""
    import jupytext
    import nbformat

    for page in br.chapter_files():
        rel = f"_sources/{page}.ipynb"
        html = (site / f"{page}.html").read_text()
        link = re.search(rf'<a href="{"../" * page.count("/")}{re.escape(rel)}"[^>]*>(.*?)</a>', html, flags=re.S)
        assert link, f"{page}.html has no download link to {rel}"
        assert ".ipynb (with outputs)" in re.sub(r"<[^>]+>", "", link.group(1)), f"{page}: the link does not say what it is"
        nb = nbformat.read(site / rel, as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        written = [c.source for c in jupytext.read(ROOT / f"{page}.md").cells if c.cell_type == "code"]
        assert [c.source for c in code] == written, f"{rel} does not hold the code of {page}.md"
        assert all(c.execution_count for c in code), f"{rel}: some code cells were not executed"
        kinds = {o.output_type for c in code for o in c.outputs}
        assert "error" not in kinds, f"{rel} holds an error output"
        images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
        assert images and kinds & {"stream", "execute_result"}, f"{rel} lacks figures or printed results"


@pytest.mark.book
def test_the_issue_button_opens_the_errata_form_naming_the_page(site):
    book_tweaks = br.book_tweaks()
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config["repository"]["url"].rstrip("/")
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / book_tweaks.ERRATA_FORM).read_text())
    ids = {f.get("id") for f in form["body"]}
    for page in br.toc_files():
        hrefs = [html.unescape(h) for h in re.findall(r'href="([^"]*/issues/new[^"]*)"', (site / f"{page}.html").read_text())]
        assert len(hrefs) == 1, f"{page}.html: expected one issue button, found {hrefs}"
        url = urlparse(hrefs[0])
        query = parse_qs(url.query)
        assert f"{url.scheme}://{url.netloc}{url.path}" == f"{repo}/issues/new"
        assert query.get("template") == [book_tweaks.ERRATA_FORM], hrefs[0]
        filled = set(query) - {"template", "title", "labels", "assignees"}
        assert filled and filled <= ids, f"{page}: fills {filled}, the form has {ids}"
        assert f"{page}.html" in query[book_tweaks.ERRATA_PAGE_FIELD][0]


def _explorer_state(page, root):
    """What an explorer shows now: its combination's picture, alt text and numbers."""
    return page.evaluate("""(root) => ({
        src: root.querySelector('img.nnbook-explorer-image').src,
        alt: root.querySelector('img.nnbook-explorer-image').alt,
        numbers: [...root.querySelectorAll('[data-number]')].map(e => e.textContent)})""", root)


def _expected(data, chosen):
    flat = 0
    for i, n in zip(chosen, data["sizes"]):
        flat = flat * n + i
    image, numbers, alt = data["combos"][flat]
    return {"src": data["images"][image], "alt": alt, "numbers": numbers}


@pytest.mark.browser
def test_every_explorer_control_swaps_in_the_precomputed_picture_and_numbers(site, server, browser):
    names = pages_with(site, 'class="nnbook-explorer"')
    assert len(names) >= 3, f"expected explorers on at least three pages, found {names}"
    for name in names:
        page, problems = open_page(browser, f"{server}/{name}.html")
        roots = page.locator(".nnbook-explorer")
        assert roots.count() >= 1
        for r in range(roots.count()):
            root = roots.nth(r)
            assert "nnbook-explorer-ready" in root.get_attribute("class"), f"{name}: the script did not start"
            data = root.evaluate("r => JSON.parse(r.querySelector('script.nnbook-explorer-data').textContent)")
            handle = root.element_handle()
            # The state the page starts in, read from the controls themselves.
            chosen = []
            for key in data["settings"]:
                control = root.locator(f'[data-setting="{key}"]:is([type="range"], select, :checked)')
                chosen.append(int(control.first.input_value()))
            assert _explorer_state(page, handle) == _expected(data, chosen), f"{name}: wrong start"
            seen = {_explorer_state(page, handle)["src"]}
            for i, key in enumerate(data["settings"]):
                n = data["sizes"][i]
                slider = root.locator(f'input[type="range"][data-setting="{key}"]')
                if slider.count():
                    # keyboard: focus and step; mouse: click the far ends of the track
                    slider.focus()
                    step = "ArrowLeft" if chosen[i] == n - 1 else "ArrowRight"
                    page.keyboard.press(step)
                    chosen[i] += 1 if step == "ArrowRight" else -1
                    assert _explorer_state(page, handle) == _expected(data, chosen), f"{name}: {key} by keyboard"
                    assert slider.get_attribute("aria-valuetext") == data["values"][i][chosen[i]]
                    box = slider.bounding_box()
                    for x, index in ((box["x"] + 2, 0), (box["x"] + box["width"] - 2, n - 1)):
                        page.mouse.click(x, box["y"] + box["height"] / 2)
                        chosen[i] = index
                        assert _explorer_state(page, handle) == _expected(data, chosen), f"{name}: {key} by mouse"
                        seen.add(_explorer_state(page, handle)["src"])
                    continue
                radios = root.locator(f'input[type="radio"][data-setting="{key}"]')
                if radios.count():
                    target = (chosen[i] + 1) % n
                    root.locator(f'fieldset:has([data-setting="{key}"]) label').nth(target).click()
                    chosen[i] = target
                    assert _explorer_state(page, handle) == _expected(data, chosen), f"{name}: {key} by mouse"
                    seen.add(_explorer_state(page, handle)["src"])
                    radios.nth(target).focus()
                    page.keyboard.press("ArrowRight")  # a radio group moves to the next choice
                    chosen[i] = (target + 1) % n
                    assert _explorer_state(page, handle) == _expected(data, chosen), f"{name}: {key} by keyboard"
                    continue
                menu = root.locator(f'select[data-setting="{key}"]')
                target = (chosen[i] + 1) % n
                menu.select_option(str(target))
                chosen[i] = target
                assert _explorer_state(page, handle) == _expected(data, chosen), f"{name}: {key} from the menu"
            assert len(seen) > 2, f"{name}: moving the controls hardly changed the picture"
        assert not problems, problems
        page.close()


@pytest.mark.browser
def test_the_download_menu_saves_the_executed_notebook(site, server, browser):
    import nbformat

    name = br.chapter_files()[0]
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/{name}.html", wait_until="networkidle")
    page.locator(".dropdown-download-buttons > button").click()
    link = page.locator("a.btn-download-notebook-button")
    with page.expect_download(timeout=10000) as download:
        link.click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename == f"{Path(name).name}.ipynb"
    nb = nbformat.read(saved, as_version=4)
    nbformat.validate(nb)
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), "the saved notebook has no outputs"
    context.close()
