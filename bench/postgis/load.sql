-- load.sql - PostGIS peer, step 1: the exported inputs into tables (run
-- with psql from the export folder: \copy reads places.csv, snapshots.csv,
-- polygons.csv there). Afterwards the geometries are loaded: the timed
-- kernel starts with prep.sql.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS btree_gist;
DROP TABLE IF EXISTS place, snap, poly CASCADE;
CREATE TABLE place (id int PRIMARY KEY, name text, lat float8, lon float8);
CREATE TABLE snap (id int PRIMARY KEY, source text, published date,
                   as_of date);
-- WKB in hex is geometry's text input; SRID set below.
CREATE TABLE poly (snap_id int NOT NULL, cls int NOT NULL, geom geometry);
\copy place FROM 'places.csv' WITH (FORMAT csv, HEADER true)
\copy snap FROM 'snapshots.csv' WITH (FORMAT csv, HEADER true)
\copy poly FROM 'polygons.csv' WITH (FORMAT csv, HEADER true)
ALTER TABLE poly ALTER COLUMN geom TYPE geometry(Geometry, 4326)
    USING ST_SetSRID(geom, 4326);
ALTER TABLE place ADD COLUMN geom geometry(Point, 4326);
UPDATE place SET geom = ST_SetSRID(ST_MakePoint(lon, lat), 4326);
ALTER TABLE place ADD COLUMN geog geography(Point, 4326);
UPDATE place SET geog = geom::geography;
VACUUM ANALYZE place;
VACUUM ANALYZE snap;
VACUUM ANALYZE poly;
