/* Checking and hashing ledger entries a batch at a time, for `brightline ledger verify`.
 *
 * Verifying a log hashes every leaf, every event record and every interior node: three SHA-256 calls
 * an entry. Through hashlib each call costs about 0.3 µs of object and context set-up before a byte is
 * hashed, and the canonical-form check through `re` costs more than the three; here one call checks and
 * hashes a whole batch with one reused OpenSSL context. The module is optional:
 * brightline.ledger.batches has the same functions in Python and uses them when this was not built.
 *
 *   node_level(level) -> bytes                SHA-256(0x01 ‖ left ‖ right) for each pair of 32-byte
 *                                             hashes; a trailing odd hash is left out
 *   check_batch(rows, first) -> bytes | None  the leaf hashes of rows (index, data, leaf_hash, record)
 *                                             when each is entry first + i in canonical form, committing
 *                                             to its record, with its stored leaf hash; else None
 *
 * check_batch reads the canonical leaf with a scanner that accepts exactly what the regular expression
 * batches.CANONICAL_LEAF accepts (tests/test_batches.py holds the two to each other). It only says
 * yes or no; the entry-by-entry check in Python names what is wrong.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#define HASH_SIZE 32

static EVP_MD *sha256_md = NULL; /* fetched once: an implicit fetch per call is most of hashlib's cost */

static int digest(EVP_MD_CTX *ctx, const unsigned char *prefix, size_t prefix_length,
                  const unsigned char *data, size_t length, unsigned char *out) {
    unsigned int size = 0;
    return EVP_DigestInit_ex2(ctx, sha256_md, NULL) == 1
           && (prefix_length == 0 || EVP_DigestUpdate(ctx, prefix, prefix_length) == 1)
           && EVP_DigestUpdate(ctx, data, length) == 1
           && EVP_DigestFinal_ex(ctx, out, &size) == 1 && size == HASH_SIZE;
}

static PyObject *node_level(PyObject *module, PyObject *arg) {
    Py_buffer level;
    if (PyObject_GetBuffer(arg, &level, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    if (level.len % HASH_SIZE != 0) {
        PyBuffer_Release(&level);
        PyErr_SetString(PyExc_ValueError, "level: a whole number of 32-byte hashes");
        return NULL;
    }
    Py_ssize_t pairs = level.len / (2 * HASH_SIZE);
    PyObject *result = PyBytes_FromStringAndSize(NULL, pairs * HASH_SIZE);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = result != NULL && ctx != NULL;
    if (ok) {
        const unsigned char *in = level.buf;
        unsigned char *out = (unsigned char *)PyBytes_AS_STRING(result);
        static const unsigned char node_prefix[1] = {0x01};
        Py_BEGIN_ALLOW_THREADS
        for (Py_ssize_t i = 0; ok && i < pairs; i++) {
            ok = digest(ctx, node_prefix, 1, in + i * 2 * HASH_SIZE, 2 * HASH_SIZE, out + i * HASH_SIZE);
        }
        Py_END_ALLOW_THREADS
    }
    EVP_MD_CTX_free(ctx);
    PyBuffer_Release(&level);
    if (!ok) {
        Py_XDECREF(result);
        if (!PyErr_Occurred()) {
            PyErr_SetString(PyExc_RuntimeError, "OpenSSL could not compute SHA-256");
        }
        return NULL;
    }
    return result;
}

/* ---- the canonical leaf ---- */

typedef struct {
    const unsigned char *at;
    const unsigned char *end;
} Scan;

static int literal(Scan *scan, const char *text, size_t length) {
    if ((size_t)(scan->end - scan->at) < length || memcmp(scan->at, text, length) != 0) {
        return 0;
    }
    scan->at += length;
    return 1;
}
#define LITERAL(scan, text) literal(scan, text, sizeof(text) - 1)

static int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_alnum(unsigned char c) { return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z'); }

/* [a-z][a-z0-9_]*, at most `most` characters after the first (-1: no limit) */
static int name(Scan *scan, Py_ssize_t most) {
    if (scan->at == scan->end || !is_lower(*scan->at)) {
        return 0;
    }
    scan->at++;
    Py_ssize_t taken = 0;
    while (scan->at < scan->end && (is_lower(*scan->at) || is_digit(*scan->at) || *scan->at == '_')) {
        if (most >= 0 && taken == most) {
            return 0; /* the regex takes at most `most` and then needs what follows, not another one */
        }
        scan->at++;
        taken++;
    }
    return 1;
}

/* 0|[1-9][0-9]* */
static int number(Scan *scan) {
    if (scan->at == scan->end || !is_digit(*scan->at)) {
        return 0;
    }
    if (*scan->at++ == '0') {
        return 1;
    }
    while (scan->at < scan->end && is_digit(*scan->at)) {
        scan->at++;
    }
    return 1;
}

/* "[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}" */
static int token(Scan *scan) {
    if (!LITERAL(scan, "\"") || scan->at == scan->end || !is_alnum(*scan->at)) {
        return 0;
    }
    scan->at++;
    for (int taken = 0; scan->at < scan->end && *scan->at != '"'; taken++) {
        unsigned char c = *scan->at;
        if (taken == 63 || !(is_alnum(c) || c == '.' || c == '_' || c == ':' || c == '-')) {
            return 0;
        }
        scan->at++;
    }
    return LITERAL(scan, "\"");
}

static int digits(Scan *scan, int count) {
    if (scan->end - scan->at < count) {
        return 0;
    }
    for (int i = 0; i < count; i++) {
        if (!is_digit(scan->at[i])) {
            return 0;
        }
    }
    scan->at += count;
    return 1;
}

/* Is data the canonical leaf of entry `index` whose record hashes to `record_hex`? Either form:
 * {"index":…,"record_sha256":…,"time":…} (what ledger_append writes), or the earlier form with
 * "event_type" before and "subject" after those keys (logs written before keep those leaves). */
static int canonical_leaf(const unsigned char *data, Py_ssize_t length, long long index,
                          const unsigned char *record_hex) {
    Scan scan = {data, data + length};
    char decimal[24];
    int width = snprintf(decimal, sizeof decimal, "%lld", index);
    int legacy = LITERAL(&scan, "{\"event_type\":\"");
    if (legacy) {
        if (!name(&scan, -1)) {
            return 0;
        }
        do {
            if (!LITERAL(&scan, ".") || !name(&scan, -1)) {
                return 0;
            }
        } while (scan.at < scan.end && *scan.at == '.');
        if (!LITERAL(&scan, "\",\"index\":")) {
            return 0;
        }
    } else if (!LITERAL(&scan, "{\"index\":")) {
        return 0;
    }
    if (!literal(&scan, decimal, (size_t)width) || !LITERAL(&scan, ",\"record_sha256\":\"")
        || !literal(&scan, (const char *)record_hex, 64) || !LITERAL(&scan, "\",")) {
        return 0;
    }
    if (legacy) {
        if (!LITERAL(&scan, "\"subject\":{")) {
            return 0;
        }
        if (scan.at < scan.end && *scan.at == '"') {
            do {
                if (!LITERAL(&scan, "\"") || !name(&scan, 63) || !LITERAL(&scan, "\":")) {
                    return 0;
                }
                if (!(scan.at < scan.end && *scan.at == '"' ? token(&scan) : number(&scan))) {
                    return 0;
                }
            } while (scan.at < scan.end && *scan.at == ',' && scan.at++);
        }
        if (!LITERAL(&scan, "},")) {
            return 0;
        }
    }
    return LITERAL(&scan, "\"time\":\"") && digits(&scan, 4) && LITERAL(&scan, "-") && digits(&scan, 2)
           && LITERAL(&scan, "-") && digits(&scan, 2) && LITERAL(&scan, "T") && digits(&scan, 2)
           && LITERAL(&scan, ":") && digits(&scan, 2) && LITERAL(&scan, ":") && digits(&scan, 2)
           && LITERAL(&scan, ".") && digits(&scan, 6) && LITERAL(&scan, "Z\"}") && scan.at == scan.end;
}

static int bytes_of(PyObject *item, Py_buffer *view, const unsigned char **data, Py_ssize_t *length) {
    view->obj = NULL;
    if (PyBytes_CheckExact(item)) {
        *data = (const unsigned char *)PyBytes_AS_STRING(item);
        *length = PyBytes_GET_SIZE(item);
        return 1;
    }
    if (PyObject_GetBuffer(item, view, PyBUF_SIMPLE) < 0) {
        PyErr_Clear();
        return 0;
    }
    *data = view->buf;
    *length = view->len;
    return 1;
}

static int check_row(EVP_MD_CTX *ctx, PyObject *row, long long index, unsigned char *leaf) {
    static const unsigned char leaf_prefix[1] = {0x00};
    static const char hex_digits[] = "0123456789abcdef";
    if (!PyTuple_Check(row) || PyTuple_GET_SIZE(row) != 4) {
        return 0;
    }
    int overflow = 0;
    long long stored_index = PyLong_Check(PyTuple_GET_ITEM(row, 0))
                                 ? PyLong_AsLongLongAndOverflow(PyTuple_GET_ITEM(row, 0), &overflow)
                                 : -1;
    if (overflow || stored_index != index || PyErr_Occurred()) {
        PyErr_Clear();
        return 0;
    }
    Py_buffer views[3];
    const unsigned char *data, *stored, *record;
    Py_ssize_t data_length, stored_length, record_length;
    int have = 0, ok = 0;
    if (bytes_of(PyTuple_GET_ITEM(row, 1), &views[0], &data, &data_length)) {
        have = 1;
        if (bytes_of(PyTuple_GET_ITEM(row, 2), &views[1], &stored, &stored_length)) {
            have = 2;
            if (PyTuple_GET_ITEM(row, 3) != Py_None
                && bytes_of(PyTuple_GET_ITEM(row, 3), &views[2], &record, &record_length)) {
                have = 3;
                unsigned char record_hash[HASH_SIZE], record_hex[2 * HASH_SIZE];
                ok = digest(ctx, NULL, 0, record, record_length, record_hash);
                for (int j = 0; ok && j < HASH_SIZE; j++) {
                    record_hex[2 * j] = hex_digits[record_hash[j] >> 4];
                    record_hex[2 * j + 1] = hex_digits[record_hash[j] & 15];
                }
                ok = ok && canonical_leaf(data, data_length, index, record_hex)
                     && digest(ctx, leaf_prefix, 1, data, data_length, leaf) && stored_length == HASH_SIZE
                     && memcmp(leaf, stored, HASH_SIZE) == 0;
            }
        }
    }
    for (int i = 0; i < have; i++) {
        if (views[i].obj != NULL) {
            PyBuffer_Release(&views[i]);
        }
    }
    return ok;
}

static PyObject *check_batch(PyObject *module, PyObject *args) {
    PyObject *rows;
    long long first;
    if (!PyArg_ParseTuple(args, "OL:check_batch", &rows, &first)) {
        return NULL;
    }
    PyObject *seq = PySequence_Fast(rows, "rows: a sequence of (index, data, leaf_hash, record) tuples");
    if (seq == NULL) {
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject *result = PyBytes_FromStringAndSize(NULL, count * HASH_SIZE);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = result != NULL && ctx != NULL;
    if (ok) {
        unsigned char *out = (unsigned char *)PyBytes_AS_STRING(result);
        PyObject **items = PySequence_Fast_ITEMS(seq);
        for (Py_ssize_t i = 0; ok && i < count; i++) {
            ok = check_row(ctx, items[i], first + i, out + i * HASH_SIZE);
        }
    }
    EVP_MD_CTX_free(ctx);
    Py_DECREF(seq);
    if (result == NULL || ctx == NULL) {
        Py_XDECREF(result);
        return PyErr_Occurred() ? NULL : PyErr_NoMemory();
    }
    if (!ok) {
        Py_DECREF(result);
        Py_RETURN_NONE;
    }
    return result;
}

static PyMethodDef methods[] = {
    {"node_level", node_level, METH_O,
     "node_level(level) -> bytes: SHA-256(0x01 + left + right) of each pair of 32-byte hashes."},
    {"check_batch", check_batch, METH_VARARGS,
     "check_batch(rows, first) -> bytes | None: the leaf hashes when every row checks out, else None."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "brightline.ledger._speedups",
    "Batch SHA-256 for ledger verification (see brightline.ledger.hashing).", -1, methods,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    if (sha256_md == NULL) {
        sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
        if (sha256_md == NULL) {
            PyErr_SetString(PyExc_ImportError, "OpenSSL has no SHA-256");
            return NULL;
        }
    }
    return PyModule_Create(&module);
}
