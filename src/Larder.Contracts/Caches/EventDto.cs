namespace Larder.Contracts.Caches;

/// <summary>One entry of a cache's event log (<c>GET /api/v1/caches/{name}/events</c>), newest first.</summary>
/// <param name="Kind">What happened, e.g. <c>push</c> or <c>delete</c>.</param>
/// <param name="StorePath">The store path concerned.</param>
/// <param name="TokenId">The token that did it, when known.</param>
public sealed record EventDto(long Id, string Kind, string StorePath, long? TokenId, DateTimeOffset At);
