/*
 * alerts.h - readers of air-raid alerts (Ukrainian air-raid sirens
 * dataset): the official and volunteer CSVs, and states.json, the
 * hierarchy of alert regions (oblast / raion / hromada) with their ids.
 *
 * Quirks handled (see ../shared/data/README.md): CRLF line ends; UTC
 * offsets ("+00:00"); volunteer rows with naive=True (end assumed 30 min
 * after start, flagged is_naive); official rows whose oblast and raion
 * columns are swapped (repaired and reported via sink->repair); alerts
 * shorter than 30 s are kept.
 */
#ifndef FRONTWATCH_ALERTS_H
#define FRONTWATCH_ALERTS_H

#include <stddef.h>

#include "frontwatch/err.h"
#include "frontwatch/record.h"

/* Reads an alerts CSV from buf[0..len) (borrowed; need not be
 * NUL-terminated) and hands each alert to sink->alert.
 *
 * The header tells the kind, columns being found by name in any order:
 * official (oblast,raion,hromada,level,started_at,finished_at,source;
 * source is always "official", level from the level column, raion and
 * hromada NULL when empty) or volunteer (region,started_at,finished_at,
 * naive; source "volunteer", level FW_ALERT_OBLAST, is_naive from naive).
 *
 * A row is rejected (sink->reject with the line and a reason, reading goes
 * on) when its region is not an oblast of Ukraine, finished_at is empty,
 * it ends before it starts, it starts or ends in the future (more than a
 * day, FW_DAY_S, after the machine's clock when the read starts: no
 * source holds alerts that have not happened, a wrong year can; the day
 * absorbs time zones and clock skew), or an official raion/hromada-level
 * row has an empty raion/hromada column. A date that does not exist
 * (2023-02-30) is no data at all and fails the file (below). Duplicate
 * rows are not the reader's business: each reaches the sink (the store
 * keeps the first and rejects the others). An official row whose oblast
 * column holds a
 * raion and whose raion column holds an oblast is swapped back and
 * reported through sink->repair (just before its alert). sink->progress
 * gets (byte offset of the row, len) every 4096 rows and (len, len) at the
 * end. sink may be NULL, as may any callback: those records are dropped.
 *
 * Errors (the whole file fails; d->line is the 1-based line, d->col the
 * 1-based byte column of the bad field, 0 when the row as a whole is bad):
 * FW_EPARSE (unknown header or empty file, a row with a field count other
 * than the header's, a time that is not "YYYY-MM-DD HH:MM:SS+00:00"-like,
 * an unknown level, naive neither True nor False, and the CSV errors of
 * fw_csv_parse), FW_ERANGE (impossible date or time, e.g. 2023-02-30),
 * FW_ELIMIT and FW_ENOMEM (from fw_csv_parse), FW_EUSAGE (buf NULL), or
 * the error a sink callback returned, unchanged. Rows before the error
 * have already reached the sink; a sink that must be all-or-nothing (the
 * store's ingest, one transaction per file) discards them on error. */
fw_err fw_alerts_read_csv(const char *buf, size_t len,
                          const struct fw_sink *sink, struct fw_diag *d);

/* Reads states.json ({"states":[{stateName,stateId,districts:[{
 * districtName,districtId,communities:[{communityName,communityId}]}]}]})
 * from buf[0..len) (borrowed) and emits every region via sink->region,
 * each parent before its children: oblast (id stateId, parent 0), raion
 * (districtId, parent stateId), hromada (communityId, parent districtId).
 * Every record carries the oblast of its state (fw_oblast_by_name on
 * stateName; "м. Київ" is UA-30, "м. Севастополь" UA-40), NULL when the
 * name is unknown. sink and any callback may be NULL.
 *
 * Errors: FW_ELIMIT (brackets nested deeper than 64, checked before
 * parsing so that no document can exhaust the stack, at the 65th bracket;
 * a document over 64 MiB; see json.h), FW_EPARSE (invalid UTF-8, a NUL byte, not JSON, or text
 * after the document, with line and byte col as fw_json_parse gives them:
 * a truncated document at its end, "unexpected end of input (truncated
 * file?)"; a required member missing or of the wrong type, or an id that
 * is not a whole number in [0, 2^31): line/col 0 and the path in d->msg,
 * such as "states[3].districts[2].districtId: expected a number"),
 * FW_EUSAGE (buf NULL), or the error a sink callback returned, unchanged.
 */
fw_err fw_alerts_read_regions(const char *buf, size_t len,
                              const struct fw_sink *sink, struct fw_diag *d);

#endif
