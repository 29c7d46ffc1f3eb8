/*
 * test_shapefile.c - the shapefile reader (shapefile.h): the real Russia
 * outline (skipped without ../shared/data), small shapefiles written here
 * with shapelib for the ring rules and the repairs, and broken inputs with
 * their exact errors.
 */
#include "fwtest.h"

#include <geodesic.h>
#include <math.h>
#include <shapefil.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontwatch/io.h"
#include "frontwatch/shapefile.h"

struct got {
    int n_countries, n_polygons, n_repairs, n_rejects, n_holes;
    char country[3];
    char name[64];
    double km2;
    char repairs[8][160];
    size_t last_progress;
};

static fw_err on_country(void *ctx, const struct fw_country_rec *c)
{
    struct got *g = ctx;
    g->n_countries++;
    snprintf(g->country, sizeof g->country, "%s", c->country);
    snprintf(g->name, sizeof g->name, "%s", c->name);
    return FW_OK;
}

static fw_err on_polygon(void *ctx, const struct fw_polygon_rec *p)
{
    struct got *g = ctx;
    g->n_polygons++;
    assert_true(p->area_km2 >= 0);
    g->km2 += p->area_km2;
    assert_int_equal(p->cls, 0);
    assert_true(p->min_lon <= p->max_lon && p->min_lat <= p->max_lat);
    /* ISO WKB, little-endian Polygon: its ring count after the type */
    assert_true(p->wkb_len > 9);
    assert_int_equal(p->wkb[0], 1);
    assert_int_equal(p->wkb[1], 3);
    g->n_holes += (int)p->wkb[5] - 1;
    return FW_OK;
}

static void on_repair(void *ctx, long line, long feature, const char *what)
{
    (void)line;
    (void)feature;
    struct got *g = ctx;
    if (g->n_repairs < 8) {
        snprintf(g->repairs[g->n_repairs], sizeof g->repairs[0], "%s", what);
    }
    g->n_repairs++;
}

static void on_reject(void *ctx, long line, long feature, const char *why)
{
    (void)line;
    (void)feature;
    (void)why;
    ((struct got *)ctx)->n_rejects++;
}

static void on_progress(void *ctx, size_t done, size_t total)
{
    (void)total;
    ((struct got *)ctx)->last_progress = done;
}

static struct fw_sink sink_of(struct got *g)
{
    memset(g, 0, sizeof *g);
    return (struct fw_sink){.ctx = g,
                            .country = on_country,
                            .polygon = on_polygon,
                            .repair = on_repair,
                            .reject = on_reject,
                            .progress = on_progress};
}

/* The real shapefile's three parts in memory (freed by free_parts). */
static int real_parts(struct fw_shapefile *f)
{
    const char *shp =
        fwt_shared_or_skip("boundaries/osm_russia_incl_crimea.shp");
    if (shp == NULL) {
        return 0;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s", shp);
    size_t base = strlen(path) - 4;
    char *buf[3];
    size_t len[3];
    const char *ext[3] = {".shp", ".shx", ".dbf"};
    struct fw_diag d;
    for (int i = 0; i < 3; i++) {
        memcpy(path + base, ext[i], 4);
        assert_int_equal(
            fw_io_read_file(path, FW_IO_MAX_BYTES, &buf[i], &len[i], &d),
            FW_OK);
    }
    *f = (struct fw_shapefile){.name = "osm_russia_incl_crimea",
                               .shp = buf[0],
                               .shp_len = len[0],
                               .shx = buf[1],
                               .shx_len = len[1],
                               .dbf = buf[2],
                               .dbf_len = len[2]};
    return 1;
}

static void free_parts(struct fw_shapefile *f)
{
    free((void *)f->shp);
    free((void *)f->shx);
    free((void *)f->dbf);
}

/* Russia as OSM maps it (relation 60189, Crimea included, territorial
 * waters too): one record of 30 polygons without holes. The area is
 * pyproj's Geod(ellps='WGS84').geometry_area_perimeter of the file's
 * MultiPolygon as fiona reads it: 18,318,343.23 km2. */
static void test_real_russia(void **state)
{
    (void)state;
    struct fw_shapefile f;
    if (!real_parts(&f)) {
        return;
    }
    assert_true(fw_shapefile_is_shp(f.shp, f.shp_len));
    assert_false(fw_shapefile_is_shp(f.shx, f.shx_len)); /* same header */
    assert_false(fw_shapefile_is_shp(f.dbf, f.dbf_len));
    assert_false(fw_shapefile_is_shp(f.shp, 100));
    struct got g;
    struct fw_sink s = sink_of(&g);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_shapefile_read(&f, &s, &d), FW_OK);
    assert_int_equal(g.n_countries, 1);
    assert_string_equal(g.country, "RU");
    assert_string_equal(g.name, "Russia");
    assert_int_equal(g.n_polygons, 30);
    assert_int_equal(g.n_holes, 0);
    assert_int_equal(g.n_repairs, 0);
    assert_int_equal(g.last_progress, 1);
    assert_near(g.km2, 18318343.23, 1.0);
    free_parts(&f);
}

static void expect_error(const struct fw_shapefile *f, fw_err want,
                         long want_feature, const char *want_msg)
{
    struct got g;
    struct fw_sink s = sink_of(&g);
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_err err = fw_shapefile_read(f, &s, &d);
    printf("  -> feature %ld: %s\n", d.feature, d.msg);
    assert_int_equal(err, want);
    assert_int_equal(d.feature, want_feature);
    assert_string_equal(d.msg, want_msg);
    assert_int_equal(g.n_polygons, 0);
}

static void test_real_broken(void **state)
{
    (void)state;
    struct fw_shapefile f;
    if (!real_parts(&f)) {
        return;
    }
    struct fw_shapefile b = f;
    b.shp_len = 1000000;
    expect_error(&b, FW_EPARSE, -1,
                 "truncated: 1000000 bytes of the 1875744 its header gives");
    b = f;
    b.shx = NULL;
    expect_error(&b, FW_EPARSE, -1, "osm_russia_incl_crimea.shx: missing");
    b = f;
    b.dbf = NULL;
    expect_error(&b, FW_EPARSE, -1, "osm_russia_incl_crimea.dbf: missing");
    /* the .shx given as the .shp */
    b = f;
    b.shp = f.shx;
    b.shp_len = f.shx_len;
    expect_error(&b, FW_EPARSE, -1,
                 "not a shapefile's .shp with records (file code 9994, "
                 "version 1000, record 1)");
    /* an .shx whose record runs past the .shp's end (2 GB long, which
     * shapelib accepts: it refuses from INT_MAX / 2 - 4 words on) is never
     * read, so no buffer is sized by it */
    unsigned char shx[108];
    assert_int_equal(f.shx_len, sizeof shx);
    memcpy(shx, f.shx, sizeof shx);
    shx[104] = 0x3f; /* the record's length in 16-bit words, big-endian */
    shx[105] = shx[106] = 0xff;
    shx[107] = 0xf0;
    b = f;
    b.shx = shx;
    expect_error(&b, FW_EPARSE, 0,
                 "osm_russia_incl_crimea.shx: puts the record at bytes 100 to "
                 "2147483724 of a .shp of 1875744 (the .shx of another "
                 "shapefile?)");
    /* an .shx cut short: shapelib's own message, passed on */
    b = f;
    b.shx_len = 104;
    struct got g;
    struct fw_sink s = sink_of(&g);
    struct fw_diag d;
    fw_diag_reset(&d);
    assert_int_equal(fw_shapefile_read(&b, &s, &d), FW_EPARSE);
    printf("  -> %s\n", d.msg);
    assert_non_null(strstr(d.msg, "shapelib cannot open it with its .shx: "));
    free_parts(&f);
}

/* ---- shapefiles written here ------------------------------------------ */

static char g_dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/fwshp.XXXXXX");
    return mkdtemp(g_dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    const char *names[] = {"rings", "point", "projected"};
    const char *exts[] = {".shp", ".shx", ".dbf"};
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 3; k++) {
            char p[128];
            snprintf(p, sizeof p, "%s/%s%s", g_dir, names[i], exts[k]);
            unlink(p);
        }
    }
    rmdir(g_dir);
    return 0;
}

/* Writes g_dir/name.{shp,shx,dbf}: the objects objs[0 .. n), each row
 * naming iso2. */
static void write_shapefile(const char *name, int type, SHPObject **objs, int n,
                            const char *iso2)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    SHPHandle h = SHPCreate(p, type);
    assert_non_null(h);
    for (int i = 0; i < n; i++) {
        assert_int_equal(SHPWriteObject(h, -1, objs[i]), i);
        SHPDestroyObject(objs[i]);
    }
    SHPClose(h);
    DBFHandle dbf = DBFCreate(p);
    assert_non_null(dbf);
    assert_int_equal(DBFAddField(dbf, "ISO_A2", FTString, 2, 0), 0);
    assert_int_equal(DBFAddField(dbf, "NAME", FTString, 32, 0), 1);
    for (int i = 0; i < n; i++) {
        assert_true(DBFWriteStringAttribute(dbf, i, 0, iso2));
        assert_true(DBFWriteStringAttribute(dbf, i, 1, "Testland"));
    }
    DBFClose(dbf);
}

/* Reads g_dir/name.shp through fw_shapefile_read_path. */
static fw_err read_written(const char *name, struct got *g, struct fw_diag *d)
{
    char p[128];
    snprintf(p, sizeof p, "%s/%s.shp", g_dir, name);
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(fw_io_read_file(p, FW_IO_MAX_BYTES, &buf, &len, d), FW_OK);
    struct fw_sink s = sink_of(g);
    fw_diag_reset(d);
    fw_err err = fw_shapefile_read_path(p, buf, len, &s, d);
    free(buf);
    return err;
}

static double geodesic_km2(const double *lon, const double *lat, int n)
{
    struct geod_geodesic geod;
    struct geod_polygon p;
    geod_init(&geod, 6378137.0, 1 / 298.257223563);
    geod_polygon_init(&p, 0);
    for (int i = 0; i < n; i++) {
        geod_polygon_addpoint(&geod, &p, lat[i], lon[i]);
    }
    double a = 0, per = 0;
    geod_polygon_compute(&geod, &p, 0, 1, &a, &per);
    return fabs(a) / 1e6;
}

/* One record of five rings: a clockwise shell (30-31 E, 50-51 N) with a
 * counter-clockwise hole in it, a second shell (32-33 E) left unclosed, a
 * two-point ring, and a counter-clockwise ring in no shell (34-35 E); a
 * second record without geometry. */
static void test_rings(void **state)
{
    (void)state;
    double x[] = {30,   30,   31,   31,   30,   /* shell, clockwise */
                  30.2, 30.8, 30.8, 30.2, 30.2, /* hole, counter-clockwise */
                  32,   32,   33,   33,         /* shell, not closed */
                  36,   36.5,                   /* two points */
                  34,   35,   35,   34,   34};  /* counter-clockwise, alone */
    double y[] = {50, 51, 51, 50, 50,   50.2, 50.2, 50.8, 50.8, 50.2, 50,
                  51, 51, 50, 50, 50.5, 50,   50,   51,   51,   50};
    int start[] = {0, 5, 10, 14, 16};
    SHPObject *objs[2];
    objs[0] =
        SHPCreateObject(SHPT_POLYGON, -1, 5, start, NULL, 21, x, y, NULL, NULL);
    objs[1] = SHPCreateObject(SHPT_NULL, -1, 0, NULL, NULL, 0, NULL, NULL, NULL,
                              NULL);
    write_shapefile("rings", SHPT_POLYGON, objs, 2, "by");
    struct got g;
    struct fw_diag d;
    assert_int_equal(read_written("rings", &g, &d), FW_OK);
    for (int i = 0; i < g.n_repairs && i < 8; i++) {
        printf("  repair: %s\n", g.repairs[i]);
    }
    assert_int_equal(g.n_countries, 1);
    assert_string_equal(g.country, "BY"); /* upper case */
    assert_string_equal(g.name, "Testland");
    assert_int_equal(g.n_polygons, 3);
    assert_int_equal(g.n_holes, 1);
    assert_int_equal(g.n_rejects, 1); /* the null shape */
    assert_int_equal(g.n_repairs, 3);
    assert_string_equal(g.repairs[0], "ring not closed (ring 2)");
    assert_string_equal(g.repairs[1],
                        "ring 3 has 2 points, fewer than a ring needs: "
                        "dropped");
    assert_string_equal(g.repairs[2],
                        "ring 4 is wound as a hole but lies in no shell: "
                        "taken as a shell");
    /* the areas, by PROJ's geodesic polygon over the same corners */
    double want = geodesic_km2(x, y, 4) - geodesic_km2(x + 5, y + 5, 4) +
                  geodesic_km2(x + 10, y + 10, 4) +
                  geodesic_km2(x + 16, y + 16, 4);
    assert_near(g.km2, want, 1e-6);
}

static void test_wrong_kind_and_coordinates(void **state)
{
    (void)state;
    double x[] = {30}, y[] = {50};
    SHPObject *pt =
        SHPCreateObject(SHPT_POINT, -1, 0, NULL, NULL, 1, x, y, NULL, NULL);
    write_shapefile("point", SHPT_POINT, &pt, 1, "RU");
    struct got g;
    struct fw_diag d;
    assert_int_equal(read_written("point", &g, &d), FW_EPARSE);
    assert_string_equal(d.msg, "shape type Point: a country outline needs "
                               "polygons");
    /* metres, not degrees: a projected shapefile */
    double px[] = {500000, 500000, 600000, 600000, 500000};
    double py[] = {5500000, 5600000, 5600000, 5500000, 5500000};
    SHPObject *sq =
        SHPCreateObject(SHPT_POLYGON, -1, 0, NULL, NULL, 5, px, py, NULL, NULL);
    write_shapefile("projected", SHPT_POLYGON, &sq, 1, "RU");
    assert_int_equal(read_written("projected", &g, &d), FW_ERANGE);
    assert_int_equal(d.feature, 0);
    assert_string_equal(d.msg, "point 0 is 500000, 5.5e+06: not WGS84 "
                               "longitude and latitude (a projected "
                               "shapefile?)");
    /* the parts are found beside the .shp, or named missing */
    char shx[256], dbf[256], p[128];
    snprintf(p, sizeof p, "%s/projected.shp", g_dir);
    assert_int_equal(fw_shapefile_parts(p, shx, dbf, sizeof shx, &d), FW_OK);
    assert_non_null(strstr(dbf, "/projected.dbf"));
    snprintf(p, sizeof p, "%s/other.shp", g_dir);
    assert_int_equal(fw_shapefile_parts(p, shx, dbf, sizeof shx, &d),
                     FW_EPARSE);
    assert_non_null(strstr(d.msg, "other.shx is missing"));
    assert_int_equal(fw_shapefile_parts("x.geojson", shx, dbf, sizeof shx, &d),
                     FW_EPARSE);
}

/* Found by fuzz_shapefile: the exclave's ring with one longitude's sign
 * flipped, repaired by MakeValid into a polygon with a hole that is valid
 * in degrees but whose hole measures more than its shell on the
 * ellipsoid (edges 63 degrees long); its area came out negative. */
static void test_regress_holes_larger_than_shell(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    struct fw_diag d;
    assert_int_equal(
        fw_io_read_file(fwt_fixture("../../fuzz/corpus/shapefile/"
                                    "regress-holes-larger-than-shell.bin"),
                        FW_IO_MAX_BYTES, &buf, &len, &d),
        FW_OK);
    /* the harness's layout: the .shp's and .shx's lengths, then the three */
    const unsigned char *u = (const unsigned char *)buf;
    size_t shp_len = u[0] | u[1] << 8 | u[2] << 16 | (size_t)u[3] << 24;
    size_t shx_len = u[4] | u[5] << 8 | u[6] << 16 | (size_t)u[7] << 24;
    assert_true(8 + shp_len + shx_len <= len);
    struct fw_shapefile f = {.name = "regress",
                             .shp = buf + 8,
                             .shp_len = shp_len,
                             .shx = buf + 8 + shp_len,
                             .shx_len = shx_len,
                             .dbf = buf + 8 + shp_len + shx_len,
                             .dbf_len = len - 8 - shp_len - shx_len};
    struct got g;
    struct fw_sink s = sink_of(&g);
    fw_diag_reset(&d);
    assert_int_equal(fw_shapefile_read(&f, &s, &d), FW_OK);
    assert_true(g.n_polygons >= 1);
    assert_true(g.km2 >= 0);
    int said = 0;
    for (int i = 0; i < g.n_repairs && i < 8; i++) {
        said |= strstr(g.repairs[i], "holes larger than the shell") != NULL;
    }
    assert_true(said);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_russia),
        cmocka_unit_test(test_real_broken),
        cmocka_unit_test(test_rings),
        cmocka_unit_test(test_wrong_kind_and_coordinates),
        cmocka_unit_test(test_regress_holes_larger_than_shell),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
