/*
 * displacement.h - people leaving: IOM DTM's estimates of the people
 * displaced within Ukraine, per oblast and survey round, and SLAC's
 * front-line settlement monitoring (civilians present, their change, an
 * evacuation under way, the front line's distance as the monitors saw
 * it); their readers, the match of the monitored settlements to the
 * gazetteer's places, and what assess reads back from the store.
 *
 * Neither table states an open licence (IOM DTM data on HDX is normally
 * CC BY-IGO, but the copy read here does not say so; the SLAC export's
 * licence is its HDX page's): they are read from ../shared/data or the
 * user's copy, never bundled.
 *
 * IOM DTM (source kind "iom-displacement"): the CSV of the General
 * Population Survey's "Estimated Population" sheets, one row per round and
 * oblast (iom_dtm_idp_returnees_by_oblast_r17-r20.csv, rounds 17-20,
 * reported 2024-08-31 .. 2025-04-30). The oblast is the row's name
 * ("Kharkivska", the adjective of the alert data; "Kyiv" is the city,
 * "Kyivska" the oblast; a trailing "*", IOM's footnote mark, dropped),
 * else its P-code (oblast.h). The name wins over the P-code: round 17
 * gives Kyiv City UA32 and Kyiv oblast UA80, the two swapped, while its
 * figures follow the names (Kyiv City 370,000 IDPs, 374,000 in round 18,
 * where the city's P-code is "Temp03"); a row whose P-code names another
 * oblast than its name is counted as repaired. IOM gives no estimate for
 * Donetsk, Luhansk, Zaporizhzhia and Kherson oblasts ("n/a"): the row is
 * kept with both figures unknown, which assess shows as unknown, not 0.
 * The row "Residence location unknown (in Ukraine)" (P-code "n/a") is no
 * oblast and is skipped without a reject.
 *
 * SLAC (source kind "slac-monitoring"): the CSV of the sheet "SLAC all
 * data" of frontline_monitoring_082024_022025.xlsx (HDX), one row per
 * visit of a settlement (286 visits of 229 settlements, 2024-08-28 ..
 * 2025-02-20, in Donetsk, Kharkiv and Dnipropetrovsk oblasts), 99
 * columns of which the reader keeps those of struct
 * fw_settlement_visit_rec. The civilians_number bands of the code book
 * ("50_200", "201_500", "501_1000", "1001_2000") reach the CSV as the
 * numbers 50200, 201500, 5011000 and 10012000 (the spreadsheet read "_"
 * as a digit separator); the reader gives them back their code-book name.
 * The settlements have no coordinates: fw_displacement_match finds each
 * one's place in the gazetteer by name (below).
 */
#ifndef FRONTWATCH_DISPLACEMENT_H
#define FRONTWATCH_DISPLACEMENT_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/place.h"
#include "frontwatch/record.h"
#include "frontwatch/store.h"
#include "frontwatch/lang.h"

/* An IOM round is stale when its reported date is more than this many
 * days before the assessed date: rounds came every 2 to 4 months in
 * 2024-25 (r19 -> r20: 120 days), so half a year means at least one round
 * missed. The monitoring is stale when its newest visit (of any
 * settlement) is more than FW_DISPLACEMENT_SLAC_STALE_DAYS old: its teams
 * went out every few days, the longest pause 31 days (2024-12-13 ..
 * 2025-01-13). A settlement's own visit carries its date: each settlement
 * was seen once or twice in six months. */
#define FW_DISPLACEMENT_IOM_STALE_DAYS 183
#define FW_DISPLACEMENT_SLAC_STALE_DAYS 45

/* Longest settlement, raion or hromada name kept, in bytes (longer ones
 * are rejected: the real table's longest is 46). */
#define FW_DISPLACEMENT_MAX_NAME_BYTES 127

/* Reads IOM DTM's oblast estimates (header round, reported_date, oblast,
 * oblast_pcode, idps_present_est, returnees_present_est, found by name in
 * any order; others ignored) from buf[0..len) (borrowed; need not be
 * NUL-terminated) and hands each oblast's row to sink->displacement. The
 * figures are whole numbers of people or "n/a" (or empty): -1.
 *
 * A row is rejected (sink->reject with its 1-based line and a reason;
 * reading goes on) when its round is not a whole number from 1 to 1000,
 * its reported_date is not YYYY-MM-DD or no such day or more than a day
 * after the machine's clock when the read starts, a figure is neither a
 * whole number (at most 12 digits) nor "n/a" nor empty, or neither its
 * name nor its P-code names an oblast (unless the P-code is "n/a": no
 * oblast, skipped, see above). A row whose P-code names another oblast
 * than its name goes on with the name's oblast, counted by sink->repair.
 * sink->progress gets (len, len) at the end. sink may be NULL, as may any
 * callback.
 *
 * Errors (the whole file fails; d->line is the 1-based line, d->col 0):
 * FW_EPARSE (a header without those columns, an empty file, a row with a
 * field count other than the header's, and the CSV errors of
 * fw_csv_parse, with their column), FW_ELIMIT and FW_ENOMEM (from
 * fw_csv_parse), FW_EUSAGE (buf NULL), or the error a sink callback
 * returned, unchanged. Rows before the error have already reached the
 * sink (the store's ingest discards them with its transaction). */
fw_err fw_displacement_read_iom(const char *buf, size_t len,
                                const struct fw_sink *sink,
                                struct fw_diag *d);

/* Reads SLAC's front-line settlement monitoring (the header must have
 * start, oblast, rayon, hromada, settlement, civilians_present,
 * civilians_number, civ_change, civ_change_type, movement_now,
 * movement_direction and frontline_distance, in any order; others
 * ignored) from buf[0..len) (borrowed) and hands each visit to
 * sink->visit. start is "YYYY-MM-DDTHH:MM:SS" or "YYYY-MM-DD"; the
 * oblast a name fw_oblast_by_name knows ("Donetska"). Answers are kept as
 * written, blanks trimmed; "N/A" and empty are no answer (NULL); the
 * civilians_number bands are renamed (above).
 *
 * A row is rejected (sink->reject with its line and a reason; reading
 * goes on) when start is not such a time or no such day or more than a
 * day after the machine's clock, the oblast is unknown, the settlement
 * is empty, a name is longer than FW_DISPLACEMENT_MAX_NAME_BYTES, or
 * civilians_present, civ_change, movement_now or frontline_distance holds
 * a value outside the code book (yes/no; yes/no/not_known; yes/no;
 * less_5km/5_10km/more_10km) or civilians_number one outside its bands.
 * sink->progress gets (len, len) at the end. sink may be NULL, as may any
 * callback.
 *
 * Errors: as fw_displacement_read_iom, for this header. */
fw_err fw_displacement_read_slac(const char *buf, size_t len,
                                 const struct fw_sink *sink,
                                 struct fw_diag *d);

/*
 * Finds the gazetteer place of every monitored settlement in the store
 * (settlement_visit.place_id, match): called by fw_ingest_derive, inside
 * its transaction, after every ingest run, so the order in which the
 * gazetteer and the monitoring were ingested does not matter.
 *
 * The rule, per distinct (oblast, raion, hromada, settlement): the names
 * are the settlement's ("Leontovychi") and a former one it gives in
 * brackets ("(formerly known as Pershe Travnia)"), each as its search key
 * (fw_text_key). The candidates are the places of the same oblast with a
 * name of that key (a KSE centre merged into a GeoNames place is that
 * place). Those whose raion or hromada (KSE's, in Ukrainian, compared by
 * the skeleton below: "Покровський" = "Pokrovskyi") is another than the
 * settlement's are dropped: a hromada centre of another hromada is
 * another place of that name (Dobropillia in Kryvorizka hromada is a
 * village, not the town). Of several left, those whose raion is known to
 * be the settlement's are kept, then those whose hromada is. GeoNames
 * places carry no raion and stay. One candidate left: matched
 * ("name"). None with the name: the places of the oblast whose name has
 * the same skeleton, the letters that the Latin spellings of one
 * Ukrainian name share ("y" and "j" read as "i", doubled letters as one:
 * "Mykolayivka" / "Mykolaivka", "Riznyikivka" / "Riznykivka"), narrowed
 * by raion and hromada as above but kept only when known to lie in the
 * settlement's raion (GeoNames' alternates hold Russian and old names: a
 * village's old "Liman" would meet every "Lyman"); one such place:
 * matched ("spelling").
 * An edit distance would not do: "Dachne" is one letter from "Udachne",
 * another village the monitors visited. Two or more equally good candidates
 * at any step: no match (never a guess). Errors: FW_ESQL, FW_ENOMEM.
 */
fw_err fw_displacement_match(fw_store *st, struct fw_diag *d);

/* How the monitored settlements match, for tests and status. */
struct fw_displacement_match_stats {
    long n_settlements; /* distinct (oblast, raion, hromada, settlement) */
    long n_matched;     /* of them, matched to a place */
    long n_by_spelling; /* of those, by a near spelling */
    long n_ambiguous;   /* unmatched for two equally good candidates */
};

/* Counts the match of the store's settlements (after
 * fw_displacement_match). Errors: FW_ESQL. */
fw_err fw_displacement_match_stats(fw_store *st,
                                   struct fw_displacement_match_stats *out,
                                   struct fw_diag *d);

/* IOM's estimate for an oblast at a date. */
struct fw_displacement_oblast {
    int has_round;       /* a round reported at or before the date */
    int round;
    int64_t reported_s;  /* its reported date (midnight UTC) */
    double idps;         /* IDPs present, NAN when IOM gives none */
    double returnees;    /* returnees present, NAN when none */
    int prev_round;      /* the round before it, 0 when none stored */
    double idps_change_prev_round; /* idps minus the previous round's,
                                      NAN when either is unknown */
    int is_stale;        /* reported more than
                            FW_DISPLACEMENT_IOM_STALE_DAYS before the date */
    int64_t first_s;     /* the first round's reported date in the store,
                            0 when none: why has_round is 0 */
};

/* The newest monitoring visit of a place at a date. */
struct fw_settlement_status {
    int has_visit;     /* a visit matched to the place, at or before the
                          date */
    int64_t visit_s;   /* its start */
    char settlement[FW_DISPLACEMENT_MAX_NAME_BYTES + 1]; /* as written */
    char match[16];    /* "name" or "spelling" (fw_displacement_match) */
    /* the answers, "" when not answered */
    char civilians_present[16];
    char civilians_number[16];
    char civ_change[16];
    char civ_change_type[32];
    char movement_now[16];
    char movement_direction[32];
    char frontline_distance[16];
    long n_visits;     /* visits of the place at or before the date */
    int is_monitored;  /* the place has a visit, at any date */
    int64_t first_s;   /* its first visit (when is_monitored) */
};

/* What assess shows of both, and each source's newest data at the date. */
struct fw_displacement {
    struct fw_displacement_oblast oblast;
    struct fw_settlement_status settlement;
    int64_t iom_newest_s;  /* newest round reported at or before the date,
                              any oblast; 0 when none */
    int iom_is_stale;
    int64_t slac_newest_s; /* newest visit at or before the date, any
                              settlement; 0 when none */
    int slac_is_stale;
};

/* A monitoring answer of the code book in words: "yes", "no",
 * "not_known", "decrease", "increase", "evacuation", the civilians_number
 * bands ("less_50" -> "fewer than 50", "0" -> "none") and the
 * frontline_distance bands ("5_10km" -> "5 to 10 km"), in English or
 * Ukrainian; "" -> "not answered"; an answer outside the code book comes
 * back as it is. Static storage or answer itself. */
const char *fw_displacement_answer_text(const char *answer, enum fw_lang lang);

/* Fills *out for place (borrowed) at at_s (the end of the assessed day,
 * UTC): only rounds reported and visits made at or before it. The oblast
 * part is empty for a place without oblast. Errors: FW_EUSAGE (NULL
 * argument), FW_ESQL; *out is untouched on error. */
fw_err fw_displacement_at(fw_store *st, const struct fw_place *place,
                          int64_t at_s, struct fw_displacement *out,
                          struct fw_diag *d);

#endif
