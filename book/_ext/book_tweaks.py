"""Small Sphinx fixes the book needs, each with the reason it exists.

* ``dedupe_inline_scripts``: sphinx-thebe 0.3.1 registers its inline
  configuration script once per ``env-before-read-docs`` event, which fires
  more than once in a Jupyter Book build; the page then declares
  ``const THEBE_JS_URL`` twice and the browser reports a SyntaxError.
  Keeping the first copy of each identical inline script fixes it.
* ``add_latex_parts``: the parts of ``_toc.yml`` as ``\\part`` in the PDF.
* ``drop_hidden_inputs_from_pdf``: a cell tagged ``hide-input`` (mostly
  plotting code) is folded away on the website, but myst-nb prints its whole
  source in the PDF, where it cannot be folded. The PDF keeps the figure or
  table and leaves the code to the website and the notebook.
* ``encrypt_kernels``: ipykernel 7 warns "Kernel is running over TCP without
  encryption" on every kernel it starts unencrypted, once per chapter in the
  build log. The kernels myst-nb starts get CurveZMQ keys from their manager
  instead (the kernelspec declares ``supported_encryption: curve``), so they
  run encrypted and have nothing to warn about.
* ``errata_button``: sphinx-book-theme's "Open issue" button opens a blank
  issue. It becomes "Report an error" and opens the errata form
  (``.github/ISSUE_TEMPLATE/errata.yml``) with the page already named.
* ``label_notebook_download``: the theme already offers each chapter's
  executed notebook (myst-nb's output, copied to ``_sources/``) in the
  download menu, labelled only ".ipynb"; the label says what it is.
* ``executed_notebook_from_cache``: when a chapter's outputs come from the
  execution cache (``make book``), myst-nb 1.4 writes that notebook without
  its outputs (it saves the notebook it read, not the one merged with the
  cache), so the download would be a bare notebook. The outputs are merged
  in from the same cache.
* ``NNBOOK_EXPLORER=static``: kernels started by the build inherit this
  environment variable, so an explorer (``nnbook.explorer``) displays its
  precomputed website and PDF bundle instead of live ipywidgets (whose
  rendering would load require.js and the widget manager from a CDN).
* ``visit_citation_as_listitem``: docutils 0.21 writes each bibliography
  entry as ``<div role="doc-biblioentry">`` inside ``<div role="list">``.
  ARIA deprecates ``doc-biblioentry``, and a list whose items carry it has no
  list items at all for assistive technology (axe: aria-required-children,
  critical; aria-deprecated-role). Each entry becomes ``role="listitem"``.
* ``visit_hidden_code_summary``: myst-nb names the "Show code cell source"
  toggle of a ``hide-input`` cell "Toggle hidden content" (``aria-label``), a
  name that does not contain the words a reader sees, so a speech-input user
  saying "click show code cell source" reaches nothing (WCAG 2.5.3, axe:
  label-content-name-mismatch). Without the ``aria-label`` the visible words
  are the name.
* ``focusable_tables``: book.css lets a wide table scroll sideways inside
  the text column; a keyboard user can scroll it only if it can take focus
  (axe: scrollable-region-focusable, serious), so every table in a page's
  body gets ``tabindex="0"``.

The page header's search and colour-mode buttons have the same naming
problem; they come from pydata-sphinx-theme's templates and are overridden
in ``book/_templates/``.
"""
import html
import os
import re
from pathlib import Path
from urllib.parse import urlencode

from docutils import nodes
from docutils.writers._html_base import HTMLTranslator
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

#: The issue form the website's "Report an error" button opens.
ERRATA_FORM = "errata.yml"
#: The id of that form's field naming the page (filled in from the button).
ERRATA_PAGE_FIELD = "page"


def dedupe_inline_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for script in scripts:
        attributes = getattr(script, "attributes", {})
        key = (getattr(script, "filename", script) or "", tuple(sorted(attributes.items())))
        if key in seen:
            continue
        seen.add(key)
        kept.append(script)
    scripts[:] = kept


def visit_citation_as_listitem(self, node):
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def visit_hidden_code_summary(self, node):
    """myst-nb's ``visit_HideCellInput`` (1.4.0) without the summary's aria-label."""
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{html.escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{html.escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def focusable_tables(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = context["body"].replace("<table ", '<table tabindex="0" ')


def setup(app):
    app.connect("config-inited", encrypt_kernels)
    os.environ["NNBOOK_EXPLORER"] = "static"
    app.setup_extension("myst_nb")  # its node handlers first, then ours replace them
    app.add_node(nodes.citation, override=True,
                 html=(visit_citation_as_listitem, HTMLTranslator.depart_citation))
    app.add_node(HideCodeCellNode, override=True,
                 html=(visit_hidden_code_summary, depart_HideCellInput))
    app.connect("html-page-context", dedupe_inline_scripts)
    app.connect("html-page-context", focusable_tables)
    # After sphinx-book-theme has made its header buttons (priority 501).
    app.connect("html-page-context", errata_button, priority=600)
    app.connect("html-page-context", label_notebook_download, priority=600)
    app.connect("doctree-read", add_latex_parts)
    app.connect("doctree-read", executed_notebook_from_cache)
    app.connect("doctree-resolved", drop_hidden_inputs_from_pdf)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def add_latex_parts(app, doctree):
    """Start each part of the PDF with ``\\part{caption}``.

    Without sphinx-jupyterbook-latex (whose LaTeX class needs a 500 MB font
    package), the captions of ``_toc.yml`` never reach the PDF. Before the
    first page of each part, a raw LaTeX node restores them; the preamble in
    ``_config.yml`` numbers chapters only inside the "Part ..." parts.
    """
    site_map = getattr(app.env, "external_site_map", None)
    if site_map is None:
        return
    docname = app.env.docname
    for tree in site_map[site_map.root.docname].subtrees:
        files = tree.files()
        if tree.caption and files and files[0] == docname:
            caption = tree.caption.replace("\\", "").replace("{", "").replace("}", "")
            doctree.insert(0, nodes.raw("", f"\\part{{{caption}}}\n", format="latex"))


def drop_hidden_inputs_from_pdf(app, doctree, docname):
    """In the LaTeX build, remove the source of cells tagged ``hide-input``."""
    if app.builder.format != "latex":
        return
    for cell in list(doctree.findall(nodes.container)):
        if "tag_hide-input" in cell.get("classes", []):
            for child in list(cell.children):
                if "cell_input" in child.get("classes", []):
                    cell.remove(child)


def encrypt_kernels(app, config):
    """Start the build's kernels with transport encryption (CurveZMQ).

    myst-nb executes a chapter through nbclient, which creates its own
    ``jupyter_client`` kernel manager and passes it no configuration, so the
    manager's ``transport_encryption`` policy ("disabled" by default) is set
    here, for this build process only. "auto" provisions keys for every kernel
    whose kernelspec declares Curve support (ipykernel's does) and leaves any
    other kernel as it was. ``tests/test_book_site.py`` fails if the warning
    comes back into the build log.
    """
    import zmq
    from jupyter_client.manager import KernelManager

    if zmq.has("curve"):  # pyzmq's wheels ship libzmq with CurveZMQ
        KernelManager.class_traits()["transport_encryption"].default_value = "auto"


def _header_buttons(buttons):
    """Every button of the page header, inside groups and dropdowns too."""
    for button in buttons:
        yield button
        yield from _header_buttons(button.get("buttons", []))


def errata_button(app, pagename, templatename, context, doctree):
    """Point the issue button at the errata form, with this page filled in.

    GitHub fills an issue form's fields from the query string: ``template``
    picks the form, ``title`` the title, and a field's ``id`` its value.
    """
    for button in _header_buttons(context.get("header_buttons", [])):
        if button.get("label") != "source-issues-button" or "/issues/new" not in button.get("url", ""):
            continue
        title = html.unescape(re.sub(r"<[^>]+>", "", context.get("title") or pagename)).strip()
        query = urlencode({
            "template": ERRATA_FORM,
            "title": f"[Erratum] {title}",
            ERRATA_PAGE_FIELD: f"{title} ({pagename}.html)",
        })
        button["url"] = button["url"].split("/issues/new")[0] + "/issues/new?" + query
        button["text"] = "Report an error"
        button["tooltip"] = "Report an error on this page (opens the errata form)"


def label_notebook_download(app, pagename, templatename, context, doctree):
    """Say in the download menu that the .ipynb is the executed chapter."""
    for button in _header_buttons(context.get("header_buttons", [])):
        if button.get("label") == "download-notebook-button":
            button["text"] = ".ipynb (with outputs)"
            button["tooltip"] = "Download this chapter as an executed notebook"


def executed_notebook_from_cache(app, doctree):
    """Give the chapter's downloadable notebook its outputs on a cached build.

    myst-nb has just written ``<output_folder>/<docname>.ipynb`` (the theme
    copies it to ``_sources/`` for the download menu). If none of its code
    cells ran, the outputs came from jupyter-cache: merge them in, as myst-nb
    did for the page itself.
    """
    import nbformat

    config = getattr(app.env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache" or not config.execution_cache_path:
        return
    path = Path(config.output_folder, *f"{app.env.docname}.ipynb".split("/"))
    if not path.is_file():
        return
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    if not code or any(cell.get("execution_count") for cell in code):
        return  # nothing to run, or executed in this build
    from jupyter_cache import get_cache

    try:
        _, executed = get_cache(config.execution_cache_path).merge_match_into_notebook(notebook)
    except KeyError:  # not in the cache: myst-nb would have executed it
        return
    nbformat.write(executed, path)
