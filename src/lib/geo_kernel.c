/*
 * geo_kernel.c - the whole-history path of the geo engine (fw_geo_points,
 * fw_geo_control_points; see geo.h and docs/decisions/0002): status and
 * distance of many places at many snapshots, the input of features,
 * back-tests and benchmarks. It asks geo.c's per-snapshot questions
 * (through geo_int.h) for each point, and between consecutive snapshots of
 * a source skips the distance searches that cannot have changed.
 */
#include "frontwatch/geo.h"

#include <geos_c.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "geo_int.h"

/*
 * The occupied edges of a snapshot are taken apart into segments (in the
 * projection, endpoints in a canonical order) and kept in a hash set per
 * source. At the next snapshot of the source, the segments in one set and
 * not the other (added or removed) are the change. For a point outside the
 * occupied area at both snapshots, at planar distance r from the old edges:
 * every old segment is at least r away, so if no changed segment lies
 * within r (plus a millimetre for rounding), the old nearest segment is
 * still there and no new one is nearer: the distance and nearest point are
 * unchanged and no search is needed. A point that was inside, or near a
 * change, is searched again.
 */

struct seg {
    double x1, y1, x2, y2;
};

/* Segments with an open-addressing hash index (slot = index + 1, 0 empty). */
struct segset {
    struct seg *v;
    size_t n, cap;
    uint32_t *slot;
    size_t n_slots; /* a power of 2, at least twice n */
};

/* Changed segments are tested in chunks of this many, each with a box. */
#define CHUNK 8

struct box {
    double min_x, min_y, max_x, max_y;
};

/* What a source's previous snapshot left for each point. */
struct history {
    char source[24]; /* "" while unused */
    int64_t snap_id; /* 0: nothing remembered */
    struct segset segs;
    double *d_m; /* planar distance to the edges; < 0: was inside */
    double *near_lat, *near_lon, *km;
};

struct fw_geo_points {
    fw_geo *g;
    size_t n;
    double *lat, *lon, *x, *y;
    GEOSGeometry **pt_ll;  /* lon/lat, for point-in-polygon */
    GEOSGeometry **pt_lcc; /* projected, for the nearest point */
    struct fw_control *cur;
    struct history hist[FW_GEO_N_SOURCES];
    struct segset next; /* the snapshot being computed */
    struct seg *changed;
    size_t n_changed, cap_changed;
    struct box *boxes;  /* one per CHUNK changed segments */
    struct box *groups; /* one per CHUNK boxes */
    struct box all;     /* around every changed segment */
    size_t n_searched;
};

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t seg_hash(const struct seg *s)
{
    uint64_t b[4];
    memcpy(b, s, sizeof b);
    return mix64(b[0] ^ mix64(b[1] ^ mix64(b[2] ^ mix64(b[3]))));
}

static int seg_eq(const struct seg *a, const struct seg *b)
{
    return a->x1 == b->x1 && a->y1 == b->y1 && a->x2 == b->x2 && a->y2 == b->y2;
}

static void segset_clear(struct segset *s)
{
    s->n = 0;
    if (s->slot != NULL) {
        memset(s->slot, 0, s->n_slots * sizeof *s->slot);
    }
}

static void segset_free(struct segset *s)
{
    free(s->v);
    free(s->slot);
    memset(s, 0, sizeof *s);
}

/* The slot where s is, or the empty slot where it would go. */
static size_t segset_find(const struct segset *set, const struct seg *s)
{
    size_t mask = set->n_slots - 1;
    size_t i = (size_t)seg_hash(s) & mask;
    while (set->slot[i] != 0 && !seg_eq(&set->v[set->slot[i] - 1], s)) {
        i = (i + 1) & mask;
    }
    return i;
}

static int segset_has(const struct segset *set, const struct seg *s)
{
    return set->n_slots > 0 && set->slot[segset_find(set, s)] != 0;
}

static fw_err segset_rehash(struct segset *set, size_t n_slots)
{
    uint32_t *slot = calloc(n_slots, sizeof *slot);
    if (slot == NULL) {
        return FW_ENOMEM;
    }
    free(set->slot);
    set->slot = slot;
    set->n_slots = n_slots;
    for (size_t k = 0; k < set->n; k++) {
        set->slot[segset_find(set, &set->v[k])] = (uint32_t)(k + 1);
    }
    return FW_OK;
}

/* Adds s unless it is there. */
static fw_err segset_add(struct segset *set, const struct seg *s)
{
    if (2 * (set->n + 1) > set->n_slots) {
        if (set->n + 1 >= UINT32_MAX / 4) {
            return FW_ENOMEM;
        }
        fw_err err = segset_rehash(set, set->n_slots ? set->n_slots * 2 : 1024);
        if (err != FW_OK) {
            return err;
        }
    }
    size_t i = segset_find(set, s);
    if (set->slot[i] != 0) {
        return FW_OK;
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 512;
        struct seg *v = realloc(set->v, cap * sizeof *v);
        if (v == NULL) {
            return FW_ENOMEM;
        }
        set->v = v;
        set->cap = cap;
    }
    set->v[set->n] = *s;
    set->slot[i] = (uint32_t)(++set->n);
    return FW_OK;
}

/* The segments of l's occupied edges into set (cleared first). */
static fw_err collect_segs(fw_geo *g, const struct loaded *l,
                           struct segset *set, struct fw_diag *d)
{
    segset_clear(set);
    double *buf = NULL;
    size_t buf_cap = 0;
    fw_err err = FW_OK;
    int n_lines = GEOSGetNumGeometries_r(g->gh, l->occ_proj);
    for (int i = 0; err == FW_OK && i < n_lines; i++) {
        const GEOSGeometry *line = GEOSGetGeometryN_r(g->gh, l->occ_proj, i);
        const GEOSCoordSequence *cs =
            line ? GEOSGeom_getCoordSeq_r(g->gh, line) : NULL;
        unsigned int n_pts = 0;
        if (cs == NULL || !GEOSCoordSeq_getSize_r(g->gh, cs, &n_pts)) {
            err = fw_geo_geos_fail(g, d, "cannot read the occupied edges");
            break;
        }
        if (2 * (size_t)n_pts > buf_cap) {
            double *nb = realloc(buf, 2 * (size_t)n_pts * sizeof *nb);
            if (nb == NULL) {
                err = FW_ENOMEM;
                break;
            }
            buf = nb;
            buf_cap = 2 * (size_t)n_pts;
        }
        if (n_pts > 0 && !GEOSCoordSeq_copyToBuffer_r(g->gh, cs, buf, 0, 0)) {
            err = fw_geo_geos_fail(g, d, "cannot read the occupied edges");
            break;
        }
        for (unsigned int k = 0; err == FW_OK && k + 1 < n_pts; k++) {
            const double *a = &buf[2 * k], *b = &buf[2 * k + 2];
            int a_first = a[0] < b[0] || (a[0] == b[0] && a[1] <= b[1]);
            struct seg s = a_first ? (struct seg){a[0], a[1], b[0], b[1]}
                                   : (struct seg){b[0], b[1], a[0], a[1]};
            err = segset_add(set, &s);
        }
    }
    free(buf);
    return err;
}

static fw_err add_changed(fw_geo_points *pts, const struct seg *s)
{
    if (pts->n_changed == pts->cap_changed) {
        size_t cap = pts->cap_changed ? pts->cap_changed * 2 : 1024;
        struct seg *v = realloc(pts->changed, cap * sizeof *v);
        struct box *b = realloc(pts->boxes, (cap / CHUNK + 1) * sizeof *b);
        struct box *gr =
            realloc(pts->groups, (cap / (CHUNK * CHUNK) + 1) * sizeof *gr);
        if (v != NULL) {
            pts->changed = v;
        }
        if (b != NULL) {
            pts->boxes = b;
        }
        if (gr != NULL) {
            pts->groups = gr;
        }
        if (v == NULL || b == NULL || gr == NULL) {
            return FW_ENOMEM;
        }
        pts->cap_changed = cap;
    }
    pts->changed[pts->n_changed++] = *s;
    return FW_OK;
}

static void box_add(struct box *b, const struct seg *s)
{
    b->min_x = fmin(b->min_x, fmin(s->x1, s->x2));
    b->max_x = fmax(b->max_x, fmax(s->x1, s->x2));
    b->min_y = fmin(b->min_y, fmin(s->y1, s->y2));
    b->max_y = fmax(b->max_y, fmax(s->y1, s->y2));
}

static const struct box EMPTY_BOX = {INFINITY, INFINITY, -INFINITY, -INFINITY};

/* The segments in one of old and pts->next but not the other, with their
 * boxes. */
static fw_err diff_segs(fw_geo_points *pts, const struct segset *old)
{
    pts->n_changed = 0;
    fw_err err = FW_OK;
    for (size_t k = 0; err == FW_OK && k < pts->next.n; k++) {
        if (!segset_has(old, &pts->next.v[k])) {
            err = add_changed(pts, &pts->next.v[k]);
        }
    }
    for (size_t k = 0; err == FW_OK && k < old->n; k++) {
        if (!segset_has(&pts->next, &old->v[k])) {
            err = add_changed(pts, &old->v[k]);
        }
    }
    /* the segments come in ring order, so a chunk is a short stretch of
     * edge and its box is small */
    pts->all = EMPTY_BOX;
    for (size_t k = 0; err == FW_OK && k < pts->n_changed; k++) {
        if (k % (CHUNK * CHUNK) == 0) {
            pts->groups[k / (CHUNK * CHUNK)] = EMPTY_BOX;
        }
        if (k % CHUNK == 0) {
            pts->boxes[k / CHUNK] = EMPTY_BOX;
        }
        box_add(&pts->boxes[k / CHUNK], &pts->changed[k]);
        box_add(&pts->groups[k / (CHUNK * CHUNK)], &pts->changed[k]);
        box_add(&pts->all, &pts->changed[k]);
    }
    return err;
}

static double box_dist2(const struct box *b, double x, double y)
{
    double dx = x < b->min_x ? b->min_x - x : x > b->max_x ? x - b->max_x : 0;
    double dy = y < b->min_y ? b->min_y - y : y > b->max_y ? y - b->max_y : 0;
    return dx * dx + dy * dy;
}

static double seg_dist2(const struct seg *s, double x, double y)
{
    double vx = s->x2 - s->x1, vy = s->y2 - s->y1;
    double wx = x - s->x1, wy = y - s->y1;
    double len2 = vx * vx + vy * vy;
    double t = len2 > 0 ? (wx * vx + wy * vy) / len2 : 0.0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double dx = wx - t * vx, dy = wy - t * vy;
    return dx * dx + dy * dy;
}

/* Whether a changed segment lies within r_m of (x, y). */
static int changed_within(const fw_geo_points *pts, double x, double y,
                          double r_m)
{
    double r2 = r_m * r_m;
    if (pts->n_changed == 0 || box_dist2(&pts->all, x, y) > r2) {
        return 0;
    }
    size_t n = pts->n_changed;
    for (size_t gi = 0; gi * CHUNK * CHUNK < n; gi++) {
        if (box_dist2(&pts->groups[gi], x, y) > r2) {
            continue;
        }
        for (size_t c = gi * CHUNK; c < (gi + 1) * CHUNK && c * CHUNK < n;
             c++) {
            if (box_dist2(&pts->boxes[c], x, y) > r2) {
                continue;
            }
            for (size_t k = c * CHUNK; k < (c + 1) * CHUNK && k < n; k++) {
                if (seg_dist2(&pts->changed[k], x, y) <= r2) {
                    return 1;
                }
            }
        }
    }
    return 0;
}

static void history_free(struct history *h)
{
    segset_free(&h->segs);
    free(h->d_m);
    free(h->near_lat);
    free(h->near_lon);
    free(h->km);
    memset(h, 0, sizeof *h);
}

void fw_geo_points_free(fw_geo_points *pts)
{
    if (pts == NULL) {
        return;
    }
    for (size_t i = 0; i < pts->n; i++) {
        GEOSGeom_destroy_r(pts->g->gh, pts->pt_ll[i]);
        GEOSGeom_destroy_r(pts->g->gh, pts->pt_lcc[i]);
    }
    for (int k = 0; k < FW_GEO_N_SOURCES; k++) {
        history_free(&pts->hist[k]);
    }
    segset_free(&pts->next);
    free(pts->changed);
    free(pts->boxes);
    free(pts->groups);
    free(pts->pt_ll);
    free(pts->pt_lcc);
    free(pts->lat);
    free(pts->lon);
    free(pts->x);
    free(pts->y);
    free(pts->cur);
    free(pts);
}

fw_err fw_geo_points_new(fw_geo *g, const double *lat_deg,
                         const double *lon_deg, size_t n_points,
                         fw_geo_points **out, struct fw_diag *d)
{
    for (size_t i = 0; i < n_points; i++) {
        fw_err err = fw_geo_check_coordinates(lat_deg[i], lon_deg[i], d);
        if (err != FW_OK) {
            return fw_diag_set(d, err, 0, 0,
                               "point %zu: bad coordinates"
                               " %g, %g",
                               i, lat_deg[i], lon_deg[i]);
        }
    }
    /* the largest per-point array is of struct fw_control */
    if (n_points > SIZE_MAX / sizeof(struct fw_control)) {
        return fw_diag_set(d, FW_ENOMEM, 0, 0, "%zu points are too many",
                           n_points);
    }
    fw_geo_points *pts = calloc(1, sizeof *pts);
    if (pts == NULL) {
        return FW_ENOMEM;
    }
    pts->g = g;
    size_t n = n_points ? n_points : 1;
    pts->lat = malloc(n * sizeof *pts->lat);
    pts->lon = malloc(n * sizeof *pts->lon);
    pts->x = malloc(n * sizeof *pts->x);
    pts->y = malloc(n * sizeof *pts->y);
    pts->pt_ll = calloc(n, sizeof *pts->pt_ll);
    pts->pt_lcc = calloc(n, sizeof *pts->pt_lcc);
    pts->cur = calloc(n, sizeof *pts->cur);
    int ok = pts->lat && pts->lon && pts->x && pts->y && pts->pt_ll &&
             pts->pt_lcc && pts->cur;
    for (int k = 0; ok && k < FW_GEO_N_SOURCES; k++) {
        struct history *h = &pts->hist[k];
        h->d_m = malloc(n * sizeof *h->d_m);
        h->near_lat = malloc(n * sizeof *h->near_lat);
        h->near_lon = malloc(n * sizeof *h->near_lon);
        h->km = malloc(n * sizeof *h->km);
        ok = h->d_m && h->near_lat && h->near_lon && h->km;
    }
    if (!ok) {
        fw_geo_points_free(pts);
        return FW_ENOMEM;
    }
    for (size_t i = 0; i < n_points; i++) {
        pts->n = i + 1; /* the points made so far are freed on error */
        pts->lat[i] = lat_deg[i];
        pts->lon[i] = lon_deg[i];
        fw_geo_lcc_fwd(&g->lcc, lon_deg[i], lat_deg[i], &pts->x[i], &pts->y[i]);
        pts->pt_ll[i] =
            GEOSGeom_createPointFromXY_r(g->gh, lon_deg[i], lat_deg[i]);
        pts->pt_lcc[i] =
            GEOSGeom_createPointFromXY_r(g->gh, pts->x[i], pts->y[i]);
        if (pts->pt_ll[i] == NULL || pts->pt_lcc[i] == NULL) {
            fw_geo_points_free(pts);
            return fw_geo_geos_fail(g, d, "cannot make a point");
        }
    }
    pts->n = n_points;
    *out = pts;
    return FW_OK;
}

size_t fw_geo_points_n_searched(const fw_geo_points *pts)
{
    return pts->n_searched;
}

/* The history slot of source: its own, else an unused one, else the
 * first (which then forgets its source). */
static struct history *history_of(fw_geo_points *pts, const char *source)
{
    for (int k = 0; k < FW_GEO_N_SOURCES; k++) {
        if (strcmp(pts->hist[k].source, source) == 0) {
            return &pts->hist[k];
        }
    }
    struct history *h = &pts->hist[0];
    for (int k = 0; k < FW_GEO_N_SOURCES; k++) {
        if (pts->hist[k].source[0] == '\0') {
            h = &pts->hist[k];
            break;
        }
    }
    snprintf(h->source, sizeof h->source, "%s", source);
    h->snap_id = 0;
    return h;
}

/* The point i at l, using h (the same source's previous snapshot) when
 * has_old. Updates h's record of the point. */
static fw_err control_point(fw_geo *g, fw_geo_points *pts, size_t i,
                            struct loaded *l, struct history *h, int has_old,
                            int with_contested, struct fw_diag *d)
{
    double lat = pts->lat[i], lon = pts->lon[i];
    struct fw_control c = {.status = FW_STATUS_FREE, .contested_km2_25km = -1};
    fw_err err = fw_geo_status_at(g, l, pts->pt_ll[i], lat, lon, &c.status, d);
    if (err != FW_OK) {
        return err;
    }
    if (fw_geo_is_occupied(c.status)) {
        c.distance_km = 0;
        c.nearest_lat_deg = lat;
        c.nearest_lon_deg = lon;
        h->d_m[i] = -1;
    } else if (has_old && h->d_m[i] >= 0 &&
               !changed_within(pts, pts->x[i], pts->y[i],
                               h->d_m[i] * (1 + 1e-9) + 1e-3)) {
        c.distance_km = h->km[i];
        c.nearest_lat_deg = h->near_lat[i];
        c.nearest_lon_deg = h->near_lon[i];
    } else {
        err = fw_geo_nearest_occupied(g, l, pts->pt_lcc[i], lat, lon, pts->x[i],
                                      pts->y[i], &c, &h->d_m[i], d);
        if (err != FW_OK) {
            return err;
        }
        h->km[i] = c.distance_km;
        h->near_lat[i] = c.nearest_lat_deg;
        h->near_lon[i] = c.nearest_lon_deg;
        pts->n_searched++;
    }
    if (with_contested) {
        err = fw_geo_contested_near(g, l, lat, lon, pts->x[i], pts->y[i],
                                    &c.contested_km2_25km, d);
    }
    pts->cur[i] = c;
    return err;
}

fw_err fw_geo_control_points(fw_geo *g, fw_geo_points *pts,
                             const struct fw_snapshot_info *snap,
                             unsigned flags, struct fw_control *out,
                             struct fw_diag *d)
{
    struct loaded *l = NULL;
    fw_err err = fw_geo_load_occupied(g, snap, &l, d);
    if (err != FW_OK) {
        return err;
    }
    struct history *h = history_of(pts, snap->source);
    pts->n_searched = 0;
    if ((err = collect_segs(g, l, &pts->next, d)) != FW_OK) {
        h->snap_id = 0;
        return err;
    }
    int has_old = h->snap_id != 0;
    if (has_old && (err = diff_segs(pts, &h->segs)) != FW_OK) {
        h->snap_id = 0;
        return err;
    }
    int with_contested =
        snap->has_contested && !(flags & FW_GEO_SKIP_CONTESTED);
    for (size_t i = 0; i < pts->n; i++) {
        err = control_point(g, pts, i, l, h, has_old, with_contested, d);
        if (err != FW_OK) {
            h->snap_id = 0;
            return err;
        }
    }
    /* the new snapshot's segments become the source's memory */
    struct segset tmp = h->segs;
    h->segs = pts->next;
    pts->next = tmp;
    h->snap_id = snap->id;
    if (pts->n > 0) {
        memcpy(out, pts->cur, pts->n * sizeof *out);
    }
    return FW_OK;
}
