#!/usr/bin/env python3
"""check_api_docs.py - docs/API.md and docs/openapi.yaml against a live
`frontwatch serve` (tests/cli/test_api_docs.sh starts it and runs this).
Python 3 standard library only: YAML is read by the small parser below,
which knows the subset docs/openapi.yaml is written in and refuses the
rest (anchors, tags, several documents).

  check_api_docs.py examples --base URL --docs docs/API.md --mode full|sample
                             [--update]
  check_api_docs.py openapi  --base URL --spec docs/openapi.yaml
                             --routes ROUTES_FILE --mode full|sample

examples: every ```sh block of API.md that runs curl is run by bash with
$BASE set (curl gets --max-time and -D, so that the status of the block's
last request is known). The status wanted is 200, or the one a line
"# => NNN" of the block names. The answer block right after it (```json,
```xml, ```html or ```text) is compared with what the block printed:

  - a JSON answer is first pretty-printed (indent 2, keys in the server's
    order, json.dumps), so the documented block is that text;
  - the block is cut into segments by cut lines: a line that is "..." or
    starts with "// " (json). The first segment must be the first lines
    of the answer, exactly; each later one must be a run of lines found
    further on, in order. A block without a cut line is the whole answer;
  - a line ending in "  // varies" only has to match up to its first
    ": " (the key or header name): a value that depends on the clock or
    on the model file's creation time;
  - the server's own address (http://127.0.0.1:PORT) in an answer is
    compared as http://127.0.0.1:8080, the address the docs show.

  With --mode sample (the bundled sample data: other maps, no model) the
  answers differ from the documented ones, so only this is checked: a
  2xx example any of whose dates (YYYY-MM-DD in the block) lies outside
  the sample's map span (/api/meta first .. newest) is skipped (an error
  example runs: its status depends on the request), and so is one
  documented as 200 that answers 404 "no_model" when the server has no
  model; the others must answer the documented status, and a JSON answer
  must have the top-level keys the documented block shows (other answers:
  the same first line).

  --update rewrites each failing answer block from the live answer (full
  data only): its first segment as long as before, a cut line, and as
  many closing lines as the block had after its last cut.

openapi: every operation of the spec is requested with its parameters'
`example` values and must answer the one 2xx status it documents; each
entry of its `x-examples` (params: the complete set of path and query
parameters; query: raw text added to the query; status) must answer that
status. The answer's Content-Type
must be the documented media type; a JSON answer must validate against
the documented schema (type, required, properties, items, enum, $ref,
recursively); documented response headers with required: true must be
there. Then the route table (ROUTES_FILE: "path|is_prefix|params" lines
that the shell script cut out of src/server/api.c) must match the spec:
every route has its path (a prefix route "/api/x/" as "/api/x/{name}"),
the spec has no path the server lacks, and each route's query parameters
are exactly the documented ones. In sample mode an operation that needs
the model (x-needs-model: true) is skipped when the server has none.

Prints a line per check ("ok", "FAIL", "skip") and ends with
"NAME: N passed, N failed, N skipped"; exit 1 when something failed.
"""
import argparse
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT_S = 90          # one request
BLOCK_TIMEOUT_S = 180   # one ```sh block (it may make two requests)
DOC_BASE = "http://127.0.0.1:8080"


# ---- results -----------------------------------------------------------------

class Tally:
    def __init__(self, name):
        self.name = name
        self.passed = self.failed = self.skipped = 0

    def ok(self, what):
        self.passed += 1
        print("ok   %s" % what)

    def fail(self, what, why):
        self.failed += 1
        print("FAIL %s: %s" % (what, why))

    def skip(self, what, why):
        self.skipped += 1
        print("skip %s: %s" % (what, why))

    def close(self):
        print("%s: %d passed, %d failed, %d skipped"
              % (self.name, self.passed, self.failed, self.skipped))
        return 1 if self.failed else 0


# ---- a YAML subset -----------------------------------------------------------

class YamlError(Exception):
    pass


def _strip_comment(s):
    """s without a trailing # comment (a # after a space, outside quotes)."""
    q = None
    for i, c in enumerate(s):
        if q:
            if c == q:
                q = None
        elif c in "'\"" and (i == 0 or s[i - 1] in " [{,:"):
            q = c
        elif c == "#" and (i == 0 or s[i - 1] in " \t"):
            return s[:i].rstrip()
    return s.rstrip()


def _scalar(tok, where):
    t = tok.strip()
    if t == "":
        return None
    if t[0] == "'":
        if len(t) < 2 or t[-1] != "'":
            raise YamlError("%s: unterminated quote: %s" % (where, t))
        return t[1:-1].replace("''", "'")
    if t[0] == '"':
        try:
            return json.loads(t)
        except ValueError:
            raise YamlError("%s: bad double-quoted string: %s" % (where, t))
    if t[0] in "&*!|>%@`":
        raise YamlError("%s: unsupported YAML: %s" % (where, t))
    if t in ("null", "~", "Null", "NULL"):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if re.fullmatch(r"[-+]?[0-9]+", t):
        return int(t)
    if re.fullmatch(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?", t):
        return float(t)
    return t


def _flow(s, where):
    """A one-line flow collection: [a, b], {k: v}, nested."""
    pos = 0

    def ws():
        nonlocal pos
        while pos < len(s) and s[pos] == " ":
            pos += 1

    def token(stops):
        nonlocal pos
        ws()
        if pos < len(s) and s[pos] in "'\"":
            q = s[pos]
            j = pos + 1
            while j < len(s):
                if s[j] == q:
                    if q == "'" and j + 1 < len(s) and s[j + 1] == "'":
                        j += 2
                        continue
                    break
                if q == '"' and s[j] == "\\":
                    j += 1
                j += 1
            tok = s[pos:j + 1]
            pos = j + 1
            return _scalar(tok, where)
        j = pos
        while j < len(s) and s[j] not in stops:
            if s[j] == ":" and (j + 1 >= len(s) or s[j + 1] == " ") and ":" in stops:
                break
            j += 1
        tok = s[pos:j]
        pos = j
        return _scalar(tok, where)

    def value(stops):
        nonlocal pos
        ws()
        if pos < len(s) and s[pos] == "[":
            pos += 1
            out = []
            ws()
            if s[pos:pos + 1] == "]":
                pos += 1
                return out
            while True:
                out.append(value(",]"))
                ws()
                if s[pos:pos + 1] == ",":
                    pos += 1
                    continue
                if s[pos:pos + 1] == "]":
                    pos += 1
                    return out
                raise YamlError("%s: bad flow sequence: %s" % (where, s))
        if pos < len(s) and s[pos] == "{":
            pos += 1
            out = {}
            ws()
            if s[pos:pos + 1] == "}":
                pos += 1
                return out
            while True:
                k = token(":,}")
                ws()
                if s[pos:pos + 1] != ":":
                    raise YamlError("%s: bad flow mapping: %s" % (where, s))
                pos += 1
                out[k] = value(",}")
                ws()
                if s[pos:pos + 1] == ",":
                    pos += 1
                    continue
                if s[pos:pos + 1] == "}":
                    pos += 1
                    return out
                raise YamlError("%s: bad flow mapping: %s" % (where, s))
        return token(stops)

    v = value("")
    ws()
    if pos != len(s):
        raise YamlError("%s: trailing text in flow collection: %s" % (where, s))
    return v


def _depth(s):
    """Open brackets of s outside quotes."""
    d, q = 0, None
    for i, c in enumerate(s):
        if q:
            if c == q:
                q = None
        elif c in "'\"" and (i == 0 or s[i - 1] in " [{,:"):
            q = c
        elif c in "[{":
            d += 1
        elif c in "]}":
            d -= 1
    return d


def _split_key(text, where):
    """(key, rest) of "key: rest" / "key:", or None when not a mapping line."""
    if text[0] in "'\"":
        q = text[0]
        j = 1
        while j < len(text):
            if text[j] == q:
                if q == "'" and text[j + 1:j + 2] == "'":
                    j += 2
                    continue
                break
            if q == '"' and text[j] == "\\":
                j += 1
            j += 1
        if text[j + 1:j + 2] != ":" or text[j + 2:j + 3] not in ("", " "):
            return None
        return _scalar(text[:j + 1], where), text[j + 2:].strip()
    m = re.match(r"([^\s\[\]{},#&*!|>'\"%@`][^#]*?):(?: |$)(.*)$", text)
    if not m:
        return None
    return m.group(1).strip(), m.group(2).strip()


def load_yaml(text, name="yaml"):
    lines = []  # (indent, text, line number)
    raw = text.split("\n")
    for n, ln in enumerate(raw, 1):
        if "\t" in ln[:len(ln) - len(ln.lstrip())]:
            raise YamlError("%s:%d: a tab in the indentation" % (name, n))
        if ln.strip() in ("---", "..."):
            if lines:
                raise YamlError("%s:%d: several documents" % (name, n))
            continue
        lines.append((len(ln) - len(ln.lstrip(" ")), ln, n))
    pos = 0

    def skip_blank():
        nonlocal pos
        while pos < len(lines):
            s = lines[pos][1].strip()
            if s == "" or s.startswith("#"):
                pos += 1
            else:
                break

    def block_scalar(style, parent_indent):
        nonlocal pos
        chomp = style[1:]
        folded = style[0] == ">"
        body = []
        ind = None
        while pos < len(lines):
            i, ln, _ = lines[pos]
            if ln.strip() == "":
                body.append("")
                pos += 1
                continue
            if i <= parent_indent:
                break
            if ind is None:
                ind = i
            if i < ind:
                break
            body.append(ln[ind:])
            pos += 1
        while body and body[-1] == "":
            body.pop()
        if folded:
            out, para = [], []
            for b in body:
                if b == "":
                    out.append(" ".join(para))
                    para = []
                else:
                    para.append(b)
            out.append(" ".join(para))
            s = "\n".join(out)
        else:
            s = "\n".join(body)
        return s if chomp == "-" else s + "\n"

    def value_of(rest, indent, where):
        """The value after "key:" or "- ": inline, or the block below."""
        nonlocal pos
        rest = _strip_comment(rest)
        if rest in ("|", "|-", ">", ">-"):
            return block_scalar(rest, indent)
        if rest == "":
            skip_blank()
            if pos < len(lines):
                i, ln, _ = lines[pos]
                if i > indent or (i == indent and ln.strip().startswith("- ")):
                    return node(i)
            return None
        if rest[0] in "[{":
            # a flow collection may go on over the lines below
            while _depth(rest) > 0 and pos < len(lines):
                rest += " " + _strip_comment(lines[pos][1].strip())
                pos += 1
            return _flow(rest, where)
        return _scalar(rest, where)

    def node(indent):
        nonlocal pos
        skip_blank()
        i, ln, n = lines[pos]
        where = "%s:%d" % (name, n)
        text = ln.strip()
        if text == "-" or text.startswith("- "):
            out = []
            while True:
                skip_blank()
                if pos >= len(lines):
                    return out
                i, ln, n = lines[pos]
                where = "%s:%d" % (name, n)
                text = ln.strip()
                if i != indent or not (text == "-" or text.startswith("- ")):
                    if i > indent:
                        raise YamlError("%s: bad indentation" % where)
                    return out
                item = text[1:].lstrip()
                kv = _split_key(item, where) if item else None
                if kv is not None:
                    # "- key: v" and more keys below at the column of key
                    col = i + (len(text) - len(item))
                    lines[pos] = (col, " " * col + item, n)
                    out.append(node(col))
                else:
                    pos += 1
                    out.append(value_of(item, i, where))
        out = {}
        while True:
            skip_blank()
            if pos >= len(lines):
                return out
            i, ln, n = lines[pos]
            where = "%s:%d" % (name, n)
            if i < indent:
                return out
            if i > indent:
                raise YamlError("%s: bad indentation" % where)
            text = ln.strip()
            if text.startswith("- "):
                return out
            kv = _split_key(text, where)
            if kv is None:
                raise YamlError("%s: expected 'key: value': %s" % (where, text))
            k, rest = kv
            if k in out:
                raise YamlError("%s: key %r given twice" % (where, k))
            pos += 1
            out[k] = value_of(rest, i, where)

    skip_blank()
    if pos >= len(lines):
        return None
    doc = node(lines[pos][0])
    skip_blank()
    if pos < len(lines):
        raise YamlError("%s:%d: unexpected text" % (name, lines[pos][2]))
    return doc


# ---- HTTP ---------------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None


_opener = urllib.request.build_opener(NoRedirect)


def http_get(url, method="GET", headers=None):
    """(status, headers dict lower-case, body bytes)."""
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with _opener.open(req, timeout=TIMEOUT_S) as r:
            st, hd, body = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        st, hd, body = e.code, e.headers, e.read()
    h = {k.lower(): v for k, v in hd.items()}
    if h.get("content-encoding") == "gzip":
        body = gzip.decompress(body)
    return st, h, body


# ---- examples of API.md -------------------------------------------------------

FENCE = re.compile(r"^```(\w*)\s*$")


def doc_blocks(path):
    """[(lang, first line number, [lines])] of the fenced blocks."""
    out = []
    cur = None
    with open(path, encoding="utf-8") as f:
        for n, ln in enumerate(f, 1):
            ln = ln.rstrip("\n")
            m = FENCE.match(ln)
            if cur is None and m:
                cur = (m.group(1), n, [])
            elif cur is not None and ln.startswith("```"):
                out.append(cur)
                cur = None
            elif cur is not None:
                cur[2].append(ln)
    return out


def is_cut(line):
    s = line.strip()
    return s == "..." or s.startswith("... ") or s.startswith("// ")


VARIES = "  // varies"


def line_matches(doc, real):
    if doc.endswith(VARIES):
        d = doc[:-len(VARIES)].rstrip()
        i = d.find(": ")
        prefix = d[:i + 2] if i >= 0 else d
        return real.startswith(prefix)
    return doc == real


def segments(block):
    segs = [[]]
    for ln in block:
        if is_cut(ln):
            segs.append([])
        else:
            segs[-1].append(ln)
    return segs


def compare(block, real_lines):
    """None when block matches real_lines, else why not."""
    segs = segments(block)
    first = segs[0]
    if len(segs) == 1 and len(first) != len(real_lines):
        return "the answer has %d lines, the docs %d (and no cut line)" % (
            len(real_lines), len(first))
    for k, d in enumerate(first):
        if k >= len(real_lines):
            return "the answer ends before documented line %d: %r" % (k + 1, d)
        if not line_matches(d, real_lines[k]):
            return "line %d: documented %r, answered %r" % (k + 1, d, real_lines[k])
    at = len(first)
    for seg in segs[1:]:
        if not seg:
            continue
        found = -1
        for start in range(at, len(real_lines) - len(seg) + 1):
            if all(line_matches(d, real_lines[start + j]) for j, d in enumerate(seg)):
                found = start
                break
        if found < 0:
            return "documented lines %r... not found after line %d of the answer" % (
                seg[0], at)
        at = found + len(seg)
    return None


class RawNumber(str):
    """A JSON number as the server wrote it (0.00003 stays 0.00003)."""


def dump(v, ind=0):
    """v as json.dumps(v, indent=2, ensure_ascii=False) would, numbers as
    they came."""
    pad, pad2 = "  " * ind, "  " * (ind + 1)
    if isinstance(v, RawNumber):
        return str(v)
    if isinstance(v, dict):
        if not v:
            return "{}"
        return "{\n" + ",\n".join(
            pad2 + json.dumps(k, ensure_ascii=False) + ": " + dump(x, ind + 1)
            for k, x in v.items()) + "\n" + pad + "}"
    if isinstance(v, list):
        if not v:
            return "[]"
        return "[\n" + ",\n".join(pad2 + dump(x, ind + 1) for x in v) + "\n" + pad + "]"
    return json.dumps(v, ensure_ascii=False)


def pretty(kind, text, base):
    text = text.replace(base, DOC_BASE)
    if kind == "json":
        try:
            obj = json.loads(text, parse_float=RawNumber, parse_int=RawNumber)
            return dump(obj).split("\n")
        except ValueError:
            pass
    return [ln.rstrip("\r").rstrip() for ln in text.rstrip("\n").split("\n")]


def top_keys(block):
    return [m.group(1) for m in (re.match(r'^  "([^"]+)":', ln) for ln in segments(block)[0]) if m]


def run_block(code, base, hdr):
    prelude = (
        'curl() { command curl --max-time %d -D "$FW_HDR" "$@"; }\n' % TIMEOUT_S)
    env = dict(os.environ, BASE=base, FW_HDR=hdr)
    p = subprocess.run(["bash", "-c", prelude + code], env=env, capture_output=True,
                       timeout=BLOCK_TIMEOUT_S)
    status = None
    try:
        with open(hdr, encoding="latin-1") as f:
            for ln in f:
                m = re.match(r"HTTP/[0-9.]+ ([0-9]{3})", ln)
                if m:
                    status = int(m.group(1))  # the last response's
    except OSError:
        pass
    return p.returncode, status, p.stdout.decode("utf-8", "replace"), p.stderr.decode(
        "utf-8", "replace")


def examples(a):
    t = Tally("api_docs examples")
    blocks = doc_blocks(a.docs)
    st, _, body = http_get(a.base + "/api/meta")
    meta = json.loads(body) if st == 200 else {}
    span = (meta.get("first") or "0000-00-00", meta.get("newest") or "9999-99-99")
    has_model = meta.get("basis") == "model"
    updates = {}  # answer block index -> new lines
    n_examples = 0
    for bi, (lang, line_no, code) in enumerate(blocks):
        if lang != "sh" or not any(re.search(r"\bcurl\b", c) for c in code):
            continue
        n_examples += 1
        what = "API.md:%d" % line_no
        src = "\n".join(code)
        want = 200
        for c in code:
            m = re.match(r"^# => ([0-9]{3})\b", c.strip())
            if m:
                want = int(m.group(1))
        ans = blocks[bi + 1] if bi + 1 < len(blocks) else None
        if ans is None or ans[0] not in ("json", "xml", "html", "text"):
            t.fail(what, "no ```json, ```xml, ```html or ```text answer block right after")
            continue
        what += " " + next((c.strip() for c in code if "curl" in c), "").replace(
            "$BASE", "")[:110]
        if a.mode == "sample" and want < 300:
            outside = [d for d in re.findall(r"\b(20[0-9]{2}-[0-9]{2}-[0-9]{2})\b", src)
                       if not span[0] <= d <= span[1]]
            if outside:
                t.skip(what, "%s lies outside the sample's maps (%s .. %s)"
                       % (outside[0], span[0], span[1]))
                continue
        with tempfile.NamedTemporaryFile(prefix="fw_hdr") as h:
            try:
                rc, status, out, err = run_block(src, a.base, h.name)
            except subprocess.TimeoutExpired:
                t.fail(what, "no answer within %d s" % BLOCK_TIMEOUT_S)
                continue
        if rc != 0:
            t.fail(what, "the block exited %d: %s" % (rc, err.strip()[:300]))
            continue
        if (status == 404 and want == 200 and not has_model
                and '"no_model"' in out):
            t.skip(what, "the server has no model (sample data)")
            continue
        if status != want:
            t.fail(what, "status %s, documented %d; answer: %s" % (status, want, out[:300]))
            continue
        real = pretty(ans[0], out, a.base)
        if a.mode == "sample":
            if ans[0] == "json":
                try:
                    obj = json.loads(out)
                except ValueError:
                    t.fail(what, "not JSON: %s" % out[:200])
                    continue
                missing = [k for k in top_keys(ans[2])
                           if not isinstance(obj, dict) or k not in obj]
                if missing:
                    t.fail(what, "top-level keys missing: %s" % ", ".join(missing))
                    continue
            elif ans[2] and real[:1] != ans[2][:1] and not is_cut(ans[2][0]):
                t.fail(what, "first line %r, documented %r" % (real[:1], ans[2][:1]))
                continue
            t.ok(what)
            continue
        why = compare(ans[2], real)
        if why is None:
            t.ok(what)
            continue
        t.fail(what, why)
        if a.update:
            segs = segments(ans[2])
            n_head = max(len(segs[0]), 1)
            n_tail = len(segs[-1]) if len(segs) > 1 else 0
            cut = "// ..." if ans[0] == "json" else "..."
            if len(real) <= n_head + n_tail + 1:
                new = real
            else:
                head = real[:n_head]
                for k, d in enumerate(segs[0][:n_head]):
                    if d.endswith(VARIES) and k < len(head):
                        head[k] += VARIES
                new = head + ["%s (%d lines cut)" % (cut, len(real) - n_head - n_tail)]
                new += real[len(real) - n_tail:] if n_tail else []
            updates[bi + 1] = new
    if n_examples == 0:
        t.fail("API.md", "no ```sh example with curl")
    if a.update and updates:
        write_updates(a.docs, blocks, updates)
    return t.close()


def write_updates(path, blocks, updates):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    # from the end, so that line numbers stay right
    for bi in sorted(updates, reverse=True):
        lang, first, old = blocks[bi]
        lines[first:first + len(old)] = updates[bi]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    print("updated %d answer blocks of %s" % (len(updates), path))


# ---- the OpenAPI spec -------------------------------------------------------

JSON_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def resolve(spec, s):
    seen = 0
    while isinstance(s, dict) and "$ref" in s:
        ref = s["$ref"]
        if not ref.startswith("#/"):
            raise KeyError("only local $ref: " + ref)
        node = spec
        for part in ref[2:].split("/"):
            node = node[part]
        s = node
        seen += 1
        if seen > 20:
            raise KeyError("a $ref loop at " + ref)
    return s


def validate(spec, schema, v, path, errs, limit=20):
    """Appends to errs where v breaks schema (type, required, properties,
    items, enum, oneOf of types by $ref), recursively."""
    if len(errs) >= limit:
        return
    s = resolve(spec, schema)
    if not isinstance(s, dict):
        return
    if "oneOf" in s or "anyOf" in s:
        alts = s.get("oneOf") or s.get("anyOf")
        for alt in alts:
            e = []
            validate(spec, alt, v, path, e, limit)
            if not e:
                break
        else:
            errs.append("%s: matches none of its %d alternatives" % (path, len(alts)))
        return
    ty = s.get("type")
    if ty is not None:
        tys = ty if isinstance(ty, list) else [ty]
        bad = [x for x in tys if x not in JSON_TYPES]
        if bad:
            errs.append("%s: unknown type %s in the spec" % (path, bad))
            return
        if not any(JSON_TYPES[x](v) for x in tys):
            errs.append("%s: %s, documented %s" % (path, type(v).__name__ if v is not None
                                                   else "null", "/".join(tys)))
            return
    if "enum" in s and v not in s["enum"]:
        errs.append("%s: %r not one of %s" % (path, v, s["enum"]))
    if "const" in s and v != s["const"]:
        errs.append("%s: %r, documented %r" % (path, v, s["const"]))
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                errs.append("%s: required property %r missing" % (path, k))
        props = s.get("properties", {})
        for k, sub in props.items():
            if k in v:
                validate(spec, sub, v[k], "%s.%s" % (path, k), errs, limit)
        extra = s.get("additionalProperties")
        if isinstance(extra, dict):
            for k in v:
                if k not in props:
                    validate(spec, extra, v[k], "%s.%s" % (path, k), errs, limit)
    if isinstance(v, list) and "items" in s:
        for i, item in enumerate(v):
            validate(spec, s["items"], item, "%s[%d]" % (path, i), errs, limit)
            if len(errs) >= limit:
                return


def build_url(base, path, op_params, values):
    url = path
    query = []
    for p in op_params:
        name = p["name"]
        if name not in values or values[name] is None:
            if p.get("in") == "path":
                raise KeyError("path parameter %s has no value" % name)
            continue
        v = str(values[name])
        if p.get("in") == "path":
            url = url.replace("{%s}" % name, urllib.parse.quote(v, safe=""))
        else:
            query.append("%s=%s" % (urllib.parse.quote(name, safe=""),
                                    urllib.parse.quote(v, safe="-_.~,:")))
    unknown = set(values) - {p["name"] for p in op_params}
    if unknown:
        raise KeyError("x-examples names undocumented parameters: %s" % sorted(unknown))
    return base + url + ("?" + "&".join(query) if query else "")


def check_answer(spec, t, what, url, want, response, has_model, mode, needs_model):
    try:
        st, h, body = http_get(url)
    except Exception as e:  # a timeout, a refused connection
        t.fail(what, "%s: %s" % (url, e))
        return
    if mode == "sample" and needs_model and not has_model and st == 404 \
            and b'"no_model"' in body:
        t.skip(what, "the server has no model (sample data)")
        return
    if st != want:
        t.fail(what, "%s: status %d, documented %d: %s" % (url, st, want, body[:200]))
        return
    content = (response or {}).get("content") or {}
    ctype = h.get("content-type", "")
    if content:
        media = [m for m in content if ctype.split(";")[0].strip() == m]
        if not media:
            t.fail(what, "Content-Type %r, documented %s" % (ctype, list(content)))
            return
        schema = (content[media[0]] or {}).get("schema")
        if schema is not None and ("json" in media[0]):
            try:
                obj = json.loads(body)
            except ValueError:
                t.fail(what, "%s: not JSON" % url)
                return
            errs = []
            validate(spec, schema, obj, "$", errs)
            if errs:
                t.fail(what, "%s: %s" % (url, "; ".join(errs[:5])))
                return
    for name, hdef in ((response or {}).get("headers") or {}).items():
        hdef = resolve(spec, hdef)
        if hdef.get("required") and name.lower() not in h:
            t.fail(what, "%s: no %s header" % (url, name))
            return
    t.ok(what)


def openapi(a):
    t = Tally("api_docs openapi")
    with open(a.spec, encoding="utf-8") as f:
        try:
            spec = load_yaml(f.read(), os.path.basename(a.spec))
        except YamlError as e:
            t.fail("openapi.yaml", str(e))
            return t.close()
    try:  # where PyYAML is there, it must read the file the same way
        import yaml as pyyaml
        with open(a.spec, encoding="utf-8") as f:
            theirs = json.loads(json.dumps(pyyaml.safe_load(f), default=str))
        if theirs != spec:
            t.fail("openapi.yaml", "PyYAML reads it otherwise than this checker's "
                   "parser: keep to the subset of its header")
        else:
            t.ok("openapi.yaml read alike by PyYAML")
    except ImportError:
        pass
    for k in ("openapi", "info", "paths", "components"):
        if k not in spec:
            t.fail("openapi.yaml", "no %s" % k)
    if not str(spec.get("openapi", "")).startswith("3.1"):
        t.fail("openapi.yaml", "openapi: %r, not 3.1.x" % spec.get("openapi"))
    for k in ("Place", "Assessment", "Risk", "History", "FeatureCollection", "Error",
              "Meta", "Sources", "Alerts"):
        if k not in spec.get("components", {}).get("schemas", {}):
            t.fail("openapi.yaml", "no components/schemas/%s" % k)
    st, _, body = http_get(a.base + "/api/meta")
    has_model = st == 200 and json.loads(body).get("basis") == "model"
    paths = spec.get("paths") or {}
    for path, item in paths.items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method not in ("get", "head"):
                if method not in ("parameters", "summary", "description"):
                    t.fail("%s %s" % (method.upper(), path), "only GET/HEAD are served")
                continue
            params = [resolve(spec, p) for p in shared + op.get("parameters", [])]
            responses = {str(k): resolve(spec, v) for k, v in op.get("responses", {}).items()}
            ok_codes = [c for c in responses if c.startswith("2")]
            what = "%s %s" % (method.upper(), path)
            if len(ok_codes) != 1:
                t.fail(what, "documents %d 2xx answers, want exactly one" % len(ok_codes))
                continue
            needs_model = bool(op.get("x-needs-model"))
            values = {p["name"]: p["example"] for p in params if "example" in p}
            try:
                url = build_url(a.base, path, params, values)
            except KeyError as e:
                t.fail(what, str(e))
                continue
            check_answer(spec, t, what + " (example)", url, int(ok_codes[0]),
                         responses[ok_codes[0]], has_model, a.mode, needs_model)
            for i, ex in enumerate(op.get("x-examples") or []):
                want = str(ex.get("status"))
                if want not in responses:
                    t.fail(what, "x-examples[%d]: status %s is not among its responses"
                           % (i, want))
                    continue
                try:
                    url = build_url(a.base, path, params, ex.get("params") or {})
                    if ex.get("query"):  # raw, e.g. an undocumented parameter
                        url += ("&" if "?" in url else "?") + ex["query"]
                except KeyError as e:
                    t.fail(what, "x-examples[%d]: %s" % (i, e))
                    continue
                check_answer(spec, t, "%s (%s)" % (what, ex.get("summary", want)), url,
                             int(want), responses[want], has_model, a.mode,
                             needs_model and want.startswith("2"))
    # the route table against the spec
    routes = []
    with open(a.routes) as f:
        for ln in f:
            ln = ln.strip()
            if ln:
                p, pre, prm = ln.split("|")
                routes.append((p, pre == "1", prm.split()))
    if not routes:
        t.fail("routes", "no route read from src/server/api.c")
    matched = set()
    for rpath, is_prefix, rparams in routes:
        what = "route %s" % rpath
        if is_prefix:
            found = [p for p in paths if re.fullmatch(re.escape(rpath) + r"\{[A-Za-z_]+\}", p)]
        else:
            found = [p for p in paths if p == rpath]
        if not found:
            t.fail(what, "not in docs/openapi.yaml: document it")
            continue
        matched.update(found)
        for p in found:
            op = paths[p].get("get") or {}
            docq = sorted(x["name"] for x in
                          (resolve(spec, y) for y in paths[p].get("parameters", []) +
                           op.get("parameters", []))
                          if x.get("in") == "query")
            if docq != sorted(rparams):
                t.fail(what, "takes query parameters %s, the spec documents %s"
                       % (sorted(rparams), docq))
            else:
                t.ok(what)
    for p in paths:
        if p not in matched:
            t.fail("path %s" % p, "documented, but not in the server's route table")
    return t.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["examples", "openapi", "yaml"])
    ap.add_argument("--base")
    ap.add_argument("--docs", default="docs/API.md")
    ap.add_argument("--spec", default="docs/openapi.yaml")
    ap.add_argument("--routes")
    ap.add_argument("--mode", choices=["full", "sample"], default="full")
    ap.add_argument("--update", action="store_true")
    a = ap.parse_args()
    if a.what == "yaml":  # prints the spec as JSON: to compare parsers
        with open(a.spec, encoding="utf-8") as f:
            print(json.dumps(load_yaml(f.read(), a.spec), indent=1, sort_keys=True))
        return 0
    if a.base is None:
        ap.error("--base is needed")
    a.base = a.base.rstrip("/")
    return examples(a) if a.what == "examples" else openapi(a)


if __name__ == "__main__":
    sys.exit(main())
