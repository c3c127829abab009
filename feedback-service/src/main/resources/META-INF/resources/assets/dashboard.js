// The dashboard page (templates/dashboard.html); a file, not inline, so the CSP can forbid inline scripts.
"use strict";
const COLORS = ["#2151c5", "#1b7f3b", "#c5216b", "#d98e04", "#6a3fb5", "#0f8b8d"];
const charts = {};

function num(v) { return v === null || v === undefined ? "–" : String(v); }

function tile(id, value, of, target, higherIsBetter) {
  document.getElementById(id).textContent = num(value);
  if (of !== undefined) document.getElementById(id + "-of").textContent = num(of);
  const el = document.getElementById(id).parentElement;
  el.classList.remove("good", "bad");
  if (value !== null && value !== undefined && target !== null && target !== undefined) {
    el.classList.add((higherIsBetter ? value >= target : value <= target) ? "good" : "bad");
  }
}

function chart(id, type, labels, datasets, options) {
  if (charts[id]) {
    charts[id].data.labels = labels;
    charts[id].data.datasets = datasets;
    charts[id].update("none");
    return;
  }
  charts[id] = new Chart(document.getElementById(id), { type, data: { labels, datasets },
    options: Object.assign({ animation: false, responsive: true, maintainAspectRatio: false, spanGaps: true }, options || {}) });
}

function list(id, items, render, empty) {
  const ul = document.getElementById(id);
  ul.replaceChildren();
  if (items.length === 0) {
    const li = document.createElement("li"); li.className = "none"; li.textContent = empty; ul.appendChild(li);
  }
  for (const item of items) { const li = document.createElement("li"); li.textContent = render(item); ul.appendChild(li); }
}

function render(d) {
  const h = d.headline || {};
  const t = d.targets || {};
  tile("kpi-sla", h.slaCompliance && h.slaCompliance.percent, h.slaCompliance ? h.slaCompliance.of : 0, t.slaCompliance, true);
  tile("kpi-fcr", h.fcr && h.fcr.percent, h.fcr ? h.fcr.of : 0, t.fcr, true);
  tile("kpi-csat", h.csat && h.csat.value, h.csat ? h.csat.responses : 0, t.csat, true);
  tile("kpi-nps", h.nps && h.nps.value, h.nps ? h.nps.responses : 0, t.nps, true);
  tile("kpi-ces", h.ces && h.ces.value, h.ces ? h.ces.responses : 0, t.ces, true); // CES 2.0: agreement, higher is better
  document.getElementById("kpi-escalation").textContent = num(h.escalationRate && h.escalationRate.percent);
  document.getElementById("kpi-contacts").textContent = num(h.contacts || 0);
  document.getElementById("updated").textContent = d.at;

  chart("chart-sla", "line", d.days, Object.entries(d.slaByChannel).map(([channel, values], i) =>
      ({ label: channel, data: values, borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length] })),
      { scales: { y: { min: 0, max: 100 } } });
  chart("chart-feedback", "line", d.weeks, [
      { label: "CSAT %", data: d.csat, borderColor: COLORS[0], backgroundColor: COLORS[0], yAxisID: "y" },
      { label: "NPS", data: d.nps, borderColor: COLORS[2], backgroundColor: COLORS[2], yAxisID: "nps" }],
      { scales: { y: { min: 0, max: 100, position: "left" }, nps: { min: -100, max: 100, position: "right" } } });
  chart("chart-complaints", "bar", Object.keys(d.complaints), [{ label: "contacts", data: Object.values(d.complaints), backgroundColor: COLORS[3] }],
      { plugins: { legend: { display: false } } });
  chart("chart-escalations", "bar", Object.keys(d.openEscalations), [{ label: "open", data: Object.values(d.openEscalations), backgroundColor: COLORS[4] }],
      { plugins: { legend: { display: false } } });

  const body = document.querySelector("#at-risk tbody");
  body.replaceChildren();
  for (const r of d.atRisk) {
    const tr = document.createElement("tr");
    for (const [v, cls] of [[r.metric, ""], [r.warned, "n"], [r.breached, "n"]]) {
      const td = document.createElement("td"); td.textContent = v; if (cls) td.className = cls; tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  list("crises", d.crises, c => c.category + ": " + c.count + " contacts against a baseline of " + c.baseline + ", since " + c.declaredAt, "none");
  list("insights", d.insights, i => i, "not enough contacts yet for an insight");
}

async function refresh() {
  try {
    const response = await fetch("/dashboard/data", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (response.status === 401) { window.location = "/dashboard/sign-in"; return; }
    if (response.ok) { render(await response.json()); }
  } catch (e) {
    // the service is restarting: the next poll tries again
  }
}

// The what-if panel: starts a replay job, follows its progress, then shows its report as a chart and a table.
function percent(v) { return v === null || v === undefined ? "–" : v + " %"; }
function count(n, what) { return n + " " + what + (n === 1 ? "" : "s"); }

function whatIfStatus(text, error) {
  const el = document.getElementById("what-if-status");
  el.textContent = text;
  el.className = error ? "error" : "";
}

function renderWhatIf(job) {
  const r = job.report;
  document.getElementById("what-if-summary").textContent = count(r.contacts, "contact") + " replayed (" + r.policy + "): "
      + r.metNow + " of " + (r.metNow + r.breachedNow) + " targets met as recorded (" + percent(r.percentNow) + "), "
      + r.metCandidate + " of " + (r.metCandidate + r.breachedCandidate) + " under the candidate (" + percent(r.percentCandidate) + "); "
      + count(r.changed, "outcome") + " change; " + count(r.warnings, "warning") + "; "
      + count(r.escalations.reduce((n, e) => n + e.contacts, 0), "escalation") + " ("
      + (r.escalations.map(e => e.rule + " → " + e.level + ": " + e.contacts).join(", ") || "none") + "); "
      + count(r.surveys.reduce((n, s) => n + s.sent, 0), "survey")
      + (r.skipped ? "; " + r.skipped + " contacts could not be replayed (" + r.skippedBecause + ")" : "") + ".";
  const rows = r.rows.filter(x => x.metric !== "promise");
  const body = document.querySelector("#what-if-rows tbody");
  body.replaceChildren();
  for (const x of rows) {
    const tr = document.createElement("tr");
    for (const [v, cls] of [[x.metric, ""], [x.rule, ""], [x.channel, ""], [percent(x.percentNow) + " of " + x.targetsNow, "n"],
        [percent(x.percentCandidate) + " of " + x.targetsCandidate, "n"], [x.wouldBeMet, "n"], [x.wouldBeMissed, "n"]]) {
      const td = document.createElement("td"); td.textContent = v; if (cls) td.className = cls; tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  document.getElementById("what-if-result").hidden = false;
  chart("chart-what-if", "bar", rows.map(x => x.metric + " · " + x.rule + " · " + x.channel), [
      { label: "met now %", data: rows.map(x => x.percentNow), backgroundColor: COLORS[0] },
      { label: "met under the candidate %", data: rows.map(x => x.percentCandidate), backgroundColor: COLORS[1] }],
      { scales: { y: { min: 0, max: 100 } } });
}

async function followWhatIf(location) {
  for (;;) {
    const response = await fetch(location, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) { whatIfStatus("the replay is gone (" + response.status + ")", true); return; }
    const job = await response.json();
    if (job.state === "running") {
      whatIfStatus("replaying… " + job.replayed + " of " + job.total + " contacts");
      await new Promise(done => setTimeout(done, 1000));
      continue;
    }
    if (job.state === "done") {
      whatIfStatus("done: " + job.replayed + " of " + job.total + " contacts");
      renderWhatIf(job);
    } else {
      whatIfStatus(job.state + ": " + job.error, true);
    }
    return;
  }
}

document.getElementById("what-if-form").addEventListener("submit", async event => {
  event.preventDefault();
  const button = document.getElementById("what-if-run");
  button.disabled = true;
  try {
    const days = document.getElementById("what-if-days").value;
    const response = await fetch("/dashboard/what-if?days=" + encodeURIComponent(days), {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/yaml", Accept: "application/json" },
      body: document.getElementById("what-if-policy").value });
    if (response.status === 202) {
      await followWhatIf(response.headers.get("Location"));
    } else if (response.status === 429) {
      whatIfStatus("another replay is running here: try again in " + (response.headers.get("Retry-After") || "a few") + " s", true);
    } else {
      const problem = await response.json().catch(() => ({}));
      whatIfStatus((problem.detail || response.statusText) + (problem.errors
          ? ": " + problem.errors.map(e => e.field + " " + e.message).join("; ") : ""), true);
    }
  } catch (e) {
    whatIfStatus("the service did not answer: try again", true);
  } finally {
    button.disabled = false;
  }
});

render(JSON.parse(document.getElementById("initial").textContent));
setInterval(refresh, 15000);
