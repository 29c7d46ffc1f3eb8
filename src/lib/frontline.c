/*
 * frontline.c - reads front-line maps (DeepStateMap, NZZ / liveuamap) and
 * oblast boundaries from GeoJSON into snapshot, boundary and polygon
 * records (see frontline.h). It sits between io.c, which hands it the
 * whole file, and the store's ingest, which implements the sink.
 *
 * The document is parsed by fw_json_doc_parse (json.h), which checks the
 * bytes and caps nesting before cJSON (which recurses) sees them. Polygons
 * are built from the coordinates here, not by GEOS's GeoJSON reader, so
 * that every position is checked (finite, in range) and each fault names
 * its feature. Each polygon is checked with GEOS, repaired with MakeValid
 * when invalid, split into single polygons and written as 2D WKB with its
 * area: planar, in a Lambert azimuthal equal-area projection of Ukraine
 * through PROJ (docs/decisions/0003). Every call owns its own GEOS context
 * and PROJ context, so the reader is reentrant.
 */
#define GEOS_USE_ONLY_R_API
#include "frontwatch/frontline.h"

#include <cjson/cJSON.h>
#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <openssl/evp.h>
#include <proj.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "frontwatch/date.h"
#include "frontwatch/json.h"
#include "frontwatch/oblast.h"
#include "frontwatch/text.h"
#include "text_int.h"

/* Deepest GeometryCollection nesting followed (bounded by
 * FW_JSON_MAX_DEPTH too). */
#define MAX_COLLECTION_DEPTH 8

#define PROGRESS_EVERY 50

/* Strings from the document quoted in messages are cut to n bytes at a
 * character boundary: QUOTE(n, s) gives the "%.*s" arguments. */
#define QUOTE(n, s) (int)fw_text_clip_len((s), (n)), (s)

/* WGS84 ellipsoid. */
#define WGS84_A_M 6378137.0
#define WGS84_F (1.0 / 298.257223563)

/* The Lambert azimuthal equal-area projection centred on Ukraine (48.5 N,
 * 31.5 E, WGS84). Equal-area: a ring's planar (shoelace) area there is its
 * area on the ellipsoid, up to the edges, which are straight in the
 * projection instead of geodesics: on the real maps the area differs from
 * the exact geodesic one by at most a few 1e-5 (docs/decisions/0003).
 * Measured so, the areas of a full ingest take about a sixth of the time
 * geod_polygon took (its inverse problem per vertex). */
#define LAEA_DEF                                                               \
    "+proj=laea +lat_0=48.5 +lon_0=31.5 +x_0=0 +y_0=0"                         \
    " +a=6378137 +rf=298.257223563 +units=m +no_defs"

struct reader {
    const char *path;
    const char *doc_name; /* the document's "name" member, or NULL */
    const struct fw_sink *sink;
    struct fw_diag *d;
    GEOSContextHandle_t gh;
    GEOSWKBWriter *wkb;
    struct geod_geodesic geod; /* exact area where PROJ's laea fails */
    PJ_CONTEXT *pctx;
    PJ *laea;            /* LAEA_DEF */
    long feature;        /* index of the feature being read, -1 before */
    int first_legend;    /* DeepState: #880e4f is Transnistria */
    size_t n_emitted;    /* polygon records sent so far */
    char geos_msg[256];  /* last error GEOS reported */
    EVP_MD *sha256;      /* for the keys of the valid-polygon cache */
    EVP_MD_CTX *key_ctx; /* the key of the polygon being built */
    double *xy;          /* scratch: one ring as x0, y0, x1, y1, ... */
    size_t xy_cap;       /* capacity of xy in doubles */
};

/* ---- diagnostics ------------------------------------------------------ */

/* Records an error in the current feature; returns err. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static fw_err
feature_fail(struct reader *r, fw_err err, const char *fmt, ...)
{
    if (r->d == NULL) {
        return err;
    }
    char msg[sizeof r->d->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->d->feature = r->feature;
    return fw_diag_set(r->d, err, 0, 0, "%s", msg);
}

static fw_err geos_fail(struct reader *r, const char *what)
{
    return feature_fail(r, FW_EGEOS, "%s failed: %s", what,
                        r->geos_msg[0] ? r->geos_msg : "no message");
}

/* A sink callback stopped the read: its error is returned unchanged, the
 * diagnostic only gains the feature index (and a message if it has none). */
static fw_err sink_stopped(struct reader *r, fw_err err)
{
    if (r->d != NULL) {
        r->d->feature = r->feature;
        if (r->d->msg[0] == '\0') {
            snprintf(r->d->msg, sizeof r->d->msg, "sink stopped the read: %s",
                     fw_strerror(err));
        }
    }
    return err;
}

static void reject(struct reader *r, const char *reason)
{
    if (r->sink->reject != NULL) {
        r->sink->reject(r->sink->ctx, 0, r->feature, reason);
    }
}

static void repair(struct reader *r, const char *what)
{
    if (r->sink->repair != NULL) {
        r->sink->repair(r->sink->ctx, 0, r->feature, what);
    }
}

static void on_geos_error(const char *message, void *userdata)
{
    struct reader *r = userdata;
    snprintf(r->geos_msg, sizeof r->geos_msg, "%s", message);
}

/* ---- JSON ------------------------------------------------------------- */

/* The string value of obj[key], NULL when absent or not a string. */
static const char *get_string(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *get_object(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsObject(v) ? v : NULL;
}

static int is_polygonal_type(const char *type)
{
    return type != NULL &&
           (strcmp(type, "Polygon") == 0 || strcmp(type, "MultiPolygon") == 0);
}

/* ---- kinds ------------------------------------------------------------ */

/* Decides the shape of the document from its content; *features_out gets
 * the features array. */
static enum fw_geojson_kind detect_kind(const cJSON *root,
                                        const cJSON **features_out)
{
    if (!cJSON_IsObject(root)) {
        return FW_GEOJSON_UNKNOWN;
    }
    const cJSON *value = get_object(root, "value");
    const char *type = get_string(root, "type");
    if (value != NULL && type == NULL) {
        const char *vtype = get_string(value, "type");
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(value, "features");
        if (vtype != NULL && strcmp(vtype, "FeatureCollection") == 0 &&
            cJSON_IsArray(f)) {
            *features_out = f;
            return FW_GEOJSON_NZZ;
        }
        return FW_GEOJSON_UNKNOWN;
    }
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(root, "features");
    if (type == NULL || strcmp(type, "FeatureCollection") != 0 ||
        !cJSON_IsArray(features)) {
        return FW_GEOJSON_UNKNOWN;
    }
    *features_out = features;
    int has_oblast = 0, has_fill = 0, n = 0, all_bare_polygons = 1;
    const cJSON *f;
    cJSON_ArrayForEach (f, features) {
        n++;
        const cJSON *props = get_object(f, "properties");
        const cJSON *geom = get_object(f, "geometry");
        const char *iso = get_string(props, "shapeISO");
        if (get_string(props, "ADMIN_1") != NULL ||
            (iso != NULL && strncmp(iso, "UA-", 3) == 0)) {
            has_oblast = 1;
        }
        if (get_string(props, "fill") != NULL) {
            has_fill = 1;
        }
        /* The occupied union has bare features: a raion or any other
         * polygon layer with properties must not pass for it. */
        if (cJSON_GetArraySize(props) != 0 ||
            !is_polygonal_type(get_string(geom, "type"))) {
            all_bare_polygons = 0;
        }
    }
    if (has_oblast) {
        return FW_GEOJSON_BOUNDARIES;
    }
    if (has_fill) {
        return FW_GEOJSON_DEEPSTATE_FULL;
    }
    if (n > 0 && all_bare_polygons) {
        return FW_GEOJSON_DEEPSTATE_OCCUPIED;
    }
    return FW_GEOJSON_UNKNOWN;
}

/* ---- geometry --------------------------------------------------------- */

static fw_err reserve_xy(struct reader *r, size_t n_doubles)
{
    if (n_doubles <= r->xy_cap) {
        return FW_OK;
    }
    size_t cap = r->xy_cap ? r->xy_cap : 1024;
    while (cap < n_doubles) {
        if (cap > ((size_t)-1) / 2 / sizeof(double)) {
            return FW_ENOMEM;
        }
        cap *= 2;
    }
    double *p = realloc(r->xy, cap * sizeof(double));
    if (p == NULL) {
        return FW_ENOMEM;
    }
    r->xy = p;
    r->xy_cap = cap;
    return FW_OK;
}

/* Builds one linear ring from GeoJSON positions, closing it if needed. */
static fw_err read_ring(struct reader *r, const cJSON *ring, int ring_i,
                        GEOSGeometry **out)
{
    if (!cJSON_IsArray(ring)) {
        return feature_fail(r, FW_EPARSE, "ring %d is not an array", ring_i);
    }
    int n = cJSON_GetArraySize(ring);
    if (n < 4) {
        return feature_fail(r, FW_EPARSE,
                            "ring %d has %d positions, a ring needs at "
                            "least 4",
                            ring_i, n);
    }
    fw_err err = reserve_xy(r, 2 * ((size_t)n + 1));
    if (err != FW_OK) {
        return err;
    }
    size_t k = 0;
    int pos_i = 0;
    const cJSON *pos;
    cJSON_ArrayForEach (pos, ring) {
        const cJSON *x = cJSON_IsArray(pos) ? pos->child : NULL;
        const cJSON *y = x != NULL ? x->next : NULL;
        if (y == NULL) {
            return feature_fail(r, FW_EPARSE,
                                "ring %d position %d is not an array of at "
                                "least 2 numbers",
                                ring_i, pos_i);
        }
        if (!cJSON_IsNumber(x) || !cJSON_IsNumber(y)) {
            return feature_fail(r, FW_EPARSE,
                                "ring %d position %d: coordinate is not a "
                                "number",
                                ring_i, pos_i);
        }
        double lon = x->valuedouble, lat = y->valuedouble;
        if (!isfinite(lon) || !isfinite(lat)) {
            return feature_fail(r, FW_ERANGE,
                                "ring %d position %d: coordinate is not "
                                "finite",
                                ring_i, pos_i);
        }
        if (lon < -180.0 || lon > 180.0) {
            return feature_fail(r, FW_ERANGE,
                                "ring %d position %d: longitude %.10g "
                                "outside [-180, 180]",
                                ring_i, pos_i, lon);
        }
        if (lat < -90.0 || lat > 90.0) {
            return feature_fail(r, FW_ERANGE,
                                "ring %d position %d: latitude %.10g outside "
                                "[-90, 90]",
                                ring_i, pos_i, lat);
        }
        /* A third value (z = 0 in DeepState) is dropped. */
        r->xy[k++] = lon;
        r->xy[k++] = lat;
        pos_i++;
    }
    if (r->xy[0] != r->xy[k - 2] || r->xy[1] != r->xy[k - 1]) {
        r->xy[k] = r->xy[0];
        r->xy[k + 1] = r->xy[1];
        k += 2;
        char what[64];
        snprintf(what, sizeof what, "ring not closed (ring %d)", ring_i);
        repair(r, what);
    }
    /* The polygon's cache key covers every ring as GEOS gets it. */
    uint64_t n_doubles = k;
    if (EVP_DigestUpdate(r->key_ctx, &n_doubles, sizeof n_doubles) != 1 ||
        EVP_DigestUpdate(r->key_ctx, r->xy, k * sizeof(double)) != 1) {
        return feature_fail(r, FW_ENOMEM, "SHA-256 failed");
    }
    GEOSCoordSequence *seq =
        GEOSCoordSeq_copyFromBuffer_r(r->gh, r->xy, k / 2, 0, 0);
    if (seq == NULL) {
        return geos_fail(r, "GEOSCoordSeq_copyFromBuffer");
    }
    /* Takes seq; cannot throw: the ring is closed with >= 4 points. */
    GEOSGeometry *g = GEOSGeom_createLinearRing_r(r->gh, seq);
    if (g == NULL) {
        return geos_fail(r, "GEOSGeom_createLinearRing");
    }
    *out = g;
    return FW_OK;
}

/* Builds a polygon from GeoJSON Polygon coordinates; *out is NULL for an
 * empty polygon ("coordinates": []). */
static fw_err build_polygon(struct reader *r, const cJSON *rings,
                            GEOSGeometry **out)
{
    fw_err err = FW_OK;
    GEOSGeometry **ring_geoms = NULL;
    int n = 0;
    if (!cJSON_IsArray(rings)) {
        return feature_fail(r, FW_EPARSE,
                            "polygon coordinates are not an array");
    }
    int n_rings = cJSON_GetArraySize(rings);
    *out = NULL;
    if (n_rings == 0) {
        return FW_OK;
    }
    ring_geoms = calloc((size_t)n_rings, sizeof *ring_geoms);
    if (ring_geoms == NULL) {
        return FW_ENOMEM;
    }
    if (EVP_DigestInit_ex(r->key_ctx, r->sha256, NULL) != 1) {
        err = feature_fail(r, FW_ENOMEM, "SHA-256 failed");
        goto out;
    }
    const cJSON *ring;
    cJSON_ArrayForEach (ring, rings) {
        err = read_ring(r, ring, n, &ring_geoms[n]);
        if (err != FW_OK) {
            goto out;
        }
        n++;
    }
    /* Takes every ring, not the array. */
    GEOSGeometry *poly = GEOSGeom_createPolygon_r(
        r->gh, ring_geoms[0], ring_geoms + 1, (unsigned)(n - 1));
    if (poly == NULL) {
        err = geos_fail(r, "GEOSGeom_createPolygon");
        goto out;
    }
    n = 0;
    *out = poly;
out:
    for (int i = 0; i < n; i++) {
        GEOSGeom_destroy_r(r->gh, ring_geoms[i]);
    }
    free(ring_geoms);
    return err;
}

/* The ring's coordinates (lon, lat in degrees) into r->xy; *n_out points,
 * the last repeating the first. */
static fw_err ring_coords(struct reader *r, const GEOSGeometry *ring,
                          unsigned int *n_out)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(r->gh, ring);
    unsigned int n = 0;
    if (seq == NULL || !GEOSCoordSeq_getSize_r(r->gh, seq, &n)) {
        return geos_fail(r, "GEOSGeom_getCoordSeq");
    }
    fw_err err = reserve_xy(r, 2 * (size_t)n + 2);
    if (err != FW_OK) {
        return err;
    }
    if (n > 0 && !GEOSCoordSeq_copyToBuffer_r(r->gh, seq, r->xy, 0, 0)) {
        return geos_fail(r, "GEOSCoordSeq_copyToBuffer");
    }
    *n_out = n;
    return FW_OK;
}

/* Exact geodesic area of a ring in m2 (unsigned), PROJ's geod_polygon:
 * Karney's inverse problem for every vertex. */
static fw_err ring_geodesic_m2(struct reader *r, const GEOSGeometry *ring,
                               double *area_m2)
{
    unsigned int n = 0;
    fw_err err = ring_coords(r, ring, &n);
    if (err != FW_OK) {
        return err;
    }
    struct geod_polygon p;
    geod_polygon_init(&p, 0);
    /* The last point repeats the first; geod_polygon closes by itself. */
    for (unsigned int i = 0; i + 1 < n; i++) {
        geod_polygon_addpoint(&r->geod, &p, r->xy[2 * i + 1], r->xy[2 * i]);
    }
    double area = 0.0, perimeter = 0.0;
    geod_polygon_compute(&r->geod, &p, 0, 1, &area, &perimeter);
    *area_m2 = fabs(area);
    return FW_OK;
}

/* Area of a ring in m2 (unsigned), planar in the equal-area projection,
 * and *bound_m2, an upper estimate of its difference from the geodesic
 * area (HUGE_VAL when PROJ could not project a point); widens the bbox
 * (may be NULL) with the ring.
 *
 * The difference comes from the edges: each is straight in the projection
 * where the geodesic bows. For an edge of length L whose farther end is
 * rho from the centre, the area between the two is below
 * L^3 rho / (8 R^2) (R the Earth's radius): the largest ratio of the true
 * difference to L^3 rho / R^2 over every ring of the real data is 0.065,
 * so 1/8 is an estimate with a margin of two (docs/decisions/0003). */
static fw_err ring_equal_area_m2(struct reader *r, const GEOSGeometry *ring,
                                 double bbox[4], double *area_m2,
                                 double *bound_m2)
{
    unsigned int n = 0;
    fw_err err = ring_coords(r, ring, &n);
    if (err != FW_OK) {
        return err;
    }
    double *xy = r->xy;
    if (bbox != NULL) {
        for (unsigned int i = 0; i < n; i++) {
            bbox[0] = fmin(bbox[0], xy[2 * i]);
            bbox[1] = fmin(bbox[1], xy[2 * i + 1]);
            bbox[2] = fmax(bbox[2], xy[2 * i]);
            bbox[3] = fmax(bbox[3], xy[2 * i + 1]);
        }
    }
    *area_m2 = 0.0;
    *bound_m2 = 0.0;
    if (n < 4) {
        return FW_OK; /* cannot happen: GEOS rings are closed, >= 4 */
    }
    /* PROJ takes radians; the whole ring in one call, in place. */
    for (size_t i = 0; i < 2 * (size_t)n; i++) {
        xy[i] = proj_torad(xy[i]);
    }
    size_t stride = 2 * sizeof(double);
    size_t n_done = proj_trans_generic(r->laea, PJ_FWD, xy, stride, n, xy + 1,
                                       stride, n, NULL, 0, 0, NULL, 0, 0);
    /* A point PROJ cannot project (the antipode of the centre) comes back
     * as HUGE_VAL. */
    int is_ok = n_done == n;
    for (size_t i = 0; is_ok && i < 2 * (size_t)n; i++) {
        is_ok = isfinite(xy[i]);
    }
    if (!is_ok) {
        *bound_m2 = HUGE_VAL;
        return FW_OK;
    }
    /* Shoelace about the first point, which keeps the products small: a
     * 1 km2 ring 1000 km from the centre keeps about 1e-10 of its area.
     * The ring is closed, so the last point is the first. */
    double x0 = xy[0], y0 = xy[1], twice = 0.0, sum_l3_rho = 0.0;
    double rho_a = sqrt(x0 * x0 + y0 * y0);
    for (unsigned int i = 0; i + 1 < n; i++) {
        double xa = xy[2 * i], ya = xy[2 * i + 1];
        double xb = xy[2 * i + 2], yb = xy[2 * i + 3];
        twice += (xa - x0) * (yb - y0) - (xb - x0) * (ya - y0);
        double dx = xb - xa, dy = yb - ya;
        double l = sqrt(dx * dx + dy * dy);
        double rho_b = sqrt(xb * xb + yb * yb);
        sum_l3_rho += l * l * l * fmax(rho_a, rho_b);
        rho_a = rho_b;
    }
    *area_m2 = fabs(twice) / 2.0;
    *bound_m2 = sum_l3_rho / (8.0 * WGS84_A_M * WGS84_A_M);
    return FW_OK;
}

/* Area of a polygon in m2: the equal-area one when its estimated
 * difference from the geodesic area is within MAX_AREA_REL_DIFF of it,
 * else the exact geodesic area of every ring (long edges far from the
 * centre, slivers: 1.4 % of the vertices of the real maps). Widens the
 * bbox with the shell. */
#define MAX_AREA_REL_DIFF 1e-4

static fw_err polygon_area_m2(struct reader *r, const GEOSGeometry *poly,
                              double bbox[4], double *area_m2)
{
    int n_holes = GEOSGetNumInteriorRings_r(r->gh, poly);
    if (n_holes < 0) {
        return geos_fail(r, "GEOSGetNumInteriorRings");
    }
    double area = 0.0, bound = 0.0;
    int is_exact = 0;
    for (int pass = 0; pass < 2; pass++) {
        area = 0.0;
        bound = 0.0;
        for (int i = -1; i < n_holes; i++) {
            const GEOSGeometry *ring =
                i < 0 ? GEOSGetExteriorRing_r(r->gh, poly)
                      : GEOSGetInteriorRingN_r(r->gh, poly, i);
            if (ring == NULL) {
                return geos_fail(r, "GEOSGetExteriorRing/InteriorRingN");
            }
            double ring_m2 = 0.0, ring_bound = 0.0;
            fw_err err = is_exact
                             ? ring_geodesic_m2(r, ring, &ring_m2)
                             : ring_equal_area_m2(r, ring, i < 0 ? bbox : NULL,
                                                  &ring_m2, &ring_bound);
            if (err != FW_OK) {
                return err;
            }
            area += i < 0 ? ring_m2 : -ring_m2;
            bound += ring_bound;
        }
        if (is_exact || bound <= MAX_AREA_REL_DIFF * fabs(area)) {
            break;
        }
        is_exact = 1;
    }
    *area_m2 = area;
    return FW_OK;
}

/* ---- the valid-polygon cache ------------------------------------------ */

/* Weekly maps repeat most polygons unchanged (the layer occupied before
 * 2022, stretches of front that did not move): 70 % of the polygons of the
 * real data, 41 % of their vertices. GEOSisValid and the area are pure
 * functions of the coordinates, so a polygon found valid is remembered by
 * the SHA-256 of its rings (every coordinate bit and ring length, as GEOS
 * got them) with its area and bbox; the same rings later take the stored
 * answer. Equal keys mean equal coordinates (a SHA-256 collision is out of
 * reach, even for crafted input), so the answers are exactly those GEOS
 * and the area would give. Invalid polygons are not kept: they are
 * repaired every time. The cache is process-wide, behind a mutex, so
 * concurrent readers share it; it holds at most CACHE_SLOTS / 2 polygons
 * (about 2 MB) and is emptied when full. */
#define CACHE_SLOTS ((size_t)1 << 15)

struct valid_entry {
    unsigned char key[32]; /* all zero: an empty slot */
    double area_m2;
    double bbox[4];
};

static struct {
    pthread_mutex_t lock;
    struct valid_entry *slots; /* CACHE_SLOTS, allocated at first use */
    size_t n_used;
} g_valid = {PTHREAD_MUTEX_INITIALIZER, NULL, 0};

static int key_is_empty(const unsigned char key[32])
{
    for (size_t i = 0; i < 32; i++) {
        if (key[i] != 0) {
            return 0;
        }
    }
    return 1;
}

/* The slot of key: where it is, or the empty slot where it would go.
 * Called with the lock held and slots allocated. */
static struct valid_entry *cache_slot(const unsigned char key[32])
{
    uint64_t h = 0;
    memcpy(&h, key, sizeof h);
    for (size_t i = (size_t)h & (CACHE_SLOTS - 1);;
         i = (i + 1) & (CACHE_SLOTS - 1)) {
        struct valid_entry *e = &g_valid.slots[i];
        if (key_is_empty(e->key) || memcmp(e->key, key, 32) == 0) {
            return e;
        }
    }
}

/* 1 and the stored area and bbox when key is known valid, else 0. */
static int cache_get(const unsigned char key[32], double *area_m2,
                     double bbox[4])
{
    int is_hit = 0;
    pthread_mutex_lock(&g_valid.lock);
    if (g_valid.slots != NULL) {
        const struct valid_entry *e = cache_slot(key);
        if (!key_is_empty(e->key)) {
            *area_m2 = e->area_m2;
            memcpy(bbox, e->bbox, sizeof e->bbox);
            is_hit = 1;
        }
    }
    pthread_mutex_unlock(&g_valid.lock);
    return is_hit;
}

/* Remembers a valid polygon; silently does nothing without memory. */
static void cache_put(const unsigned char key[32], double area_m2,
                      const double bbox[4])
{
    if (key_is_empty(key)) {
        return; /* the empty-slot marker; never a real SHA-256 in practice */
    }
    pthread_mutex_lock(&g_valid.lock);
    if (g_valid.slots == NULL) {
        g_valid.slots = calloc(CACHE_SLOTS, sizeof *g_valid.slots);
    } else if (g_valid.n_used >= CACHE_SLOTS / 2) {
        memset(g_valid.slots, 0, CACHE_SLOTS * sizeof *g_valid.slots);
        g_valid.n_used = 0;
    }
    if (g_valid.slots != NULL) {
        struct valid_entry *e = cache_slot(key);
        if (key_is_empty(e->key)) {
            memcpy(e->key, key, 32);
            e->area_m2 = area_m2;
            memcpy(e->bbox, bbox, sizeof e->bbox);
            g_valid.n_used++;
        }
    }
    pthread_mutex_unlock(&g_valid.lock);
}

/* Sends one valid, non-empty Polygon with its area and bbox (of the
 * shell) to the sink. */
static fw_err emit_with_area(struct reader *r, const GEOSGeometry *poly,
                             enum fw_control_class cls, double area_m2,
                             const double bbox[4])
{
    fw_err err = FW_OK;
    unsigned char *wkb = NULL;
    struct fw_polygon_rec rec = {.cls = cls};
    size_t wkb_len = 0;
    wkb = GEOSWKBWriter_write_r(r->gh, r->wkb, poly, &wkb_len);
    if (wkb == NULL) {
        err = geos_fail(r, "GEOSWKBWriter_write");
        goto out;
    }
    rec.wkb = wkb;
    rec.wkb_len = wkb_len;
    rec.min_lon = bbox[0];
    rec.min_lat = bbox[1];
    rec.max_lon = bbox[2];
    rec.max_lat = bbox[3];
    rec.area_km2 = area_m2 / 1e6;
    r->n_emitted++;
    if (r->sink->polygon != NULL) {
        err = r->sink->polygon(r->sink->ctx, &rec);
        if (err != FW_OK) {
            err = sink_stopped(r, err);
        }
    }
out:
    GEOSFree_r(r->gh, wkb);
    return err;
}

/* Sends one valid, non-empty Polygon to the sink, measuring it. */
static fw_err emit_polygon(struct reader *r, const GEOSGeometry *poly,
                           enum fw_control_class cls)
{
    double bbox[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    double area_m2 = 0.0;
    fw_err err = polygon_area_m2(r, poly, bbox, &area_m2);
    return err != FW_OK ? err : emit_with_area(r, poly, cls, area_m2, bbox);
}

/* Emits every non-empty Polygon inside g (a Polygon, MultiPolygon or a
 * collection from MakeValid); lines and points are dropped. */
static fw_err emit_polygonal(struct reader *r, const GEOSGeometry *g,
                             enum fw_control_class cls)
{
    int type = GEOSGeomTypeId_r(r->gh, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(r->gh, g) == 1) {
            return FW_OK;
        }
        return emit_polygon(r, g, cls);
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(r->gh, g);
        for (int i = 0; i < n; i++) {
            const GEOSGeometry *part = GEOSGetGeometryN_r(r->gh, g, i);
            if (part == NULL) {
                return geos_fail(r, "GEOSGetGeometryN");
            }
            fw_err err = emit_polygonal(r, part, cls);
            if (err != FW_OK) {
                return err;
            }
        }
    }
    return FW_OK;
}

/* Reads GeoJSON Polygon coordinates, repairs them if invalid and emits the
 * resulting polygons. */
static fw_err read_polygon(struct reader *r, const cJSON *rings,
                           enum fw_control_class cls)
{
    GEOSGeometry *poly = NULL;
    GEOSGeometry *fixed = NULL;
    char *reason = NULL;
    fw_err err = build_polygon(r, rings, &poly);
    if (err != FW_OK) {
        goto out;
    }
    if (poly == NULL) {
        reject(r, "empty polygon");
        goto out;
    }
    unsigned char key[EVP_MAX_MD_SIZE];
    unsigned int key_len = 0;
    if (EVP_DigestFinal_ex(r->key_ctx, key, &key_len) != 1 || key_len != 32) {
        err = feature_fail(r, FW_ENOMEM, "SHA-256 failed");
        goto out;
    }
    double bbox[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    double area_m2 = 0.0;
    if (cache_get(key, &area_m2, bbox)) {
        err = emit_with_area(r, poly, cls, area_m2, bbox); /* known valid */
        goto out;
    }
    char valid = GEOSisValid_r(r->gh, poly);
    if (valid == 2) {
        err = geos_fail(r, "GEOSisValid");
        goto out;
    }
    if (valid == 1) {
        err = polygon_area_m2(r, poly, bbox, &area_m2);
        if (err == FW_OK) {
            cache_put(key, area_m2, bbox);
            err = emit_with_area(r, poly, cls, area_m2, bbox);
        }
        goto out;
    }
    reason = GEOSisValidReason_r(r->gh, poly);
    fixed = GEOSMakeValid_r(r->gh, poly);
    if (fixed == NULL) {
        err = geos_fail(r, "GEOSMakeValid");
        goto out;
    }
    size_t before = r->n_emitted;
    err = emit_polygonal(r, fixed, cls);
    if (err != FW_OK) {
        goto out;
    }
    /* Reported after the polygons, once it is known whether any are left:
     * a ring collapsed to a line repairs to nothing and is a reject. */
    char what[300];
    snprintf(what, sizeof what, "invalid polygon %s: %s",
             r->n_emitted == before ? "is empty after repair" : "repaired",
             reason != NULL ? reason : "no reason given");
    if (r->n_emitted == before) {
        reject(r, what);
    } else {
        repair(r, what);
    }
out:
    GEOSFree_r(r->gh, reason);
    GEOSGeom_destroy_r(r->gh, fixed);
    GEOSGeom_destroy_r(r->gh, poly);
    return err;
}

/* Reads a GeoJSON geometry and emits its polygons. Points and lines are
 * skipped: DeepState marks units and arrows with them. */
static fw_err read_geometry(struct reader *r, const cJSON *geom,
                            enum fw_control_class cls, int depth)
{
    const char *type = get_string(geom, "type");
    if (type == NULL) {
        return feature_fail(r, FW_EPARSE, "geometry has no \"type\"");
    }
    if (strcmp(type, "Polygon") == 0) {
        return read_polygon(
            r, cJSON_GetObjectItemCaseSensitive(geom, "coordinates"), cls);
    }
    if (strcmp(type, "MultiPolygon") == 0) {
        const cJSON *polys =
            cJSON_GetObjectItemCaseSensitive(geom, "coordinates");
        if (!cJSON_IsArray(polys)) {
            return feature_fail(r, FW_EPARSE,
                                "MultiPolygon coordinates are not an array");
        }
        if (cJSON_GetArraySize(polys) == 0) {
            reject(r, "empty MultiPolygon");
            return FW_OK;
        }
        const cJSON *p;
        cJSON_ArrayForEach (p, polys) {
            fw_err err = read_polygon(r, p, cls);
            if (err != FW_OK) {
                return err;
            }
        }
        return FW_OK;
    }
    if (strcmp(type, "GeometryCollection") == 0) {
        if (depth >= MAX_COLLECTION_DEPTH) {
            return feature_fail(r, FW_ELIMIT,
                                "GeometryCollections nested deeper than %d",
                                MAX_COLLECTION_DEPTH);
        }
        const cJSON *members =
            cJSON_GetObjectItemCaseSensitive(geom, "geometries");
        if (!cJSON_IsArray(members)) {
            return feature_fail(r, FW_EPARSE,
                                "GeometryCollection has no \"geometries\" "
                                "array");
        }
        const cJSON *m;
        cJSON_ArrayForEach (m, members) {
            fw_err err = read_geometry(r, m, cls, depth + 1);
            if (err != FW_OK) {
                return err;
            }
        }
        return FW_OK;
    }
    if (strcmp(type, "Point") == 0 || strcmp(type, "MultiPoint") == 0 ||
        strcmp(type, "LineString") == 0 ||
        strcmp(type, "MultiLineString") == 0) {
        return FW_OK;
    }
    return feature_fail(r, FW_EPARSE, "unknown geometry type \"%.*s\"",
                        QUOTE(40, type));
}

/* Reads the geometry of feature f; a feature without one is rejected. */
static fw_err read_feature_geometry(struct reader *r, const cJSON *f,
                                    enum fw_control_class cls)
{
    const cJSON *geom = cJSON_GetObjectItemCaseSensitive(f, "geometry");
    if (cJSON_IsNull(geom) || geom == NULL) {
        reject(r, "feature has no geometry");
        return FW_OK;
    }
    if (!cJSON_IsObject(geom)) {
        return feature_fail(r, FW_EPARSE, "geometry is not an object");
    }
    return read_geometry(r, geom, cls, 0);
}

/* ---- the four shapes -------------------------------------------------- */

static fw_err emit_snapshot(struct reader *r, const char *source,
                            int64_t published_s, int64_t as_of_s)
{
    struct fw_snapshot_rec s = {
        .source = source, .published_s = published_s, .as_of_s = as_of_s};
    if (r->sink->snapshot == NULL) {
        return FW_OK;
    }
    fw_err err = r->sink->snapshot(r->sink->ctx, &s);
    return err == FW_OK ? FW_OK : sink_stopped(r, err);
}

/* The publication time from the file name or, for a renamed file, from
 * the document's "name" (the DeepState union files carry
 * "deepstatemap_data_YYYYMMDD" there). */
static fw_err published_from_name(struct reader *r, int64_t *t_unix_s)
{
    int64_t t = 0;
    const char *from = "file name";
    if (fw_frontline_date_from_name(r->path, &t) != FW_OK) {
        from = "document name";
        if (r->doc_name == NULL || strchr(r->doc_name, '/') != NULL ||
            fw_frontline_date_from_name(r->doc_name, &t) != FW_OK) {
            return fw_diag_set(r->d, FW_EPARSE, 0, 0,
                               "file name holds no publication date "
                               "(YYYYMMDDTHHMMSSZ, YYYYMMDD or "
                               "YYYY-MM-DD)");
        }
    }
    /* A map cannot be published after it is read; a day of slack for
     * clocks and time zones. */
    if (t > (int64_t)time(NULL) + FW_DAY_S) {
        char day[11];
        fw_date_format_day(t, day);
        return fw_diag_set(r->d, FW_ERANGE, 0, 0,
                           "publication date %s (from the %s) is in the "
                           "future",
                           day, from);
    }
    *t_unix_s = t;
    return FW_OK;
}

/* Calls fn on every feature, keeping r->feature and the progress bar. */
static fw_err for_each_feature(struct reader *r, const cJSON *features,
                               fw_err (*fn)(struct reader *, const cJSON *))
{
    size_t total = (size_t)cJSON_GetArraySize(features), done = 0;
    const cJSON *f;
    cJSON_ArrayForEach (f, features) {
        r->feature = (long)done;
        if (!cJSON_IsObject(f)) {
            return feature_fail(r, FW_EPARSE, "feature is not an object");
        }
        fw_err err = fn(r, f);
        if (err != FW_OK) {
            return err;
        }
        done++;
        if (r->sink->progress != NULL &&
            (done % PROGRESS_EVERY == 0 || done == total)) {
            r->sink->progress(r->sink->ctx, done, total);
        }
    }
    r->feature = -1;
    return FW_OK;
}

/* DeepState fill colours (lowercase). */
static const struct {
    const char *fill;
    enum fw_control_class cls; /* 0: other countries, skipped */
} FILLS[] = {
    {"#a52714", FW_CLASS_OCCUPIED},
    {"#880e4f", FW_CLASS_OCCUPIED_PRE2022},
    {"#000000", FW_CLASS_OCCUPIED_PRE2022},
    {"#bcaaa4", FW_CLASS_CONTESTED},
    {"#bdbdbd", FW_CLASS_CONTESTED},
    /* 2022-08-20 only: two polygons named "Під питанням /// Contested" */
    {"#757575", FW_CLASS_CONTESTED},
    {"#0f9d58", FW_CLASS_LIBERATED},
    {"#0288d1", FW_CLASS_LIBERATED},
    {"#01579b", FW_CLASS_LIBERATED},
    {"#ff5252", 0},
};

/* 1 when fill is "#rrggbb" equal to want (lowercase), in any case. */
static int fill_is(const char *fill, const char *want)
{
    if (fill == NULL || strlen(fill) != 7) {
        return 0;
    }
    for (size_t i = 0; i < 7; i++) {
        char c = fill[i];
        c = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        if (c != want[i]) {
            return 0;
        }
    }
    return 1;
}

/* 1 and *cls when fill is a known colour, else 0. */
static int fill_class(const char *fill, enum fw_control_class *cls)
{
    for (size_t i = 0; i < sizeof FILLS / sizeof FILLS[0]; i++) {
        if (fill_is(fill, FILLS[i].fill)) {
            *cls = FILLS[i].cls;
            return 1;
        }
    }
    return 0;
}

/* The first maps (2022-04-03 .. 2022-05-22 in the history) had another
 * legend: Crimea and ORDLO in #000000, Transnistria in #880e4f, and no
 * #ff5252 at all. Such a file is recognised by that combination. */
static int has_first_legend(const cJSON *features)
{
    int has_black = 0, has_other = 0;
    const cJSON *f;
    cJSON_ArrayForEach (f, features) {
        const char *fill = get_string(get_object(f, "properties"), "fill");
        has_black |= fill_is(fill, "#000000");
        has_other |= fill_is(fill, "#ff5252");
    }
    return has_black && !has_other;
}

static int is_marker_type(const char *type)
{
    return type != NULL &&
           (strcmp(type, "Point") == 0 || strcmp(type, "MultiPoint") == 0 ||
            strcmp(type, "LineString") == 0 ||
            strcmp(type, "MultiLineString") == 0);
}

static fw_err deepstate_full_feature(struct reader *r, const cJSON *f)
{
    const cJSON *props = get_object(f, "properties");
    const char *gtype = get_string(get_object(f, "geometry"), "type");
    const char *fill = get_string(props, "fill");
    enum fw_control_class cls = 0;
    if (is_marker_type(gtype)) {
        return FW_OK; /* unit markers, arrows, airfields: not areas */
    }
    if (fill == NULL) {
        reject(r, "polygon without a fill colour");
        return FW_OK;
    }
    if (!fill_class(fill, &cls)) {
        char why[80];
        snprintf(why, sizeof why, "unknown fill colour %.*s", QUOTE(40, fill));
        reject(r, why);
        return FW_OK;
    }
    if (cls == 0 || (r->first_legend && fill_is(fill, "#880e4f"))) {
        return FW_OK; /* other countries */
    }
    return read_feature_geometry(r, f, cls);
}

static fw_err read_deepstate_full(struct reader *r, const cJSON *features)
{
    int64_t t = 0;
    fw_err err = published_from_name(r, &t);
    if (err == FW_OK) {
        err = emit_snapshot(r, "deepstate", t, t);
    }
    if (err != FW_OK) {
        return err;
    }
    r->first_legend = has_first_legend(features);
    return for_each_feature(r, features, deepstate_full_feature);
}

static fw_err occupied_feature(struct reader *r, const cJSON *f)
{
    return read_feature_geometry(r, f, FW_CLASS_OCCUPIED);
}

static fw_err read_deepstate_occupied(struct reader *r, const cJSON *features)
{
    int64_t t = 0;
    fw_err err = published_from_name(r, &t);
    if (err == FW_OK) {
        err = emit_snapshot(r, "deepstate_occupied", t, t);
    }
    if (err != FW_OK) {
        return err;
    }
    return for_each_feature(r, features, occupied_feature);
}

/* "losses" features (ground lost since the previous map) are not part of
 * the occupied area and are skipped without a reject: they are data, not
 * faults. */
static fw_err nzz_feature(struct reader *r, const cJSON *f)
{
    const char *type = get_string(get_object(f, "properties"), "type");
    if (type == NULL) {
        reject(r, "NZZ feature without \"type\"");
    } else if (strcmp(type, "nochange") == 0 || strcmp(type, "gains") == 0) {
        return read_feature_geometry(r, f, FW_CLASS_OCCUPIED);
    } else if (strcmp(type, "losses") != 0) {
        char why[80];
        snprintf(why, sizeof why, "unknown NZZ feature type \"%.*s\"",
                 QUOTE(40, type));
        reject(r, why);
    }
    return FW_OK;
}

/* NZZ: the snapshot's as_of is the newest feature date, so the dates are
 * read in a first pass, before the snapshot record. */
static fw_err read_nzz(struct reader *r, const cJSON *features)
{
    int64_t published = 0, as_of = INT64_MIN;
    fw_err err = published_from_name(r, &published);
    if (err != FW_OK) {
        return err;
    }
    long i = 0;
    const cJSON *f;
    cJSON_ArrayForEach (f, features) {
        r->feature = i++;
        const char *date = get_string(get_object(f, "properties"), "date");
        int64_t t = 0;
        if (date == NULL || fw_date_parse_day(date, &t) != FW_OK) {
            return feature_fail(r, FW_EPARSE,
                                "feature has no valid \"date\" "
                                "(YYYY-MM-DD)");
        }
        /* the state a map shows cannot be newer than its publication */
        if (t > published + FW_DAY_S) {
            return feature_fail(r, FW_ERANGE,
                                "feature \"date\" %s is after the map's "
                                "publication date",
                                date);
        }
        as_of = t > as_of ? t : as_of;
    }
    r->feature = -1;
    if (i == 0) {
        return fw_diag_set(r->d, FW_EPARSE, 0, 0,
                           "NZZ map without features: no date");
    }
    err = emit_snapshot(r, "nzz", published, as_of);
    if (err != FW_OK) {
        return err;
    }
    return for_each_feature(r, features, nzz_feature);
}

/* The oblast a Minregion ADMIN_1 name stands for. The two cities and
 * Crimea are not "... область", so they are matched here first. */
/* A feature naming no known oblast (or none at all) is rejected with its
 * polygons. */
static fw_err boundary_feature(struct reader *r, const cJSON *f)
{
    const cJSON *props = get_object(f, "properties");
    const char *iso = get_string(props, "shapeISO");
    const char *admin1 = get_string(props, "ADMIN_1");
    const char *name = admin1;
    const struct fw_oblast *ob = NULL;
    if (iso != NULL) {
        ob = fw_oblast_by_iso(iso);
        name = get_string(props, "shapeName");
    } else if (admin1 != NULL) {
        ob = fw_oblast_by_name(admin1);
    }
    if (ob == NULL) {
        char why[120];
        const char *what = iso      ? iso
                           : admin1 ? admin1
                                    : "(no shapeISO or ADMIN_1)";
        snprintf(why, sizeof why, "no oblast named by \"%.*s\"",
                 QUOTE(80, what));
        reject(r, why);
        return FW_OK;
    }
    if (name == NULL) {
        name = ob->name_en;
    }
    long line, col;
    if (!fw_text_utf8_valid(name, strlen(name), &line, &col)) {
        return feature_fail(r, FW_EPARSE, "oblast name is not UTF-8");
    }
    struct fw_boundary_rec b = {.oblast_iso = ob->iso, .name = name};
    if (r->sink->boundary != NULL) {
        fw_err err = r->sink->boundary(r->sink->ctx, &b);
        if (err != FW_OK) {
            return sink_stopped(r, err);
        }
    }
    return read_feature_geometry(r, f, 0);
}

/* ---- public ----------------------------------------------------------- */

static void proj_quiet(void *data, int level, const char *msg)
{
    (void)data;
    (void)level;
    (void)msg;
}

/* The reader's own PROJ context and projection. As in geo.c, the context
 * gets an empty search path (and a silent log): a plain PROJ string needs
 * nothing from proj.db, and opening it costs 10 ms a call. */
static fw_err laea_init(struct reader *r)
{
    static const char *const no_paths[] = {""};
    r->pctx = proj_context_create();
    if (r->pctx == NULL) {
        return fw_diag_set(r->d, FW_ENOMEM, 0, 0,
                           "cannot create a PROJ context");
    }
    proj_log_func(r->pctx, NULL, proj_quiet);
    proj_context_set_search_paths(r->pctx, 1, no_paths);
    r->laea = proj_create(r->pctx, LAEA_DEF);
    if (r->laea == NULL) {
        return fw_diag_set(
            r->d, FW_EPROJ, 0, 0, "cannot create the equal-area projection: %s",
            proj_context_errno_string(r->pctx, proj_context_errno(r->pctx)));
    }
    return FW_OK;
}

/* Matches n digits at s. */
static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

fw_err fw_frontline_date_from_name(const char *path, int64_t *t_unix_s)
{
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    size_t len = strlen(base);
    for (size_t i = 0; i < len; i++) {
        /* A date starts a run of digits: the unix time in
         * "..._1649005166" is not a YYYYMMDD. */
        if (!is_digit(base[i]) || (i > 0 && is_digit(base[i - 1]))) {
            continue;
        }
        const char *s = base + i;
        size_t left = len - i;
        char iso[32];
        int64_t t = 0;
        if (left >= 16 && all_digits(s, 8) && s[8] == 'T' &&
            all_digits(s + 9, 6) && s[15] == 'Z') {
            snprintf(iso, sizeof iso, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", s,
                     s + 4, s + 6, s + 9, s + 11, s + 13);
            if (fw_date_parse_timestamp(iso, &t) == FW_OK) {
                *t_unix_s = t;
                return FW_OK;
            }
        } else if (left >= 8 && all_digits(s, 8) &&
                   (left == 8 || !is_digit(s[8]))) {
            snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", s, s + 4, s + 6);
            if (fw_date_parse_day(iso, &t) == FW_OK) {
                *t_unix_s = t;
                return FW_OK;
            }
        } else if (left >= 10 && all_digits(s, 4) && s[4] == '-' &&
                   all_digits(s + 5, 2) && s[7] == '-' &&
                   all_digits(s + 8, 2) && (left == 10 || !is_digit(s[10]))) {
            snprintf(iso, sizeof iso, "%.10s", s);
            if (fw_date_parse_day(iso, &t) == FW_OK) {
                *t_unix_s = t;
                return FW_OK;
            }
        }
    }
    return FW_EPARSE;
}

fw_err fw_frontline_read(const char *path, const char *buf, size_t len,
                         const struct fw_sink *sink,
                         enum fw_geojson_kind *kind_out, struct fw_diag *d)
{
    fw_err err = FW_OK;
    fw_json_doc *doc = NULL;
    struct reader r = {
        .path = path != NULL ? path : "", .sink = sink, .d = d, .feature = -1};
    if (d != NULL) {
        fw_diag_reset(d);
        snprintf(d->file, sizeof d->file, "%s", r.path);
    }
    if (sink == NULL || (buf == NULL && len > 0)) {
        return fw_diag_set(d, FW_EUSAGE, 0, 0, "no sink or no buffer");
    }
    if (buf == NULL) {
        buf = "";
    }
    err = fw_json_doc_parse(buf, len, &doc, d);
    if (err != FW_OK) {
        goto out;
    }
    const cJSON *root = fw_json_doc_root(doc);
    const cJSON *features = NULL;
    enum fw_geojson_kind kind = detect_kind(root, &features);
    r.doc_name = get_string(root, "name");
    /* Set before the features are read, so that a caller can tell a bad
     * feature in a known shape from a document of no known shape. */
    if (kind_out != NULL) {
        *kind_out = kind;
    }
    if (kind == FW_GEOJSON_UNKNOWN) {
        err = fw_diag_set(d, FW_EPARSE, 0, 0,
                          "not a recognised front-line or boundary GeoJSON");
        goto out;
    }
    r.gh = GEOS_init_r();
    if (r.gh == NULL) {
        err = FW_ENOMEM;
        goto out;
    }
    GEOSContext_setErrorMessageHandler_r(r.gh, on_geos_error, &r);
    r.wkb = GEOSWKBWriter_create_r(r.gh);
    if (r.wkb == NULL) {
        err = fw_diag_set(d, FW_EGEOS, 0, 0, "cannot create a WKB writer");
        goto out;
    }
    GEOSWKBWriter_setOutputDimension_r(r.gh, r.wkb, 2);
    GEOSWKBWriter_setByteOrder_r(r.gh, r.wkb, GEOS_WKB_NDR);
    GEOSWKBWriter_setFlavor_r(r.gh, r.wkb, GEOS_WKB_ISO);
    geod_init(&r.geod, WGS84_A_M, WGS84_F);
    err = laea_init(&r);
    if (err != FW_OK) {
        goto out;
    }
    r.sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    r.key_ctx = EVP_MD_CTX_new();
    if (r.sha256 == NULL || r.key_ctx == NULL) {
        err = fw_diag_set(d, FW_ENOMEM, 0, 0, "cannot set up SHA-256");
        goto out;
    }

    switch (kind) {
    case FW_GEOJSON_DEEPSTATE_FULL:
        err = read_deepstate_full(&r, features);
        break;
    case FW_GEOJSON_DEEPSTATE_OCCUPIED:
        err = read_deepstate_occupied(&r, features);
        break;
    case FW_GEOJSON_NZZ:
        err = read_nzz(&r, features);
        break;
    case FW_GEOJSON_BOUNDARIES:
        err = for_each_feature(&r, features, boundary_feature);
        break;
    case FW_GEOJSON_UNKNOWN:
        break;
    }
out:
    if (r.gh != NULL) {
        if (r.wkb != NULL) {
            GEOSWKBWriter_destroy_r(r.gh, r.wkb);
        }
        GEOS_finish_r(r.gh);
    }
    EVP_MD_CTX_free(r.key_ctx);
    EVP_MD_free(r.sha256);
    proj_destroy(r.laea);
    if (r.pctx != NULL) {
        proj_context_destroy(r.pctx);
    }
    free(r.xy);
    fw_json_doc_free(doc);
    return err;
}
