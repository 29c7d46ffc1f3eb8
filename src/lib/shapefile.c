/*
 * shapefile.c - country outlines from ESRI shapefiles through shapelib
 * (see shapefile.h): a reader at the start of the data flow, like
 * frontline.c for GeoJSON, whose records the ingest stores as the
 * country_outline rows from which border.c derives the state border.
 *
 * shapelib reads the three files from memory through its I/O hooks. The
 * hooks carry no context, so the files of the read in progress and
 * shapelib's last error message live in thread-local storage, set for the
 * duration of one fw_shapefile_read.
 */
#include "frontwatch/shapefile.h"

#include <geodesic.h>
#include <geos_c.h>
#include <math.h>
#include <shapefil.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "frontwatch/io.h"
#include "frontwatch/text.h"

/* ---- shapelib's I/O hooks over memory ---------------------------------- */

struct memfile {
    const unsigned char *buf;
    size_t len;
    size_t pos;
};

static _Thread_local const struct fw_shapefile *tl_files;
static _Thread_local char tl_msg[256];

static int has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n >= e && strcasecmp(name + n - e, ext) == 0;
}

/* Opens the part of tl_files that name's extension says; read only. */
static SAFile mem_open(const char *name, const char *access)
{
    const struct fw_shapefile *f = tl_files;
    if (f == NULL || strchr(access, 'w') != NULL ||
        strchr(access, 'a') != NULL || strchr(access, '+') != NULL) {
        return NULL;
    }
    const void *buf = NULL;
    size_t len = 0;
    if (has_ext(name, ".shp")) {
        buf = f->shp;
        len = f->shp_len;
    } else if (has_ext(name, ".shx")) {
        buf = f->shx;
        len = f->shx_len;
    } else if (has_ext(name, ".dbf")) {
        buf = f->dbf;
        len = f->dbf_len;
    }
    if (buf == NULL) {
        return NULL; /* the .cpg shapelib looks for too: none */
    }
    struct memfile *m = malloc(sizeof *m);
    if (m == NULL) {
        return NULL;
    }
    m->buf = buf;
    m->len = len;
    m->pos = 0;
    return (SAFile)(void *)m;
}

static SAOffset mem_read(void *p, SAOffset size, SAOffset nmemb, SAFile file)
{
    struct memfile *m = (struct memfile *)(void *)file;
    if (size == 0 || nmemb == 0 || m->pos >= m->len) {
        return 0;
    }
    size_t avail = m->len - m->pos;
    size_t n = avail / size < nmemb ? avail / size : nmemb;
    memcpy(p, m->buf + m->pos, n * size);
    m->pos += n * size;
    return n;
}

static SAOffset mem_write(void *p, SAOffset size, SAOffset nmemb, SAFile file)
{
    (void)p;
    (void)size;
    (void)nmemb;
    (void)file;
    return 0; /* read only */
}

static SAOffset mem_seek(SAFile file, SAOffset offset, int whence)
{
    struct memfile *m = (struct memfile *)(void *)file;
    size_t base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->len : 0;
    if (offset > SIZE_MAX - base) {
        return (SAOffset)-1;
    }
    m->pos = base + offset; /* past the end reads nothing, as fseek */
    return 0;
}

static SAOffset mem_tell(SAFile file)
{
    return ((struct memfile *)(void *)file)->pos;
}

static int mem_flush(SAFile file)
{
    (void)file;
    return 0;
}

static int mem_close(SAFile file)
{
    free((struct memfile *)(void *)file);
    return 0;
}

static int mem_remove(const char *name)
{
    (void)name;
    return -1;
}

static void mem_error(const char *message)
{
    snprintf(tl_msg, sizeof tl_msg, "%s", message);
}

static double mem_atof(const char *s)
{
    return strtod(s, NULL);
}

static void mem_hooks(SAHooks *h)
{
    SASetupDefaultHooks(h);
    h->FOpen = mem_open;
    h->FRead = mem_read;
    h->FWrite = mem_write;
    h->FSeek = mem_seek;
    h->FTell = mem_tell;
    h->FFlush = mem_flush;
    h->FClose = mem_close;
    h->Remove = mem_remove;
    h->Error = mem_error;
    h->Atof = mem_atof;
}

/* ---- the reader -------------------------------------------------------- */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 |
           (uint32_t)p[0];
}

int fw_shapefile_is_shp(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    return len >= 104 && be32(p) == 9994 && le32(p + 28) == 1000 &&
           be32(p + 100) == 1;
}

struct reader {
    const struct fw_shapefile *f;
    const struct fw_sink *sink;
    struct fw_diag *d;
    long record;
    GEOSContextHandle_t gh;
    GEOSWKBWriter *wkb;
    struct geod_geodesic geod;
    char geos_msg[256];
};

static void geos_msg_r(const char *message, void *userdata)
{
    struct reader *r = userdata;
    snprintf(r->geos_msg, sizeof r->geos_msg, "%s", message);
}

/* err at the current record (d's feature; -1 for the whole file). The
 * message names the part at fault, "name.shx: ..." or "name.dbf: ...";
 * the .shp is the source itself, which d's file names. */
static fw_err fail(struct reader *r, fw_err err, const char *ext,
                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static fw_err fail(struct reader *r, fw_err err, const char *ext,
                   const char *fmt, ...)
{
    char what[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (strcmp(ext, ".shp") == 0) {
        fw_diag_set(r->d, err, 0, 0, "%s", what);
    } else {
        fw_diag_set(r->d, err, 0, 0, "%s%s: %s", r->f->name, ext, what);
    }
    if (r->d != NULL) {
        r->d->feature = r->record;
    }
    return err;
}

static fw_err geos_fail(struct reader *r, const char *what)
{
    return fail(r, FW_EGEOS, ".shp", "%s: %s", what,
                r->geos_msg[0] ? r->geos_msg : "GEOS failed");
}

static void repair(struct reader *r, const char *what)
{
    if (r->sink->repair != NULL) {
        r->sink->repair(r->sink->ctx, 0, r->record, what);
    }
}

/* A sink callback's error is the read's, unchanged. */
static fw_err sink_stopped(struct reader *r, fw_err err)
{
    if (r->d != NULL && r->d->msg[0] == '\0') {
        fw_diag_set(r->d, err, 0, 0, "the store stopped the read");
        r->d->feature = r->record;
    }
    return err;
}

/* The country code of .dbf row i into code[3]: field ISO_A2, or
 * "country_code"=>"xx" in a field "address". 0 when there is none. */
static int country_code(DBFHandle dbf, int i, char code[3])
{
    const char *v = NULL;
    int k = DBFGetFieldIndex(dbf, "ISO_A2");
    if (k >= 0 && !DBFIsAttributeNULL(dbf, i, k)) {
        v = DBFReadStringAttribute(dbf, i, k);
    } else if ((k = DBFGetFieldIndex(dbf, "address")) >= 0 &&
               !DBFIsAttributeNULL(dbf, i, k)) {
        const char *a = DBFReadStringAttribute(dbf, i, k);
        const char *key = "\"country_code\"=>\"";
        const char *hit = a != NULL ? strstr(a, key) : NULL;
        v = hit != NULL ? hit + strlen(key) : NULL;
        if (v != NULL && (strlen(v) < 3 || v[2] != '"')) {
            v = NULL;
        }
    }
    if (v == NULL || strlen(v) < 2) {
        return 0;
    }
    for (int j = 0; j < 2; j++) {
        char c = v[j];
        if (c >= 'a' && c <= 'z') {
            c = (char)(c - 'a' + 'A');
        }
        if (c < 'A' || c > 'Z') {
            return 0;
        }
        code[j] = c;
    }
    code[2] = '\0';
    return 1;
}

/* The name of .dbf row i into name[cap]: field "name" (any case) when it
 * is UTF-8 and fits, else the code. */
static void country_name(DBFHandle dbf, int i, const char *code, char *name,
                         size_t cap)
{
    int k = DBFGetFieldIndex(dbf, "name");
    const char *v = k >= 0 && !DBFIsAttributeNULL(dbf, i, k)
                        ? DBFReadStringAttribute(dbf, i, k)
                        : NULL;
    long line, col;
    if (v == NULL || v[0] == '\0' || strlen(v) >= cap ||
        !fw_text_utf8_valid(v, strlen(v), &line, &col)) {
        v = code;
    }
    snprintf(name, cap, "%s", v);
}

/* Twice the signed area of ring [i0, i1) of o, in degrees^2: negative for
 * a clockwise ring (a shell, in a shapefile). */
static double signed_area2(const SHPObject *o, int i0, int i1)
{
    double s = 0;
    for (int i = i0; i < i1; i++) {
        int j = i + 1 < i1 ? i + 1 : i0;
        s += o->padfX[i] * o->padfY[j] - o->padfX[j] * o->padfY[i];
    }
    return s;
}

/* A GEOS ring of part [i0, i1) of o, closed if it was not; NULL with
 * *dropped set when it has fewer than four points. */
static fw_err make_ring(struct reader *r, const SHPObject *o, int part, int i0,
                        int i1, GEOSGeometry **out, int *dropped)
{
    *out = NULL;
    *dropped = 0;
    int n = i1 - i0;
    int closed = n > 0 && o->padfX[i0] == o->padfX[i1 - 1] &&
                 o->padfY[i0] == o->padfY[i1 - 1];
    int n_pts = closed ? n : n + 1;
    char what[96];
    if (n_pts < 4) {
        snprintf(what, sizeof what,
                 "ring %d has %d point%s, fewer than a ring needs: dropped",
                 part, n, n == 1 ? "" : "s");
        repair(r, what);
        *dropped = 1;
        return FW_OK;
    }
    if (!closed) {
        snprintf(what, sizeof what, "ring not closed (ring %d)", part);
        repair(r, what);
    }
    GEOSCoordSequence *cs = GEOSCoordSeq_create_r(r->gh, (unsigned)n_pts, 2);
    if (cs == NULL) {
        return geos_fail(r, "GEOSCoordSeq_create");
    }
    for (int k = 0; k < n_pts; k++) {
        int i = k < n ? i0 + k : i0;
        GEOSCoordSeq_setXY_r(r->gh, cs, (unsigned)k, o->padfX[i], o->padfY[i]);
    }
    *out = GEOSGeom_createLinearRing_r(r->gh, cs); /* takes cs */
    return *out != NULL ? FW_OK : geos_fail(r, "GEOSGeom_createLinearRing");
}

/* Exact geodesic area of ring g (lon/lat) in m2, unsigned. */
static double ring_area_m2(struct reader *r, const GEOSGeometry *g)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(r->gh, g);
    unsigned n = 0;
    if (cs == NULL || !GEOSCoordSeq_getSize_r(r->gh, cs, &n) || n < 4) {
        return 0;
    }
    struct geod_polygon p;
    geod_polygon_init(&p, 0);
    for (unsigned i = 0; i + 1 < n; i++) { /* the last repeats the first */
        double x = 0, y = 0;
        GEOSCoordSeq_getXY_r(r->gh, cs, i, &x, &y);
        geod_polygon_addpoint(&r->geod, &p, y, x);
    }
    double area = 0, perimeter = 0;
    geod_polygon_compute(&r->geod, &p, 0, 1, &area, &perimeter);
    return fabs(area);
}

/* Sends the valid, non-empty Polygon g to the sink. */
static fw_err emit_polygon(struct reader *r, const GEOSGeometry *g)
{
    struct fw_polygon_rec rec = {.cls = 0};
    const GEOSGeometry *shell = GEOSGetExteriorRing_r(r->gh, g);
    if (shell == NULL || !GEOSGeom_getXMin_r(r->gh, g, &rec.min_lon) ||
        !GEOSGeom_getYMin_r(r->gh, g, &rec.min_lat) ||
        !GEOSGeom_getXMax_r(r->gh, g, &rec.max_lon) ||
        !GEOSGeom_getYMax_r(r->gh, g, &rec.max_lat)) {
        return geos_fail(r, "cannot take a polygon's box");
    }
    double m2 = ring_area_m2(r, shell);
    int n_holes = GEOSGetNumInteriorRings_r(r->gh, g);
    for (int i = 0; i < n_holes; i++) {
        m2 -= ring_area_m2(r, GEOSGetInteriorRingN_r(r->gh, g, i));
    }
    if (m2 < 0) {
        /* valid in longitude and latitude, where its edges are straight,
         * but not on the ellipsoid, where they are geodesics: with edges
         * many degrees long its holes can measure more than its shell
         * (fuzz/corpus/shapefile/regress-holes-larger-than-shell.bin) */
        repair(r, "holes larger than the shell on the ellipsoid (edges "
                  "many degrees long): area taken as 0");
        m2 = 0;
    }
    rec.area_km2 = m2 / 1e6;
    size_t len = 0;
    unsigned char *wkb = GEOSWKBWriter_write_r(r->gh, r->wkb, g, &len);
    if (wkb == NULL) {
        return geos_fail(r, "GEOSWKBWriter_write");
    }
    rec.wkb = wkb;
    rec.wkb_len = len;
    fw_err err = FW_OK;
    if (r->sink->polygon != NULL &&
        (err = r->sink->polygon(r->sink->ctx, &rec)) != FW_OK) {
        err = sink_stopped(r, err);
    }
    GEOSFree_r(r->gh, wkb);
    return err;
}

/* Every non-empty Polygon in g (a Polygon, or MakeValid's collection). */
static fw_err emit_polygonal(struct reader *r, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(r->gh, g);
    if (type == GEOS_POLYGON) {
        return GEOSisEmpty_r(r->gh, g) == 1 ? FW_OK : emit_polygon(r, g);
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(r->gh, g);
        for (int i = 0; i < n; i++) {
            fw_err err = emit_polygonal(r, GEOSGetGeometryN_r(r->gh, g, i));
            if (err != FW_OK) {
                return err;
            }
        }
    }
    return FW_OK;
}

/* Checks shell's polygon (it owns shell and holes[0 .. n_holes), which
 * are consumed), repairs it when invalid, and emits it. */
static fw_err emit_shell(struct reader *r, int shell_part, GEOSGeometry *shell,
                         GEOSGeometry **holes, unsigned n_holes)
{
    GEOSGeometry *poly = GEOSGeom_createPolygon_r(r->gh, shell, holes, n_holes);
    if (poly == NULL) {
        GEOSGeom_destroy_r(r->gh, shell);
        for (unsigned i = 0; i < n_holes; i++) {
            GEOSGeom_destroy_r(r->gh, holes[i]);
        }
        return geos_fail(r, "GEOSGeom_createPolygon");
    }
    fw_err err = FW_OK;
    char valid = GEOSisValid_r(r->gh, poly);
    if (valid == 1) {
        err = emit_polygon(r, poly);
    } else if (valid == 0) {
        char *reason = GEOSisValidReason_r(r->gh, poly);
        GEOSGeometry *fixed = GEOSMakeValid_r(r->gh, poly);
        if (fixed == NULL) {
            err = geos_fail(r, "GEOSMakeValid");
        } else {
            char what[320];
            snprintf(what, sizeof what,
                     "invalid polygon repaired (shell ring %d): %s", shell_part,
                     reason ? reason : "?");
            repair(r, what);
            err = emit_polygonal(r, fixed);
            GEOSGeom_destroy_r(r->gh, fixed);
        }
        GEOSFree_r(r->gh, reason);
    } else {
        err = geos_fail(r, "GEOSisValid");
    }
    GEOSGeom_destroy_r(r->gh, poly);
    return err;
}

/* The polygons of record o: shells and the holes each holds. */
static fw_err read_rings(struct reader *r, const SHPObject *o)
{
    int n = o->nParts;
    GEOSGeometry **rings = calloc((size_t)n, sizeof *rings);
    int *is_hole = calloc((size_t)n, sizeof *is_hole);
    int *owner = calloc((size_t)n, sizeof *owner); /* shell of a hole */
    double *area = calloc((size_t)n, sizeof *area);
    GEOSGeometry **holes = calloc((size_t)n, sizeof *holes);
    fw_err err = FW_OK;
    if (rings == NULL || is_hole == NULL || owner == NULL || area == NULL ||
        holes == NULL) {
        err = fail(r, FW_ENOMEM, ".shp", "out of memory");
        goto out;
    }
    for (int p = 0; p < n && err == FW_OK; p++) {
        int i0 = o->panPartStart[p];
        int i1 = p + 1 < n ? o->panPartStart[p + 1] : o->nVertices;
        int dropped = 0;
        if (i0 < 0 || i1 > o->nVertices || i0 > i1) {
            err = fail(r, FW_EPARSE, ".shp", "ring %d: bad part start", p);
            break;
        }
        err = make_ring(r, o, p, i0, i1, &rings[p], &dropped);
        double a2 = signed_area2(o, i0, i1);
        is_hole[p] = a2 > 0;
        area[p] = fabs(a2);
    }
    /* each hole to the smallest shell holding its first point */
    for (int p = 0; p < n && err == FW_OK; p++) {
        owner[p] = -1;
        if (rings[p] == NULL || !is_hole[p]) {
            continue;
        }
        double x = o->padfX[o->panPartStart[p]];
        double y = o->padfY[o->panPartStart[p]];
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(r->gh, x, y);
        for (int s = 0; pt != NULL && s < n; s++) {
            if (rings[s] == NULL || is_hole[s] ||
                (owner[p] >= 0 && area[s] >= area[owner[p]])) {
                continue;
            }
            GEOSGeometry *shell = GEOSGeom_clone_r(r->gh, rings[s]);
            GEOSGeometry *sp =
                shell ? GEOSGeom_createPolygon_r(r->gh, shell, NULL, 0) : NULL;
            char in = sp ? GEOSContains_r(r->gh, sp, pt) : 2;
            GEOSGeom_destroy_r(r->gh, sp);
            if (in == 2) {
                err = geos_fail(r, "point in ring");
                break;
            }
            if (in) {
                owner[p] = s;
            }
        }
        GEOSGeom_destroy_r(r->gh, pt);
        if (owner[p] < 0 && err == FW_OK) {
            char what[96];
            snprintf(what, sizeof what,
                     "ring %d is wound as a hole but lies in no shell: taken "
                     "as a shell",
                     p);
            repair(r, what);
            is_hole[p] = 0;
        }
    }
    for (int s = 0; s < n && err == FW_OK; s++) {
        if (rings[s] == NULL || is_hole[s]) {
            continue;
        }
        unsigned k = 0;
        for (int p = 0; p < n; p++) {
            if (rings[p] != NULL && is_hole[p] && owner[p] == s) {
                holes[k++] = rings[p];
                rings[p] = NULL;
            }
        }
        GEOSGeometry *shell = rings[s];
        rings[s] = NULL;
        err = emit_shell(r, s, shell, holes, k);
    }
out:
    for (int p = 0; rings != NULL && p < n; p++) {
        GEOSGeom_destroy_r(r->gh, rings[p]);
    }
    free(rings);
    free(is_hole);
    free(owner);
    free(area);
    free(holes);
    return err;
}

static fw_err check_coordinates(struct reader *r, const SHPObject *o)
{
    for (int i = 0; i < o->nVertices; i++) {
        double x = o->padfX[i], y = o->padfY[i];
        if (!isfinite(x) || !isfinite(y) || fabs(x) > 180 || fabs(y) > 90) {
            return fail(r, FW_ERANGE, ".shp",
                        "point %d is %g, %g: not WGS84 longitude and "
                        "latitude (a projected shapefile?)",
                        i, x, y);
        }
    }
    return FW_OK;
}

static fw_err read_record(struct reader *r, SHPHandle shp, DBFHandle dbf, int i)
{
    r->record = i;
    SHPObject *o = SHPReadObject(shp, i);
    if (o == NULL) {
        return fail(r, FW_EPARSE, ".shp", "cannot read the record: %s",
                    tl_msg[0] ? tl_msg : "shapelib failed");
    }
    fw_err err = FW_OK;
    if (o->nSHPType == SHPT_NULL || o->nParts == 0 || o->nVertices == 0) {
        if (r->sink->reject != NULL) {
            r->sink->reject(r->sink->ctx, 0, i, "record without geometry");
        }
        goto out;
    }
    char code[3];
    if (!country_code(dbf, i, code)) {
        err = fail(r, FW_EPARSE, ".dbf",
                   "its row names no country (a field ISO_A2, or "
                   "\"country_code\"=>\"xx\" in a field address)");
        goto out;
    }
    if ((err = check_coordinates(r, o)) != FW_OK) {
        goto out;
    }
    char name[256];
    country_name(dbf, i, code, name, sizeof name);
    struct fw_country_rec c = {.country = code, .name = name};
    if (r->sink->country != NULL &&
        (err = r->sink->country(r->sink->ctx, &c)) != FW_OK) {
        err = sink_stopped(r, err);
        goto out;
    }
    err = read_rings(r, o);
out:
    SHPDestroyObject(o);
    return err;
}

fw_err fw_shapefile_read(const struct fw_shapefile *f,
                         const struct fw_sink *sink, struct fw_diag *d)
{
    struct reader r = {.f = f, .sink = sink, .d = d, .record = -1};
    if (!fw_shapefile_is_shp(f->shp, f->shp_len)) {
        return fail(&r, FW_EPARSE, ".shp",
                    "not a shapefile's .shp with records (file code 9994, "
                    "version 1000, record 1)");
    }
    SAHooks hooks;
    mem_hooks(&hooks);
    SHPHandle shp = NULL;
    DBFHandle dbf = NULL;
    fw_err err = FW_OK;
    tl_files = f;
    tl_msg[0] = '\0';
    if (f->shx == NULL) {
        err = fail(&r, FW_EPARSE, ".shx", "missing");
        goto out;
    }
    if ((shp = SHPOpenLL(f->name, "rb", &hooks)) == NULL) {
        err = fail(&r, FW_EPARSE, ".shp",
                   "shapelib cannot open it with its .shx: %s",
                   tl_msg[0] ? tl_msg : "a bad .shp or .shx header");
        goto out;
    }
    int n = 0, type = 0;
    SHPGetInfo(shp, &n, &type, NULL, NULL);
    /* shapelib reads a record only when asked: a .shp cut short is found
     * here, by the length its header gives, not at its last record */
    if (shp->nFileSize > f->shp_len) {
        err = fail(&r, FW_EPARSE, ".shp",
                   "truncated: %zu bytes of the %u its header gives",
                   f->shp_len, shp->nFileSize);
        goto out;
    }
    /* shapelib sizes its record buffer by the .shx: a record it places
     * past the .shp's end would be read into up to 2 GB, for nothing */
    for (int i = 0; i < n; i++) {
        if ((size_t)shp->panRecOffset[i] + shp->panRecSize[i] + 8 >
            f->shp_len) {
            r.record = i;
            err = fail(&r, FW_EPARSE, ".shx",
                       "puts the record at bytes %u to %zu of a .shp of %zu "
                       "(the .shx of another shapefile?)",
                       shp->panRecOffset[i],
                       (size_t)shp->panRecOffset[i] + shp->panRecSize[i] + 8,
                       f->shp_len);
            goto out;
        }
    }
    if (type != SHPT_POLYGON && type != SHPT_POLYGONZ &&
        type != SHPT_POLYGONM) {
        err = fail(&r, FW_EPARSE, ".shp",
                   "shape type %s: a country outline needs polygons",
                   SHPTypeName(type));
        goto out;
    }
    if (f->dbf == NULL) {
        err = fail(&r, FW_EPARSE, ".dbf", "missing");
        goto out;
    }
    if ((dbf = DBFOpenLL(f->name, "rb", &hooks)) == NULL) {
        err = fail(&r, FW_EPARSE, ".dbf", "shapelib cannot open it: %s",
                   tl_msg[0] ? tl_msg : "a bad header");
        goto out;
    }
    if (DBFGetRecordCount(dbf) != n) {
        err = fail(&r, FW_EPARSE, ".dbf",
                   "%d record%s, but the .shp has %d: the .dbf of another "
                   "shapefile",
                   DBFGetRecordCount(dbf),
                   DBFGetRecordCount(dbf) == 1 ? "" : "s", n);
        goto out;
    }
    r.gh = GEOS_init_r();
    if (r.gh == NULL) {
        err = fail(&r, FW_EGEOS, ".shp", "cannot start GEOS");
        goto out;
    }
    GEOSContext_setErrorMessageHandler_r(r.gh, geos_msg_r, &r);
    r.wkb = GEOSWKBWriter_create_r(r.gh);
    if (r.wkb == NULL) {
        err = geos_fail(&r, "GEOSWKBWriter_create");
        goto out;
    }
    GEOSWKBWriter_setOutputDimension_r(r.gh, r.wkb, 2);
    GEOSWKBWriter_setByteOrder_r(r.gh, r.wkb, GEOS_WKB_NDR);
    GEOSWKBWriter_setFlavor_r(r.gh, r.wkb, GEOS_WKB_ISO);
    geod_init(&r.geod, 6378137.0, 1 / 298.257223563);
    for (int i = 0; i < n && err == FW_OK; i++) {
        tl_msg[0] = '\0';
        err = read_record(&r, shp, dbf, i);
        if (err == FW_OK && sink->progress != NULL) {
            sink->progress(sink->ctx, (size_t)i + 1, (size_t)n);
        }
    }
out:
    if (r.wkb != NULL) {
        GEOSWKBWriter_destroy_r(r.gh, r.wkb);
    }
    if (r.gh != NULL) {
        GEOS_finish_r(r.gh);
    }
    if (dbf != NULL) {
        DBFClose(dbf);
    }
    if (shp != NULL) {
        SHPClose(shp);
    }
    tl_files = NULL;
    return err;
}

/* ---- the files beside a .shp ------------------------------------------ */

/* The length of shp_path without its ".shp" or ".shp.gz", 0 when it has
 * neither. */
static size_t base_len(const char *shp_path)
{
    size_t n = strlen(shp_path);
    if (has_ext(shp_path, ".shp.gz")) {
        return n - 7;
    }
    return has_ext(shp_path, ".shp") ? n - 4 : 0;
}

static fw_err find_part(const char *shp_path, size_t base, const char *ext,
                        char *out, size_t cap, struct fw_diag *d)
{
    char upper[8];
    size_t e = strlen(ext);
    for (size_t i = 0; i <= e && i < sizeof upper; i++) {
        char c = ext[i];
        upper[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    const char *exts[] = {ext, upper};
    const char *gz[] = {"", ".gz"};
    for (int k = 0; k < 2; k++) {
        for (int z = 0; z < 2; z++) {
            int w = snprintf(out, cap, "%.*s%s%s", (int)base, shp_path, exts[k],
                             gz[z]);
            if (w < 0 || (size_t)w >= cap) {
                return fw_diag_set(d, FW_ELIMIT, 0, 0, "path too long: %s",
                                   shp_path);
            }
            struct stat sb;
            if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode)) {
                return FW_OK;
            }
        }
    }
    const char *slash = strrchr(shp_path, '/');
    const char *name = slash != NULL ? slash + 1 : shp_path;
    size_t skip = (size_t)(name - shp_path);
    return fw_diag_set(d, FW_EPARSE, 0, 0,
                       "%.*s%s is missing: a shapefile's .shp needs its .shx "
                       "(index) and .dbf (attributes) beside it, with the "
                       "same name",
                       (int)(base - skip), name, ext);
}

fw_err fw_shapefile_parts(const char *shp_path, char *shx, char *dbf,
                          size_t cap, struct fw_diag *d)
{
    size_t base = base_len(shp_path);
    if (base == 0) {
        return fw_diag_set(d, FW_EPARSE, 0, 0,
                           "a shapefile's .shp must be named *.shp (or "
                           "*.shp.gz) for its .shx and .dbf to be found "
                           "beside it");
    }
    fw_err err = find_part(shp_path, base, ".shx", shx, cap, d);
    return err != FW_OK ? err : find_part(shp_path, base, ".dbf", dbf, cap, d);
}

fw_err fw_shapefile_sha256(const char *shp_path, char hex[65],
                           struct fw_diag *d)
{
    char shx[4096], dbf[4096];
    fw_err err = fw_shapefile_parts(shp_path, shx, dbf, sizeof shx, d);
    if (err != FW_OK) {
        return err;
    }
    const char *paths[] = {shp_path, shx, dbf};
    err = fw_io_sha256_files(paths, 3, hex);
    if (err != FW_OK) {
        return fw_diag_set(d, err, 0, 0, "cannot read the shapefile's files");
    }
    return FW_OK;
}

fw_err fw_shapefile_read_path(const char *shp_path, const void *shp,
                              size_t shp_len, const struct fw_sink *sink,
                              struct fw_diag *d)
{
    char shx_path[4096], dbf_path[4096];
    fw_err err =
        fw_shapefile_parts(shp_path, shx_path, dbf_path, sizeof shx_path, d);
    if (err != FW_OK) {
        return err;
    }
    char *shx = NULL, *dbf = NULL;
    size_t shx_len = 0, dbf_len = 0;
    const char *slash = strrchr(shp_path, '/');
    const char *name = slash != NULL ? slash + 1 : shp_path;
    char base[512];
    snprintf(base, sizeof base, "%.*s",
             (int)(base_len(shp_path) - (size_t)(name - shp_path)), name);
    const char *bad = shx_path;
    err = fw_io_read_file(shx_path, FW_IO_MAX_BYTES, &shx, &shx_len, d);
    if (err == FW_OK) {
        bad = dbf_path;
        err = fw_io_read_file(dbf_path, FW_IO_MAX_BYTES, &dbf, &dbf_len, d);
    }
    if (err != FW_OK) {
        if (d != NULL) {
            /* d names the .shp, the source: say which part failed */
            char msg[sizeof d->msg];
            snprintf(msg, sizeof msg, "%s", d->msg);
            const char *bs = strrchr(bad, '/');
            fw_diag_set(d, err, 0, 0, "%s: %s", bs != NULL ? bs + 1 : bad, msg);
        }
        goto out;
    }
    struct fw_shapefile f = {.name = base,
                             .shp = shp,
                             .shp_len = shp_len,
                             .shx = shx,
                             .shx_len = shx_len,
                             .dbf = dbf,
                             .dbf_len = dbf_len};
    err = fw_shapefile_read(&f, sink, d);
out:
    free(shx);
    free(dbf);
    return err;
}
