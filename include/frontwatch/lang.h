/*
 * lang.h - the languages frontwatch answers in: English and Ukrainian
 * (the summary, the place page, the feeds, the monitoring's words).
 */
#ifndef FRONTWATCH_LANG_H
#define FRONTWATCH_LANG_H

enum fw_lang { FW_LANG_EN = 0, FW_LANG_UK = 1 };
#define FW_N_LANGS 2

/* "en", "uk" (static). */
const char *fw_lang_code(enum fw_lang lang);

/* The language of a code: "uk" (or "uk-UA", "ua") is Ukrainian,
 * anything else English. */
enum fw_lang fw_lang_from_code(const char *code);

#endif
