/*
 * test_svg.c - the charts are well-formed XML, escape caller text, and
 * draw what they are given: one marker per non-empty bin or scored
 * period, one subpath per run of values between NaN gaps.
 *
 * Well-formedness is checked by a small XML checker of this file's own
 * (tags balanced and properly named, attributes quoted, '<' never in
 * text or attribute values, '&' only in entities, one root element, UTF-8
 * without control characters), which is itself tested on broken
 * documents. When xmllint (libxml2-utils) is installed the documents go
 * through it as well; without it that extra check is skipped, not failed.
 */
#include "fwtest.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontwatch/metrics.h"
#include "frontwatch/svg.h"
#include "frontwatch/text.h"

/* ---- a minimal XML well-formedness checker ---- */

static int is_name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           c == ':';
}

static int is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Length of the entity or character reference at s ("&amp;"), 0 if s
 * does not start one. */
static size_t entity_len(const char *s)
{
    static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;",
                                        "&apos;"};
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
        if (strncmp(s, named[i], strlen(named[i])) == 0) {
            return strlen(named[i]);
        }
    }
    if (s[0] == '&' && s[1] == '#') {
        size_t i = 2;
        int hex = s[2] == 'x';
        i += (size_t)hex;
        size_t start = i;
        while ((s[i] >= '0' && s[i] <= '9') ||
               (hex && ((s[i] >= 'a' && s[i] <= 'f') ||
                        (s[i] >= 'A' && s[i] <= 'F')))) {
            i++;
        }
        if (i > start && s[i] == ';') {
            return i + 1;
        }
    }
    return 0;
}

/* Character data up to the next '<' (or end, or the quote q when q is not
 * 0); returns the position after it, or NULL when a raw '&' or '<' (in a
 * value) is found. */
static const char *char_data(const char *s, char q)
{
    while (*s != '\0' && *s != (q ? q : '<')) {
        if (*s == '&') {
            size_t n = entity_len(s);
            if (n == 0) {
                return NULL;
            }
            s += n;
        } else if (q && *s == '<') {
            return NULL;
        } else {
            s++;
        }
    }
    return s;
}

/* NULL when doc is well-formed, else what is wrong. */
static const char *xml_check(const char *doc)
{
    static char why[160];
    long line, col;
    if (!fw_text_utf8_valid(doc, strlen(doc), &line, &col)) {
        return "invalid UTF-8";
    }
    for (const char *c = doc; *c; c++) {
        if ((unsigned char)*c < 0x20 && !is_space(*c)) {
            return "control character";
        }
    }
    const char *s = doc;
    if (strncmp(s, "<?xml ", 6) == 0) {
        s = strstr(s, "?>");
        if (s == NULL) {
            return "unterminated XML declaration";
        }
        s += 2;
    }
    char stack[64][40];
    int depth = 0, n_roots = 0;
    while (*s != '\0') {
        if (*s != '<') {
            const char *start = s;
            s = char_data(s, 0);
            if (s == NULL) {
                return "raw '&' in text";
            }
            if (depth == 0) {
                for (const char *c = start; c < s; c++) {
                    if (!is_space(*c)) {
                        return "text outside the root element";
                    }
                }
            }
            continue;
        }
        if (s[1] == '/') {
            s += 2;
            size_t n = 0;
            while (is_name_char(s[n])) {
                n++;
            }
            if (depth == 0 || n != strlen(stack[depth - 1]) ||
                strncmp(s, stack[depth - 1], n) != 0) {
                snprintf(why, sizeof why, "unbalanced </%.*s>", (int)n, s);
                return why;
            }
            s += n;
            while (is_space(*s)) {
                s++;
            }
            if (*s != '>') {
                return "bad end tag";
            }
            s++;
            depth--;
            continue;
        }
        s++;
        if (!is_name_start(*s)) {
            return "'<' not starting a tag";
        }
        size_t n = 0;
        while (is_name_char(s[n])) {
            n++;
        }
        if (n >= sizeof stack[0] || depth == 64) {
            return "name too long or nesting too deep for the checker";
        }
        if (depth == 0 && n_roots++ > 0) {
            return "second root element";
        }
        memcpy(stack[depth], s, n);
        stack[depth][n] = '\0';
        s += n;
        for (;;) {
            int had_space = is_space(*s);
            while (is_space(*s)) {
                s++;
            }
            if (*s == '>' || (s[0] == '/' && s[1] == '>')) {
                break;
            }
            if (!had_space || !is_name_start(*s)) {
                return "bad attribute";
            }
            while (is_name_char(*s)) {
                s++;
            }
            if (*s++ != '=' || (*s != '"' && *s != '\'')) {
                return "attribute without a quoted value";
            }
            char q = *s++;
            s = char_data(s, q);
            if (s == NULL) {
                return "raw '&' or '<' in an attribute value";
            }
            if (*s++ != q) {
                return "unterminated attribute value";
            }
        }
        if (*s == '>') {
            depth++;
            s++;
        } else {
            s += 2; /* "/>": nothing to close */
        }
    }
    if (depth != 0) {
        snprintf(why, sizeof why, "<%s> not closed", stack[depth - 1]);
        return why;
    }
    return n_roots == 1 ? NULL : "no root element";
}

static void well_formed(const char *doc)
{
    const char *why = xml_check(doc);
    if (why != NULL) {
        print_error("not well-formed: %s\n", why);
    }
    assert_null(why);
}

/* Runs xmllint --noout on doc when xmllint is installed. */
static void xmllint_if_present(const char *doc)
{
    if (system("command -v xmllint >/dev/null 2>&1") != 0) {
        printf("note: xmllint not installed; own checker only\n");
        return;
    }
    char path[] = "/tmp/fw_test_svg_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(doc);
    assert_int_equal(write(fd, doc, len), (ssize_t)len);
    close(fd);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
    int rc = system(cmd);
    unlink(path);
    assert_int_equal(rc, 0);
}

static size_t count(const char *doc, const char *needle)
{
    size_t n = 0;
    for (const char *s = strstr(doc, needle); s != NULL;
         s = strstr(s + 1, needle)) {
        n++;
    }
    return n;
}

static void test_checker_catches_errors(void **state)
{
    (void)state;
    assert_null(xml_check("<?xml version=\"1.0\"?>\n<a x=\"1 &amp; 2\">"
                          "<b/>t &lt; &#38; &#x26;<c y='q'></c></a>\n"));
    assert_non_null(xml_check("<a><b></a></b>"));
    assert_non_null(xml_check("<a><b></b>"));
    assert_non_null(xml_check("<a>A&B</a>"));
    assert_non_null(xml_check("<a>x < y</a>"));
    assert_non_null(xml_check("<a t=\"<x>\"/>"));
    assert_non_null(xml_check("<a t=\"&\"/>"));
    assert_non_null(xml_check("<a t=x/>"));
    assert_non_null(xml_check("<a/><b/>"));
    assert_non_null(xml_check("<a>\x01</a>"));
    assert_non_null(xml_check("<a>\xC3(</a>"));
}

/* ---- reliability diagram ---- */

/* Forecasts 0.05 to 0.95, outcomes every third: bins 0..9 all used. */
static void full_table(struct fw_reliability *rel)
{
    double p[40];
    unsigned char y[40];
    for (int i = 0; i < 40; i++) {
        p[i] = 0.025 + 0.025 * i;
        y[i] = i % 3 == 0;
    }
    assert_int_equal(fw_metrics_reliability(p, y, 40, rel), FW_OK);
    assert_int_equal(rel->n_nonempty, 10);
}

static void test_reliability(void **state)
{
    (void)state;
    struct fw_reliability full, sparse;
    full_table(&full);
    /* Three bins: 0.15 (x2), 0.55, 0.95 (x3). */
    const double p[] = {0.15, 0.15, 0.55, 0.95, 0.95, 0.95};
    const unsigned char y[] = {0, 1, 0, 1, 1, 1};
    assert_int_equal(fw_metrics_reliability(p, y, 6, &sparse), FW_OK);
    assert_int_equal(sparse.n_nonempty, 3);
    const struct fw_svg_rel_model models[] = {{"A&B <x>", &full},
                                              {"base \"rate\" 'q'", &sparse}};
    char *svg = NULL;
    size_t len = 0;
    assert_int_equal(
        fw_svg_reliability(models, 2, "Test & <title>", 0.0, &svg, &len),
        FW_OK);
    assert_non_null(svg);
    assert_int_equal(strlen(svg), len);
    well_formed(svg);
    xmllint_if_present(svg);
    /* One marker per non-empty bin, one band per marker. */
    assert_int_equal(count(svg, "class=\"marker\""), 10 + 3);
    assert_int_equal(count(svg, "class=\"band\""), 10 + 3);
    assert_int_equal(count(svg, "class=\"diagonal\""), 1);
    /* Escaped everywhere it appears: legend and one tooltip per marker. */
    assert_int_equal(count(svg, "A&amp;B &lt;x&gt;"), 1 + 10);
    assert_int_equal(count(svg, "base &quot;rate&quot; &apos;q&apos;"), 1 + 3);
    assert_null(strstr(svg, "A&B"));
    assert_non_null(strstr(svg, "<title>Test &amp; &lt;title&gt;</title>"));
    assert_non_null(strstr(svg, "font-family=\"sans-serif\""));
    assert_null(strstr(svg, "<script"));
    /* Forecasts reach 0.95: the axis is 0 to 1, ticks every 0.2. */
    assert_null(strstr(svg, "(zoomed)"));
    assert_non_null(strstr(svg, ">0.8</text>"));
    assert_non_null(strstr(svg, ">1.0</text>"));
    /* A filled and a hollow marker: bin 0.95 of sparse (3 of 3, consistent)
     * is filled with the second colour. */
    assert_non_null(strstr(svg, "fill=\"#D55E00\">"));
    assert_non_null(strstr(svg, "fill=\"#ffffff\">"));
    free(svg);
}

static void test_reliability_zoom(void **state)
{
    (void)state;
    /* 1000 forecasts of 0.004 with 5 events: bin 0 only. Binomial(1000,
     * 0.004): q95 = 8 (mean 4; scipy.stats.binom.ppf(0.95, 1000, 0.004) =
     * 8), so the largest value drawn is 0.008: axis 0 to 0.01, ticks
     * every 0.002. */
    static double p[1000];
    static unsigned char y[1000];
    for (int i = 0; i < 1000; i++) {
        p[i] = 0.004;
        y[i] = i % 200 == 0;
    }
    struct fw_reliability rel;
    assert_int_equal(fw_metrics_reliability(p, y, 1000, &rel), FW_OK);
    assert_true(fabs(rel.bins[0].q95 - 0.008) < 1e-12);
    const struct fw_svg_rel_model model = {"rare", &rel};
    char *svg;
    size_t len;
    assert_int_equal(fw_svg_reliability(&model, 1, NULL, 0.0, &svg, &len),
                     FW_OK);
    well_formed(svg);
    assert_non_null(strstr(svg, "(zoomed)"));
    assert_non_null(strstr(svg, ">0.010</text>"));
    assert_non_null(strstr(svg, ">0.002</text>"));
    assert_null(strstr(svg, ">0.012</text>"));
    assert_non_null(strstr(svg, "<title>Reliability</title>"));
    assert_int_equal(count(svg, "class=\"marker\""), 1);
    free(svg);
    /* The same fixed to the full axis. */
    assert_int_equal(fw_svg_reliability(&model, 1, NULL, 1.0, &svg, &len),
                     FW_OK);
    assert_null(strstr(svg, "(zoomed)"));
    assert_non_null(strstr(svg, ">1.0</text>"));
    free(svg);
    /* Fixed below the band's top (0.008): the bar stops at the edge, the
     * plot square's top at y = 60; its x is 80 + 0.004 / 0.005 * 420. */
    assert_int_equal(fw_svg_reliability(&model, 1, NULL, 0.005, &svg, &len),
                     FW_OK);
    well_formed(svg);
    assert_non_null(strstr(svg, ">0.005</text>"));
    assert_null(strstr(svg, ">0.006</text>"));
    assert_non_null(strstr(svg, "class=\"band\" x1=\"416.0\" y1=\""));
    assert_non_null(strstr(svg, "y2=\"60.0\" stroke-width=\"3\""));
    assert_int_equal(count(svg, "class=\"marker\""), 1);
    free(svg);
}

static void test_reliability_errors(void **state)
{
    (void)state;
    struct fw_reliability rel;
    full_table(&rel);
    struct fw_svg_rel_model models[FW_SVG_MAX_MODELS + 1];
    for (size_t i = 0; i <= FW_SVG_MAX_MODELS; i++) {
        models[i].name = "m";
        models[i].rel = &rel;
    }
    char *svg = (char *)"untouched";
    size_t len = 7;
    assert_int_equal(fw_svg_reliability(NULL, 1, NULL, 0.0, &svg, &len),
                     FW_EUSAGE);
    assert_int_equal(fw_svg_reliability(models, 0, NULL, 0.0, &svg, &len),
                     FW_EUSAGE);
    assert_int_equal(fw_svg_reliability(models, 1, NULL, 1.5, &svg, &len),
                     FW_EUSAGE);
    assert_int_equal(fw_svg_reliability(models, 1, NULL, NAN, &svg, &len),
                     FW_EUSAGE);
    assert_int_equal(fw_svg_reliability(models, 1, NULL, 1e-4, &svg, &len),
                     FW_EUSAGE);
    assert_int_equal(
        fw_svg_reliability(models, 1, "bad \xC3(", 0.0, &svg, &len), FW_EUSAGE);
    assert_int_equal(fw_svg_reliability(models, FW_SVG_MAX_MODELS + 1, NULL,
                                        0.0, &svg, &len),
                     FW_ELIMIT);
    models[0].name = "\xFF";
    assert_int_equal(fw_svg_reliability(models, 1, NULL, 0.0, &svg, &len),
                     FW_EUSAGE);
    models[0].name = "m";
    rel.bins[3].obs_rate = NAN;
    assert_int_equal(fw_svg_reliability(models, 1, NULL, 0.0, &svg, &len),
                     FW_EUSAGE);
    assert_string_equal(svg, "untouched");
    assert_int_equal(len, 7);
    /* Every model the cap allows, with long names: fine, cut in the
     * legend with an ellipsis. */
    full_table(&rel);
    const char *long_name = "a model name longer than 32 bytes, which the "
                            "legend cuts";
    for (size_t i = 0; i < FW_SVG_MAX_MODELS; i++) {
        models[i].name = long_name;
    }
    assert_int_equal(
        fw_svg_reliability(models, FW_SVG_MAX_MODELS, NULL, 0.0, &svg, &len),
        FW_OK);
    well_formed(svg);
    assert_int_equal(count(svg, "class=\"marker\""), FW_SVG_MAX_MODELS * 10);
    assert_int_equal(count(svg, ">a model name longer than 32 byte"
                                "\xE2\x80\xA6</text>"),
                     FW_SVG_MAX_MODELS);
    free(svg);
}

/* ---- skill by period ---- */

/* The d attribute of the n-th <path class="line"> (0-based), copied into
 * buf; NULL when there is none. */
static const char *line_path(const char *doc, int nth, char *buf,
                             size_t buf_len)
{
    const char *s = doc;
    for (int i = 0; i <= nth; i++) {
        s = strstr(s, "<path class=\"line\"");
        if (s == NULL) {
            return NULL;
        }
        s++;
    }
    s = strstr(s, " d=\"");
    assert_non_null(s);
    s += 4;
    size_t n = strcspn(s, "\"");
    assert_true(n < buf_len);
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

static void test_skill(void **state)
{
    (void)state;
    const char *periods[] = {"2023Q1", "2023Q2", "2023Q3",
                             "2023Q4", "2024Q1", "2024Q2"};
    /* Runs of model 1: {0, 1} and {3, 4, 5}: two subpaths, 5 markers.
     * Model 2 has no two neighbours: no line, 3 markers, one of them
     * (-3) below the default floor -1, drawn as a triangle. */
    const double m1[] = {0.1, 0.2, NAN, 0.3, 0.4, 0.35};
    const double m2[] = {NAN, -0.2, NAN, 0.05, NAN, -3.0};
    const struct fw_svg_skill_series series[] = {{"A&B <x>", m1},
                                                 {"climatology+", m2}};
    char *svg;
    size_t len;
    assert_int_equal(
        fw_svg_skill_by_period(periods, 6, series, 2, NULL, 0.0, &svg, &len),
        FW_OK);
    assert_int_equal(strlen(svg), len);
    well_formed(svg);
    xmllint_if_present(svg);
    assert_int_equal(count(svg, "class=\"marker\""), 5 + 3);
    assert_int_equal(count(svg, "<path class=\"marker\""), 1);
    assert_int_equal(count(svg, "(below the axis)"), 1);
    assert_int_equal(count(svg, "class=\"line\""), 1);
    char d[512];
    assert_non_null(line_path(svg, 0, d, sizeof d));
    assert_int_equal(count(d, "M"), 2);
    assert_int_equal(count(d, "L"), 1 + 2);
    assert_int_equal(count(svg, "class=\"zero\""), 1);
    assert_non_null(strstr(svg, ">2023Q1</text>"));
    assert_non_null(strstr(svg, ">2024Q2</text>"));
    assert_null(strstr(svg, "rotate(-45"));
    assert_int_equal(count(svg, "A&amp;B &lt;x&gt;"), 1 + 5);
    assert_non_null(strstr(svg, "<title>Brier skill score by period</title>"));
    /* Axis: values -1 (the floor) to 0.4; range 1.4 / 5 = 0.28, rounded
     * up to a 1-2-5 step: ticks every 0.5, from -1.0 to 0.5. */
    assert_non_null(strstr(svg, ">-1.0</text>"));
    assert_non_null(strstr(svg, ">0.5</text>"));
    assert_non_null(strstr(svg, ">0.0</text>"));
    assert_null(strstr(svg, ">-1.5</text>"));
    free(svg);

    /* A gentler floor keeps -3 on the axis: no triangle. */
    assert_int_equal(
        fw_svg_skill_by_period(periods, 6, series, 2, "t", -5.0, &svg, &len),
        FW_OK);
    well_formed(svg);
    assert_int_equal(count(svg, "<path class=\"marker\""), 0);
    assert_int_equal(count(svg, "<circle class=\"marker\""), 8);
    free(svg);
}

static void test_skill_many_periods(void **state)
{
    (void)state;
    /* 100 quarters: labels turned, every ceil(100 / 24) = 5th written
     * (20 labels); one gap at 50 splits the line in two. */
    static char labels[100][8];
    const char *periods[100];
    double v[100];
    for (int i = 0; i < 100; i++) {
        snprintf(labels[i], sizeof labels[i], "%dQ%d", 2000 + i / 4, i % 4 + 1);
        periods[i] = labels[i];
        v[i] = i == 50 ? NAN : 0.3 * sin(i / 7.0);
    }
    const struct fw_svg_skill_series s = {"sine", v};
    char *svg;
    size_t len;
    assert_int_equal(
        fw_svg_skill_by_period(periods, 100, &s, 1, NULL, 0.0, &svg, &len),
        FW_OK);
    well_formed(svg);
    assert_int_equal(count(svg, "rotate(-45"), 20);
    assert_non_null(strstr(svg, ">2000Q1</text>"));
    assert_non_null(strstr(svg, ">2001Q2</text>")); /* index 5 */
    assert_null(strstr(svg, ">2000Q2</text>"));
    assert_int_equal(count(svg, "class=\"marker\""), 99);
    char d[8192];
    assert_non_null(line_path(svg, 0, d, sizeof d));
    assert_int_equal(count(d, "M"), 2);
    assert_int_equal(count(d, "L"), 97);
    free(svg);
}

static void test_skill_errors(void **state)
{
    (void)state;
    const char *periods[] = {"a", "b"};
    const double v[] = {0.1, 0.2};
    const double inf[] = {0.1, -INFINITY};
    struct fw_svg_skill_series s[FW_SVG_MAX_MODELS + 1];
    for (size_t i = 0; i <= FW_SVG_MAX_MODELS; i++) {
        s[i].name = "m";
        s[i].bss = v;
    }
    char *svg = (char *)"untouched";
    size_t len = 7;
    assert_int_equal(
        fw_svg_skill_by_period(NULL, 2, s, 1, NULL, 0.0, &svg, &len),
        FW_EUSAGE);
    assert_int_equal(
        fw_svg_skill_by_period(periods, 0, s, 1, NULL, 0.0, &svg, &len),
        FW_EUSAGE);
    assert_int_equal(
        fw_svg_skill_by_period(periods, 2, s, 0, NULL, 0.0, &svg, &len),
        FW_EUSAGE);
    assert_int_equal(
        fw_svg_skill_by_period(periods, 2, s, 1, NULL, 0.5, &svg, &len),
        FW_EUSAGE);
    assert_int_equal(fw_svg_skill_by_period(periods, 2, s,
                                            FW_SVG_MAX_MODELS + 1, NULL, 0.0,
                                            &svg, &len),
                     FW_ELIMIT);
    assert_int_equal(fw_svg_skill_by_period(periods, FW_SVG_MAX_PERIODS + 1, s,
                                            1, NULL, 0.0, &svg, &len),
                     FW_ELIMIT);
    s[0].bss = inf;
    assert_int_equal(
        fw_svg_skill_by_period(periods, 2, s, 1, NULL, 0.0, &svg, &len),
        FW_EUSAGE);
    s[0].bss = NULL;
    assert_int_equal(
        fw_svg_skill_by_period(periods, 2, s, 1, NULL, 0.0, &svg, &len),
        FW_EUSAGE);
    s[0].bss = v;
    const char *bad_periods[] = {"a", "\xE2\x82"};
    assert_int_equal(
        fw_svg_skill_by_period(bad_periods, 2, s, 1, NULL, 0.0, &svg, &len),
        FW_EUSAGE);
    assert_string_equal(svg, "untouched");
    assert_int_equal(len, 7);
}

/* The largest chart the caps allow, with ordinary names, is well under
 * FW_SVG_MAX_BYTES; names of 4 KiB repeated in every tooltip are not, and
 * fail whole with FW_ELIMIT. */
static void test_size_cap(void **state)
{
    (void)state;
    static char labels[FW_SVG_MAX_PERIODS][8];
    static const char *periods[FW_SVG_MAX_PERIODS];
    static double v[FW_SVG_MAX_PERIODS];
    for (int i = 0; i < FW_SVG_MAX_PERIODS; i++) {
        snprintf(labels[i], sizeof labels[i], "%dQ%d", 1950 + i / 4, i % 4 + 1);
        periods[i] = labels[i];
        v[i] = i % 10 == 9 ? NAN : -1.5 + 2.0 * i / FW_SVG_MAX_PERIODS;
    }
    struct fw_svg_skill_series s[FW_SVG_MAX_MODELS];
    for (int m = 0; m < FW_SVG_MAX_MODELS; m++) {
        s[m].name = "a model with a 32-byte name ....";
        s[m].bss = v;
    }
    char *svg = NULL;
    size_t len = 0;
    assert_int_equal(fw_svg_skill_by_period(periods, FW_SVG_MAX_PERIODS, s,
                                            FW_SVG_MAX_MODELS, NULL, 0.0, &svg,
                                            &len),
                     FW_OK);
    well_formed(svg);
    printf("largest skill chart with 32-byte names: %zu bytes\n", len);
    assert_true(len < FW_SVG_MAX_BYTES / 2);
    free(svg);

    char *big = malloc(4097);
    assert_non_null(big);
    memset(big, 'x', 4096);
    big[4096] = '\0';
    for (int m = 0; m < FW_SVG_MAX_MODELS; m++) {
        s[m].name = big;
    }
    svg = (char *)"untouched";
    assert_int_equal(fw_svg_skill_by_period(periods, FW_SVG_MAX_PERIODS, s,
                                            FW_SVG_MAX_MODELS, NULL, 0.0, &svg,
                                            &len),
                     FW_ELIMIT);
    assert_string_equal(svg, "untouched");
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checker_catches_errors),
        cmocka_unit_test(test_reliability),
        cmocka_unit_test(test_reliability_zoom),
        cmocka_unit_test(test_reliability_errors),
        cmocka_unit_test(test_skill),
        cmocka_unit_test(test_skill_many_periods),
        cmocka_unit_test(test_skill_errors),
        cmocka_unit_test(test_size_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
