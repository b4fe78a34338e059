using System.Diagnostics;
using Larder.Contracts.Tokens;
using Larder.Server.BinaryCache.Serving;
using Larder.Testing;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>Two in-process replicas on one fresh PostgreSQL database and one blob folder.</summary>
public sealed class TwoReplicas : IAsyncDisposable
{
    /// <summary>
    /// Half the memory's maximum age (<see cref="NarInfoMemory.MaxAge"/>): a change seen on the other replica later
    /// than this came from the age bound, not from the notice.
    /// </summary>
    public static readonly TimeSpan NoticeBound = NarInfoMemory.MaxAge / 2;

    private readonly PostgresTestDatabase _database;
    private readonly TempDirectory _shared;

    private TwoReplicas(PostgresTestDatabase database, TempDirectory shared, LarderApplication a, LarderApplication b)
    {
        (_database, _shared, A, B) = (database, shared, a, b);
    }

    public LarderApplication A { get; }

    public LarderApplication B { get; }

    public static async Task<TwoReplicas> StartAsync()
    {
        var database = await PostgresTestDatabase.CreateAsync();
        var shared = new TempDirectory("larder-replicas");
        string[] args =
        [
            "--Larder:Database:Kind=postgres",
            $"--Larder:Database:ConnectionString={database.ConnectionString}",
            $"--Larder:Storage:Folder:Path={Path.Combine(shared.Path, "blobs")}",
        ];
        var a = await LarderApplication.StartAsync(Path.Combine(shared.Path, "a"), args);
        // Only the first start creates the admin token; the second replica reads the same one.
        var dataB = Directory.CreateDirectory(Path.Combine(shared.Path, "b")).FullName;
        File.Copy(Path.Combine(a.DataDir, "admin-token"), Path.Combine(dataB, "admin-token"));
        var b = await LarderApplication.StartAsync(dataB, args);
        return new TwoReplicas(database, shared, a, b);
    }

    /// <summary>A public cache, created through replica A, and a client that may write to it through A.</summary>
    public async Task<(string Cache, HttpClient Writer)> PublicCacheOnAAsync()
    {
        var cache = await A.CreateCacheAsync("rep-" + Guid.NewGuid().ToString("N")[..16], isPublic: true);
        var (secret, _) = await A.CreateTokenAsync(new GrantDto(cache.Name, ["read", "write"]));
        return (cache.Name, A.CreateClient(secret));
    }

    /// <summary>Whether <paramref name="condition"/> holds, tried every 20 ms, within <see cref="NoticeBound"/>.</summary>
    public static async Task<bool> HoldsWithinNoticeBoundAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            if (await condition())
            {
                return true;
            }
            await Task.Delay(20);
        }
        while (clock.Elapsed < NoticeBound);
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        await B.DisposeAsync();
        await A.DisposeAsync();
        await _database.DisposeAsync();
        _shared.Dispose();
    }
}
