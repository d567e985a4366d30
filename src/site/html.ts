/** Text into HTML (element content and quoted attributes alike). */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A name safe in a file name and an id: what `readChain` names files with, kept readable. */
export function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_');
}

// One stylesheet inlined in every page: no file to miss, nothing fetched. Colours come from
// variables so dark mode is one block (every text/background pair ≥ 4.5:1 in both schemes);
// print goes back to the light palette on white paper, shows every <details>, hides the nav.
const LIGHT = '--bg:#fff;--fg:#1d1f21;--muted:#5f6368;--line:#d0d4d9;--card:#f6f8fa;--pass:#17692c;--pass-bg:#d4edda;--fail:#a71d2a;--fail-bg:#f8d7da;--error:#8f3900;--error-bg:#ffe5b4;--warn:#6b5400;--warn-bg:#fff3cd;--skip:#545b62;--skip-bg:#e2e3e5;--dry:#2c5f8a;--dry-bg:#d6e4f0;--link:#0b57d0';
const CSS = `
:root{${LIGHT}}
@media (prefers-color-scheme:dark){:root{--bg:#15171a;--fg:#e8eaed;--muted:#a0a4a8;--line:#3c4043;--card:#202327;--pass:#6fcf97;--pass-bg:#1f3d2a;--fail:#ff8a8a;--fail-bg:#4a1f24;--error:#ffb066;--error-bg:#4a3018;--warn:#ffd866;--warn-bg:#3f3514;--skip:#b0b4b8;--skip-bg:#2e3134;--dry:#8ab4f8;--dry-bg:#1d3047;--link:#8ab4f8}}
*{box-sizing:border-box}body{margin:0;padding:1.5rem;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg);max-width:72rem}
a{color:var(--link)}a:focus-visible,[tabindex]:focus-visible{outline:3px solid var(--link);outline-offset:2px}
svg a.dag-link:focus{outline:none}svg a.dag-link:focus rect{stroke:var(--link);stroke-width:5}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}h3{font-size:1rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:var(--card)}
code{font:13px ui-monospace,monospace;overflow-wrap:anywhere}.muted{color:var(--muted)}
.banner{padding:1rem;border-radius:6px;border:2px solid var(--line);margin:1rem 0}
.banner .verdict{font-size:1.6rem;font-weight:700}
.s-pass,.s-quiet{color:var(--pass);background:var(--pass-bg);border-color:var(--pass)}.s-fail,.s-fired{color:var(--fail);background:var(--fail-bg);border-color:var(--fail)}
.s-error{color:var(--error);background:var(--error-bg);border-color:var(--error)}.s-warn{color:var(--warn);background:var(--warn-bg);border-color:var(--warn)}
.s-skipped{color:var(--skip);background:var(--skip-bg);border-color:var(--skip)}.s-dry-run{color:var(--dry);background:var(--dry-bg);border-color:var(--dry)}
.s-tampered{color:var(--fail);background:var(--fail-bg);border-color:var(--fail)}.s-off-chain{color:var(--error);background:var(--error-bg);border-color:var(--error)}.s-chained{color:var(--pass);background:var(--pass-bg);border-color:var(--pass)}
.a-verified{color:var(--pass);background:var(--pass-bg);border-color:var(--pass)}.a-invalid{color:var(--fail);background:var(--fail-bg);border-color:var(--fail)}.a-present{color:var(--warn);background:var(--warn-bg);border-color:var(--warn)}.a-absent{color:var(--skip);background:var(--skip-bg);border-color:var(--skip)}
.badge{display:inline-block;padding:0 .4rem;border:1px solid;border-radius:4px;font-weight:600;font-size:.85em}
.failures li{margin:.4rem 0;padding:.5rem;border-left:4px solid var(--fail);background:var(--card);list-style:none}.failures{padding:0}
.strip{display:flex;flex-wrap:wrap;gap:4px;padding:0;list-style:none}.strip li a,.strip li span{display:block;min-width:2.2rem;padding:.2rem .3rem;border:1px solid;border-radius:3px;text-align:center;text-decoration:none;font-size:.8rem;font-weight:600}
.strip li.tampered a{border-style:dashed;text-decoration:line-through}
svg text{fill:var(--fg);font:12px system-ui,sans-serif}svg .axis{stroke:var(--muted)}svg .series{fill:none;stroke:var(--link);stroke-width:1.5}
svg .threshold{stroke:var(--fail);stroke-dasharray:6 4;stroke-width:1.5}svg .sample{fill:var(--pass)}svg .sample.fail,svg .sample.error{fill:var(--fail);r:5}
svg .dag-edge{stroke:var(--muted);fill:none;stroke-width:1.5}svg .dag-node rect{stroke-width:2}
svg .dag-node.s-pass rect,svg .dag-node.s-quiet rect{fill:var(--pass-bg);stroke:var(--pass)}svg .dag-node.s-fail rect,svg .dag-node.s-fired rect{fill:var(--fail-bg);stroke:var(--fail)}
svg .dag-node.s-error rect{fill:var(--error-bg);stroke:var(--error)}svg .dag-node.s-warn rect{fill:var(--warn-bg);stroke:var(--warn)}svg .dag-node.s-skipped rect{fill:var(--skip-bg);stroke:var(--skip)}svg .dag-node.s-dry-run rect{fill:var(--dry-bg);stroke:var(--dry)}
.flaky{font-weight:700;color:var(--warn)}
@media print{:root{color-scheme:light;${LIGHT}}body{max-width:none;padding:0;font-size:11pt}.banner,.failures li,th{background:none!important}a{color:inherit;text-decoration:none}nav{display:none}details::details-content{content-visibility:visible;height:auto}details>summary{list-style:none;font-weight:600}pre{white-space:pre-wrap}svg,.failures li,tr{break-inside:avoid}article.node{break-inside:avoid-page}}
`;

/** A whole page: inline CSS, no script, nothing fetched. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
