using Larder.Server.Tests.EndToEnd;
using Larder.Testing;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>
/// Real <c>larder serve</c> processes on one choice of backends (<c>sqlite</c>|<c>postgres</c> × <c>folder</c>|<c>s3</c>).
/// With PostgreSQL and S3 every replica shares the database and the bucket (each has its own data directory, which
/// then holds nothing shared); with SQLite or a folder only one replica makes sense.
/// </summary>
public sealed class ScaleOutCluster : IAsyncDisposable
{
    private readonly List<LarderServerProcess> _servers = [];
    private readonly List<TempDirectory> _dataDirs = [];
    private readonly TempDirectory _shared = new("larder-cluster");

    private ScaleOutCluster(string database, string storage, PostgresTestDatabase? postgres, S3TestBucket? bucket)
    {
        Database = database;
        Storage = storage;
        Postgres = postgres;
        Bucket = bucket;
    }

    public string Database { get; }

    public string Storage { get; }

    public PostgresTestDatabase? Postgres { get; }

    public S3TestBucket? Bucket { get; }

    /// <summary>Replicas log every request (status and time), so a failing test shows what the servers answered.</summary>
    private static readonly Dictionary<string, string> RequestLogging = new()
    {
        ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information",
    };

    public static async Task<ScaleOutCluster> CreateAsync(string database, string storage) => new(
        database,
        storage,
        database == "postgres" ? await PostgresTestDatabase.CreateAsync() : null,
        storage == "s3" ? await S3TestBucket.CreateAsync() : null);

    /// <summary>The <c>--Larder:…</c> arguments that select this cluster's backends (S3 optionally through <paramref name="s3Url"/>).</summary>
    public List<string> BackendArgs(string? s3Url = null)
    {
        var args = new List<string>();
        if (Postgres is not null)
        {
            args.Add("--Larder:Database:Kind=postgres");
            args.Add($"--Larder:Database:ConnectionString={Postgres.ConnectionString}");
        }
        else
        {
            // SQLite lives in a directory shared by this cluster's replicas (only one is ever started then).
            args.Add($"--Larder:Database:ConnectionString=Data Source={Path.Combine(_shared.Path, "larder.db")}");
        }
        if (Bucket is not null)
        {
            args.AddRange(Bucket.ServerArgs());
            if (s3Url is not null)
            {
                args.Add($"--Larder:Storage:S3:ServiceUrl={s3Url}");
            }
        }
        else
        {
            args.Add($"--Larder:Storage:Folder:Path={Path.Combine(_shared.Path, "blobs")}");
        }
        return args;
    }

    /// <summary>Starts one more replica; the first one also creates the admin token.</summary>
    public async Task<Replica> StartReplicaAsync(string? s3Url = null, IEnumerable<string>? extraArgs = null)
    {
        var data = new TempDirectory("larder-replica");
        _dataDirs.Add(data);
        var server = await LarderServerProcess.StartAsync(data.Path, BackendArgs(s3Url).Concat(extraArgs ?? []), RequestLogging);
        _servers.Add(server);
        var client = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromMinutes(2) };
        return new Replica(server, client, _servers[0].AdminToken);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        foreach (var dir in _dataDirs)
        {
            dir.Dispose();
        }
        _shared.Dispose();
        if (Postgres is not null)
        {
            await Postgres.DisposeAsync();
        }
        if (Bucket is not null)
        {
            await Bucket.DisposeAsync();
        }
    }
}

/// <summary>One running replica, an HTTP client on it, and the cluster's admin API.</summary>
public sealed record Replica(LarderServerProcess Server, HttpClient Client, string AdminToken)
{
    internal LarderAdmin Admin => new(Client, AdminToken);

    public string CacheUrl(string cache) => $"{Server.BaseUrl}/{cache}";
}
