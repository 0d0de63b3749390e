// The query page: an editor with line numbers; runs through /sparql or /queries/<name>;
// shows tables with resource links and paging, CONSTRUCT as Turtle, errors with line/column.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const named = JSON.parse($("named-data").textContent);
  const byName = new Map(named.map((q) => [q.name, q]));
  const ta = $("query");
  let rows = [], vars = [], page = 0;

  function gutter() {
    const n = ta.value.split("\n").length;
    $("gutter").textContent = Array.from({ length: n }, (_, i) => i + 1).join("\n");
    $("gutter").scrollTop = ta.scrollTop;
  }
  ta.addEventListener("input", () => { gutter(); downloads(); });
  ta.addEventListener("scroll", () => { $("gutter").scrollTop = ta.scrollTop; });
  ta.addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); run(); }
  });

  function currentNamed() {
    const q = byName.get($("named").value);
    return q && ta.value === q.text ? q : null;
  }
  function paramValues() {
    const out = {};
    for (const input of $("params").querySelectorAll("input")) if (input.value) out[input.name] = input.value;
    return out;
  }
  function showNamed(name, values) {
    const q = byName.get(name);
    $("named-description").textContent = q ? q.description : "";
    $("params").innerHTML = "";
    if (!q) return;
    ta.value = q.text; gutter();
    for (const p of q.parameters) {
      const id = "param-" + p.name;
      const label = document.createElement("label"); label.htmlFor = id;
      label.textContent = p.name + " (" + p.type + "): " + p.description;
      const input = document.createElement("input"); input.id = id; input.name = p.name;
      input.value = (values && values[p.name]) || p.default || "";
      input.addEventListener("input", downloads);
      $("params").append(label, input);
    }
    downloads();
  }
  $("named").addEventListener("change", () => showNamed($("named").value));

  function downloads() {
    const q = currentNamed();
    for (const f of ["csv", "json", "turtle"]) {
      const p = new URLSearchParams(q ? paramValues() : { query: ta.value });
      p.set("format", f);
      $("dl-" + f).href = (q ? "/queries/" + encodeURIComponent(q.name) : "/sparql") + "?" + p;
    }
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
    const url = new URL($("dl-csv").href);
    url.searchParams.set("format", "json");
    $("error").hidden = true;
    try {
      const resp = await fetch(url, { headers: { Accept: "application/sparql-results+json" } });
      const text = await resp.text();
      const json = resp.ok ? JSON.parse(text) : null;
      if (!json || !json.head || !json.results) {
        $("error").hidden = false;
        $("error").textContent = resp.ok ? "CSV downloads are for SELECT queries." : "Error:\n" + text.trim();
        return;
      }
      const vars = json.head.vars;
      const lines = [vars.map(csvCell).join(",")];
      for (const b of json.results.bindings) lines.push(vars.map((v) => csvCell(b[v] && b[v].value)).join(","));
      const a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" }));
      a.download = "query-results.csv";
      document.body.appendChild(a); a.click(); a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    } catch (err) {
      $("error").hidden = false; $("error").textContent = "The download failed: " + err.message;
    }
  }
  $("dl-csv").addEventListener("click", downloadCsv);

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    // Only http(s) IRIs become links: a javascript: or data: IRI in a result is text.
    if (term.type === "uri" && /^https?:\/\//i.test(term.value)) {
      const a = document.createElement("a");
      const local = term.value.startsWith("https://w3id.org/clusterkg/id/");
      a.href = local ? term.value.replace("https://w3id.org/clusterkg", "") : term.value;
      a.textContent = local ? term.value.slice(30) : term.value;
      td.appendChild(a);
    } else {
      td.textContent = term.value;
      if (term.datatype && /#(integer|decimal|double|float)$/.test(term.datatype)) td.className = "num";
    }
    return td;
  }

  function renderPage() {
    const size = +$("page-size").value;
    const pages = Math.max(1, Math.ceil(rows.length / size));
    page = Math.min(page, pages - 1);
    const table = document.createElement("table"); table.id = "result-table";
    const head = table.createTHead().insertRow();
    for (const v of vars) { const th = document.createElement("th"); th.scope = "col"; th.textContent = v; head.appendChild(th); }
    const body = table.createTBody();
    for (const r of rows.slice(page * size, (page + 1) * size)) {
      const tr = body.insertRow();
      for (const v of vars) tr.appendChild(cell(r[v]));
    }
    $("results").innerHTML = ""; $("results").appendChild(table);
    $("pager").hidden = pages <= 1;
    $("pageinfo").textContent = `page ${page + 1} of ${pages}`;
    $("prev").disabled = page === 0; $("next").disabled = page >= pages - 1;
  }
  $("prev").addEventListener("click", () => { page--; renderPage(); });
  $("next").addEventListener("click", () => { page++; renderPage(); });
  $("page-size").addEventListener("change", () => { page = 0; if (vars.length) renderPage(); });

  function saveUrl() {
    const q = currentNamed();
    const p = new URLSearchParams(q ? { name: q.name, ...paramValues() } : { query: ta.value });
    history.replaceState(null, "", "/query?" + p);
  }

  async function run() {
    $("error").hidden = true; $("meta").textContent = ""; $("results").innerHTML = ""; $("pager").hidden = true;
    $("progress").textContent = "Running…";
    const q = currentNamed();
    saveUrl();
    const accept = "application/sparql-results+json, text/turtle;q=0.9";
    const started = performance.now();
    let resp;
    try {
      if (q) {
        resp = await fetch("/queries/" + encodeURIComponent(q.name) + "?" + new URLSearchParams(paramValues()), { headers: { Accept: accept } });
      } else {
        resp = await fetch("/sparql", { method: "POST", headers: { Accept: accept, "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ query: ta.value }) });
      }
      const ms = Math.round(performance.now() - started);
      const type = resp.headers.get("Content-Type") || "";
      if (!resp.ok) {
        const text = await resp.text();
        const m = /line (\d+)[, ]+column (\d+)/i.exec(text);
        $("error").hidden = false;
        $("error").textContent = (m ? `Error at line ${m[1]}, column ${m[2]}:\n` : "Error:\n") + text.replace(/\(request id [^)]*\)\s*$/, "").trim();
        if (m) markError(+m[1], +m[2]);
        return;
      }
      if (type.includes("turtle")) {
        const text = await resp.text();
        const pre = document.createElement("pre"); pre.id = "turtle"; pre.textContent = text;
        const triples = (text.match(/ \.\s*$/gm) || []).length;
        $("meta").innerHTML = "";
        $("meta").append(`CONSTRUCT result in ${ms} ms · `);
        const a = document.createElement("a");
        a.href = "/graph?view=query&query=" + encodeURIComponent(ta.value); a.textContent = "view as graph";
        $("meta").appendChild(a);
        $("results").appendChild(pre);
        return;
      }
      const json = await resp.json();
      if ("boolean" in json) { $("meta").textContent = `ASK: ${json.boolean} (${ms} ms)`; return; }
      vars = json.head.vars; rows = json.results.bindings; page = 0;
      const truncated = resp.headers.get("X-Clusterkg-Truncated") === "true";
      $("meta").textContent = `${rows.length} row${rows.length === 1 ? "" : "s"} in ${ms} ms` + (truncated ? " (truncated at the server's row limit)" : "");
      $("meta").dataset.rows = rows.length;
      renderPage();
    } catch (err) {
      $("error").hidden = false; $("error").textContent = "The request failed: " + err.message;
    } finally {
      $("progress").textContent = "";
    }
  }
  function markError(line, col) {
    const lines = ta.value.split("\n");
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
    pos += Math.max(0, col - 1);
    ta.focus(); ta.setSelectionRange(pos, Math.min(ta.value.length, pos + 1));
  }
  $("qform").addEventListener("submit", (ev) => { ev.preventDefault(); run(); });

  const p = new URLSearchParams(location.search);
  if (p.get("name") && byName.has(p.get("name"))) {
    $("named").value = p.get("name");
    showNamed(p.get("name"), Object.fromEntries(p));
    run();
  } else if (p.get("query")) {
    ta.value = p.get("query"); run();
  }
  gutter(); downloads();
})();
