/*
 * svg.h - the back-test's two charts as self-contained SVG documents: a
 * reliability diagram and Brier skill per period.
 *
 * Data flow: backtest -> metrics -> svg -> outputs (files, the dashboard).
 * Each function returns a complete SVG 1.1 document in a new string: no
 * scripts, no external fonts, stylesheets or images, text in the
 * sans-serif font family, a <title> (and a <desc> saying how to read the
 * chart), axes with ticks and labels, and a legend. Every marker carries a
 * <title> child with its exact numbers, which browsers show as a tooltip.
 * All caller text (title, model names, period labels) is XML-escaped (& <
 * > " '); C0 control characters (XML 1.0 cannot carry most of them at
 * all, and SVG would show tab and newline as spaces) are written as '?'.
 * Numbers are formatted with printf, so the library assumes the "C" numeric
 * locale (a program that calls setlocale() must keep LC_NUMERIC as "C", as for
 * the readers).
 *
 * Models are told apart by colour (the Okabe-Ito palette, which readers
 * with colour-vision deficiencies can distinguish) and, in the skill
 * chart, by dash pattern as well. Markers that the tests count, and only
 * those, have class="marker"; each model's line in the skill chart is one
 * <path class="line"> with one subpath ("M ...") per run of values
 * without a gap.
 *
 * Ownership: inputs are borrowed for the call. On success *out is a new
 * NUL-terminated string, owned by the caller, who frees it with free();
 * *out_len is its length without the NUL. On error both are untouched.
 */
#ifndef FRONTWATCH_SVG_H
#define FRONTWATCH_SVG_H

#include <stddef.h>

#include "frontwatch/err.h"
#include "frontwatch/metrics.h"

/* Most models one chart takes (the palette has this many colours). */
#define FW_SVG_MAX_MODELS 8
/* Most periods in the skill chart (100 years of quarters). */
#define FW_SVG_MAX_PERIODS 400
/* Longest document written; longer is FW_ELIMIT. With 32-byte names the
 * largest chart the other caps allow is about 0.5 MiB; every tooltip
 * repeats its model's name, so only names of kilobytes reach the cap. */
#define FW_SVG_MAX_BYTES ((size_t)4 << 20)
/* Model names longer than this many bytes are cut (at a character
 * boundary, with an ellipsis, U+2026) in the legend; tooltips keep them whole.
 */
#define FW_SVG_LEGEND_NAME_MAX 32

/* One model of the reliability diagram. */
struct fw_svg_rel_model {
    const char *name;                 /* UTF-8, borrowed */
    const struct fw_reliability *rel; /* from fw_metrics_compute, borrowed */
};

/* Writes a reliability diagram of models[0..n_models): x is the mean
 * predicted probability of a bin, y its observed event rate.
 *  - The diagonal y = x (dashed) is perfect calibration.
 *  - Each non-empty bin of each model is one marker at (mean_pred,
 *    obs_rate), filled when the bin is consistent (obs_rate inside its 90%
 *    interval of effective trials, metrics.h) and hollow when not; its
 *    area grows with log10(n) (radius 3 px at n = 1 to 10 px at
 *    n >= 10^6), and its tooltip gives n, the rates and the interval.
 *  - Behind the marker, a vertical bar at x = mean_pred from q05_eff to
 *    q95_eff: the consistency band, where a calibrated model's observed
 *    rate falls 9 times in 10 (without cluster ids, q05 to q95). It
 *    straddles the diagonal. With several models the bars of one bin are
 *    shifted 4 px apart so that none hides another.
 *  - Empty bins draw nothing.
 * Both axes run from 0 to axis_max:
 *  - axis_max == 0 zooms automatically: the smallest of 0.001, 0.002,
 *    0.005, 0.01, ..., 0.5, 1 that holds every marker and bar (the largest
 *    mean_pred, obs_rate and q95_eff of the non-empty bins). Forecasts of
 *    rare events all sit near the origin, where an axis to 1 would squash
 *    them into a corner; zoomed, the distance from the diagonal can be
 *    read.
 *    The axis title says "(zoomed)" then.
 *  - axis_max in [0.001, 1] fixes it (1 for the classic full diagram); a
 *    marker or bar beyond it is drawn up to the edge, and its tooltip has
 *    the true numbers.
 * title: the chart title (UTF-8, borrowed); NULL for "Reliability".
 * Errors: FW_EUSAGE (models, a name, a rel, out or out_len NULL; n_models
 * 0; a string not valid UTF-8; axis_max neither 0 nor in [0.001, 1]; a
 * non-empty bin whose mean_pred, obs_rate, q05_eff or q95_eff is not in
 * [0, 1]),
 * FW_ELIMIT (n_models > FW_SVG_MAX_MODELS, or the document would exceed
 * FW_SVG_MAX_BYTES), FW_ENOMEM. */
fw_err fw_svg_reliability(const struct fw_svg_rel_model *models,
                          size_t n_models, const char *title, double axis_max,
                          char **out, size_t *out_len);

/* One model of the skill chart. */
struct fw_svg_skill_series {
    const char *name;  /* UTF-8, borrowed */
    const double *bss; /* n_periods Brier skill scores (fw_metrics_brier_skill)
                          in period order, borrowed; NAN where there is
                          none (no data, no events to score) */
};

/* Writes Brier skill score per period: periods[i] (UTF-8 labels such as
 * "2023Q1", borrowed) evenly spaced along x, one line with markers per
 * model. A NAN value leaves a gap: the line stops and starts again after
 * it (a value alone between gaps is a marker without a line). The zero
 * line (no better than the reference) is drawn solid.
 * The y axis runs over nice round numbers from the lowest value (or
 * -0.05, whichever is lower) to the highest (or 0.05, whichever is
 * higher), but never below y_floor: skill can be hugely negative for a
 * period with few events, which would flatten every other value. Values
 * below y_floor are drawn on the bottom edge as downward triangles, their
 * tooltip giving the true value. y_floor: a negative number; 0 or NaN
 * for the default, -1 (a Brier score twice the reference's). The axis
 * ends on a tick, so its bottom may be a little below y_floor; only values
 * below the axis are clipped.
 * With more than 12 periods the labels are turned 45 degrees, and with
 * more than 24 only every k-th is written (k = ceil(n_periods / 24));
 * every period keeps its tick.
 * title: NULL for "Brier skill score by period".
 * Errors: FW_EUSAGE (periods, a label, series, a name, a bss, out or
 * out_len NULL; n_periods or n_series 0; a string not valid UTF-8; a
 * value infinite; y_floor positive or infinite), FW_ELIMIT (n_series >
 * FW_SVG_MAX_MODELS, n_periods > FW_SVG_MAX_PERIODS, or the document
 * would exceed FW_SVG_MAX_BYTES),
 * FW_ENOMEM. */
fw_err fw_svg_skill_by_period(const char *const *periods, size_t n_periods,
                              const struct fw_svg_skill_series *series,
                              size_t n_series, const char *title,
                              double y_floor, char **out, size_t *out_len);

#endif
