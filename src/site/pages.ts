import { failingNodes, formatObservedCell, truncate } from '../report/format.js';
import type { Observed } from '../sdk/types.js';
import { renderWindowChart, type ChartSample } from './chart.js';
import type { AttestationState, SiteHistory, SiteRun } from './collect.js';
import type { DagPicture } from './dag.js';
import { esc, page, slug } from './html.js';

type ReportNode = NonNullable<SiteRun['report']>['nodes'][number];

/** Where each page goes inside the site, relative to its root. */
export const sitePaths = {
  history: (h: { env: string; playbook: string }) => `${slug(h.env)}/${slug(h.playbook)}/index.html`,
  run: (run: SiteRun) => `${slug(run.env)}/${slug(run.playbook)}/${slug(run.name.replace(/\.md$/, ''))}.html`,
};

const STATE_LABEL: Record<SiteRun['state'], string> = { chained: 'verified, on the chain', 'off-chain': 'verified, but off the chain', tampered: 'TAMPERED — not to be trusted' };

const ATTESTATION_LABEL: Record<AttestationState, string> = { verified: 'signed, verified', invalid: 'signature INVALID', present: 'signed, not verified', absent: 'not signed' };

function attestationBadge(run: SiteRun): string {
  const { state, message } = run.attestation;
  return `<span class="badge a-${state}" data-attestation="${state}" title="${esc(message)}">${esc(ATTESTATION_LABEL[state])}</span>`;
}

function statusOf(node: ReportNode): string {
  return String(node.status);
}

function observedText(node: ReportNode, max: number): string {
  return formatObservedCell({ status: node.status as never, observed: node.observed as Observed | null, message: String(node.message ?? ''), ...(Array.isArray(node.reasons) ? { reasons: node.reasons as string[] } : {}) }, max);
}

function verdictOf(run: SiteRun): string {
  return run.state === 'tampered' ? 'tampered' : String(run.report?.verdict ?? 'unknown');
}

/** One run: banner, chain state, failures first, the DAG, every node (failing ones first) with its charts. */
export function renderRunPage(run: SiteRun, drawDag: (picture: DagPicture) => string): string {
  const report = run.report;
  const nodes = report?.nodes ?? [];
  const failing = failingNodes(nodes);
  const ordered = [...failing, ...nodes.filter((n) => !failing.includes(n))];
  const verdict = verdictOf(run);
  const title = `${run.playbook} ${report?.command ?? ''} --env ${run.env}: ${verdict.toUpperCase()}`;
  const body: string[] = [];
  body.push(`<nav><a href="index.html">← history of ${esc(run.playbook)} in ${esc(run.env)}</a> · <a href="../../index.html">all evidence</a></nav>`);
  body.push(`<header class="banner s-${esc(verdict)}" id="verdict" data-verdict="${esc(verdict)}"><div class="verdict">${esc(verdict.toUpperCase())}</div><h1>${esc(run.playbook)} ${esc(report?.command ?? '')} --env ${esc(run.env)}${report?.dryRun ? ' (dry run)' : ''}${report?.partial ? ' (partial)' : ''}</h1>`);
  body.push(`<div>started ${esc(report?.startedAt ?? '?')} · exit ${esc(report?.exitCode ?? '?')} · <code>${esc(run.location)}</code></div></header>`);
  body.push(`<section id="chain"><h2>Evidence chain and signature</h2><p class="chain-state"><span class="badge s-${run.state}" data-state="${run.state}">${esc(STATE_LABEL[run.state])}</span> ${esc(run.stateMessage)}</p>`);
  if (run.state === 'tampered') body.push('<p><strong>This file does not verify. What follows is what it says now, which may not be what was recorded.</strong></p>');
  if (report?.previous) body.push(`<p class="muted">follows <code>${esc(report.previous.fileName)}</code> sha256:${esc(report.previous.sha256)}</p>`);
  body.push(`<p class="attestation-state" id="attestation">${attestationBadge(run)} ${esc(run.attestation.message)}</p></section>`);
  if (!report) {
    body.push('<p>The file\'s report block cannot be read: nothing more to show.</p>');
    return page(title, body.join('\n'));
  }
  body.push('<section id="why"><h2>Why it failed</h2>');
  if (!failing.length) body.push(`<p>Nothing failed${report.dryRun ? ' (a dry run: nothing that acts was executed)' : ''}.</p>`);
  else {
    body.push('<ol class="failures">');
    for (const n of failing) {
      body.push(`<li class="failure" data-node="${esc(n.id)}"><a href="#node-${esc(slug(n.id))}"><strong>${esc(n.id)}</strong></a> <span class="badge s-${esc(statusOf(n))}">${esc(statusOf(n).toUpperCase())}</span> ${esc(truncate(String(n.message ?? ''), 400))}`);
      body.push(`<div>observed <code class="observed">${esc(observedText(n, 200) || 'nothing')}</code>, expected <code class="expected">${esc(n.expected ?? '—')}</code></div></li>`);
    }
    body.push('</ol>');
  }
  body.push('</section>');
  body.push(`<section id="dag"><h2>DAG</h2>${drawDag({ nodes: nodes.map((n) => ({ id: n.id, status: statusOf(n) })), edges: run.edges })}</section>`);
  body.push('<section id="nodes"><h2>Nodes</h2><table><thead><tr><th>Node</th><th>Kind</th><th>Status</th><th>Observed</th><th>Expected</th></tr></thead><tbody>');
  for (const n of ordered) body.push(`<tr class="node-row" data-node="${esc(n.id)}" data-status="${esc(statusOf(n))}"><td><a href="#node-${esc(slug(n.id))}">${esc(n.id)}</a></td><td>${esc(n.kind)}</td><td><span class="badge s-${esc(statusOf(n))}">${esc(statusOf(n).toUpperCase())}</span></td><td>${esc(observedText(n, 80))}</td><td>${esc(n.expected ?? '')}</td></tr>`);
  body.push('</tbody></table></section><section id="details"><h2>Details</h2>');
  for (const n of ordered) {
    body.push(`<article id="node-${esc(slug(n.id))}" class="node" data-node="${esc(n.id)}"><h3>${esc(n.id)} <span class="badge s-${esc(statusOf(n))}">${esc(statusOf(n).toUpperCase())}</span></h3>`);
    body.push(`<p>${esc(n.title ?? '')} (<code>${esc(n.kind)}</code>) — ${esc(n.message ?? '')}</p>`);
    const reasons = Array.isArray(n.reasons) ? (n.reasons as unknown[]).slice(0, 20) : [];
    if (reasons.length) body.push(`<ul>${reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>`);
    const samples = Array.isArray(n.samples) ? (n.samples as ChartSample[]) : [];
    if (samples.length) {
      const chart = renderWindowChart(n.id, samples, n.expected as string | null);
      body.push(chart ?? `<p class="muted">${samples.length} samples, none numeric: ${esc(samples.map((s) => `${s.status}`).join(', '))}</p>`);
    }
    if (n.outputs && Object.keys(n.outputs).length) body.push(`<details><summary>Outputs</summary><pre><code>${esc(truncate(JSON.stringify(n.outputs, null, 2), 4000))}</code></pre></details>`);
    body.push('</article>');
  }
  body.push('</section>');
  return page(title, body.join('\n'));
}

/** A (playbook, env): the strip of run verdicts, then each node's verdicts across runs (a flaky gate stands out). */
export function renderHistoryPage(history: SiteHistory): string {
  const runs = history.runs;
  const body: string[] = [`<nav><a href="../../index.html">← all evidence</a></nav>`, `<h1>${esc(history.playbook)} in ${esc(history.env)}</h1>`];
  const latest = runs[runs.length - 1];
  const tampered = runs.filter((r) => r.state !== 'chained').length;
  body.push(`<p>${runs.length} run${runs.length === 1 ? '' : 's'}${latest ? `, latest <strong>${esc(verdictOf(latest).toUpperCase())}</strong>` : ''}; chain: <span class="badge s-${tampered ? 'tampered' : 'chained'}" id="chain-state">${tampered ? `${tampered} file${tampered === 1 ? '' : 's'} not on a verified chain` : 'every file verified, one chain'}</span></p>`);
  body.push('<h2>Verdicts, oldest first</h2><ol class="strip" id="verdicts">');
  for (const run of runs) {
    const verdict = verdictOf(run);
    body.push(`<li class="${run.state}" data-verdict="${esc(verdict)}" data-state="${run.state}" data-attestation="${run.attestation.state}"><a class="s-${esc(verdict)}" href="${esc(sitePaths.run(run).split('/').pop()!)}" title="${esc(`${run.name}: ${verdict}${run.report?.dryRun ? ' (dry run)' : ''} — ${run.stateMessage}; ${ATTESTATION_LABEL[run.attestation.state]}`)}">${esc(verdict === 'tampered' ? '✗?' : verdict.slice(0, 4).toUpperCase())}${run.report?.dryRun ? '·d' : ''}</a></li>`);
  }
  body.push('</ol><h2>Each node across runs</h2><table><thead><tr><th>Node</th><th>Verdicts, oldest first</th></tr></thead><tbody>');
  const nodeIds = [...new Set(runs.flatMap((r) => (r.report?.nodes ?? []).map((n) => n.id)))];
  for (const id of nodeIds) {
    const statuses = runs.map((r) => (r.state === 'tampered' ? undefined : r.report?.nodes.find((n) => n.id === id)?.status));
    const decided = statuses.filter((s): s is string => !!s && !['skipped', 'dry-run'].includes(s));
    const flaky = decided.some((s) => s === 'pass' || s === 'quiet') && decided.some((s) => ['fail', 'fired', 'error'].includes(s));
    const cells = statuses.map((s) => `<li data-status="${esc(s ?? 'none')}"><span class="s-${esc(s ?? 'skipped')}">${esc(s ? s.slice(0, 4).toUpperCase() : '—')}</span></li>`).join('');
    body.push(`<tr class="node-history" data-node="${esc(id)}"${flaky ? ' data-flaky="true"' : ''}><td>${esc(id)}${flaky ? ' <span class="flaky">flaky</span>' : ''}</td><td><ol class="strip">${cells}</ol></td></tr>`);
  }
  body.push('</tbody></table>');
  return page(`${history.playbook} in ${history.env}`, body.join('\n'));
}

/** The site's front page: every (playbook, env) with its latest verdict. */
export function renderSiteIndex(histories: SiteHistory[]): string {
  const rows = histories.map((h) => {
    const latest = h.runs[h.runs.length - 1];
    const verdict = latest ? verdictOf(latest) : 'none';
    return `<tr data-playbook="${esc(h.playbook)}" data-env="${esc(h.env)}"><td><a href="${esc(sitePaths.history(h))}">${esc(h.playbook)}</a></td><td>${esc(h.env)}</td><td class="latest"><span class="badge s-${esc(verdict)}">${esc(verdict.toUpperCase())}</span></td><td class="signature">${latest ? attestationBadge(latest) : ''}</td><td>${h.runs.length}</td></tr>`;
  });
  return page('rollout evidence', `<h1>rollout evidence</h1>\n<table><thead><tr><th>Playbook</th><th>Environment</th><th>Latest</th><th>Latest signature</th><th>Runs</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`);
}

