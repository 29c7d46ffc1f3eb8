/*
 * lang.c - the languages' codes (lang.h).
 */
#include "frontwatch/lang.h"

#include <stddef.h>

const char *fw_lang_code(enum fw_lang lang)
{
    return lang == FW_LANG_UK ? "uk" : "en";
}

enum fw_lang fw_lang_from_code(const char *code)
{
    if (code != NULL && ((code[0] == 'u' || code[0] == 'U') &&
                         (code[1] == 'k' || code[1] == 'K' || code[1] == 'a' ||
                          code[1] == 'A') &&
                         (code[2] == '\0' || code[2] == '-' || code[2] == '_'))) {
        return FW_LANG_UK;
    }
    return FW_LANG_EN;
}
