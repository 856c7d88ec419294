// Ferry dashboard: polls the gateway's JSON API with the tenant's key and draws live charts as SVG.
// No build chain and no third-party code: the gateway serves these files as they are.
"use strict";

const POLL_MS = 1000;
const HISTORY = 180; // points kept per chart: three minutes at one per second
const METRICS = [
  { id: "rate", label: "invocations/s", digits: 1 },
  { id: "latencyP99Ms", label: "p99 latency ms", digits: 0 },
  { id: "lag", label: "lag", digits: 0 },
  { id: "replicas", label: "replicas", digits: 0 },
  // The throughput model (issue 17): replicas x concurrency / (W x mean run time), and arrival / capacity.
  { id: "capacity", label: "capacity req/s", digits: 1 },
  { id: "utilization", label: "utilization %", digits: 0 },
];

const series = new Map(); // function name -> { metric id -> [numbers] }

function apiKey() {
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get("key");
  if (fromFragment) {
    sessionStorage.setItem("ferry.key", fromFragment);
    history.replaceState(null, "", location.pathname); // keep the key out of the address bar
  }
  return sessionStorage.getItem("ferry.key");
}

async function get(path) {
  const response = await fetch(path, { headers: { Authorization: "Bearer " + apiKey() } });
  if (response.status === 401) {
    showLogin();
    throw new Error("the API key was refused");
  }
  if (response.status === 503) {
    return null; // that part of the platform is not ready yet; draw what there is
  }
  if (!response.ok) {
    throw new Error(path + ": HTTP " + response.status);
  }
  return response.json();
}

function showLogin() {
  document.getElementById("login").hidden = false;
}

function push(fn, metric, value) {
  if (!series.has(fn)) series.set(fn, {});
  const byMetric = series.get(fn);
  const points = byMetric[metric] || (byMetric[metric] = []);
  points.push(Number.isFinite(value) ? value : 0);
  if (points.length > HISTORY) points.shift();
}

function list(json, field) {
  if (!json) return [];
  return Array.isArray(json) ? json : (json[field] || []);
}

async function poll() {
  const [functions, scaling, stats, triggers] = await Promise.all([
    get("/v1/functions"), get("/v1/scaling").catch(() => null), get("/v1/stats").catch(() => null),
    get("/v1/triggers").catch(() => null)]);
  const scaleBy = new Map(list(scaling, "functions").map(s => [s.function || s.name, s]));
  const statsBy = new Map(list(stats, "functions").map(s => [s.function || s.name, s]));
  const names = list(functions, "functions").map(f => f.name);
  for (const name of names) {
    const scale = scaleBy.get(name) || {};
    const stat = statsBy.get(name) || {};
    const fn = list(functions, "functions").find(f => f.name === name) || {};
    push(name, "rate", Number(stat.rate));
    push(name, "latencyP99Ms", Number(stat.latencyP99Ms));
    push(name, "lag", Number(scale.lag ?? fn.lag));
    push(name, "replicas", Number(scale.replicas ?? fn.replicas));
    const model = fn.model || {};
    // As ferry top: a run time under 0.05 ms is bounded by the work around the call, not by T, so the model's
    // capacity (21,333,333/s for the demo's 3 µs echo) says nothing true and is not drawn.
    const resolved = model.meanRunMs == null || Number(model.meanRunMs) >= 0.05;
    push(name, "capacity", !resolved || model.capacityPerSecond == null ? NaN : Number(model.capacityPerSecond));
    push(name, "utilization", !resolved || model.utilization == null ? NaN : 100 * Number(model.utilization));
  }
  drawFunctions(names);
  drawTriggers(list(triggers, "triggers"));
  const from = new Date(Date.now() - 3600_000).toISOString();
  const usage = await get("/v1/usage?from=" + encodeURIComponent(from)).catch(() => null);
  drawUsage(usage);
  // Whose dashboard this is: every answer names the key's tenant; usage does even when the tenant has no function.
  drawTenant((usage && usage.tenant) || (list(functions, "functions")[0] || {}).tenant
      || (list(triggers, "triggers")[0] || {}).tenant);
}

function drawTenant(tenant) {
  if (tenant) document.getElementById("tenant").textContent = "tenant " + tenant;
}

// The x axis spans at least a minute and grows to the whole history, so a fresh page shows a line at once.
function svgPolyline(points) {
  const max = Math.max(1, ...points);
  const slots = Math.min(HISTORY, Math.max(60, points.length));
  const step = 100 / (slots - 1);
  const offset = slots - points.length;
  return points.map((v, i) => ((offset + i) * step).toFixed(2) + "," + (68 - (v / max) * 64).toFixed(2)).join(" ");
}

function svgArea(line) {
  if (!line) return "";
  const first = line.split(" ")[0].split(",")[0];
  return first + ",70 " + line + " 100,70";
}

function drawFunctions(names) {
  const container = document.getElementById("functions");
  for (const name of names) {
    let box = container.querySelector('[data-function="' + name + '"]');
    if (!box) {
      box = document.createElement("div");
      box.className = "function";
      box.dataset.function = name;
      box.innerHTML = "<h2></h2><div class='charts'></div>";
      box.querySelector("h2").textContent = name;
      for (const metric of METRICS) {
        const figure = document.createElement("figure");
        figure.className = "chart";
        figure.dataset.metric = metric.id;
        figure.innerHTML = "<figcaption><span></span><span class='now'></span></figcaption>"
          + "<svg viewBox='0 0 100 70' preserveAspectRatio='none'><polygon points=''/><polyline points=''/></svg>";
        figure.querySelector("span").textContent = metric.label;
        box.querySelector(".charts").appendChild(figure);
      }
      container.appendChild(box);
    }
    for (const metric of METRICS) {
      const points = series.get(name)[metric.id];
      const figure = box.querySelector('[data-metric="' + metric.id + '"]');
      const line = svgPolyline(points);
      figure.querySelector("polyline").setAttribute("points", line);
      figure.querySelector("polygon").setAttribute("points", svgArea(line));
      figure.dataset.points = String(points.length); // read by the browser test
      figure.dataset.last = String(points[points.length - 1]);
      figure.querySelector(".now").textContent = points[points.length - 1].toFixed(metric.digits);
    }
  }
  for (const box of container.querySelectorAll(".function")) {
    if (!names.includes(box.dataset.function)) box.remove();
  }
}

// Triggers (issue 14): one row per trigger of the tenant, from GET /v1/triggers; rates are per second and shown
// once the replicas reported twice ("-" until then; lag is "-" only when neither a replica nor the broker answered).
function drawTriggers(triggers) {
  const section = document.getElementById("triggers");
  section.hidden = triggers.length === 0;
  const body = section.querySelector("tbody");
  body.innerHTML = "";
  const rate = (t, field) => (t.rates && t.rates[field] != null ? Number(t.rates[field]).toFixed(1) : "-");
  for (const t of triggers) {
    const row = document.createElement("tr");
    row.dataset.trigger = t.name;
    row.dataset.state = t.state;
    const route = (t.topics || []).join(", ") + (t.destination ? " \u2192 " + t.destination : "");
    const cells = [
      [t.name, ""], [t.function, ""], [route, ""], [t.state, "state-" + t.state],
      [t.lag == null ? "-" : String(t.lag), "number"],
      [rate(t, "read"), "number"], [rate(t, "filtered"), "number"],
      [rate(t, "answered"), "number"], [rate(t, "failed"), "number"],
    ];
    cells.forEach(([text, cls], i) => {
      const cell = document.createElement("td");
      cell.textContent = text; // textContent: names and topics are never parsed as HTML
      if (cls) cell.className = cls;
      cell.dataset.column = ["name", "function", "route", "state", "lag", "read", "filtered", "answered", "failed"][i];
      row.appendChild(cell);
    });
    if (t.error) row.title = t.error;
    body.appendChild(row);
  }
}

function drawUsage(usage) {
  const records = list(usage, "records");
  let invocations = 0, gbSeconds = 0, cost = 0;
  for (const r of records) {
    invocations += Number(r.invocations || 0);
    gbSeconds += Number(r.mbMillis || 0) / 1024 / 1000;
    cost += Number(r.cost || 0); // display only; the exact figures are in /v1/usage
  }
  const cards = [
    ["invocations billed (1 h)", String(invocations)],
    ["GB-seconds (1 h)", gbSeconds.toFixed(3)],
    ["cost (1 h)", "$" + cost.toFixed(6)],
  ];
  const section = document.getElementById("usage");
  section.innerHTML = "";
  for (const [label, value] of cards) {
    const card = document.createElement("div");
    card.className = "card";
    card.innerHTML = "<div class='muted'></div><div class='value'></div>";
    card.firstChild.textContent = label;
    card.lastChild.textContent = value;
    section.appendChild(card);
  }
  section.dataset.invocations = String(invocations);
}

async function loop() {
  const status = document.getElementById("status");
  try {
    await poll();
    status.textContent = "live, " + new Date().toLocaleTimeString();
    status.className = "muted";
  } catch (e) {
    status.textContent = e.message;
    status.className = "error";
  }
  setTimeout(loop, POLL_MS);
}

document.getElementById("login-form").addEventListener("submit", event => {
  event.preventDefault();
  sessionStorage.setItem("ferry.key", document.getElementById("api-key").value.trim());
  document.getElementById("login").hidden = true;
});

if (!apiKey()) showLogin();
loop();
