/*
 * fuzz_json.c - libFuzzer harness for fw_json_parse, the JSON layer under
 * the states.json and GeoJSON readers (json.h). A document that parses
 * must nest no deeper than the cap and print, re-parse and print again
 * to the same text; one that fails must say where.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/json.h"
#include "fuzz.h"

/* Depth of the tree under item (a scalar is 1). */
static int depth(const cJSON *item)
{
    int deepest = 0;
    const cJSON *c;
    cJSON_ArrayForEach (c, item) {
        int k = depth(c);
        deepest = k > deepest ? k : deepest;
    }
    return deepest + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fw_diag d;
    cJSON *root = NULL;
    fw_diag_reset(&d);
    fw_err err = fw_json_parse((const char *)data, size, &root, &d);
    fuzz_check_diag(err, &d);
    if (err != FW_OK) {
        FUZZ_CHECK(root == NULL);
        FUZZ_CHECK(err == FW_EPARSE || err == FW_ELIMIT);
        FUZZ_CHECK(d.line >= 1 && d.col >= 1);
        return 0;
    }
    FUZZ_CHECK(root != NULL);
    /* containers nest at most FW_JSON_MAX_DEPTH deep, plus their scalars */
    FUZZ_CHECK(depth(root) <= FW_JSON_MAX_DEPTH + 1);
    char *text = cJSON_PrintUnformatted(root);
    if (text != NULL) {
        cJSON *again = NULL;
        struct fw_diag d2;
        fw_diag_reset(&d2);
        FUZZ_CHECK(fw_json_parse(text, strlen(text), &again, &d2) == FW_OK);
        /* printed again, it reads the same (cJSON_Compare is no oracle
         * here: it matches duplicate keys to the first of them) */
        char *text2 = cJSON_PrintUnformatted(again);
        FUZZ_CHECK(text2 == NULL || strcmp(text, text2) == 0);
        free(text2);
        cJSON_Delete(again);
        free(text);
    }
    cJSON_Delete(root);
    return 0;
}
