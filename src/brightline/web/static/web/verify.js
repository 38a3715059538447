// Bright Line: check the ledger in the visitor's own browser (the /verify/ page).
//
// The same steps, in the same order, as `brightline ledger verify-remote --key KEY --receipt RECEIPT`
// (ledger/remote.py and ledger/receipts.py), and a failure is named by the same code:
//   key        the verifier key is not <name>+<8 hex digits>+<base64 of 0x01 and a 32-byte Ed25519 key>
//   receipt    the receipt is not {"index", "leaf", "size"} (checked before anything is fetched)
//   fetch      a page of the site could not be fetched or read
//   checkpoint the checkpoint is not a C2SP signed note
//   signature  no Ed25519 signature by the key over the checkpoint, or another log's origin
//   shrank     the latest checkpoint covers fewer entries than the receipt's
//   inclusion  the proof does not lead from the receipt's leaf hash to the signed root (RFC 9162 2.1.3.2)
//   entry      the published entry does not hash to the receipt's leaf hash or names another index
// Ed25519 comes from @noble/ed25519 (strict RFC 8032 verification, as OpenSSL does), SHA-256 from WebCrypto.
// The page works without this file: it explains the ledger and shows the checkpoint and the key.
import { verifyAsync } from "../vendor/noble/ed25519.js";

const DASH = "\u2014";
const encoder = new TextEncoder();

class Failure extends Error {
  constructor(code, detail) {
    super(detail || code);
    this.code = code;
  }
}

function fromBase64(text) {
  if (typeof text !== "string" || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    return null;
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) {
    bytes[i] = binary.charCodeAt(i);
  }
  return bytes;
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

function equal(a, b) {
  if (a.length !== b.length) {
    return false;
  }
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) {
    diff |= a[i] ^ b[i];
  }
  return diff === 0;
}

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

const leafHash = (data) => sha256(concat(Uint8Array.of(0), data));
const nodeHash = (left, right) => sha256(concat(Uint8Array.of(1), left, right));

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The verifier key: <name>+<8 hex digits of the key hash>+<base64(0x01 ‖ public key)> (ledger/notes.py).
async function parseKey(text) {
  const trimmed = text.trim();
  const first = trimmed.indexOf("+");
  const second = first < 0 ? -1 : trimmed.indexOf("+", first + 1);
  if (first <= 0 || second < 0) {
    throw new Failure("key");
  }
  const name = trimmed.slice(0, first);
  const hashHex = trimmed.slice(first + 1, second);
  const raw = fromBase64(trimmed.slice(second + 1));
  if (!raw || raw.length !== 33 || raw[0] !== 0x01 || !/^[0-9a-fA-F]{8}$/.test(hashHex)) {
    throw new Failure("key");
  }
  const publicKey = raw.slice(1);
  const keyHash = (await sha256(concat(encoder.encode(name + "\n"), Uint8Array.of(1), publicKey))).slice(0, 4);
  if (hex(keyHash) !== hashHex.toLowerCase()) {
    throw new Failure("key");
  }
  return { name, publicKey, keyHash };
}

// A receipt: exactly {"index", "leaf", "size"} (ledger/receipts.py).
function parseReceipt(text) {
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Failure("receipt", "not JSON");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new Failure("receipt", "not an object");
  }
  if (Object.keys(parsed).sort().join(",") !== "index,leaf,size") {
    throw new Failure("receipt", "keys");
  }
  const { index, size } = parsed;
  if (!Number.isSafeInteger(index) || index < 0 || !Number.isSafeInteger(size) || size < 1 || index >= size) {
    throw new Failure("receipt", "index or size");
  }
  const leaf = fromBase64(parsed.leaf);
  if (!leaf || leaf.length !== 32) {
    throw new Failure("receipt", "leaf");
  }
  return { index, size, leaf };
}

// A C2SP checkpoint in a signed note (ledger/notes.py parse_checkpoint).
function parseCheckpoint(text) {
  if (!text.endsWith("\n")) {
    throw new Failure("checkpoint");
  }
  const blank = text.indexOf("\n\n");
  if (blank < 0) {
    throw new Failure("checkpoint");
  }
  const body = text.slice(0, blank + 1);
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3 || !lines[0] || !/^(0|[1-9][0-9]*)$/.test(lines[1]) || lines.slice(3).some((l) => !l)) {
    throw new Failure("checkpoint");
  }
  const root = fromBase64(lines[2]);
  if (!root || root.length !== 32 || !Number.isSafeInteger(Number(lines[1]))) {
    throw new Failure("checkpoint");
  }
  const signatures = [];
  for (const line of text.slice(blank + 2).split(/(?<=\n)/)) {
    if (!line) {
      continue;
    }
    const parts = line.startsWith(DASH + " ") ? line.slice(2).replace(/\n$/, "").split(" ") : [];
    const raw = parts.length === 2 && parts[0] ? fromBase64(parts[1]) : null;
    if (!raw || raw.length < 5) {
      throw new Failure("checkpoint");
    }
    signatures.push({ name: parts[0], raw });
  }
  if (!signatures.length) {
    throw new Failure("checkpoint");
  }
  return { body, origin: lines[0], size: Number(lines[1]), root, signatures };
}

async function checkSignature(checkpoint, key) {
  for (const signature of checkpoint.signatures) {
    if (signature.name !== key.name || !equal(signature.raw.slice(0, 4), key.keyHash)) {
      continue;
    }
    if (signature.raw.length !== 68) {
      throw new Failure("signature");
    }
    let valid = false;
    try {
      valid = await verifyAsync(signature.raw.slice(4), encoder.encode(checkpoint.body), key.publicKey, {
        zip215: false,
      });
    } catch (error) {
      valid = false;
    }
    if (!valid) {
      throw new Failure("signature");
    }
    if (checkpoint.origin !== key.name) {
      throw new Failure("signature");
    }
    return;
  }
  throw new Failure("signature");
}

// RFC 9162 section 2.1.3.2, with BigInt: the bit operations of JavaScript numbers stop at 32 bits.
async function verifyInclusion(index, size, leaf, proof, root) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn > sn) {
    return false;
  }
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) {
      return false;
    }
    if (fn & 1n || fn === sn) {
      r = await nodeHash(p, r);
      if (!(fn & 1n)) {
        while (fn && !(fn & 1n)) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root);
}

async function fetchText(url) {
  let response;
  try {
    response = await fetch(url, { cache: "no-store", credentials: "omit" });
  } catch (error) {
    throw new Failure("fetch", url);
  }
  if (!response.ok) {
    throw new Failure("fetch", url);
  }
  return response.text();
}

async function fetchJson(url) {
  try {
    const parsed = JSON.parse(await fetchText(url));
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
      return parsed;
    }
  } catch (error) {
    if (error instanceof Failure) {
      throw error;
    }
  }
  throw new Failure("fetch", url);
}

async function fetchProof(url) {
  const answer = await fetchJson(url);
  if (!Array.isArray(answer.hashes)) {
    throw new Failure("fetch", url);
  }
  return answer.hashes.map((value) => {
    const bytes = fromBase64(value);
    if (!bytes || bytes.length !== 32) {
      throw new Failure("fetch", url);
    }
    return bytes;
  });
}

async function entryMatches(receipt, data) {
  if (!equal(await leafHash(data), receipt.leaf)) {
    return null;
  }
  try {
    const parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
    return parsed && parsed.index === receipt.index ? parsed : null;
  } catch (error) {
    return null;
  }
}

// The whole check. Resolves to {checkpoint, receipt, entry}; rejects with a Failure naming the step.
export async function verify({ keyText, receiptText, api }) {
  const key = await parseKey(keyText);
  const receipt = receiptText.trim() ? parseReceipt(receiptText) : null;
  const checkpoint = parseCheckpoint(await fetchText(api.checkpoint));
  await checkSignature(checkpoint, key);
  if (!receipt) {
    return { checkpoint, receipt: null, entry: null };
  }
  if (checkpoint.size < receipt.size) {
    throw new Failure("shrank");
  }
  const proof = await fetchProof(`${api.inclusion}?index=${receipt.index}&size=${checkpoint.size}`);
  const entries = (await fetchJson(`${api.entries}?start=${receipt.index}&end=${receipt.index}`)).entries;
  const data = Array.isArray(entries) && entries.length === 1 && entries[0] ? fromBase64(entries[0].data) : null;
  if (!data) {
    throw new Failure("fetch", api.entries);
  }
  if (!(await verifyInclusion(receipt.index, checkpoint.size, receipt.leaf, proof, checkpoint.root))) {
    throw new Failure("inclusion");
  }
  const entry = await entryMatches(receipt, data);
  if (!entry) {
    throw new Failure("entry");
  }
  return { checkpoint, receipt, entry };
}

// The page ------------------------------------------------------------------------------------------

function message(code) {
  const template = document.querySelector(`#brightline-verify-messages [data-code="${code}"]`);
  return template ? template.textContent.trim() : code;
}

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function show(form, outcome, code, text) {
  const result = form.querySelector("[data-verify-result]");
  const heading = result.querySelector("[data-verify-heading]");
  const body = result.querySelector("[data-verify-text]");
  result.hidden = false;
  result.dataset.verifyResult = outcome;
  result.dataset.code = code;
  result.classList.remove("usa-alert--success", "usa-alert--error", "usa-alert--info");
  result.classList.add(outcome === "pass" ? "usa-alert--success" : outcome === "fail" ? "usa-alert--error" : "usa-alert--info");
  heading.textContent = message(`heading-${outcome}`);
  body.textContent = text;
  result.focus();
}

// The entry's time in the district's time zone and the page's language, as the server writes times.
function localTime(iso, timeZone) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) {
    return iso;
  }
  const options = {
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "short",
  };
  try {
    return new Intl.DateTimeFormat(document.documentElement.lang || undefined, { ...options, timeZone }).format(when);
  } catch (error) {
    return new Intl.DateTimeFormat(undefined, options).format(when);
  }
}

async function run(form) {
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  show(form, "working", "working", "");
  try {
    const outcome = await verify({
      keyText: form.querySelector("[name=key]").value,
      receiptText: form.querySelector("[name=receipt]").value,
      api: {
        checkpoint: form.dataset.checkpointUrl,
        inclusion: form.dataset.inclusionUrl,
        entries: form.dataset.entriesUrl,
      },
    });
    if (outcome.receipt) {
      const text = fill(message("pass-receipt"), {
        index: outcome.receipt.index,
        size: outcome.checkpoint.size,
        time: localTime(outcome.entry.time, form.dataset.timeZone || undefined),
      });
      show(form, "pass", "receipt", text);
    } else {
      show(form, "pass", "checkpoint", fill(message("pass-checkpoint"), { size: outcome.checkpoint.size }));
    }
  } catch (error) {
    const code = error instanceof Failure ? error.code : "fetch";
    show(form, "fail", code, message(`fail-${code}`));
  } finally {
    button.disabled = false;
  }
}

function start() {
  const form = document.getElementById("brightline-verify-form");
  if (!form) {
    return;
  }
  form.hidden = false;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(form);
  });
  for (const button of document.querySelectorAll("[data-receipt]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      form.querySelector("[name=receipt]").value = button.dataset.receipt;
      form.scrollIntoView();
      run(form);
    });
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
