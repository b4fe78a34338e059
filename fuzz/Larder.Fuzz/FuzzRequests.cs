using Larder.Server.Errors;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Http;

namespace Larder.Fuzz;

/// <summary>What the server-side targets share: a request carrying the input, the cache it is sent to, and which errors are answers.</summary>
internal static class FuzzRequests
{
    /// <summary>A public cache with an upstream key, so that upstream references are checked too.</summary>
    public static CacheRecord Cache { get; } =
        new(1, "fuzz", IsPublic: true, Priority: 40, StoreDir: "/nix/store", SigningKey: "", UpstreamKeyNames: ["upstream-1"], DateTimeOffset.UnixEpoch);

    /// <summary>A request whose body is <paramref name="body"/>, as Kestrel hands it to a handler.</summary>
    public static HttpContext WithBody(ReadOnlySpan<byte> body)
    {
        var http = new DefaultHttpContext();
        http.Request.Method = HttpMethods.Put;
        http.Request.Body = new MemoryStream(body.ToArray(), writable: false);
        http.Request.ContentLength = body.Length;
        return http;
    }

    /// <summary>True for the errors the server turns into a 4xx answer naming the problem (not a 5xx).</summary>
    public static bool IsClientError(LarderException e) => !e.IsServerFault;
}
