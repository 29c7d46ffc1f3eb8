/*
 * report.h - the back-test written out for people and programs: a JSON
 * document with every number, a Markdown report with a verdict, and the
 * reliability and skill charts as SVG files.
 *
 * Data flow: backtest -> metrics -> svg -> report (files in one folder).
 * The module reads a finished struct fw_backtest and writes; it keeps no
 * state. Numbers are formatted with printf, so the "C" numeric locale is
 * assumed (as in svg.h).
 *
 * Skill scores. Every Brier skill score in the report compares two models
 * on the same rows: bss_climatology = 1 - Brier / Brier of the climatology
 * model (the base rate of its training rows, not the in-sample base rate
 * of the scored rows), bss_distance = 1 - Brier / Brier of logit_dist
 * (the distance-only baseline). Both come from fw_metrics_brier_skill, so
 * they are NaN when a Brier score is NaN or the reference's is 0.
 *
 * Files written in dir (each to "<name>.tmp" first, then renamed over
 * "<name>", so a reader never sees a half-written file):
 *  - report.json: {"from", "to", "final_from" ("YYYY-MM-DD", UTC; "to" is
 *    the end of the back-test range as fw_backtest holds it),
 *    "chosen_model", "distance_model", "reference_model" (kind names),
 *    "chosen_why" (the rule's verdict, backtest.h),
 *    "info": {"command", "data_sha256", "data_files", "dataset_rows",
 *    "dataset_seconds", "backtest_seconds"},
 *    "horizons": [{"days",
 *       "all": {<model name>: M, ...}, "final": {<model name>: M, ...},
 *       "vs_distance": {"all" | "final": {<model name>: {"bss", "bss_lo",
 *          "bss_hi", "dap", "dap_lo", "dap_hi", "places", "wins"}}}
 *          (each model but the two references against logit_dist, with
 *          the 90 % intervals of bootstrap.h),
 *       "quarters": [{"label", "from", "to" (exclusive), "scored", "n",
 *          "positives", "brier": {<model>: x}, "bss_climatology":
 *          {<model>: x}}]}]}
 *    where M = {"n", "positives", "base_rate", "brier", "bss_climatology",
 *    "bss_distance", "auroc", "ap", "bins_nonempty", "bins_consistent",
 *    "reliability": [{"p_lo", "p_hi", "n", "positives", "mean_pred",
 *    "obs_rate", "q05", "q95", "consistent"}] (all FW_METRICS_N_BINS
 *    bins)}. Every NaN or infinite number is written as null (an empty
 *    bin's rates, AUROC with one class, every Brier score of a quarter
 *    that was not scored).
 *  - report.md: title, command, data fingerprint and run times; a
 *    "Verdict" per horizon on the final window (does the chosen model,
 *    the rule's choice, beat logit_dist on Brier skill and on average
 *    precision, and are no more reliability bins outside their 90%
 *    interval of effective trials than a calibrated forecaster shows 9
 *    times in 10: the 90 % point of Binomial(bins, 0.1)); the table of
 *    every candidate against logit_dist with its intervals; per horizon
 *    a table of every model for all scored rows and
 *    for the final window, the chosen model's final-window reliability
 *    table, a per-quarter table of skill against climatology, links to
 *    the charts; and "How to read this". NaN is written "n/a".
 *  - reliability_<H>d.svg: fw_svg_reliability of every model's final
 *    window, zoomed automatically (H = the horizon's days).
 *  - skill_<H>d.svg: fw_svg_skill_by_period, skill against the climatology
 *    model per quarter of every other model (climatology's own skill
 *    is 0 by definition, the chart's zero line); a quarter not scored is a
 *    gap; y_floor -1.
 * The per-quarter table of report.md leaves out climatology for the same
 * reason; report.json has them all.
 */
#ifndef FRONTWATCH_REPORT_H
#define FRONTWATCH_REPORT_H

#include <stddef.h>

#include "frontwatch/backtest.h"
#include "frontwatch/err.h"

/* Where the back-test came from, for the record. Every pointer is
 * borrowed for the call and may be NULL (written as null in report.json,
 * "n/a" in report.md). */
struct fw_report_info {
    const char *command;     /* the command line that ran the back-test */
    const char *data_sha256; /* fingerprint of the input data (hex) */
    size_t data_files;       /* input files the fingerprint covers */
    size_t dataset_rows;     /* rows of the dataset back-tested */
    double dataset_seconds;  /* time to build the dataset; NaN if unknown */
};

/* Writes the six files above into dir, creating dir (one level, mode 0777
 * before the umask) when it does not exist. bt and info are borrowed; info
 * may be NULL (no record). Files written before a failure stay; a ".tmp"
 * file is removed when its write fails.
 * Errors:
 *  - FW_EUSAGE: bt or dir NULL, dir empty, a horizon without quarters or
 *    with more than FW_BACKTEST_MAX_PERIODS;
 *  - FW_EIO: dir cannot be created, or a file cannot be created, written
 *    or renamed; d->file holds the path and d->msg says which step and why
 *    (strerror). A path longer than 4095 bytes is FW_EIO too;
 *  - FW_ENOMEM;
 *  - FW_EUSAGE or FW_ELIMIT passed on from svg.h (a model name or label
 *    not UTF-8, numbers out of [0, 1]); d->msg names the chart.
 * d may be NULL. */
fw_err fw_report_write(const struct fw_backtest *bt, const char *dir,
                       const struct fw_report_info *info, struct fw_diag *d);

/* Writes text[0..len) to dir/name through dir/name.tmp, renamed when
 * whole: on error the tmp file is removed and an existing dir/name is
 * unchanged. For other reports (outlook_backtest.h). Errors: FW_EIO (d
 * holds the path and why). */
fw_err fw_report_write_file(const char *dir, const char *name,
                            const char *text, size_t len, struct fw_diag *d);

#endif
