// Tactful Insights: the feedback summary as charts drawn here, in inline SVG (no CDN, no library).

const KEY_STORAGE = "tactful.apiKey"; // the agent page keeps the API key here for the session
const SVG = "http://www.w3.org/2000/svg";
const COLOURS = ["#2f6fdf", "#d9822b", "#2e9e6a", "#b54aa8", "#c0392b", "#5d6d7e", "#17a2b8", "#8e7d1f"];
const $ = (id) => document.getElementById(id);

function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

function el(tag, attrs = {}, text = null) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

const percent = (value) => (value === null || value === undefined ? "–" : `${Math.round(value * 100)}%`);
const decimal = (value) => (value === null || value === undefined ? "–" : value.toFixed(2));

async function summary(params) {
  const key = sessionStorage.getItem(KEY_STORAGE);
  const response = await fetch(`v1/feedback/summary?${new URLSearchParams(params)}`, {
    headers: key ? { Authorization: `Bearer ${key}` } : {},
  });
  if (response.status === 401) throw new Error("This server needs an API key: enter it on the agent page first.");
  if (!response.ok) {
    let detail = `HTTP ${response.status}`;
    try {
      detail = (await response.json()).detail || detail;
    } catch {
      // not JSON: keep the status
    }
    throw new Error(detail);
  }
  return response.json();
}

function renderKpis(overall) {
  const items = [
    ["Drafts with feedback", String(overall.total)],
    ["Sent as is", String(overall.outcomes.sent)],
    ["Edited", String(overall.outcomes.edited)],
    ["Discarded", String(overall.outcomes.discarded)],
    ["Acceptance", percent(overall.acceptance_rate)],
    ["Median edit distance", decimal(overall.edit_distance.char.median)],
    ["p90 edit distance", decimal(overall.edit_distance.char.p90)],
  ];
  $("kpis").replaceChildren(
    ...items.map(([label, value]) => {
      const box = el("div", { class: "kpi" });
      box.append(el("dt", {}, label), el("dd", { "data-kpi": label }, value));
      return box;
    }),
  );
}

// Acceptance per day and prompt version: one line per version over the period's days.
function renderAcceptance(data) {
  const width = 720, height = 240, left = 44, right = 12, top = 12, bottom = 28;
  const first = new Date(`${data.since}T00:00:00Z`), last = new Date(`${data.until}T00:00:00Z`);
  const span = Math.max(1, (last - first) / 86_400_000);
  const x = (day) => left + ((new Date(`${day}T00:00:00Z`) - first) / 86_400_000 / span) * (width - left - right);
  const y = (rate) => top + (1 - rate) * (height - top - bottom);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "acceptance-heading" });
  for (const rate of [0, 0.5, 1]) {
    chart.append(svg("line", { class: "axis", x1: left, x2: width - right, y1: y(rate), y2: y(rate) }));
    chart.append(svg("text", { class: "tick", x: left - 6, y: y(rate) + 4, "text-anchor": "end" }, percent(rate)));
  }
  chart.append(svg("text", { class: "tick", x: left, y: height - 8 }, data.since));
  chart.append(svg("text", { class: "tick", x: width - right, y: height - 8, "text-anchor": "end" }, data.until));
  const versions = data.groups.map((group) => group.key);
  const legend = [];
  versions.forEach((version, index) => {
    const colour = COLOURS[index % COLOURS.length];
    const points = data.days
      .filter((point) => point.groups[version])
      .map((point) => [x(point.day), y(point.groups[version][1] / point.groups[version][0])]);
    const series = svg("g", { "data-version": version });
    if (points.length > 1) {
      series.append(svg("polyline", { class: "series", stroke: colour, points: points.map((p) => p.join(",")).join(" ") }));
    }
    for (const [px, py] of points) series.append(svg("circle", { cx: px, cy: py, r: 3.5, fill: colour }));
    chart.append(series);
    const item = el("li");
    const swatch = el("span", { class: "swatch" });
    swatch.style.background = colour;
    const group = data.groups[index];
    item.append(swatch, `${version} · ${percent(group.acceptance_rate)} of ${group.total}`);
    legend.push(item);
  });
  if (versions.length === 0) {
    chart.append(svg("text", { class: "label", x: width / 2, y: height / 2, "text-anchor": "middle" }, "No feedback in this period yet."));
  }
  $("acceptance-chart").replaceChildren(chart);
  $("acceptance-legend").replaceChildren(...legend);
}

// Median and p90 character edit distance per rule, as horizontal bars; span edits in the table.
function renderDistances(data) {
  const rules = data.groups.filter((group) => group.edit_distance.char.n > 0);
  const rowHeight = 26, left = 150, width = 720, right = 48;
  const height = Math.max(1, rules.length) * rowHeight + 24;
  const scale = (value) => (value ?? 0) * (width - left - right);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "distance-heading" });
  rules.forEach((group, index) => {
    const top = index * rowHeight + 4;
    const row = svg("g", { "data-rule": group.key });
    row.append(svg("text", { class: "label", x: left - 8, y: top + 15, "text-anchor": "end" }, group.key));
    row.append(svg("rect", { class: "bar-p90", x: left, y: top + 2, height: rowHeight - 8, width: scale(group.edit_distance.char.p90) }));
    row.append(svg("rect", { class: "bar-median", x: left, y: top + 6, height: rowHeight - 16, width: scale(group.edit_distance.char.median) }));
    row.append(svg("text", { class: "tick", x: left + scale(group.edit_distance.char.p90) + 6, y: top + 15 }, decimal(group.edit_distance.char.p90)));
    chart.append(row);
  });
  chart.append(svg("line", { class: "axis", x1: left, x2: left, y1: 0, y2: height - 20 }));
  chart.append(svg("text", { class: "tick", x: left, y: height - 6 }, "0"));
  chart.append(svg("text", { class: "tick", x: width - right, y: height - 6, "text-anchor": "end" }, "1"));
  if (rules.length === 0) {
    chart.append(svg("text", { class: "label", x: width / 2, y: 18, "text-anchor": "middle" }, "No compared drafts in this period yet."));
  }
  $("distance-chart").replaceChildren(chart);
  const spans = new Map(data.rules.map((rule) => [rule.rule, rule]));
  $("rules-table").tBodies[0].replaceChildren(
    ...data.groups.map((group) => {
      const tr = el("tr");
      const span = spans.get(group.key);
      const edited = span ? `${percent(span.rate)} (${span.edited_at_span} of ${span.carried})` : "–";
      for (const value of [group.key, group.total, decimal(group.edit_distance.char.median), decimal(group.edit_distance.char.p90), edited]) {
        tr.append(el("td", {}, String(value)));
      }
      return tr;
    }),
  );
}

async function load() {
  const since = $("since").value;
  $("notice").hidden = true;
  try {
    const [byVersion, byRule] = await Promise.all([
      summary({ since, group_by: "prompt_version" }),
      summary({ since, group_by: "rule" }),
    ]);
    renderKpis(byVersion.overall);
    renderAcceptance(byVersion);
    renderDistances(byRule);
    document.body.dataset.loaded = "true";
  } catch (error) {
    $("notice").textContent = error.message || String(error);
    $("notice").hidden = false;
  }
}

$("since").addEventListener("change", load);
load();
