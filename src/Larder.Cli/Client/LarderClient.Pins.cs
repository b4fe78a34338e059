using Larder.Contracts.Pins;

namespace Larder.Cli.Client;

public sealed partial class LarderClient
{
    /// <summary><c>GET /api/v1/caches/{cache}/pins</c>.</summary>
    public Task<IReadOnlyList<PinDto>> ListPinsAsync(string cache, CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, $"{CachePath(cache)}/pins"), PinJsonContext.Default.IReadOnlyListPinDto,
            new Operation($"list the pins of cache '{cache}'", "read", cache), cancellationToken);

    /// <summary><c>GET /api/v1/caches/{cache}/pins/{name}</c>: the pin and its revisions, newest first.</summary>
    public Task<PinHistoryDto> GetPinHistoryAsync(string cache, string name, CancellationToken cancellationToken) =>
        SendJsonAsync(() => new HttpRequestMessage(HttpMethod.Get, PinPath(cache, name)), PinJsonContext.Default.PinHistoryDto,
            new Operation($"read pin '{name}' of cache '{cache}'", "read", cache, $"list the pins with `larder pin list {cache}`"), cancellationToken);

    /// <summary><c>PUT /api/v1/caches/{cache}/pins/{name}</c>: a new revision (a path, or a rollback).</summary>
    public Task<PinDto> SetPinAsync(string cache, string name, SetPinRequest request, CancellationToken cancellationToken) =>
        SendJsonAsync(() => Json(HttpMethod.Put, PinPath(cache, name), request, PinJsonContext.Default.SetPinRequest), PinJsonContext.Default.PinDto,
            new Operation($"set pin '{name}' of cache '{cache}'", "write", cache, $"check the revision with `larder pin history {cache} {name}`"),
            cancellationToken);

    /// <summary><c>DELETE /api/v1/caches/{cache}/pins/{name}</c>.</summary>
    public Task DeletePinAsync(string cache, string name, CancellationToken cancellationToken) =>
        SendNoContentAsync(() => new HttpRequestMessage(HttpMethod.Delete, PinPath(cache, name)),
            new Operation($"delete pin '{name}' of cache '{cache}'", "write", cache, $"list the pins with `larder pin list {cache}`"), cancellationToken);

    private static string PinPath(string cache, string name) => $"{CachePath(cache)}/pins/{Uri.EscapeDataString(name)}";
}
