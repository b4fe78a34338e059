using Larder.Contracts.Tokens;
using Larder.Server.Access;
using Larder.Server.Tests.BinaryCache;

namespace Larder.Server.Tests.Security;

/// <summary>
/// The server the access matrix runs against: a public and a private cache holding the same path, a name no cache
/// has, and one credential per <see cref="Caller"/>. Failed authentications are not rate limited here (the matrix sends
/// hundreds on purpose).
/// </summary>
public sealed class AccessMatrixServer : IAsyncLifetime
{
    private LarderApplication? _app;
    private readonly Dictionary<Caller, string?> _secrets = [];

    public LarderApplication App => _app ?? throw new InvalidOperationException("not started");

    public string HashPart { get; private set; } = "";

    public IReadOnlyDictionary<CacheKind, string> CacheNames { get; } = new Dictionary<CacheKind, string>
    {
        [CacheKind.Public] = "sec-pub-" + Guid.NewGuid().ToString("N")[..12],
        [CacheKind.Private] = "sec-priv-" + Guid.NewGuid().ToString("N")[..12],
        [CacheKind.Missing] = "sec-none-" + Guid.NewGuid().ToString("N")[..12],
    };

    public async Task InitializeAsync()
    {
        _app = await LarderApplication.StartAsync(args: ["--Larder:FailedAuthentication:Burst=1000000"]);
        await App.CreateCacheAsync(CacheNames[CacheKind.Public], isPublic: true);
        await App.CreateCacheAsync(CacheNames[CacheKind.Private]);
        var path = await PushedPath.CreateAsync();
        using (var admin = App.CreateClient(App.AdminToken))
        {
            await path.PushAsync(admin, CacheNames[CacheKind.Public]);
            await path.PushAsync(admin, CacheNames[CacheKind.Private]);
        }
        HashPart = path.HashPart;
        _secrets[Caller.Anonymous] = null;
        _secrets[Caller.Reader] = (await App.CreateTokenAsync(
            new GrantDto(CacheNames[CacheKind.Public], ["read"]), new GrantDto(CacheNames[CacheKind.Private], ["read"]))).Secret;
        _secrets[Caller.WriterElsewhere] = (await App.CreateTokenAsync(new GrantDto("sec-elsewhere", ["read", "write"]))).Secret;
        var (revoked, revokedId) = await App.CreateTokenAsync(new GrantDto("*", ["read", "write", "delete", "admin"]));
        using (var admin = App.CreateClient(App.AdminToken))
        {
            (await admin.DeleteAsync($"api/v1/tokens/{revokedId}")).EnsureSuccessStatusCode();
        }
        _secrets[Caller.Revoked] = revoked;
        var expired = TokenSecrets.Generate();
        var now = DateTimeOffset.UtcNow;
        await App.Metadata.CreateTokenAsync(AdminTokenBootstrap.NewAdminToken("expired", expired, now.AddHours(-2), now.AddHours(-1)), CancellationToken.None);
        _secrets[Caller.Expired] = expired;
    }

    /// <summary>A client sending <paramref name="caller"/>'s credential.</summary>
    public HttpClient ClientFor(Caller caller) => App.CreateClient(_secrets[caller]);

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
