-- The dashboard benchmark's cache, bulk-loaded into a PostgreSQL database that `larder serve` created (see run.sh):
-- the same shape as load-sqlite.sql. Set by the caller (psql -v): paths, cache (the cache's id).
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE s AS
  SELECT i, lpad(((i * 7919) % 1000003)::text, 32, '0') AS h, lpad((((i - 1) * 7919) % 1000003)::text, 32, '0') AS prev,
         'hello-' || (i % 20000) || '-1.' || (i / 20000) AS name,
         'hello-' || ((i - 1) % 20000) || '-1.' || ((i - 1) / 20000) AS prev_name
  FROM generate_series(0::bigint, :paths - 1) AS i;
INSERT INTO s VALUES (-1, lpad('1000003', 32, '0'), NULL, 'glibc-2.40', NULL);
INSERT INTO nars (id, nar_hash, nar_size, compression, file_hash, file_size, listing_key, created_at, holders)
  SELECT 1000 + i, 'sha256:n' || h, 40000 + i, 'zstd', 'sha256:f' || h, 10000 + i, NULL, to_timestamp(1700000000), 1 FROM s;
SELECT setval(pg_get_serial_sequence('nars', 'id'), (SELECT max(id) FROM nars));
INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, upstream_refs, deriver, signatures, ca, created_at, last_accessed_at, nar_size)
  SELECT :cache, h, '/nix/store/' || h || '-' || name, 1000 + i,
         CASE WHEN i < 0 THEN '{}'::text[] WHEN i % 5 = 0 THEN ARRAY[lpad('1000003', 32, '0') || '-glibc-2.40'] ELSE ARRAY[prev || '-' || prev_name] END,
         '{}', NULL, ARRAY['k-1:c2ln'], NULL, to_timestamp(1700000000), to_timestamp(1700000000 + i), 40000 + i FROM s;
INSERT INTO path_refs (cache_id, ref_hash_part, hash_part)
  SELECT :cache, CASE WHEN i % 5 = 0 THEN lpad('1000003', 32, '0') ELSE prev END, h FROM s WHERE i >= 0;
INSERT INTO events (cache_id, kind, store_path, token_id, at, reason)
  SELECT :cache, 'push', '/nix/store/' || h || '-' || name, NULL, to_timestamp(1700000000 + i), NULL FROM s ORDER BY i;
INSERT INTO pins (cache_id, name, keep_revisions, keep_days, keep_forever, created_at)
  SELECT :cache, 'pin-' || k, NULL, NULL, false, to_timestamp(1700000000) FROM generate_series(0, 19) AS k;
INSERT INTO pin_revisions (pin_id, number, store_path, artifact, token_id, note, created_at, superseded_at, released_at)
  SELECT p.id, s.i / 20 + 1, '/nix/store/' || s.h || '-' || s.name, NULL, NULL, NULL, to_timestamp(1700000000 + s.i),
         CASE WHEN s.i / 20 < 499 THEN to_timestamp(1700000000 + s.i + 20) END, NULL
  FROM s JOIN pins p ON p.cache_id = :cache AND p.name = 'pin-' || (s.i % 20) WHERE s.i >= 0 AND s.i < 10000 ORDER BY s.i;
INSERT INTO traffic_hours (cache_id, hour_start, narinfo_hits, narinfo_misses, nar_requests, nar_bytes)
  SELECT :cache, date_trunc('hour', now()) - k * interval '1 hour', 5000 + k * 37 % 3000, 300 + k * 13 % 500, 900 + k * 7 % 400, (900 + k * 7 % 400) * 2000000::bigint
  FROM generate_series(0, 167) AS k;
COMMIT;
ANALYZE;
