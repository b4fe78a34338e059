-- The dashboard benchmark's cache, bulk-loaded into a SQLite database that `larder serve` created (see run.sh):
-- @paths paths in chains of 5 (each references the one before; each chain's first references one glibc path, which
-- so has @paths / 5 dependents), hash parts scattered over the key space (7919 * i mod a prime above @paths), names
-- of 20,000 packages in versions, accessed one second apart, one push event each; 20 pins of 500 revisions; traffic
-- in every hour of the last 7 days. Bound by the caller: @paths, @cache (the cache's id).
PRAGMA journal_mode = WAL;
BEGIN;
CREATE TEMP TABLE s AS WITH RECURSIVE s (i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < @paths - 1)
  SELECT i, printf('%032d', (i * 7919) % 1000003) AS h, printf('%032d', ((i - 1) * 7919) % 1000003) AS prev,
         'hello-' || (i % 20000) || '-1.' || (i / 20000) AS name,
         'hello-' || ((i - 1) % 20000) || '-1.' || ((i - 1) / 20000) AS prev_name FROM s;
INSERT INTO s VALUES (-1, printf('%032d', 1000003), NULL, 'glibc-2.40', NULL);
INSERT INTO nars (id, nar_hash, nar_size, compression, file_hash, file_size, listing_key, created_at, holders)
  SELECT 1000 + i, 'sha256:n' || h, 40000 + i, 'zstd', 'sha256:f' || h, 10000 + i, NULL, 1700000000000, 1 FROM s;
INSERT INTO paths (cache_id, hash_part, store_path, nar_id, refs, upstream_refs, deriver, signatures, ca, created_at, last_accessed_at, nar_size)
  SELECT @cache, h, '/nix/store/' || h || '-' || name, 1000 + i,
         CASE WHEN i < 0 THEN '' WHEN i % 5 = 0 THEN printf('%032d', 1000003) || '-glibc-2.40' ELSE prev || '-' || prev_name END,
         '', NULL, 'k-1:c2ln', NULL, 1700000000000, (1700000000 + i) * 1000, 40000 + i FROM s;
INSERT INTO path_refs (cache_id, ref_hash_part, hash_part)
  SELECT @cache, CASE WHEN i % 5 = 0 THEN printf('%032d', 1000003) ELSE prev END, h FROM s WHERE i >= 0;
INSERT INTO events (cache_id, kind, store_path, token_id, at, reason)
  SELECT @cache, 'push', '/nix/store/' || h || '-' || name, NULL, 1700000000000 + i * 1000, NULL FROM s ORDER BY i;
INSERT INTO pins (cache_id, name, keep_revisions, keep_days, keep_forever, created_at)
  WITH RECURSIVE n (k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 19) SELECT @cache, 'pin-' || k, NULL, NULL, 0, 1700000000000 FROM n;
INSERT INTO pin_revisions (pin_id, number, store_path, artifact, token_id, note, created_at, superseded_at, released_at)
  SELECT p.id, s.i / 20 + 1, '/nix/store/' || s.h || '-' || s.name, NULL, NULL, NULL, 1700000000000 + s.i * 1000,
         CASE WHEN s.i / 20 < 499 THEN 1700000000000 + (s.i + 20) * 1000 END, NULL
  FROM s JOIN pins p ON p.cache_id = @cache AND p.name = 'pin-' || (s.i % 20) WHERE s.i >= 0 AND s.i < 10000 ORDER BY s.i;
INSERT INTO traffic_hours (cache_id, hour_start, narinfo_hits, narinfo_misses, nar_requests, nar_bytes)
  WITH RECURSIVE n (k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 167)
  SELECT @cache, (unixepoch() / 3600 - k) * 3600000, 5000 + k * 37 % 3000, 300 + k * 13 % 500, 900 + k * 7 % 400, (900 + k * 7 % 400) * 2000000 FROM n;
COMMIT;
ANALYZE;
