/*
 * feeds.h - warning feeds: the changes of a place's risk level, written
 * as CAP 1.2 alerts and as an Atom 1.0 feed (issue 12).
 *
 * Data flow: store + geo (+ forecast) -> feeds -> outputs (the server's
 * feed routes). A place is evaluated once a week, on Mondays 00:00 UTC
 * (the model's weekly origins), and on the last day asked; a feed entry
 * is a week whose level differs from the level of the evaluation before.
 * docs/FEEDS.md explains the levels, the CAP fields and the container.
 *
 * Levels (enum fw_feed_level), from the 90-day probability of the model
 * when there is one (basis "model"):
 *   minimal   p90 <  2 %
 *   low       2 %  <= p90 < 10 %
 *   elevated  10 % <= p90 < 30 %
 *   high      30 % <= p90 < 60 %
 *   severe    60 % <= p90
 * and without a model from the distance to the occupied area on the map
 * in force (basis "distance"):
 *   minimal   >= 100 km
 *   low       50 to 100 km
 *   elevated  20 to 50 km
 *   high      5 to 20 km
 *   severe    < 5 km, or inside a contested area
 * A place inside the occupied area (occupied, or occupied before 2022) is
 * "occupied" on either basis; with no map of the date (none, or the
 * newest older than FW_DATASET_MAX_MAP_AGE_DAYS) the level is "unknown".
 * Each lower bound belongs to the band above it ("exactly 10 %" is
 * elevated, "exactly 20 km" is elevated).
 *
 * Ownership: every pointer argument is borrowed for the call unless its
 * comment says otherwise. The writers never fail: they write to f and the
 * caller checks ferror(f).
 */
#ifndef FRONTWATCH_FEEDS_H
#define FRONTWATCH_FEEDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "frontwatch/err.h"
#include "frontwatch/forecast.h"
#include "frontwatch/geo.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

enum fw_feed_level {
    FW_FEED_LEVEL_UNKNOWN = 0, /* no map of the date */
    FW_FEED_LEVEL_MINIMAL,
    FW_FEED_LEVEL_LOW,
    FW_FEED_LEVEL_ELEVATED,
    FW_FEED_LEVEL_HIGH,
    FW_FEED_LEVEL_SEVERE,
    FW_FEED_LEVEL_OCCUPIED
};
#define FW_FEED_N_LEVELS 7

enum fw_feed_basis {
    FW_FEED_BASIS_MODEL = 0,   /* the model's 90-day probability */
    FW_FEED_BASIS_DISTANCE = 1 /* the distance to the occupied area */
};

/* Lower bounds of the levels on the model basis (90-day probability). */
#define FW_FEEDS_P90_LOW 0.02
#define FW_FEEDS_P90_ELEVATED 0.10
#define FW_FEEDS_P90_HIGH 0.30
#define FW_FEEDS_P90_SEVERE 0.60

/* Upper bounds (exclusive) of the levels on the distance basis, km:
 * below 100 km is low, below 50 elevated, below 20 high, below 5 severe. */
#define FW_FEEDS_KM_LOW 100.0
#define FW_FEEDS_KM_ELEVATED 50.0
#define FW_FEEDS_KM_HIGH 20.0
#define FW_FEEDS_KM_SEVERE 5.0

/* CAP urgency "Expected" from this 30-day probability on, else "Future". */
#define FW_FEEDS_P30_EXPECTED 0.10
/* CAP certainty: "Likely" from this 90-day probability on, "Possible"
 * from the second, else "Unlikely". */
#define FW_FEEDS_P90_LIKELY 0.50
#define FW_FEEDS_P90_POSSIBLE 0.10

/* fw_feeds_changes refuses to produce more changes than this (FW_ELIMIT)
 * and to evaluate more than FW_FEEDS_MAX_WEEKS dates. */
#define FW_FEEDS_MAX_CHANGES 5000
#define FW_FEEDS_MAX_WEEKS 1000

/* The oblast feed's places: population of at least this many. */
#define FW_FEEDS_OBLAST_MIN_POPULATION 10000

/* The radius of a place's CAP <circle>, km. */
#define FW_FEEDS_CIRCLE_KM 10.0
/* An oblast's CAP <polygon> has at most this many points. */
#define FW_FEEDS_MAX_POLYGON_POINTS 1000

/* "unknown", "minimal", "low", "elevated", "high", "severe", "occupied"
 * (static; stable, for programs). */
const char *fw_feed_level_name(enum fw_feed_level level);

/* The level in words, lang "uk" or "en" (anything else: "en"); static.
 * "підвищений" / "elevated". */
const char *fw_feed_level_label(enum fw_feed_level level, const char *lang);

/* "model" or "distance" (static). */
const char *fw_feed_basis_name(enum fw_feed_basis basis);

/* The level of a 90-day probability p90 in [0, 1] (the bands above);
 * UNKNOWN for NaN or a value outside [0, 1]. */
enum fw_feed_level fw_feeds_level_of_p(double p90);

/* The level of a place with status at distance_km from the occupied
 * area (bands above): OCCUPIED for either occupied status, SEVERE when
 * contested, UNKNOWN for a NaN or negative distance. */
enum fw_feed_level fw_feeds_level_of_distance(double distance_km,
                                              enum fw_status status);

/* CAP <severity> of a level (static): "Extreme" (occupied, severe),
 * "Severe" (high), "Moderate" (elevated), "Minor" (low, minimal),
 * "Unknown" (unknown). */
const char *fw_feeds_cap_severity(enum fw_feed_level level);

/* CAP <urgency> (static): "Immediate" for occupied, "Unknown" without a
 * probability (NaN p30: the distance basis, or level unknown), else
 * "Expected" when p30 >= FW_FEEDS_P30_EXPECTED, else "Future". */
const char *fw_feeds_cap_urgency(enum fw_feed_level level, double p30);

/* CAP <certainty> (static): "Observed" for occupied, "Unknown" without a
 * probability (NaN p90), else "Likely" (p90 >= FW_FEEDS_P90_LIKELY),
 * "Possible" (>= FW_FEEDS_P90_POSSIBLE) or "Unlikely". */
const char *fw_feeds_cap_certainty(enum fw_feed_level level, double p90);

/* A change of a place's level found at one evaluation date. */
struct fw_feed_change {
    struct fw_place place;
    int64_t t_s; /* the evaluation date, 00:00 UTC; the
                    data published by its end is used */
    enum fw_feed_level level;
    enum fw_feed_level prev_level; /* UNKNOWN for the initial state */
    int is_initial;                /* the first known level in the window */
    enum fw_feed_basis basis;
    double p30, p90;    /* NAN on the distance basis, and for
                           an occupied place */
    double distance_km; /* to the occupied area, 0 inside */
    enum fw_status status;
    int64_t map_s;   /* publication of the map used */
    char source[24]; /* its source: "deepstate", "nzz"... */
};

/*
 * The changes of level of n_places places (ids borrowed) at the dates
 * from_s, ... to_s (each taken as its day, 00:00 UTC): every Monday in
 * [from_s, to_s], and to_s itself when it is not a Monday.
 *
 * fc (borrowed) NULL: the distance basis, from the map of the source
 * among FW_GEO_SOURCES whose newest map at the end of the date shows the
 * newest state (as_of_s; the first of FW_GEO_SOURCES on a tie). Otherwise
 * the model basis: fw_forecast_places at the end of each date, the status
 * from the map series the forecast used.
 *
 * A place's first evaluation with a known level is its initial state
 * (one change, is_initial 1); after that a change is every evaluation
 * whose level differs from the place's last known level. An evaluation
 * with level unknown (no map, a stale map) changes nothing: it is passed
 * over, not reported. The changes are in *out (caller-owned, free(); NULL
 * when *n_out is 0), ordered by t_s, then place id.
 *
 * Errors: FW_EUSAGE (from_s > to_s, n_places 0, ids NULL), FW_ELIMIT
 * (more than FW_FEEDS_MAX_WEEKS dates or FW_FEEDS_MAX_CHANGES changes:
 * ask for a shorter window), FW_ENOTFOUND (an unknown place id, named in
 * d), FW_ESQL, FW_EGEOS, FW_EPROJ, FW_ENOMEM, FW_EIO (the model), as
 * fw_forecast_places. *out and *n_out are set on success only.
 */
fw_err fw_feeds_changes(const fw_forecast *fc, fw_store *st, fw_geo *g,
                        const int64_t *place_ids, size_t n_places,
                        int64_t from_s, int64_t to_s,
                        struct fw_feed_change **out, size_t *n_out,
                        struct fw_diag *d);

/* The ids of the places of oblast iso ("UA-63") with a known population
 * of at least min_population (FW_FEEDS_OBLAST_MIN_POPULATION for the
 * oblast feed), by id, into *ids (caller-owned, free(); NULL when *n is
 * 0). Errors: FW_ENOTFOUND (no such oblast), FW_ESQL, FW_ENOMEM. Outputs
 * set on success only. */
fw_err fw_feeds_oblast_places(fw_store *st, const char *iso,
                              long min_population, int64_t **ids, size_t *n,
                              struct fw_diag *d);

/* The boundary of oblast iso as stored (WKB, WGS84 lon/lat; the largest
 * stored polygon of the oblast) into *wkb (caller-owned, free()) and
 * *wkb_len. Errors: FW_ENOTFOUND (none stored), FW_ESQL, FW_ENOMEM.
 * Outputs set on success only. */
fw_err fw_feeds_oblast_boundary(fw_store *st, const char *iso, void **wkb,
                                size_t *wkb_len, struct fw_diag *d);

/* What a feed is about and where it lives. Strings borrowed; NULL means
 * the default in brackets. */
struct fw_feeds_meta {
    const char *sender;    /* CAP sender, also the Atom tag authority
                              ["frontwatch@localhost"] */
    const char *base_url;  /* no trailing slash ["http://127.0.0.1:8080"] */
    const char *title;     /* "Kharkiv", "Kharkiv oblast" [""] */
    const char *self_path; /* the feed's own path under base_url, for
                              Atom's id and rel="self" ["/feeds"] */
    int64_t generated_s;   /* Atom <updated> of an empty feed */
    const char *feed_query; /* the feed's query string (URL-encoded,
                               without '?'), which the CAP links repeat
                               ["": none] */
    /* Optional (NULL: none): an oblast's boundary (WKB Polygon or
     * MultiPolygon, lon/lat; fw_feeds_oblast_boundary), borrowed. When
     * set, each CAP alert's <area> is that oblast's <polygon> instead of
     * the place's <circle>: the alert then addresses the whole oblast. */
    const void *area_wkb;
    size_t area_wkb_len;
};

/* The CAP identifier of change c: "frontwatch-<place id>-<YYYYMMDD>-
 * <basis>" into buf[cap] (80 bytes are enough). */
void fw_feeds_cap_identifier(const struct fw_feed_change *c, char *buf,
                             size_t cap);

/*
 * One CAP 1.2 document: the <alert> of the change c[n - 1], as it was
 * issued then; the earlier changes c[0 .. n - 2] (the same list, in its
 * order) tell whether it is the place's first alert (msgType "Alert") or
 * an "Update" referencing the place's previous change. To write the alert
 * of change i of a list, pass (c, i + 1): every alert is a document of its
 * own, as CAP wants, and the Atom feed links to them. Nothing is written
 * when n is 0.
 */
void fw_feeds_write_cap(const struct fw_feed_change *c, size_t n,
                        const struct fw_feeds_meta *meta, FILE *f);

/* An Atom 1.0 feed (RFC 4287) of the changes c[0 .. n - 1], newest
 * first; each entry links to its place's page and, with rel="alternate"
 * type="application/cap+xml", to its CAP document at
 * <base_url>/feeds/cap.xml?<feed_query>&alert=<identifier>: the same
 * feed's alert of that change (docs/FEEDS.md). */
void fw_feeds_write_atom(const struct fw_feed_change *c, size_t n,
                         const struct fw_feeds_meta *meta, FILE *f);

#endif
