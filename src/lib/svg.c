/*
 * svg.c - the back-test charts as SVG text (see svg.h).
 *
 * The last step before output: metrics.c has reduced the forecasts to a
 * reliability table per model and a skill score per period; this file lays
 * them out. Everything is written into one growable buffer with a hard cap
 * (FW_SVG_MAX_BYTES) whose first error sticks, so the drawing code appends
 * without checking each call and the public function checks once at the
 * end. Coordinates are in px with 0.1 px precision; y grows downwards, so
 * every value is mapped through a ymap()/xmap() helper and never placed by
 * hand.
 */
#include "frontwatch/svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontwatch/text.h"
#include "text_int.h"

/* Okabe & Ito (2008), "Color Universal Design", with grey for their
 * yellow, which is unreadable on white. */
static const char *const PALETTE[FW_SVG_MAX_MODELS] = {
    "#0072B2", "#D55E00", "#009E73", "#CC79A7",
    "#E69F00", "#56B4E9", "#000000", "#777777"};
/* Skill chart lines: a dash pattern per model, for greyscale prints. */
static const char *const DASHES[FW_SVG_MAX_MODELS] = {
    "none", "7 3", "2 3", "9 3 2 3", "4 4", "1 2", "12 4", "6 2 2 2"};

/* ---- the buffer ---- */

struct sbuf {
    char *data;
    size_t len, cap;
    fw_err err; /* first failure; later appends do nothing */
};

/* Room for need more bytes plus a NUL. */
static int sb_reserve(struct sbuf *b, size_t need)
{
    if (b->err != FW_OK) {
        return 0;
    }
    if (need >= FW_SVG_MAX_BYTES - b->len) {
        b->err = FW_ELIMIT;
        return 0;
    }
    if (b->len + need + 1 <= b->cap) {
        return 1;
    }
    size_t cap = b->cap ? b->cap : 16384;
    while (cap < b->len + need + 1) {
        cap *= 2; /* cannot overflow: below 2 * FW_SVG_MAX_BYTES */
    }
    char *data = realloc(b->data, cap);
    if (data == NULL) {
        b->err = FW_ENOMEM;
        return 0;
    }
    b->data = data;
    b->cap = cap;
    return 1;
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && sb_reserve(b, (size_t)n)) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    } else if (n < 0 && b->err == FW_OK) {
        b->err = FW_EUSAGE; /* an encoding error: not reached with %s/%d */
    }
    va_end(ap2);
}

/* s[0..len) as XML character data, valid in text and attribute values. */
static void sb_text(struct sbuf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        switch (c) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&apos;";
            break;
        default:
            if (c < 0x20) {
                rep = "?";
            }
            break;
        }
        if (rep != NULL) {
            sb_printf(b, "%s", rep);
        } else if (sb_reserve(b, 1)) {
            b->data[b->len++] = (char)c;
        }
    }
}

static void sb_str(struct sbuf *b, const char *s)
{
    sb_text(b, s, strlen(s));
}

/* A legend name: cut to FW_SVG_LEGEND_NAME_MAX bytes plus an ellipsis. */
static void sb_legend_name(struct sbuf *b, const char *s)
{
    size_t len = fw_text_clip_len(s, FW_SVG_LEGEND_NAME_MAX);
    sb_text(b, s, len);
    if (s[len] != '\0') {
        sb_printf(b, "\xE2\x80\xA6");
    }
}

/* Hands the buffer to the caller, or frees it on error. */
static fw_err sb_finish(struct sbuf *b, char **out, size_t *out_len)
{
    if (b->err != FW_OK) {
        free(b->data);
        return b->err;
    }
    *out = b->data;
    *out_len = b->len;
    return FW_OK;
}

/* ---- shared drawing ---- */

static int utf8_ok(const char *s)
{
    long line, col;
    return s != NULL && fw_text_utf8_valid(s, strlen(s), &line, &col);
}

static void svg_open(struct sbuf *b, int width, int height, const char *title,
                     const char *desc)
{
    sb_printf(b,
              "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
              "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
              "font-family=\"sans-serif\" font-size=\"12\">\n<title>",
              width, height, width, height);
    sb_str(b, title);
    sb_printf(b, "</title>\n<desc>%s</desc>\n", desc);
    sb_printf(b, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width,
              height);
    sb_printf(b,
              "<text x=\"%d\" y=\"28\" text-anchor=\"middle\" "
              "font-size=\"16\" font-weight=\"bold\">",
              width / 2);
    sb_str(b, title);
    sb_printf(b, "</text>\n");
}

/* A round tick step for a range of about range / 5: 1, 2 or 5 times a
 * power of ten. */
static double nice_step(double range)
{
    double raw = range / 5.0;
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    /* The slack absorbs rounding in raw / mag (0.2 / 0.1 must be 2). */
    double d = f <= 1.0 + 1e-9   ? 1.0
               : f <= 2.0 + 1e-9 ? 2.0
               : f <= 5.0 + 1e-9 ? 5.0
                                 : 10.0;
    return d * mag;
}

/* Decimals that show a multiple of step exactly (step = d * 10^e). */
static int step_decimals(double step)
{
    int e = (int)floor(log10(step) + 1e-9);
    return e < 0 ? -e : 0;
}

/* ---- reliability diagram ---- */

/* Plot square: left, top, side (px). */
#define R_W 800
#define R_H 540
#define R_X0 80.0
#define R_Y0 60.0
#define R_S 420.0

struct raxis {
    double max;
};

static double rx(const struct raxis *a, double v)
{
    double f = v / a->max;
    f = f < 0.0 ? 0.0 : f > 1.0 ? 1.0 : f;
    return R_X0 + f * R_S;
}

static double ry(const struct raxis *a, double v)
{
    double f = v / a->max;
    f = f < 0.0 ? 0.0 : f > 1.0 ? 1.0 : f;
    return R_Y0 + R_S - f * R_S;
}

static int in_unit(double v)
{
    return v >= 0.0 && v <= 1.0; /* false for NaN */
}

/* The smallest of 0.001, 0.002, 0.005, ..., 0.5, 1 holding every value
 * drawn. */
static double auto_axis(const struct fw_svg_rel_model *models, size_t n)
{
    double hi = 0.0;
    for (size_t m = 0; m < n; m++) {
        for (int k = 0; k < FW_METRICS_N_BINS; k++) {
            const struct fw_reliability_bin *bin = &models[m].rel->bins[k];
            if (bin->n == 0) {
                continue;
            }
            hi = fmax(hi, fmax(bin->mean_pred,
                               fmax(bin->obs_rate, bin->q95_eff)));
        }
    }
    static const double steps[] = {0.001, 0.002, 0.005, 0.01, 0.02,
                                   0.05,  0.1,   0.2,   0.5,  1.0};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (hi <= steps[i]) {
            return steps[i];
        }
    }
    return 1.0;
}

/* Ticks every nice_step(max), from 0 to max or the last step below it (a
 * caller's axis_max need not be round). */
static void reliability_axes(struct sbuf *b, const struct raxis *a,
                             int is_zoomed)
{
    double step = nice_step(a->max);
    int n_steps = (int)floor(a->max / step + 1e-9);
    int dec = step_decimals(step);
    sb_printf(b, "<g stroke=\"#dddddd\" stroke-width=\"1\">\n");
    for (int i = 1; i <= n_steps; i++) {
        double v = step * i;
        sb_printf(b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                  rx(a, v), R_Y0, rx(a, v), R_Y0 + R_S, R_X0, ry(a, v),
                  R_X0 + R_S, ry(a, v));
    }
    sb_printf(b, "</g>\n");
    sb_printf(b,
              "<g stroke=\"#000000\" stroke-width=\"1\">\n"
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
              R_X0, R_Y0 + R_S, R_X0 + R_S, R_Y0 + R_S, R_X0, R_Y0, R_X0,
              R_Y0 + R_S);
    for (int i = 0; i <= n_steps; i++) {
        double v = step * i;
        sb_printf(b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                  rx(a, v), R_Y0 + R_S, rx(a, v), R_Y0 + R_S + 5, R_X0 - 5,
                  ry(a, v), R_X0, ry(a, v));
    }
    sb_printf(b, "</g>\n<g fill=\"#000000\">\n");
    for (int i = 0; i <= n_steps; i++) {
        double v = step * i;
        sb_printf(b,
                  "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
                  "%.*f</text>"
                  "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.*f"
                  "</text>\n",
                  rx(a, v), R_Y0 + R_S + 19, dec, v, R_X0 - 8, ry(a, v) + 4,
                  dec, v);
    }
    const char *zoom = is_zoomed ? " (zoomed)" : "";
    sb_printf(b,
              "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
              "font-size=\"13\">Mean predicted probability in bin%s</text>\n"
              "<text transform=\"translate(%.1f %.1f) rotate(-90)\" "
              "text-anchor=\"middle\" font-size=\"13\">Observed event rate"
              "%s</text>\n</g>\n",
              R_X0 + R_S / 2, R_Y0 + R_S + 42, zoom, R_X0 - 52, R_Y0 + R_S / 2,
              zoom);
}

/* Radius growing with log10 n: 3 px at n = 1, 10 px from n = 10^6. */
static double marker_radius(size_t n)
{
    double r = 3.0 + 7.0 * log10((double)n) / 6.0;
    return r > 10.0 ? 10.0 : r;
}

static void reliability_model(struct sbuf *b, const struct raxis *a,
                              const struct fw_svg_rel_model *m, size_t idx,
                              size_t n_models)
{
    const char *color = PALETTE[idx];
    /* Bars of one bin side by side, centred on the true x. */
    double shift = 4.0 * ((double)idx - ((double)n_models - 1.0) / 2.0);
    sb_printf(b, "<g stroke=\"%s\">\n", color);
    for (int k = 0; k < FW_METRICS_N_BINS; k++) {
        const struct fw_reliability_bin *bin = &m->rel->bins[k];
        if (bin->n == 0) {
            continue;
        }
        double x = rx(a, bin->mean_pred) + shift;
        sb_printf(b,
                  "<line class=\"band\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                  "y2=\"%.1f\" stroke-width=\"3\" stroke-opacity=\"0.35\" "
                  "stroke-linecap=\"round\"/>\n",
                  x, ry(a, bin->q05_eff), x, ry(a, bin->q95_eff));
    }
    for (int k = 0; k < FW_METRICS_N_BINS; k++) {
        const struct fw_reliability_bin *bin = &m->rel->bins[k];
        if (bin->n == 0) {
            continue;
        }
        sb_printf(b,
                  "<circle class=\"marker\" cx=\"%.1f\" cy=\"%.1f\" "
                  "r=\"%.1f\" stroke-width=\"1.5\" fill=\"%s\">"
                  "<title>",
                  rx(a, bin->mean_pred) + shift, ry(a, bin->obs_rate),
                  marker_radius(bin->n),
                  bin->is_consistent_eff ? color : "#ffffff");
        sb_str(b, m->name);
        sb_printf(b,
                  ", forecasts %.1f to %.1f: n = %zu (%zu effective "
                  "trials), mean predicted %.4g, observed %.4g (%zu events), "
                  "90%% interval if calibrated %.4g to %.4g: %s</title>"
                  "</circle>\n",
                  bin->p_lo, bin->p_hi, bin->n, bin->n_eff, bin->mean_pred,
                  bin->obs_rate, bin->n_pos, bin->q05_eff, bin->q95_eff,
                  bin->is_consistent_eff ? "inside" : "outside");
    }
    sb_printf(b, "</g>\n");
}

static void reliability_legend(struct sbuf *b,
                               const struct fw_svg_rel_model *models,
                               size_t n_models)
{
    double x = R_X0 + R_S + 36, y = R_Y0 + 10;
    sb_printf(b, "<g class=\"legend\">\n");
    for (size_t m = 0; m < n_models; m++, y += 22) {
        sb_printf(b,
                  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"%s\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\">",
                  x + 6, y, PALETTE[m], x + 20, y + 4);
        sb_legend_name(b, models[m].name);
        sb_printf(b, "</text>\n");
    }
    y += 12;
    sb_printf(b,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
              "stroke=\"#555555\" stroke-dasharray=\"5 4\"/>"
              "<text x=\"%.1f\" y=\"%.1f\">perfect calibration</text>\n",
              x - 2, y, x + 14, y, x + 20, y + 4);
    y += 22;
    sb_printf(b,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
              "stroke=\"#555555\" stroke-width=\"3\" stroke-opacity=\"0.35\" "
              "stroke-linecap=\"round\"/>"
              "<text x=\"%.1f\" y=\"%.1f\">90%% of observed rates</text>"
              "<text x=\"%.1f\" y=\"%.1f\">if calibrated</text>\n",
              x + 6, y - 7, x + 6, y + 9, x + 20, y + 4, x + 20, y + 18);
    y += 36;
    sb_printf(b,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"#555555\" "
              "stroke=\"#555555\" stroke-width=\"1.5\"/>"
              "<text x=\"%.1f\" y=\"%.1f\">bin inside its band</text>\n",
              x + 6, y, x + 20, y + 4);
    y += 22;
    sb_printf(b,
              "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\" fill=\"#ffffff\" "
              "stroke=\"#555555\" stroke-width=\"1.5\"/>"
              "<text x=\"%.1f\" y=\"%.1f\">bin outside its band</text>\n",
              x + 6, y, x + 20, y + 4);
    y += 26;
    sb_printf(b,
              "<text x=\"%.1f\" y=\"%.1f\">marker size grows with the"
              "</text>\n<text x=\"%.1f\" y=\"%.1f\">log of forecasts in the "
              "bin</text>\n</g>\n",
              x - 2, y, x - 2, y + 16);
}

fw_err fw_svg_reliability(const struct fw_svg_rel_model *models,
                          size_t n_models, const char *title, double axis_max,
                          char **out, size_t *out_len)
{
    if (models == NULL || n_models == 0 || out == NULL || out_len == NULL ||
        (title != NULL && !utf8_ok(title)) || !in_unit(axis_max) ||
        (axis_max > 0.0 && axis_max < 0.001)) {
        return FW_EUSAGE;
    }
    if (n_models > FW_SVG_MAX_MODELS) {
        return FW_ELIMIT;
    }
    for (size_t m = 0; m < n_models; m++) {
        if (!utf8_ok(models[m].name) || models[m].rel == NULL) {
            return FW_EUSAGE;
        }
        for (int k = 0; k < FW_METRICS_N_BINS; k++) {
            const struct fw_reliability_bin *bin = &models[m].rel->bins[k];
            if (bin->n > 0 &&
                !(in_unit(bin->mean_pred) && in_unit(bin->obs_rate) &&
                  in_unit(bin->q05_eff) && in_unit(bin->q95_eff))) {
                return FW_EUSAGE;
            }
        }
    }
    if (title == NULL) {
        title = "Reliability";
    }
    int is_zoomed = axis_max == 0.0;
    struct raxis a = {is_zoomed ? auto_axis(models, n_models) : axis_max};
    is_zoomed = is_zoomed && a.max < 1.0;

    struct sbuf b = {NULL, 0, 0, FW_OK};
    svg_open(&b, R_W, R_H, title,
             "Reliability diagram. Each marker is one bin of forecasts: x "
             "its mean predicted probability, y the observed event rate. "
             "Markers on the dashed diagonal are perfectly calibrated. The "
             "faint vertical bar at each marker spans the 5% to 95% "
             "quantiles of the observed rate if the forecasts were "
             "calibrated (binomial); filled markers lie inside it, hollow "
             "ones outside.");
    reliability_axes(&b, &a, is_zoomed);
    sb_printf(&b,
              "<line class=\"diagonal\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
              "y2=\"%.1f\" stroke=\"#555555\" stroke-dasharray=\"5 4\"/>\n",
              rx(&a, 0), ry(&a, 0), rx(&a, a.max), ry(&a, a.max));
    for (size_t m = 0; m < n_models; m++) {
        reliability_model(&b, &a, &models[m], m, n_models);
    }
    reliability_legend(&b, models, n_models);
    sb_printf(&b, "</svg>\n");
    return sb_finish(&b, out, out_len);
}

/* ---- skill by period ---- */

#define S_W 840
#define S_H 440
#define S_X0 70.0
#define S_Y0 50.0
#define S_PW 480.0
#define S_PH 290.0

struct saxis {
    size_t n_periods;
    double lo, hi, step;
};

static double sx(const struct saxis *a, size_t i)
{
    return S_X0 + ((double)i + 0.5) * S_PW / (double)a->n_periods;
}

/* Values below the axis are placed on its bottom edge. */
static double sy(const struct saxis *a, double v)
{
    double f = (v - a->lo) / (a->hi - a->lo);
    f = f < 0.0 ? 0.0 : f > 1.0 ? 1.0 : f;
    return S_Y0 + S_PH - f * S_PH;
}

static void skill_axes(struct sbuf *b, const struct saxis *a,
                       const char *const *periods)
{
    int dec = step_decimals(a->step);
    long i_lo = lround(a->lo / a->step), i_hi = lround(a->hi / a->step);
    sb_printf(b, "<g stroke=\"#dddddd\" stroke-width=\"1\">\n");
    for (long i = i_lo; i <= i_hi; i++) {
        double y = sy(a, (double)i * a->step);
        sb_printf(b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                  S_X0, y, S_X0 + S_PW, y);
    }
    sb_printf(b, "</g>\n<g stroke=\"#000000\" stroke-width=\"1\">\n");
    sb_printf(b,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
              S_X0, S_Y0 + S_PH, S_X0 + S_PW, S_Y0 + S_PH, S_X0, S_Y0, S_X0,
              S_Y0 + S_PH);
    for (long i = i_lo; i <= i_hi; i++) {
        double y = sy(a, (double)i * a->step);
        sb_printf(b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                  S_X0 - 5, y, S_X0, y);
    }
    for (size_t i = 0; i < a->n_periods; i++) {
        sb_printf(b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                  sx(a, i), S_Y0 + S_PH, sx(a, i), S_Y0 + S_PH + 5);
    }
    sb_printf(b, "</g>\n<g fill=\"#000000\">\n");
    for (long i = i_lo; i <= i_hi; i++) {
        double v = (double)i * a->step;
        sb_printf(b,
                  "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.*f"
                  "</text>\n",
                  S_X0 - 8, sy(a, v) + 4, dec, i == 0 ? 0.0 : v);
    }
    int is_turned = a->n_periods > 12;
    size_t every = (a->n_periods + 23) / 24;
    for (size_t i = 0; i < a->n_periods; i += every) {
        double x = sx(a, i), y = S_Y0 + S_PH + 19;
        if (is_turned) {
            sb_printf(b,
                      "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                      "transform=\"rotate(-45 %.1f %.1f)\">",
                      x + 4, y - 4, x + 4, y - 4);
        } else {
            sb_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                      x, y);
        }
        sb_str(b, periods[i]);
        sb_printf(b, "</text>\n");
    }
    sb_printf(b,
              "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
              "font-size=\"13\">Period</text>\n"
              "<text transform=\"translate(%.1f %.1f) rotate(-90)\" "
              "text-anchor=\"middle\" font-size=\"13\">Brier skill score"
              "</text>\n</g>\n",
              S_X0 + S_PW / 2, S_Y0 + S_PH + (is_turned ? 74 : 44), S_X0 - 50,
              S_Y0 + S_PH / 2);
    sb_printf(b,
              "<line class=\"zero\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
              "y2=\"%.1f\" stroke=\"#000000\" stroke-width=\"1.5\"/>\n",
              S_X0, sy(a, 0.0), S_X0 + S_PW, sy(a, 0.0));
}

static void skill_series(struct sbuf *b, const struct saxis *a,
                         const char *const *periods,
                         const struct fw_svg_skill_series *s, size_t idx)
{
    const double *v = s->bss;
    size_t n = a->n_periods;
    sb_printf(b, "<g stroke=\"%s\" fill=\"%s\">\n", PALETTE[idx], PALETTE[idx]);
    /* The line: one subpath per run of two or more values. */
    int has_path = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (isnan(v[i]) || isnan(v[i + 1])) {
            continue;
        }
        if (i == 0 || isnan(v[i - 1])) {
            if (!has_path) {
                sb_printf(b,
                          "<path class=\"line\" fill=\"none\" "
                          "stroke-width=\"2\" stroke-dasharray=\"%s\" d=\"",
                          DASHES[idx]);
                has_path = 1;
            } else {
                sb_printf(b, " ");
            }
            sb_printf(b, "M%.1f %.1f", sx(a, i), sy(a, v[i]));
        }
        sb_printf(b, " L%.1f %.1f", sx(a, i + 1), sy(a, v[i + 1]));
    }
    if (has_path) {
        sb_printf(b, "\"/>\n");
    }
    /* The markers: a circle, or a downward triangle on the bottom edge for
     * a value below the axis. */
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i])) {
            continue;
        }
        double x = sx(a, i), y = sy(a, v[i]);
        int is_below = v[i] < a->lo;
        if (is_below) {
            sb_printf(b,
                      "<path class=\"marker\" d=\"M%.1f %.1f L%.1f %.1f "
                      "L%.1f %.1f Z\">",
                      x - 5, y - 9, x + 5, y - 9, x, y);
        } else {
            sb_printf(b,
                      "<circle class=\"marker\" cx=\"%.1f\" cy=\"%.1f\" "
                      "r=\"3.5\">",
                      x, y);
        }
        sb_printf(b, "<title>");
        sb_str(b, s->name);
        sb_printf(b, ", ");
        sb_str(b, periods[i]);
        sb_printf(b, ": Brier skill score %.4f%s</title>%s\n", v[i],
                  is_below ? " (below the axis)" : "",
                  is_below ? "</path>" : "</circle>");
    }
    sb_printf(b, "</g>\n");
}

static void skill_legend(struct sbuf *b,
                         const struct fw_svg_skill_series *series,
                         size_t n_series, int has_below)
{
    double x = S_X0 + S_PW + 30, y = S_Y0 + 10;
    sb_printf(b, "<g class=\"legend\">\n");
    for (size_t m = 0; m < n_series; m++, y += 22) {
        sb_printf(b,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                  "stroke=\"%s\" stroke-width=\"2\" "
                  "stroke-dasharray=\"%s\"/>"
                  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\">",
                  x, y, x + 24, y, PALETTE[m], DASHES[m], x + 12, y, PALETTE[m],
                  x + 32, y + 4);
        sb_legend_name(b, series[m].name);
        sb_printf(b, "</text>\n");
    }
    y += 12;
    sb_printf(b,
              "<text x=\"%.1f\" y=\"%.1f\">above 0: beats the reference"
              "</text>\n<text x=\"%.1f\" y=\"%.1f\">1: perfect; gaps: no "
              "score</text>\n",
              x, y, x, y + 16);
    if (has_below) {
        sb_printf(b,
                  "<path d=\"M%.1f %.1f L%.1f %.1f L%.1f %.1f Z\" "
                  "fill=\"#555555\"/><text x=\"%.1f\" y=\"%.1f\">below the "
                  "axis</text>\n",
                  x + 7, y + 30, x + 17, y + 30, x + 12, y + 39, x + 24,
                  y + 38);
    }
    sb_printf(b, "</g>\n");
}

fw_err fw_svg_skill_by_period(const char *const *periods, size_t n_periods,
                              const struct fw_svg_skill_series *series,
                              size_t n_series, const char *title,
                              double y_floor, char **out, size_t *out_len)
{
    if (periods == NULL || n_periods == 0 || series == NULL || n_series == 0 ||
        out == NULL || out_len == NULL || (title != NULL && !utf8_ok(title)) ||
        y_floor > 0.0 || isinf(y_floor)) {
        return FW_EUSAGE;
    }
    if (n_series > FW_SVG_MAX_MODELS || n_periods > FW_SVG_MAX_PERIODS) {
        return FW_ELIMIT;
    }
    for (size_t i = 0; i < n_periods; i++) {
        if (!utf8_ok(periods[i])) {
            return FW_EUSAGE;
        }
    }
    double lo = -0.05, hi = 0.05;
    for (size_t m = 0; m < n_series; m++) {
        if (!utf8_ok(series[m].name) || series[m].bss == NULL) {
            return FW_EUSAGE;
        }
        for (size_t i = 0; i < n_periods; i++) {
            double v = series[m].bss[i];
            if (isinf(v)) {
                return FW_EUSAGE;
            }
            if (!isnan(v)) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
    }
    if (title == NULL) {
        title = "Brier skill score by period";
    }
    if (isnan(y_floor) || y_floor == 0.0) {
        y_floor = -1.0;
    }
    lo = fmax(lo, y_floor);
    struct saxis a = {n_periods, 0.0, 0.0, nice_step(hi - lo)};
    a.lo = floor(lo / a.step + 1e-9) * a.step;
    a.hi = ceil(hi / a.step - 1e-9) * a.step;
    int has_below = 0;
    for (size_t m = 0; m < n_series; m++) {
        for (size_t i = 0; i < n_periods; i++) {
            has_below |= series[m].bss[i] < a.lo; /* false for NaN */
        }
    }

    struct sbuf b = {NULL, 0, 0, FW_OK};
    svg_open(&b, S_W, S_H, title,
             "Brier skill score per period and model: 1 - Brier score / "
             "Brier score of the reference forecast. Above the zero line a "
             "model beats the reference; 1 is perfect. A gap in a line is a "
             "period without a score. Triangles on the bottom edge are "
             "scores below the axis.");
    skill_axes(&b, &a, periods);
    for (size_t m = 0; m < n_series; m++) {
        skill_series(&b, &a, periods, &series[m], m);
    }
    skill_legend(&b, series, n_series, has_below);
    sb_printf(&b, "</svg>\n");
    return sb_finish(&b, out, out_len);
}
