"""nnbook.explorer: the grid, its three renderings, and bad input."""
import base64
import io
import json
import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from PIL import Image  # noqa: E402

from nnbook import explorer as ex  # noqa: E402
from nnbook.explorer import Explorer  # noqa: E402

# A synthetic explorer the size of Part V's dashboard: 4 settings, 150 combinations.
SETTINGS = {"rate": [0.001, 0.01, 0.1, 0.5, 1.0], "width": [1, 2, 4, 8, 16],
            "activation": ["relu", "tanh", "sigmoid"], "noise": [0.0, 0.3]}
CALLS = []


def synthetic(rate, width, activation, noise):
    """Cheap but honest: the numbers and the picture depend on every setting."""
    CALLS.append((rate, width, activation, noise))
    rng = np.random.default_rng([width, len(activation), int(noise * 10)])
    z = rng.normal(size=(4, 4)) * noise + rate * width
    fig, ax = plt.subplots(figsize=(1.6, 1.0))
    ax.imshow(z, vmin=-1, vmax=16, cmap="viridis")
    ax.set_title(f"{activation} {width}", fontsize=6)
    ax.axis("off")
    return fig, {"loss": float(np.abs(z).mean()), "units": width}


def make(**kwargs):
    options = dict(name="synthetic", dpi=60, printed={"rate": [0.01, 1.0], "width": [1, 16],
                                              "activation": ["relu"], "noise": [0.3]})
    options.update(kwargs)
    return Explorer(synthetic, SETTINGS, **options)


@pytest.fixture(scope="module")
def big():
    explorer = make()
    explorer.grid()
    return explorer


def test_every_combination_is_computed_once_with_its_own_settings(big):
    grid = big.grid()
    assert len(grid) == 5 * 5 * 3 * 2 == len(big.combinations())
    for key, result in grid.items():
        assert tuple(big._index(k, result.settings[k]) for k in SETTINGS) == key
        assert result.numbers["units"] == result.settings["width"]
        assert Image.open(io.BytesIO(result.png)).format == "PNG"
    n_calls = len(CALLS)
    big.grid()  # kept, not computed again
    big.result(rate=0.1, width=4, activation="tanh", noise=0.0)
    assert len(CALLS) == n_calls


def test_the_grid_is_deterministic(big):
    again = make()
    for combo in big.combinations()[::7]:
        first, second = big.result(**combo), again.result(**combo)
        assert first.numbers == second.numbers
        assert first.png == second.png


def test_the_live_function_gives_the_precomputed_result(big):
    for combo in big.combinations()[3::17]:
        fresh = big.compute(**combo)
        assert fresh.numbers == big.result(**combo).numbers
        assert fresh.png == big.result(**combo).png


def test_the_live_widget_shows_the_precomputed_numbers_and_picture(big):
    pytest.importorskip("ipywidgets")
    box = big.live()
    assert set(box.controls) == set(SETTINGS)
    for combo in big.combinations()[5::29]:
        for key, value in combo.items():
            box.controls[key].value = value
        expected = big.result(**combo)
        assert box.result.numbers == expected.numbers
        assert box.children[-2].value == expected.png
        for name, value in expected.numbers.items():
            assert f"<b>{name}</b>: {big.format_number(name, value)}" in box.children[-1].value


def _data(page):
    return json.loads(re.search(r'class="nnbook-explorer-data">(.*?)</script>', page, flags=re.S).group(1))


def test_the_web_page_holds_every_combination_within_the_weight_budget(big):
    page = big._repr_html_()
    assert len(page.encode()) < 1.5e6
    data = _data(page)
    assert data["settings"] == list(SETTINGS) and data["sizes"] == [5, 5, 3, 2]
    assert len(data["combos"]) == 150
    # The flat index the JavaScript computes (last setting fastest) finds each combination.
    for combo in big.combinations()[::11]:
        key = big._key(combo)
        flat = ex._flat_index(key, data["sizes"])
        image, numbers, alt = data["combos"][flat]
        result = big.result(**combo)
        assert base64.b64decode(data["images"][image].split(",", 1)[1]) == result.png
        assert numbers == [big.format_number(k, v) for k, v in result.numbers.items()]
        assert f"activation {combo['activation']}" in alt and "loss" in alt


def test_controls_are_labelled_native_inputs_of_the_right_kind(big):
    page = big._repr_html_()
    assert page.count('type="range"') == 3  # rate, width, noise: numbers get sliders
    assert page.count('type="radio"') == 3  # activation: three words, three buttons
    assert '<label for="nnbook-explorer-synthetic-rate">rate</label>' in page
    assert "<legend>activation</legend>" in page
    assert 'aria-valuetext="0.001"' in page
    assert 'aria-live="polite"' in page
    small = {"rate": [0.1, 1.0], "activation": ["relu", "tanh", "sigmoid", "gelu", "elu"]}
    page = Explorer(lambda rate, activation: synthetic(rate, 2, activation, 0.0), small, name="small")._repr_html_()
    assert '<select id="nnbook-explorer-small-activation"' in page and 'type="radio"' not in page
    assert '<option value="4">elu</option>' in page


def test_the_pdf_grid_shows_the_printed_subset(big):
    assert len(big.printed_combinations()) == 4
    picture = Image.open(io.BytesIO(big.small_multiples()))
    assert picture.width > 1000 and picture.height > 200
    listed = make(printed=[dict(rate=0.1, width=2, activation="tanh", noise=0.0)])
    assert listed.printed_combinations() == [dict(rate=0.1, width=2, activation="tanh", noise=0.0)]


def test_display_picks_the_static_bundle_in_a_build_and_widgets_elsewhere(big, monkeypatch):
    pytest.importorskip("ipywidgets")
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    monkeypatch.setenv(ex.ENV_VAR, "static")
    big._ipython_display_()
    bundle, raw = shown.pop()
    assert raw and {"text/html", "image/png", "text/plain"} <= set(bundle)
    assert "application/vnd.jupyter.widget-view+json" not in bundle
    monkeypatch.delenv(ex.ENV_VAR)
    big._ipython_display_()
    widget, raw = shown.pop()
    assert not raw and hasattr(widget, "controls")
    assert set(big.static()._repr_mimebundle_()) == set(bundle)


def test_numbers_that_blow_up_print_as_diverged(big):
    assert big.format_number("loss", float("inf")) == "diverged"
    assert big.format_number("loss", float("nan")) == "diverged"


@pytest.mark.parametrize("kwargs, words", [
    (dict(settings={"rate": [0.1]}), "2 to 12 values"),
    (dict(settings={"rate": [0.1, 0.1]}), "repeats a value"),
    (dict(settings={"not a name": [1, 2]}), "not a Python identifier"),
    (dict(settings={"rate": [[1], [2]]}), "numbers or strings"),
    (dict(name="Bad Name"), "lower-case slug"),
    (dict(start={"rate": 0.2}), "0.2 is not a value of setting 'rate'"),
    (dict(labels={"speed": "speed"}), "unknown settings ['speed']"),
    (dict(controls={"rate": "knob"}), "'slider', 'buttons' or 'menu'"),
    (dict(printed={}), "1 to 16"),
])
def test_bad_input_names_the_problem(kwargs, words):
    options = dict(name="bad")
    settings = kwargs.pop("settings", SETTINGS)
    options.update(kwargs)
    with pytest.raises(ValueError, match=re.escape(words)):
        Explorer(synthetic, settings, **options)


def test_a_function_must_return_a_figure_and_numbers():
    explorer = Explorer(lambda a: (None, {}), {"a": [1, 2]}, name="bad")
    with pytest.raises(TypeError, match="figure, dict of numbers"):
        explorer.compute(a=1)

    def words(a):
        return plt.figure(), {"verdict": "good"}

    with pytest.raises(TypeError, match="'verdict' must be an int or float"):
        Explorer(words, {"a": [1, 2]}, name="bad").compute(a=1)
    with pytest.raises(ValueError, match=r"no value given for settings \['a'\]"):
        Explorer(words, {"a": [1, 2]}, name="bad").compute()
    with pytest.raises(TypeError, match="callable"):
        Explorer(3, {"a": [1, 2]}, name="bad")
