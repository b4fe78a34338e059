using Larder.Server.Configuration;
using Larder.Server.Metadata;
using Larder.Server.Metadata.Postgres;
using Larder.Server.Metadata.Sqlite;
using Larder.Server.Storage;
using Larder.Server.Storage.Folder;
using Larder.Server.Storage.Inline;
using Larder.Server.Storage.S3;
using Microsoft.Data.Sqlite;

namespace Larder.Server;

/// <summary>
/// Builds the metadata and blob stores that <see cref="LarderOptions"/> configure, without a web host: used by
/// <c>larder serve</c> and by the tools that work on its data (<c>larder migrate</c>, <c>larder admin verify</c>).
/// Constructing a store touches no disk and no network; <see cref="IMetadataStore.MigrateAsync"/> and
/// <see cref="IBlobStore.PrepareAsync"/> do that. Configuration errors throw <see cref="LarderConfigurationException"/>.
/// </summary>
public static class LarderStores
{
    /// <summary>The SQLite database file name in the data directory.</summary>
    public const string SqliteFileName = "larder.db";

    /// <summary>The metadata store of <c>Larder:Database</c>.</summary>
    /// <param name="time">The clock the store stamps lifecycle times with (default: the system clock).</param>
    public static IMetadataStore CreateMetadataStore(LarderOptions options, TimeProvider? time = null)
    {
        ValidateMetadataOptions(options);
        return options.Database.Kind.ToLowerInvariant() switch
        {
            "sqlite" => new SqliteMetadataStore(SqliteConnectionString(options), time),
            _ => new PostgresMetadataStore(options.Database.ConnectionString!, time),
        };
    }

    /// <summary>Throws <see cref="LarderConfigurationException"/> when <c>Larder:Database</c> cannot make a store.</summary>
    public static void ValidateMetadataOptions(LarderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (options.Database.Kind.ToLowerInvariant())
        {
            case "sqlite":
                return;
            case "postgres" when string.IsNullOrWhiteSpace(options.Database.ConnectionString):
                throw new LarderConfigurationException("Larder:Database:ConnectionString is required when Larder:Database:Kind is 'postgres'");
            case "postgres":
                return;
            default:
                throw new LarderConfigurationException($"unknown Larder:Database:Kind '{options.Database.Kind}': use 'sqlite' or 'postgres'");
        }
    }

    /// <summary>The blob store of <c>Larder:Storage</c>.</summary>
    public static IBlobStore CreateBlobStore(LarderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Storage.Kind.ToLowerInvariant() switch
        {
            "folder" => new FolderBlobStore(BlobFolder(options)!),
            "s3" => new S3BlobStore(options.Storage.S3),
            _ => throw new LarderConfigurationException($"unknown Larder:Storage:Kind '{options.Storage.Kind}': use 'folder' or 's3'"),
        };
    }

    /// <summary>
    /// The blob store the server reads and writes through: <paramref name="objects"/> (the store of
    /// <see cref="CreateBlobStore"/>) for most blobs, the metadata database's table for inline ones
    /// (<c>Larder:Storage:InlineThreshold</c>).
    /// </summary>
    public static InlineBlobStore WithInlineBlobs(IBlobStore objects, IMetadataStore metadata, LarderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new InlineBlobStore(objects, metadata, options.Storage.InlineThreshold);
    }

    /// <summary>The SQLite database file the options name, or null when the metadata is not in SQLite.</summary>
    public static string? SqliteFile(LarderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Database.Kind.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        return Path.GetFullPath(string.IsNullOrWhiteSpace(options.Database.ConnectionString)
            ? Path.Combine(options.DataDir, SqliteFileName)
            : new SqliteConnectionStringBuilder(options.Database.ConnectionString).DataSource);
    }

    /// <summary>The blob folder the options name, or null when blobs are not in a folder.</summary>
    public static string? BlobFolder(LarderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Storage.Kind.Equals("folder", StringComparison.OrdinalIgnoreCase)
            ? Path.GetFullPath(options.Storage.Folder.Path ?? Path.Combine(options.DataDir, "blobs"))
            : null;
    }

    private static string SqliteConnectionString(LarderOptions options) =>
        string.IsNullOrWhiteSpace(options.Database.ConnectionString)
            ? $"Data Source={SqliteFile(options)}"
            : options.Database.ConnectionString;
}
