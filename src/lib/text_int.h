/*
 * text_int.h - text helpers private to the library (see text.h for the
 * public ones). The readers quote pieces of bad input in their messages
 * and reasons; those go to the terminal and into the store's
 * ingest_issue, so a quote must not end in half a character.
 */
#ifndef FRONTWATCH_TEXT_INT_H
#define FRONTWATCH_TEXT_INT_H

#include <stddef.h>

/* The length of the longest prefix of the NUL-terminated s that has at
 * most max bytes and does not end inside a UTF-8 character, for quoting
 * with "%.*s" (cast to int; max must fit an int). s is borrowed. */
size_t fw_text_clip_len(const char *s, size_t max);

/* A blank of the readers' fields: space, tab, CR or LF. */
int fw_text_is_blank(char c);

/* The NUL-terminated s without leading and trailing blanks, as
 * [*b, *b + *n) (borrowed from s). */
void fw_text_trim(const char *s, const char **b, size_t *n);

/* 1 when s[0..n) begins with prefix / is word, ASCII letters in any
 * case (prefix and word NUL-terminated). */
int fw_text_starts_with_ci(const char *s, size_t n, const char *prefix);
int fw_text_equals_ci(const char *s, size_t n, const char *word);

#endif
