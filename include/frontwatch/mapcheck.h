/*
 * mapcheck.h - new isolated parts of a map are held as unconfirmed until
 * a second map shows them (issue 11, docs/decisions/0006).
 *
 * A source's map can scatter polygon parts of several km2 over places far
 * from any front for a week or two. Such a part would move distances,
 * statuses, areas and features, and then vanish. The rule, for every
 * occupied part (occupied, or occupied before 2022) that the engine uses
 * from map M of source S:
 *
 *   the part is new and isolated when it lies more than
 *   FW_MAPCHECK_ISOLATED_KM from every occupied or contested part of S's
 *   previous map (the newest published before M, passing over the glitch
 *   maps known by M's publication, as geo.h does), and it is held as
 *   unconfirmed on M when it also lies that far from every occupied part
 *   of the other source's newest map published at or before M (NZZ's other
 *   source is DeepState, full map or occupied union, whichever is newer;
 *   the DeepState maps' other source is NZZ).
 *
 * It is confirmed on S's next map, whose previous map (M) now has it, or
 * on any map of S published after the other source has shown it. The rule
 * reads only maps published at or before M, so the flag of M never
 * changes when later maps arrive: no look-ahead. The first map of a source
 * has nothing to be compared with and is used whole. Parts the engine
 * leaves out anyway (liberated areas, NZZ polygons under 1 km2) are not
 * checked.
 *
 * The results live in the store (schema 4): per checked part its distance
 * from the previous map (polygon.gap_km), from the other source's map when
 * it was needed (polygon.other_km) and the flag (polygon.unconfirmed); per
 * snapshot the two maps it was checked against (check_prev_id,
 * check_other_id; 0 for none, NULL when not yet checked). geo.c reads only
 * parts whose flag is 0, so every path (fw_geo_control, fw_geo_area_near,
 * fw_geo_control_points, fw_geo_snapshot_polygons) leaves unconfirmed parts
 * out.
 */
#ifndef FRONTWATCH_MAPCHECK_H
#define FRONTWATCH_MAPCHECK_H

#include <stddef.h>

#include "frontwatch/err.h"
#include "frontwatch/store.h"

/* How far (geodesic km) a new part must lie from the previous map, and
 * from the other source's map, to be held as unconfirmed. Measured on the
 * real maps 2022-2025 (docs/decisions/0006): of 4,224 parts checked, 4,140
 * overlap the previous map and 43 lie within 5 km of it; of the 16 that
 * lie 5 to 22.3 km ahead of it, 15 are on the source's next map too (real
 * advances and bridgeheads, which a 5 km bound would hold for a week) and
 * the 16th is the advance east of Kyiv of March 2022. The one part that a
 * single map drew lay 33.8 km away; the invasion's first parts,
 * cross-border incursions (Vovchansk 2024-05: 36 and 62 km) and NZZ's
 * lone part at the Chernihiv-Bryansk border (307 km) lie farther. */
#define FW_MAPCHECK_ISOLATED_KM 25.0

/* Checks every snapshot of st that is not checked yet, or whose previous
 * map or other-source map changed since it was checked (a map ingested
 * out of order, a glitch flag that moved), and writes the results above.
 * Must run after the suspect flags are up to date, inside the caller's
 * transaction (fw_ingest_derive). The number of snapshots checked goes to
 * *n_checked and of parts held as unconfirmed in the whole store to
 * *n_unconfirmed (either may be NULL). Errors: FW_ESQL, FW_EGEOS,
 * FW_EPROJ, FW_ENOMEM; the caller then rolls back. */
fw_err fw_mapcheck_run(fw_store *st, size_t *n_checked, size_t *n_unconfirmed,
                       struct fw_diag *d);

#endif
