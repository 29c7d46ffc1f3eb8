/*
 * events.h - the missile and drone attack table (P. Ivaniuk's "Massive
 * missile attacks on Ukraine", Kaggle; missile_attacks_daily.csv): its
 * reader, and the lookup of attack waves per oblast that features use.
 *
 * One row of the table is one attack wave as a Ukrainian Air Force post
 * reported it: when (time_start, time_end), what (model), how many
 * (launched) and where it was aimed (target). target names one or more
 * oblasts ("Odesa oblast and Mykolaiv oblast"), a city ("Kryvyi Rih"), a
 * macro-region word ("south", "north and center"), "Ukraine", or something
 * that is no place in Ukraine ("front line", "Kursk oblast"). There are no
 * coordinates. The table is not openly licensed: it is read from
 * ../shared/data or the user's copy, never bundled.
 *
 * Times. The Air Force writes Kyiv local time and the table copies it (the
 * Kaggle page says so; the data agree: time_end clusters at 08:00 and
 * 09:00, the morning report, and night waves start at 18:00-23:00). A time
 * "YYYY-MM-DD HH:MM" (also "H:MM", spaces around it ignored) is converted
 * from Europe/Kyiv to UTC: EET (UTC+2), EEST (UTC+3) from the last Sunday
 * of March 01:00 UTC to the last Sunday of October 01:00 UTC (the EU rule
 * Ukraine has kept since 1996). A local time in the spring gap reads as
 * EET, one in the autumn's repeated hour as EEST (the first). A bare date
 * "YYYY-MM-DD" (a third of the rows) has no time of day: it becomes its
 * midnight UTC, the project's convention for dates (date.h), so its UTC
 * day is the source's day.
 */
#ifndef FRONTWATCH_EVENTS_H
#define FRONTWATCH_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/record.h"
#include "frontwatch/store.h"

/* The source name of the attack table's events (event.source). */
#define FW_EVENTS_SOURCE_MISSILES "missile_attacks_daily"

/* Longest target field read, in bytes; a longer one rejects the row. */
#define FW_EVENTS_MAX_TARGET_BYTES 1024

/* Reads missile_attacks_daily.csv from buf[0..len) (borrowed; need not be
 * NUL-terminated) and hands each (row, target) to sink->event.
 *
 * The header must have the columns time_start, time_end, model, target
 * and launched (found by name, any order; others are ignored). For each
 * row, target is split at " and " and then at ",", and each part read as
 * (in this order): "X oblast" (an oblast of Ukraine by fw_oblast_by_name;
 * a trailing "(...)" is dropped), a region word ("north", "south", "east",
 * "center", "west"; "south-east" is south and east), "Ukraine", a city of
 * the reader's table (Kyiv is the city, UA-30; Kryvyi Rih is UA-12; ...),
 * or a bare oblast name ("Odesa", "Crimea"). Parts after a comma that
 * are none of these qualify the part before them ("Dnipropetrovsk oblast,
 * Dnipro Raion", "Odesa oblast, Black Sea") and are ignored. Each distinct
 * oblast of the row gives a record with oblast_iso set; each distinct
 * region word or "Ukraine" a record with area set ("ukraine", "north",
 * ...). Every record of the row has the same t_s (time_start), type
 * (model), count (launched: "86.0" is 86; -1 when empty, which is kept)
 * and source_row (the row's 1-based line, as text).
 *
 * A row is rejected (sink->reject with its line and a reason; reading goes
 * on) when its target is empty or names nothing above ("front line",
 * "Kursk oblast"), its model is empty, launched is not a whole number, it
 * ends before it starts, or it starts more than a day (FW_DAY_S) after
 * the machine's clock when the read starts. When only some " and " parts
 * of a target name nothing ("Sumy oblast and Kursk oblast"), the others
 * are kept and sink->repair says which part was dropped, just before the
 * row's records. sink->progress gets (byte offset, len) every 4096 rows
 * and (len, len) at the end. sink may be NULL, as may any callback.
 *
 * Errors (the whole file fails; d->line is the 1-based line, d->col the
 * 1-based byte column of the bad field, 0 for the row as a whole):
 * FW_EPARSE (a header without those columns, an empty file, a row with a
 * field count other than the header's, a time_start or time_end that is
 * not "YYYY-MM-DD[ H:MM]" (time_end may be empty), and the CSV errors of
 * fw_csv_parse), FW_ERANGE (no such date or time, e.g. 2023-02-30 or
 * 24:10), FW_ELIMIT and FW_ENOMEM (from fw_csv_parse), FW_EUSAGE (buf
 * NULL), or the error a sink callback returned, unchanged. Rows before
 * the error have already reached the sink (the store's ingest discards
 * them with its transaction). */
fw_err fw_events_read_missiles(const char *buf, size_t len,
                               const struct fw_sink *sink, struct fw_diag *d);

/* The macro-region word ("north", "south", "east", "center", "west") of
 * an oblast (ISO code, "UA-51"), from the static table in events.c (the
 * areas of responsibility of the Air Force's commands; see there), or
 * NULL when iso is not an oblast of Ukraine. Static storage. */
const char *fw_events_region_of(const char *oblast_iso);

/* Attack waves of the missile table in a time window, for one oblast. */
struct fw_event_counts {
    long n_waves_oblast;  /* rows whose target names the oblast (or a city
                             in it) */
    long n_waves_region;  /* rows whose target names the oblast's region
                             word (fw_events_region_of) */
    long n_waves_ukraine; /* rows whose target is "Ukraine" (the same for
                             every oblast) */
    long long n_launched_oblast; /* sum of launched over the n_waves_oblast
                                    rows, each the whole wave's count (a
                                    wave aimed at two oblasts counts in
                                    both); rows without launched add 0 */
};

/* Counts the missile-table events with t_s in [t0_s, t1_s) (UTC seconds)
 * for oblast_iso ("UA-51", borrowed) into *out. A row naming the oblast
 * and its region word counts in both. Uses the indexes on (oblast_iso,
 * t_s) and (area, t_s). About 80 us a call on the full store, 50 of
 * them preparing the statement (bench/events_counts.c): 8 s per 100,000
 * calls. For many windows and every oblast use fw_events_counts_batch
 * (157 weeks x 27 oblasts in about 5 ms). Errors: FW_EUSAGE (st, oblast_iso or out NULL,
 * oblast_iso not an oblast of Ukraine, t1_s < t0_s), FW_ESQL (message in
 * d). *out is untouched on error. */
fw_err fw_events_oblast_counts(fw_store *st, const char *oblast_iso,
                               int64_t t0_s, int64_t t1_s,
                               struct fw_event_counts *out, struct fw_diag *d);

/* The same counts for every oblast and many windows at once: window w is
 * [t0_s[w], t1_s[w]) (arrays borrowed, n_windows long; windows may
 * overlap and come in any order), and out[w * fw_oblast_count() + i]
 * (caller's array of n_windows * fw_oblast_count() entries) gets the
 * counts of oblast fw_oblast_at(i). Reads the table once; equal to
 * fw_events_oblast_counts call by call (test_facts.c checks it). Errors:
 * FW_EUSAGE (a NULL pointer with n_windows > 0, a window with t1 < t0),
 * FW_ENOMEM, FW_ESQL. out is undefined on error. */
fw_err fw_events_counts_batch(fw_store *st, const int64_t *t0_s,
                              const int64_t *t1_s, size_t n_windows,
                              struct fw_event_counts *out, struct fw_diag *d);

#endif
