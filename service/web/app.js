// Tactful agent page: pick or paste a thread, stream a draft, show the guardrail verdict.
// Plain ES module, no build step, no third-party code: it must run offline and inside helpdesk iframes.

const KEY_STORAGE = "tactful.apiKey"; // sessionStorage: asked once per browser session
const SEVERITY_ORDER = { block: 0, warn: 1, info: 2 };
const STATUS_LABEL = { approved: "Approved", needs_review: "Needs review", blocked: "Blocked" };
const VERDICT_LABEL = { pass: "Passes", warn: "Warnings", block: "Blocked" };
const SEVERITY_LABEL = { block: "Blocks", warn: "Review", info: "Note" };
const CHATWOOT_FETCH = "chatwoot-dashboard-app:fetch-info";

const $ = (id) => document.getElementById(id);
const state = {
  thread: null, // the Thread sent with the next draft
  authRequired: false,
  draftController: null, // AbortController of the stream in flight
  lastDraft: null, // the DraftResult shown
  pendingAfterKey: null, // the action to retry once a key is entered
};

// Timings for the browser test (first delta vs the mock LLM's first token): epoch milliseconds.
window.tactfulTimings = { drafts: [] };

// ---- small helpers ------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

function showNotice(message) {
  const notice = $("notice");
  notice.textContent = message;
  notice.hidden = !message;
}

function setBadge(node, kind, label) {
  node.className = `badge ${kind}`;
  node.textContent = label;
}

class HttpError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// ---- API access ---------------------------------------------------------------------------------

function authHeaders() {
  const key = sessionStorage.getItem(KEY_STORAGE);
  return key ? { Authorization: `Bearer ${key}` } : {};
}

async function api(path, { method = "GET", body, headers = {}, signal } = {}) {
  const response = await fetch(path, {
    method,
    signal,
    headers: {
      ...(body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...authHeaders(),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) {
    let problem = null;
    try {
      problem = await response.json();
    } catch {
      problem = null;
    }
    throw new HttpError(response.status, problem);
  }
  return response;
}

// Runs an action; on 401 asks for the key and runs it again once the key is saved.
async function withKey(action) {
  try {
    await action();
  } catch (error) {
    if (error instanceof HttpError && error.status === 401) {
      sessionStorage.removeItem(KEY_STORAGE);
      askForKey({ rejected: true, then: action });
      return;
    }
    if (error.name === "AbortError") return;
    showNotice(error.message || String(error));
  }
}

function askForKey({ rejected = false, then = null } = {}) {
  state.pendingAfterKey = then;
  $("key-error").hidden = !rejected;
  $("api-key").value = "";
  const dialog = $("key-dialog");
  if (!dialog.open) dialog.showModal();
  $("api-key").focus();
}

// ---- Server-Sent Events over fetch (EventSource cannot POST) ------------------------------------

async function* readEvents(response) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n?/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue; // keep-alive comment
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const content = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") name = content;
        else if (field === "data") data.push(content);
      }
      if (data.length) yield { name, data: JSON.parse(data.join("\n")) };
    }
  }
}

// ---- threads: samples, pasted text, files, helpdesk context -------------------------------------

function threadFromText(text) {
  const trimmed = text.trim();
  if (!trimmed) return null;
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    let parsed;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new Error("The thread is not valid JSON. Fix it, or paste only the customer's message.");
    }
    if (Array.isArray(parsed)) return { messages: parsed };
    return parsed;
  }
  return { channel: "email", messages: [{ role: "customer", body: trimmed }] };
}

function setThread(thread, source) {
  state.thread = thread;
  $("thread-source").textContent = source || "";
  $("thread-input").value = thread ? JSON.stringify(thread, null, 2) : "";
  renderConversation(thread);
  $("regenerate-button").disabled = true;
}

function renderConversation(thread) {
  const list = $("conversation");
  list.replaceChildren();
  const messages = (thread && Array.isArray(thread.messages) && thread.messages) || [];
  if (!messages.length) {
    list.append(el("li", { class: "empty", text: "Pick a sample, load a file, or paste the conversation below." }));
    return;
  }
  const names = {
    customer: (thread.customer && thread.customer.name) || "Customer",
    agent: (thread.agent && thread.agent.name) || "Agent",
    note: "Private note",
  };
  const shown = messages.slice(-12); // the newest; long threads stay readable
  if (messages.length > shown.length) {
    list.append(el("li", { class: "more", text: `${messages.length - shown.length} earlier messages not shown` }));
  }
  for (const message of shown) {
    const role = ["customer", "agent", "note"].includes(message.role) ? message.role : "customer";
    list.append(
      el("li", { class: `bubble ${role}` }, el("span", { class: "who", text: names[role] }), String(message.body || "")),
    );
  }
  list.scrollTop = list.scrollHeight;
}

async function loadSamples() {
  const response = await api("ui/samples");
  const samples = await response.json();
  const select = $("sample");
  for (const sample of samples) select.append(el("option", { value: sample.name, text: sample.title }));
  select.disabled = samples.length === 0;
}

async function pickSample(name) {
  if (!name) return;
  const response = await api(`ui/samples/${encodeURIComponent(name)}`);
  setThread(await response.json(), "Sample");
}

// Chatwoot Dashboard App: the parent sends {"event": "appContext", "data": {conversation, contact, currentAgent}}.
const CHATWOOT_CHANNELS = {
  "Channel::Email": "email",
  "Channel::WebWidget": "chat",
  "Channel::Api": "chat",
  "Channel::Sms": "sms",
  "Channel::TwilioSms": "sms",
  "Channel::Whatsapp": "chat",
  "Channel::Telegram": "chat",
  "Channel::Line": "chat",
  "Channel::FacebookPage": "social",
  "Channel::TwitterProfile": "social",
  "Channel::Instagram": "social",
};

export function threadFromChatwoot(data) {
  const conversation = data.conversation || {};
  const contact = data.contact || (conversation.meta && conversation.meta.sender) || {};
  const agent = data.currentAgent || {};
  const messages = (conversation.messages || [])
    .filter((m) => typeof m.content === "string" && m.content.trim())
    .filter((m) => m.message_type === 0 || m.message_type === 1 || m.message_type === "incoming" || m.message_type === "outgoing")
    .map((m) => ({
      role: m.private ? "note" : m.message_type === 0 || m.message_type === "incoming" ? "customer" : "agent",
      body: m.content,
      ...(typeof m.created_at === "number" ? { created_at: new Date(m.created_at * 1000).toISOString() } : {}),
    }));
  const attributes = conversation.additional_attributes || {};
  return {
    id: conversation.id !== undefined ? `chatwoot-${conversation.id}` : undefined,
    subject: attributes.mail_subject || undefined,
    channel: CHATWOOT_CHANNELS[conversation.channel || (conversation.meta && conversation.meta.channel)] || "chat",
    customer: { name: contact.name || undefined, email: contact.email || undefined },
    agent: { name: agent.name || agent.available_name || undefined },
    messages,
  };
}

function listenToHelpdesk() {
  if (window.parent === window) return; // not framed
  window.addEventListener("message", (event) => {
    // Only the frame that embeds us (frame-ancestors decides who may) can hand us a conversation.
    if (event.source !== window.parent) return;
    let payload = event.data;
    if (typeof payload === "string") {
      try {
        payload = JSON.parse(payload);
      } catch {
        return;
      }
    }
    if (!payload || typeof payload !== "object") return;
    if (payload.event === "appContext" && payload.data) {
      const thread = threadFromChatwoot(payload.data);
      if (thread.messages.length) setThread(thread, `Chatwoot conversation ${payload.data.conversation?.id ?? ""}`.trim());
    } else if (payload.type === "tactful:thread" && payload.thread) {
      setThread(payload.thread, payload.source || "From your helpdesk");
    }
  });
  // Chatwoot answers this with an appContext message (it also sends one when the tab opens).
  window.parent.postMessage(CHATWOOT_FETCH, "*");
}

// ---- findings: highlighted spans with their message ------------------------------------------------

function worst(findings) {
  return findings.reduce((a, b) => (SEVERITY_ORDER[b.severity] < SEVERITY_ORDER[a.severity] ? b : a));
}

// Offsets are code points (Python's str indices); JavaScript strings index UTF-16 units, so we
// slice an array of code points instead.
function renderHighlighted(container, text, findings, idPrefix) {
  container.replaceChildren();
  const points = Array.from(text);
  const spans = findings
    .map((finding, index) => ({ ...finding, index }))
    .filter((f) => Number.isInteger(f.start) && Number.isInteger(f.end) && f.start < f.end && f.start >= 0 && f.end <= points.length);
  const cuts = new Set([0, points.length]);
  for (const span of spans) cuts.add(span.start).add(span.end);
  const edges = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i < edges.length - 1; i += 1) {
    const [from, to] = [edges[i], edges[i + 1]];
    const piece = points.slice(from, to).join("");
    const covering = spans.filter((s) => s.start <= from && s.end >= to);
    if (!covering.length) {
      container.append(piece);
      continue;
    }
    const top = worst(covering);
    container.append(
      el(
        "mark",
        {
          class: `finding ${top.severity}`,
          tabindex: 0,
          "data-findings": covering.map((s) => s.index).join(" "),
          "data-rule": top.rule,
          "aria-describedby": "tooltip",
          id: `${idPrefix}-mark-${from}`,
        },
        piece,
      ),
    );
  }
}

function renderFindings(list, findings, container, idPrefix) {
  list.replaceChildren();
  findings.forEach((finding, index) => {
    const hasSpan = Number.isInteger(finding.start) && Number.isInteger(finding.end);
    const body = el(
      "div",
      { class: "finding-body" },
      el("span", { text: finding.message }),
      el("span", { class: "rule", text: finding.rule }),
      finding.suggestion ? el("span", { class: "suggestion", text: finding.suggestion }) : null,
    );
    if (hasSpan && container) {
      const show = el("button", { type: "button", class: "where", text: "Show in text" });
      show.addEventListener("click", () => {
        const mark = [...container.querySelectorAll("mark.finding")].find((m) =>
          m.dataset.findings.split(" ").includes(String(index)),
        );
        if (mark) mark.focus();
      });
      body.append(show);
    } else {
      body.append(el("span", { class: "suggestion", text: "Applies to the whole reply." }));
    }
    list.append(
      el(
        "li",
        { class: `finding-item ${finding.severity}`, "data-rule": finding.rule, id: `${idPrefix}-finding-${index}` },
        el("span", { class: `sev ${finding.severity}`, text: SEVERITY_LABEL[finding.severity] || finding.severity }),
        body,
      ),
    );
  });
}

const findingsByContainer = new WeakMap();

function showTooltip(mark) {
  const container = mark.closest(".reply-text");
  const findings = findingsByContainer.get(container) || [];
  const items = mark.dataset.findings
    .split(" ")
    .map((i) => findings[Number(i)])
    .filter(Boolean);
  if (!items.length) return;
  const tip = $("tooltip");
  tip.replaceChildren(
    ...items.map((f) =>
      el(
        "div",
        { class: "tip-item" },
        el("span", { class: "tip-rule", text: `${SEVERITY_LABEL[f.severity] || f.severity}: ` }),
        f.message,
        f.suggestion ? el("span", { class: "tip-suggestion", text: f.suggestion }) : null,
      ),
    ),
  );
  tip.hidden = false;
  document.querySelectorAll("mark.finding.active").forEach((m) => m.classList.remove("active"));
  mark.classList.add("active");
  const box = mark.getBoundingClientRect();
  const width = tip.offsetWidth;
  const left = Math.min(Math.max(8, box.left), window.innerWidth - width - 8);
  const below = box.bottom + 8 + tip.offsetHeight < window.innerHeight;
  tip.style.left = `${left}px`;
  tip.style.top = `${below ? box.bottom + 6 : box.top - tip.offsetHeight - 6}px`;
}

function hideTooltip() {
  $("tooltip").hidden = true;
  document.querySelectorAll("mark.finding.active").forEach((m) => m.classList.remove("active"));
}

function wireTooltips() {
  for (const type of ["mouseover", "focusin"]) {
    document.addEventListener(type, (event) => {
      const mark = event.target.closest && event.target.closest("mark.finding");
      if (mark) showTooltip(mark);
    });
  }
  document.addEventListener("mouseout", (event) => {
    if (event.target.closest && event.target.closest("mark.finding") && document.activeElement !== event.target) hideTooltip();
  });
  document.addEventListener("focusout", (event) => {
    if (event.target.closest && event.target.closest("mark.finding")) hideTooltip();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") hideTooltip();
  });
  // A scroll moves the highlighted text under a fixed tooltip: follow the mark instead of hiding,
  // so a tooltip opened while the page was still scrolling the mark into view stays readable.
  window.addEventListener(
    "scroll",
    () => {
      const active = document.querySelector("mark.finding.active");
      if (active && !$("tooltip").hidden) showTooltip(active);
    },
    true,
  );
}

// ---- drafting -------------------------------------------------------------------------------------

function currentThread() {
  const thread = threadFromText($("thread-input").value);
  if (!thread) throw new Error("Add a conversation first: pick a sample, load a file or paste the customer's message.");
  return thread;
}

function startStreamingView() {
  $("feedback-block").hidden = true;
  const box = $("draft-text");
  box.className = "reply-text streaming";
  box.textContent = "";
  box.setAttribute("aria-busy", "true");
  $("draft-banner").hidden = true;
  $("findings").replaceChildren();
  $("findings-heading").hidden = true;
  $("analysis").hidden = true;
  $("draft-meta").textContent = "";
  $("copy-button").disabled = true;
  setBadge($("draft-status"), "working", "Drafting…");
}

// ---- analysis: how the customer was read ----------------------------------------------------------

const INTENSITY = { 1: "mild", 2: "clear", 3: "strong" };

function renderAnalysis(analysis) {
  const block = $("analysis");
  const list = $("analysis-list");
  list.replaceChildren();
  if (!analysis) {
    block.hidden = true;
    return;
  }
  const row = (term, ...details) => list.append(el("dt", { text: term }), el("dd", {}, ...details));
  const feelings = (analysis.feelings || []).map((f) =>
    el(
      "span",
      { class: "feeling", "data-feeling": f.name, title: (f.evidence || []).map((e) => `“${e.text}”`).join(", ") },
      `${f.name} (${INTENSITY[f.intensity] || f.intensity})`,
      ...(f.evidence || []).slice(0, 1).map((e) => el("q", { text: ` ${e.text}` })),
    ),
  );
  row("Feelings", ...(feelings.length ? feelings : [el("span", { class: "muted", text: "none shown" })]));
  row("Request", analysis.request ? el("q", { text: analysis.request.text }) : el("span", { class: "muted", text: "none" }));
  const facts = (analysis.facts || []).map((f) => `${f.kind}: ${f.text}`).join(" · ");
  row("Facts given", facts ? el("span", { text: facts }) : el("span", { class: "muted", text: "none found" }));
  row("Register", el("span", { text: analysis.register }));
  row("Language", el("span", { text: analysis.variant || analysis.language }));
  block.hidden = false;
}

function showResult(result, streamedText) {
  state.lastDraft = result;
  const box = $("draft-text");
  box.setAttribute("aria-busy", "false");
  const text = result.reply ?? result.rejected_draft ?? "";
  const findings = result.guardrails.findings || [];
  box.className = `reply-text${result.reply === null ? " rejected" : ""}`;
  findingsByContainer.set(box, findings);
  renderHighlighted(box, text, findings, "draft");
  renderFindings($("findings"), findings, box, "draft");
  $("findings-heading").hidden = findings.length === 0;
  renderAnalysis(result.analysis);
  setBadge($("draft-status"), result.status, STATUS_LABEL[result.status] || result.status);
  const banner = $("draft-banner");
  if (result.status === "blocked") {
    banner.className = "banner blocked";
    banner.textContent = "Not sendable: a blocking finding remains. Rewrite the highlighted parts, or Regenerate.";
    banner.hidden = false;
  } else if (streamedText !== null && !sameDraft(streamedText, text)) {
    banner.className = "banner info";
    banner.textContent = "Tactful adjusted the draft after checking it (for example, to acknowledge the customer first).";
    banner.hidden = false;
  } else {
    banner.hidden = true;
  }
  const seconds = (result.timings_ms.total || 0) / 1000;
  const source = result.provider === "offline" ? "offline composer" : result.model;
  $("draft-meta").textContent = `${source} · ${result.cached ? "from cache" : `${seconds.toFixed(1)} s`}`;
  $("copy-button").disabled = result.reply === null;
  $("regenerate-button").disabled = false;
  $("own-reply").placeholder = "Write or paste your own reply to check it…";
  $("final-text").value = text;
  $("feedback-status").textContent = "";
  $("feedback-block").hidden = false; // folded: it keeps the draft panel short until the agent opens it
}

// ---- feedback: what the agent did with the draft ---------------------------------------------------

const FEEDBACK_DONE = {
  sent: "Thanks: recorded as sent as is.",
  edited: "Thanks: recorded as sent after editing.",
  discarded: "Thanks: recorded as discarded.",
};

async function sendFeedback(outcome) {
  const result = state.lastDraft;
  if (!result) return;
  const body = { outcome };
  if (outcome === "edited") {
    const finalText = $("final-text").value;
    if (!finalText.trim()) {
      $("feedback-status").textContent = "Put the reply you sent in the box first.";
      return;
    }
    body.final_text = finalText;
  }
  await api(`v1/drafts/${encodeURIComponent(result.id)}/feedback`, { method: "POST", body });
  $("feedback-status").textContent = FEEDBACK_DONE[outcome];
}

// Removes every streamed word from the page (deltas are unchecked text), and says why when a
// guardrail stopped the stream.
function clearDraft(problem) {
  const box = $("draft-text");
  box.className = "reply-text placeholder";
  box.setAttribute("aria-busy", "false");
  box.textContent = "No draft this time.";
  setBadge($("draft-status"), "idle", "Not drafted");
  if (problem && problem.rule) {
    const banner = $("draft-banner");
    banner.className = "banner blocked";
    banner.textContent = `Stopped while writing: a blocking ${problem.rule} finding. What was shown has been removed; Regenerate or write the reply yourself.`;
    banner.hidden = false;
  }
}

// The stream shows placeholders ([EMAIL_1]...) where the result has the customer's values back: the
// draft was not "adjusted" when only those differ.
const PLACEHOLDER = /\\\[(?:SECRET|PASSWORD|CARD|IBAN|EMAIL|PHONE)_\d{1,4}\\\]/g;

function sameDraft(streamedText, text) {
  const escaped = streamedText.trim().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = escaped.replace(PLACEHOLDER, "[\\s\\S]+?");
  return new RegExp(`^${pattern}$`).test(text.trim());
}

async function draft({ fresh = false } = {}) {
  showNotice("");
  const thread = currentThread();
  state.thread = thread;
  if (state.draftController) state.draftController.abort(); // a newer click wins; the server cancels
  const controller = new AbortController();
  state.draftController = controller;
  const timing = { started: performance.timeOrigin + performance.now(), firstDelta: null, result: null };
  window.tactfulTimings.drafts.push(timing);
  $("draft-button").disabled = true;
  $("regenerate-button").disabled = true;
  startStreamingView();
  let streamed = null;
  try {
    const response = await api("v1/drafts/stream", {
      method: "POST",
      body: thread,
      headers: fresh ? { "Cache-Control": "no-cache" } : {},
      signal: controller.signal,
    });
    const box = $("draft-text");
    for await (const event of readEvents(response)) {
      if (event.name === "delta") {
        if (timing.firstDelta === null) timing.firstDelta = performance.timeOrigin + performance.now();
        streamed = (streamed ?? "") + event.data.text;
        box.append(event.data.text);
      } else if (event.name === "result") {
        timing.result = performance.timeOrigin + performance.now();
        showResult(event.data, streamed);
      } else if (event.name === "error") {
        // A guardrail stopped the draft as it was written, or the LLM failed: nothing shown may stay.
        clearDraft(event.data);
        throw new HttpError(event.data.status || 500, event.data);
      }
    }
  } catch (error) {
    if (error.name !== "AbortError") clearDraft(null);
    throw error;
  } finally {
    if (state.draftController === controller) state.draftController = null;
    $("draft-button").disabled = false;
    if (state.lastDraft) $("regenerate-button").disabled = false;
  }
}

async function copyDraft() {
  const reply = state.lastDraft && state.lastDraft.reply;
  if (!reply) return;
  try {
    await navigator.clipboard.writeText(reply);
  } catch {
    // Inside some iframes the Clipboard API is not allowed: fall back to a selection copy.
    const scratch = el("textarea", { class: "visually-hidden", "aria-hidden": "true" });
    scratch.value = reply;
    document.body.append(scratch);
    scratch.select();
    document.execCommand("copy");
    scratch.remove();
  }
  const button = $("copy-button");
  button.textContent = "Copied ✓";
  setTimeout(() => {
    button.textContent = "Copy";
  }, 1600);
}

async function checkReply() {
  showNotice("");
  const text = $("own-reply").value;
  if (!text.trim()) {
    $("own-reply").focus();
    throw new Error("Write or paste a reply to check first.");
  }
  let thread = null;
  try {
    thread = threadFromText($("thread-input").value);
  } catch {
    thread = null; // a broken thread should not stop a check; the rules run without context
  }
  setBadge($("check-status"), "working", "Checking…");
  let report;
  try {
    const response = await api("v1/guardrails/check", { method: "POST", body: thread ? { text, thread } : { text } });
    report = await response.json();
  } catch (error) {
    setBadge($("check-status"), "idle", "Not checked");
    throw error;
  }
  const box = $("check-text");
  box.hidden = false;
  findingsByContainer.set(box, report.findings);
  renderHighlighted(box, text, report.findings, "check");
  renderFindings($("check-findings"), report.findings, box, "check");
  setBadge($("check-status"), report.verdict, VERDICT_LABEL[report.verdict] || report.verdict);
}

// ---- start-up -----------------------------------------------------------------------------------

function wire() {
  $("draft-button").addEventListener("click", () => withKey(() => draft()));
  $("regenerate-button").addEventListener("click", () => withKey(() => draft({ fresh: true })));
  $("copy-button").addEventListener("click", () => copyDraft());
  $("check-button").addEventListener("click", () => withKey(() => checkReply()));
  for (const outcome of ["sent", "edited", "discarded"]) {
    $(`feedback-${outcome}`).addEventListener("click", () => withKey(() => sendFeedback(outcome)));
  }
  $("sample").addEventListener("change", (event) => withKey(() => pickSample(event.target.value)));
  $("thread-input").addEventListener("input", () => {
    try {
      const thread = threadFromText($("thread-input").value);
      state.thread = thread;
      renderConversation(thread);
      $("thread-source").textContent = thread ? "Edited" : "";
    } catch {
      // keep the last rendering while the JSON is being typed
    }
  });
  $("thread-file").addEventListener("change", async (event) => {
    const file = event.target.files && event.target.files[0];
    if (!file) return;
    try {
      const thread = threadFromText(await file.text());
      setThread(thread, file.name);
      $("sample").value = "";
    } catch (error) {
      showNotice(error.message);
    }
    event.target.value = "";
  });
  $("key-form").addEventListener("submit", () => {
    const key = $("api-key").value.trim();
    if (!key) return;
    sessionStorage.setItem(KEY_STORAGE, key);
    const then = state.pendingAfterKey;
    state.pendingAfterKey = null;
    if (then) withKey(then);
  });
  $("key-button").addEventListener("click", () => askForKey());
  document.addEventListener("keydown", (event) => {
    // Ctrl/Cmd+Enter drafts from anywhere but the reply checker, where it checks.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (event.target === $("own-reply")) $("check-button").click();
      else $("draft-button").click();
    }
  });
  wireTooltips();
}

async function start() {
  wire();
  listenToHelpdesk();
  try {
    const config = await (await fetch("ui/config")).json();
    state.authRequired = Boolean(config.auth_required);
  } catch {
    state.authRequired = false;
  }
  $("key-button").hidden = !state.authRequired;
  withKey(() => loadSamples()); // public: sample threads need no key
  if (state.authRequired && !sessionStorage.getItem(KEY_STORAGE)) askForKey();
}

start();
