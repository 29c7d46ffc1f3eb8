/*
 * json.c - JSON parsing for the readers (see json.h).
 *
 * Sits under the JSON readers (alerts.c, frontline.c), between the whole
 * buffer that io.c read and the cJSON tree they walk. One pass over the
 * input caps the nesting and notes how the document ends; fw_text_check
 * rejects bad bytes; cJSON parses; what cJSON does not say (where a
 * truncated file ends, text after the document) is worked out here.
 */
#include "frontwatch/json.h"

#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/text.h"

/* Largest document accepted: 64 MiB. cJSON's tree takes 4 times the text
 * of a real map (2.2 MB of NZZ GeoJSON, 9 MB in memory) and up to 40
 * times for a hostile one ("[0,0,0,...]": 64 bytes a node per 2 bytes of
 * text), so this bounds a parse to about 2.5 GiB. The largest real
 * document is 2.2 MB. */
#define MAX_DOC_BYTES ((size_t)64 << 20)

/* What the bracket scan learnt about the end of the input. */
struct json_end {
    int is_open;       /* ends inside a string, array or object, or empty */
    int in_string;     /* ends inside a string */
    size_t last_token; /* offset where the last token (or open string)
                        * began */
};

static int is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Scans brackets outside strings: FW_ELIMIT at the first one nested deeper
 * than FW_JSON_MAX_DEPTH. Unbalanced brackets are left to the parser. */
/* Byte classes for the scan, one table lookup a byte: it runs over every
 * byte of every map before the parser does. */
enum { C_OTHER = 0, C_SPACE, C_DELIM, C_QUOTE, C_OPEN, C_CLOSE };

static const unsigned char BYTE_CLASS[256] = {
    [' '] = C_SPACE, ['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\r'] = C_SPACE,
    [','] = C_DELIM, [':'] = C_DELIM,  ['"'] = C_QUOTE,  ['['] = C_OPEN,
    ['{'] = C_OPEN,  [']'] = C_CLOSE,  ['}'] = C_CLOSE,
};

static fw_err scan_nesting(const char *buf, size_t len, struct json_end *end,
                           struct fw_diag *d)
{
    const unsigned char *u = (const unsigned char *)buf;
    int depth = 0;
    int seen_value = 0;
    size_t last_token = 0;
    int prev_ends_token = 1; /* the byte before i is a space or delimiter */
    for (size_t i = 0; i < len; i++) {
        int cls = BYTE_CLASS[u[i]];
        if (cls == C_SPACE) {
            prev_ends_token = 1;
            continue;
        }
        seen_value = 1;
        if (prev_ends_token || cls != C_OTHER) {
            last_token = i;
        }
        prev_ends_token = cls != C_OTHER;
        if (cls == C_QUOTE) {
            /* skip the string; an escape hides the next byte */
            for (i++; i < len && u[i] != '"'; i++) {
                if (u[i] == '\\') {
                    i++;
                }
            }
            if (i >= len) {
                end->is_open = 1;
                end->in_string = 1;
                end->last_token = last_token;
                return FW_OK;
            }
        } else if (cls == C_OPEN) {
            if (++depth > FW_JSON_MAX_DEPTH) {
                long line, col;
                fw_text_position(buf, i, &line, &col);
                return fw_diag_set(d, FW_ELIMIT, line, col,
                                   "JSON nested deeper than %d levels",
                                   FW_JSON_MAX_DEPTH);
            }
        } else if (cls == C_CLOSE && depth > 0) {
            depth--;
        }
    }
    end->is_open = depth > 0 || !seen_value;
    end->in_string = 0;
    end->last_token = last_token;
    return FW_OK;
}

/* Length of an incomplete UTF-8 character at the end of buf[0..len): a
 * lead byte followed by fewer continuation bytes than it announces. 0 when
 * the input ends on a character boundary (or on bytes that are no UTF-8 at
 * all, which fw_text_check then reports). */
static size_t incomplete_tail(const char *buf, size_t len)
{
    const unsigned char *u = (const unsigned char *)buf;
    for (size_t n = 1; n <= 3 && n <= len; n++) {
        unsigned char c = u[len - n];
        if ((c & 0xC0) == 0x80) {
            continue; /* a continuation byte: the lead is further back */
        }
        size_t need = (c & 0xE0) == 0xC0   ? 2
                      : (c & 0xF0) == 0xE0 ? 3
                      : (c & 0xF8) == 0xF0 ? 4
                                           : 0;
        return need > n ? n : 0;
    }
    return 0;
}

/* Fills d for a document cJSON rejected; end is where cJSON stopped. */
static fw_err parse_error(const char *buf, size_t len, const char *end,
                          const struct json_end *jend, struct fw_diag *d)
{
    long line, col;
    size_t off = end != NULL && end >= buf ? (size_t)(end - buf) : 0;
    /* Truncated: the input ends open and cJSON failed in its last token
     * (inside a cut string, on a cut number or literal) or at the end,
     * which cJSON reports as the last byte. */
    if (jend->is_open && (off >= jend->last_token || off + 1 >= len)) {
        fw_text_position(buf, len, &line, &col);
        return fw_diag_set(d, FW_EPARSE, line, col,
                           "unexpected end of input (truncated file?)");
    }
    if (off > len) {
        off = len;
    }
    fw_text_position(buf, off, &line, &col);
    char near[24];
    size_t n = 0;
    for (size_t i = off; i < len && n < sizeof near - 1; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\n' || c == '\r') {
            break;
        }
        near[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    near[n] = '\0';
    return fw_diag_set(d, FW_EPARSE, line, col, "invalid JSON at \"%s\"", near);
}

/* ---- the arena -------------------------------------------------------- */

/* cJSON allocates every node and string on its own; a 2 MB map is about
 * 200,000 allocations and as many frees, and freeing them leaves the heap
 * fragmented for the next file (glibc's malloc_consolidate). A document
 * parsed by fw_json_doc_parse lives instead in a few large chunks freed at
 * once. cJSON's allocation hooks are process-wide, so they are installed
 * once and send an allocation to the arena only while this thread is inside
 * fw_json_doc_parse (t_arena); everywhere else, and in every other thread,
 * they are malloc and free. */

#define ARENA_ALIGN alignof(max_align_t)
#define FIRST_CHUNK_MIN ((size_t)16 << 10)
#define FIRST_CHUNK_MAX ((size_t)64 << 20)

struct chunk {
    struct chunk *next;
    size_t cap;  /* bytes in data */
    size_t used; /* bytes handed out */
    alignas(max_align_t) unsigned char data[];
};

struct fw_json_doc {
    cJSON *root;
    struct chunk *chunks; /* newest first */
};

/* The document being parsed on this thread, or NULL. */
static _Thread_local struct fw_json_doc *t_arena;

static struct chunk *chunk_new(size_t cap)
{
    if (cap > SIZE_MAX - sizeof(struct chunk)) {
        return NULL;
    }
    struct chunk *c = malloc(sizeof(struct chunk) + cap);
    if (c != NULL) {
        c->next = NULL;
        c->cap = cap;
        c->used = 0;
    }
    return c;
}

static void *arena_alloc(struct fw_json_doc *doc, size_t n)
{
    if (n > SIZE_MAX - ARENA_ALIGN) {
        return NULL;
    }
    n = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
    struct chunk *c = doc->chunks;
    if (c == NULL || c->cap - c->used < n) {
        /* The first chunk is sized for the whole tree; the next ones as
         * large again, so a tree slightly larger wastes little. */
        size_t cap = c != NULL ? c->cap : FIRST_CHUNK_MIN;
        cap = cap < n ? n : cap;
        struct chunk *grown = chunk_new(cap);
        if (grown == NULL) {
            return NULL; /* cJSON reports it as a failed parse */
        }
        grown->next = c;
        doc->chunks = grown;
        c = grown;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

static void *hook_malloc(size_t n)
{
    struct fw_json_doc *doc = t_arena;
    return doc != NULL ? arena_alloc(doc, n) : malloc(n);
}

/* Inside an arena parse cJSON frees only what that parse allocated (a
 * failed parse deletes its partial tree): arena memory, freed with the
 * document. */
static void hook_free(void *p)
{
    if (t_arena == NULL) {
        free(p);
    }
}

static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void install_hooks(void)
{
    cJSON_Hooks hooks = {.malloc_fn = hook_malloc, .free_fn = hook_free};
    cJSON_InitHooks(&hooks);
}

void fw_json_doc_free(fw_json_doc *doc)
{
    if (doc == NULL) {
        return;
    }
    struct chunk *c = doc->chunks;
    while (c != NULL) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    free(doc);
}

const cJSON *fw_json_doc_root(const fw_json_doc *doc)
{
    return doc->root;
}

/* ---- parsing ---------------------------------------------------------- */

/* fw_json_parse's checks and parse; with doc, the tree goes into doc's
 * arena and is not to be deleted. */
static fw_err parse(const char *buf, size_t len, fw_json_doc *doc, cJSON **out,
                    struct fw_diag *d)
{
    if (buf == NULL) {
        if (len > 0) {
            return fw_diag_set(d, FW_EUSAGE, 0, 0, "no input buffer");
        }
        buf = "";
    }
    if (len > MAX_DOC_BYTES) {
        long line, col;
        fw_text_position(buf, MAX_DOC_BYTES, &line, &col);
        return fw_diag_set(d, FW_ELIMIT, line, col,
                           "JSON document larger than %zu MiB",
                           MAX_DOC_BYTES >> 20);
    }
    struct json_end jend = {0};
    fw_err err = scan_nesting(buf, len, &jend, d);
    if (err != FW_OK) {
        return err;
    }
    /* A file cut inside a string may end in part of a character: that is
     * the truncation the parser reports below, not a bad byte. */
    size_t text_len = jend.in_string ? len - incomplete_tail(buf, len) : len;
    err = fw_text_check(buf, text_len, d);
    if (err != FW_OK) {
        return err;
    }
    /* return_parse_end gives the same offset as cJSON_GetErrorPtr without
     * cJSON's global (not thread-safe) error state. Trailing data is
     * checked here: cJSON's require_null_terminated wants a NUL inside
     * buffer_length, which a plain buffer lacks. */
    const char *end = NULL;
    if (doc != NULL) {
        pthread_once(&hooks_once, install_hooks);
        /* A first chunk near the tree's size: about 4 times the text. */
        size_t first = len < FIRST_CHUNK_MAX / 4 ? 4 * len : FIRST_CHUNK_MAX;
        doc->chunks =
            chunk_new(first < FIRST_CHUNK_MIN ? FIRST_CHUNK_MIN : first);
        t_arena = doc;
    }
    cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    t_arena = NULL;
    if (root == NULL) {
        return parse_error(buf, len, end, &jend, d);
    }
    size_t i = end != NULL && end >= buf ? (size_t)(end - buf) : len;
    while (i < len && is_json_space(buf[i])) {
        i++;
    }
    if (i < len) {
        if (doc == NULL) {
            cJSON_Delete(root);
        }
        long line, col;
        fw_text_position(buf, i, &line, &col);
        return fw_diag_set(d, FW_EPARSE, line, col,
                           "unexpected data after the JSON document");
    }
    *out = root;
    return FW_OK;
}

fw_err fw_json_parse(const char *buf, size_t len, cJSON **out,
                     struct fw_diag *d)
{
    return parse(buf, len, NULL, out, d);
}

fw_err fw_json_doc_parse(const char *buf, size_t len, fw_json_doc **out,
                         struct fw_diag *d)
{
    fw_json_doc *doc = calloc(1, sizeof *doc);
    if (doc == NULL) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "out of memory");
    }
    fw_err err = parse(buf, len, doc, &doc->root, d);
    if (err != FW_OK) {
        fw_json_doc_free(doc);
        return err;
    }
    *out = doc;
    return FW_OK;
}
