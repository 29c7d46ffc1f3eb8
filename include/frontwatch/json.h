/*
 * json.h - the one way the readers parse JSON: input checks, a nesting cap
 * and a cJSON parse whose failures carry a line and column.
 *
 * The JSON readers (alerts.c for states.json, frontline.c for GeoJSON)
 * hand their whole input here and walk the cJSON tree they get back. The
 * input is checked before cJSON sees it: brackets outside strings may nest
 * at most FW_JSON_MAX_DEPTH deep (cJSON recurses once per level, so the
 * cap bounds its stack use on hostile input), and the text must be UTF-8
 * without NUL bytes (fw_text_check). A document that ends open (inside a
 * string, array or object, or empty) and fails there is reported as
 * truncated at the end of the input, the usual result of a failed
 * download.
 */
#ifndef FRONTWATCH_JSON_H
#define FRONTWATCH_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "frontwatch/err.h"

/* Deepest bracket nesting accepted. The formats read need about 10 (a NZZ
 * MultiPolygon: root, value, features, feature, geometry, 4 levels of
 * coordinates; states.json 7). */
#define FW_JSON_MAX_DEPTH 64

/* Parses the one JSON document in buf[0..len) (borrowed, need not be
 * NUL-terminated; may be NULL when len is 0). Whitespace may surround the
 * document; anything else after it is an error. On success *out is the
 * root, owned by the caller, who frees it with cJSON_Delete. On error *out
 * is untouched.
 *
 * d (may be NULL) gets the line and byte column (1-based) and a message;
 * its file and feature are left as they are. Errors, in the order the
 * checks run:
 *  - FW_ELIMIT: a document longer than 64 MiB, at its 64 MiB'th byte
 *    ("JSON document larger than 64 MiB"; the parsed tree takes 4 to 40
 *    times the text, and the largest real document is 2.2 MB); a bracket
 *    nested deeper than FW_JSON_MAX_DEPTH, at the first such bracket
 *    ("JSON nested deeper than 64 levels").
 *  - FW_EPARSE: invalid UTF-8 or a NUL byte, at the first bad byte (see
 *    fw_text_check; an incomplete character at the very end of a document
 *    that ends inside a string counts as truncation, not as invalid
 *    UTF-8); a truncated document, at the end of the input ("unexpected
 *    end of input (truncated file?)"); other invalid JSON, where the
 *    parser stopped ("invalid JSON at \"<the next bytes>\""); text after
 *    the document, where it starts ("unexpected data after the JSON
 *    document").
 *  - FW_EUSAGE: buf is NULL while len is not 0.
 * cJSON reports an allocation failure as a failed parse, so running out of
 * memory while parsing shows as FW_EPARSE where the parser stopped;
 * FW_ENOMEM is not returned. */
fw_err fw_json_parse(const char *buf, size_t len, cJSON **out,
                     struct fw_diag *d);

/* A parsed document whose whole tree lives in one arena (a few large
 * blocks), freed at once by fw_json_doc_free: for the large documents of
 * the map readers, where cJSON's one allocation a node dominates. */
typedef struct fw_json_doc fw_json_doc;

/* Parses like fw_json_parse, with the same checks, errors and
 * diagnostics (FW_ENOMEM also, when the document handle cannot be
 * allocated; memory running out inside the parse is FW_EPARSE as there).
 * On success *out (caller-owned, free with fw_json_doc_free) holds the
 * tree; on error *out is untouched. The tree is read-only: it must not be
 * passed to cJSON_Delete or changed (cJSON_Detach..., cJSON_Add...).
 *
 * json.c installs cJSON's allocation hooks (cJSON_InitHooks) once, at the
 * first call; they are malloc and free except on the thread inside this
 * call, so every other use of cJSON is unchanged, but nothing else in the
 * process may call cJSON_InitHooks. Safe to call from several threads at
 * once, each parsing its own document. */
fw_err fw_json_doc_parse(const char *buf, size_t len, fw_json_doc **out,
                         struct fw_diag *d);

/* The root of doc's tree (borrowed: valid until fw_json_doc_free). */
const cJSON *fw_json_doc_root(const fw_json_doc *doc);

/* Frees doc and its whole tree; NULL is a no-op. */
void fw_json_doc_free(fw_json_doc *doc);

#endif
