/*
 * mapcheck.c - holds new isolated parts of a map as unconfirmed (see
 * mapcheck.h). fw_ingest_derive runs it after the glitch flags; geo.c then
 * leaves the flagged parts out. It uses the geo engine's projection, WKB
 * reader and source rules through geo_int.h.
 *
 * A part is compared with a map in two steps: an overlap test in lon/lat
 * (prepared geometries behind a box test), which settles nearly every part
 * since most parts of a weekly map overlap last week's; only a part that
 * overlaps nothing is measured, in the Lambert projection (facet-indexed
 * distance), and the nearest pair of points found there is measured along
 * the geodesic, as geo.c measures distances.
 */
#include "frontwatch/mapcheck.h"

#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/geo.h"
#include "frontwatch/record.h"
#include "geo_int.h"

/* A polygon of a map as the check needs it. */
struct part {
    int64_t id;
    int cls;
    double min_lon, min_lat, max_lon, max_lat;
    GEOSGeometry *geom;               /* lon/lat */
    const GEOSPreparedGeometry *prep; /* NULL until needed */
    GEOSGeometry *proj;               /* Lambert metres; NULL until needed */
};

struct map {
    int64_t id; /* 0: an empty slot */
    unsigned long last_use;
    struct part *v;
    size_t n;
};

/* A map, its previous map and the other source's map. */
#define N_SLOTS 3

struct checker {
    fw_store *st;
    fw_geo *g;
    struct map slot[N_SLOTS];
    unsigned long clock;
    sqlite3_stmt *load;     /* a map's parts */
    sqlite3_stmt *reset;    /* a map's results cleared */
    sqlite3_stmt *set_part; /* one part's results */
    sqlite3_stmt *set_snap; /* the maps a map was checked against */
};

static fw_err sql_fail(struct checker *c, struct fw_diag *d)
{
    return fw_diag_set(d, FW_ESQL, 0, 0, "checking maps: %s",
                       sqlite3_errmsg(fw_store_db(c->st)));
}

static void map_clear(struct checker *c, struct map *m)
{
    for (size_t i = 0; i < m->n; i++) {
        struct part *p = &m->v[i];
        if (p->prep != NULL) {
            GEOSPreparedGeom_destroy_r(c->g->gh, p->prep);
        }
        GEOSGeom_destroy_r(c->g->gh, p->geom);
        GEOSGeom_destroy_r(c->g->gh, p->proj);
    }
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* Reads the parts of snapshot id (occupied and contested, at least
 * min_km2) into m, which must be empty. */
static fw_err map_read(struct checker *c, int64_t id, double min_km2,
                       struct map *m, struct fw_diag *d)
{
    sqlite3_stmt *s = c->load;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_double(s, 2, min_km2);
    fw_err err = FW_OK;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (m->n == cap) {
            cap = cap ? cap * 2 : 64;
            struct part *nv = realloc(m->v, cap * sizeof *nv);
            if (nv == NULL) {
                err = FW_ENOMEM;
                break;
            }
            m->v = nv;
        }
        struct part *p = &m->v[m->n];
        memset(p, 0, sizeof *p);
        p->id = sqlite3_column_int64(s, 0);
        p->cls = sqlite3_column_int(s, 1);
        p->geom = GEOSWKBReader_read_r(c->g->gh, c->g->wkb_reader,
                                       sqlite3_column_blob(s, 2),
                                       (size_t)sqlite3_column_bytes(s, 2));
        if (p->geom == NULL) {
            err = fw_geo_geos_fail(c->g, d, "stored polygon is not valid WKB");
            break;
        }
        m->n++; /* freed by map_clear from here on */
        p->min_lon = sqlite3_column_double(s, 3);
        p->min_lat = sqlite3_column_double(s, 4);
        p->max_lon = sqlite3_column_double(s, 5);
        p->max_lat = sqlite3_column_double(s, 6);
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = sql_fail(c, d);
    }
    sqlite3_reset(s);
    m->id = id;
    return err;
}

/* The map of snapshot id (of source), from a slot or read into the least
 * recently used one. *out is valid until the next call. */
static fw_err map_get(struct checker *c, int64_t id, const char *source,
                      struct map **out, struct fw_diag *d)
{
    c->clock++;
    struct map *victim = &c->slot[0];
    for (int i = 0; i < N_SLOTS; i++) {
        if (c->slot[i].id == id) {
            c->slot[i].last_use = c->clock;
            *out = &c->slot[i];
            return FW_OK;
        }
        if (c->slot[i].last_use < victim->last_use) {
            victim = &c->slot[i];
        }
    }
    map_clear(c, victim);
    fw_err err = map_read(c, id, fw_geo_min_polygon_km2(source), victim, d);
    if (err != FW_OK) {
        map_clear(c, victim);
        return err;
    }
    victim->last_use = c->clock;
    *out = victim;
    return FW_OK;
}

static int is_occupied_class(int cls)
{
    return cls == FW_CLASS_OCCUPIED || cls == FW_CLASS_OCCUPIED_PRE2022;
}

static fw_err project(struct checker *c, struct part *p, struct fw_diag *d)
{
    if (p->proj == NULL &&
        (p->proj = GEOSGeom_transformXY_r(c->g->gh, p->geom, fw_geo_to_lcc,
                                          c->g)) == NULL) {
        return fw_geo_geos_fail(c->g, d, "cannot project a polygon");
    }
    return FW_OK;
}

/* The geodesic km from part a to the nearest part of m whose class passes
 * want(cls) into *km: 0 when one overlaps it, INFINITY when m has none. */
static fw_err nearest_km(struct checker *c, struct part *a, struct map *m,
                         int (*want)(int cls), double *km, struct fw_diag *d)
{
    GEOSContextHandle_t gh = c->g->gh;
    for (size_t i = 0; i < m->n; i++) {
        struct part *b = &m->v[i];
        if (!want(b->cls) || b->max_lon < a->min_lon ||
            b->min_lon > a->max_lon || b->max_lat < a->min_lat ||
            b->min_lat > a->max_lat) {
            continue;
        }
        if (b->prep == NULL && (b->prep = GEOSPrepare_r(gh, b->geom)) == NULL) {
            return fw_geo_geos_fail(c->g, d, "cannot prepare a polygon");
        }
        char hit = GEOSPreparedIntersects_r(gh, b->prep, a->geom);
        if (hit == 2) {
            return fw_geo_geos_fail(c->g, d, "overlap test failed");
        }
        if (hit) {
            *km = 0;
            return FW_OK;
        }
    }
    fw_err err = project(c, a, d);
    struct part *best = NULL;
    double best_m = INFINITY;
    for (size_t i = 0; err == FW_OK && i < m->n; i++) {
        struct part *b = &m->v[i];
        if (!want(b->cls)) {
            continue;
        }
        double dist_m = 0;
        if ((err = project(c, b, d)) != FW_OK) {
            break;
        }
        if (!GEOSDistanceIndexed_r(gh, a->proj, b->proj, &dist_m)) {
            err = fw_geo_geos_fail(c->g, d, "distance between parts failed");
        } else if (dist_m < best_m) {
            best_m = dist_m;
            best = b;
        }
    }
    if (err != FW_OK || best == NULL) {
        *km = INFINITY;
        return err;
    }
    GEOSCoordSequence *cs = GEOSNearestPoints_r(gh, a->proj, best->proj);
    double x1, y1, x2, y2;
    if (cs == NULL || !GEOSCoordSeq_getXY_r(gh, cs, 0, &x1, &y1) ||
        !GEOSCoordSeq_getXY_r(gh, cs, 1, &x2, &y2)) {
        GEOSCoordSeq_destroy_r(gh, cs); /* accepts NULL */
        return fw_geo_geos_fail(c->g, d, "nearest points failed");
    }
    GEOSCoordSeq_destroy_r(gh, cs);
    double lon1, lat1, lon2, lat2, s12 = 0;
    fw_geo_lcc_inv(&c->g->lcc, x1, y1, &lon1, &lat1);
    fw_geo_lcc_inv(&c->g->lcc, x2, y2, &lon2, &lat2);
    geod_inverse(&c->g->geod, lat1, lon1, lat2, lon2, &s12, NULL, NULL);
    *km = s12 / 1000.0;
    return FW_OK;
}

static int any_mapped_class(int cls)
{
    return is_occupied_class(cls) || cls == FW_CLASS_CONTESTED;
}

/* One snapshot to check: it, its previous map and the other source's map
 * (0: none), and their sources. */
struct job {
    int64_t id, prev_id, other_id;
    char source[24], other_source[24];
};

static fw_err bind_step(struct checker *c, sqlite3_stmt *s, struct fw_diag *d)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? FW_OK : sql_fail(c, d);
}

static fw_err check_one(struct checker *c, const struct job *j,
                        struct fw_diag *d)
{
    sqlite3_bind_int64(c->reset, 1, j->id);
    fw_err err = bind_step(c, c->reset, d);
    struct map *m = NULL, *prev = NULL, *other = NULL;
    /* the first map of a source has nothing to be compared with. The
     * previous map first: in time order it is the last job's map, still
     * in a slot, and m then takes the least recently used one. */
    if (err == FW_OK && j->prev_id != 0) {
        err = map_get(c, j->prev_id, j->source, &prev, d);
        if (err == FW_OK) {
            err = map_get(c, j->id, j->source, &m, d);
        }
    }
    for (size_t i = 0; err == FW_OK && m != NULL && i < m->n; i++) {
        struct part *a = &m->v[i];
        if (!is_occupied_class(a->cls)) {
            continue;
        }
        double gap_km = 0, other_km = NAN;
        err = nearest_km(c, a, prev, any_mapped_class, &gap_km, d);
        if (err == FW_OK && gap_km > FW_MAPCHECK_ISOLATED_KM &&
            j->other_id != 0) {
            /* read once, into the third slot: m and prev were used more
             * recently, so neither is evicted */
            if (other == NULL) {
                err = map_get(c, j->other_id, j->other_source, &other, d);
            }
            if (err == FW_OK) {
                err = nearest_km(c, a, other, is_occupied_class, &other_km, d);
            }
        }
        if (err != FW_OK) {
            break;
        }
        int unconfirmed = gap_km > FW_MAPCHECK_ISOLATED_KM &&
                          !(other_km <= FW_MAPCHECK_ISOLATED_KM);
        sqlite3_stmt *s = c->set_part;
        sqlite3_bind_int64(s, 1, a->id);
        if (isfinite(gap_km)) {
            sqlite3_bind_double(s, 2, gap_km);
        }
        if (isfinite(other_km)) {
            sqlite3_bind_double(s, 3, other_km);
        }
        sqlite3_bind_int(s, 4, unconfirmed);
        err = bind_step(c, s, d);
    }
    if (err == FW_OK) {
        sqlite3_bind_int64(c->set_snap, 1, j->id);
        sqlite3_bind_int64(c->set_snap, 2, j->prev_id);
        sqlite3_bind_int64(c->set_snap, 3, j->other_id);
        err = bind_step(c, c->set_snap, d);
    }
    return err;
}

/* Every snapshot with its previous map and other-source map by the rule of
 * mapcheck.h, whose check is missing or was made against other maps. */
static const char JOBS_SQL[] =
    "SELECT id, source, prev_id, other_id, other_source FROM ("
    " SELECT m.id, m.source, m.published_s, m.check_prev_id,"
    "  m.check_other_id,"
    "  coalesce((SELECT p.id FROM snapshot p WHERE p.source = m.source"
    "   AND p.published_s < m.published_s"
    "   AND NOT " FW_GEO_SQL_PASSED_OVER("p", "m.published_s")
    "   ORDER BY p.published_s DESC LIMIT 1), 0) AS prev_id,"
    "  o.id AS other_id, o.source AS other_source"
    " FROM snapshot m LEFT JOIN snapshot o ON o.id = ("
    "  SELECT x.id FROM snapshot x WHERE"
    "   (CASE WHEN m.source = 'nzz'"
    "    THEN x.source IN ('deepstate', 'deepstate_occupied')"
    "    ELSE x.source = 'nzz' END)"
    "   AND x.published_s <= m.published_s"
    "   AND NOT " FW_GEO_SQL_PASSED_OVER("x", "m.published_s")
    "   ORDER BY x.published_s DESC LIMIT 1))"
    " WHERE check_prev_id IS NULL OR check_prev_id <> prev_id"
    "  OR check_other_id IS NOT coalesce(other_id, 0)"
    " ORDER BY source, published_s";

static fw_err read_jobs(struct checker *c, struct job **out, size_t *n_out,
                        struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(c->st, JOBS_SQL, &s, d);
    if (err != FW_OK) {
        return err;
    }
    struct job *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct job *nv = realloc(v, cap * sizeof *nv);
            if (nv == NULL) {
                err = FW_ENOMEM;
                break;
            }
            v = nv;
        }
        struct job *j = &v[n++];
        memset(j, 0, sizeof *j);
        j->id = sqlite3_column_int64(s, 0);
        snprintf(j->source, sizeof j->source, "%s",
                 (const char *)sqlite3_column_text(s, 1));
        j->prev_id = sqlite3_column_int64(s, 2);
        j->other_id = sqlite3_column_int64(s, 3); /* NULL reads as 0 */
        if (sqlite3_column_type(s, 4) != SQLITE_NULL) {
            snprintf(j->other_source, sizeof j->other_source, "%s",
                     (const char *)sqlite3_column_text(s, 4));
        }
    }
    if (err == FW_OK && rc != SQLITE_DONE) {
        err = sql_fail(c, d);
    }
    sqlite3_finalize(s);
    if (err != FW_OK) {
        free(v);
        return err;
    }
    *out = v;
    *n_out = n;
    return FW_OK;
}

static fw_err count_unconfirmed(struct checker *c, size_t *n, struct fw_diag *d)
{
    sqlite3_stmt *s = NULL;
    fw_err err = fw_store_prepare(
        c->st, "SELECT count(*) FROM polygon WHERE unconfirmed = 1", &s, d);
    if (err != FW_OK) {
        return err;
    }
    if (sqlite3_step(s) == SQLITE_ROW) {
        *n = (size_t)sqlite3_column_int64(s, 0);
    } else {
        err = sql_fail(c, d);
    }
    sqlite3_finalize(s);
    return err;
}

fw_err fw_mapcheck_run(fw_store *st, size_t *n_checked, size_t *n_unconfirmed,
                       struct fw_diag *d)
{
    struct checker c = {.st = st};
    struct job *jobs = NULL;
    size_t n_jobs = 0;
    fw_err err = fw_geo_new(st, &c.g, d);
    if (err == FW_OK) {
        err = fw_store_prepare(
            st,
            "SELECT p.id, p.cls, p.wkb, r.min_lon, r.min_lat, r.max_lon,"
            " r.max_lat FROM polygon p JOIN polygon_rtree r ON r.id = p.id"
            " WHERE p.snapshot_id = ?1 AND p.cls IN (1, 2, 3)"
            " AND p.area_km2 >= ?2 ORDER BY p.id",
            &c.load, d);
    }
    if (err == FW_OK) {
        err = fw_store_prepare(st,
                               "UPDATE polygon SET gap_km = NULL,"
                               " other_km = NULL, unconfirmed = 0"
                               " WHERE snapshot_id = ?1",
                               &c.reset, d);
    }
    if (err == FW_OK) {
        err = fw_store_prepare(st,
                               "UPDATE polygon SET gap_km = ?2,"
                               " other_km = ?3, unconfirmed = ?4"
                               " WHERE id = ?1",
                               &c.set_part, d);
    }
    if (err == FW_OK) {
        err = fw_store_prepare(st,
                               "UPDATE snapshot SET check_prev_id = ?2,"
                               " check_other_id = ?3 WHERE id = ?1",
                               &c.set_snap, d);
    }
    if (err == FW_OK) {
        err = read_jobs(&c, &jobs, &n_jobs, d);
    }
    for (size_t i = 0; err == FW_OK && i < n_jobs; i++) {
        err = check_one(&c, &jobs[i], d);
    }
    if (err == FW_OK && n_checked != NULL) {
        *n_checked = n_jobs;
    }
    if (err == FW_OK && n_unconfirmed != NULL) {
        err = count_unconfirmed(&c, n_unconfirmed, d);
    }
    free(jobs);
    for (int i = 0; i < N_SLOTS; i++) {
        map_clear(&c, &c.slot[i]);
    }
    sqlite3_finalize(c.load);
    sqlite3_finalize(c.reset);
    sqlite3_finalize(c.set_part);
    sqlite3_finalize(c.set_snap);
    fw_geo_free(c.g);
    return err;
}
