/** The dashboard's stylesheet, served at `/ui/app.css` (a file, so the CSP needs no 'unsafe-inline'). */
export const STYLESHEET = `
:root {
  --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #6b7385; --line: #e3e6ec; --accent: #3457d5;
  --ok: #1f8a4c; --ok-bg: #e3f5ea; --bad: #c23a3a; --bad-bg: #fbe6e6; --warn: #a86400; --warn-bg: #fff1d6;
  --run: #2f6fd6; --run-bg: #e4edfc; --idle: #8a90a0; --idle-bg: #eef0f4;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
code { font: 12.5px/1.3 ui-monospace, "DejaVu Sans Mono", monospace; background: #f0f2f6; padding: 1px 4px; border-radius: 4px; }
nav.top { display: flex; align-items: center; gap: 18px; padding: 10px 24px; background: #161b26; color: #cfd5e2; }
nav.top a { color: #cfd5e2; } nav.top a:hover { color: #fff; }
nav.top .brand { font-weight: 700; color: #fff; letter-spacing: .02em; margin-right: 10px; }
nav.top .grow { flex: 1; } nav.top .who b { color: #fff; }
main { max-width: 1320px; margin: 0 auto; padding: 18px 24px 48px; }
h1 { font-size: 22px; margin: 6px 0 16px; font-weight: 650; overflow-wrap: anywhere; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 18px 16px; margin-bottom: 16px; box-shadow: 0 1px 2px rgba(20,30,60,.04); }
.card > header { display: flex; align-items: baseline; justify-content: space-between; gap: 12px; margin-bottom: 10px; }
.card h2 { font-size: 15px; margin: 0; font-weight: 650; }
.muted { color: var(--muted); } .small { font-size: 12.5px; }
.good { color: var(--ok); } .bad { color: var(--bad); }
.scroll { overflow-x: auto; }
table.grid { width: 100%; border-collapse: collapse; }
table.grid th { text-align: left; font-weight: 600; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; border-bottom: 1px solid var(--line); padding: 6px 7px; white-space: nowrap; }
table.grid td { border-bottom: 1px solid var(--line); padding: 7px 7px; vertical-align: top; }
table.grid tr:last-child td { border-bottom: 0; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
td.out { max-width: 420px; overflow-wrap: anywhere; } td.goal { max-width: 520px; overflow-wrap: anywhere; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; background: var(--idle-bg); color: var(--idle); margin-left: 4px; white-space: nowrap; }
.pill.admin { background: #ece7fd; color: #5b3fc4; }
.st-succeeded, .st-closed, .st-ok { background: var(--ok-bg); color: var(--ok); }
.st-failed, .st-rejected, .st-open, .st-error { background: var(--bad-bg); color: var(--bad); }
.st-awaiting_approval, .st-half-open, .st-planning { background: var(--warn-bg); color: var(--warn); }
.st-running { background: var(--run-bg); color: var(--run); }
.st-cancelled, .st-skipped, .st-pending { background: var(--idle-bg); color: var(--idle); }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: var(--idle); }
.dot.h-healthy { background: var(--ok); } .dot.h-down, .dot.h-disabled { background: var(--bad); } .dot.h-probing { background: var(--warn); }
.summary { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 18px; margin: -6px 0 16px; color: var(--muted); }
.summary .pill { font-size: 13px; padding: 2px 10px; margin: 0; }
ul.facts { list-style: none; padding: 0; margin: 0 0 12px; display: grid; gap: 4px; }
.problem { background: var(--bad-bg); color: var(--bad); border-radius: 6px; padding: 8px 12px; margin: 0 0 10px; overflow-wrap: anywhere; }
pre.result, pre.bad { white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; }
form.stack { display: grid; gap: 12px; max-width: 720px; } form.narrow { max-width: 360px; }
form.stack label { display: grid; gap: 4px; font-weight: 600; } form.stack label.check { display: flex; gap: 8px; align-items: center; font-weight: 500; }
form.inline { display: inline; margin: 0; }
input, textarea, select { font: inherit; padding: 7px 9px; border: 1px solid #cdd2dc; border-radius: 6px; background: #fff; color: var(--ink); }
input:focus, textarea:focus, select:focus { outline: 2px solid #b8c6f5; border-color: var(--accent); }
.btn { font: inherit; font-weight: 600; padding: 7px 16px; border-radius: 6px; border: 1px solid transparent; cursor: pointer; background: #e9ecf2; color: var(--ink); }
.btn.primary, .btn.approve { background: var(--accent); color: #fff; } .btn.approve { background: var(--ok); }
.btn.reject, .btn.cancel { background: #fff; color: var(--bad); border-color: #e7b7b7; }
button.link { background: none; border: 0; color: #cfd5e2; cursor: pointer; font: inherit; padding: 0; } button.link:hover { color: #fff; text-decoration: underline; }
.gates { display: grid; gap: 10px; }
form.gate { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; } form.gate .btn { min-width: 120px; } form.gate input[name=reason] { flex: 1; min-width: 220px; }
svg.dag { display: block; margin: 4px 0 14px; }
svg.dag .edge { fill: none; stroke: #9aa3b5; stroke-width: 1.5; } svg.dag .arrowhead { fill: #9aa3b5; }
svg.dag .node rect { fill: var(--idle-bg); stroke: var(--idle); stroke-width: 1.2; }
svg.dag .node.st-succeeded rect { fill: var(--ok-bg); stroke: var(--ok); } svg.dag .node.st-failed rect { fill: var(--bad-bg); stroke: var(--bad); }
svg.dag .node.st-running rect { fill: var(--run-bg); stroke: var(--run); } svg.dag .node.st-awaiting_approval rect { fill: var(--warn-bg); stroke: var(--warn); }
svg.dag .node-id { font-weight: 650; font-size: 13px; fill: var(--ink); } svg.dag .node-label { font-size: 11.5px; fill: var(--muted); }
svg.dag .gate-mark { fill: var(--warn); font-size: 10.5px; font-weight: 700; }
table.waterfall { width: 100%; border-collapse: collapse; } table.waterfall td { padding: 4px 8px; border-bottom: 1px solid var(--line); }
td.wf-label.d-1 { padding-left: 22px; } td.wf-label.d-2 { padding-left: 36px; } td.wf-label.d-3 { padding-left: 50px; } td.wf-label.d-4, td.wf-label.d-5 { padding-left: 64px; }
td.wf-label { width: 32%; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 340px; } td.wf-track { width: 58%; }
svg.wf-svg { display: block; width: 100%; height: 14px; background: #f3f4f7; border-radius: 3px; }
svg.wf-svg .bar { fill: var(--run); } svg.wf-svg .bar.st-succeeded, svg.wf-svg .bar.st-ok { fill: var(--ok); }
svg.wf-svg .bar.st-failed, svg.wf-svg .bar.st-error { fill: var(--bad); } svg.wf-svg .bar.st-awaiting_approval { fill: var(--warn); }
svg.wf-svg .bar.st-cancelled, svg.wf-svg .bar.st-skipped { fill: var(--idle); }
td.meter { min-width: 240px; } .meter-row { display: flex; gap: 10px; align-items: center; } .meter-row svg { flex: 1; }
td.nowrap { white-space: nowrap; }
td.spec { min-width: 200px; } .desc { max-width: 210px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
form.stack > button { justify-self: start; }
#audit-verification { font-weight: 600; margin: 0 0 8px; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; margin: 0 0 12px; } .filters a.on { font-weight: 700; color: var(--ink); } .filters input { width: 160px; }
#approvals td.goal { min-width: 220px; } #approvals td.out { min-width: 190px; }
td.assignee form.gate { margin-top: 6px; flex-wrap: nowrap; gap: 6px; } td.assignee input { width: 104px; } td.assignee .btn, td.decide .btn { min-width: 0; padding: 6px 12px; }
td.decide .gates { gap: 6px; } td.decide form.gate { flex-wrap: nowrap; gap: 6px; } td.decide input[name=by] { width: 124px; } td.decide input[name=reason] { min-width: 150px; }
figure.chart { margin: 0 0 14px; min-width: 0; }
figure.chart .chart-title { font-size: 13px; font-weight: 600; margin-bottom: 4px; }
.chart-svg { width: 100%; height: auto; max-width: 720px; display: block; font-family: inherit; }
.chart-svg.matrix { max-width: 760px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 8px 24px; }
.charts.wide { grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); }
figure.chart .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; color: var(--muted); margin-top: 2px; }
figure.chart .legend .key { white-space: nowrap; }
details.chart-data summary { font-size: 12px; color: var(--muted); cursor: pointer; }
details.chart-data table.grid { max-width: 720px; margin-top: 4px; }
table.grid > caption { caption-side: top; text-align: left; font-size: 13px; font-weight: 600; padding: 6px 0 4px; }
`;

/** The dashboard's icon: a switch of two tracks. */
export const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#161b26"/><path d="M6 24 L16 14 L26 14 M16 14 L26 24" stroke="#7fa0ff" stroke-width="3.5" fill="none" stroke-linecap="round"/></svg>`;
