// Transparency reports: count the whole report again from the published rows, in the browser, and check the
// ledger entry its publication appended. The same checks as `brightline report verify`:
//   - the figures and rows downloaded hash (SHA-256 of their bytes) to what the publication's ledger entry
//     records; the entry's event record hashes to its leaf; the entry is in the tree of the checkpoint the
//     report is bound to (inclusion proof), whose note is signed with the log's key (/ledger/key);
//   - the rows are the ones the figures name, and every combination is shared by at least 10 rows (method 5
//     publishes each combination once with its count, [value, …, count], which the recount weighs);
//   - every table (title, sentences, headings, labels, every cell with what it displays and whether it is
//     suppressed, the totals), the shares and the time to decision are counted again from the rows, with
//     the method's own definitions (read from the page, which the code renders, not from the report).
import { verifyAsync } from "../vendor/noble/ed25519.js";

const encoder = new TextEncoder();
const DASH = "\u2014";
const WITHHELD = "withheld";

function canonical(value) {
  if (Array.isArray(value)) {
    return "[" + value.map(canonical).join(",") + "]";
  }
  if (value !== null && typeof value === "object") {
    return "{" + Object.keys(value).sort().map((key) => JSON.stringify(key) + ":" + canonical(value[key])).join(",") + "}";
  }
  return JSON.stringify(value);
}

function hex(bytes) {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

function fromBase64(text) {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

async function inclusionRoot(index, size, leaf, proof) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn) {
    return null;
  }
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) {
      return null;
    }
    if (fn & 1n || fn === sn) {
      r = await nodeHash(p, r);
      while (!(fn & 1n) && fn) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n ? r : null;
}

async function signatureProblems(noteText, keyText, size, rootHex) {
  const trimmed = keyText.trim();
  const first = trimmed.indexOf("+");
  const second = trimmed.indexOf("+", first + 1);
  const name = trimmed.slice(0, first);
  const hashHex = trimmed.slice(first + 1, second);
  const raw = fromBase64(trimmed.slice(second + 1)); // base64 holds "+" too
  const publicKey = raw.slice(1);
  const keyHash = (await sha256(concat(encoder.encode(name + "\n"), Uint8Array.of(1), publicKey))).slice(0, 4);
  const blank = noteText.indexOf("\n\n");
  const body = noteText.slice(0, blank + 1);
  const lines = body.slice(0, -1).split("\n");
  const problems = [];
  if (hex(keyHash) !== hashHex || lines[0] !== name) {
    problems.push("the log's key does not name this log");
  }
  if (Number(lines[1]) !== size || hex(fromBase64(lines[2])) !== rootHex) {
    problems.push("the signed checkpoint names another size or root");
  }
  let signed = false;
  for (const line of noteText.slice(blank + 2).split("\n")) {
    const parts = line.startsWith(DASH + " ") ? line.slice(2).split(" ") : [];
    if (parts.length !== 2 || parts[0] !== name) {
      continue;
    }
    const signature = fromBase64(parts[1]);
    if (hex(signature.slice(0, 4)) === hex(keyHash) && signature.length === 68) {
      try {
        signed = await verifyAsync(signature.slice(4), encoder.encode(body), publicKey, { zip215: false });
      } catch (error) {
        signed = false;
      }
    }
  }
  if (!signed) {
    problems.push("the checkpoint's signature does not verify with the log's key");
  }
  return problems;
}

// The tables, counted from the rows as flows.py counts them -------------------------------------------------

function humanize(identifier) {
  const text = identifier.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1).toLowerCase();
}

function labelled(method, spec, attribute, seen) {
  const known = method.values[attribute].filter(
    ([key]) => !spec.seen_only.includes(attribute) || seen.has(key) || spec.always.includes(key),
  );
  const names = new Set(known.map(([key]) => key));
  const extra = Array.from(seen).filter((v) => !names.has(v) && v !== WITHHELD).sort();
  const asFound = method.as_found.includes(attribute);
  const labels = known.concat(extra.map((v) => [v, asFound ? v : humanize(v)]));
  if (seen.has(WITHHELD)) {
    labels.push([WITHHELD, "Withheld"]);
  }
  return labels;
}

function extend(matrix, width) {
  const grid = matrix.map((row) => row.concat([row.reduce((a, b) => a + b, 0)]));
  const totals = [];
  for (let c = 0; c < width; c += 1) {
    totals.push(grid.reduce((sum, row) => sum + row[c], 0));
  }
  grid.push(totals.concat([totals.reduce((a, b) => a + b, 0)]));
  return grid;
}

// suppression.py's suppress_group: primary (1 to 9) and complementary suppression over grids sharing their
// totals row.
function suppressGroup(grids) {
  const last = grids.map((grid) => grid.length - 1);
  const cellOf = (t, r, c) => (r === last[t] ? [0, grids[0].length - 1, c] : [t, r, c]);
  const name = (cell) => cell.join(",");
  const value = (cell) => grids[cell[0]][cell[1]][cell[2]];
  const lines = [];
  grids.forEach((grid, t) => {
    const rows = grid.length;
    const columns = grid[0].length;
    for (let r = 0; r < rows; r += 1) {
      if (t && r === rows - 1) {
        continue;
      }
      lines.push(Array.from({ length: columns }, (_, c) => cellOf(t, r, c)));
    }
    for (let c = 0; c < columns; c += 1) {
      lines.push(Array.from({ length: rows }, (_, r) => cellOf(t, r, c)));
    }
  });
  const linesOf = new Map();
  lines.forEach((line, number) => line.forEach((cell) => {
    const key = name(cell);
    if (!linesOf.has(key)) {
      linesOf.set(key, []);
    }
    linesOf.get(key).push(number);
  }));
  const hidden = new Map();
  for (const [key, numbers] of linesOf) {
    const cell = lines[numbers[0]].find((c) => name(c) === key);
    if (value(cell) >= 1 && value(cell) <= 9) {
      hidden.set(key, "fewer_than_10");
    }
  }
  const counts = lines.map((line) => line.filter((cell) => hidden.has(name(cell))).length);
  let single = counts.map((count, number) => (count === 1 ? number : -1)).filter((n) => n >= 0);
  while (single.length) {
    single.sort((a, b) => a - b);
    const number = single.shift();
    if (counts[number] !== 1) {
      continue;
    }
    let best = null;
    lines[number].forEach((cell, position) => {
      if (hidden.has(name(cell)) || !value(cell)) {
        return;
      }
      const crossing = linesOf.get(name(cell)).filter((other) => other !== number).map((other) => counts[other]);
      const cost = [crossing.filter((c) => c === 0).length - crossing.filter((c) => c === 1).length, value(cell), position];
      if (best === null || cost[0] < best[0][0] || (cost[0] === best[0][0] && (cost[1] < best[0][1] || (cost[1] === best[0][1] && cost[2] < best[0][2])))) {
        best = [cost, cell];
      }
    });
    const chosen = name(best[1]);
    hidden.set(chosen, "withheld");
    for (const other of linesOf.get(chosen)) {
      counts[other] += 1;
      if (counts[other] === 1) {
        single.push(other);
      }
    }
  }
  return grids.map((grid, t) => grid.map((row, r) => row.map((_, c) => hidden.get(name(cellOf(t, r, c))) || "shown")));
}

function cellOf(value, mark) {
  if (mark === "shown") {
    return { value, display: value.toLocaleString("en-US"), suppressed: null };
  }
  return { value: null, display: mark === "fewer_than_10" ? "fewer than 10" : "withheld", suppressed: mark };
}

// (values by attribute, count) of a published set: counted rows, [value, …, count] (method 5), or one object
// per record (methods 3 and 4), identical ones counted together (tallies.counted_rows).
function countedRows(rowSet) {
  const order = rowSet.attributes;
  const found = new Map();
  for (const row of rowSet.rows) {
    const values = Array.isArray(row) ? row.slice(0, order.length) : order.map((a) => row[a]);
    const key = JSON.stringify(values);
    found.set(key, (found.get(key) || 0) + (Array.isArray(row) ? row[order.length] : 1));
  }
  return Array.from(found, ([key, n]) => {
    const values = JSON.parse(key);
    return [Object.fromEntries(order.map((a, i) => [a, values[i]])), n];
  });
}

function layout(method, spec, sets) {
  const counted = countedRows(sets[spec.rows_from]).filter(([row]) => spec.only.every(([a, v]) => row[a] === v));
  const lineKeys = labelled(method, spec, spec.row_attribute, new Set(counted.map(([row]) => row[spec.row_attribute])));
  const columnKeys = labelled(method, spec, spec.column_attribute, new Set(counted.map(([row]) => row[spec.column_attribute])));
  const lines = new Map(lineKeys.map(([key], i) => [key, i]));
  const columns = new Map(columnKeys.map(([key], i) => [key, i]));
  const matrix = lineKeys.map(() => columnKeys.map(() => 0));
  counted.forEach(([row, n]) => { matrix[lines.get(row[spec.row_attribute])][columns.get(row[spec.column_attribute])] += n; });
  return { lineKeys, columnKeys, grid: extend(matrix, columnKeys.length) };
}

// flows.py's withheld_zeros: a 0 that may hold withheld records (its line's or column's records moved to
// the "Withheld" line or column) is marked withheld, so it never reads as a true zero.
function withheldZeros(lineKeys, columnKeys, grid, marks) {
  const width = columnKeys.length;
  const last = grid.length - 1;
  const wl = lineKeys.findIndex(([key]) => key === WITHHELD);
  const wc = columnKeys.findIndex(([key]) => key === WITHHELD);
  const heldLine = wl >= 0 && grid[wl][width] > 0;
  const heldColumn = wc >= 0 && grid[last][wc] > 0;
  if (!heldLine && !heldColumn) {
    return marks;
  }
  const out = marks.map((line) => line.slice());
  for (let i = 0; i < grid.length; i += 1) {
    for (let j = 0; j <= width; j += 1) {
      if (grid[i][j] || out[i][j] !== "shown" || i === wl || j === wc || (i === last && j === width)) {
        continue;
      }
      let mayHold = false;
      if (wl >= 0 && i !== last) {
        mayHold = grid[wl][j] > 0 || (wc >= 0 && j !== width && grid[wl][wc] > 0);
      }
      if (wc >= 0 && j !== width) {
        mayHold = mayHold || grid[i][wc] > 0 || (wl >= 0 && i !== last && grid[wl][wc] > 0);
      }
      if (mayHold) {
        out[i][j] = "withheld";
      }
    }
  }
  return out;
}

function tablesOf(method, specs, sets) {
  const layouts = specs.map((spec) => layout(method, spec, sets));
  const marks = [];
  const groups = new Map();
  specs.forEach((spec, i) => {
    const group = spec.group || "#" + i;
    if (!groups.has(group)) {
      groups.set(group, []);
    }
    groups.get(group).push(i);
  });
  for (const members of groups.values()) {
    suppressGroup(members.map((i) => layouts[i].grid)).forEach((m, k) => { marks[members[k]] = m; });
  }
  return specs.map((spec, i) => {
    const { lineKeys, columnKeys, grid } = layouts[i];
    const m = withheldZeros(lineKeys, columnKeys, grid, marks[i]);
    const width = columnKeys.length;
    const table = {
      id: spec.id,
      title: spec.title,
      shows: spec.shows,
      cannot_show: spec.cannot_show,
      measure: spec.measure,
      rows_from: spec.rows_from,
      rows_published: sets[spec.rows_from].published,
      row_heading: method.headings[spec.row_attribute],
      row_attribute: spec.row_attribute,
      column_attribute: spec.column_attribute,
      only: spec.only,
      columns: columnKeys.map(([key, label]) => ({ key, label })),
      rows: lineKeys.map(([key, label], r) => ({
        key,
        label,
        cells: grid[r].slice(0, width).map((v, c) => cellOf(v, m[r][c])),
        total: cellOf(grid[r][width], m[r][width]),
      })),
      totals: {
        cells: grid[grid.length - 1].slice(0, width).map((v, c) => cellOf(v, m[grid.length - 1][c])),
        total: cellOf(grid[grid.length - 1][width], m[grid.length - 1][width]),
      },
    };
    if (!sets[spec.rows_from].published) {
      for (const line of [...table.rows, table.totals]) {
        line.cells = line.cells.map(() => cellOf(0, "withheld"));
        line.total = cellOf(0, "withheld");
      }
      table.totals.total = cellOf(0, sets[spec.rows_from].part_not_published ? "withheld" : "fewer_than_10");
    }
    return table;
  });
}

// Python's round(x, 1) (ties to even) and repr of the result.
function percentOf(part, whole) {
  const x = (100 * part) / whole;
  let rounded = Number(x.toFixed(1));
  if (Number.isInteger(x * 4) && (x * 4) % 2 === 1) {
    const low = Math.floor(x * 10);
    rounded = (low % 2 === 0 ? low : low + 1) / 10;
  }
  return rounded;
}

function share(table, rowKey) {
  const row = table.rows.find((r) => r.key === rowKey);
  const part = row.total.value;
  const whole = table.totals.total.value;
  const held = table.rows.find((r) => r.key === WITHHELD);
  if (held !== undefined && held.total.value !== 0) {
    // Some requests' value was withheld: how many of them hold rowKey is not published, so neither is the share.
    return { percent: null, display: "not published: withheld requests" };
  }
  if (part === null || whole === null) {
    return { percent: null, display: "not published: " + row.total.display + " requests" };
  }
  if (whole === 0) {
    return { percent: null, display: "no requests" };
  }
  const percent = percentOf(part, whole);
  const shown = Number.isInteger(percent) ? percent + ".0" : String(percent);
  return { percent, display: shown + "% (" + part.toLocaleString("en-US") + " of " + whole.toLocaleString("en-US") + " requests)" };
}

function dayRange(label) {
  const [low, high] = label.split("-");
  return [Number(low), Number(high === undefined ? low : high)];
}

function timeToDecision(sets) {
  const rowSet = sets.decision_days;
  const ranked = countedRows(rowSet).map(([row, n]) => [row.business_days_exact, n]).sort(([a], [b]) => {
    const [x, y] = [dayRange(a), dayRange(b)];
    return x[0] - y[0] || x[1] - y[1];
  });
  const total = ranked.reduce((sum, [, n]) => sum + n, 0);
  if (!rowSet.published || !total) {
    return {
      published: false,
      median_business_days: null,
      p90_business_days: null,
      display: rowSet.published
        ? "no decided requests"
        : rowSet.part_not_published
          ? "not published: withheld requests"
          : "not published: fewer than 10 decided requests",
    };
  }
  const nearest = (s) => {
    const rank = Math.max(1, Math.ceil(s * total));
    let seen = 0;
    for (const [label, n] of ranked) {
      seen += n;
      if (seen >= rank) {
        return label;
      }
    }
    return null;
  };
  return { published: true, median_business_days: nearest(0.5), p90_business_days: nearest(0.9), display: null };
}

function differences(path, mine, theirs, out) {
  if (out.length >= 40) {
    return;
  }
  if (mine !== null && theirs !== null && typeof mine === "object" && typeof theirs === "object") {
    const keys = new Set(Object.keys(mine).concat(Object.keys(theirs)));
    if (Array.isArray(mine) && Array.isArray(theirs) && mine.length !== theirs.length) {
      out.push(path + ": " + theirs.length + " published, " + mine.length + " counted");
      return;
    }
    keys.forEach((key) => {
      const item = Array.isArray(mine) && mine[key] ? mine[key] : {};
      const label = item.id !== undefined ? item.id : item.key !== undefined ? item.key : key;
      differences(path + " › " + label, mine[key] === undefined ? null : mine[key], theirs[key] === undefined ? null : theirs[key], out);
    });
    return;
  }
  if (mine !== theirs) {
    out.push(path + ": " + JSON.stringify(theirs) + " published, " + JSON.stringify(mine) + " counted from the rows");
  }
}

function recountProblems(method, figures, sets) {
  const problems = [];
  for (const [name, order] of Object.entries(method.row_sets)) {
    if (!sets[name]) {
      problems.push("rows " + name + ": missing");
      continue;
    }
    const counted = figures.method_version >= 5;
    const shaped = sets[name].rows.every((row) => (counted
      ? Array.isArray(row) && row.length === order.length + 1 && Number.isInteger(row[order.length]) && row[order.length] > 0
      : !Array.isArray(row) && row !== null && typeof row === "object"));
    if (!shaped) {
      problems.push("rows " + name + ": a row that is not " + (counted ? order.length + " values and a count" : "one record"));
      continue;
    }
    if (counted && new Set(sets[name].rows.map((row) => canonical(row.slice(0, order.length)))).size !== sets[name].rows.length) {
      problems.push("rows " + name + ": a combination published twice");
    }
    if (countedRows(sets[name]).some(([, n]) => n < method.smallest_group)) {
      problems.push("rows " + name + ": a combination shared by fewer than 10 rows");
    }
  }
  if (problems.length) {
    return problems;
  }
  [...figures.tables, ...figures.flows.tables].forEach((table) => {
    [...table.rows, table.totals].forEach((line) => [...line.cells, line.total].forEach((cell) => {
      if (typeof cell.value === "number" && cell.value > 0 && cell.value < method.smallest_group) {
        problems.push(table.title + ": shows " + cell.value + ", under 10");
      }
    }));
  });
  const tables = tablesOf(method, method.report_tables, sets);
  const byId = new Map(tables.map((t) => [t.id, t]));
  differences("tables", tables, figures.tables, problems);
  differences("flows", tablesOf(method, method.flow_tables, sets), figures.flows.tables, problems);
  differences("shares", {
    nondisclosure_order: share(byId.get("requests_by_nondisclosure_order"), "true"),
    emergency: share(byId.get("requests_by_emergency"), "true"),
  }, figures.shares, problems);
  differences("time to decision", timeToDecision(sets), figures.time_to_decision, problems);
  differences("outcomes", method.values.outcome.map(([key, label]) => ({ key, label })), figures.outcomes, problems);
  return problems;
}

async function fetchBytes(url) {
  const answer = await fetch(url, { credentials: "omit" });
  if (!answer.ok) {
    throw new Error(url + ": " + answer.status);
  }
  return new Uint8Array(await answer.arrayBuffer());
}

async function verify(box, method) {
  const result = box.querySelector(".transparency-verify-result");
  result.textContent = "…";
  try {
    const [figuresBytes, rowsBytes, publicationBytes, keyBytes] = await Promise.all(
      [box.dataset.figures, box.dataset.rows, box.dataset.publication, box.dataset.key].map(fetchBytes),
    );
    const decoder = new TextDecoder();
    const figures = JSON.parse(decoder.decode(figuresBytes));
    const rows = JSON.parse(decoder.decode(rowsBytes));
    const publication = JSON.parse(decoder.decode(publicationBytes));
    const problems = [];
    // The ledger entry of the publication, and the checkpoint the report is bound to.
    const data = fromBase64(publication.data);
    const leaf = JSON.parse(decoder.decode(data));
    const envelope = JSON.parse(publication.record);
    const record = envelope.record;
    if (leaf.index !== publication.index || leaf.record_sha256 !== hex(await sha256(encoder.encode(publication.record)))) {
      problems.push("the ledger entry's record is not the one its leaf commits to");
    }
    if (envelope.event_type !== "transparency.report_published" || record.period !== figures.period.key) {
      problems.push("the ledger entry does not record this report's publication");
    }
    if (record.figures_sha256 !== hex(await sha256(figuresBytes))) {
      problems.push("the figures are not the ones ledger entry " + publication.index + " records");
    }
    if (record.rows_sha256 !== hex(await sha256(rowsBytes))) {
      problems.push("the rows are not the ones ledger entry " + publication.index + " records");
    }
    const bound = publication.checkpoint;
    const root = await inclusionRoot(publication.index, bound.size, await sha256(concat(Uint8Array.of(0), data)), publication.inclusion.map(fromBase64));
    if (root === null || hex(root) !== bound.root_hash) {
      problems.push("ledger entry " + publication.index + " is not in the tree of checkpoint " + bound.size);
    }
    problems.push(...(await signatureProblems(bound.note, decoder.decode(keyBytes), bound.size, bound.root_hash)));
    // The rows the figures name, and everything counted again from them.
    if (hex(await sha256(encoder.encode(canonical(rows.sets)))) !== figures.flows.rows_sha256) {
      problems.push("the rows are not the ones the report names (SHA-256)");
    }
    if (rows.checkpoint.size !== figures.checkpoint.size || rows.checkpoint.root_hash !== figures.checkpoint.root_hash) {
      problems.push("the rows name another checkpoint");
    }
    problems.push(...recountProblems(method, figures, rows.sets));
    result.textContent = problems.length ? box.dataset.fail + " " + problems.join("; ") : box.dataset.ok;
    box.dataset.verified = problems.length ? "fail" : "ok";
  } catch (error) {
    result.textContent = box.dataset.fail + " " + error;
    box.dataset.verified = "fail";
  }
}

function start() {
  const spec = document.getElementById("transparency-method");
  if (!spec) {
    return;
  }
  const method = JSON.parse(spec.textContent);
  document.querySelectorAll(".transparency-verify").forEach((box) => {
    box.querySelector(".transparency-verify-button").addEventListener("click", () => verify(box, method));
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
