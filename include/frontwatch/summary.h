/*
 * summary.h - the answer for a place in one or two sentences, in English
 * or Ukrainian: the headline of `assess`, the "summary" of its JSON, the
 * place page of the dashboard and the feeds. One writer, so that every
 * way out words the answer the same.
 *
 * Data flow: assess -> summary -> outputs (CLI text, JSON, web page).
 */
#ifndef FRONTWATCH_SUMMARY_H
#define FRONTWATCH_SUMMARY_H

#include <stdio.h>

#include "frontwatch/assess.h"
#include "frontwatch/lang.h"

/* The place's name in lang: its Ukrainian name when lang is Ukrainian and
 * the store has one, else its Latin name (borrowed from p). */
const char *fw_summary_place_name(const struct fw_place *p, enum fw_lang lang);

/* Writes the status sentence ("Kharkiv is not occupied. The nearest
 * occupied area is 32.3 km away, 71.0 km closer than 28 days ago.") with,
 * for a place not occupied and a store with a state border, the border's
 * ("The Russian border is 34.8 km away.": before the occupied area's when
 * it is the nearer, after it otherwise) and, when with_forecast and a
 * forecast is there, the probability sentence, without a final newline.
 * Numbers in lang's style (decimal comma in Ukrainian). */
void fw_summary_write(const struct fw_assessment *a, enum fw_lang lang,
                      int with_forecast, FILE *f);

/* The same into buf (cut to fit, always terminated). */
void fw_summary_format(const struct fw_assessment *a, enum fw_lang lang,
                       int with_forecast, char *buf, size_t cap);

#endif
