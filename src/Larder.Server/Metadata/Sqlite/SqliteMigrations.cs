namespace Larder.Server.Metadata.Sqlite;

/// <summary>
/// The SQLite schema, as numbered scripts applied in order by <see cref="Relational.RelationalMetadataStore.MigrateAsync"/> and
/// recorded in <c>schema_migrations</c>. Never edit a published script: add the next one.
/// Times are Unix milliseconds (UTC); lists of base names and signatures are space-separated, as in a narinfo.
/// </summary>
internal static class SqliteMigrations
{
    public static readonly IReadOnlyList<(int Version, string Sql)> All =
    [
        (1, """
            CREATE TABLE caches (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                is_public INTEGER NOT NULL,
                priority INTEGER NOT NULL,
                store_dir TEXT NOT NULL,
                signing_key TEXT NOT NULL,
                upstream_key_names TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );

            CREATE TABLE nars (
                id INTEGER PRIMARY KEY,
                nar_hash TEXT NOT NULL UNIQUE,
                nar_size INTEGER NOT NULL,
                compression TEXT NOT NULL,
                file_hash TEXT NOT NULL,
                file_size INTEGER NOT NULL,
                listing_key TEXT,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX nars_by_file_hash ON nars (file_hash);
            CREATE INDEX nars_by_listing_key ON nars (listing_key) WHERE listing_key IS NOT NULL;

            CREATE TABLE nar_chunks (
                nar_id INTEGER NOT NULL REFERENCES nars (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                hash TEXT NOT NULL,
                storage_key TEXT NOT NULL,
                size INTEGER NOT NULL,
                stored_hash TEXT NOT NULL,
                stored_size INTEGER NOT NULL,
                compression TEXT NOT NULL,
                PRIMARY KEY (nar_id, seq)
            ) WITHOUT ROWID;
            CREATE INDEX nar_chunks_by_storage_key ON nar_chunks (storage_key);

            CREATE TABLE paths (
                cache_id INTEGER NOT NULL REFERENCES caches (id) ON DELETE CASCADE,
                hash_part TEXT NOT NULL,
                store_path TEXT NOT NULL,
                nar_id INTEGER NOT NULL REFERENCES nars (id),
                refs TEXT NOT NULL,
                deriver TEXT,
                signatures TEXT NOT NULL,
                ca TEXT,
                created_at INTEGER NOT NULL,
                last_accessed_at INTEGER NOT NULL,
                PRIMARY KEY (cache_id, hash_part)
            ) WITHOUT ROWID;
            CREATE INDEX paths_by_nar ON paths (nar_id, cache_id);

            CREATE TABLE staged_nars (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                cache_id INTEGER NOT NULL REFERENCES caches (id) ON DELETE CASCADE,
                upload_url TEXT NOT NULL,
                upload_file_hash TEXT NOT NULL,
                upload_file_size INTEGER NOT NULL,
                nar_hash TEXT NOT NULL,
                nar_size INTEGER NOT NULL,
                file_hash TEXT NOT NULL,
                file_size INTEGER NOT NULL,
                listing_key TEXT,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX staged_nars_by_url ON staged_nars (cache_id, upload_url, id);
            CREATE INDEX staged_nars_by_created ON staged_nars (created_at);
            CREATE INDEX staged_nars_by_listing_key ON staged_nars (listing_key) WHERE listing_key IS NOT NULL;

            CREATE TABLE staged_chunks (
                staged_id INTEGER NOT NULL REFERENCES staged_nars (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                hash TEXT NOT NULL,
                storage_key TEXT NOT NULL,
                size INTEGER NOT NULL,
                stored_hash TEXT NOT NULL,
                stored_size INTEGER NOT NULL,
                compression TEXT NOT NULL,
                PRIMARY KEY (staged_id, seq)
            ) WITHOUT ROWID;
            CREATE INDEX staged_chunks_by_storage_key ON staged_chunks (storage_key);

            CREATE TABLE build_logs (
                cache_id INTEGER NOT NULL REFERENCES caches (id) ON DELETE CASCADE,
                drv_name TEXT NOT NULL,
                storage_key TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                PRIMARY KEY (cache_id, drv_name)
            ) WITHOUT ROWID;
            CREATE INDEX build_logs_by_storage_key ON build_logs (storage_key);

            CREATE TABLE events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                cache_id INTEGER NOT NULL REFERENCES caches (id) ON DELETE CASCADE,
                kind TEXT NOT NULL,
                store_path TEXT NOT NULL,
                token_id INTEGER,
                at INTEGER NOT NULL
            );
            CREATE INDEX events_by_cache ON events (cache_id, id);

            CREATE TABLE tokens (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                description TEXT NOT NULL,
                secret_hash TEXT NOT NULL UNIQUE,
                grants TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER,
                revoked_at INTEGER
            );
            """),
        (2, """
            CREATE TABLE chunks (
                id INTEGER PRIMARY KEY,
                hash TEXT NOT NULL UNIQUE,
                storage_key TEXT NOT NULL UNIQUE,
                size INTEGER NOT NULL,
                stored_hash TEXT NOT NULL,
                stored_size INTEGER NOT NULL,
                compression TEXT NOT NULL,
                holders INTEGER NOT NULL,
                released_at INTEGER,
                created_at INTEGER NOT NULL
            );
            CREATE INDEX chunks_released ON chunks (released_at) WHERE holders = 0;
            INSERT INTO chunks (hash, storage_key, size, stored_hash, stored_size, compression, holders, released_at, created_at)
            SELECT hash, MIN(storage_key), MIN(size), MIN(stored_hash), MIN(stored_size), MIN(compression), 0, NULL,
                   CAST(strftime('%s', 'now') AS INTEGER) * 1000
            FROM (SELECT hash, storage_key, size, stored_hash, stored_size, compression FROM nar_chunks
                  UNION ALL SELECT hash, storage_key, size, stored_hash, stored_size, compression FROM staged_chunks)
            GROUP BY hash;

            CREATE TABLE nar_chunks_v2 (
                nar_id INTEGER NOT NULL REFERENCES nars (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                chunk_id INTEGER NOT NULL REFERENCES chunks (id),
                PRIMARY KEY (nar_id, seq)
            ) WITHOUT ROWID;
            INSERT INTO nar_chunks_v2 (nar_id, seq, chunk_id) SELECT o.nar_id, o.seq, c.id FROM nar_chunks o JOIN chunks c ON c.hash = o.hash;
            DROP TABLE nar_chunks;
            ALTER TABLE nar_chunks_v2 RENAME TO nar_chunks;
            CREATE INDEX nar_chunks_by_chunk ON nar_chunks (chunk_id);

            CREATE TABLE staged_chunks_v2 (
                staged_id INTEGER NOT NULL REFERENCES staged_nars (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                chunk_id INTEGER NOT NULL REFERENCES chunks (id),
                PRIMARY KEY (staged_id, seq)
            ) WITHOUT ROWID;
            INSERT INTO staged_chunks_v2 (staged_id, seq, chunk_id) SELECT o.staged_id, o.seq, c.id FROM staged_chunks o JOIN chunks c ON c.hash = o.hash;
            DROP TABLE staged_chunks;
            ALTER TABLE staged_chunks_v2 RENAME TO staged_chunks;
            CREATE INDEX staged_chunks_by_chunk ON staged_chunks (chunk_id);

            UPDATE chunks SET holders = (SELECT COUNT(*) FROM nar_chunks WHERE chunk_id = chunks.id)
                + (SELECT COUNT(*) FROM staged_chunks WHERE chunk_id = chunks.id);

            ALTER TABLE nars ADD COLUMN holders INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE nars ADD COLUMN released_at INTEGER;
            UPDATE nars SET holders = (SELECT COUNT(*) FROM paths WHERE paths.nar_id = nars.id);
            UPDATE nars SET released_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 WHERE holders = 0;
            CREATE INDEX nars_released ON nars (released_at) WHERE holders = 0;

            ALTER TABLE paths ADD COLUMN upstream_refs TEXT NOT NULL DEFAULT '';
            CREATE TABLE path_refs (
                cache_id INTEGER NOT NULL,
                ref_hash_part TEXT NOT NULL,
                hash_part TEXT NOT NULL,
                PRIMARY KEY (cache_id, ref_hash_part, hash_part),
                FOREIGN KEY (cache_id, hash_part) REFERENCES paths (cache_id, hash_part) ON DELETE CASCADE
            ) WITHOUT ROWID;
            CREATE INDEX path_refs_by_referrer ON path_refs (cache_id, hash_part);
            WITH RECURSIVE split (cache_id, hash_part, rest, ref) AS (
                SELECT cache_id, hash_part, refs || ' ', NULL FROM paths
                UNION ALL
                SELECT cache_id, hash_part, substr(rest, instr(rest, ' ') + 1), substr(rest, 1, instr(rest, ' ') - 1)
                FROM split WHERE rest <> ''
            )
            INSERT OR IGNORE INTO path_refs (cache_id, ref_hash_part, hash_part)
            SELECT cache_id, substr(ref, 1, 32), hash_part FROM split
            WHERE ref IS NOT NULL AND ref <> '' AND substr(ref, 1, 32) <> hash_part;

            CREATE TABLE blob_deletions (
                storage_key TEXT PRIMARY KEY,
                due_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX blob_deletions_by_due ON blob_deletions (due_at);

            ALTER TABLE events ADD COLUMN reason TEXT;

            CREATE TABLE leases (
                name TEXT PRIMARY KEY,
                holder TEXT NOT NULL,
                expires_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        (3, """
            ALTER TABLE tokens ADD COLUMN created_by INTEGER REFERENCES tokens (id);
            ALTER TABLE tokens ADD COLUMN last_used_at INTEGER;
            CREATE INDEX tokens_by_creator ON tokens (created_by) WHERE created_by IS NOT NULL;

            CREATE TABLE first_start (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                done_at INTEGER NOT NULL
            );
            INSERT INTO first_start (id, done_at) SELECT 1, created_at FROM tokens ORDER BY id LIMIT 1;
            """),
        (4, """
            ALTER TABLE nars ADD COLUMN previous_file_hash TEXT;
            CREATE INDEX nars_by_previous_file_hash ON nars (previous_file_hash) WHERE previous_file_hash IS NOT NULL;
            """),
        (5, """
            ALTER TABLE caches ADD COLUMN retention_days INTEGER;
            ALTER TABLE caches ADD COLUMN max_size_bytes INTEGER;
            CREATE INDEX paths_by_access ON paths (cache_id, last_accessed_at, hash_part);
            """),
        (6, """
            CREATE TABLE oidc_policies (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                name TEXT NOT NULL UNIQUE,
                issuer TEXT NOT NULL,
                audience TEXT NOT NULL,
                conditions TEXT NOT NULL,
                grants TEXT NOT NULL,
                lifetime_seconds INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                created_by INTEGER REFERENCES tokens (id)
            );
            CREATE INDEX oidc_policies_by_issuer ON oidc_policies (issuer);

            CREATE TABLE token_events (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                token_id INTEGER REFERENCES tokens (id),
                kind TEXT NOT NULL,
                at INTEGER NOT NULL,
                detail TEXT
            );
            CREATE INDEX token_events_by_token ON token_events (token_id, kind, at);
            """),
        (7, """
            CREATE TABLE pins (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                cache_id INTEGER NOT NULL REFERENCES caches (id) ON DELETE CASCADE,
                name TEXT NOT NULL,
                keep_revisions INTEGER,
                keep_days INTEGER,
                keep_forever INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                UNIQUE (cache_id, name)
            );

            CREATE TABLE pin_revisions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                pin_id INTEGER NOT NULL REFERENCES pins (id) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                store_path TEXT NOT NULL,
                artifact TEXT,
                token_id INTEGER REFERENCES tokens (id),
                note TEXT,
                created_at INTEGER NOT NULL,
                superseded_at INTEGER,
                released_at INTEGER,
                UNIQUE (pin_id, number)
            );

            CREATE TABLE pinned_paths (
                cache_id INTEGER NOT NULL,
                hash_part TEXT NOT NULL,
                revision_id INTEGER NOT NULL REFERENCES pin_revisions (id) ON DELETE CASCADE,
                PRIMARY KEY (cache_id, hash_part, revision_id)
            ) WITHOUT ROWID;
            CREATE INDEX pinned_paths_by_revision ON pinned_paths (revision_id);

            CREATE TABLE pin_versions (
                cache_id INTEGER PRIMARY KEY REFERENCES caches (id) ON DELETE CASCADE,
                version INTEGER NOT NULL,
                changed_at INTEGER NOT NULL
            );
            """),
        (8, """
            ALTER TABLE caches ADD COLUMN upstream_urls TEXT NOT NULL DEFAULT '';
            ALTER TABLE caches ADD COLUMN upstream_keys TEXT NOT NULL DEFAULT '';
            ALTER TABLE caches ADD COLUMN upstream_mode TEXT NOT NULL DEFAULT 'store';
            ALTER TABLE paths ADD COLUMN origin TEXT;
            """),
        (9, """
            CREATE TABLE artifacts (
                id INTEGER PRIMARY KEY,
                cache_id INTEGER NOT NULL REFERENCES caches (id) ON DELETE CASCADE,
                key TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size INTEGER NOT NULL,
                stored_size INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                last_used_at INTEGER NOT NULL
            );
            CREATE INDEX artifacts_by_key ON artifacts (cache_id, key, created_at);

            CREATE TABLE artifact_chunks (
                artifact_id INTEGER NOT NULL REFERENCES artifacts (id) ON DELETE CASCADE,
                seq INTEGER NOT NULL,
                chunk_id INTEGER NOT NULL REFERENCES chunks (id),
                PRIMARY KEY (artifact_id, seq)
            ) WITHOUT ROWID;
            CREATE INDEX artifact_chunks_by_chunk ON artifact_chunks (chunk_id);

            CREATE TABLE artifact_retention (
                cache_id INTEGER PRIMARY KEY REFERENCES caches (id) ON DELETE CASCADE,
                keep_per_key INTEGER,
                max_age_days INTEGER,
                max_total_bytes INTEGER
            );
            """),
        (10, """
            CREATE TABLE upload_sessions (
                id TEXT PRIMARY KEY,
                cache_id INTEGER NOT NULL REFERENCES caches (id) ON DELETE CASCADE,
                request TEXT NOT NULL,
                received INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                touched_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX upload_sessions_by_touched ON upload_sessions (touched_at);
            CREATE INDEX upload_sessions_by_cache ON upload_sessions (cache_id);

            CREATE TABLE upload_parts (
                session_id TEXT NOT NULL REFERENCES upload_sessions (id) ON DELETE CASCADE,
                start_offset INTEGER NOT NULL,
                size INTEGER NOT NULL,
                storage_key TEXT NOT NULL,
                PRIMARY KEY (session_id, start_offset)
            ) WITHOUT ROWID;
            """),
        (11, """
            CREATE INDEX events_by_store_path ON events (cache_id, store_path, id);
            """),
        (12, """
            ALTER TABLE chunks ADD COLUMN pack_key TEXT;
            ALTER TABLE chunks ADD COLUMN pack_offset INTEGER;
            CREATE INDEX chunks_by_pack ON chunks (pack_key) WHERE pack_key IS NOT NULL;
            """),
        (13, """
            CREATE INDEX paths_by_name ON paths (cache_id, substr(store_path, instr(store_path, hash_part) + 33));
            """),
        (14, """
            CREATE TABLE traffic_hours (
                cache_id INTEGER NOT NULL REFERENCES caches (id) ON DELETE CASCADE,
                hour_start INTEGER NOT NULL,
                narinfo_hits INTEGER NOT NULL,
                narinfo_misses INTEGER NOT NULL,
                nar_requests INTEGER NOT NULL,
                nar_bytes INTEGER NOT NULL,
                PRIMARY KEY (cache_id, hour_start)
            ) WITHOUT ROWID;
            CREATE INDEX traffic_hours_by_hour ON traffic_hours (hour_start);

            ALTER TABLE paths ADD COLUMN nar_size INTEGER NOT NULL DEFAULT 0;
            UPDATE paths SET nar_size = (SELECT n.nar_size FROM nars n WHERE n.id = paths.nar_id);
            CREATE INDEX paths_by_nar_size ON paths (cache_id, nar_size DESC, hash_part);
            """),
        (15, """
            CREATE TABLE cache_stats (
                cache_id INTEGER PRIMARY KEY REFERENCES caches (id) ON DELETE CASCADE,
                path_count INTEGER NOT NULL,
                nar_bytes INTEGER NOT NULL,
                stored_bytes INTEGER NOT NULL
            );
            INSERT INTO cache_stats (cache_id, path_count, nar_bytes, stored_bytes)
            SELECT c.id, COUNT(p.hash_part), COALESCE(SUM(n.nar_size), 0), COALESCE(SUM(n.file_size), 0)
            FROM caches c LEFT JOIN paths p ON p.cache_id = c.id LEFT JOIN nars n ON n.id = p.nar_id GROUP BY c.id;

            CREATE TRIGGER cache_stats_for_new_cache AFTER INSERT ON caches BEGIN
                INSERT INTO cache_stats (cache_id, path_count, nar_bytes, stored_bytes) VALUES (NEW.id, 0, 0, 0);
            END;
            CREATE TRIGGER cache_stats_path_added AFTER INSERT ON paths BEGIN
                UPDATE cache_stats SET path_count = path_count + 1,
                    nar_bytes = nar_bytes + (SELECT nar_size FROM nars WHERE id = NEW.nar_id),
                    stored_bytes = stored_bytes + (SELECT file_size FROM nars WHERE id = NEW.nar_id)
                WHERE cache_id = NEW.cache_id;
            END;
            CREATE TRIGGER cache_stats_path_removed AFTER DELETE ON paths BEGIN
                UPDATE cache_stats SET path_count = path_count - 1,
                    nar_bytes = nar_bytes - (SELECT nar_size FROM nars WHERE id = OLD.nar_id),
                    stored_bytes = stored_bytes - (SELECT file_size FROM nars WHERE id = OLD.nar_id)
                WHERE cache_id = OLD.cache_id;
            END;
            CREATE TRIGGER cache_stats_nar_resized AFTER UPDATE OF nar_size, file_size ON nars BEGIN
                UPDATE cache_stats SET
                    nar_bytes = nar_bytes + (NEW.nar_size - OLD.nar_size) * (SELECT COUNT(*) FROM paths p WHERE p.nar_id = NEW.id AND p.cache_id = cache_stats.cache_id),
                    stored_bytes = stored_bytes + (NEW.file_size - OLD.file_size) * (SELECT COUNT(*) FROM paths p WHERE p.nar_id = NEW.id AND p.cache_id = cache_stats.cache_id)
                WHERE cache_id IN (SELECT cache_id FROM paths WHERE nar_id = NEW.id);
            END;
            """),
        (17, """
            -- Size changes go in as rows of their own (folded into cache_stats periodically), as on PostgreSQL.
            CREATE TABLE cache_stat_deltas (
                cache_id INTEGER NOT NULL REFERENCES caches (id) ON DELETE CASCADE,
                path_count INTEGER NOT NULL,
                nar_bytes INTEGER NOT NULL,
                stored_bytes INTEGER NOT NULL
            );
            CREATE INDEX cache_stat_deltas_by_cache ON cache_stat_deltas (cache_id);

            DROP TRIGGER cache_stats_path_added;
            DROP TRIGGER cache_stats_path_removed;
            DROP TRIGGER cache_stats_nar_resized;
            CREATE TRIGGER cache_stats_path_added AFTER INSERT ON paths BEGIN
                INSERT INTO cache_stat_deltas (cache_id, path_count, nar_bytes, stored_bytes)
                SELECT NEW.cache_id, 1, nar_size, file_size FROM nars WHERE id = NEW.nar_id;
            END;
            CREATE TRIGGER cache_stats_path_removed AFTER DELETE ON paths BEGIN
                INSERT INTO cache_stat_deltas (cache_id, path_count, nar_bytes, stored_bytes)
                SELECT OLD.cache_id, -1, -nar_size, -file_size FROM nars WHERE id = OLD.nar_id;
            END;
            CREATE TRIGGER cache_stats_nar_resized AFTER UPDATE OF nar_size, file_size ON nars
                WHEN NEW.nar_size <> OLD.nar_size OR NEW.file_size <> OLD.file_size BEGIN
                INSERT INTO cache_stat_deltas (cache_id, path_count, nar_bytes, stored_bytes)
                SELECT p.cache_id, 0, (NEW.nar_size - OLD.nar_size) * COUNT(*), (NEW.file_size - OLD.file_size) * COUNT(*)
                FROM paths p WHERE p.nar_id = NEW.id GROUP BY p.cache_id;
            END;
            """),
        (18, """
            -- Small packs kept in the database, committed with the chunk rows that name them (Storage/Inline).
            CREATE TABLE inline_blobs (
                storage_key TEXT PRIMARY KEY,
                size INTEGER NOT NULL,
                bytes BLOB NOT NULL,
                created_at INTEGER NOT NULL
            );
            """),
    ];
}
