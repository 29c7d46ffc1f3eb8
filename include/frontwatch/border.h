/*
 * border.h - Ukraine's state border with a neighbouring country, and the
 * geodesic distance from a place to it: the "enemy massing across a border
 * 30 km away" of the question frontwatch answers (issue 14).
 *
 * Data flow: country outline (shapefile.h) + oblast outlines (frontline.h)
 * -> store -> fw_border_derive (run by fw_ingest_derive) -> state_border
 * -> fw_border_distance -> assess.
 *
 * The rule. Ukraine's outline is the union of the oblast outlines of the
 * boundary file ingested last that holds Crimea (the file geo.h takes its
 * fixed Crimea layer from), its shells only: the holes of the union are
 * slivers between oblasts. Its land border with a country is every edge of
 * that outline both of whose ends lie within FW_BORDER_NEAR_M of the
 * country's outline (both read as drawn, so the tolerance absorbs the two
 * sources' different tracing), except:
 *  - edges within FW_BORDER_CRIMEA_M of Crimea or Sevastopol (UA-43,
 *    UA-40): OpenStreetMap's Russia includes Crimea, whose coasts and the
 *    Perekop and Chonhar isthmus lines would otherwise count; they bound
 *    the occupied area, not the state border (geo.h measures those);
 *  - edges with an end south of FW_BORDER_MIN_LAT_DEG: the land border
 *    meets the Sea of Azov at 47.115 N (its southernmost point); south of
 *    it only sea lines meet Russia's outline, which takes in its
 *    territorial waters: an oblast outline drawn into the Sea of Azov
 *    (geoBoundaries ADM1 draws 97 km of sea line there) would otherwise
 *    count.
 * The edges kept are merged into lines (a MultiLineString) and stored per
 * country with their geodesic length.
 *
 * Measured on ../shared/data (Minregion oblasts 2020 and OSM relation
 * 60189, Russia with Crimea): 1,970.3 km of line (the Russia-Ukraine land
 * border is about 1,974 km long) from the tripoint with Belarus at
 * 52.1105 N 31.7694 E to the Sea of Azov at 47.1152 N 38.2209 E, in two
 * parts: at 50.343 N 35.680 E, on the Sumy-Kharkiv oblast line, one
 * vertex of the outline lies 1.4 km from OSM's border, so its two edges
 * (1.4 km) are left out, a gap no distance notices. Distances: Kharkiv
 * 34.75 km, Vovchansk 6.38 km, Sumy 27.57 km, Lviv 599.51 km (to the
 * tripoint), Chernihiv 73.93 km, Mariupol 51.6 km. The tolerance: 300 m
 * gives 1,960.4 km in 6 parts, 500 m 1,966.1 km, 2 km 1,974.1 km in one
 * part whose ends run 2 km on along the Belarus border and the Azov
 * shore; the distances above move by less than 1.1 km. The exclusions:
 * on this data either removes Crimea alone. The edges near Russia south of
 * 47 N are Crimea's own (0 m from it) and the nearest edge kept is 224 km
 * from Crimea, so any Crimea margin works here; 20 km leaves room for an
 * oblast file that draws the Syvash lagoon's shores unlike OSM. The
 * latitude rule is needed for outlines drawn into the sea: with
 * geoBoundaries ADM1 and no latitude rule the line is 2,053.9 km and
 * Mariupol 30.1 km from it (the sea line), with it 1,957.3 km and the
 * distances above within 0.3 km.
 *
 * Belarus: ../shared/data holds no outline of Belarus, so its border is
 * not derived and the distance is to the Russian border only; a shapefile
 * of Belarus (ISO_A2 "BY") ingested beside Russia's would give it, by the
 * same rule (the Crimea and latitude exclusions do not touch it).
 */
#ifndef FRONTWATCH_BORDER_H
#define FRONTWATCH_BORDER_H

#include "frontwatch/err.h"
#include "frontwatch/geo.h"
#include "frontwatch/store.h"

/* The rule's constants (see above). */
#define FW_BORDER_NEAR_M 1000.0
#define FW_BORDER_CRIMEA_M 20000.0
#define FW_BORDER_MIN_LAT_DEG 47.0

/* Derives the state border with each country of the store's
 * country_outline table (its newest file) from the oblast outlines (see
 * the rule above) into state_border, replacing that country's row; a
 * country whose outline and oblast files are those of its stored row is
 * left as it is, so a run without new outlines costs two queries. A
 * country sharing no edge with Ukraine gets a row of length 0 (and no
 * distance). Without oblast outlines holding Crimea nothing is derived.
 * Runs inside the caller's transaction (fw_ingest_derive's); on error the
 * caller rolls back. Errors: FW_ESQL, FW_EGEOS (a stored geometry that
 * GEOS cannot read or union), FW_EPROJ, FW_ENOMEM. */
fw_err fw_border_derive(fw_store *st, struct fw_diag *d);

/* The nearest point of the state border to a place. */
struct fw_border_distance {
    char country[3];        /* whose border: "RU" */
    double distance_km;     /* geodesic, WGS84 */
    double nearest_lat_deg; /* the nearest point of the border */
    double nearest_lon_deg;
};

/* The geodesic distance from (lat_deg, lon_deg) to the nearest state
 * border in g's store, measured as geo.h measures the distance to the
 * occupied area: the nearest point found in the Lambert conformal
 * projection of Ukraine, then the WGS84 geodesic to it (PROJ
 * geod_inverse). A place beyond the border measures to it all the same.
 * The border lines are loaded into g once and loaded again when
 * state_border changes. *out is set on success only. Errors: FW_ERANGE
 * (coordinates), FW_ENOTFOUND (the store has no state border: no country
 * outline, or no oblast outlines), FW_ESQL, FW_EGEOS, FW_ENOMEM. */
fw_err fw_border_distance(fw_geo *g, double lat_deg, double lon_deg,
                          struct fw_border_distance *out, struct fw_diag *d);

#endif
