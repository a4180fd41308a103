// Progressive enhancement only: every page works without this file.
"use strict";

(function theme() {
  const stored = localStorage.getItem("switchboard-theme");
  if (stored) document.documentElement.dataset.theme = stored;
  document.addEventListener("DOMContentLoaded", () => {
    const toggle = document.querySelector("[data-theme-toggle]");
    if (!toggle) return;
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      const dark = document.documentElement.dataset.theme
        ? document.documentElement.dataset.theme === "dark"
        : matchMedia("(prefers-color-scheme: dark)").matches;
      const next = dark ? "light" : "dark";
      document.documentElement.dataset.theme = next;
      localStorage.setItem("switchboard-theme", next);
    });
  });
})();

// Times are written in UTC by the server; show them in the reader's own zone.
function localTimes(root) {
  for (const time of root.querySelectorAll("time[datetime]")) {
    const at = new Date(time.getAttribute("datetime"));
    if (isNaN(at)) continue;
    time.title = time.getAttribute("datetime");
    time.textContent = at.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  localTimes(document);

  // Forms that change something lasting ask first.
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", event => {
      if (!confirm(form.dataset.confirm)) event.preventDefault();
    });
  }

  // Filters apply as soon as they change.
  for (const select of document.querySelectorAll("form.filters select")) {
    select.addEventListener("change", () => select.form.submit());
  }

  // The delivery log follows new events as they are delivered (server-sent events).
  const log = document.querySelector("[data-live]");
  if (log && "EventSource" in window) {
    const state = document.querySelector("[data-live-state]");
    const body = log.querySelector("tbody");
    const source = new EventSource(log.dataset.live);
    source.onopen = () => { if (state) { state.classList.add("on"); state.textContent = "Live"; } };
    source.onerror = () => { if (state) { state.classList.remove("on"); state.textContent = "Reconnecting…"; } };
    source.onmessage = message => {
      const event = JSON.parse(message.data);
      let row = body.querySelector(`tr[data-uuid="${CSS.escape(event.uuid)}"]`);
      const fresh = !row;
      if (fresh) {
        row = document.createElement("tr");
        row.dataset.uuid = event.uuid;
        for (const name of ["when", "status", "type", "attempts", "uuid"]) {
          const cell = document.createElement("td");
          cell.dataset.cell = name;
          if (name === "type" || name === "uuid") cell.classList.add("wide-only");
          row.appendChild(cell);
        }
        body.prepend(row);
        const empty = log.querySelector("[data-empty]");
        if (empty) empty.remove();
      }
      fill(row, event);
      row.classList.remove("fresh");
      void row.offsetWidth;
      row.classList.add("fresh");
      refreshSummary();
    };
  }
});

// The listener's summary beside the log (its counts, state, last error) is the server's to draw:
// after new events, fetch this page again, at most once a second, and take the summary from it.
// Events that come while a fetch is under way ask for one more after it.
let summaryDue = false;
let summaryAgain = false;
function refreshSummary() {
  if (!document.querySelector("[data-summary]")) return;
  if (summaryDue) {
    summaryAgain = true;
    return;
  }
  summaryDue = true;
  setTimeout(async () => {
    try {
      const response = await fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const current = document.querySelector("[data-summary]");
      const fresh = page.querySelector(`[data-summary="${CSS.escape(current.dataset.summary)}"]`);
      if (fresh) {
        current.replaceWith(fresh);
        localTimes(fresh);
      }
    } catch {
      // Offline for a moment: the next event or a reload brings it up to date.
    } finally {
      summaryDue = false;
      if (summaryAgain) {
        summaryAgain = false;
        refreshSummary();
      }
    }
  }, 1000);
}

function fill(row, event) {
  const cell = name => row.querySelector(`[data-cell="${name}"]`);
  const when = cell("when");
  when.replaceChildren();
  const link = document.createElement("a");
  link.href = event.href;
  if (event.last_attempt_at) {
    const time = document.createElement("time");
    time.setAttribute("datetime", event.last_attempt_at);
    link.appendChild(time);
  } else {
    link.textContent = "not tried yet";
  }
  when.appendChild(link);
  const status = cell("status");
  status.replaceChildren();
  const badge = document.createElement("span");
  badge.className = `badge ${event.status}`;
  badge.textContent = event.status;
  status.appendChild(badge);
  if (event.status_reason) {
    const reason = document.createElement("div");
    reason.className = "reason";
    reason.textContent = event.status_reason;
    status.appendChild(reason);
  }
  const type = cell("type");
  type.replaceChildren();
  const tag = document.createElement("span");
  tag.className = "tag";
  tag.textContent = event.data_type;
  type.appendChild(tag);
  const tags = document.createElement("div");
  tags.className = "muted small";
  tags.textContent = event.tags;
  type.appendChild(tags);
  cell("attempts").textContent = event.attempts;
  const uuid = cell("uuid");
  uuid.className = "wide-only mono small muted";
  uuid.textContent = event.uuid;
  localTimes(row);
}
