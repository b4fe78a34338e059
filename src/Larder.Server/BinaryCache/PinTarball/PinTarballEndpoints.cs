using System.Security.Cryptography;
using Larder.Nix.Encoding;
using Larder.Server.Access;
using Larder.Server.Api.Pins;
using Larder.Server.Errors;
using Larder.Server.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Larder.Server.BinaryCache.PinTarball;

/// <summary>
/// Pins for Nix clients, beside the binary cache protocol and under the same access rule as narinfos (read on the
/// cache; to a caller who may not read a private cache, the same answer as a missing cache):
/// <c>/&lt;cache&gt;/pins.tar.gz</c> (every pin), <c>/&lt;cache&gt;/pins/&lt;name&gt;.tar.gz</c> (one pin) and
/// <c>/&lt;cache&gt;/pins/&lt;name&gt;/artifact</c> (the current revision's artifact file). Tarballs are generated from
/// the metadata, kept per pins version (<see cref="PinTarballMemory"/>), and revalidated by <c>ETag</c>/<c>Last-Modified</c>
/// (<c>no-cache</c>), so a client sees a new pin at once.
/// </summary>
public static class PinTarballEndpoints
{
    private const string TarballSuffix = ".tar.gz";
    private const string Cache = $"/{{{AccessEndpoints.CacheRouteParameter}:{CacheNameRouteConstraint.Name}}}";
    private static readonly string[] ReadMethods = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>Maps the pin tarball and artifact URLs of every cache.</summary>
    public static IEndpointRouteBuilder MapPinTarball(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapMethods(Cache + "/pins.tar.gz", ReadMethods, GetAllAsync).RequireCachePermission(Permission.Read);
        app.MapMethods(Cache + "/pins/{file}", ReadMethods, GetOneAsync).RequireCachePermission(Permission.Read);
        app.MapMethods(Cache + "/pins/{name}/artifact", ReadMethods, GetArtifactAsync).RequireCachePermission(Permission.Read);
        return app;
    }

    private static async Task<IResult> GetAllAsync(HttpContext http, IMetadataStore store, PinTarballMemory memory)
    {
        var cache = http.Access().Cache;
        var tarball = await GenerateAsync(store, memory, cache, null, http.RequestAborted).ConfigureAwait(false);
        return Send(http, cache, tarball!);
    }

    private static async Task<IResult> GetOneAsync(string file, HttpContext http, IMetadataStore store, PinTarballMemory memory)
    {
        var cache = http.Access().Cache;
        if (!file.EndsWith(TarballSuffix, StringComparison.Ordinal))
        {
            throw new NotFoundException($"no such file '{file}': a pin's tarball is pins/NAME{TarballSuffix}");
        }
        var name = PinRules.ValidateName(file[..^TarballSuffix.Length]);
        var tarball = await GenerateAsync(store, memory, cache, name, http.RequestAborted).ConfigureAwait(false)
            ?? throw new NotFoundException($"cache '{cache.Name}' has no pin named '{name}'");
        return Send(http, cache, tarball);
    }

    private static Task<IResult> GetArtifactAsync(string name, HttpContext http, PinArtifactDownload download) =>
        download.SendAsync(http, http.Access().Cache, PinRules.ValidateName(name));

    /// <summary>
    /// The tarball of the cache's pins (only <paramref name="pin"/> when given; null when it does not exist), from memory
    /// when the pins version is unchanged. It is remembered only when the version did not change while the pins were read.
    /// </summary>
    private static async Task<GeneratedTarball?> GenerateAsync(IMetadataStore store, PinTarballMemory memory, CacheRecord cache, string? pin, CancellationToken ct)
    {
        var before = await store.GetPinsVersionAsync(cache.Id, ct).ConfigureAwait(false);
        if (memory.Find(cache.Id, pin, before.Version) is { } known)
        {
            return known;
        }
        IReadOnlyList<PinRecord> pins = pin is null
            ? await store.ListPinsAsync(cache.Id, ct).ConfigureAwait(false)
            : await store.GetPinAsync(cache.Id, pin, ct).ConfigureAwait(false) is { } one ? [one] : [];
        if (pin is not null && pins.Count == 0)
        {
            return null;
        }
        var bytes = PinTarballBuilder.Build(cache.Name, pins);
        var lastModified = pin is null ? before.ChangedAt : pins[0].Current.CreatedAt;
        var tarball = new GeneratedTarball(before.Version, bytes, $"\"{NixBase32.Encode(SHA256.HashData(bytes))}\"", lastModified);
        if ((await store.GetPinsVersionAsync(cache.Id, ct).ConfigureAwait(false)).Version == before.Version)
        {
            memory.Remember(cache.Id, pin, tarball);
        }
        return tarball;
    }

    private static IResult Send(HttpContext http, CacheRecord cache, GeneratedTarball tarball)
    {
        var response = http.Response;
        // Revalidated on every use (an ETag round trip), so a changed pin is seen at once, also through proxies.
        response.Headers[HeaderNames.CacheControl] = cache.IsPublic ? "public, no-cache" : "private, no-cache";
        response.Headers[HeaderNames.ETag] = tarball.ETag;
        var typed = http.Response.GetTypedHeaders();
        typed.LastModified = tarball.LastModified;
        if (IsNotModified(http.Request.GetTypedHeaders(), tarball))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        response.ContentType = "application/gzip";
        response.ContentLength = tarball.Bytes.Length;
        return HttpMethods.IsHead(http.Request.Method) ? Results.Empty : Results.Bytes(tarball.Bytes, "application/gzip");
    }

    private static bool IsNotModified(RequestHeaders request, GeneratedTarball tarball)
    {
        if (request.IfNoneMatch is { Count: > 0 } tags)
        {
            return tags.Any(t => t.Tag == "*" || t.Tag == tarball.ETag);
        }
        // HTTP dates have whole seconds.
        return request.IfModifiedSince is { } since && tarball.LastModified.ToUnixTimeSeconds() <= since.ToUnixTimeSeconds();
    }
}
