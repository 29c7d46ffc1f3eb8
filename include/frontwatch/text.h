/*
 * text.h - UTF-8 checks and the name key used to find places.
 *
 * Place names arrive in Ukrainian, Russian and several Latin spellings
 * ("Харків", "Kharkiv", "Charkiw", "Kharkov"). fw_text_key folds each to a
 * search key: Cyrillic transliterated by the Ukrainian national system
 * (KMU 2010, the one the alert data and road signs use), Latin accents
 * stripped, case folded, apostrophes dropped, other punctuation made a
 * single space. Two spellings that differ only in those ways get one key.
 */
#ifndef FRONTWATCH_TEXT_H
#define FRONTWATCH_TEXT_H

#include <stddef.h>

#include "frontwatch/err.h"

/* 1 if s[0..len) is well-formed UTF-8 (no overlongs, no surrogates);
 * otherwise 0 with the 1-based line and column (in bytes) of the first bad
 * byte in *line, *col. */
int fw_text_utf8_valid(const char *s, size_t len, long *line, long *col);

/* Checks that buf[0..len) (borrowed, need not be NUL-terminated) is text a
 * reader can take: well-formed UTF-8 (as fw_text_utf8_valid) without NUL
 * bytes. The readers call it on their whole input before parsing it.
 * Errors: FW_EPARSE with the 1-based line and byte column of the first bad
 * byte in d and the message "invalid UTF-8 byte sequence" or "NUL byte". A
 * bad sequence before the first NUL is reported rather than the NUL, so a
 * NUL is only reported when all before it is valid. d may be NULL. */
fw_err fw_text_check(const char *buf, size_t len, struct fw_diag *d);

/* 1-based line and byte column of offset off in s. */
void fw_text_position(const char *s, size_t off, long *line, long *col);

/* Writes the search key of the NUL-terminated UTF-8 name into out
 * (NUL-terminated, truncated at a character boundary to fit out_len).
 * Errors: FW_EPARSE (invalid UTF-8 anywhere in name, also past the
 * point where the key was cut), FW_EUSAGE (out_len == 0); out is then
 * unspecified. */
fw_err fw_text_key(const char *name, char *out, size_t out_len);

/* Levenshtein distance between two ASCII keys, capped at max + 1 (so a
 * caller looking for near matches stops early). */
size_t fw_text_edit_distance(const char *a, const char *b, size_t max);

#endif
