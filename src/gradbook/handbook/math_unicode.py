"""Simple LaTeX maths as plain Unicode text, for the terminal: ``\\frac{a+b}{c}`` → ``(a+b)/c``,
``x_i^2`` → ``xᵢ²``, ``\\sqrt{n}`` → ``√n``, ``\\sigma \\cdot \\mu`` → ``σ · μ``, ``\\,`` → a thin space.

A small recursive reader: an *atom* is a ``{group}``, a ``\\command`` (with its arguments) or one
character; ``_`` and ``^`` turn the next atom into sub/superscript characters when Unicode has all
of them, else into ``_(…)`` / ``^(…)``. Unknown commands print as their name.
"""
from __future__ import annotations

import re

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ",
    "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ",
    "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}
SYMBOLS = {
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥",
    "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼", "simeq": "≃", "equiv": "≡", "propto": "∝", "ll": "≪",
    "gg": "≫", "infty": "∞", "sum": "Σ", "prod": "∏", "int": "∫", "partial": "∂", "nabla": "∇", "to": "→",
    "rightarrow": "→", "leftarrow": "←", "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔",
    "mapsto": "↦", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩",
    "forall": "∀", "exists": "∃", "emptyset": "∅", "ldots": "…", "dots": "…", "cdots": "⋯", "odot": "⊙",
    "otimes": "⊗", "oplus": "⊕", "circ": "∘", "ast": "∗", "star": "⋆", "ell": "ℓ", "lfloor": "⌊",
    "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "langle": "⟨", "rangle": "⟩", "lVert": "‖", "rVert": "‖",
    "Vert": "‖", "vert": "|", "mid": "|", "top": "ᵀ", "prime": "′", "neg": "¬", "land": "∧", "lor": "∨",
    "bmod": " mod ", "setminus": "∖", "{": "{", "}": "}", "|": "‖", "%": "%", "$": "$", "&": "&", "#": "#",
    "_": "_",
}
SPACES = {",": "\u2009", ";": " ", ":": " ", "!": "", " ": " ", "quad": "\u2003", "qquad": "\u2003\u2003",
          "enspace": "\u2002"}
NAMED_FUNCTIONS = {"log", "ln", "exp", "max", "min", "arg", "sin", "cos", "tan", "tanh", "sinh", "cosh",
                   "det", "sup", "inf", "lim", "sgn", "dim", "ker", "Pr", "argmax", "argmin"}
SKIPPED = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "middle",
           "displaystyle", "textstyle", "limits", "nolimits"}
TEXT_COMMANDS = {"text", "textrm", "textit", "textbf", "mbox", "texttt"}
STYLE_COMMANDS = {"mathrm", "mathit", "mathbf", "mathsf", "mathtt", "boldsymbol", "bm", "mathcal",
                  "operatorname", "mathop", "mathbin", "mathrel"}
DOUBLE_STRUCK = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305", "tilde": "\u0303",
           "widetilde": "\u0303", "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308"}
FRACTIONS = {"frac", "dfrac", "tfrac", "cfrac"}

SUPERSCRIPT = dict(zip("0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφϕχ ′ᵀ*",
                       "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵠᵡ ′ᵀ*"))
SUBSCRIPT = dict(zip("0123456789+-−=()aehijklmnoprstuvxβγρφϕχ ",
                     "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵩᵪ "))
_BIG_OPERATORS = set("Σ∏∫")
_OPERATOR_CHARS = set("+-−=<>≤≥≠≈·×/,∼∈→←")


def to_unicode(tex: str) -> str:
    """The formula ``tex`` (without the dollar signs) as one line of Unicode text."""
    reader = _Reader(tex)
    text = re.sub(r"[ \u2009]*\u2009[ \u2009]*", "\u2009", reader.sequence())
    return re.sub(" +", " ", text).strip(" ")  # a lone thin space ($\,$) is kept


def script(text: str, table: dict[str, str], mark: str) -> str:
    """``text`` in sub/superscript characters, or ``mark(text)`` when one of them has none."""
    if text and all(ch in table for ch in text):
        return "".join(table[ch] for ch in text)
    return f"{mark}{text}" if len(text) == 1 else f"{mark}({text})"


def _one_factor(text: str) -> bool:
    """A number, or one (possibly ∂-prefixed) symbol with its accents and scripts: a denominator
    that needs no parentheses (``e²/2β`` would read as ``(e²/2)β``)."""
    scripts = "".join(set(SUPERSCRIPT.values()) | set(SUBSCRIPT.values())).replace(" ", "")
    return re.fullmatch(rf"\d+(\.\d+)?|∂?[^\W\d_][\u0300-\u036f\u20d7]*[{re.escape(scripts)}]*", text) is not None


def _wrap(text: str, denominator: bool = False) -> str:
    """Parenthesise a fraction's numerator when it is more than one term, its denominator when it is
    more than one factor."""
    text = text.strip()
    if denominator:
        text = text.replace(" ", "")
        return text if len(text) <= 1 or _one_factor(text) or _wrapped(text) else f"({text})"
    simple = len(text) <= 1 or not any(ch in _OPERATOR_CHARS for ch in text)
    if simple:
        return text.replace(" ", "")
    return text if simple or _wrapped(text) else f"({text})"


def _wrapped(text: str) -> bool:
    return text.startswith("(") and text.endswith(")") and text.count("(") == 1


class _Reader:
    def __init__(self, tex: str) -> None:
        self.tex, self.pos = tex, 0

    def sequence(self, closing: str | None = None) -> str:
        out: list[str] = []
        while self.pos < len(self.tex):
            ch = self.tex[self.pos]
            if closing and ch == closing:
                self.pos += 1
                break
            if ch == " ":  # spaces between atoms are kept (collapsed later); arguments skip them
                self.pos += 1
                out.append(" ")
            elif ch in "_^":
                self.pos += 1
                table, mark = (SUBSCRIPT, "_") if ch == "_" else (SUPERSCRIPT, "^")
                out.append(script(self.atom().strip(), table, mark))
            else:
                piece = self.atom()
                if piece[:1] in _BIG_OPERATORS and out and out[-1][-1:] not in " (":
                    piece = " " + piece  # 1/n Σᵢ, not 1/nΣᵢ
                out.append(piece)
        return "".join(out)

    def atom(self) -> str:
        while self.pos < len(self.tex) and self.tex[self.pos] == " ":
            self.pos += 1
        if self.pos >= len(self.tex):
            return ""
        ch = self.tex[self.pos]
        self.pos += 1
        if ch == "{":
            return self.sequence("}")
        if ch == "\\":
            return self.command()
        if ch == "}":  # an unbalanced brace: drop it
            return ""
        if ch == "~":
            return "\u00a0"
        if ch == "-":
            return "−"
        if ch == " ":
            return " "
        return ch

    def raw_group(self) -> str:
        """The literal text of the next ``{...}`` (for ``\\text``), or the next character."""
        while self.pos < len(self.tex) and self.tex[self.pos] == " ":
            self.pos += 1
        if self.pos < len(self.tex) and self.tex[self.pos] == "{":
            depth, start = 0, self.pos
            for i in range(self.pos, len(self.tex)):
                depth += {"{": 1, "}": -1}.get(self.tex[i], 0)
                if depth == 0:
                    self.pos = i + 1
                    return self.tex[start + 1:i]
            self.pos = len(self.tex)
            return self.tex[start + 1:]
        return self.atom()

    def optional(self) -> str | None:
        if self.pos < len(self.tex) and self.tex[self.pos] == "[":
            end = self.tex.find("]", self.pos)
            if end > 0:
                inner, self.pos = self.tex[self.pos + 1:end], end + 1
                return _Reader(inner).sequence()
        return None

    def command(self) -> str:
        m = re.match(r"[A-Za-z]+|.", self.tex[self.pos:], re.S)
        if m is None:
            return "\\"
        name = m.group(0)
        self.pos += len(name)
        if name in SPACES:
            return SPACES[name]
        if name in GREEK:
            return GREEK[name]
        if name in SYMBOLS:
            return SYMBOLS[name]
        if name in NAMED_FUNCTIONS:
            return name
        if name in SKIPPED:
            if self.tex[self.pos:self.pos + 1] == ".":
                self.pos += 1
            return ""
        if name in FRACTIONS:
            top, bottom = self.atom(), self.atom()
            return f"{_wrap(top)}/{_wrap(bottom, denominator=True)}"
        if name == "sqrt":
            index = self.optional()
            root = {"3": "∛", "4": "∜"}.get(index or "", "√" if not index else script(index, SUPERSCRIPT, "^") + "√")
            return root + _wrap(self.atom())
        if name == "binom":
            n, k = self.atom(), self.atom()
            return f"C({n}, {k})"
        if name == "pmod":
            return f" (mod {self.atom()})"
        if name in TEXT_COMMANDS:
            return self.raw_group()
        if name in STYLE_COMMANDS:
            return self.atom()
        if name == "mathbb":
            letters = self.atom()
            return "".join(DOUBLE_STRUCK.get(ch, ch) for ch in letters)
        if name in ACCENTS:
            body = self.atom()
            return body + ACCENTS[name] if body else ""
        return name


def replace_maths(markdown: str, escape=lambda s: s) -> str:
    """Every ``$...$`` and ``$$...$$`` of a Markdown text as Unicode (``escape`` applied to each),
    display maths on a line of its own."""
    from .mathtext import DISPLAY, INLINE  # the same delimiters as the HTML report

    text = DISPLAY.sub(lambda m: "\n\n" + escape(to_unicode(m.group(1))) + "\n\n", markdown)
    return INLINE.sub(lambda m: escape(to_unicode(m.group(1))), text)
