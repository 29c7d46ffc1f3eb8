-- prep.sql - PostGIS peer, step 2 (timed with query.sql as the kernel):
-- the structures an expert builds before asking.
--
-- Point-in-polygon: a GiST index on the places, so that each polygon
-- probes it for the places in its box and tests them one after the other
-- with ST_Covers, which then runs on PostGIS's cached prepared form of
-- that polygon (faster here than cutting the polygons with ST_Subdivide:
-- 1.4 s against 9 s just to cut them).
DROP TABLE IF EXISTS edge_piece CASCADE;
CREATE INDEX IF NOT EXISTS place_geom ON place USING gist (geom);
-- Distance: outside the occupied area (occupied plus occupied before 2022)
-- the distance to it is the distance to its edges. The edges cut into
-- pieces of at most 16 vertices (ST_Subdivide; 16 beat 64 and 256 in the
-- query by 2x and 5x, and single segments by little), as geography (great-circle edges,
-- spheroidal distance), indexed by snapshot and position together
-- (btree_gist), for a KNN (<->) search of the nearest pieces.
CREATE TABLE edge_piece AS
    SELECT snap_id, ST_Subdivide(ST_Boundary(geom), 16)::geography AS geog
    FROM poly
    WHERE cls IN (1, 2);
CREATE INDEX edge_piece_snap_geog ON edge_piece USING gist (snap_id, geog);
ANALYZE place;
ANALYZE edge_piece;
