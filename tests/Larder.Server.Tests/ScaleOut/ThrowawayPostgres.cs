using Larder.Testing;
using Npgsql;

namespace Larder.Server.Tests.ScaleOut;

/// <summary>
/// A PostgreSQL 15 cluster of this test's own (initdb in a temp folder, a free port, trust auth), so a fault test can
/// stop and restart it without disturbing the shared test server. Stopped and deleted on dispose.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly TempDirectory _dir;

    private ThrowawayPostgres(TempDirectory dir, int port)
    {
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5";

    private string DataDir => Path.Combine(_dir.Path, "data");

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var dir = new TempDirectory("larder-pg");
        var pg = new ThrowawayPostgres(dir, FreePort.Next());
        await RunAsync("chown", ["postgres:postgres", dir.Path]);
        await pg.AsPostgresAsync("initdb", "-D", pg.DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync");
        await pg.StartServerAsync();
        return pg;
    }

    /// <summary>
    /// Stops the server: <c>fast</c> terminates sessions with 57P01 (a session that was just granted a lock may still
    /// finish its query); <c>immediate</c> kills every backend at once, as a crash would.
    /// </summary>
    public Task StopAsync(string mode = "fast") => AsPostgresAsync("pg_ctl", "-D", DataDir, "-m", mode, "-w", "stop");

    public Task StartServerAsync() => AsPostgresAsync(
        "pg_ctl", "-D", DataDir, "-l", Path.Combine(_dir.Path, "server.log"), "-w",
        "-o", $"-p {Port} -k {_dir.Path} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    /// <summary>Waits until some session of this cluster is blocked on a lock (a query of the code under test is in flight).</summary>
    public async Task WaitForLockWaiterAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync();
        for (var i = 0; i < 600; i++)
        {
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock';", connection);
            if ((long)(await command.ExecuteScalarAsync())! > 0)
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("no query started waiting on the lock within 30 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
        {
            await AsPostgresAsync("pg_ctl", "-D", DataDir, "-m", "immediate", "-w", "stop");
        }
        _dir.Dispose();
    }

    private Task AsPostgresAsync(string tool, params string[] args) =>
        RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(Bin, tool), .. args]);

    private static async Task RunAsync(string exe, string[] args)
    {
        var result = await ProcessRunner.RunAsync(exe, args, new ProcessOptions { Timeout = TimeSpan.FromSeconds(60) });
        result.EnsureSuccess();
    }
}
