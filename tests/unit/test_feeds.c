/*
 * test_feeds.c - warning feeds (feeds.h): the level bands at their exact
 * boundaries, the CAP field mapping, the CAP and Atom writers (escaping,
 * CAP 1.2 schema validity with xmllint, one Atom entry per change), and
 * the changes found on real data: Kharkiv's level falls after the
 * counteroffensive of September 2022, Kherson leaves "occupied" after
 * 2022-11-13.
 *
 * The schema checks need xmllint (Debian libxml2-utils) and skip, with the
 * reason printed, without it. The sample test needs data/sample; the real
 * data tests need ../shared/data and skip, with the reason printed, when
 * it is absent.
 */
#include "fwtest.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontwatch/date.h"
#include "frontwatch/feeds.h"
#include "frontwatch/geo.h"
#include "frontwatch/ingest.h"
#include "frontwatch/place.h"
#include "frontwatch/store.h"

#define DAY ((int64_t)FW_DAY_S)

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL;
         p += strlen(needle)) {
        n++;
    }
    return n;
}

/* ---- levels and the CAP mapping ---- */

static void test_level_of_p(void **state)
{
    (void)state;
    assert_int_equal(fw_feeds_level_of_p(0.0), FW_FEED_LEVEL_MINIMAL);
    assert_int_equal(fw_feeds_level_of_p(0.019999), FW_FEED_LEVEL_MINIMAL);
    assert_int_equal(fw_feeds_level_of_p(0.02), FW_FEED_LEVEL_LOW);
    assert_int_equal(fw_feeds_level_of_p(0.099999), FW_FEED_LEVEL_LOW);
    assert_int_equal(fw_feeds_level_of_p(0.10), FW_FEED_LEVEL_ELEVATED);
    assert_int_equal(fw_feeds_level_of_p(0.299999), FW_FEED_LEVEL_ELEVATED);
    assert_int_equal(fw_feeds_level_of_p(0.30), FW_FEED_LEVEL_HIGH);
    assert_int_equal(fw_feeds_level_of_p(0.599999), FW_FEED_LEVEL_HIGH);
    assert_int_equal(fw_feeds_level_of_p(0.60), FW_FEED_LEVEL_SEVERE);
    assert_int_equal(fw_feeds_level_of_p(1.0), FW_FEED_LEVEL_SEVERE);
    assert_int_equal(fw_feeds_level_of_p(NAN), FW_FEED_LEVEL_UNKNOWN);
    assert_int_equal(fw_feeds_level_of_p(-0.01), FW_FEED_LEVEL_UNKNOWN);
    assert_int_equal(fw_feeds_level_of_p(1.01), FW_FEED_LEVEL_UNKNOWN);
}

static void test_level_of_distance(void **state)
{
    (void)state;
    const enum fw_status F = FW_STATUS_FREE;
    assert_int_equal(fw_feeds_level_of_distance(400.0, F),
                     FW_FEED_LEVEL_MINIMAL);
    assert_int_equal(fw_feeds_level_of_distance(100.0, F),
                     FW_FEED_LEVEL_MINIMAL);
    assert_int_equal(fw_feeds_level_of_distance(99.999, F), FW_FEED_LEVEL_LOW);
    assert_int_equal(fw_feeds_level_of_distance(50.0, F), FW_FEED_LEVEL_LOW);
    assert_int_equal(fw_feeds_level_of_distance(49.999, F),
                     FW_FEED_LEVEL_ELEVATED);
    assert_int_equal(fw_feeds_level_of_distance(20.0, F),
                     FW_FEED_LEVEL_ELEVATED);
    assert_int_equal(fw_feeds_level_of_distance(19.999, F), FW_FEED_LEVEL_HIGH);
    assert_int_equal(fw_feeds_level_of_distance(5.0, F), FW_FEED_LEVEL_HIGH);
    assert_int_equal(fw_feeds_level_of_distance(4.999, F),
                     FW_FEED_LEVEL_SEVERE);
    assert_int_equal(fw_feeds_level_of_distance(0.0, F), FW_FEED_LEVEL_SEVERE);
    assert_int_equal(fw_feeds_level_of_distance(NAN, F), FW_FEED_LEVEL_UNKNOWN);
    assert_int_equal(fw_feeds_level_of_distance(-1.0, F),
                     FW_FEED_LEVEL_UNKNOWN);
    /* the status wins over the distance */
    assert_int_equal(fw_feeds_level_of_distance(300.0, FW_STATUS_CONTESTED),
                     FW_FEED_LEVEL_SEVERE);
    assert_int_equal(fw_feeds_level_of_distance(0.0, FW_STATUS_OCCUPIED),
                     FW_FEED_LEVEL_OCCUPIED);
    assert_int_equal(
        fw_feeds_level_of_distance(0.0, FW_STATUS_OCCUPIED_PRE2022),
        FW_FEED_LEVEL_OCCUPIED);
}

static void test_names(void **state)
{
    (void)state;
    static const char *const want[FW_FEED_N_LEVELS] = {
        "unknown", "minimal", "low", "elevated", "high", "severe", "occupied"};
    for (int i = 0; i < FW_FEED_N_LEVELS; i++) {
        assert_string_equal(fw_feed_level_name((enum fw_feed_level)i), want[i]);
        assert_string_equal(fw_feed_level_label((enum fw_feed_level)i, "en"),
                            want[i]);
    }
    assert_string_equal(fw_feed_level_label(FW_FEED_LEVEL_ELEVATED, "uk"),
                        "підвищений");
    assert_string_equal(fw_feed_level_name((enum fw_feed_level)99), "unknown");
    assert_string_equal(fw_feed_basis_name(FW_FEED_BASIS_MODEL), "model");
    assert_string_equal(fw_feed_basis_name(FW_FEED_BASIS_DISTANCE), "distance");
}

static void test_cap_mapping(void **state)
{
    (void)state;
    assert_string_equal(fw_feeds_cap_severity(FW_FEED_LEVEL_OCCUPIED),
                        "Extreme");
    assert_string_equal(fw_feeds_cap_severity(FW_FEED_LEVEL_SEVERE), "Extreme");
    assert_string_equal(fw_feeds_cap_severity(FW_FEED_LEVEL_HIGH), "Severe");
    assert_string_equal(fw_feeds_cap_severity(FW_FEED_LEVEL_ELEVATED),
                        "Moderate");
    assert_string_equal(fw_feeds_cap_severity(FW_FEED_LEVEL_LOW), "Minor");
    assert_string_equal(fw_feeds_cap_severity(FW_FEED_LEVEL_MINIMAL), "Minor");
    assert_string_equal(fw_feeds_cap_severity(FW_FEED_LEVEL_UNKNOWN),
                        "Unknown");

    const enum fw_feed_level E = FW_FEED_LEVEL_ELEVATED;
    assert_string_equal(fw_feeds_cap_urgency(E, 0.10), "Expected");
    assert_string_equal(fw_feeds_cap_urgency(E, 0.099999), "Future");
    assert_string_equal(fw_feeds_cap_urgency(E, NAN), "Unknown");
    assert_string_equal(fw_feeds_cap_urgency(FW_FEED_LEVEL_OCCUPIED, NAN),
                        "Immediate");

    assert_string_equal(fw_feeds_cap_certainty(E, 0.50), "Likely");
    assert_string_equal(fw_feeds_cap_certainty(E, 0.499999), "Possible");
    assert_string_equal(fw_feeds_cap_certainty(E, 0.10), "Possible");
    assert_string_equal(fw_feeds_cap_certainty(E, 0.099999), "Unlikely");
    assert_string_equal(fw_feeds_cap_certainty(E, NAN), "Unknown");
    assert_string_equal(fw_feeds_cap_certainty(FW_FEED_LEVEL_OCCUPIED, NAN),
                        "Observed");
}

/* ---- the writers, on a hand-made list ---- */

/* A fixture for the writers' edge cases only (a name with XML's special
 * characters, both bases, an update of the same place), not real data. */
static size_t fixture(struct fw_feed_change c[3])
{
    memset(c, 0, 3 * sizeof *c);
    struct fw_place obrien = {.id = 1,
                              .name = "O'Brien & <x>",
                              .name_local = "О'Брайєн & <x>",
                              .oblast_iso = "UA-63",
                              .source = "geonames",
                              .lat_deg = 49.5,
                              .lon_deg = 36.25,
                              .population = 100};
    struct fw_place kharkiv = {.id = 706483,
                               .name = "Kharkiv",
                               .name_local = "Харків",
                               .oblast_iso = "UA-63",
                               .source = "geonames",
                               .lat_deg = 49.98081,
                               .lon_deg = 36.25272,
                               .population = 1430885};
    c[0] = (struct fw_feed_change){.place = obrien,
                                   .t_s = fwt_day_s("2022-09-05"),
                                   .level = FW_FEED_LEVEL_HIGH,
                                   .prev_level = FW_FEED_LEVEL_UNKNOWN,
                                   .is_initial = 1,
                                   .basis = FW_FEED_BASIS_DISTANCE,
                                   .p30 = NAN,
                                   .p90 = NAN,
                                   .distance_km = 12.34,
                                   .status = FW_STATUS_FREE,
                                   .map_s = fwt_day_s("2022-09-03") + 3600,
                                   .source = "deepstate"};
    c[1] = (struct fw_feed_change){.place = kharkiv,
                                   .t_s = fwt_day_s("2022-09-12"),
                                   .level = FW_FEED_LEVEL_ELEVATED,
                                   .prev_level = FW_FEED_LEVEL_LOW,
                                   .basis = FW_FEED_BASIS_MODEL,
                                   .p30 = 0.041,
                                   .p90 = 0.12,
                                   .distance_km = 23.4,
                                   .status = FW_STATUS_FREE,
                                   .map_s = fwt_day_s("2022-09-10"),
                                   .source = "nzz"};
    c[2] = c[0];
    c[2].is_initial = 0;
    c[2].t_s = fwt_day_s("2022-09-19");
    c[2].prev_level = FW_FEED_LEVEL_HIGH;
    c[2].level = FW_FEED_LEVEL_MINIMAL;
    c[2].distance_km = 140.0;
    return 3;
}

static const struct fw_feeds_meta META = {.sender = "frontwatch@localhost",
                                          .base_url = "http://127.0.0.1:8080",
                                          .title = "O'Brien & <x>",
                                          .self_path = "/feeds/atom.xml?place=1",
                                          .generated_s = 1662940800,
                                          .feed_query = "place=1"};

/* What a writer wrote, caller frees. */
static char *cap_text(const struct fw_feed_change *c, size_t n,
                      const struct fw_feeds_meta *meta)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    assert_non_null(f);
    fw_feeds_write_cap(c, n, meta, f);
    assert_int_equal(fclose(f), 0);
    return txt;
}

static char *atom_text(const struct fw_feed_change *c, size_t n,
                       const struct fw_feeds_meta *meta)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    assert_non_null(f);
    fw_feeds_write_atom(c, n, meta, f);
    assert_int_equal(fclose(f), 0);
    return txt;
}

static void test_cap_writer(void **state)
{
    (void)state;
    struct fw_feed_change c[3];
    size_t n = fixture(c);

    char *a0 = cap_text(c, 1, &META);
    assert_non_null(strstr(a0, "<identifier>frontwatch-1-20220905-distance"
                               "</identifier>"));
    assert_non_null(strstr(a0, "<sent>2022-09-05T00:00:00+00:00</sent>"));
    assert_null(strstr(a0, "Z</sent>"));
    assert_non_null(strstr(a0, "<msgType>Alert</msgType>"));
    assert_null(strstr(a0, "<references>"));
    /* escaped in every text, never raw */
    assert_non_null(strstr(a0, "O&apos;Brien &amp; &lt;x&gt;"));
    assert_non_null(strstr(a0, "О&apos;Брайєн &amp; &lt;x&gt;"));
    assert_null(strstr(a0, "<x>"));
    assert_null(strstr(a0, "O'Brien"));
    assert_int_equal(count(a0, "<info>"), 2);
    assert_non_null(strstr(a0, "<language>uk-UA</language>"));
    assert_non_null(strstr(a0, "<language>en-US</language>"));
    assert_non_null(strstr(a0, "<severity>Severe</severity>"));
    assert_non_null(strstr(a0, "<certainty>Unknown</certainty>"));
    assert_non_null(strstr(a0, "<circle>49.50000,36.25000 10.0</circle>"));
    assert_non_null(strstr(a0, "<value>UA-63</value>"));
    assert_non_null(strstr(a0, "<value>12.3</value>"));
    assert_non_null(
        strstr(a0, "<web>http://127.0.0.1:8080/place/1?date=2022-09-05</web>"));
    free(a0);

    char *a1 = cap_text(c, 2, &META);
    assert_non_null(strstr(a1, "<headline>Kharkiv: risk of occupation elevated "
                               "(12 % within 90 days)</headline>"));
    assert_non_null(strstr(a1, "<headline>Харків: ризик окупації підвищений "
                               "(12 % протягом 90 днів)</headline>"));
    assert_non_null(strstr(a1, "4.1 % within 30 days"));
    assert_non_null(strstr(a1, "4,1 % протягом 30 днів"));
    assert_non_null(strstr(a1, "<urgency>Future</urgency>"));
    assert_non_null(strstr(a1, "<certainty>Possible</certainty>"));
    assert_non_null(strstr(a1, "<value>0.1200</value>"));
    /* c[0] is another place: Kharkiv's first alert */
    assert_non_null(strstr(a1, "<msgType>Alert</msgType>"));
    free(a1);

    char *a2 = cap_text(c, n, &META);
    assert_non_null(strstr(a2, "<msgType>Update</msgType>"));
    assert_non_null(
        strstr(a2, "<references>frontwatch@localhost,frontwatch-1-20220905-"
                   "distance,2022-09-05T00:00:00+00:00</references>"));
    assert_non_null(strstr(a2, "(before: high)"));
    free(a2);

    /* nothing for an empty list */
    char *e = cap_text(c, 0, &META);
    assert_true(e == NULL || e[0] == '\0');
    free(e);
}

/* A decimal-comma locale must not change the numbers; skipped silently
 * when no such locale is installed (the C locale already passed above). */
static void test_cap_writer_locale(void **state)
{
    (void)state;
    static const char *const names[] = {"uk_UA.UTF-8", "de_DE.UTF-8",
                                        "fr_FR.UTF-8", "ru_RU.UTF-8"};
    const char *got = NULL;
    for (size_t i = 0; got == NULL && i < sizeof names / sizeof *names; i++) {
        got = setlocale(LC_NUMERIC, names[i]);
    }
    if (got == NULL) {
        printf("SKIP: no decimal-comma locale installed (tried uk_UA, "
               "de_DE, fr_FR, ru_RU)\n");
        skip();
    }
    struct fw_feed_change c[3];
    fixture(c);
    char *a = cap_text(c, 2, &META);
    setlocale(LC_NUMERIC, "C");
    assert_non_null(strstr(a, "<circle>49.98081,36.25272 10.0</circle>"));
    assert_non_null(strstr(a, "<value>0.1200</value>"));
    free(a);
}

static void test_atom_writer(void **state)
{
    (void)state;
    struct fw_feed_change c[3];
    size_t n = fixture(c);
    char *a = atom_text(c, n, &META);
    assert_int_equal(count(a, "<entry>"), 3);
    assert_int_equal(count(a, "</entry>"), 3);
    /* newest first */
    const char *e1 = strstr(a, "frontwatch-1-20220919-distance</id>");
    const char *e2 = strstr(a, "frontwatch-706483-20220912-model</id>");
    const char *e3 = strstr(a, "frontwatch-1-20220905-distance</id>");
    assert_non_null(e1);
    assert_true(e1 < e2 && e2 < e3);
    assert_non_null(strstr(a, "<updated>2022-09-19T00:00:00Z</updated>"));
    assert_non_null(strstr(a,
                           "<link rel=\"self\" type=\"application/atom+xml\" "
                           "href=\"http://127.0.0.1:8080/feeds/atom.xml?"
                           "place=1\"/>"));
    assert_non_null(strstr(a, "type=\"application/cap+xml\" href=\"http://"
                              "127.0.0.1:8080/feeds/cap.xml?place=1&amp;"
                              "alert=frontwatch-706483-20220912-model\""));
    assert_non_null(strstr(a, "<author>"));
    assert_null(strstr(a, "<x>"));
    free(a);

    /* an empty feed is still a feed, updated at its generation time */
    a = atom_text(c, 0, &META);
    assert_int_equal(count(a, "<entry>"), 0);
    assert_non_null(strstr(a, "<updated>2022-09-12T00:00:00Z</updated>"));
    free(a);
}

/* ---- polygons ---- */

static void put_u32(unsigned char **p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        *(*p)++ = (unsigned char)(v >> (8 * i));
    }
}

static void put_f64(unsigned char **p, double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    for (int i = 0; i < 8; i++) {
        *(*p)++ = (unsigned char)(u >> (8 * i));
    }
}

/* A little-endian WKB polygon: a closed ring of n_pts distinct points on
 * a circle around (lat, lon) into buf (9 + 4 + 16 (n_pts + 1) bytes). */
static size_t ring_wkb(unsigned char *buf, size_t n_pts, double lat, double lon)
{
    unsigned char *p = buf;
    *p++ = 1;
    put_u32(&p, 3);
    put_u32(&p, 1);
    put_u32(&p, (uint32_t)n_pts + 1);
    for (size_t i = 0; i <= n_pts; i++) {
        double a =
            2 * 3.14159265358979323846 * (double)(i % n_pts) / (double)n_pts;
        put_f64(&p, lon + cos(a));
        put_f64(&p, lat + sin(a));
    }
    return (size_t)(p - buf);
}

/* The points of the <polygon> in a, checked closed; returns their count. */
static size_t polygon_points(const char *a)
{
    const char *s = strstr(a, "<polygon>");
    assert_non_null(s);
    s += strlen("<polygon>");
    const char *e = strstr(s, "</polygon>");
    assert_non_null(e);
    size_t n = 1;
    for (const char *p = s; p < e; p++) {
        n += *p == ' ';
    }
    const char *last = e;
    while (last > s && last[-1] != ' ') {
        last--;
    }
    size_t first_len = strcspn(s, " ");
    assert_int_equal((size_t)(e - last), first_len);
    assert_memory_equal(s, last, first_len);
    return n;
}

static void test_cap_polygon(void **state)
{
    (void)state;
    struct fw_feed_change c[3];
    fixture(c);
    size_t cap = 13 + 16 * 3001;
    unsigned char *wkb = malloc(cap);
    assert_non_null(wkb);
    struct fw_feeds_meta m = META;

    m.area_wkb = wkb;
    m.area_wkb_len = ring_wkb(wkb, 8, 49.0, 36.0);
    char *a = cap_text(c, 1, &m);
    assert_int_equal(polygon_points(a), 9);
    assert_null(strstr(a, "<circle>"));
    assert_non_null(strstr(a, "<areaDesc>Kharkiv oblast</areaDesc>"));
    assert_non_null(strstr(a, "<polygon>49.0000,37.0000 49.7071,36.7071 "));
    free(a);

    /* a long ring is thinned to at most FW_FEEDS_MAX_POLYGON_POINTS */
    m.area_wkb_len = ring_wkb(wkb, 3000, 49.0, 36.0);
    a = cap_text(c, 1, &m);
    size_t n = polygon_points(a);
    assert_true(n >= 4 && n <= FW_FEEDS_MAX_POLYGON_POINTS);
    free(a);

    /* not a polygon, or cut short: the place's circle instead */
    m.area_wkb_len = 20;
    a = cap_text(c, 1, &m);
    assert_null(strstr(a, "<polygon>"));
    assert_non_null(strstr(a, "<circle>"));
    free(a);
    free(wkb);
}

/* ---- schema checks with xmllint ---- */

static int has_xmllint(void)
{
    return system("xmllint --version >/dev/null 2>&1") == 0;
}

static void xmllint_or_skip(void)
{
    if (!has_xmllint()) {
        printf("SKIP: xmllint not found (Debian package libxml2-utils); the "
               "CAP schema and Atom checks need it\n");
        skip();
    }
}

/* Runs xmllint on text (written to a temporary file) with the CAP schema
 * when schema is set; returns its exit status, after printing what it said
 * when that is not 0. */
static int xmllint(const char *text, int schema)
{
    char path[] = "/tmp/fwfeeds.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    char cmd[8192];
    if (schema) {
        snprintf(cmd, sizeof cmd, "xmllint --noout --schema '%s' '%s' 2>&1",
                 fwt_fixture("cap/CAP-v1.2.xsd"), path);
    } else {
        snprintf(cmd, sizeof cmd, "xmllint --noout '%s' 2>&1", path);
    }
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char said[4096];
    size_t len = fread(said, 1, sizeof said - 1, p);
    said[len] = '\0';
    int rc = pclose(p);
    if (rc != 0) {
        printf("xmllint (exit %d): %s", rc, said);
    }
    unlink(path);
    return rc;
}

static void test_xmllint_fixture(void **state)
{
    (void)state;
    xmllint_or_skip();
    struct fw_feed_change c[3];
    size_t n = fixture(c);
    for (size_t i = 1; i <= n; i++) {
        char *a = cap_text(c, i, &META);
        assert_int_equal(xmllint(a, 1), 0);
        free(a);
    }
    unsigned char wkb[13 + 16 * 9];
    struct fw_feeds_meta m = META;
    m.area_wkb = wkb;
    m.area_wkb_len = ring_wkb(wkb, 8, 49.0, 36.0);
    char *a = cap_text(c, 2, &m);
    assert_int_equal(xmllint(a, 1), 0);
    free(a);

    a = atom_text(c, n, &META);
    assert_int_equal(xmllint(a, 0), 0);
    free(a);

    /* the schema check can fail: "Z" in sent is not CAP 1.2 */
    a = cap_text(c, 1, &META);
    char *z = strstr(a, "+00:00</sent>");
    assert_non_null(z);
    size_t off = strlen("+00:00");
    memmove(z + 1, z + off, strlen(z + off) + 1);
    *z = 'Z';
    assert_non_null(strstr(a, "<sent>2022-09-05T00:00:00Z</sent>\n"));
    assert_int_equal(xmllint(a, 0), 0);
    assert_int_not_equal(xmllint(a, 1), 0);
    free(a);
}

/* ---- the changes on the bundled sample ---- */

static fw_store *sample_store(const char *dir, char *db, size_t db_len)
{
    snprintf(db, db_len, "%s/feeds.db", dir);
    fw_store *st = NULL;
    struct fw_diag d;
    assert_int_equal(fw_store_open(db, FW_STORE_WRITE, &st, &d), FW_OK);
    assert_int_equal(fwt_ingest_dir(st, fwt_sample("gazetteer"), 0, 0), 0);
    assert_int_equal(fwt_ingest_dir(st, fwt_sample("frontline"), 0, 0), 0);
    assert_int_equal(fw_ingest_derive(st, &d), FW_OK);
    return st;
}

static int64_t find_id(fw_store *st, const char *query)
{
    struct fw_place *v = NULL;
    size_t n = 0;
    struct fw_diag d;
    assert_int_equal(fw_place_find(st, query, &v, &n, &d), FW_OK);
    assert_true(n >= 1);
    int64_t id = v[0].id;
    free(v);
    return id;
}

/* The sample's five maps (2025-07-28 .. 2025-08-25): Mondays before the
 * first and more than 14 days after the last have no map and are passed
 * over; the first Monday with a map is the initial state. */
static void test_sample_changes(void **state)
{
    (void)state;
    char dir[] = "/tmp/fwfeeds_s.XXXXXX", db[128];
    assert_non_null(mkdtemp(dir));
    fw_store *st = sample_store(dir, db, sizeof db);
    fw_geo *g = NULL;
    struct fw_diag d;
    assert_int_equal(fw_geo_new(st, &g, &d), FW_OK);
    int64_t ids[3] = {find_id(st, "Kharkiv"), find_id(st, "Lviv"),
                      find_id(st, "Kharkiv")};
    struct fw_feed_change *c = NULL;
    size_t n = 0;
    fw_diag_reset(&d);
    assert_int_equal(fw_feeds_changes(NULL, st, g, ids, 3, fwt_day_s("2025-07-01"),
                                      fwt_day_s("2025-10-01"), &c, &n, &d),
                     FW_OK);
    /* Lviv is far from the front all along: one initial change; Kharkiv
     * (listed twice, counted once) starts on the first map */
    assert_true(n >= 2);
    assert_int_equal(c[0].t_s, fwt_day_s("2025-07-28"));
    assert_true(c[0].place.id < c[1].place.id);
    size_t n_lviv = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(c[i].t_s <= fwt_day_s("2025-08-25") + 14 * DAY);
        assert_int_equal(c[i].basis, FW_FEED_BASIS_DISTANCE);
        assert_true(isnan(c[i].p90));
        assert_true(c[i].level != FW_FEED_LEVEL_UNKNOWN);
        assert_true(c[i].level != c[i].prev_level);
        assert_string_equal(c[i].source, "deepstate_occupied");
        if (i > 0) {
            assert_true(c[i - 1].t_s < c[i].t_s ||
                        (c[i - 1].t_s == c[i].t_s &&
                         c[i - 1].place.id < c[i].place.id));
        }
        if (c[i].place.id == ids[1]) {
            n_lviv++;
            assert_true(c[i].is_initial);
            assert_int_equal(c[i].level, FW_FEED_LEVEL_MINIMAL);
            assert_true(c[i].distance_km > 500.0);
        }
    }
    assert_int_equal(n_lviv, 1);
    free(c);

    /* a window with no map at all gives no change, and no error */
    c = NULL;
    n = 99;
    assert_int_equal(fw_feeds_changes(NULL, st, g, ids, 2, fwt_day_s("2024-01-01"),
                                      fwt_day_s("2024-03-01"), &c, &n, &d),
                     FW_OK);
    assert_int_equal(n, 0);
    assert_null(c);

    /* bad calls */
    assert_int_equal(fw_feeds_changes(NULL, st, g, ids, 2, fwt_day_s("2025-08-01"),
                                      fwt_day_s("2025-07-01"), &c, &n, &d),
                     FW_EUSAGE);
    int64_t bad = -42;
    assert_int_equal(fw_feeds_changes(NULL, st, g, &bad, 1, fwt_day_s("2025-08-01"),
                                      fwt_day_s("2025-08-30"), &c, &n, &d),
                     FW_ENOTFOUND);
    assert_int_equal(fw_feeds_changes(NULL, st, g, ids, 2, fwt_day_s("2000-01-01"),
                                      fwt_day_s("2025-08-30"), &c, &n, &d),
                     FW_ELIMIT);

    /* oblast places: Kharkiv oblast's towns of 10,000 or more */
    int64_t *ob = NULL;
    size_t n_ob = 0;
    assert_int_equal(fw_feeds_oblast_places(st, "UA-63",
                                            FW_FEEDS_OBLAST_MIN_POPULATION, &ob,
                                            &n_ob, &d),
                     FW_OK);
    assert_true(n_ob >= 5);
    int has_kharkiv = 0;
    for (size_t i = 0; i < n_ob; i++) {
        struct fw_place p;
        assert_int_equal(fw_place_get(st, ob[i], &p, &d), FW_OK);
        assert_string_equal(p.oblast_iso, "UA-63");
        assert_true(p.population >= FW_FEEDS_OBLAST_MIN_POPULATION);
        has_kharkiv |= ob[i] == ids[0];
        if (i > 0) {
            assert_true(ob[i - 1] < ob[i]);
        }
    }
    assert_true(has_kharkiv);
    free(ob);
    assert_int_equal(fw_feeds_oblast_places(st, "UA-99", 0, &ob, &n_ob, &d),
                     FW_ENOTFOUND);
    void *wkb = NULL;
    size_t wkb_len = 0;
    assert_int_equal(fw_feeds_oblast_boundary(st, "UA-63", &wkb, &wkb_len, &d),
                     FW_ENOTFOUND);

    fw_geo_free(g);
    fw_store_close(st);
    fwt_remove_db(db);
    rmdir(dir);
}

/* ---- the real data ---- */

static struct fwt_temp g_store;

/* The real store: places, boundaries, and the maps of the second half of
 * 2022 (enough for both windows below and their 14-day staleness). */
static int setup(void **state)
{
    (void)state;
    if (fwt_shared("frontline") == NULL) {
        return 0;
    }
    if (fwt_temp_store(&g_store, "feeds") != 0) {
        return -1;
    }
    fw_store *st = NULL;
    struct fw_diag d;
    if (fw_store_open(g_store.db, FW_STORE_WRITE, &st, &d) != FW_OK) {
        return -1;
    }
    static const char *const all[] = {"gazetteer", "boundaries"};
    static const char *const maps[] = {
        "frontline/deepstate_full_layers_2022-2025",
        "frontline/nzz_liveuamap_occupied_2022-2026"};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof all / sizeof *all; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s", fwt_shared(all[i]));
        rc = fwt_ingest_dir(st, path, 0, 0);
    }
    for (size_t i = 0; rc == 0 && i < sizeof maps / sizeof *maps; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s", fwt_shared(maps[i]));
        rc = fwt_ingest_dir(st, path, 20220630L, 20221231L);
    }
    if (rc == 0 && fw_ingest_derive(st, &d) != FW_OK) {
        rc = -1;
    }
    fw_store_close(st);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    fwt_temp_store_remove(&g_store);
    return 0;
}

static int open_ctx(struct fwt_env *c) { return fwt_open_real(g_store.db, c); }
static void close_ctx(struct fwt_env *c) { fwt_close(c); }

static struct fw_feed_change *changes(struct fwt_env *x, const char *query,
                                      const char *from, const char *to,
                                      size_t *n)
{
    int64_t id = find_id(x->st, query);
    struct fw_feed_change *c = NULL;
    struct fw_diag d;
    fw_diag_reset(&d);
    fw_err err = fw_feeds_changes(NULL, x->st, x->g, &id, 1, fwt_day_s(from),
                                  fwt_day_s(to), &c, n, &d);
    if (err != FW_OK) {
        fail_msg("%s: %s", fw_strerror(err), d.msg);
    }
    assert_true(*n >= 1);
    assert_true(c[0].is_initial);
    return c;
}

/* Every alert of c validates against the CAP schema (when xmllint is
 * there) and each but a place's first is an update. */
static void validate_all(const struct fw_feed_change *c, size_t n,
                         const struct fw_feeds_meta *m)
{
    int lint = has_xmllint();
    for (size_t i = 1; i <= n; i++) {
        char *a = cap_text(c, i, m);
        assert_non_null(strstr(a, c[i - 1].is_initial
                                      ? "<msgType>Alert</msgType>"
                                      : "<msgType>Update</msgType>"));
        if (lint) {
            assert_int_equal(xmllint(a, 1), 0);
        }
        free(a);
    }
    char *a = atom_text(c, n, m);
    assert_int_equal(count(a, "<entry>"), n);
    if (lint) {
        assert_int_equal(xmllint(a, 0), 0);
    }
    free(a);
}

/* Kharkiv's counteroffensive (2022-09-06 .. 09-11) pushed the occupied
 * area from the city's outskirts to the Oskil, over 100 km away. */
static void test_real_kharkiv(void **state)
{
    (void)state;
    struct fwt_env x;
    if (!open_ctx(&x)) {
        return;
    }
    size_t n = 0;
    struct fw_feed_change *c =
        changes(&x, "Kharkiv", "2022-08-01", "2022-10-31", &n);
    assert_int_equal(c[0].t_s, fwt_day_s("2022-08-01"));
    assert_true(c[0].level >= FW_FEED_LEVEL_ELEVATED &&
                c[0].level <= FW_FEED_LEVEL_SEVERE);
    int dropped = 0;
    for (size_t i = 1; i < n; i++) {
        printf("Kharkiv %s -> %s, %.1f km\n",
               fw_feed_level_name(c[i].prev_level),
               fw_feed_level_name(c[i].level), c[i].distance_km);
        if (c[i].t_s >= fwt_day_s("2022-09-12") &&
            c[i].t_s <= fwt_day_s("2022-09-26") && c[i].level < c[i].prev_level &&
            c[i].level <= FW_FEED_LEVEL_LOW) {
            dropped = 1;
        }
    }
    assert_true(dropped);
    assert_true(c[n - 1].level <= FW_FEED_LEVEL_LOW);
    struct fw_feeds_meta m = META;
    m.title = "Kharkiv";
    validate_all(c, n, &m);
    free(c);
    close_ctx(&x);
}

/* Kherson was occupied until its liberation on 2022-11-11 .. 11-13. */
static void test_real_kherson(void **state)
{
    (void)state;
    struct fwt_env x;
    if (!open_ctx(&x)) {
        return;
    }
    size_t n = 0;
    struct fw_feed_change *c =
        changes(&x, "Kherson", "2022-10-01", "2022-12-01", &n);
    assert_int_equal(c[0].level, FW_FEED_LEVEL_OCCUPIED);
    assert_int_equal(c[0].status, FW_STATUS_OCCUPIED);
    assert_true(n >= 2);
    assert_int_equal(c[1].prev_level, FW_FEED_LEVEL_OCCUPIED);
    assert_true(c[1].level != FW_FEED_LEVEL_OCCUPIED);
    assert_true(c[1].t_s >= fwt_day_s("2022-11-14"));
    assert_true(c[1].t_s <= fwt_day_s("2022-11-28"));
    for (size_t i = 2; i < n; i++) {
        assert_true(c[i].level != FW_FEED_LEVEL_OCCUPIED);
    }
    char *a = cap_text(c, 2, &META);
    assert_non_null(strstr(a, "no longer occupied"));
    free(a);
    validate_all(c, n, &META);
    free(c);
    close_ctx(&x);
}

/* The oblast feed of Kherson oblast over the liberation: its towns, in
 * order, and the oblast's boundary as every alert's polygon. */
static void test_real_oblast(void **state)
{
    (void)state;
    struct fwt_env x;
    if (!open_ctx(&x)) {
        return;
    }
    struct fw_diag d;
    fw_diag_reset(&d);
    int64_t *ids = NULL;
    size_t n_ids = 0;
    assert_int_equal(fw_feeds_oblast_places(x.st, "UA-65",
                                            FW_FEEDS_OBLAST_MIN_POPULATION,
                                            &ids, &n_ids, &d),
                     FW_OK);
    assert_true(n_ids >= 5);
    struct fw_feed_change *c = NULL;
    size_t n = 0;
    assert_int_equal(fw_feeds_changes(NULL, x.st, x.g, ids, n_ids,
                                      fwt_day_s("2022-10-01"), fwt_day_s("2022-12-01"),
                                      &c, &n, &d),
                     FW_OK);
    assert_true(n >= n_ids);
    for (size_t i = 1; i < n; i++) {
        assert_true(
            c[i - 1].t_s < c[i].t_s ||
            (c[i - 1].t_s == c[i].t_s && c[i - 1].place.id < c[i].place.id));
    }
    void *wkb = NULL;
    size_t wkb_len = 0;
    assert_int_equal(
        fw_feeds_oblast_boundary(x.st, "UA-65", &wkb, &wkb_len, &d), FW_OK);
    struct fw_feeds_meta m = META;
    m.title = "Kherson oblast";
    m.area_wkb = wkb;
    m.area_wkb_len = wkb_len;
    char *a = cap_text(c, n, &m);
    size_t np = polygon_points(a);
    assert_true(np >= 4 && np <= FW_FEEDS_MAX_POLYGON_POINTS);
    if (has_xmllint()) {
        assert_int_equal(xmllint(a, 1), 0);
    }
    free(a);
    free(wkb);
    free(c);
    free(ids);
    close_ctx(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_of_p),
        cmocka_unit_test(test_level_of_distance),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_cap_mapping),
        cmocka_unit_test(test_cap_writer),
        cmocka_unit_test(test_cap_writer_locale),
        cmocka_unit_test(test_atom_writer),
        cmocka_unit_test(test_cap_polygon),
        cmocka_unit_test(test_xmllint_fixture),
        cmocka_unit_test(test_sample_changes),
        cmocka_unit_test(test_real_kharkiv),
        cmocka_unit_test(test_real_kherson),
        cmocka_unit_test(test_real_oblast),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
