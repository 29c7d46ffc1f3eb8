-- naive.sql - PostGIS as a newcomer writes it: every place with every
-- polygon of every snapshot, geography distance to whole polygons (0
-- inside), no pieces, no KNN. The same answers, slowly; the benchmark runs
-- it on the first snapshots only (table snap_subset) and scales the time.
DROP TABLE IF EXISTS naive_result;
CREATE TABLE naive_result AS
SELECT pl.id AS place_id, s.id AS snap_id,
       CASE WHEN bool_or(p.cls IN (1, 2) AND ST_Covers(p.geom, pl.geom))
                THEN 'occupied'
            WHEN bool_or(p.cls = 3 AND ST_Covers(p.geom, pl.geom))
                THEN 'contested'
            ELSE 'free' END AS status,
       min(ST_Distance(p.geom::geography, pl.geom::geography))
           FILTER (WHERE p.cls IN (1, 2)) / 1000 AS dist_km
FROM place pl
CROSS JOIN snap_subset s
JOIN poly p ON p.snap_id = s.id
GROUP BY pl.id, s.id;
