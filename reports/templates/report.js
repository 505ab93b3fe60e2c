(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("findings-data").textContent);
  var PAGE = 100;
  var SEV = { critical: 0, major: 1, minor: 2 };
  var state = { q: "", type: "", region: "", severity: "", state: "" };
  var sections = {};
  var byType = {};
  data.rows.forEach(function (row) { (byType[row[0]] = byType[row[0]] || []).push(row); });

  document.querySelectorAll("section.ftype").forEach(function (sec) {
    var type = sec.getAttribute("data-type");
    var s = { el: sec, tbody: sec.querySelector("tbody"), more: sec.querySelector("button.more"),
              shown: sec.querySelector(".shown"), limit: PAGE, sortKey: null, sortDir: 1 };
    sections[type] = s;
    if (s.more) {
      s.more.addEventListener("click", function () { s.limit += PAGE * 5; renderSection(type); });
    }
    sec.querySelectorAll("th.sortable").forEach(function (th) {
      th.addEventListener("click", function () {
        var key = Number(th.getAttribute("data-key"));
        s.sortDir = s.sortKey === key ? -s.sortDir : 1;
        s.sortKey = key;
        renderSection(type);
      });
    });
  });

  function matches(row) {
    if (state.region && row[3] !== state.region) { return false; }
    if (state.severity && row[1] !== state.severity) { return false; }
    if (state.state === "accepted" ? !row[10] : state.state && row[8] !== state.state) { return false; }
    if (state.q) {
      var hay = [row[2], row[4] || "", row[5], row[7] || ""].join(" ").toLowerCase();
      if (hay.indexOf(state.q) < 0) { return false; }
    }
    return true;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  function statusClass(status) {
    if (status === null || status === undefined) { return "serr"; }
    return "s" + String(status).charAt(0);
  }

  function chain(hops) {
    var span = el("span", "chain");
    hops.forEach(function (hop, i) {
      span.appendChild(document.createTextNode(hop[0] + " -"));
      span.appendChild(el("span", "status " + statusClass(hop[1]), "[" + (hop[1] === null ? "ERR" : hop[1]) + "]"));
      if (i < hops.length - 1) { span.appendChild(document.createTextNode("-> ")); }
    });
    return span;
  }

  function copy(text) {
    var done = function () {};
    try {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, done);
        return;
      }
    } catch (e) { /* fall through to the selection copy */ }
    var area = el("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to do */ }
    document.body.removeChild(area);
  }

  function urlCell(url) {
    var td = el("td", "url");
    if (/^https?:\/\//i.test(url)) {
      var a = el("a", null, url);
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      td.appendChild(a);
    } else {
      td.appendChild(el("span", null, url));
    }
    var b = el("button", "copy", "copy");
    b.title = "copy the URL";
    b.addEventListener("click", function () { copy(url); });
    td.appendChild(document.createTextNode(" "));
    td.appendChild(b);
    return td;
  }

  function renderRow(row) {
    var tr = el("tr");
    tr.setAttribute("data-region", row[3] || "");
    tr.setAttribute("data-severity", row[1]);
    var sev = el("td");
    sev.appendChild(el("span", "sev sev-" + row[1], row[1]));
    if (row[8]) {
      sev.appendChild(document.createElement("br"));
      sev.appendChild(el("span", "badge", row[8] === "new" ? "new" : "since " + (row[9] || "?")));
    }
    if (row[10]) { tr.className = "accepted"; }
    tr.appendChild(sev);
    tr.appendChild(urlCell(row[2]));
    tr.appendChild(el("td", "region", row[3] || ""));
    tr.appendChild(el("td", "product", row[4] || ""));
    var msg = el("td", "msg", row[5]);
    if (row[7]) { msg.appendChild(el("span", "title", "page title: " + row[7])); }
    if (row[10]) { msg.appendChild(el("span", "accepted-note", "accepted: " + row[10])); }
    tr.appendChild(msg);
    var hops = el("td");
    if (row[6].length) { hops.appendChild(chain(row[6])); }
    tr.appendChild(hops);
    return tr;
  }

  function renderSection(type) {
    var s = sections[type];
    if (!s) { return 0; }
    var visible = !state.type || state.type === type;
    s.el.hidden = !visible;
    var rows = (byType[type] || []).filter(matches);
    if (s.sortKey !== null) {
      var k = s.sortKey;
      rows = rows.slice().sort(function (a, b) {
        var x = k === 1 ? SEV[a[1]] : (a[k] || ""), y = k === 1 ? SEV[b[1]] : (b[k] || "");
        return (x < y ? -1 : x > y ? 1 : 0) * s.sortDir;
      });
    }
    if (!s.tbody) { return visible ? rows.length : 0; }
    s.tbody.parentNode.hidden = rows.length === 0;
    var frag = document.createDocumentFragment();
    rows.slice(0, s.limit).forEach(function (row) { frag.appendChild(renderRow(row)); });
    s.tbody.textContent = "";
    if (visible) { s.tbody.appendChild(frag); }
    s.more.hidden = !visible || rows.length <= s.limit;
    s.shown.textContent = "showing " + Math.min(rows.length, s.limit) + " of " + rows.length + " matching";
    return visible ? rows.length : 0;
  }

  function render() {
    var total = 0;
    Object.keys(sections).forEach(function (type) { total += renderSection(type); });
    document.getElementById("shown-count").textContent = total + " findings match";
  }

  var timer = null;
  document.getElementById("q").addEventListener("input", function (e) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = e.target.value.trim().toLowerCase(); reset(); }, 150);
  });
  [["f-type", "type"], ["f-region", "region"], ["f-severity", "severity"], ["f-state", "state"]].forEach(function (pair) {
    var select = document.getElementById(pair[0]);
    if (select) { select.addEventListener("change", function (e) { state[pair[1]] = e.target.value; reset(); }); }
  });
  function reset() {
    Object.keys(sections).forEach(function (type) { sections[type].limit = PAGE; });
    render();
  }
  render();
}());
