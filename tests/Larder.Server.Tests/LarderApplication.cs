using System.Net.Http.Headers;
using System.Net.Http.Json;
using Larder.Contracts;
using Larder.Contracts.Caches;
using Larder.Contracts.Tokens;
using Larder.Server.Metadata;
using Larder.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Larder.Server.Tests;

/// <summary>
/// The real server (<see cref="LarderServer"/>) in-process on real Kestrel at a free loopback port, with its own data
/// directory, migrated and with its admin token. Extra arguments are passed as on the <c>larder serve</c> command line
/// (<c>--Larder:MaxUploadBytes=1000</c>); <c>mapExtra</c> may add test-only endpoints.
/// </summary>
public sealed class LarderApplication : IAsyncDisposable
{
    private readonly TempDirectory? _ownedData;

    private LarderApplication(WebApplication app, string dataDir, Uri baseAddress, string adminToken, TempDirectory? ownedData)
    {
        App = app;
        DataDir = dataDir;
        BaseAddress = baseAddress;
        AdminToken = adminToken;
        _ownedData = ownedData;
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    public IMetadataStore Metadata => Services.GetRequiredService<IMetadataStore>();

    public string DataDir { get; }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The secret of the admin token created at first start.</summary>
    public string AdminToken { get; }

    /// <summary>Starts a server; with no <paramref name="dataDir"/>, on a fresh temporary one deleted at dispose.</summary>
    public static async Task<LarderApplication> StartAsync(
        string? dataDir = null, IEnumerable<string>? args = null, Action<WebApplication>? mapExtra = null)
    {
        var owned = dataDir is null ? new TempDirectory("larder-app") : null;
        var data = dataDir ?? owned!.Path;
        var builder = LarderServer.CreateBuilder(["--listen", "127.0.0.1:0", "--data", data, .. args ?? []]);
        var app = LarderServer.Build(builder);
        mapExtra?.Invoke(app);
        await LarderServer.InitializeAsync(app, CancellationToken.None);
        await app.StartAsync();
        var url = LarderServer.GetListenUrls(app).Single();
        var token = (await File.ReadAllTextAsync(Path.Combine(data, "admin-token"))).Trim();
        return new LarderApplication(app, data, new Uri(url + "/"), token, owned);
    }

    /// <summary>A client for this server, sending <paramref name="token"/> as a Bearer token when given.</summary>
    public HttpClient CreateClient(string? token = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>Creates a cache as the admin; returns it.</summary>
    public async Task<CacheDto> CreateCacheAsync(string name, bool isPublic = false)
    {
        using var client = CreateClient(AdminToken);
        using var response = await client.PostAsJsonAsync("api/v1/caches", new CreateCacheRequest(name, isPublic), LarderJsonContext.Default.CreateCacheRequest);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(LarderJsonContext.Default.CacheDto))!;
    }

    /// <summary>Creates a token with these grants as the admin; returns its secret and id.</summary>
    public async Task<(string Secret, long Id)> CreateTokenAsync(params GrantDto[] grants)
    {
        using var client = CreateClient(AdminToken);
        using var response = await client.PostAsJsonAsync(
            "api/v1/tokens", new CreateTokenRequest("test", grants), LarderJsonContext.Default.CreateTokenRequest);
        response.EnsureSuccessStatusCode();
        var created = (await response.Content.ReadFromJsonAsync(LarderJsonContext.Default.CreatedTokenDto))!;
        return (created.Secret, created.Token.Id);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        _ownedData?.Dispose();
    }
}

/// <summary>One <see cref="LarderApplication"/> shared by the tests of a class (<c>IClassFixture</c>).</summary>
public sealed class LarderApplicationFixture : IAsyncLifetime
{
    private LarderApplication? _app;

    public LarderApplication App => _app ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _app = await LarderApplication.StartAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
