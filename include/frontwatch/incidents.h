/*
 * incidents.h - geocoded incident tables (the Bellingcat civilian-harm
 * export and the CIR / Bellingcat Russia-Ukraine Monitor map events):
 * their readers, and the count of strikes near a point that assess reads
 * back from the store.
 *
 * Both tables hold incidents with a date and a position; the readers keep
 * the ones that are strikes (the rule below) as events (record.h) with
 * has_position set, oblast_iso when the source names a known oblast, no
 * area, type saying what struck, count -1 (the tables count incidents, not
 * munitions) and t_s the midnight UTC of the incident's date (the
 * project's convention for dates, date.h: the tables give no time of day).
 * Neither table is openly licensed: they are read from ../shared/data or
 * the user's copy, never bundled.
 *
 * What counts as a strike (a munition fired or dropped from a distance:
 * shelling, rockets, missiles, bombs, drones), per source:
 *  - Bellingcat (source "bellingcat"): every incident, except those whose
 *    "Weapon System" filters are all weapons of troops on the spot:
 *    "Small arms", "Vehicle mounted weapon", "Land mines" or "None" (the
 *    export of 2024-06-02: 50 of 1,790). "Unknown" (61 % of incidents,
 *    mostly described as shelling) and an incident without a weapon filter
 *    count as strikes. The "Type of area affected" filters do not matter.
 *  - CIR (source "cir"): rows whose country is Ukraine (any case, blanks
 *    trimmed; "Russia", "Belarus", "Crimea", misspellings are skipped) and
 *    whose event_group begins with "Bombing or Explosion", "Civilian
 *    Casualty", "Civilian Infrastructure Damage" (a month follows) or
 *    "Military Infrastructure Damage". Not strikes: "Russian Military
 *    Presence ...", "Russian Military Losses ...", "Ukrainian Military
 *    Losses", "Ground Battle", "Russian Firing Positions" (where fire
 *    comes from, not where it lands), "Munitions" (remnants found, often
 *    days later), "Mass grave or Burial", "Detentions or Arrests",
 *    "Russian Allies Presence/Losses", "Other".
 * Rows that are not strikes are skipped without a reject: they are data,
 * not faults (as NZZ's "losses" features, frontline.h). A strike must lie
 * within FW_INCIDENTS_MIN_LAT_DEG..MAX_LAT_DEG N and MIN_LON_DEG..
 * MAX_LON_DEG E (Ukraine and the neighbouring lands the sources also
 * cover, Moscow included: Bellingcat's export has 7 strikes in Russia,
 * which are kept), which rejects a missing position written as 0, 0 and
 * swapped coordinates.
 *
 * The two tables overlap: in 2022 about half of Bellingcat's strikes are
 * also in CIR's table, at the same or nearly the same position (301 at
 * the same point on the same day, 230 more within 100 m). The count below
 * takes a Bellingcat strike within FW_INCIDENTS_SAME_KM of a CIR strike of
 * the same day for the same incident, counted once.
 */
#ifndef FRONTWATCH_INCIDENTS_H
#define FRONTWATCH_INCIDENTS_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/record.h"
#include "frontwatch/store.h"

/* The source names of the incident events (event.source). */
#define FW_INCIDENTS_SOURCE_BELLINGCAT "bellingcat"
#define FW_INCIDENTS_SOURCE_CIR "cir"

/* The incident sources, as indexes of the arrays below and bits of a
 * source mask (1u << index). */
enum fw_incident_source {
    FW_INCIDENTS_BELLINGCAT = 0,
    FW_INCIDENTS_CIR = 1,
    FW_INCIDENTS_N_SOURCES = 2
};
#define FW_INCIDENTS_ALL_SOURCES ((1u << FW_INCIDENTS_N_SOURCES) - 1u)

/* The area a strike must lie in (degrees, inclusive). */
#define FW_INCIDENTS_MIN_LAT_DEG 40.0
#define FW_INCIDENTS_MAX_LAT_DEG 60.0
#define FW_INCIDENTS_MIN_LON_DEG 20.0
#define FW_INCIDENTS_MAX_LON_DEG 50.0

/* A Bellingcat strike this close (geodesic km) to a CIR strike of the same
 * day is the same incident. */
#define FW_INCIDENTS_SAME_KM 0.1

/* Largest radius fw_incidents_count_near accepts, km. */
#define FW_INCIDENTS_MAX_RADIUS_KM 1000.0

/* Longest type written into an event (the weapon systems of a Bellingcat
 * incident joined), in bytes; a longer one is cut at a character. */
#define FW_INCIDENTS_MAX_TYPE_BYTES 200

/* The source name of an incident source ("bellingcat", "cir"), or NULL
 * when src is none. Static storage. */
const char *fw_incidents_source_name(enum fw_incident_source src);

/* Reads the Bellingcat civilian-harm export (ukr-civharm-YYYY-MM-DD.json,
 * the TimeMap data: bellingcat_civilian_harm_2024-06-02.json) from
 * buf[0..len) (borrowed; need not be NUL-terminated) and hands each strike
 * to sink->event (source "bellingcat").
 *
 * The document is one JSON array (fw_json_parse: size and nesting caps,
 * UTF-8, positions of bad JSON); each element an object with "id" (a
 * string), "date" (a string, "MM/DD/YYYY"), "latitude" and "longitude" (a
 * string holding a decimal number, as the export writes them, or a
 * number) and optionally "filters" (an array of objects with string "key"
 * and "value"); other members are ignored. A strike (the rule above)
 * becomes one event: type the incident's weapon systems joined by ", " in
 * their order, duplicates dropped ("Unknown" when it has none), oblast_iso
 * NULL (the export names places in free text only), source_row
 * "<id> (item <i>)" with i the 0-based index in the array.
 *
 * A strike is rejected (sink->reject with line 0, feature the element's
 * index and a reason naming the id; reading goes on) when its date is not
 * MM/DD/YYYY or no such day, it is more than a day (FW_DAY_S) after the
 * machine's clock when the read starts, or its latitude or longitude is
 * not a finite decimal number or lies outside the area above.
 * sink->progress gets (index, number of elements) every 256 elements and
 * (n, n) at the end. sink may be NULL, as may any callback.
 *
 * Errors (the whole file fails): FW_EPARSE, FW_ELIMIT (bad JSON, with its
 * line and column in d, as fw_json_parse), FW_EPARSE for a document that
 * is not an array (at the line and column where the document starts), an
 * element that is not an object or lacks a member above or has one of the
 * wrong JSON type (d->feature the element's index, d->msg the member's
 * path: "filters[1].value: expected a string"), FW_EUSAGE (buf NULL),
 * or the error a sink callback returned, unchanged (with d->feature the
 * element's index). Elements before the error have already reached the
 * sink (the store's ingest discards them with its transaction). */
fw_err fw_incidents_read_bellingcat(const char *buf, size_t len,
                                    const struct fw_sink *sink,
                                    struct fw_diag *d);

/* Reads the CIR Russia-Ukraine Monitor map events (events.csv:
 * cir_russia_ukraine_monitor_events.csv) from buf[0..len) (borrowed; need
 * not be NUL-terminated) and hands each strike to sink->event (source
 * "cir").
 *
 * The header must have the columns entry, date, event_group, lat, lon and
 * country (found by name, any order); province is used when present,
 * others are ignored. Quoted fields may span lines (fw_csv_parse: RFC
 * 4180, CRLF or LF, a UTF-8 BOM skipped). A strike (the rule above)
 * becomes one event: type the event group without its month ("Civilian
 * Infrastructure Damage"), oblast_iso from province by fw_oblast_by_name
 * (NULL when it names none: "", "Charkov Oblast"), source_row
 * "<entry> (line <n>)" with n the 1-based line where the row starts.
 *
 * A strike is rejected (sink->reject with its line and a reason; reading
 * goes on) when its date is not YYYY-MM-DD (blanks around it allowed;
 * empty in 3 rows of the real table) or no such day, it is more than a
 * day after the machine's clock when the read starts, or lat or lon is not
 * a finite decimal number or lies outside the area above. sink->progress
 * gets (byte offset, len) every 4096 rows and (len, len) at the end. sink
 * may be NULL, as may any callback.
 *
 * Errors (the whole file fails; d->line is the 1-based line, d->col 0):
 * FW_EPARSE (a header without those columns, an empty file, a row with a
 * field count other than the header's, and the CSV errors of
 * fw_csv_parse, with their column), FW_ELIMIT and FW_ENOMEM (from
 * fw_csv_parse), FW_EUSAGE (buf NULL), or the error a sink callback
 * returned, unchanged. Rows before the error have already reached the
 * sink. */
fw_err fw_incidents_read_cir(const char *buf, size_t len,
                             const struct fw_sink *sink, struct fw_diag *d);

/* The extent in time of one event source in the store. */
struct fw_event_span {
    int has_data;     /* the source has an event before before_s */
    int64_t oldest_s; /* its oldest event (t_s), when has_data */
    int64_t newest_s; /* its newest event with t_s < before_s, when
                         has_data */
};

/* The span of the events of source (borrowed: any event source,
 * "bellingcat", "cir", "missile_attacks_daily") as seen at before_s: only
 * events before it make has_data and newest_s, so that an assessment of a
 * past day does not see later data. For an incident source two walks of
 * the index on (area, t_s) (incidents have no area), 0.03 ms; for another
 * source a scan of the event table, about 1 ms on the full store. Errors:
 * FW_EUSAGE (st, source or out NULL), FW_ESQL. *out is untouched on
 * error. */
fw_err fw_incidents_span(fw_store *st, const char *source, int64_t before_s,
                         struct fw_event_span *out, struct fw_diag *d);

/* Strikes near a point in a time window. */
struct fw_strike_count {
    long n_strikes; /* distinct strikes: the sum of n_by_source less
                       n_same */
    long n_by_source[FW_INCIDENTS_N_SOURCES]; /* each source's strikes
                                                 within the radius (0 for
                                                 a source not asked for) */
    long n_same; /* Bellingcat strikes within FW_INCIDENTS_SAME_KM of a
                    CIR strike of the same day, both counted above: the
                    same incident twice */
    /* each source's span as seen at t1_s (fw_incidents_span), whether it
     * was asked for or not: so callers can flag stale data */
    struct fw_event_span span[FW_INCIDENTS_N_SOURCES];
};

/* Counts the strikes of the sources in source_mask (bits 1u << enum
 * fw_incident_source) with t_s in [t0_s, t1_s) (UTC seconds) whose
 * geodesic distance from (lat_deg, lon_deg) (fw_geo_distance_km, WGS84) is
 * at most radius_km, into *out. The store is searched within a
 * latitude/longitude box around the circle (SQL, through the index on
 * (area, t_s) from t0_s on), then each candidate measured: about 1 ms for
 * 30 days of March 2022 around Kharkiv, the densest window of the real
 * data (0.5 ms with Bellingcat alone). A count of 0 is 0 strikes only where the
 * sources cover the window: out->span says how far they reach, and the caller
 * decides (assess.h: FW_ASSESS_STRIKE_STALE_DAYS). Errors: FW_EUSAGE (st or out
 * NULL, a latitude outside [-90, 90] or longitude outside [-180, 180] or
 * NaN, radius_km not in (0, FW_INCIDENTS_MAX_RADIUS_KM], t1_s < t0_s,
 * source_mask with bits of no source), FW_ENOMEM, FW_ESQL. *out is
 * untouched on error. */
fw_err fw_incidents_count_near(fw_store *st, double lat_deg, double lon_deg,
                               double radius_km, int64_t t0_s, int64_t t1_s,
                               unsigned source_mask,
                               struct fw_strike_count *out, struct fw_diag *d);

/*
 * Many points at once (the forecasts' samples: every place at every
 * weekly origin). fw_strike_set_load reads every strike of the incident
 * sources into memory once; fw_strike_set_near then gives a point's
 * strikes within a radius, and fw_strike_near_count counts a window of
 * them with the rules of fw_incidents_count_near (the same numbers: tests
 * compare them), without SQL.
 */
typedef struct fw_strike_set fw_strike_set;

/* Loads every strike of the incident sources in st. Errors: FW_EUSAGE,
 * FW_ENOMEM, FW_ESQL. */
fw_err fw_strike_set_load(fw_store *st, fw_strike_set **out,
                          struct fw_diag *d);

void fw_strike_set_free(fw_strike_set *set);

/* The span of one incident source as seen at before_s, as
 * fw_incidents_span gives it. */
void fw_strike_set_span(const fw_strike_set *set, enum fw_incident_source src,
                        int64_t before_s, struct fw_event_span *out);

/* The strikes within a radius of one point, every time. */
struct fw_strike_near {
    int64_t *t_s[FW_INCIDENTS_N_SOURCES]; /* each source's, ascending */
    size_t n[FW_INCIDENTS_N_SOURCES];
    int64_t *same_t_s; /* the days of the Bellingcat strikes that are a CIR
                          strike too (within FW_INCIDENTS_SAME_KM, the same
                          day, both within the radius), ascending */
    size_t n_same;
};

/* The strikes of set within radius_km (geodesic) of (lat_deg, lon_deg)
 * into *out (freed by fw_strike_near_free, also after an error). Errors:
 * FW_EUSAGE (as fw_incidents_count_near), FW_ENOMEM. */
fw_err fw_strike_set_near(const fw_strike_set *set, double lat_deg,
                          double lon_deg, double radius_km,
                          struct fw_strike_near *out, struct fw_diag *d);

void fw_strike_near_free(struct fw_strike_near *nr);

/* The distinct strikes of the sources in source_mask with t_s in
 * [t0_s, t1_s): fw_incidents_count_near's n_strikes for the same point,
 * radius, window and sources. */
long fw_strike_near_count(const struct fw_strike_near *nr, int64_t t0_s,
                          int64_t t1_s, unsigned source_mask);

#endif
