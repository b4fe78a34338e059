using Larder.Testing;

namespace Larder.Server.Tests.EndToEnd;

/// <summary>One real <c>larder serve</c> process (SQLite + folder) shared by a test class; each test makes its own caches.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new("larder-e2e");

    public LarderServerProcess Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    internal LarderAdmin Admin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await LarderServerProcess.StartAsync(_data.Path);
        Client = new HttpClient { BaseAddress = new Uri(Server.BaseUrl) };
        Admin = new LarderAdmin(Client, Server.AdminToken);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        _data.Dispose();
    }

    /// <summary>A cache name no other test uses.</summary>
    public static string NewCacheName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];
}
