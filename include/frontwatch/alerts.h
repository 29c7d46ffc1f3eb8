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

/* Reads an alerts CSV. The header tells the kind: official
 * (oblast,raion,hromada,level,started_at,finished_at,source) or volunteer
 * (region,started_at,finished_at,naive). Rows whose region is not an
 * oblast of Ukraine, or that end before they start, are rejected with a
 * reason (sink->reject). Errors: FW_EPARSE (unknown header, wrong column
 * count, a time that is not a timestamp, unknown level), FW_ERANGE
 * (impossible date), each with line and column in d. */
fw_err fw_alerts_read_csv(const char *buf, size_t len,
                          const struct fw_sink *sink, struct fw_diag *d);

/* Reads states.json ({"states":[{stateName,stateId,districts:[{
 * districtName,districtId,communities:[{communityName,communityId}]}]}]})
 * and emits every region (oblast, raion, hromada) via sink->region.
 * Errors: FW_EPARSE (not JSON, or a required member missing or of the
 * wrong type; d says which), FW_ELIMIT (nesting deeper than 64). */
fw_err fw_alerts_read_regions(const char *buf, size_t len,
                              const struct fw_sink *sink, struct fw_diag *d);

#endif
