-- query.sql - PostGIS peer, step 3: status and distance for every place
-- at every snapshot, into table result.
--
-- Status: one spatial join of every snapshot's polygons against the
-- places (ST_Covers: the boundary counts as inside, as in frontwatch);
-- occupied (incl. before 2022) wins over contested.
DROP TABLE IF EXISTS covered, result;
CREATE TABLE covered AS
    SELECT pl.id AS place_id, p.snap_id, bool_or(p.cls IN (1, 2)) AS occupied
    FROM poly p
    JOIN place pl ON ST_Covers(p.geom, pl.geom)
    GROUP BY pl.id, p.snap_id;
CREATE INDEX ON covered (place_id, snap_id);
ANALYZE covered;
-- Distance: 0 inside the occupied area; else the three nearest edge pieces
-- of the snapshot by the index (<-> on geography: sphere distance), then
-- the spheroidal ST_Distance to each, the least of them.
CREATE TABLE result AS
SELECT pl.id AS place_id, s.id AS snap_id,
       CASE WHEN c.occupied THEN 'occupied'
            WHEN c.occupied IS NOT NULL THEN 'contested'
            ELSE 'free' END AS status,
       CASE WHEN c.occupied THEN 0 ELSE nn.km END AS dist_km
FROM place pl
CROSS JOIN snap s
LEFT JOIN covered c ON c.place_id = pl.id AND c.snap_id = s.id
LEFT JOIN LATERAL (
    SELECT min(ST_Distance(k.geog, pl.geog)) / 1000 AS km
    FROM (SELECT e.geog
          FROM edge_piece e
          WHERE e.snap_id = s.id AND c.occupied IS NOT TRUE
          ORDER BY e.geog <-> pl.geog
          LIMIT 3) k
) nn ON true;
