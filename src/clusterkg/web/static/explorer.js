// The graph explorer: draws a server-computed view (/api/graph) as SVG, or on a canvas above
// CANVAS_ABOVE elements, and keeps every choice in the URL so a view can be shared.
"use strict";
(function () {
  const CANVAS_ABOVE = 4000;
  const W = 1000, H = 1000; // the layout's unit square is drawn in this frame
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
    "#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173", "#005f73", "#ae2012", "#6a994e", "#3d405b", "#bb3e03", "#0a9396"];
  const $ = (id) => document.getElementById(id);
  // Only site paths and http(s) IRIs become links: a javascript: or data: IRI in the data is text.
  const webLink = (v) => (typeof v === "string" && ((v.startsWith("/") && !/^\/[\/\\]/.test(v)) || /^https?:\/\//i.test(v)) ? v : null);
  const HINT = "Click a node for its facts; shift-click or Space to select several for a failure scenario.";
  // fail / failregion: firms (IRIs, comma-separated) or a region whose failure the page
  // simulates as soon as the view is drawn, so a scenario can be linked to.
  const STATE_KEYS = ["view", "cluster", "node", "hops", "layout", "size", "colour",
    "kind", "fcluster", "sector", "region", "sel", "fail", "failregion", "query"];
  const TARGET = 24; // the smallest click target, in CSS pixels (WCAG 2.2, 2.5.8)
  const narrow = () => window.matchMedia("(max-width: 60rem)").matches;
  let outlines = null;
  let data = null, byId = new Map(), transform = { x: 0, y: 0, k: 1 };
  // Regions that locate something (IRI -> label), for the Region filter and scenarios.
  let allRegions = {};
  let selected = new Set(), scenario = null, svg = null, canvas = null, focusId = null;

  function params() {
    const p = new URLSearchParams(location.search);
    const s = {};
    for (const k of STATE_KEYS) s[k] = p.get(k) || "";
    if (!s.view) s.view = s.node && !s.cluster ? "neighbourhood" : (s.cluster ? "cluster" : "overview");
    s.layout = s.view === "map" ? "geo" : (s.layout || (s.view === "synthetic" ? "tiered" : "force"));
    s.hops = s.hops || "1";
    s.colour = s.colour || "kind";
    return s;
  }
  let state = params();

  function saveState(push) {
    const p = new URLSearchParams();
    for (const k of STATE_KEYS) if (state[k]) p.set(k, state[k]);
    const url = location.pathname + "?" + p.toString();
    if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
  }

  function apiQuery() {
    const p = new URLSearchParams({ view: state.view, layout: state.layout, hops: state.hops });
    if (state.view === "cluster" || state.view === "synthetic") p.set("cluster", state.cluster || $("cluster").value);
    if (state.view === "neighbourhood") p.set("node", state.node);
    // "view as graph" on the query page: the CONSTRUCT query travels with the view.
    if (state.view === "query") p.set("query", state.query);
    return p.toString();
  }

  function progress(text) {
    $("progress").hidden = !text;
    if (text) $("progress-text").textContent = text;
  }

  function syncControls() {
    for (const [id, key] of [["view", "view"], ["hops", "hops"], ["layout", "layout"], ["size", "size"],
      ["colour", "colour"], ["f-kind", "kind"], ["f-cluster", "fcluster"], ["f-sector", "sector"], ["f-region", "region"]]) {
      if (state[key] !== undefined) $(id).value = state[key];
    }
    if (state.cluster) $("cluster").value = state.cluster;
    $("cluster").disabled = !(state.view === "cluster" || state.view === "synthetic");
    $("hops").disabled = state.view !== "neighbourhood";
    $("layout").disabled = state.view === "map";
    // The query view exists only with a query (from the query page's "view as graph").
    $("view-query").disabled = $("view-query").hidden = !state.query;
  }

  // The province outlines of the map view, fetched once (the server caches them too).
  async function loadOutlines() {
    if (outlines) return outlines;
    const resp = await fetch("/api/map/outlines", { headers: { Accept: "application/json" } });
    const body = await resp.json();
    if (!resp.ok) throw new Error(body.error || resp.statusText);
    outlines = body;
    return outlines;
  }

  async function load() {
    syncControls();
    if (state.view === "neighbourhood" && !state.node) {
      $("view-title").textContent = "Choose a node: search for it, or click one in another view";
      return;
    }
    progress(state.view === "synthetic" ? "Generating and laying out the synthetic network (may take a while the first time)…" : "Computing layout…");
    try {
      const resp = await fetch("/api/graph?" + apiQuery(), { headers: { Accept: "application/json" } });
      const body = await resp.json();
      if (!resp.ok) throw new Error(body.error || resp.statusText);
      if (body.view === "map") await loadOutlines();
      await regionsReady;
      data = body;
      byId = new Map(data.nodes.map((n) => [n.id, n]));
      fillFilters();
      syncControls();
      draw();
      updateExports();
      if (state.sel && byId.has(state.sel)) selectNode(state.sel, false);
      if (state.fail || state.failregion) {
        for (const id of (state.fail || "").split(",")) if (byId.has(id)) selected.add(id);
        await simulate();
      }
    } catch (err) {
      $("view-title").textContent = "Could not load this view: " + err.message;
    } finally {
      progress("");
    }
  }

  function fillFilters() {
    const labels = data.labels || {};
    const opts = (id, values, label) => {
      const sel = $(id), keep = sel.value;
      sel.length = 1;
      for (const v of [...values].sort((a, b) => label(a).localeCompare(label(b)))) {
        const o = document.createElement("option");
        o.value = v; o.textContent = label(v); sel.appendChild(o);
      }
      sel.value = keep;
    };
    const short = (iri) => labels[iri] || iri.split("/").pop();
    opts("f-kind", new Set(data.nodes.map((n) => n.kind)), (v) => v);
    opts("f-cluster", new Set(data.nodes.flatMap((n) => n.clusters)), short);
    opts("f-sector", new Set(data.nodes.flatMap((n) => n.sectors)), short);
    // Every region that locates something, not only those of the drawn nodes: a region the
    // curated links do not reach (Yibin) can still be chosen, and the scenario says so.
    const regionName = (iri) => allRegions[iri] || short(iri);
    opts("f-region", new Set([...data.nodes.flatMap((n) => n.within), ...Object.keys(allRegions)]), regionName);
  }

  // Fetched once, before the first drawing: filling the Region list later would widen the
  // controls after the labels were placed.
  const regionsReady = fetch("/api/regions", { headers: { Accept: "application/json" } })
    .then((resp) => (resp.ok ? resp.json() : { regions: [] }))
    .then((r) => { allRegions = Object.fromEntries((r.regions || []).map((x) => [x.iri, x.label])); })
    .catch(() => {});

  function visible(n) {
    if (state.kind && n.kind !== state.kind) return false;
    if (state.fcluster && !n.clusters.includes(state.fcluster)) return false;
    if (state.sector && !n.sectors.includes(state.sector)) return false;
    if (state.region && !n.within.includes(state.region)) return false;
    return true;
  }

  const colourKeys = new Map();
  function colourOf(n) {
    const key = state.colour === "cluster" ? (n.cluster || "none")
      : state.colour === "community" ? "c" + n.community : n.kind;
    if (!colourKeys.has(key)) colourKeys.set(key, PALETTE[colourKeys.size % PALETTE.length]);
    return colourKeys.get(key);
  }
  function legendLabel(key) {
    if (state.colour === "cluster") return key === "none" ? "no cluster" : ((data.labels || {})[key] || key.split("/").pop());
    if (state.colour === "community") return "community " + key.slice(1);
    return key;
  }
  // In CSS pixels: nodes keep their size on screen whatever the zoom (see placeNodes).
  function radius(n) {
    const base = data.nodes.length > 500 ? 3 : 6;
    if (!state.size) return n.kind === "IndustrialCluster" ? base * 1.8 : base;
    return base * 0.6 + base * 2.4 * Math.sqrt(n.size[state.size] || 0);
  }

  const NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, parent) {
    const e = document.createElementNS(NS, name);
    for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }

  function draw() {
    colourKeys.clear();
    const stage = $("stage");
    stage.innerHTML = "";
    svg = canvas = null;
    $("synthetic-banner").hidden = !data.synthetic;
    if (data.nodes.length + data.edges.length > CANVAS_ABOVE) drawCanvas(stage); else drawSvg(stage);
    // A canvas has no vector form: its SVG button goes rather than failing when pressed.
    $("export-svg").hidden = !!canvas;
    const attribution = $("map-attribution");
    attribution.hidden = !(data.view === "map" && outlines);
    if (!attribution.hidden) {
      const a = outlines.attribution;
      attribution.textContent = "Province outlines: " + a.package + " " + a.version + " (" + a.licence + " licence, " +
        a.copyright + "), " + a.origin + "; " + outlines.projection + ". ";
      const link = document.createElement("a"); link.href = a.url; link.textContent = a.url;
      attribution.appendChild(link);
    }
    // The map puts nodes without coordinates in rows below the frame: they are listed apart,
    // in words, and their strip is labelled in the drawing (drawSvg), not left as dots at sea.
    const unlocated = $("map-unlocated");
    const off = data.view === "map" ? data.nodes.filter(unlocatedNode) : [];
    unlocated.hidden = !off.length;
    unlocated.innerHTML = "";
    if (off.length) {
      const head = document.createElement("p");
      head.textContent = `Not located in the sources (${off.length}; drawn in the strip below the map):`;
      const list = document.createElement("ul");
      for (const label of off.map((n) => n.label).sort()) {
        const li = document.createElement("li"); li.textContent = label; list.appendChild(li);
      }
      unlocated.append(head, list);
    }
    drawLegend();
    applyTransform();
    updateTitle();
  }
  const unlocatedNode = (n) => n.lat === null || n.lat === undefined || n.long === null || n.long === undefined;

  // The title and its counts describe what is shown: with a filter on, the nodes and links
  // left visible, and the filter.
  function updateTitle() {
    const shown = data.nodes.filter(visible);
    const ids = new Set(shown.map((n) => n.id));
    const links = data.edges.filter((e) => ids.has(e.source) && ids.has(e.target)).length;
    const labels = data.labels || {};
    const name = (iri) => labels[iri] || iri.split("/").pop();
    const filters = [state.kind && "class " + state.kind, state.fcluster && "cluster " + name(state.fcluster),
      state.sector && "sector " + name(state.sector), state.region && "region " + name(state.region)].filter(Boolean);
    const counts = filters.length
      ? `${shown.length} of ${data.nodes.length} nodes, ${links} of ${data.edges.length} links; filtered by ${filters.join(", ")}`
      : `${data.nodes.length} nodes, ${data.edges.length} links`;
    $("view-title").textContent = data.title + " (" + counts + ")";
    if (svg) svg.setAttribute("aria-label", $("view-title").textContent);
  }

  // Pixels per frame unit at zoom 1 (the SVG keeps its aspect ratio: "meet").
  function pxPerUnit() {
    const r = $("stage").getBoundingClientRect();
    return Math.max(Math.min(r.width, r.height), 1) / W;
  }
  // Nodes are drawn in CSS pixels at their frame position: the circle, its label and a
  // click target of at least TARGET pixels keep their size on screen at every zoom.
  function placeNode(n, u) {
    const t = `translate(${n.x * W},${n.y * H}) scale(${u})`;
    n.el.setAttribute("transform", t);
    n.hitEl.setAttribute("transform", t);
    if (n.lab) { n.lab.setAttribute("transform", t); fitLabel(n); }
  }
  function placeNodes() {
    if (!svg) return;
    const u = 1 / (pxPerUnit() * transform.k);
    for (const n of data.nodes) placeNode(n, u);
    // Labels that would overlap a more important one (clusters, then bigger nodes), or run
    // under another node's dot (dots lie above labels, so the text would be cut), wait for a
    // closer zoom; the tooltip still names every node. Cluster labels only give way to each
    // other: they are the map's orientation.
    const placed = [];
    const over = (b, p) => b.l < p.r && b.r > p.l && b.t < p.b && b.b > p.t;
    const shown = data.nodes.filter(visible);
    const box = svg.getBoundingClientRect();
    const dots = shown.map((m) => {
      const [sx, sy] = screenXY(m, box), r = radius(m);
      return { id: m.id, l: sx - r, r: sx + r, t: sy - r, b: sy + r };
    });
    const rank = (n) => (n.kind === "IndustrialCluster" ? 0 : 1) * 10 + (1 - radius(n) / 20);
    const cost = (n) => {
      const b = n.labBox;
      if (!b || !n.labFits) return Infinity;
      const labels = placed.some((p) => over(b, p)) ? 1000 : 0;
      return labels + dots.filter((d) => d.id !== n.id && over(b, d)).length;
    };
    for (const n of shown.filter((m) => m.lab).sort((a, b) => rank(a) - rank(b))) {
      let c = cost(n);
      if (c > 0) {
        // The other side of the node may be clear (or clearer): keep whichever is better.
        const first = n.labOnLeft;
        fitLabel(n, !first);
        const other = cost(n);
        if (other >= c) fitLabel(n, first); else c = other;
      }
      const crowded = n.kind === "IndustrialCluster" ? c >= 1000 : c > 0;  // Infinity: no fit
      n.lab.classList.toggle("crowded", crowded);
      if (!crowded) placed.push(n.labBox);
    }
  }
  // A node's centre in the drawing's CSS pixels (the SVG box ``box``), at the current zoom.
  function screenXY(n, box) {
    const s = Math.min(box.width, box.height) / W;
    return [(box.width - W * s) / 2 + s * (transform.x + transform.k * n.x * W),
      (box.height - H * s) / 2 + s * (transform.y + transform.k * n.y * H)];
  }
  // A label goes on the side of its node with more room in the drawing, shortened (…) when
  // even that side is too narrow, so that no label is cut off at an edge.
  const CHAR_PX = 7.2; // 12px sans-serif, about 0.6em a character
  // ``side`` (true: left) overrides the choice, for a label moved off other nodes' dots.
  function fitLabel(n, side) {
    const box = svg.getBoundingClientRect(), [sx, sy] = screenXY(n, box);
    const r = radius(n), pad = r + 4;
    const right = box.width - sx - pad, left = sx - pad;
    const onLeft = side === undefined ? left > right && n.fullLabel.length * CHAR_PX > right : side;
    const room = Math.max(onLeft ? left : right, 0);
    let text = n.fullLabel;
    if (text.length * CHAR_PX > room) text = text.slice(0, Math.max(Math.floor(room / CHAR_PX) - 1, 1)) + "…";
    const [rect, label] = n.lab.children;
    label.textContent = text;
    // The estimate above, checked against the rendered width (fonts differ, and may arrive
    // after the first paint): shorten until the label fits its side.
    const measured = () => (label.getComputedTextLength ? label.getComputedTextLength() : 0) || text.length * CHAR_PX;
    for (let i = 0; i < 40 && text.length > 2 && measured() > room; i++) {
      text = text.replace(/…$/, "").slice(0, -1) + "…";
      label.textContent = text;
    }
    const width = Math.max(measured(), 1);
    // A label that cannot fit its side, or only as a stub of a letter or two, is no label.
    n.labFits = width <= room && (text === n.fullLabel || text.length >= 4);
    label.setAttribute("x", onLeft ? -(r + 3) : r + 3);
    label.setAttribute("text-anchor", onLeft ? "end" : "start");
    rect.setAttribute("x", onLeft ? -(r + 3 + width) : r + 2);
    rect.setAttribute("width", width);
    // Its box in the drawing's pixels (the glyph's own height, not the click target's).
    n.labOnLeft = onLeft;
    n.labBox = { l: onLeft ? sx - r - 3 - width : sx + r + 2, r: onLeft ? sx - r - 3 : sx + r + 2 + width, t: sy - 8, b: sy + 8 };
  }

  function drawSvg(stage) {
    svg = el("svg", { id: "graph-svg", viewBox: `0 0 ${W} ${H}`, role: "group",
      "aria-label": data.title, "data-nodes": data.nodes.length }, stage);
    el("defs", {}, svg).innerHTML = '<marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#888"/></marker>';
    el("rect", { x: 0, y: 0, width: W, height: H, fill: "#fff", class: "bg" }, svg);
    const vp = el("g", { id: "viewport" }, svg);
    if (data.view === "map" && outlines) {
      const gp = el("g", { class: "provinces", "aria-hidden": "true" }, vp);
      for (const p of outlines.provinces) {
        const path = el("path", { d: p.d, class: "province", transform: `scale(${W})`, "data-name": p.name }, gp);
        el("title", {}, path).textContent = p.name;
      }
    }
    // Labels (with their click targets) lie under all the nodes: a long label never takes
    // a click meant for another node's dot.
    // and the 24 px click targets lie under the dots, so a dot is never hidden by a
    // neighbour's target.
    const off = data.view === "map" ? data.nodes.filter(unlocatedNode) : [];
    if (off.length) {
      const top = Math.min(...off.map((n) => n.y)) - 0.035, bottom = Math.max(...off.map((n) => n.y)) + 0.025;
      const strip = el("g", { class: "unlocated-strip", "aria-hidden": "true" }, vp);
      el("rect", { x: 0, y: top * H, width: W, height: (bottom - top) * H, class: "strip" }, strip);
      el("text", { x: 8, y: top * H + 14, class: "strip-label" }, strip).textContent = "Not located in the sources (no coordinates): placed here, not on the map";
    }
    const ge = el("g", { class: "edges" }, vp), gl = el("g", { class: "labels" }, vp);
    const gh = el("g", { class: "hits" }, vp), gn = el("g", { class: "nodes" }, vp);
    const showLabels = data.nodes.length <= 150;
    for (const e of data.edges) {
      const s = byId.get(e.source), t = byId.get(e.target);
      const toOff = data.view === "map" && (unlocatedNode(s) || unlocatedNode(t));
      e.el = el("line", { x1: s.x * W, y1: s.y * H, x2: t.x * W, y2: t.y * H, class: "edge" + (toOff ? " to-unlocated" : "") }, ge);
      if (data.directed) e.el.setAttribute("marker-end", "url(#arrow)");
    }
    for (const n of data.nodes) {
      const g = el("g", { class: "node" + (n.oem ? " oem" : "") + (n.synthetic ? " synthetic-node" : ""),
        tabindex: 0, role: "button", "aria-label": n.label + " (" + n.kind + ")", "data-id": n.id, "data-label": n.label }, gn);
      const r = radius(n);
      // The click target: a circle of TARGET pixels, and the label's box when it has one.
      const hit = el("g", { class: "node-hit", "data-id": n.id, "aria-hidden": "true" }, gh);
      el("circle", { r: Math.max(r, TARGET / 2), class: "hit" }, hit);
      n.hitEl = hit;
      el("circle", { r, fill: colourOf(n), class: "dot" }, g);
      n.lab = null;
      if (showLabels || n.kind === "IndustrialCluster") {
        n.fullLabel = n.label.length > 28 ? n.label.slice(0, 26) + "…" : n.label;
        const lab = el("g", { class: "node-label", "data-id": n.id, "aria-hidden": "true" }, gl);
        el("rect", { y: -TARGET / 2, height: TARGET, class: "hit" }, lab);
        el("text", { y: 4, class: "label" }, lab);
        lab.addEventListener("pointerenter", () => tooltip(n));
        lab.addEventListener("pointerleave", () => tooltip(null));
        lab.addEventListener("pointerdown", (ev) => ev.stopPropagation());
        lab.addEventListener("click", (ev) => { if (ev.shiftKey) toggleScenario(n.id); else selectNode(n.id, true); });
        n.lab = lab;
      }
      n.el = g;
      g.addEventListener("pointerenter", () => tooltip(n));
      g.addEventListener("pointerleave", () => tooltip(null));
      g.addEventListener("focus", () => { focusId = n.id; tooltip(n); });
      g.addEventListener("blur", () => tooltip(null));
      g.addEventListener("keydown", (ev) => {
        if (ev.key === "Enter") { selectNode(n.id, true); ev.preventDefault(); }
        if (ev.key === " ") { toggleScenario(n.id); ev.preventDefault(); }
      });
      nodeDrag(g, n);
      nodeDrag(hit, n);
      hit.addEventListener("pointerenter", () => tooltip(n));
      hit.addEventListener("pointerleave", () => tooltip(null));
    }
    applyFilters();
    panZoom(svg);
  }

  function drawCanvas(stage) {
    canvas = document.createElement("canvas");
    canvas.id = "graph-canvas";
    canvas.width = stage.clientWidth * devicePixelRatio;
    canvas.height = stage.clientHeight * devicePixelRatio;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", data.title + ": " + data.nodes.length + " nodes (canvas; use search to reach a node)");
    stage.appendChild(canvas);
    panZoom(canvas);
    canvas.addEventListener("click", (ev) => {
      const n = nodeAt(ev);
      if (n) { if (ev.shiftKey) toggleScenario(n.id); else selectNode(n.id, true); }
    });
    canvas.addEventListener("pointermove", (ev) => tooltip(nodeAt(ev)));
  }

  function canvasScale(target = canvas) {
    const s = Math.min(target.width, target.height) / W;
    return { s, ox: (target.width - W * s) / 2, oy: (target.height - H * s) / 2 };
  }
  function nodeAt(ev) {
    const r = canvas.getBoundingClientRect(), { s, ox, oy } = canvasScale();
    const px = ((ev.clientX - r.left) * devicePixelRatio - ox) / s, py = ((ev.clientY - r.top) * devicePixelRatio - oy) / s;
    const x = (px - transform.x) / transform.k, y = (py - transform.y) / transform.k;
    // TARGET/2 CSS pixels around a node, in frame units.
    let best = null, bd = (TARGET / 2) * devicePixelRatio / (s * transform.k);
    for (const n of data.nodes) {
      if (!visible(n)) continue;
      const d = Math.hypot(n.x * W - x, n.y * H - y);
      if (d < bd) { bd = d; best = n; }
    }
    return best;
  }
  // Paints the view on ``target`` with the pan/zoom ``t``; ``dpr`` is target pixels per CSS
  // pixel (the screen's ratio, or more for a print-resolution PNG).
  function paintCanvas(target = canvas, t = transform, dpr = devicePixelRatio) {
    const transform = t, devicePixelRatio = dpr;
    const ctx = target.getContext("2d"), { s, ox, oy } = canvasScale(target);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, target.width, target.height);
    ctx.setTransform(s * transform.k, 0, 0, s * transform.k, ox + s * transform.x, oy + s * transform.y);
    ctx.strokeStyle = "rgba(120,120,120,0.35)"; ctx.lineWidth = 0.6 / transform.k;
    ctx.beginPath();
    for (const e of data.edges) {
      const a = byId.get(e.source), b = byId.get(e.target);
      if (!visible(a) || !visible(b)) continue;
      ctx.moveTo(a.x * W, a.y * H); ctx.lineTo(b.x * W, b.y * H);
    }
    ctx.stroke();
    for (const n of data.nodes) {
      if (!visible(n)) continue;
      ctx.beginPath();
      ctx.arc(n.x * W, n.y * H, radius(n) * devicePixelRatio / (s * transform.k), 0, 2 * Math.PI);
      ctx.fillStyle = scenarioClass(n) === "failed" ? "#b00020" : scenarioClass(n) === "affected" ? "#ff9800" : colourOf(n);
      ctx.fill();
      if (selected.has(n.id) || n.id === state.sel) { ctx.strokeStyle = "#000"; ctx.lineWidth = 2 / transform.k; ctx.stroke(); }
    }
  }

  function scenarioClass(n) {
    if (!scenario) return "";
    if (scenario.failedSet.has(n.id)) return "failed";
    if (scenario.affectedSet.has(n.id)) return "affected";
    return "";
  }

  function applyTransform() {
    if (svg) { $("viewport").setAttribute("transform", `translate(${transform.x},${transform.y}) scale(${transform.k})`); placeNodes(); }
    // Nodes moved (zoom, pan, a resized drawing): the tooltip follows its node, so it never
    // ends up over the selected one.
    if (tipNode && !$("tooltip").hidden) tooltip(tipNode);
    if (canvas) requestAnimationFrame(() => paintCanvas());
  }

  function toFrame(target, ev) {
    const r = target.getBoundingClientRect(), s = Math.min(r.width, r.height) / W;
    return { x: (ev.clientX - r.left - (r.width - W * s) / 2) / s, y: (ev.clientY - r.top - (r.height - H * s) / 2) / s };
  }

  function panZoom(target) {
    let drag = null;
    target.addEventListener("pointerdown", (ev) => {
      if (ev.target.closest && ev.target.closest(".node, .node-hit, .node-label")) return;
      drag = { start: toFrame(target, ev), t: { ...transform } };
      target.setPointerCapture(ev.pointerId);
    });
    target.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      const p = toFrame(target, ev);
      transform.x = drag.t.x + p.x - drag.start.x; transform.y = drag.t.y + p.y - drag.start.y;
      applyTransform();
    });
    target.addEventListener("pointerup", () => { drag = null; });
    target.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      zoomAt(toFrame(target, ev), ev.deltaY < 0 ? 1.2 : 1 / 1.2);
    }, { passive: false });
  }
  function zoomAt(p, f) {
    const k = Math.min(40, Math.max(0.2, transform.k * f));
    transform.x = p.x - (p.x - transform.x) * (k / transform.k);
    transform.y = p.y - (p.y - transform.y) * (k / transform.k);
    transform.k = k;
    applyTransform();
  }

  function nodeDrag(g, n) {
    let moving = null;
    g.addEventListener("pointerdown", (ev) => {
      moving = { p: toFrame(svg, ev), x: n.x, y: n.y, moved: false };
      g.setPointerCapture(ev.pointerId);
      ev.stopPropagation();
    });
    g.addEventListener("pointermove", (ev) => {
      if (!moving) return;
      const p = toFrame(svg, ev);
      const dx = (p.x - moving.p.x) / transform.k, dy = (p.y - moving.p.y) / transform.k;
      if (Math.abs(dx) + Math.abs(dy) > 2) moving.moved = true;
      n.x = moving.x + dx / W; n.y = moving.y + dy / H;
      placeNode(n, 1 / (pxPerUnit() * transform.k));
      for (const e of data.edges) {
        if (e.source === n.id) { e.el.setAttribute("x1", n.x * W); e.el.setAttribute("y1", n.y * H); }
        if (e.target === n.id) { e.el.setAttribute("x2", n.x * W); e.el.setAttribute("y2", n.y * H); }
      }
    });
    g.addEventListener("pointerup", (ev) => {
      const wasClick = moving && !moving.moved;
      moving = null;
      if (wasClick) { if (ev.shiftKey) toggleScenario(n.id); else selectNode(n.id, true); }
    });
  }

  function applyFilters() {
    if (data) updateTitle();
    if (canvas) { applyTransform(); return; }
    if (!svg) return;
    for (const n of data.nodes) {
      for (const e of [n.el, n.hitEl, n.lab]) if (e) e.classList.toggle("hidden", !visible(n));
    }
    for (const e of data.edges) e.el.classList.toggle("hidden", !(visible(byId.get(e.source)) && visible(byId.get(e.target))));
  }

  function drawLegend() {
    const box = $("legend");
    box.innerHTML = "";
    const h = document.createElement("h3");
    h.textContent = "Colour: " + ({ kind: "class", cluster: "cluster", community: "detected community" })[state.colour];
    box.appendChild(h);
    const ul = document.createElement("ul");
    const counts = new Map();
    for (const n of data.nodes) { colourOf(n); }
    for (const [key, col] of colourKeys) {
      const li = document.createElement("li");
      // Set through the CSSOM: a style attribute in markup is inline style, refused by the CSP.
      const sw = document.createElement("span"); sw.className = "swatch"; sw.style.background = col;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(legendLabel(key)));
      ul.appendChild(li);
      counts.set(key, 1);
    }
    box.appendChild(ul);
    const note = document.createElement("p");
    note.className = "muted";
    note.textContent = (state.size ? "Size: " + state.size + " (within this view). " : "") +
      (scenario ? "Red: failed; orange: affected OEM." : "");
    box.appendChild(note);
  }

  // The tooltip goes beside the node it names, on the first side where it stays inside the
  // drawing and does not cover the selected node.
  let tipNode = null;
  function tooltip(n) {
    const tip = $("tooltip");
    tipNode = n;
    if (!n) { tip.hidden = true; return; }
    tip.textContent = n.label + " — " + n.kind + (n.cluster ? " · " + ((data.labels || {})[n.cluster] || "") : "") +
      (n.synthetic ? " · SYNTHETIC" : "");
    tip.hidden = false;
    // Measured at the left edge, then fixed at that width, so it wraps the same wherever it goes.
    tip.style.width = ""; tip.style.left = "0px"; tip.style.top = "0px";
    tip.style.width = tip.offsetWidth + "px";
    const wrap = $("stage").offsetParent.getBoundingClientRect();
    const stage = $("stage").getBoundingClientRect();
    let at = nodeRect(n);
    if (!at) { tip.hidden = true; return; }
    const gap = 6;
    // The selected node as seen: its dot's box (fill only, as getBoundingClientRect gives it)
    // grown by the selection ring drawn around it, and a gap, so no edge of the tooltip
    // touches the ring.
    const selDot = state.sel && state.sel !== n.id && byId.has(state.sel) ? nodeRect(byId.get(state.sel)) : null;
    const sel = selDot && { left: selDot.left - gap, right: selDot.right + gap, top: selDot.top - gap, bottom: selDot.bottom + gap };
    // A node touching the selected one: go beside both.
    if (sel && at.left <= sel.right && at.right >= sel.left && at.top <= sel.bottom && at.bottom >= sel.top) {
      at = { left: Math.min(at.left, sel.left), right: Math.max(at.right, sel.right), top: Math.min(at.top, sel.top), bottom: Math.max(at.bottom, sel.bottom) };
    }
    const tw = tip.offsetWidth, th = tip.offsetHeight;
    const sidesOf = (b) => [
      [b.right + gap, b.bottom + gap], [b.right + gap, b.top - th - gap],
      [b.left - tw - gap, b.bottom + gap], [b.left - tw - gap, b.top - th - gap],
    ];
    const sides = sidesOf(at);
    const inside = ([x, y]) => x >= stage.left && y >= stage.top && x + tw <= stage.right && y + th <= stage.bottom;
    const clear = ([x, y]) => !sel || x >= sel.right || x + tw <= sel.left || y >= sel.bottom || y + th <= sel.top;
    let pick = sides.find((p) => inside(p) && clear(p)) || sides.find(clear);
    if (!pick && sel) {
      // Every side of the node reaches over the selected one: go beside the box of both,
      // whose sides can never cover the selected node.
      const both = sidesOf({ left: Math.min(at.left, sel.left), right: Math.max(at.right, sel.right),
        top: Math.min(at.top, sel.top), bottom: Math.max(at.bottom, sel.bottom) });
      pick = both.find(inside) || both[0];
    }
    const [x, y] = pick || sides[0];
    tip.style.left = (x - wrap.left) + "px";
    tip.style.top = (y - wrap.top) + "px";
  }
  // The box of a node's dot on screen (for canvas views, computed from the transform).
  function nodeRect(n) {
    if (svg && n.el) {
      const dot = n.el.querySelector(".dot");
      return dot ? dot.getBoundingClientRect() : null;
    }
    if (!canvas) return null;
    const r = canvas.getBoundingClientRect(), { s, ox, oy } = canvasScale();
    const px = (ox + s * (transform.x + transform.k * n.x * W)) / devicePixelRatio + r.left;
    const py = (oy + s * (transform.y + transform.k * n.y * H)) / devicePixelRatio + r.top;
    const rad = radius(n);
    return { left: px - rad, right: px + rad, top: py - rad, bottom: py + rad };
  }

  // The selected node is ringed black, its suppliers red and its customers blue (a directed
  // view; else its neighbours), their links drawn over the others; the note says so in words.
  function markNeighbours(id) {
    const suppliers = new Set(), customers = new Set();
    for (const e of data.edges) {
      if (e.target === id) (data.directed ? suppliers : customers).add(e.source);
      if (e.source === id) customers.add(e.target);
    }
    if (svg) {
      for (const n of data.nodes) {
        n.el.classList.toggle("selected", n.id === id);
        n.el.classList.toggle("supplier", suppliers.has(n.id));
        n.el.classList.toggle("customer", customers.has(n.id));
        if (n.lab) n.lab.classList.toggle("selected-label", n.id === id);
      }
      for (const e of data.edges) e.el.classList.toggle("sel-edge", e.source === id || e.target === id);
    }
    const note = $("sel-note"), me = byId.get(id);
    note.hidden = !me;
    if (!me) return;
    const names = (set) => [...set].map((x) => (byId.get(x) || { label: x }).label).sort().join(", ");
    const parts = [`${me.label} is ringed in black`];
    if (data.directed) {
      parts.push(suppliers.size ? `its ${suppliers.size} supplier${suppliers.size > 1 ? "s" : ""} in red (${names(suppliers)})` : "no supplier shown");
      parts.push(customers.size ? `its ${customers.size} customer${customers.size > 1 ? "s" : ""} in blue (${names(customers)})` : "no customer shown");
    } else {
      parts.push(customers.size ? `its ${customers.size} neighbour${customers.size > 1 ? "s" : ""} in blue (${names(customers)})` : "no neighbour shown");
    }
    if (unlocatedNode(me) && data.view === "map") parts.push("it has no coordinates in the sources, so it is in the strip below the map");
    note.textContent = "Selected: " + parts.join("; ") + ".";
  }

  async function selectNode(id, push) {
    state.sel = id;
    saveState(push);
    markNeighbours(id);
    if (canvas) applyTransform();
    const panel = $("panel");
    panel.innerHTML = '<p class="muted">Loading…</p>';
    const resp = await fetch("/api/node?iri=" + encodeURIComponent(id), { headers: { Accept: "application/json" } });
    const d = await resp.json();
    if (!resp.ok) { panel.textContent = d.error || "not found"; return; }
    panel.innerHTML = "";
    const h = document.createElement("h2");
    h.textContent = d.label; panel.appendChild(h);
    if (d.synthetic) { const b = document.createElement("p"); b.className = "synthetic"; b.textContent = "SYNTHETIC: generated by the calibrated model, not a sourced fact."; panel.appendChild(b); }
    const links = document.createElement("p");
    if (webLink(d.page)) {
      const lp = document.createElement("a"); lp.href = webLink(d.page); lp.textContent = "Linked-data page";
      links.append(lp, " · ");
    }
    const nb = document.createElement("a");
    nb.href = "?view=neighbourhood&hops=1&node=" + encodeURIComponent(id) + "&sel=" + encodeURIComponent(id);
    nb.textContent = "Show its neighbourhood";
    links.appendChild(nb);
    panel.appendChild(links);
    const sec = (title, items, render) => {
      if (!items.length) return;
      const hh = document.createElement("h3"); hh.textContent = title; panel.appendChild(hh);
      const ul = document.createElement("ul"); ul.className = "plain";
      for (const it of items) { const li = document.createElement("li"); render(li, it); ul.appendChild(li); }
      panel.appendChild(ul);
    };
    const quote = (li, q) => {
      const b = document.createElement("blockquote"); b.className = "quote";
      b.textContent = "\u201c" + q.quote + "\u201d"; li.appendChild(b);
      const c = document.createElement("cite");
      if (q.source) {
        const href = webLink(q.source.replace("https://w3id.org/clusterkg", ""));
        const a = document.createElement(href ? "a" : "span");
        if (href) a.href = href;
        a.textContent = q.title || q.source.split("/").pop();
        c.appendChild(a);
      } else c.textContent = "source not stated";
      li.appendChild(c);
    };
    sec("Source quotes", d.quotes, quote);
    sec("Facts", d.facts, (li, f) => { li.innerHTML = `<span class="prop"></span> `; li.firstChild.textContent = f.property; li.appendChild(document.createTextNode(f.value)); });
    const link = (li, l) => {
      const p = document.createElement("span"); p.className = "prop";
      p.textContent = (l.direction === "in" ? "← " : "→ ") + l.property + " ";
      li.appendChild(p);
      const a = document.createElement(webLink(l.page) ? "a" : "span");
      if (webLink(l.page)) a.href = webLink(l.page);
      a.textContent = l.label; li.appendChild(a);
      if (l.synthetic) { const m = document.createElement("span"); m.className = "synthetic-mark"; m.textContent = "SYNTHETIC"; li.append(" ", m); }
    };
    // Generated links are listed apart, after the sourced ones, so they never read as facts.
    sec("Links", d.links.filter((l) => !l.synthetic), link);
    sec("SYNTHETIC links (generated by the calibrated model, not sourced)", d.links.filter((l) => l.synthetic), link);
    sec("Quotes of related facts", d.related, (li, q) => {
      const t = document.createElement("div"); t.className = "muted"; t.textContent = q.label; li.appendChild(t);
      quote(li, q);
    });
    // On a narrow screen the panel is below the drawing: bring its heading into view.
    if (push && narrow()) h.scrollIntoView({ block: "start" });
  }

  function toggleScenario(id) {
    if (selected.has(id)) selected.delete(id); else selected.add(id);
    if (svg) byId.get(id).el.classList.toggle("chosen", selected.has(id));
    else applyTransform();
    previewSelection();
  }

  // What a scenario would remove: the INTERSECTION of the selected nodes, the Region, Class and
  // Cluster filters (the server's rule, so the count shown is the count that runs).
  function criteria() {
    const region = state.failregion || state.region;
    return {
      remove: [...selected],
      remove_regions: region ? [region] : [],
      kinds: state.kind ? [state.kind] : [],
      clusters: state.fcluster ? [state.fcluster] : [],
    };
  }

  function hasCriteria(c) {
    return Object.values(c).some((v) => v.length);
  }

  function network() {
    return data && data.synthetic ? "synthetic" : "curated";
  }

  let previewSeq = 0;
  async function previewSelection() {
    const c = criteria(), seq = ++previewSeq;
    $("simulate").disabled = !hasCriteria(c);
    if (!hasCriteria(c)) { $("selection").textContent = HINT; return; }
    const picked = selected.size
      ? "Selected: " + [...selected].map((s) => (byId.get(s) || { label: s }).label).join(", ") + ". "
      : "";
    try {
      const resp = await fetch("/api/scenario/selection", { method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ ...c, graph: network() }) });
      const r = await resp.json();
      if (seq !== previewSeq) return; // a newer selection is on its way
      if (!resp.ok || r.problem) { $("selection").textContent = picked + "The scenario cannot run: " + (r.problem || r.error || resp.statusText); return; }
      const kinds = Object.entries(r.by_kind || {}).map(([k, n]) => `${n} ${k}`).join(", ");
      $("selection").textContent = picked + `A failure scenario would remove ${r.count} node(s) of the ${network()} supply network` +
        (kinds ? ` (${kinds})` : "") + ".";
    } catch (err) {
      if (seq === previewSeq) $("selection").textContent = picked + "Could not count the selection: " + err;
    }
  }

  // A link that opens the same scenario on another network (the server names the one that can
  // answer, e.g. the synthetic network for a region the curated links do not reach).
  function alternativeLink(alt) {
    const q = new URLSearchParams({ view: alt === "synthetic" ? "synthetic" : "supply" });
    const c = criteria();
    if (c.remove_regions.length) q.set("failregion", c.remove_regions[0]);
    if (c.remove.length) q.set("fail", c.remove.join(","));
    if (c.kinds.length) q.set("kind", c.kinds[0]);
    if (state.cluster) q.set("cluster", state.cluster);
    return "/graph?" + q.toString();
  }

  async function simulate() {
    progress("Simulating the failure…");
    const box = $("scenario-summary");
    try {
      const body = { ...criteria(), graph: network() };
      const resp = await fetch("/api/scenario", { method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body) });
      const r = await resp.json();
      box.hidden = false;
      // A refused scenario leaves the page usable: Reset clears the message and the selection.
      $("reset-scenario").disabled = false;
      if (!resp.ok) { box.textContent = "Scenario not run: " + (r.error || resp.statusText); return; }
      // Marked as failed: what was removed, what failed by cascade, and what the region holds
      // that has no supply link (it stops, though nothing depends on it).
      const down = [...r.removed, ...r.failed, ...(r.unlinked || []).map((u) => u.iri)];
      scenario = { ...r, failedSet: new Set(down), affectedSet: new Set(r.affected_oems.filter((a) => !a.failed).map((a) => a.oem)) };
      if (svg) for (const n of data.nodes) {
        n.el.classList.toggle("failed", scenario.failedSet.has(n.id));
        n.el.classList.toggle("affected", scenario.affectedSet.has(n.id));
      }
      applyTransform();
      const name = (iri) => (r.labels && r.labels[iri]) || (byId.get(iri) || {}).label || iri.split("/").pop();
      box.innerHTML = "";
      const add = (tag, text, cls) => { const e = document.createElement(tag); e.textContent = text; if (cls) e.className = cls; box.appendChild(e); return e; };
      // A row whose figures rest on generated links says so (docs/analytics.md, "Synthetic
      // data in results"): the real firm is not synthetic, its row's figures are.
      const markSynthetic = (li, row) => {
        if (!row.synthetic) return;
        const m = document.createElement("span");
        m.className = "synthetic-mark";
        const n = row.synthetic_links || 0;
        m.textContent = n ? `SYNTHETIC: ${n} generated link(s)` : "SYNTHETIC";
        li.append(" ", m);
      };
      add("h3", "Failure scenario" + (r.synthetic ? " (SYNTHETIC network)" : ""));
      add("p", `The selection held ${r.selection ? r.selection.count : r.removed.length} node(s); ` +
        `${r.failed.length} firms failed (${r.cascaded.length} by cascade), ${r.affected_oems.length} OEMs affected.` +
        (r.ignored.length ? ` ${r.ignored.length} selected node(s) are not in the supply network.` : ""));
      add("p", `Lost supply value: ${r.lost_value_text} over ${r.lost_links} links, of which ` +
        `${r.lost_value_to_oems_text} delivered to vehicle makers.`, "lost-value");
      add("p", r.lost_value_explained, "muted");
      if (r.lost_synthetic_links) {
        add("p", `${r.lost_synthetic_links} of the ${r.lost_links} lost links are generated (SYNTHETIC), not sourced; ` +
          "the rows below that rest on them are marked.", "synthetic-note");
      }
      const ul = document.createElement("ul"); ul.id = "affected-oems";
      for (const a of r.affected_oems) {
        const li = document.createElement("li");
        let text = (a.label || a.oem) + (a.failed ? " (failed)" : ` (lost ${a.lost_suppliers.length} supplier(s))`);
        if (a.failed && a.why && a.why.item) {
          const chain = (a.why.chain || []).map((step) => `${name(step.supplier)} (${name(step.item)})`).join(" ← ");
          text += `: could no longer source ${name(a.why.item)}` + (chain ? ` — ${chain}` : "");
        }
        li.textContent = text;
        markSynthetic(li, a);
        ul.appendChild(li);
      }
      box.appendChild(ul);
      if ((r.cascaded_firms || []).length) {
        add("h4", "Failed by cascade");
        const cl = document.createElement("ul"); cl.id = "cascaded-firms";
        for (const c of r.cascaded_firms) {
          const li = document.createElement("li");
          li.textContent = `${c.label || name(c.node)}: lost ${name(c.item || "")}`;
          markSynthetic(li, c);
          cl.appendChild(li);
        }
        box.appendChild(cl);
      }
      const details = r.note_details || [];
      for (const d of details.length ? details : (r.notes || []).map((t) => ({ text: t }))) {
        const np = add("p", d.text, "muted scenario-note");
        if (d.alternative && d.alternative !== network()) {
          const a = document.createElement("a");
          a.href = alternativeLink(d.alternative);
          a.textContent = ` Open the same scenario on the ${d.alternative} network.`;
          a.className = "alternative";
          np.appendChild(a);
        }
      }
      drawLegend();
    } catch (err) {
      box.hidden = false;
      box.textContent = "Scenario not run: " + err;
      $("reset-scenario").disabled = false;
    } finally { progress(""); }
  }

  function resetScenario() {
    scenario = null;
    selected.clear();
    if (svg) for (const n of data.nodes) n.el.classList.remove("failed", "affected", "chosen");
    $("scenario-summary").hidden = true;
    $("reset-scenario").disabled = true;
    if (state.fail || state.failregion) { state.fail = state.failregion = ""; saveState(false); }
    previewSelection();
    applyTransform();
    drawLegend();
  }

  function updateExports() {
    for (const f of ["graphml", "gexf", "jsonld"]) $("export-" + f).href = "/api/graph/export?format=" + f + "&" + apiQuery();
  }

  // The whole drawing (zoom 1), with the glyphs at their on-screen size relative to it.
  function svgText() {
    const keep = transform;
    transform = { x: 0, y: 0, k: 1 }; applyTransform();
    const copy = svg.cloneNode(true);
    transform = keep; applyTransform();
    const css = ".dot{stroke:#fff;stroke-width:1}.hit{fill:none}.edge{stroke:#999;stroke-opacity:.6}.label{font:12px sans-serif;fill:#222}.province{fill:#f2efe6;stroke:#9a927c;stroke-width:.0008}.hidden{display:none}.failed .dot{fill:#b00020}.affected .dot{fill:#ff9800}";
    el("style", {}, copy).textContent = css;
    copy.setAttribute("xmlns", NS);
    copy.setAttribute("width", W); copy.setAttribute("height", H);
    return new XMLSerializer().serializeToString(copy);
  }
  function download(blob, name) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
  function exportSvg() {
    if (!svg) return; // the button is hidden for canvas views
    download(new Blob([svgText()], { type: "image/svg+xml" }), "clusterkg-" + data.view + ".svg");
  }
  // Print resolution: the drawing's frame as PRINT_PX pixels a side, 10 inches at 300 dpi.
  const PRINT_PX = 3000;
  function exportPng() {
    const c = document.createElement("canvas");
    c.width = PRINT_PX; c.height = PRINT_PX;
    const name = "clusterkg-" + data.view + ".png";
    if (canvas) {
      paintCanvas(c, { x: 0, y: 0, k: 1 }, PRINT_PX / (pxPerUnit() * W));
      c.toBlob((b) => download(b, name));
      return;
    }
    const img = new Image();
    img.onload = () => { c.getContext("2d").drawImage(img, 0, 0, c.width, c.height); c.toBlob((b) => download(b, name)); };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svgText());
  }

  // --- search with keyboard navigation ---
  // The list only ever shows hits for the text in the box (an answer to an older text is
  // dropped), and Enter opens the highlighted hit; while the answer for new text is on its
  // way, Enter waits for it and opens its first hit, which is then the highlighted one.
  let hits = [], active = -1, timer = null, hitsFor = "", seq = 0;
  function renderHits() {
    const ul = $("search-results");
    ul.innerHTML = "";
    hits.forEach((h, i) => {
      const li = document.createElement("li");
      li.id = "hit-" + i; li.setAttribute("role", "option");
      li.setAttribute("aria-selected", i === active ? "true" : "false");
      li.textContent = h.label + (h.alias ? " (alias: " + h.matched + ")" : "");
      const small = document.createElement("span"); small.className = "muted hit-kind"; small.textContent = " " + (h.kind || "");
      li.appendChild(small);
      li.addEventListener("mousedown", (ev) => { ev.preventDefault(); choose(i); });
      li.addEventListener("pointerenter", () => { if (active !== i) { active = i; renderHits(); } });
      ul.appendChild(li);
    });
    ul.hidden = hits.length === 0;
    $("search").setAttribute("aria-expanded", hits.length ? "true" : "false");
    if (active >= 0) {
      $("search").setAttribute("aria-activedescendant", "hit-" + active);
      const li = $("hit-" + active); if (li && li.scrollIntoView) li.scrollIntoView({ block: "nearest" });
    } else $("search").removeAttribute("aria-activedescendant");
  }
  function closeHits() { clearTimeout(timer); seq++; hits = []; active = -1; renderHits(); }
  function choose(i) {
    const h = hits[i];
    if (!h) return;
    closeHits();
    hitsFor = $("search").value = h.label;
    if (data && byId.has(h.iri)) {
      selectNode(h.iri, true);
      const n = byId.get(h.iri);
      transform = { k: Math.max(transform.k, 2), x: 0, y: 0 };
      transform.x = W / 2 - n.x * W * transform.k; transform.y = H / 2 - n.y * H * transform.k;
      applyTransform();
      if (n.el) n.el.focus();
    } else {
      Object.assign(state, { view: "neighbourhood", node: h.iri, sel: h.iri, hops: state.hops || "1" });
      saveState(true);
      load();
    }
  }
  function runSearch(q) {
    const mine = ++seq;
    return fetch("/api/search?scope=explorer&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
      .then((resp) => resp.json())
      .then((body) => {
        if (mine !== seq) return false; // an answer to older text
        // Only hits the explorer can open: in this view, or as a neighbourhood.
        hits = (body.hits || []).filter((h) => h.openable || byId.has(h.iri));
        hitsFor = q; active = hits.length ? 0 : -1;
        renderHits();
        return true;
      });
  }
  $("search").addEventListener("input", () => {
    clearTimeout(timer);
    const q = $("search").value.trim();
    if (!q) { closeHits(); hitsFor = ""; return; }
    // The shown hits are for older text now: none is highlighted until the new answer.
    active = -1; renderHits();
    timer = setTimeout(() => runSearch(q), 150);
  });
  $("search").addEventListener("keydown", (ev) => {
    if (ev.key === "ArrowDown") { active = Math.min(hits.length - 1, active + 1); renderHits(); ev.preventDefault(); }
    else if (ev.key === "ArrowUp") { active = Math.max(0, active - 1); renderHits(); ev.preventDefault(); }
    else if (ev.key === "Enter") {
      ev.preventDefault();
      const q = $("search").value.trim();
      if (!q) return;
      if (q === hitsFor) { if (active >= 0) choose(active); return; }
      clearTimeout(timer);
      runSearch(q).then((fresh) => { if (fresh && active >= 0) choose(active); });
    }
    else if (ev.key === "Escape") { closeHits(); }
  });

  // The cluster the user is looking at: the cluster view's, else the selected node's (or the
  // last neighbourhood's centre's), else the cluster filter's, else the cluster menu's (so
  // the synthetic view opens on it).
  function contextCluster() {
    const auto = new Set([...$("cluster").options].map((o) => o.value));
    const node = byId.get(state.sel) || byId.get(state.node);
    const candidates = [state.cluster, ...(node ? [node.id, ...node.clusters] : []), state.fcluster];
    return candidates.find((c) => c && auto.has(c)) || $("cluster").value;
  }

  // --- controls ---
  // The controls apply on change; Enter in a field must not submit (and reload) the page.
  $("controls").addEventListener("submit", (ev) => ev.preventDefault());
  const reloadOn = { view: "view", hops: "hops", layout: "layout", cluster: "cluster" };
  for (const [id, key] of Object.entries(reloadOn)) {
    $(id).addEventListener("change", () => {
      state[key] = $(id).value;
      if (key === "view" && state.view === "synthetic") state.layout = "tiered";
      if (key === "view" && (state.view === "cluster" || state.view === "synthetic")) state.cluster = contextCluster();
      if (key === "view" && state.view === "neighbourhood" && !state.node) state.node = state.sel || "";
      transform = { x: 0, y: 0, k: 1 };
      scenario = null; selected.clear(); $("scenario-summary").hidden = true;
      saveState(true);
      load();
    });
  }
  for (const [id, key] of [["size", "size"], ["colour", "colour"]]) {
    $(id).addEventListener("change", () => { state[key] = $(id).value; saveState(false); if (data) draw(); });
  }
  for (const [id, key] of [["f-kind", "kind"], ["f-cluster", "fcluster"], ["f-sector", "sector"], ["f-region", "region"]]) {
    $(id).addEventListener("change", () => {
      state[key] = $(id).value; saveState(false); applyFilters();
      previewSelection();
    });
  }
  $("zoom-in").addEventListener("click", () => zoomAt({ x: W / 2, y: H / 2 }, 1.3));
  $("zoom-out").addEventListener("click", () => zoomAt({ x: W / 2, y: H / 2 }, 1 / 1.3));
  $("zoom-reset").addEventListener("click", () => { transform = { x: 0, y: 0, k: 1 }; applyTransform(); });
  $("simulate").addEventListener("click", simulate);
  $("reset-scenario").addEventListener("click", resetScenario);
  $("export-svg").addEventListener("click", exportSvg);
  $("export-png").addEventListener("click", exportPng);
  $("stage").addEventListener("keydown", (ev) => {
    if (ev.target !== $("stage")) return;
    const step = 40;
    if (ev.key === "+" || ev.key === "=") zoomAt({ x: W / 2, y: H / 2 }, 1.3);
    else if (ev.key === "-") zoomAt({ x: W / 2, y: H / 2 }, 1 / 1.3);
    else if (ev.key === "ArrowLeft") { transform.x += step; applyTransform(); }
    else if (ev.key === "ArrowRight") { transform.x -= step; applyTransform(); }
    else if (ev.key === "ArrowUp") { transform.y += step; applyTransform(); }
    else if (ev.key === "ArrowDown") { transform.y -= step; applyTransform(); }
    else return;
    ev.preventDefault();
  });
  window.addEventListener("popstate", () => { state = params(); load(); });
  window.addEventListener("resize", () => { if (canvas && data) draw(); });
  // The drawing's box can change after it is drawn (a scroll bar comes or goes, the controls
  // wrap): place the nodes and fit the labels again, so no label ends beyond an edge.
  if (window.ResizeObserver) new ResizeObserver(() => { if (svg) applyTransform(); }).observe($("stage"));
  if (document.fonts) document.fonts.ready.then(() => { if (svg) applyTransform(); });
  load();
})();
