/*
 * fuzz.h - what the libFuzzer harnesses in fuzz/ share: the entry point
 * libFuzzer calls, a sink whose callbacks count records and check the
 * invariants every reader promises in record.h, and a check macro.
 *
 * Each fuzz_<reader>.c defines LLVMFuzzerTestOneInput for one reader entry
 * point. Built two ways (CMakeLists.txt): with clang and
 * -fsanitize=fuzzer,address,undefined as fuzz_<reader> (`make fuzz`), and
 * with any compiler, linked to replay_main.c, as fuzz_replay_<reader>,
 * which CTest runs over fuzz/corpus/<reader>/ (`make test`). A broken
 * invariant prints what and where, then aborts, so both builds report it
 * as a crash with the input that caused it.
 */
#ifndef FRONTWATCH_FUZZ_H
#define FRONTWATCH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "frontwatch/err.h"
#include "frontwatch/record.h"

/* The libFuzzer entry point: data[0..size) is borrowed for the call and is
 * not NUL-terminated. Returns 0 (libFuzzer reserves other values). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts with file, line and the failed condition when cond is false. */
#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fuzz_fail(__FILE__, __LINE__, #cond);                              \
        }                                                                      \
    } while (0)

/* Prints "file:line: invariant failed: what" to stderr and aborts. */
void fuzz_fail(const char *file, int line, const char *what)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

/* What a read sent to the sink. */
struct fuzz_counts {
    size_t n_places;
    size_t n_alerts;
    size_t n_regions;
    size_t n_snapshots;
    size_t n_boundaries;
    size_t n_countries;
    size_t n_polygons;
    size_t n_events;
    size_t n_displacements;
    size_t n_visits;
    size_t n_rejects;
    size_t n_repairs;
    size_t n_progress;
};

/* Sets *sink to the counting sink, writing into *counts (zeroed here);
 * both are the caller's and must outlive the read. Every callback checks
 * its record: strings set and valid UTF-8, coordinates finite and in
 * range, alert spans ordered, polygon WKB a non-empty 2D ISO Polygon,
 * bounding boxes and areas sane, polygons only after their snapshot,
 * boundary or country, a country's code two capital letters, events
 * without a position with one oblast or one area (with a position, no
 * area), progress never past its total. */
void fuzz_sink_init(struct fw_sink *sink, struct fuzz_counts *counts);

/* Checks what a reader left in d after returning err: an error has a
 * non-empty message, a NUL-terminated one, and a position that is not
 * negative. */
void fuzz_check_diag(fw_err err, const struct fw_diag *d);

#endif
