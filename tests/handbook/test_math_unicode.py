"""LaTeX to Unicode for the terminal, and the terminal renderer that uses it."""
import pytest
from rich.console import Console

from gradbook.handbook.entry import Entry
from gradbook.handbook.math_unicode import to_unicode
from gradbook.handbook.render_terminal import show
from gradbook.handbook.result import Result

THIN = "\u2009"


@pytest.mark.parametrize("tex, text", [
    (r"\frac{a+b}{c}", "(a+b)/c"),
    (r"\frac{1}{n}\sum_i x_i", "1/n Σᵢ xᵢ"),
    (r"x_i^2", "xᵢ²"),
    (r"\sum_{i=1}^{n}", "Σᵢ₌₁ⁿ"),
    (r"\sqrt{n}", "√n"),
    (r"\sqrt{a+b}", "√(a+b)"),
    (r"\sqrt[3]{x}", "∛x"),
    (r"\alpha\,\beta", f"α{THIN}β"),
    (r"a \cdot b \times c \le d", "a · b × c ≤ d"),
    (r"h(\mathrm{line}) \bmod m", "h(line) mod m"),
    (r"W^\top x", "Wᵀ x"),
    (r"\mathbb{R}^d", "ℝᵈ"),
    (r"\text{train loss}", "train loss"),
    (r"\hat{y}", "y\u0302"),
    (r"\left\lfloor \frac{W - K}{S} \right\rfloor + 1", "⌊ (W − K)/S ⌋ + 1"),
    (r"\|w\|_2^2", "‖w‖₂²"),
    (r"x_{\max}", "xₘₐₓ"),
    (r"C_{in} k_w", "Cᵢₙ k_w"),  # no subscript w in Unicode: spelled with _
    (r"e^{-x/2}", "e^(−x/2)"),   # no superscript slash
    (r"\frac{\partial L}{\partial w}", "∂L/∂w"),
    (r"\frac{e^2}{2\beta}", "e²/(2β)"),
    (r"\frac{\lambda}{2}\|w\|^2", "λ/2‖w‖²"),
    (r"\frac{1}{\sigma_i}", "1/σᵢ"),
    (r"\mathrm{Var}(W) = 2/n_{in}", "Var(W) = 2/nᵢₙ"),
    (r"\foo x", "foo x"),        # an unknown command prints as its name
])
def test_to_unicode(tex, text):
    assert to_unicode(tex) == text


def _entry_with(answer: str, claim: str, figures: int = 0) -> tuple[Entry, Result]:
    def compute(quick):
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        r = Result()
        r.number("n", 3)
        r.table("t [b]", ["[column]"], [["[cell]"]])
        for i in range(figures):
            r.figure(f"fig{i}", plt.figure(figsize=(1, 1)))
        r.check("c", r.numbers["n"] == 3)
        return r

    e = Entry(id="demo", section="A", title={"en": "Demo [x]", "zh": "示例"}, answer={"en": answer, "zh": answer},
              claims={"c": {"en": claim, "zh": claim}}, compute=compute)
    return e, e.run()


def test_terminal_prints_brackets_and_maths_as_unicode(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    e, r = _entry_with(r"The mean $\frac{1}{n}\sum_i x_i$ of {=n} values, thin$\,$space, and [h(h+i)+h].",
                       r"A layer has $g[h(h+i)+h]$ parameters, not [2h].", figures=1)
    console = Console(record=True, width=150, color_system=None)
    saved = show(e, r, "en", console)
    out = console.export_text()
    assert "1/n Σᵢ xᵢ of 3 values" in out
    assert f"thin{THIN}space" in out
    assert "and [h(h+i)+h]." in out and "g[h(h+i)+h] parameters, not [2h]." in out
    assert "t [b]" in out and "[column]" in out and "[cell]" in out
    assert "$" not in out and "\\frac" not in out
    # no --figures: nothing written anywhere, the figure is only announced
    assert saved == [] and list(tmp_path.iterdir()) == []
    assert "--figures" in out


def test_terminal_writes_figures_only_into_the_given_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    e, r = _entry_with("text", "claim", figures=2)
    saved = show(e, r, "en", Console(file=open(tmp_path / "out.txt", "w")), str(tmp_path / "figs"))
    assert sorted(p.name for p in (tmp_path / "figs").iterdir()) == ["demo-fig0.png", "demo-fig1.png"]
    assert len(saved) == 2 and all(open(p, "rb").read(8) == b"\x89PNG\r\n\x1a\n" for p in saved)


def test_ask_prints_bracketed_claims():
    from typer.testing import CliRunner

    from gradbook.cli import app

    out = CliRunner().invoke(app, ["ask", "param-count"], env={"COLUMNS": "200"})
    assert out.exit_code == 0 and "g[h(h+i)+h] = 48" in out.output and "$" not in out.output
