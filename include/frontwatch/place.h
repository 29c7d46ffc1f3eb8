/*
 * place.h - finding places in the store by name or position.
 *
 * A place is a GeoNames or KSE gazetteer entry; a KSE hromada centre that
 * was merged into the GeoNames place of the same name is found through
 * either entry's names but reported once, as the GeoNames place. Names
 * match on their search key (text.h): case, accents, apostrophes and
 * script (Latin or Cyrillic) do not matter.
 */
#ifndef FRONTWATCH_PLACE_H
#define FRONTWATCH_PLACE_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/store.h"

struct fw_place {
    int64_t id;
    char name[128];       /* display name, Latin script */
    char name_local[128]; /* Ukrainian name when known, else "" */
    char oblast_iso[8];   /* "" when unknown */
    char raion[128];      /* Ukrainian raion name, "" when unknown */
    char source[16];      /* "geonames" or "kse" */
    double lat_deg, lon_deg;
    long population;      /* -1 when unknown */
};

/* All places whose name matches query. query may end in ", OBLAST"
 * ("Avdiivka, Donetsk") to keep only that oblast's places. Sorted by
 * population, largest first. *out (caller-owned, free()) may be NULL when
 * *n_out is 0. Errors: FW_EUSAGE (empty query), FW_ENOTFOUND (unknown
 * oblast after the comma), FW_ESQL, FW_ENOMEM. */
fw_err fw_place_find(fw_store *st, const char *query, struct fw_place **out,
                     size_t *n_out, struct fw_diag *d);

/* A name is taken to mean its largest place when that place is a town
 * (this many people or more) and at least FW_PLACE_DOMINANT_RATIO times
 * larger than the next. */
#define FW_PLACE_DOMINANT_POPULATION 10000
#define FW_PLACE_DOMINANT_RATIO 10

/* The one place query means, into *out: the only match, or the largest
 * when it dominates the others (above). *n_others is the number of other,
 * smaller places of that name (0 for a unique name). When there is no such
 * place: FW_ENOTFOUND with up to 8 near names in *cands (fw_place_suggest;
 * may be none); when several places match and none dominates:
 * FW_EAMBIGUOUS with every match in *cands. *cands (caller frees with
 * free()) is NULL on success. Other errors: as fw_place_find. */
fw_err fw_place_resolve(fw_store *st, const char *query, struct fw_place *out,
                        size_t *n_others, struct fw_place **cands,
                        size_t *n_cands, struct fw_diag *d);

/* Up to max places whose names are near query (edit distance on keys,
 * at most 2, or 3 for long names), nearest first. Same ownership. */
fw_err fw_place_suggest(fw_store *st, const char *query, size_t max,
                        struct fw_place **out, size_t *n_out,
                        struct fw_diag *d);

/* The place with this id. Errors: FW_ENOTFOUND, FW_ESQL. */
fw_err fw_place_get(fw_store *st, int64_t id, struct fw_place *out,
                    struct fw_diag *d);

/* Every place not merged into another, by id, as fw_place_get gives each.
 * *out (caller-owned, free()) may be NULL when *n_out is 0. Errors:
 * FW_ESQL, FW_ENOMEM. */
fw_err fw_place_all(fw_store *st, struct fw_place **out, size_t *n_out,
                    struct fw_diag *d);

/* Places within radius_km (geodesic) of (lat, lon), nearest first; the
 * distance of each in dist_km (caller-owned array, same length, may be
 * NULL). Errors: FW_ESQL, FW_ENOMEM. */
fw_err fw_place_near(fw_store *st, double lat_deg, double lon_deg,
                     double radius_km, struct fw_place **out,
                     double **dist_km, size_t *n_out, struct fw_diag *d);

#endif
