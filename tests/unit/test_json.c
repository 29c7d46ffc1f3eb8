/*
 * test_json.c - fw_json_parse and fw_json_doc_parse (the readers' JSON
 * entry points; every bad input is checked through both) and
 * fw_text_check (their UTF-8 and NUL check): exact error codes, positions
 * and messages for each kind of bad input; the arena of fw_json_doc_parse
 * with large trees, threads, and cJSON used on the heap beside it.
 */
#include "fwtest.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/json.h"
#include "frontwatch/text.h"

/* Parses in[0..len), expecting err at line:col with msg_part in the
 * message; on error *out must be left as it was. */
static void expect_json(const char *in, size_t len, fw_err err, long line,
                        long col, const char *msg_part)
{
    cJSON sentinel;
    cJSON *root = &sentinel;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_json_parse(in, len, &root, &d), err);
    assert_ptr_equal(root, &sentinel);
    assert_int_equal(d.line, line);
    assert_int_equal(d.col, col);
    if (strstr(d.msg, msg_part) == NULL) {
        fail_msg("message '%s' lacks '%s'", d.msg, msg_part);
    }
    /* the file name and feature are the caller's */
    assert_string_equal(d.file, "");
    assert_int_equal(d.feature, -1);

    /* the arena parse reports the same, and leaves *out as it was */
    fw_json_doc *doc = (fw_json_doc *)&sentinel;
    struct fw_diag d2;
    fw_diag_reset(&d2);
    assert_int_equal(fw_json_doc_parse(in, len, &doc, &d2), err);
    assert_ptr_equal(doc, (fw_json_doc *)&sentinel);
    assert_int_equal(d2.line, d.line);
    assert_int_equal(d2.col, d.col);
    assert_string_equal(d2.msg, d.msg);
}

static void expect_json_str(const char *in, fw_err err, long line, long col,
                            const char *msg_part)
{
    expect_json(in, strlen(in), err, line, col, msg_part);
}

static void test_valid_document(void **state)
{
    (void)state;
    /* not NUL-terminated inside len: the parser must stop at len */
    const char in[] = "\r\n {\"name\": \"Харків\", \"id\": [22, 1.5e3]}\n\t X";
    size_t len = sizeof in - 1 - 2;
    cJSON *root = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_json_parse(in, len, &root, &d), FW_OK);
    assert_non_null(root);
    assert_true(cJSON_IsObject(root));
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    assert_true(cJSON_IsString(name));
    assert_string_equal(name->valuestring, "Харків");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    assert_int_equal(cJSON_GetArraySize(id), 2);
    assert_true(cJSON_GetArrayItem(id, 1)->valuedouble == 1500.0);
    assert_int_equal(d.line, 0);
    assert_string_equal(d.msg, "");
    cJSON_Delete(root);

    /* a bare scalar is a document too; d may be NULL */
    root = NULL;
    assert_int_equal(fw_json_parse("42", 2, &root, NULL), FW_OK);
    assert_true(cJSON_IsNumber(root) && root->valuedouble == 42.0);
    cJSON_Delete(root);
}

/* "[[0.5, 1.5], [1.5, 2.5], ...]" with n pairs; caller frees. */
static char *pairs_doc(size_t n, size_t *len_out)
{
    char *s = malloc(n * 24 + 8);
    assert_non_null(s);
    size_t len = 0;
    s[len++] = '[';
    for (size_t i = 0; i < n; i++) {
        len += (size_t)sprintf(s + len, "%s[%zu.5, \"%zu\"]", i ? "," : "", i,
                               i + 1);
    }
    s[len++] = ']';
    s[len] = '\0';
    *len_out = len;
    return s;
}

/* Checks the tree of pairs_doc(n). */
static int pairs_ok(const cJSON *root, size_t n)
{
    size_t i = 0;
    const cJSON *pair;
    cJSON_ArrayForEach (pair, root) {
        const cJSON *x = cJSON_GetArrayItem(pair, 0);
        const cJSON *s = cJSON_GetArrayItem(pair, 1);
        char want[32];
        snprintf(want, sizeof want, "%zu", i + 1);
        if (!cJSON_IsNumber(x) || x->valuedouble != (double)i + 0.5 ||
            !cJSON_IsString(s) || strcmp(s->valuestring, want) != 0) {
            return 0;
        }
        i++;
    }
    return i == n;
}

static void test_doc_arena(void **state)
{
    (void)state;
    /* small, then a tree of 300,000 nodes: many arena chunks */
    size_t sizes[] = {1, 100000};
    for (size_t k = 0; k < 2; k++) {
        size_t len = 0;
        char *text = pairs_doc(sizes[k], &len);
        fw_json_doc *doc = NULL;
        assert_int_equal(fw_json_doc_parse(text, len, &doc, NULL), FW_OK);
        assert_true(pairs_ok(fw_json_doc_root(doc), sizes[k]));
        /* cJSON on the heap beside an arena tree: allocated, printed and
         * deleted as usual (ASan and valgrind check the frees) */
        cJSON *obj = cJSON_CreateObject();
        assert_non_null(cJSON_AddStringToObject(obj, "name", "Бахмут"));
        assert_non_null(cJSON_AddNumberToObject(obj, "km", 12.5));
        char *out = cJSON_PrintUnformatted(obj);
        assert_string_equal(out, "{\"name\":\"Бахмут\",\"km\":12.5}");
        cJSON_free(out);
        cJSON_Delete(obj);
        cJSON *heap = NULL;
        assert_int_equal(fw_json_parse(text, len, &heap, NULL), FW_OK);
        fw_json_doc_free(doc);
        assert_true(pairs_ok(heap, sizes[k])); /* after the arena's free */
        cJSON_Delete(heap);
        free(text);
    }
    fw_json_doc_free(NULL);
}

struct parse_job {
    const char *text;
    size_t len, n;
    int ok;
};

static void *parse_many(void *arg)
{
    struct parse_job *job = arg;
    job->ok = 1;
    for (int i = 0; i < 20; i++) {
        fw_json_doc *doc = NULL;
        cJSON *heap = NULL;
        job->ok &= fw_json_doc_parse(job->text, job->len, &doc, NULL) == FW_OK;
        job->ok &= fw_json_parse(job->text, job->len, &heap, NULL) == FW_OK;
        job->ok &= doc != NULL && pairs_ok(fw_json_doc_root(doc), job->n) &&
                   pairs_ok(heap, job->n);
        fw_json_doc_free(doc);
        cJSON_Delete(heap);
    }
    return NULL;
}

/* Threads each parse their own documents, in arenas and on the heap, at
 * the same time. */
static void test_doc_threads(void **state)
{
    (void)state;
    struct parse_job jobs[3];
    pthread_t threads[3];
    char *texts[3];
    for (int t = 0; t < 3; t++) {
        jobs[t].n = 2000 + 1000 * (size_t)t;
        texts[t] = pairs_doc(jobs[t].n, &jobs[t].len);
        jobs[t].text = texts[t];
        assert_int_equal(
            pthread_create(&threads[t], NULL, parse_many, &jobs[t]), 0);
    }
    for (int t = 0; t < 3; t++) {
        assert_int_equal(pthread_join(threads[t], NULL), 0);
        assert_true(jobs[t].ok);
        free(texts[t]);
    }
}

static void test_truncated(void **state)
{
    (void)state;
    /* line 2 is `  "a": [1, 2` (12 bytes): the input ends at column 13 */
    expect_json_str("{\n  \"a\": [1, 2", FW_EPARSE, 2, 13,
                    "unexpected end of input (truncated file?)");
    /* cut inside a string, on a literal, after a comma */
    expect_json_str("{\"a\": \"unfinish", FW_EPARSE, 1, 16, "truncated");
    expect_json_str("[tru", FW_EPARSE, 1, 5, "truncated");
    expect_json_str("{\"a\": 1,\n", FW_EPARSE, 2, 1, "truncated");
    /* empty input, whitespace only, and no buffer at all */
    expect_json_str("", FW_EPARSE, 1, 1, "truncated");
    expect_json_str("\n  ", FW_EPARSE, 2, 3, "truncated");
    expect_json(NULL, 0, FW_EPARSE, 1, 1, "truncated");
    /* cut inside a two-byte character of a string (Х is D0 A5): the file
     * is truncated, not invalid UTF-8; `{"name": "Х` is 12 bytes */
    expect_json_str("{\"name\": \"\xD0\xA5\xD0", FW_EPARSE, 1, 14, "truncated");
    /* open at the end, but the parser failed earlier: not truncation */
    expect_json_str("{\"a\": x, \"b\": [1", FW_EPARSE, 1, 7,
                    "invalid JSON at \"x, \"b\": [1\"");
}

static void test_invalid_json(void **state)
{
    (void)state;
    expect_json_str("{\n  \"type\": x,\n  \"f\": []\n}", FW_EPARSE, 2, 11,
                    "invalid JSON at \"x,\"");
    /* NaN is no JSON; unprintable bytes are shown as '?' */
    expect_json_str("{\"c\": [NaN, 1]}", FW_EPARSE, 1, 8,
                    "invalid JSON at \"NaN, 1]}\"");
    expect_json_str("[1, \x7F]", FW_EPARSE, 1, 5, "invalid JSON at \"?]\"");
    /* a closing bracket too many is text after the document */
    expect_json_str("[1]]", FW_EPARSE, 1, 4,
                    "unexpected data after the JSON document");
}

static void test_trailing_data(void **state)
{
    (void)state;
    expect_json_str("{\"a\": 1}\n  {\"b\": 2}", FW_EPARSE, 2, 3,
                    "unexpected data after the JSON document");
    expect_json_str("{\"states\": []}\n\n  x", FW_EPARSE, 3, 3,
                    "unexpected data after the JSON document");
    /* trailing whitespace of every JSON kind is fine */
    cJSON *root = NULL;
    const char ok[] = "[]\r\n\t \n";
    assert_int_equal(fw_json_parse(ok, sizeof ok - 1, &root, NULL), FW_OK);
    assert_true(cJSON_IsArray(root));
    cJSON_Delete(root);
}

/* n nested arrays around nothing: "[[...]]" (caller frees). */
static char *nested(size_t n)
{
    char *s = malloc(2 * n + 1);
    assert_non_null(s);
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = '\0';
    return s;
}

static void test_nesting_limit(void **state)
{
    (void)state;
    assert_int_equal(FW_JSON_MAX_DEPTH, 64);
    /* 65 levels: the 65th bracket, column 65, is one too many */
    char *s = nested(65);
    expect_json(s, 130, FW_ELIMIT, 1, 65, "JSON nested deeper than 64 levels");
    free(s);
    /* 10,000 levels fail as cleanly, at the same bracket */
    s = nested(10000);
    expect_json(s, 20000, FW_ELIMIT, 1, 65, "deeper than 64");
    free(s);
    /* the cap is checked before the text: a bad byte after the 65th
     * bracket does not hide it */
    s = nested(65);
    s[129] = '\xFF';
    expect_json(s, 130, FW_ELIMIT, 1, 65, "deeper than 64");
    free(s);

    /* 64 levels parse, 64 arrays deep */
    s = nested(64);
    cJSON *root = NULL;
    assert_int_equal(fw_json_parse(s, 128, &root, NULL), FW_OK);
    int depth = 0;
    for (const cJSON *a = root; a != NULL; a = a->child) {
        assert_true(cJSON_IsArray(a));
        depth++;
    }
    assert_int_equal(depth, 64);
    cJSON_Delete(root);
    free(s);

    /* brackets inside strings, with escaped quotes and backslashes, are
     * not nesting */
    char str[400];
    size_t n = 0;
    str[n++] = '[';
    str[n++] = '"';
    for (int i = 0; i < 100; i++) {
        str[n++] = '{';
        str[n++] = '[';
    }
    memcpy(str + n, "\\\\\\\"[\"]", 7);
    n += 7;
    root = NULL;
    assert_int_equal(fw_json_parse(str, n, &root, NULL), FW_OK);
    assert_int_equal(strlen(cJSON_GetArrayItem(root, 0)->valuestring), 203);
    cJSON_Delete(root);
}

/* A document over 64 MiB fails before it is scanned or parsed, at its
 * 64 MiB'th byte (its parsed tree would take up to 40 times its size). */
static void test_size_limit(void **state)
{
    (void)state;
    size_t cap = (size_t)64 << 20;
    char *s = malloc(cap + 2);
    assert_non_null(s);
    /* ["xxx...x"] of exactly 64 MiB parses */
    s[0] = '[';
    s[1] = '"';
    memset(s + 2, 'x', cap - 4);
    s[cap - 2] = '"';
    s[cap - 1] = ']';
    cJSON *root = NULL;
    assert_int_equal(fw_json_parse(s, cap, &root, NULL), FW_OK);
    cJSON_Delete(root);
    /* one space more is one byte too many: line 1, column 2^26 + 1 */
    s[cap] = ' ';
    expect_json(s, cap + 1, FW_ELIMIT, 1, (long)cap + 1,
                "JSON document larger than 64 MiB");
    free(s);
}

static void test_bad_bytes(void **state)
{
    (void)state;
    /* NUL on line 2 column 5 (inside a string or out, it is the same) */
    const char nul[] = "{\"a\":\n  \"x\0y\"}";
    expect_json(nul, sizeof nul - 1, FW_EPARSE, 2, 5, "NUL byte");
    const char nul_out[] = "[1,\n\0 2]";
    expect_json(nul_out, sizeof nul_out - 1, FW_EPARSE, 2, 1, "NUL byte");
    /* a lone continuation byte inside a string: line 2, column 2 */
    expect_json_str("{\"states\": [\n\"\xC3(\"]}", FW_EPARSE, 2, 2,
                    "invalid UTF-8 byte sequence");
    /* the same byte at the very end, outside a string: still invalid */
    expect_json_str("[1]\n\xC3", FW_EPARSE, 2, 1, "invalid UTF-8");
    /* a UTF-16 surrogate encoded as UTF-8 */
    expect_json_str("[\"\xED\xA0\x80\"]", FW_EPARSE, 1, 3, "invalid UTF-8");
    /* a bad byte before a NUL is the one reported */
    const char both[] = "[\"\xFF\", \"\0\"]";
    expect_json(both, sizeof both - 1, FW_EPARSE, 1, 3, "invalid UTF-8");
}

static void test_usage(void **state)
{
    (void)state;
    cJSON *root = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_json_parse(NULL, 3, &root, &d), FW_EUSAGE);
    assert_null(root);
}

/* Checks in[0..len) with fw_text_check, expecting err at line:col. */
static void expect_text(const char *in, size_t len, fw_err err, long line,
                        long col, const char *msg)
{
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_text_check(in, len, &d), err);
    assert_int_equal(d.line, line);
    assert_int_equal(d.col, col);
    assert_string_equal(d.msg, msg);
    /* d may be NULL */
    assert_int_equal(fw_text_check(in, len, NULL), err);
}

static void test_text_check(void **state)
{
    (void)state;
    const char ok[] =
        "\xEF\xBB\xBFid,name\n1,Харків\r\n2,Mar’inka 🙂\n";
    expect_text(ok, sizeof ok - 1, FW_OK, 0, 0, "");
    expect_text("", 0, FW_OK, 0, 0, "");
    expect_text(NULL, 0, FW_OK, 0, 0, "");
    /* only len bytes count: the bad byte just past it is not seen */
    expect_text("ab\xFF", 2, FW_OK, 0, 0, "");

    const char bad[] = "a,b\nxy\xC3(,1\n";
    expect_text(bad, sizeof bad - 1, FW_EPARSE, 2, 3,
                "invalid UTF-8 byte sequence");
    /* overlong "/" and a truncated three-byte sequence at the end */
    expect_text("a\n\n\xC0\xAF", 5, FW_EPARSE, 3, 1,
                "invalid UTF-8 byte sequence");
    expect_text("ok\xE2\x82", 4, FW_EPARSE, 1, 3,
                "invalid UTF-8 byte sequence");

    const char nul[] = "h1,h2\na,b\0c\n";
    expect_text(nul, sizeof nul - 1, FW_EPARSE, 2, 4, "NUL byte");
    const char nul_first[] = "\0";
    expect_text(nul_first, 1, FW_EPARSE, 1, 1, "NUL byte");
    /* a bad byte before the first NUL wins; a NUL before a bad byte wins */
    const char bad_then_nul[] = "x\n\xFF\n\0";
    expect_text(bad_then_nul, sizeof bad_then_nul - 1, FW_EPARSE, 2, 1,
                "invalid UTF-8 byte sequence");
    const char nul_then_bad[] = "x\n \0\n\xFF";
    expect_text(nul_then_bad, sizeof nul_then_bad - 1, FW_EPARSE, 2, 2,
                "NUL byte");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_document),
        cmocka_unit_test(test_doc_arena),
        cmocka_unit_test(test_doc_threads),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_invalid_json),
        cmocka_unit_test(test_trailing_data),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_bad_bytes),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_text_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
