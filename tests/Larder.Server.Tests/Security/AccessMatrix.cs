namespace Larder.Server.Tests.Security;

/// <summary>Who calls, in <see cref="AccessMatrix"/>.</summary>
public enum Caller
{
    Anonymous,
    /// <summary>A token with read on the public and the private cache.</summary>
    Reader,
    /// <summary>A token with read and write on another cache only.</summary>
    WriterElsewhere,
    /// <summary>An admin token on <c>*</c>, revoked.</summary>
    Revoked,
    /// <summary>An admin token on <c>*</c>, expired.</summary>
    Expired,
}

/// <summary>Which cache the request names.</summary>
public enum CacheKind
{
    Public,
    Private,
    Missing,
}

/// <summary>How an endpoint is guarded, as a client sees it.</summary>
public enum Guard
{
    CacheRead,
    /// <summary>Write, delete or admin on the cache: no caller of the matrix holds any of them.</summary>
    CacheWrite,
    Token,
    GlobalAdmin,
    Anyone,
    /// <summary>Outside Larder's tokens altogether (the metrics scrape secret).</summary>
    Open,
    /// <summary>A dashboard page of a cache: visible without sign-in only when public; the same 404 otherwise.</summary>
    UiCache,
}

/// <summary>
/// One endpoint of the server: its method and route pattern (as routing reports them), a request to send (<c>{c}</c> is
/// the cache's name, <c>{h}</c> the hash part of a path stored in the public and the private cache), how it is
/// guarded, and what it answers a caller it lets through (<see cref="Allowed"/>; <see cref="AllowedAnonymous"/> when
/// anonymous callers get something else).
/// </summary>
public sealed record EndpointRow(string Method, string Route, string Url, Guard Guard, int Allowed, int? AllowedAnonymous = null)
{
    /// <summary>Whether the request names a cache, so the answer may depend on it.</summary>
    public bool NamesCache => Url.Contains("{c}", StringComparison.Ordinal);

    /// <summary>The exact status <paramref name="caller"/> must get for this endpoint on a cache of <paramref name="kind"/>.</summary>
    public int Expected(Caller caller, CacheKind kind)
    {
        if (Guard == Guard.Open)
        {
            return Allowed;
        }
        if (caller is Caller.Revoked or Caller.Expired)
        {
            return 401;
        }
        return Guard switch
        {
            Guard.CacheRead => (caller, kind) switch
            {
                (_, CacheKind.Public) => Allowed,
                (Caller.Anonymous, _) => 401,
                (Caller.Reader, CacheKind.Private) => Allowed,
                _ => 403,
            },
            Guard.CacheWrite => caller == Caller.Anonymous ? 401 : 403,
            Guard.Token => caller == Caller.Anonymous ? 401 : Allowed,
            Guard.GlobalAdmin => caller == Caller.Anonymous ? 401 : 403,
            Guard.Anyone => caller == Caller.Anonymous ? AllowedAnonymous ?? Allowed : Allowed,
            Guard.UiCache => kind == CacheKind.Public ? Allowed : 404,
            _ => throw new InvalidOperationException($"unknown guard {Guard}"),
        };
    }
}

/// <summary>
/// Every endpoint of the server with its expected answers. An endpoint added to the server without a row here fails
/// <see cref="AccessMatrixTests.Every_endpoint_has_a_row_in_the_access_matrix"/>: add one.
/// </summary>
public static class AccessMatrix
{
    private const string Nar = "1111111111111111111111111111111111111111111111111111";
    private const string Drv = "00000000000000000000000000000000-x.drv";
    private const string Upload = "0123456789abcdef0123456789abcdef";

    public static readonly IReadOnlyList<EndpointRow> Rows =
    [
        // The Nix binary cache protocol
        new("GET", "/{cache:cachename}/{file}", "{c}/{h}.narinfo", Guard.CacheRead, 200),
        new("HEAD", "/{cache:cachename}/{file}", "{c}/nix-cache-info", Guard.CacheRead, 200),
        new("GET", "/{cache:cachename}/nar/{file}", $"{{c}}/nar/{Nar}.nar.zst", Guard.CacheRead, 404),
        new("HEAD", "/{cache:cachename}/nar/{file}", $"{{c}}/nar/{Nar}.nar.zst", Guard.CacheRead, 404),
        new("GET", "/{cache:cachename}/log/{file}", $"{{c}}/log/{Drv}", Guard.CacheRead, 404),
        new("HEAD", "/{cache:cachename}/log/{file}", $"{{c}}/log/{Drv}", Guard.CacheRead, 404),
        new("PUT", "/{cache:cachename}/{file}", "{c}/{h}.narinfo", Guard.CacheWrite, 0),
        new("PUT", "/{cache:cachename}/nar/{file}", $"{{c}}/nar/{Nar}.nar", Guard.CacheWrite, 0),
        new("PUT", "/{cache:cachename}/log/{file}", $"{{c}}/log/{Drv}", Guard.CacheWrite, 0),

        // Caches
        new("GET", "/api/v1/caches/", "api/v1/caches", Guard.Anyone, 200),
        new("POST", "/api/v1/caches/", "api/v1/caches", Guard.Token, 400),
        new("GET", "/api/v1/caches/{cache}", "api/v1/caches/{c}", Guard.CacheRead, 200),
        new("PATCH", "/api/v1/caches/{cache}", "api/v1/caches/{c}", Guard.CacheWrite, 0),
        new("DELETE", "/api/v1/caches/{cache}", "api/v1/caches/{c}", Guard.CacheWrite, 0),
        new("GET", "/api/v1/caches/{cache}/events", "api/v1/caches/{c}/events", Guard.CacheRead, 200),
        new("PUT", "/api/v1/caches/{cache}/signing-key", "api/v1/caches/{c}/signing-key", Guard.CacheWrite, 0),

        // Paths and garbage collection
        new("GET", "/api/v1/caches/{cache}/paths/{hash}", "api/v1/caches/{c}/paths/{h}", Guard.CacheRead, 200),
        new("DELETE", "/api/v1/caches/{cache}/paths/{hash}", "api/v1/caches/{c}/paths/{h}", Guard.CacheWrite, 0),
        new("POST", "/api/v1/caches/{cache}/gc", "api/v1/caches/{c}/gc", Guard.CacheWrite, 0),

        // Push
        new("POST", "/api/v1/caches/{cache}/missing", "api/v1/caches/{c}/missing", Guard.CacheRead, 400),
        new("PUT", "/api/v1/caches/{cache}/upload", "api/v1/caches/{c}/upload", Guard.CacheWrite, 0),
        new("POST", "/api/v1/caches/{cache}/uploads", "api/v1/caches/{c}/uploads", Guard.CacheWrite, 0),
        new("GET", "/api/v1/caches/{cache}/uploads/{id}", $"api/v1/caches/{{c}}/uploads/{Upload}", Guard.CacheWrite, 0),
        new("PATCH", "/api/v1/caches/{cache}/uploads/{id}", $"api/v1/caches/{{c}}/uploads/{Upload}", Guard.CacheWrite, 0),
        new("DELETE", "/api/v1/caches/{cache}/uploads/{id}", $"api/v1/caches/{{c}}/uploads/{Upload}", Guard.CacheWrite, 0),
        new("POST", "/api/v1/caches/{cache}/uploads/{id}/complete", $"api/v1/caches/{{c}}/uploads/{Upload}/complete", Guard.CacheWrite, 0),

        // Chunk-level push
        new("GET", "/api/v1/caches/{cache}/chunking", "api/v1/caches/{c}/chunking", Guard.CacheRead, 200),
        new("POST", "/api/v1/caches/{cache}/chunks/missing", "api/v1/caches/{c}/chunks/missing", Guard.CacheWrite, 0),
        new("POST", "/api/v1/caches/{cache}/chunks/packs", "api/v1/caches/{c}/chunks/packs", Guard.CacheWrite, 0),
        new("PUT", "/api/v1/caches/{cache}/chunks/{nix32}", $"api/v1/caches/{{c}}/chunks/{Nar}", Guard.CacheWrite, 0),
        new("POST", "/api/v1/caches/{cache}/chunked-paths", "api/v1/caches/{c}/chunked-paths", Guard.CacheWrite, 0),
        new("POST", "/api/v1/caches/{cache}/chunked-paths/stream", "api/v1/caches/{c}/chunked-paths/stream", Guard.CacheWrite, 0),

        // Pins and the pin tarball
        new("GET", "/api/v1/caches/{cache}/pins/", "api/v1/caches/{c}/pins", Guard.CacheRead, 200),
        new("GET", "/api/v1/caches/{cache}/pins/{name}", "api/v1/caches/{c}/pins/none", Guard.CacheRead, 404),
        new("PUT", "/api/v1/caches/{cache}/pins/{name}", "api/v1/caches/{c}/pins/none", Guard.CacheWrite, 0),
        new("DELETE", "/api/v1/caches/{cache}/pins/{name}", "api/v1/caches/{c}/pins/none", Guard.CacheWrite, 0),
        new("GET", "/{cache:cachename}/pins.tar.gz", "{c}/pins.tar.gz", Guard.CacheRead, 200),
        new("HEAD", "/{cache:cachename}/pins.tar.gz", "{c}/pins.tar.gz", Guard.CacheRead, 200),
        new("GET", "/{cache:cachename}/pins/{file}", "{c}/pins/none.tar.gz", Guard.CacheRead, 404),
        new("HEAD", "/{cache:cachename}/pins/{file}", "{c}/pins/none.tar.gz", Guard.CacheRead, 404),
        new("GET", "/{cache:cachename}/pins/{name}/artifact", "{c}/pins/none/artifact", Guard.CacheRead, 404),
        new("HEAD", "/{cache:cachename}/pins/{name}/artifact", "{c}/pins/none/artifact", Guard.CacheRead, 404),

        // Explain
        new("POST", "/api/v1/caches/{cache}/paths/status", "api/v1/caches/{c}/paths/status", Guard.CacheRead, 400),

        // Build-artifact cache
        new("GET", "/api/v1/caches/{cache}/artifacts", "api/v1/caches/{c}/artifacts", Guard.CacheRead, 200),
        new("GET", "/api/v1/caches/{cache}/artifacts/{**key}", "api/v1/caches/{c}/artifacts/none", Guard.CacheRead, 404),
        new("PUT", "/api/v1/caches/{cache}/artifacts/{**key}", "api/v1/caches/{c}/artifacts/none", Guard.CacheWrite, 0),
        new("DELETE", "/api/v1/caches/{cache}/artifacts/{**key}", "api/v1/caches/{c}/artifacts/none", Guard.CacheWrite, 0),
        new("GET", "/api/v1/caches/{cache}/artifact-retention", "api/v1/caches/{c}/artifact-retention", Guard.CacheRead, 200),
        new("PUT", "/api/v1/caches/{cache}/artifact-retention", "api/v1/caches/{c}/artifact-retention", Guard.CacheWrite, 0),

        // Tokens and OIDC
        new("POST", "/api/v1/tokens", "api/v1/tokens", Guard.Token, 400),
        new("GET", "/api/v1/tokens", "api/v1/tokens", Guard.GlobalAdmin, 0),
        new("DELETE", "/api/v1/tokens/{id}", "api/v1/tokens/999999999", Guard.Token, 403),
        new("GET", "/api/v1/whoami", "api/v1/whoami", Guard.Token, 200),
        new("GET", "/api/v1/oidc/policies", "api/v1/oidc/policies", Guard.GlobalAdmin, 0),
        new("POST", "/api/v1/oidc/policies", "api/v1/oidc/policies", Guard.GlobalAdmin, 0),
        new("DELETE", "/api/v1/oidc/policies/{name}", "api/v1/oidc/policies/none", Guard.GlobalAdmin, 0),
        new("POST", "/api/v1/oidc/token", "api/v1/oidc/token", Guard.Anyone, 401),
        new("GET", "/api/v1/tokens/events", "api/v1/tokens/events", Guard.GlobalAdmin, 0),

        // Pages, documents, probes
        new("GET", "/", "", Guard.Anyone, 200),
        new("GET", "/api/v1/openapi.json", "api/v1/openapi.json", Guard.Anyone, 200),
        new("GET", "/metrics", "metrics", Guard.Open, 200),
        new("GET", "/health/live", "health/live", Guard.Anyone, 200),
        new("GET", "/health/ready", "health/ready", Guard.Anyone, 200),
        new("GET", "/ui/", "ui", Guard.Anyone, 200),
        new("GET", "/ui/caches/{name}", "ui/caches/{c}", Guard.UiCache, 200),
        new("GET", "/ui/sign-in", "ui/sign-in", Guard.Anyone, 200),
        new("POST", "/ui/sign-in", "ui/sign-in", Guard.Anyone, 415),
        new("POST", "/ui/sign-out", "ui/sign-out", Guard.Anyone, 415),
        new("GET", "/ui/caches/{name}/search", "ui/caches/{c}/search?q=a", Guard.UiCache, 200),
        new("GET", "/ui/caches/{name}/paths/{hash}", "ui/caches/{c}/paths/{h}", Guard.UiCache, 200),
        new("GET", "/ui/caches/{name}/paths", "ui/caches/{c}/paths", Guard.UiCache, 200),
        new("GET", "/ui/tokens", "ui/tokens", Guard.Anyone, 200),
        new("POST", "/ui/tokens", "ui/tokens", Guard.Anyone, 415),
        new("POST", "/ui/tokens/{id}/revoke", "ui/tokens/1/revoke", Guard.Anyone, 415),
        new("POST", "/ui/caches", "ui/caches", Guard.Anyone, 415),
        new("POST", "/ui/caches/{name}/configure", "ui/caches/{c}/configure", Guard.Anyone, 415),
        new("POST", "/ui/caches/{name}/gc/preview", "ui/caches/{c}/gc/preview", Guard.Anyone, 415),
        new("POST", "/ui/caches/{name}/gc", "ui/caches/{c}/gc", Guard.Anyone, 415),
        new("GET", "/ui/assets/ui.js", "ui/assets/ui.js", Guard.Anyone, 200),
    ];
}
