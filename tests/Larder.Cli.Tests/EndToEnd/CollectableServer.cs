using Larder.Testing;

namespace Larder.Cli.Tests.EndToEnd;

/// <summary>
/// A <c>larder serve</c> of a test class's own without recent-push protection, so that garbage collection can take what
/// a test has just pushed (the <see cref="LarderFixture"/> server protects it). The CLI reaches it through
/// <c>LARDER_SERVER</c> (its URL) and <c>LARDER_TOKEN</c>.
/// </summary>
public sealed class CollectableServer : IAsyncDisposable
{
    private readonly LarderFixture _fixture;
    private readonly TempDirectory _data;

    private CollectableServer(LarderFixture fixture, TempDirectory data, LarderServerProcess server)
    {
        _fixture = fixture;
        _data = data;
        Server = server;
    }

    public LarderServerProcess Server { get; }

    public static async Task<CollectableServer> StartAsync(LarderFixture fixture, string name)
    {
        var data = new TempDirectory(name);
        try
        {
            var server = await LarderServerProcess.StartAsync(data.Path, ["--Larder:Retention:RecentPushProtection=00:00:00"]);
            return new CollectableServer(fixture, data, server);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>The environment that points the CLI at this server with <paramref name="token"/>.</summary>
    public Dictionary<string, string> CliEnvironment(string token) => new() { ["LARDER_SERVER"] = Server.BaseUrl, ["LARDER_TOKEN"] = token };

    /// <summary>Runs <c>larder ARGS</c> against this server as admin.</summary>
    public Task<ProcessResult> LarderAsync(params string[] args) => LarderAsAsync(Server.AdminToken, args);

    /// <summary>Runs <c>larder ARGS</c> against this server with <paramref name="token"/>.</summary>
    public Task<ProcessResult> LarderAsAsync(string token, params string[] args) => _fixture.RunWithAsync(CliEnvironment(token), null, args);

    /// <summary>Creates a cache through the CLI.</summary>
    public async Task<string> CreateCacheAsync(string prefix, bool isPublic = true)
    {
        var name = LarderFixture.NewCacheName(prefix);
        (await LarderAsync(isPublic ? ["cache", "create", name, "--public"] : ["cache", "create", name])).EnsureSuccess();
        return name;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _data.Dispose();
    }
}
