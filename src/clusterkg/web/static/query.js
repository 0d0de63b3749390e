// The query page: YASGUI (editor with highlighting and completion, tabs, result table that
// sorts and filters; bundled from npm into /static/vendor/) wired to this server only.
// Completion lists come from /api/query-editor (the graph's own vocabulary), never from
// prefix.cc or LOV; unchanged named queries run through /queries/<name>, anything else through
// /sparql; errors are shown in words and marked in the editor at their line and column;
// downloads are offered for the formats that fit the query's result kind.
"use strict";
(async function () {
  const $ = (id) => document.getElementById(id);
  const named = JSON.parse($("named-data").textContent);
  const byName = new Map(named.map((q) => [q.name, q]));
  const DEFAULT_QUERY = `PREFIX ck: <https://w3id.org/clusterkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?cluster ?label WHERE {
  ?cluster a ck:IndustrialCluster ; rdfs:label ?label .
} ORDER BY ?label`;
  const HISTORY_KEY = "clusterkg.query-history", HISTORY_SIZE = 30;

  const editor = await (await fetch("/api/query-editor")).json();

  // ------------------------------------------------------------------ completion, offline
  // Forks of YASQE's own completers with the lists of this graph ("bulk": searched in the
  // browser); the originals ask prefix.cc and LOV, which this page must not contact.
  const Yasqe = Yasgui.Yasqe;
  const prefixLines = Object.entries(editor.prefixes).map(([p, iri]) => `${p}: <${iri}>`).sort();
  Yasqe.forkAutocompleter("prefixes", { name: "graph-prefixes", get: () => prefixLines, persistenceId: null }, false);
  Yasqe.forkAutocompleter("class", { name: "graph-classes", bulk: true, get: () => editor.classes, persistenceId: null }, false);
  Yasqe.forkAutocompleter("property", { name: "graph-properties", bulk: true, get: () => editor.properties, persistenceId: null }, false);
  const COMPLETERS = ["graph-prefixes", "variables", "graph-classes", "graph-properties"];

  // ------------------------------------------------------------------ a table that stays quick
  // YASR's table draws one page at a time (50 rows; DataTables' deferRender), but asks every
  // cell of every row for its type, sort and filter text through DOMPurify first: 20,000 cells
  // of a 10,000-row result froze the page for seconds. That text is matched and compared, never
  // put into the page, so it is the plain value here; shown cells are still sanitised by YASR.
  const YasrTable = Yasgui.Yasr.plugins.table;
  class QuickTable extends YasrTable {
    // DataTables' automatic column widths read the shown text of every row (sanitised too).
    constructor(yasr) { super(yasr); this.config = { ...this.config, tableConfig: { ...this.config.tableConfig, autoWidth: false } }; }
    getColumns() {
      return super.getColumns().map((col, i) => {
        if (i === 0) return col;
        const render = col.render;
        return { ...col, render: (cell, type, row, meta) => (cell === "" || type === "display" ? render(cell, type, row, meta) : String(cell.value)) };
      });
    }
  }
  Yasgui.Yasr.registerPlugin("table", QuickTable);

  // ------------------------------------------------------------------ a chart of numbers
  // YASR (zazuko) has no chart plugin; this one draws horizontal bars as SVG elements (no
  // inline style, so it works under the site's CSP) for a SELECT with a numeric column.
  const NUMERIC = /#(integer|decimal|double|float|long|int|short|nonNegativeInteger|positiveInteger)$/;
  const SVG = "http://www.w3.org/2000/svg";
  const svg = (tag, attrs) => {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    return el;
  };
  class BarChart {
    constructor(yasr) { this.yasr = yasr; this.priority = 5; this.label = "Chart"; }
    columns() {
      const r = this.yasr.results;
      if (!r || r.getBoolean() !== undefined || !r.getVariables) return null;
      const vars = r.getVariables() || [], rows = r.getBindings() || [];
      if (!rows.length || rows.length > 500) return null;
      const numeric = vars.filter((v) => rows.every((b) => !b[v] || (b[v].datatype && NUMERIC.test(b[v].datatype))) && rows.some((b) => b[v]));
      if (!numeric.length) return null;
      // What names a bar: a ?xLabel beside ?x, else the first column of literals (a label,
      // a name), else the first other column; an IRI is shown by its last path segment.
      const others = vars.filter((v) => !numeric.includes(v));
      const isLiteral = (v) => rows.some((b) => b[v]) && rows.every((b) => !b[v] || b[v].type === "literal" || b[v].type === "typed-literal");
      const label = others.find((v) => /label$/i.test(v) && v.length > 5 && vars.includes(v.slice(0, -5))) ||
        others.find(isLiteral) || others[0];
      return { vars, rows, numeric, label };
    }
    canHandleResults() { return this.columns() !== null; }
    getIcon() { const i = document.createElement("span"); i.textContent = "▮"; return i; }
    draw() {
      const c = this.columns();
      const wrap = document.createElement("div"); wrap.className = "bar-chart";
      const pick = document.createElement("select"); pick.setAttribute("aria-label", "Number to chart");
      for (const v of c.numeric) pick.append(new Option(v, v));
      pick.value = this.value && c.numeric.includes(this.value) ? this.value : c.numeric[0];
      pick.addEventListener("change", () => { this.value = pick.value; this.yasr.draw(); });
      const v = pick.value;
      const lastSegment = (iri) => iri.replace(/[/#]+$/, "").split(/[/#]/).pop() || iri;
      const nameOf = (t) => (t.type === "uri" ? lastSegment(t.value) : t.value);
      const bars = c.rows.map((b, i) => ({ name: c.label && b[c.label] ? nameOf(b[c.label]) : String(i + 1), n: b[v] ? +b[v].value : 0 }));
      const max = Math.max(...bars.map((b) => Math.abs(b.n)), 1e-12);
      const rowH = 22, labelW = 260, barW = 420, h = bars.length * rowH + 10;
      const chart = svg("svg", { id: "result-chart", viewBox: `0 0 ${labelW + barW + 90} ${h}`, role: "img", "aria-label": `${v} by ${c.label || "row"}` });
      bars.forEach((b, i) => {
        const y = 5 + i * rowH;
        const t = svg("text", { x: labelW - 6, y: y + 15, "text-anchor": "end", class: "bar-label" });
        t.textContent = b.name.length > 40 ? b.name.slice(0, 39) + "…" : b.name;
        const r = svg("rect", { x: labelW, y: y + 3, height: rowH - 6, width: Math.max(1, (Math.abs(b.n) / max) * barW), class: "bar" });
        const title = svg("title"); title.textContent = `${b.name}: ${b.n}`; r.appendChild(title);
        const n = svg("text", { x: labelW + (Math.abs(b.n) / max) * barW + 4, y: y + 15, class: "bar-value" });
        n.textContent = String(b.n);
        chart.append(t, r, n);
      });
      wrap.append(pick, chart);
      this.yasr.resultsEl.appendChild(wrap);
    }
  }
  Yasgui.Yasr.registerPlugin("chart", BarChart);

  // ------------------------------------------------------------------ named queries
  function tab() { return yasgui.getTab(); }
  function text() { return tab().getYasqe().getValue(); }
  const same = (a, b) => a.replace(/\r\n/g, "\n").trim() === b.replace(/\r\n/g, "\n").trim();
  function currentNamed() {
    const q = byName.get($("named").value);
    return q && same(text(), q.text) ? q : null;
  }
  function paramValues() {
    const out = {};
    for (const input of $("params").querySelectorAll("input")) if (input.value) out[input.name] = input.value;
    return out;
  }

  const yasgui = new Yasgui($("yasgui"), {
    persistenceId: "clusterkg-query",
    populateFromUrl: false, // this page reads ?query= / ?name= itself (below)
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [] },
    requestConfig: {
      // Evaluated at every run: the named query's route with its parameters in the URL (YASGUI
      // adds query=, its own text, which that route ignores), else /sparql. (Not through
      // "args": YASGUI concatenates those with its persisted ones and cannot with a function.)
      endpoint: () => {
        const q = currentNamed();
        if (!q) return location.origin + "/sparql";
        return location.origin + "/queries/" + encodeURIComponent(q.name) + "?" + new URLSearchParams(paramValues());
      },
      method: () => (currentNamed() ? "GET" : "POST"),
      acceptHeaderGraph: "text/turtle",
      acceptHeaderSelect: "application/sparql-results+json",
    },
    // No keyboard trap (WCAG 2.1.2): Tab and Shift+Tab move the focus out of the editor, as in
    // any other field (Ctrl+] and Ctrl+[ indent; Enter keeps the indentation), and the page
    // does not put the focus in the editor when it loads.
    autofocus: false,
    yasqe: { value: DEFAULT_QUERY, autocompleters: COMPLETERS, prefixCcApi: null, resizeable: true, editorHeight: "300px" },
    yasr: { prefixes: editor.prefixes, defaultPlugin: "table", pluginOrder: ["table", "chart", "response"] },
  });

  // Accessibility (axe-core, tests/browser/test_accessibility.py): YASGUI leaves its editors'
  // text areas without a name and puts its "add tab" button inside the role=tablist, which may
  // hold only tabs. Each new tab brings a new editor, so this runs on every change of the DOM.
  function accessibleYasgui() {
    for (const area of $("yasgui").querySelectorAll("textarea:not([aria-label])")) area.setAttribute("aria-label", "SPARQL query");
    for (const list of $("yasgui").querySelectorAll("[role=tablist]")) {
      for (const button of [...list.querySelectorAll("button")]) if (!button.closest("[role=tab]")) list.after(button);
    }
  }
  accessibleYasgui();
  new MutationObserver(accessibleYasgui).observe($("yasgui"), { childList: true, subtree: true });

  function showNamed(name, values) {
    const q = byName.get(name);
    $("named-description").textContent = q ? q.description : "";
    $("params").innerHTML = "";
    if (!q) return;
    tab().getYasqe().setValue(q.text);
    for (const p of q.parameters) {
      const id = "param-" + p.name;
      const label = document.createElement("label"); label.htmlFor = id;
      label.textContent = p.name + " (" + p.type + (p.type === "iri" ? ", or a name" : "") + "): " + p.description;
      const input = document.createElement("input"); input.id = id; input.name = p.name;
      input.value = (values && values[p.name]) || p.default || "";
      input.addEventListener("input", downloads);
      if (p.type === "iri") { input.setAttribute("list", "resource-names"); input.addEventListener("input", suggest); }
      $("params").append(label, input);
    }
    downloads();
  }
  $("named").addEventListener("change", () => showNamed($("named").value));

  // Names as the user types, from the label index (/api/search); the server resolves a name
  // to its IRI when the query runs.
  let suggestTimer = null;
  function suggest(ev) {
    const value = ev.target.value.trim();
    clearTimeout(suggestTimer);
    if (value.length < 2 || /^https?:|\//.test(value)) return;
    suggestTimer = setTimeout(async () => {
      const resp = await fetch("/api/search?" + new URLSearchParams({ q: value }));
      if (!resp.ok) return;
      const body = await resp.json();
      const hits = Array.isArray(body) ? body : body.hits || body.results || [];
      $("resource-names").replaceChildren(...hits.map((h) => {
        const o = document.createElement("option");
        o.value = h.label; o.label = (h.types || []).join(", ") + " · " + (h.page || h.iri);
        return o;
      }));
    }, 150);
  }

  // ------------------------------------------------------------------ downloads
  function kind() {
    const type = tab().getYasqe().getQueryType();
    return type === "CONSTRUCT" || type === "DESCRIBE" ? "graph" : type === "ASK" ? "ask" : "select";
  }
  function resultUrl(format) {
    const q = currentNamed();
    const p = new URLSearchParams(q ? paramValues() : { query: text() });
    p.set("format", format);
    return (q ? "/queries/" + encodeURIComponent(q.name) : "/sparql") + "?" + p;
  }
  function downloads() {
    const box = $("downloads");
    box.replaceChildren("Download: ");
    editor.downloads[kind()].forEach((d, i) => {
      if (i) box.append(" · ");
      const a = document.createElement("a");
      a.id = "dl-" + d.format; a.textContent = d.label; a.href = resultUrl(d.format);
      // Same-origin links with a download attribute are saved, not shown in place of the page.
      a.download = "query-results." + d.extension;
      if (d.format === "csv") a.addEventListener("click", downloadCsv);
      box.appendChild(a);
    });
  }

  // The CSV download is built here from the JSON results with formula cells neutralised
  // (OWASP CSV injection: a leading ' before = + - @ tab CR, numbers kept), as the CLI's
  // exports do; the endpoint's own text/csv stays the raw SPARQL CSV format.
  const FORMULA = /^[=+\-@\t\r]/, NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
  function csvCell(value) {
    let s = value == null ? "" : String(value);
    if (FORMULA.test(s) && !NUMBER.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  async function downloadCsv(ev) {
    ev.preventDefault();
    $("error").hidden = true;
    try {
      const resp = await fetch(resultUrl("json"), { headers: { Accept: "application/sparql-results+json" } });
      const body = await resp.text();
      const json = resp.ok ? JSON.parse(body) : null;
      if (!json || !json.head || !json.results) { showError(resp.ok ? "CSV downloads are for SELECT queries." : body); return; }
      const vars = json.head.vars;
      const lines = [vars.map(csvCell).join(",")];
      for (const b of json.results.bindings) lines.push(vars.map((v) => csvCell(b[v] && b[v].value)).join(","));
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" }));
      a.download = "query-results.csv";
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (err) {
      showError("The download failed: " + err.message);
    }
  }

  // ------------------------------------------------------------------ errors, marked
  let marks = [];
  function clearError() {
    $("error").hidden = true; $("error").textContent = "";
    for (const m of marks) m.clear();
    marks = [];
    const cm = tab().getYasqe();
    cm.clearGutter && cm.getOption("gutters").includes("query-error") && cm.clearGutter("query-error");
  }
  function showError(body) {
    const message = String(body).replace(/^\d{3} /, "").replace(/\(request id [^)]*\)\s*$/, "").trim();
    const m = /\(line (\d+), column (\d+)\)/.exec(message);
    $("error").hidden = false;
    $("error").textContent = (m ? `Error at line ${m[1]}, column ${m[2]}: ` : "Error: ") + message.replace(/\s*\(line \d+, column \d+\)/, "");
    if (m) markError(+m[1], +m[2]);
  }
  function markError(line, column) {
    const cm = tab().getYasqe();
    const from = { line: line - 1, ch: column - 1 };
    const lineText = cm.getLine(from.line) || "";
    const word = /^[^\s(){},;.]+|^./.exec(lineText.slice(from.ch));
    const to = { line: from.line, ch: Math.min(lineText.length, from.ch + (word ? word[0].length : 1)) };
    if (to.ch <= from.ch) { from.ch = Math.max(0, lineText.length - 1); to.ch = lineText.length; }
    marks.push(cm.markText(from, to, { className: "query-error-mark", attributes: { title: $("error").textContent } }));
    marks.push(cm.addLineClass ? { clear: ((l) => () => cm.removeLineClass(l, "background", "query-error-line"))(cm.addLineClass(from.line, "background", "query-error-line")) } : { clear() {} });
    cm.focus(); cm.setCursor(from);
  }

  // ------------------------------------------------------------------ running, history, URL
  function history_() { try { return JSON.parse(localStorage.getItem(HISTORY_KEY)) || []; } catch (e) { return []; } }
  function remember(entry) {
    const list = [entry, ...history_().filter((h) => h.query !== entry.query || h.name !== entry.name)].slice(0, HISTORY_SIZE);
    localStorage.setItem(HISTORY_KEY, JSON.stringify(list));
    drawHistory();
  }
  function drawHistory() {
    const sel = $("history");
    sel.replaceChildren(sel.options[0]);
    history_().forEach((h, i) => {
      const first = (h.name ? h.name + ": " : "") + h.query.replace(/^(\s*(PREFIX|BASE)[^\n]*\n)+/i, "").replace(/\s+/g, " ").trim();
      sel.append(new Option(first.slice(0, 90), String(i)));
    });
  }
  $("history").addEventListener("change", () => {
    const h = history_()[+$("history").value];
    $("history").value = "";
    if (!h) return;
    if (h.name && byName.has(h.name)) { $("named").value = h.name; showNamed(h.name, h.params); }
    else { $("named").value = ""; showNamed(""); tab().getYasqe().setValue(h.query); }
  });

  function saveUrl() {
    const q = currentNamed();
    const p = new URLSearchParams(q ? { name: q.name, ...paramValues() } : { query: text() });
    history.replaceState(null, "", "/query?" + p);
  }
  // Times: the server's part is YASQE's own measure (request sent to body read: the round
  // trip), the rest is drawing in this page; a result cut at a limit says so (the server's
  // X-Clusterkg-Truncated, -Row-Limit and -Byte-Limit headers).
  let started = 0, answer = null;
  const n_ = (n) => Number(n).toLocaleString("en");
  yasgui.on("queryBefore", () => {
    clearError(); $("meta").textContent = ""; $("truncated").hidden = true; $("progress").textContent = "Running…";
    started = performance.now(); answer = null; saveUrl(); hookEditor(tab().getYasqe());
    const q = currentNamed();
    remember({ query: text(), name: q ? q.name : null, params: q ? paramValues() : null });
  });
  yasgui.on("queryResponse", (_, t) => setTimeout(() => afterResponse(t), 0));
  function timing() {
    const total = Math.round(performance.now() - started);
    const server = answer ? Math.round(answer.ms) : total;
    return `in ${server} ms (server round trip) · drawn in ${Math.max(0, total - server)} ms`;
  }
  function truncation(count, noun) {
    const h = answer && answer.headers;
    const box = $("truncated");
    if (!h || !h.get || h.get("X-Clusterkg-Truncated") !== "true") { box.hidden = true; return; }
    const bytes = h.get("X-Clusterkg-Byte-Limit"), rows = h.get("X-Clusterkg-Row-Limit");
    box.textContent = bytes
      ? `First ${n_(count)} ${noun}; the result was cut at the byte limit (${n_(bytes)} bytes per result): it has more.`
      : `First ${n_(count)} ${noun}; the result was cut at the row limit (${n_(rows)} ${noun} per result): it has more.`;
    const more = document.createElement("a"); more.href = "/sparql/limits"; more.textContent = "the limits";
    box.append(" See ", more, "; narrow the query down (LIMIT, FILTER) or download it in parts (OFFSET).");
    box.hidden = false;
  }
  function afterResponse(t) {
    $("progress").textContent = "";
    const results = t.getYasr().results;
    if (!results) return;
    if (results.hasError()) { const e = results.getError(); showError(e.text || e.statusText || "the query failed"); return; }
    if (results.getBoolean() !== undefined) { $("meta").textContent = `ASK: ${results.getBoolean()} (${timing()})`; return; }
    if (kind() === "graph") {
      const n = results.getStatements ? results.getStatements().length : 0;
      $("meta").replaceChildren(`${n_(n)} triple${n === 1 ? "" : "s"} ${timing()} · `);
      const a = document.createElement("a");
      a.href = "/graph?view=query&query=" + encodeURIComponent(text()); a.textContent = "view as graph";
      $("meta").appendChild(a);
      truncation(n, "triples");
      return;
    }
    const rows = results.getBindings().length;
    $("meta").textContent = `${n_(rows)} row${rows === 1 ? "" : "s"} ${timing()}`;
    $("meta").dataset.rows = rows;
    truncation(rows, "rows");
  }

  // Result links: clusterkg IRIs open their page on this site, other http(s) IRIs themselves;
  // any other IRI (javascript:, data:) is text. The table is redrawn on every page and sort,
  // so links are rewritten as they appear.
  const LOCAL = "https://w3id.org/clusterkg/id/";
  function fixLinks(root) {
    for (const a of root.querySelectorAll("a.iri, .yasr_results a[href]")) {
      const href = a.getAttribute("href") || "";
      if (href.startsWith(LOCAL)) { a.setAttribute("href", "/id/" + href.slice(LOCAL.length)); a.removeAttribute("target"); }
      else if (!/^https?:\/\//i.test(href) && !href.startsWith("/")) a.replaceWith(document.createTextNode(a.textContent));
    }
    // The shown tab's table is #result-table (other tabs keep theirs, hidden, without id).
    const shown = tab() && tab().getYasr() ? tab().getYasr().rootEl : null;
    for (const table of root.querySelectorAll(".yasr_results table.dataTable")) {
      const id = shown && shown.contains(table) ? "result-table" : "";
      if (table.id !== id) table.id = id;
      // DataTables' pager names the table it controls by the id it gave it: follow the rename
      // (an aria-controls naming no element is invalid ARIA; a hidden tab's table has none).
      const wrapper = table.closest(".yasr") || table.parentElement;  // one table per tab
      for (const el of wrapper.querySelectorAll("[aria-controls]")) {
        if (!id) el.removeAttribute("aria-controls");
        else if (el.getAttribute("aria-controls") !== id) el.setAttribute("aria-controls", id);
      }
    }
    // YASR's "rows per page" select has no name of its own.
    for (const sel of root.querySelectorAll("select.tableSizer:not([aria-label])")) sel.setAttribute("aria-label", "Rows per page");
  }
  new MutationObserver(() => fixLinks($("yasgui"))).observe($("yasgui"), { childList: true, subtree: true });

  // A refused query rejects the run's promise; the page shows that error itself (above).
  const runQuery = () => tab().query().catch(() => {});
  $("qform").addEventListener("submit", (ev) => { ev.preventDefault(); runQuery(); });
  // Each tab has its own editor: the download links follow the one shown.
  const hooked = new WeakSet();
  function hookEditor(y) {
    if (!y || hooked.has(y)) return;
    hooked.add(y);
    // (no keyboard trap, above) false: CodeMirror leaves these keys to the browser.
    y.setOption("extraKeys", { ...(y.getOption("extraKeys") || {}), Tab: false, "Shift-Tab": false });
    y.on("change", downloads);
    y.on("queryResponse", (_y, response, ms) => { answer = { ms, headers: response && response.headers }; });
  }
  function followEditor() {
    hookEditor(tab().getYasqe());
    downloads();
  }
  yasgui.on("tabSelect", () => setTimeout(() => { followEditor(); fixLinks($("yasgui")); }, 0));

  // A shared link: ?query=... or ?name=...&params (also in the hash, as YASGUI shares them).
  const p = new URLSearchParams(location.search || location.hash.slice(1));
  if (p.get("name") && byName.has(p.get("name"))) {
    $("named").value = p.get("name");
    showNamed(p.get("name"), Object.fromEntries(p));
    runQuery();
  } else if (p.get("query")) {
    if (!same(text(), p.get("query")) && !same(text(), DEFAULT_QUERY)) yasgui.addTab(true);
    tab().getYasqe().setValue(p.get("query"));
    runQuery();
  }
  drawHistory(); followEditor();
})();
