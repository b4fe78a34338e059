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
    ];
}
