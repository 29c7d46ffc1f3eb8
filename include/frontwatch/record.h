/*
 * record.h - what readers produce, and the sink they hand it to.
 *
 * Readers (gazetteer.h, alerts.h, frontline.h, events.h, shapefile.h,
 * incidents.h, displacement.h) turn
 * one source into
 * records and pass each to a struct fw_sink; the store's ingest implements
 * the sink inside one transaction per file. Readers never touch the store,
 * so they can be tested, fuzzed and benchmarked alone.
 *
 * Ownership: every pointer in a record is borrowed for the duration of the
 * callback only; a sink that keeps anything copies it.
 */
#ifndef FRONTWATCH_RECORD_H
#define FRONTWATCH_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"

/* A populated place from a gazetteer. */
struct fw_place_rec {
    const char *source;    /* "geonames" or "kse" */
    const char *source_id; /* geonameid, or the KSE hromada centre code */
    const char *name;      /* main name as the source writes it */
    const char *const *alt_names; /* other names (any script), may be NULL */
    size_t n_alt_names;
    double lat_deg;        /* WGS84, validated: [-90, 90] */
    double lon_deg;        /* WGS84, validated: [-180, 180] */
    long population;       /* -1 when unknown */
    const char *oblast_iso; /* "UA-63", NULL when unknown */
    const char *raion;     /* raion name (Ukrainian), NULL when unknown */
    const char *hromada;   /* hromada name (Ukrainian), NULL when unknown */
    const char *kind;      /* GeoNames feature code or KSE hromada type */
};

enum fw_alert_level {
    FW_ALERT_OBLAST = 1,
    FW_ALERT_RAION = 2,
    FW_ALERT_HROMADA = 3
};

/* One air-raid alert. */
struct fw_alert_rec {
    const char *source;    /* "official", "volunteer" or "alerts_in_ua" */
    enum fw_alert_level level;
    const char *oblast_iso; /* always set */
    const char *raion;     /* as written in the source, NULL for oblast;
                              NULL also for alerts_in_ua hromada-level
                              alerts (that API names no raion for them) */
    const char *hromada;   /* as written in the source, NULL unless hromada */
    int64_t start_s;       /* UTC */
    int64_t end_s;         /* UTC, >= start_s */
    int is_naive;          /* end assumed (volunteer: start + 30 min) */
    int is_open;           /* no end yet: end_s is the time the answer was
                              read (now_s clamped to >= start_s); whoever
                              counts hours extends it to the time asked.
                              0 for the CSVs, which hold ended alerts only */
};

/* One region of the alert system's hierarchy (states.json). */
struct fw_region_rec {
    long id;               /* the source's id (stateId, districtId, ...) */
    enum fw_alert_level level;
    long parent_id;        /* 0 for oblasts */
    const char *name;      /* Ukrainian, as in the source */
    const char *oblast_iso; /* resolved oblast, NULL when unknown */
};

/* Control classes of a front-line map. */
enum fw_control_class {
    FW_CLASS_OCCUPIED = 1,         /* occupied since 24 February 2022 */
    FW_CLASS_OCCUPIED_PRE2022 = 2, /* Crimea, ORDLO */
    FW_CLASS_CONTESTED = 3,        /* status unknown / contested */
    FW_CLASS_LIBERATED = 4
};

/* A front-line map snapshot: sent once before its polygons. */
struct fw_snapshot_rec {
    const char *source;    /* "deepstate", "deepstate_occupied", "nzz" */
    int64_t published_s;   /* when the file was published (file name) */
    int64_t as_of_s;       /* the state it shows (NZZ feature date lags) */
};

/* One polygon of a snapshot, boundary or country outline, valid (repaired
 * if it was not). */
struct fw_polygon_rec {
    enum fw_control_class cls; /* 0 for boundaries and outlines */
    const unsigned char *wkb;  /* 2D ISO WKB, lon/lat degrees */
    size_t wkb_len;
    double min_lon, min_lat, max_lon, max_lat;
    double area_km2;
};

/* An administrative boundary (oblast), polygons follow via polygon(). */
struct fw_boundary_rec {
    const char *oblast_iso; /* "UA-63" */
    const char *name;
};

/* A country's outline (shapefile.h), polygons follow via polygon(). */
struct fw_country_rec {
    const char *country; /* ISO 3166-1 alpha-2, upper case: "RU" */
    const char *name;    /* as the source names it: "Russia" */
};

/* One event of an event source: for the missile and drone attack table
 * (events.h), one attack wave against one target, an oblast or an area;
 * for the incident tables (incidents.h), one strike at a position. */
struct fw_event_rec {
    const char *source;     /* "missile_attacks_daily", "bellingcat",
                               "cir" */
    int64_t t_s;            /* start, UTC seconds (events.h says how a
                               source's local times are converted) */
    int has_position;       /* lat_deg/lon_deg set (0 for the missile
                               table, which has no coordinates; 1 for the
                               incidents) */
    double lat_deg, lon_deg; /* WGS84, validated, when has_position */
    const char *oblast_iso; /* "UA-51"; NULL when the target is an area */
    const char *area;       /* "ukraine", "north", "south", "east",
                               "center", "west"; NULL when oblast_iso is
                               set. Without a position exactly one of the
                               two is set; with one, area is NULL and
                               oblast_iso may be */
    const char *type;       /* what: the weapon model as written (an
                               incident: its weapons or event group),
                               never empty */
    long long count;        /* how many (launched), -1 when unknown */
    const char *source_row; /* the row in the source ("123": its line),
                               shared by the records of one row */
};

/* One oblast in one round of IOM DTM's estimates of the people
 * displaced within Ukraine (displacement.h). */
struct fw_displacement_rec {
    int round;              /* the General Population Survey round, >= 1 */
    int64_t reported_s;     /* midnight UTC of its reported date */
    const char *oblast_iso; /* "UA-63", always set */
    long long idps;         /* internally displaced people present in the
                               oblast (estimate), -1 when not given */
    long long returnees;    /* returnees present (estimate), -1 when not
                               given */
    const char *source_row; /* "line 12" */
};

/* One visit of a settlement by SLAC's front-line settlement monitoring
 * (displacement.h): the answers assess shows, each as the code book
 * writes it ("yes", "less_50", "more_10km"), NULL when not answered
 * ("N/A", empty). */
struct fw_settlement_visit_rec {
    int64_t t_s;            /* the visit's start, as written (local time of
                               the form, taken as UTC: its day is what
                               counts) */
    const char *oblast_iso; /* always set */
    const char *raion;      /* as written ("Pokrovskyi"), NULL if empty */
    const char *hromada;    /* as written ("Mykolaivs'ka"), NULL if empty */
    const char *settlement; /* as written, never empty */
    const char *civilians_present;  /* "yes", "no" */
    const char *civilians_number;   /* "0", "less_50", "50_200", ...,
                                       "more_2000" */
    const char *civ_change;         /* "yes", "no", "not_known" */
    const char *civ_change_type;    /* "decrease", "increase", both */
    const char *movement_now;       /* "yes", "no" */
    const char *movement_direction; /* "evacuation", ... */
    const char *frontline_distance; /* "less_5km", "5_10km", "more_10km" */
    const char *source_row;         /* "line 12" */
};

/* The sink. Any callback may be NULL (records of that kind are dropped).
 * A callback returning non-FW_OK aborts the read; the reader returns that
 * error unchanged. line is the 1-based line, feature the 0-based feature
 * index; the other is 0 / -1. */
struct fw_sink {
    void *ctx;
    fw_err (*place)(void *ctx, const struct fw_place_rec *p);
    fw_err (*alert)(void *ctx, const struct fw_alert_rec *a);
    fw_err (*region)(void *ctx, const struct fw_region_rec *r);
    fw_err (*snapshot)(void *ctx, const struct fw_snapshot_rec *s);
    fw_err (*boundary)(void *ctx, const struct fw_boundary_rec *b);
    fw_err (*country)(void *ctx, const struct fw_country_rec *c);
    fw_err (*polygon)(void *ctx, const struct fw_polygon_rec *p);
    fw_err (*event)(void *ctx, const struct fw_event_rec *e);
    fw_err (*displacement)(void *ctx, const struct fw_displacement_rec *r);
    fw_err (*visit)(void *ctx, const struct fw_settlement_visit_rec *v);
    /* A row or feature skipped, with the reason (counted as rejected). */
    void (*reject)(void *ctx, long line, long feature, const char *reason);
    /* Something fixed on the way in (swapped columns, invalid polygon). */
    void (*repair)(void *ctx, long line, long feature, const char *what);
    /* Progress through the input (bytes or features, as the reader
     * counts), for progress bars. */
    void (*progress)(void *ctx, size_t done, size_t total);
};

#endif
