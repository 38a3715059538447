// Transparency reports: count every flow table again from the published rows, in the browser.
// The same checks as `brightline report verify` without the ledger: the rows' SHA-256 is the one the report
// names, and every published count of every flow table is the number of rows it counts.
(function () {
  "use strict";

  function canonical(value) {
    if (Array.isArray(value)) {
      return "[" + value.map(canonical).join(",") + "]";
    }
    if (value !== null && typeof value === "object") {
      return "{" + Object.keys(value).sort().map(function (key) {
        return JSON.stringify(key) + ":" + canonical(value[key]);
      }).join(",") + "}";
    }
    return JSON.stringify(value);
  }

  function hex(buffer) {
    return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function recount(table, sets) {
    var problems = [];
    if (!table.rows_published) { return problems; }
    var rows = (sets[table.measure] || { rows: [] }).rows.filter(function (row) {
      return table.only.every(function (pair) { return row[pair[0]] === pair[1]; });
    });
    function count(line, column) {
      return rows.filter(function (row) {
        return (line === null || row[table.row_attribute] === line) &&
          (column === null || row[table.column_attribute] === column);
      }).length;
    }
    function check(line, column, cell, where) {
      if (cell.value === null) { return; }
      var counted = count(line, column);
      if (counted !== cell.value) {
        problems.push(table.title + ", " + where + ": " + cell.value + " / " + counted);
      }
    }
    var columns = table.columns.map(function (c) { return c.key; });
    table.rows.forEach(function (line) {
      line.cells.forEach(function (cell, i) { check(line.key, columns[i], cell, line.label + " × " + table.columns[i].label); });
      check(line.key, null, line.total, line.label);
    });
    table.totals.cells.forEach(function (cell, i) { check(null, columns[i], cell, table.columns[i].label); });
    check(null, null, table.totals.total, "total");
    var lines = table.rows.map(function (l) { return l.key; });
    rows.forEach(function (row) {
      if (lines.indexOf(row[table.row_attribute]) < 0 || columns.indexOf(row[table.column_attribute]) < 0) {
        problems.push(table.title + ": a row the table does not count");
      }
    });
    return problems;
  }

  function verify(box) {
    var result = box.querySelector(".transparency-verify-result");
    result.textContent = "…";
    Promise.all([
      fetch(box.dataset.figures, { credentials: "omit" }).then(function (r) { return r.json(); }),
      fetch(box.dataset.rows, { credentials: "omit" }).then(function (r) { return r.json(); })
    ]).then(function (answers) {
      var figures = answers[0];
      var rows = answers[1];
      var bytes = new TextEncoder().encode(canonical(rows.sets));
      return crypto.subtle.digest("SHA-256", bytes).then(function (digest) {
        var problems = [];
        if (hex(digest) !== figures.flows.rows_sha256) { problems.push("SHA-256"); }
        if (rows.checkpoint.size !== figures.checkpoint.size || rows.checkpoint.root_hash !== figures.checkpoint.root_hash) {
          problems.push("checkpoint");
        }
        figures.flows.tables.forEach(function (table) { problems = problems.concat(recount(table, rows.sets)); });
        result.textContent = problems.length ? box.dataset.fail + " " + problems.join("; ") : box.dataset.ok;
        box.dataset.verified = problems.length ? "fail" : "ok";
      });
    }).catch(function (error) {
      result.textContent = box.dataset.fail + " " + error;
      box.dataset.verified = "fail";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".transparency-verify").forEach(function (box) {
      box.querySelector(".transparency-verify-button").addEventListener("click", function () { verify(box); });
    });
  });
}());
