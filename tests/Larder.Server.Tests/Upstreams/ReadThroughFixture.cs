namespace Larder.Server.Tests.Upstreams;

/// <summary>
/// The read-through server of <see cref="ReadThroughTests"/>: a real in-process Larder whose upstream timeout is short and
/// that protects no recent push from garbage collection.
/// </summary>
public sealed class ReadThroughFixture : IAsyncLifetime
{
    /// <summary>The configured <c>Larder:Upstreams:Timeout</c>.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private LarderApplication? _app;

    public LarderApplication App => _app ?? throw new InvalidOperationException("not started");

    // No recent-push protection, so that garbage collection can take what was just stored from an upstream.
    public async Task InitializeAsync() => _app = await LarderApplication.StartAsync(
        args: [$"--Larder:Upstreams:Timeout={Timeout:c}", "--Larder:Retention:RecentPushProtection=00:00:00"]);

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
