"""Explorers: small experiments a reader can play with, defined once, shown three ways.

An explorer is a function of a few named settings, each taking one of a
short list of values, that returns a matplotlib figure and a few named
numbers::

    def view(learning_rate, optimizer):
        ...                                   # train with nncore, seeded
        return fig, {"final loss": loss, "steps": n}

    Explorer(view, settings={"learning_rate": [0.01, 0.1, 1.0],
                             "optimizer": ["SGD", "momentum"]},
             labels={"learning_rate": "learning rate"}, name="gd-lr")

Displayed as a cell's result, the explorer becomes:

* **on the website**: every combination of settings is computed when the
  book is built and stored in the page (compressed PNG images and the
  numbers as text). A control per setting (a slider for numbers, buttons
  for a few words, a menu for more) swaps in the stored picture and
  numbers at once; ``book/_static/explorer.js`` and ``explorer.css`` do
  it with plain JavaScript and native form controls, so it works with the
  keyboard and a screen reader (the numbers sit in an ``aria-live``
  region) and needs no kernel and no network;
* **in the PDF**: a small-multiples grid of the combinations (all of them,
  or the subset given as ``printed``), as one PNG; the cell's
  ``mystnb.figure.caption`` says what to look for;
* **in Jupyter or Binder**: a live ipywidgets version that calls the
  function again for each choice. It shows the same numbers as the website
  because both call :meth:`Explorer.compute`.

Which one a cell shows: the static bundle (``text/html`` for the website,
``image/png`` for LaTeX, picked by myst-nb's mime priorities) when the
environment variable ``NNBOOK_EXPLORER`` is ``static``, which the book's
Sphinx extension (``book/_ext/book_tweaks.py``) sets for the kernels a
build starts; the live widget in any other kernel. ``Explorer.static()``
and ``Explorer.live()`` pick one explicitly.
"""
from __future__ import annotations

import base64
import html
import io
import itertools
import json
import math
import os
import re
import textwrap
import time
from dataclasses import dataclass

import numpy as np

__all__ = ["Explorer", "Result", "ENV_VAR"]

#: Environment variable that makes explorers display their static bundle.
ENV_VAR = "NNBOOK_EXPLORER"

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_PRINTED = 16


@dataclass(frozen=True)
class Result:
    """One combination's outcome: the settings, the numbers and the picture (PNG bytes)."""

    settings: dict
    numbers: dict
    png: bytes


class Explorer:
    """An experiment over a grid of settings; see the module docstring.

    Parameters
    ----------
    function : callable
        Called as ``function(**settings)``; returns ``(figure, numbers)``,
        a matplotlib Figure and a dict of named numbers (floats or ints).
        It must be deterministic (seed every random generator inside).
    settings : dict
        Setting name (a Python identifier, the function's keyword) to the
        list of its values (2 to 12 numbers or strings).
    name : str
        Lower-case slug, unique on the page (``neuron-line``): the HTML ids.
    labels : dict, optional
        Setting name to the words a reader sees (``"learning rate"``).
    start : dict, optional
        The combination shown first (default: each setting's first value).
    controls : dict, optional
        Setting name to ``"slider"``, ``"buttons"`` or ``"menu"``. Default: a
        slider for numbers, buttons for up to four words, else a menu.
    formats : dict, optional
        Number name to a format spec (``".3f"``, ``".0%"``); default ``".3g"``.
    printed : dict or list of dict, optional
        What the PDF grid shows: a dict of setting name to a subset of its
        values (all combinations of those), or a list of chosen
        combinations. Default: every combination. At most 16 panels.
    columns : int, optional
        Panels per row in the PDF grid (default: the number of values of the
        last printed setting that varies, at most 4).
    symbols : dict, optional
        Setting name to a short name for the PDF grid's panel titles
        (``"$\\eta$"``); default: the label.
    title : str, optional
        What the explorer shows, used in the alt text of every picture.
    dpi : int
        Resolution of the stored pictures (default 100).
    colors : int
        Palette size of the compressed PNGs (default 64).
    """

    def __init__(self, function, settings, *, name, labels=None, start=None, controls=None,
                 formats=None, printed=None, columns=None, symbols=None, title=None, dpi=100, colors=64):
        if not callable(function):
            raise TypeError(f"function must be callable, got {type(function).__name__}")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValueError(f"name must be a lower-case slug such as 'neuron-line', got {name!r}")
        if not isinstance(settings, dict) or not settings:
            raise ValueError("settings must be a non-empty dict: setting name -> list of values")
        self.function = function
        self.name = name
        self.settings = {}
        for key, values in settings.items():
            if not isinstance(key, str) or not _IDENT.match(key):
                raise ValueError(f"setting name {key!r} is not a Python identifier")
            values = list(values)
            if not 2 <= len(values) <= 12:
                raise ValueError(f"setting {key!r} needs 2 to 12 values, got {len(values)}")
            if len(set(map(repr, values))) != len(values):
                raise ValueError(f"setting {key!r} repeats a value: {values}")
            if not all(isinstance(v, (int, float, str, np.integer, np.floating)) and not isinstance(v, bool)
                       for v in values):
                raise ValueError(f"setting {key!r}: values must be numbers or strings, got {values}")
            self.settings[key] = values
        self.labels = {k: k.replace("_", " ") for k in self.settings}
        self.labels.update(self._known("labels", labels or {}))
        self.start = {k: v[0] for k, v in self.settings.items()}
        for key, value in self._known("start", start or {}).items():
            self._index(key, value)
            self.start[key] = value
        self.controls = {k: self._default_control(v) for k, v in self.settings.items()}
        for key, kind in self._known("controls", controls or {}).items():
            if kind not in ("slider", "buttons", "menu"):
                raise ValueError(f"control for {key!r} must be 'slider', 'buttons' or 'menu', got {kind!r}")
            self.controls[key] = kind
        self.formats = dict(formats or {})
        if isinstance(printed, (list, tuple)):
            chosen = [dict(c) for c in printed]
            for combo in chosen:
                self._key(combo)
        else:
            subset = {k: list(v) for k, v in self.settings.items()}
            for key, values in self._known("printed", printed or {}).items():
                for value in values:
                    self._index(key, value)
                subset[key] = list(values)
            chosen = [dict(zip(subset, c)) for c in itertools.product(*subset.values())]
        if not 1 <= len(chosen) <= _MAX_PRINTED:
            raise ValueError(f"the PDF grid would have {len(chosen)} panels (1 to {_MAX_PRINTED}): "
                             "choose a subset with printed={setting: [values]} or a list of combinations")
        self.printed = chosen
        self.symbols = dict(self.labels)
        self.symbols.update(self._known("symbols", symbols or {}))
        self.columns = columns
        self.title = title or name.replace("-", " ")
        self.dpi = dpi
        self.colors = colors
        self._cache = {}
        self._small = None
        #: Seconds the grid took to compute (set by :meth:`grid`).
        self.seconds = None
        self.cpu_seconds = None
        #: CPU seconds the website page and the PDF grid took, after the grid.
        self.render_cpu_seconds = None

    # ---- the grid ----------------------------------------------------------

    def _known(self, what, mapping):
        unknown = set(mapping) - set(self.settings)
        if unknown:
            raise ValueError(f"{what} names unknown settings {sorted(unknown)}; the settings are {list(self.settings)}")
        return mapping

    def _index(self, key, value):
        values = self.settings[key]
        for i, v in enumerate(values):
            if v == value and type(v) is not bool:
                return i
        raise ValueError(f"{value!r} is not a value of setting {key!r}; its values are {values}")

    @staticmethod
    def _default_control(values):
        if all(isinstance(v, (int, float, np.integer, np.floating)) for v in values):
            return "slider"
        return "buttons" if len(values) <= 4 else "menu"

    def combinations(self):
        """Every combination of settings, as dicts, the last setting varying fastest."""
        keys = list(self.settings)
        return [dict(zip(keys, combo)) for combo in itertools.product(*self.settings.values())]

    def _key(self, settings):
        missing = set(self.settings) - set(settings)
        if missing:
            raise ValueError(f"no value given for settings {sorted(missing)}")
        self._known("a combination", settings)
        return tuple(self._index(k, settings[k]) for k in self.settings)

    def compute(self, **settings):
        """Run the function for one combination: a :class:`Result`."""
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure

        self._key(settings)
        out = self.function(**settings)
        if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], Figure) and isinstance(out[1], dict)):
            raise TypeError(f"{self.name}: the function must return (figure, dict of numbers), got {type(out).__name__}")
        fig, numbers = out
        try:
            png = _compressed_png(fig, self.dpi, self.colors)
        finally:
            plt.close(fig)
        clean = {}
        for key, value in numbers.items():
            if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise TypeError(f"{self.name}: number {key!r} must be an int or float, got {value!r}")
            clean[str(key)] = value.item() if isinstance(value, np.generic) else value
        return Result(dict(settings), clean, png)

    def grid(self):
        """Every combination, computed once and kept: dict of index tuple -> Result."""
        if self.seconds is None:
            start, cpu = time.perf_counter(), time.process_time()
            for combo in self.combinations():
                self.result(**combo)
            self.seconds = time.perf_counter() - start
            self.cpu_seconds = time.process_time() - cpu
        return {self._key(c): self._cache[self._key(c)] for c in self.combinations()}

    def result(self, **settings):
        """One combination's :class:`Result`, computed on first use and then kept."""
        key = self._key(settings)
        if key not in self._cache:
            self._cache[key] = self.compute(**settings)
        return self._cache[key]

    def format_number(self, key, value):
        """A number as the website and the widget print it."""
        if isinstance(value, float) and not math.isfinite(value):
            return "diverged" if math.isnan(value) or value > 0 else "-inf"
        return format(value, self.formats.get(key, ".3g"))

    def format_value(self, value):
        return format(value, "g") if isinstance(value, float) else str(value)

    def alt(self, result):
        """Alt text of one combination's picture: the settings and numbers in words."""
        chosen = ", ".join(f"{self.labels[k]} {self.format_value(v)}" for k, v in result.settings.items())
        nums = ", ".join(f"{k} {self.format_number(k, v)}" for k, v in result.numbers.items())
        return f"{self.title}, for {chosen}: {nums}."

    # ---- the three renderings -----------------------------------------------

    def _repr_html_(self):
        grid = self.grid()
        keys = list(self.settings)
        images, image_index, combos = [], {}, []
        for combo in itertools.product(*(range(len(v)) for v in self.settings.values())):
            res = grid[combo]
            if res.png not in image_index:
                image_index[res.png] = len(images)
                images.append("data:image/png;base64," + base64.b64encode(res.png).decode("ascii"))
            combos.append([image_index[res.png],
                           [self.format_number(k, v) for k, v in res.numbers.items()],
                           self.alt(res)])
        first = grid[self._key(self.start)]
        number_names = list(first.numbers)
        data = {"settings": keys, "sizes": [len(self.settings[k]) for k in keys],
                "values": [[self.format_value(v) for v in self.settings[k]] for k in keys],
                "numbers": number_names, "images": images, "combos": combos}
        uid = f"nnbook-explorer-{self.name}"
        controls = "".join(self._control_html(uid, k) for k in keys)
        start = combos[_flat_index(self._key(self.start), data["sizes"])]
        numbers = "".join(f'<div class="nnbook-explorer-number"><dt>{html.escape(n)}</dt>'
                          f'<dd data-number="{i}">{html.escape(t)}</dd></div>'
                          for i, (n, t) in enumerate(zip(number_names, start[1])))
        payload = json.dumps(data, separators=(",", ":")).replace("</", "<\\/")
        return (
            f'<div class="nnbook-explorer" id="{uid}" role="group" aria-label="{html.escape(self.title)}">'
            f'<div class="nnbook-explorer-controls">{controls}</div>'
            f'<div class="nnbook-explorer-view">'
            f'<img class="nnbook-explorer-image" src="{images[start[0]]}" alt="{html.escape(start[2])}">'
            f'<dl class="nnbook-explorer-numbers" aria-live="polite">{numbers}</dl></div>'
            f'<p class="nnbook-explorer-nojs">Without JavaScript this shows one setting; '
            f'the PDF prints a grid of them.</p>'
            f'<script type="application/json" class="nnbook-explorer-data">{payload}</script></div>'
        )

    def _control_html(self, uid, key):
        values = self.settings[key]
        label = html.escape(self.labels[key])
        cid = f"{uid}-{key}"
        i0 = self._index(key, self.start[key])
        shown = [html.escape(self.format_value(v)) for v in values]
        kind = self.controls[key]
        if kind == "slider":
            return (f'<div class="nnbook-explorer-control nnbook-explorer-slider">'
                    f'<label for="{cid}">{label}</label>'
                    f'<input type="range" id="{cid}" data-setting="{key}" min="0" max="{len(values) - 1}" '
                    f'step="1" value="{i0}" aria-valuetext="{shown[i0]}">'
                    f'<output for="{cid}">{shown[i0]}</output></div>')
        if kind == "menu":
            options = "".join(f'<option value="{i}"{" selected" if i == i0 else ""}>{s}</option>'
                              for i, s in enumerate(shown))
            return (f'<div class="nnbook-explorer-control nnbook-explorer-menu">'
                    f'<label for="{cid}">{label}</label>'
                    f'<select id="{cid}" data-setting="{key}">{options}</select></div>')
        buttons = "".join(f'<label><input type="radio" name="{cid}" value="{i}" data-setting="{key}"'
                          f'{" checked" if i == i0 else ""}><span>{s}</span></label>'
                          for i, s in enumerate(shown))
        return (f'<fieldset class="nnbook-explorer-control nnbook-explorer-buttons">'
                f'<legend>{label}</legend>{buttons}</fieldset>')

    def printed_combinations(self):
        """The combinations the PDF grid shows, in order."""
        return [dict(c) for c in self.printed]

    def small_multiples(self):
        """The PDF's grid of stored pictures, each titled with its settings and numbers: PNG bytes."""
        if self._small is None:
            self._small = self._draw_small_multiples()
        return self._small

    def _draw_small_multiples(self):
        import matplotlib.pyplot as plt
        from PIL import Image

        from nnbook import plot

        combos = self.printed_combinations()
        varying = [k for k in self.settings if len({repr(c[k]) for c in combos}) > 1]
        if self.columns:
            ncols = self.columns
        elif varying:
            ncols = min(len({repr(c[varying[-1]]) for c in combos}), 4)
        else:
            ncols = 1
        ncols = min(ncols, len(combos))
        nrows = math.ceil(len(combos) / ncols)
        pictures = [np.asarray(Image.open(io.BytesIO(self.result(**c).png)).convert("RGB")) for c in combos]
        h, w = pictures[0].shape[:2]
        width = plot.MAX_WIDTH
        chars = int(width / ncols * 17)  # characters of 7-point text per panel width
        titles = []
        for combo in combos:
            res = self.result(**combo)
            head = ", ".join(f"{self.symbols[k]} = {self.format_value(combo[k])}" for k in varying) or self.title
            nums = ", ".join(f"{k} {self.format_number(k, v)}" for k, v in res.numbers.items())
            titles.append(textwrap.fill(head, chars) + "\n" + textwrap.fill(nums, chars))
        lines = max(t.count("\n") + 1 for t in titles)
        panel_h = width / ncols * h / w + 0.14 * lines + 0.1
        with plot.use_book_style():
            fig, axes = plt.subplots(nrows, ncols, figsize=(width, panel_h * nrows), squeeze=False)
            for ax in axes.flat:
                ax.axis("off")
            for ax, title, picture in zip(axes.flat, titles, pictures):
                ax.imshow(picture, interpolation="lanczos")
                ax.set_title(title, fontsize=7, linespacing=1.3)
            fig.tight_layout(pad=0.3, h_pad=0.6, w_pad=0.4)
            png = _compressed_png(fig, 200, 128)
            plt.close(fig)
        return png

    def static(self):
        """The static bundle (website HTML and PDF grid) as a displayable object."""
        return _Static(self)

    def _repr_mimebundle_(self, include=None, exclude=None):
        self.grid()
        cpu = time.process_time()
        bundle = {"text/html": self._repr_html_(),
                  "image/png": base64.b64encode(self.small_multiples()).decode("ascii"),
                  "text/plain": repr(self)}
        self.render_cpu_seconds = time.process_time() - cpu
        return bundle

    def live(self):
        """The ipywidgets version: a control per setting; each change calls the function again."""
        import ipywidgets as widgets

        controls = {}
        for key, values in self.settings.items():
            options = [(self.format_value(v), v) for v in values]
            common = dict(options=options, value=self.start[key], description=self.labels[key],
                          style={"description_width": "initial"})
            kind = self.controls[key]
            if kind == "slider":
                controls[key] = widgets.SelectionSlider(continuous_update=False, **common)
            elif kind == "buttons":
                controls[key] = widgets.ToggleButtons(**common)
            else:
                controls[key] = widgets.Dropdown(**common)
        image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        numbers = widgets.HTML()

        def update(_change=None):
            res = self.compute(**{k: c.value for k, c in controls.items()})
            image.value = res.png
            numbers.value = "<br>".join(f"<b>{html.escape(k)}</b>: {html.escape(self.format_number(k, v))}"
                                        for k, v in res.numbers.items())
            box.result = res

        for control in controls.values():
            control.observe(update, names="value")
        box = widgets.VBox([*controls.values(), image, numbers])
        box.controls = controls
        update()
        return box

    def _ipython_display_(self):
        from IPython.display import display

        if os.environ.get(ENV_VAR) == "static":
            display(self._repr_mimebundle_(), raw=True)
        else:
            display(self.live())

    def __repr__(self):
        sizes = " x ".join(str(len(v)) for v in self.settings.values())
        return f"Explorer({self.name!r}, settings {list(self.settings)}, {sizes} combinations)"


class _Static:
    """Displays an explorer's static bundle whatever the environment."""

    def __init__(self, explorer):
        self.explorer = explorer

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.explorer._repr_mimebundle_(include, exclude)


def _flat_index(key, sizes):
    index = 0
    for i, n in zip(key, sizes):
        index = index * n + i
    return index


def _compressed_png(fig, dpi, colors):
    """The figure as a palette PNG: drawn once, quantised to ``colors`` colours."""
    from PIL import Image

    fig.set_dpi(dpi)
    fig.patch.set_facecolor("white")
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    image = Image.fromarray(rgba[..., :3])
    small = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="PNG", compress_level=9)
    return out.getvalue()
