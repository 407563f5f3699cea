"""The handbook as one self-contained, offline HTML file: figures embedded as data URIs, maths
as inline SVG (glyphs defined once, in one hidden SVG), a table of contents by section, a search
box and a verdict filter (a few lines of inline JavaScript), verdict badges, each entry's computed
numbers and the code that produced them. Nothing is fetched from the network."""
from __future__ import annotations

import base64
import datetime as _dt
from html import escape

from markdown_it import MarkdownIt

from .. import __version__
from . import mathtext
from .entry import Entry, overall
from .registry import SECTIONS
from .render_terminal import format_value
from .result import VERDICTS, Result

_MD = MarkdownIt("commonmark", {"html": False}).enable("table")

LABELS = {
    "en": {"claims": "Claims checked", "computed": "Computed by gradbook", "code": "The computation",
           "conditions": "Conditions", "contents": "Contents", "seconds": "computed in {:.2f} s",
           "title": "gradbook handbook", "verdicts": "Verdicts", "search": "Search…",
           "all": "all verdicts", "shown": "shown"},
    "zh": {"claims": "检验的论断", "computed": "gradbook 的计算结果", "code": "计算代码",
           "conditions": "成立条件", "contents": "目录", "seconds": "用时 {:.2f} 秒",
           "title": "gradbook 面试手册", "verdicts": "结论", "search": "搜索…",
           "all": "全部结论", "shown": "条显示"},
}

CSS = """
:root{--fg:#1d2330;--muted:#5b6474;--line:#e3e7ee;--bg:#fbfcfe;--card:#fff;--accent:#2f5bd3}
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:var(--fg);background:var(--bg)}
.layout{display:grid;grid-template-columns:290px minmax(0,1fr);min-height:100vh}
nav{position:sticky;top:0;height:100vh;overflow:auto;padding:22px 18px;border-right:1px solid var(--line);background:#f4f6fa;font-size:14px}
nav h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:18px 0 6px}
nav a{display:flex;justify-content:space-between;gap:8px;color:var(--fg);text-decoration:none;padding:3px 6px;border-radius:6px}
nav a:hover{background:#e6ebf5}
nav a span:first-child{flex:1;min-width:0}
nav a .badge{flex-shrink:0;align-self:flex-start;font-size:10.5px;padding:1px 7px;margin-top:3px}
nav .brand{font-weight:700;font-size:18px;margin-bottom:4px}
nav .meta{color:var(--muted);font-size:12px}
main{padding:28px 44px 80px;max-width:1100px}
header.top h1{margin:0 0 4px;font-size:30px}
header.top p{margin:0;color:var(--muted)}
.summary{display:flex;gap:10px;flex-wrap:wrap;margin:16px 0 8px}
.summary span{padding:4px 10px;border-radius:999px;font-size:13px}
section.sec>h2{margin:40px 0 6px;font-size:22px;border-bottom:2px solid var(--line);padding-bottom:6px}
article{background:var(--card);border:1px solid var(--line);border-radius:14px;padding:20px 26px;margin:18px 0;box-shadow:0 1px 2px rgba(20,30,60,.04)}
article h3{margin:0 0 2px;font-size:20px;display:flex;align-items:center;gap:10px;flex-wrap:wrap}
article .id{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:var(--muted)}
.badge{display:inline-block;padding:2px 9px;border-radius:999px;font-size:12px;font-weight:700;letter-spacing:.02em;color:#fff;white-space:nowrap}
.confirmed{background:#1f8a4c}.corrected{background:#c23b3b}.depends{background:#c99a06}.contested{background:#6a3fb5}
.lang-block+.lang-block{border-top:1px dashed var(--line);margin-top:14px;padding-top:10px}
.lang-tag{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.08em}
h4{margin:18px 0 6px;font-size:15px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;margin:6px 0 10px;font-size:14px;max-width:100%;display:block;overflow-x:auto}
th,td{border:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f1f4f9}
td.num{font-variant-numeric:tabular-nums;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}
ul.claims{list-style:none;padding:0;margin:0}
ul.claims li{display:flex;gap:10px;align-items:baseline;margin:4px 0}
figure{margin:12px 0}
figure img{max-width:100%;border:1px solid var(--line);border-radius:8px}
figcaption{font-size:13px;color:var(--muted)}
details{margin-top:10px}
summary{cursor:pointer;color:var(--accent)}
pre{background:#0f1522;color:#e6e9ef;padding:12px 14px;border-radius:8px;overflow:auto;font-size:12.5px;line-height:1.45}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
p code,li code{background:#eef1f6;padding:1px 5px;border-radius:4px}
.math svg{vertical-align:middle;max-width:100%;height:auto}
.math svg *{stroke-linejoin:round;stroke-linecap:butt}
.filter{display:flex;flex-direction:column;gap:6px;margin:12px 0 4px}
.filter input,.filter select{font:inherit;font-size:14px;padding:5px 8px;border:1px solid var(--line);border-radius:8px;background:#fff}
.filter .count{color:var(--muted);font-size:12px}
.summary button{border:0;cursor:pointer;font:inherit}
.hidden{display:none!important}
.math.display{display:block;text-align:center;margin:10px 0;overflow-x:auto}
.footer{color:var(--muted);font-size:13px;margin-top:40px}
@media (max-width:900px){.layout{display:block}nav{position:static;height:auto}main{padding:18px}}
"""


# Filter the entries as the reader types: every word of the query must occur in the entry's text
# (or its id), and its overall verdict must match the chosen one; empty sections and their
# contents links hide with them. A link can preset both: handbook.html?q=...&verdict=...
SCRIPT = """
(function(){
  var q=document.getElementById('q'), v=document.getElementById('verdict'), count=document.getElementById('count');
  var items=[].map.call(document.querySelectorAll('article'), function(a){
    return {a:a, text:(a.id+' '+a.textContent).toLowerCase(), verdict:a.getAttribute('data-verdict'),
            link:document.querySelector('nav a[href="#'+a.id+'"]')};
  });
  function apply(){
    var words=q.value.toLowerCase().split(/\\s+/).filter(Boolean), want=v.value, shown=0;
    items.forEach(function(it){
      var ok=(!want||it.verdict===want)&&words.every(function(w){return it.text.indexOf(w)>=0;});
      it.a.classList.toggle('hidden',!ok); if(it.link) it.link.classList.toggle('hidden',!ok); if(ok) shown++;
    });
    [].forEach.call(document.querySelectorAll('section.sec'), function(s){
      var any=s.querySelector('article:not(.hidden)');
      s.classList.toggle('hidden',!any);
      var head=document.getElementById('nav-'+s.id); if(head) head.classList.toggle('hidden',!any);
    });
    count.textContent=shown+' / '+items.length;
  }
  var asked=new URLSearchParams(location.search);  // handbook.html?q=dropout&verdict=corrected
  if(asked.get('q')) q.value=asked.get('q');
  if(asked.get('verdict')) v.value=asked.get('verdict');
  q.addEventListener('input',apply); v.addEventListener('change',apply);
  [].forEach.call(document.querySelectorAll('.summary button'), function(b){
    b.addEventListener('click',function(){v.value=(v.value===b.value?'':b.value);apply();});
  });
  apply();
})();
"""


def markdown_html(text: str, sheet: mathtext.GlyphSheet | None = None) -> str:
    body, formulas = mathtext.extract(text)
    return mathtext.restore(_MD.render(body), formulas, sheet)


def compact_png(png: bytes) -> bytes:
    """The figure with an adaptive palette of at most 256 colours (plots use few; this keeps the report
    several times smaller), or the original bytes when that is not smaller."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        if im.mode == "RGBA" and im.getchannel("A").getextrema()[0] < 255:
            return png  # a transparent figure keeps its alpha
        quantized = im.convert("RGB").quantize(colors=256)  # median cut: white stays white
    buf = io.BytesIO()
    quantized.save(buf, format="PNG", optimize=True)
    return buf.getvalue() if buf.tell() < len(png) else png


def _badge(word: str) -> str:
    return f'<span class="badge {escape(word)}">{escape(word)}</span>'


def _value_cell(value) -> str:
    return f'<td class="num">{escape(format_value(value))}</td>'


def _entry_html(e: Entry, result: Result, langs: list[str], sheet: mathtext.GlyphSheet | None = None) -> str:
    parts = [f'<article id="{escape(e.id)}" data-verdict="{overall(result.verdicts)}">']
    title = " / ".join(escape(e.title[lang]) for lang in langs)
    parts.append(f'<h3>{title} {_badge(overall(result.verdicts))}</h3><div class="id">{escape(e.id)}</div>')
    for lang in langs:
        lab = LABELS[lang]
        parts.append(f'<div class="lang-block" lang="{lang}"><div class="lang-tag">{lang}</div>')
        parts.append(markdown_html(e.text(lang, result), sheet))
        parts.append(f'<h4>{lab["claims"]}</h4><ul class="claims">')
        for key, text in e.claims.items():
            parts.append(f"<li>{_badge(result.verdicts[key])}<span>{markdown_html(text[lang], sheet)[3:-5]}</span></li>")
        parts.append("</ul>")
        if result.conditions and lang == langs[-1]:
            parts.append(f'<h4>{lab["conditions"]}</h4><ul>' +
                         "".join(f"<li>{escape(c)}</li>" for c in result.conditions) + "</ul>")
        parts.append("</div>")
    lab = LABELS[langs[-1]]
    parts.append(f'<h4>{lab["computed"]}</h4><table><tr><th>name</th><th>value</th></tr>')
    for name, value in result.numbers.items():
        parts.append(f"<tr><td><code>{escape(name)}</code></td>{_value_cell(value)}</tr>")
    parts.append("</table>")
    for t in result.tables:
        parts.append(f"<table><caption>{escape(t.title)}</caption><tr>" +
                     "".join(f"<th>{escape(str(c))}</th>" for c in t.columns) + "</tr>")
        for row in t.rows:
            parts.append("<tr>" + "".join(_value_cell(v) for v in row) + "</tr>")
        parts.append("</table>")
    for f in result.figures:
        data = base64.b64encode(compact_png(f.png)).decode("ascii")
        parts.append(f'<figure><img alt="{escape(f.name)}" src="data:image/png;base64,{data}">'
                     f"<figcaption>{escape(f.caption)}</figcaption></figure>")
    code = e.source()
    if code:
        parts.append(f'<details><summary>{lab["code"]} · {lab["seconds"].format(result.seconds)}</summary>'
                     f"<pre><code>{escape(code)}</code></pre>")
        if result.calls:
            parts.append("<pre><code>" + escape("\n".join(result.calls)) + "</code></pre>")
        parts.append("</details>")
    parts.append("</article>")
    return "\n".join(parts)


def render(runs: list[tuple[Entry, Result]], lang: str = "both") -> str:
    """The whole report for ``runs`` (entries with their results) as one HTML string."""
    langs = ["zh", "en"] if lang == "both" else [lang]
    lab = LABELS[langs[-1]]
    by_section: dict[str, list[tuple[Entry, Result]]] = {}
    for e, r in runs:
        by_section.setdefault(e.section, []).append((e, r))
    counts: dict[str, int] = {}
    for _, r in runs:
        w = overall(r.verdicts)
        counts[w] = counts.get(w, 0) + 1

    sheet = mathtext.GlyphSheet()
    options = "".join(f'<option value="{w}">{w}</option>' for w in VERDICTS)
    nav = [f'<div class="brand">{escape(LABELS[langs[0]]["title"])}</div>'
           f'<div class="meta">gradbook {__version__} · {len(runs)} entries</div>'
           f'<div class="filter"><input type="search" id="q" placeholder="{escape(lab["search"])}" '
           f'aria-label="{escape(lab["search"])}"><select id="verdict" aria-label="{escape(lab["verdicts"])}">'
           f'<option value="">{escape(lab["all"])}</option>{options}</select>'
           f'<span class="count" id="count">{len(runs)} / {len(runs)}</span></div>']
    body = []
    for sec in sorted(by_section):
        name = " · ".join(SECTIONS[sec][lg] for lg in langs)
        nav.append(f'<h2 id="nav-sec-{sec}">{sec}. {escape(name)}</h2>')
        body.append(f'<section class="sec" id="sec-{sec}"><h2>{sec}. {escape(name)}</h2>')
        for e, r in by_section[sec]:
            title = e.title[langs[0]]
            nav.append(f'<a href="#{escape(e.id)}"><span>{escape(title)}</span>{_badge(overall(r.verdicts))}</a>')
            body.append(_entry_html(e, r, langs, sheet))
        body.append("</section>")
    summary = "".join(f'<button type="button" class="badge {w}" value="{w}">{w}: {n}</button>'
                      for w, n in sorted(counts.items()))
    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    html_lang = "zh" if langs == ["zh"] else "en"
    return (f'<!doctype html><html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f"<title>{escape(lab['title'])}</title><style>{CSS}</style></head><body>"
            f'{sheet.svg()}<div class="layout"><nav>{"".join(nav)}</nav><main>'
            f'<header class="top"><h1>{escape(lab["title"])}</h1>'
            f"<p>Every answer below was computed by gradbook's own code when this file was made ({stamp}).</p>"
            f'<div class="summary">{summary}</div></header>'
            + "\n".join(body) +
            f'<p class="footer">gradbook {__version__} · generated {stamp} · offline, self-contained</p>'
            f"</main></div><script>{SCRIPT}</script></body></html>")
