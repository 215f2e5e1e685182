"""The report's stylesheet, inlined into the page (no external request of any kind)."""

__all__ = ["CSS"]

CSS = """
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de;
        --bad: #b42318; --good: #1a7f37; --band: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: #fff; margin: 0 auto; max-width: 1180px;
       padding: 1.5rem 1.5rem 4rem; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.35rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem;
     margin-top: 2.4rem; }
h3 { font-size: 1.1rem; margin-top: 1.6rem; }
p.lead { color: var(--muted); margin-top: 0; }
nav ol { columns: 2; margin: .5rem 0 0; }
a { color: #0b5cad; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .85rem;
        font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border: 1px solid var(--line); padding: .2rem .45rem; text-align: left;
         vertical-align: top; }
thead th { background: var(--band); }
td.num { text-align: right; white-space: nowrap; }
.table-note { color: var(--muted); font-size: .82rem; margin: 0 0 .8rem; }
.verdict { font-weight: 600; padding: .4rem .7rem; border-left: 4px solid var(--line);
           background: var(--band); }
.verdict.bad { border-color: var(--bad); }
.verdict.good { border-color: var(--good); }
.unavailable { color: var(--muted); font-style: italic; }
figure { margin: 1rem 0 2rem; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); }
figcaption { color: var(--muted); font-size: .88rem; max-width: 75ch; margin-top: .3rem; }
details { margin: .4rem 0; }
summary { cursor: pointer; font-weight: 600; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; margin: 0; font-size: .82rem; }
ul.log { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .82rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav, .table-note a { display: none; }
  figure, table { break-inside: avoid; }
  h2 { break-after: avoid; }
}
"""
