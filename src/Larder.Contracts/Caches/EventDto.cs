namespace Larder.Contracts.Caches;

/// <summary>One entry of a cache's event log (<c>GET /api/v1/caches/{name}/events</c>), newest first.</summary>
/// <param name="Kind">What happened, e.g. <c>push</c>, <c>delete</c> or <c>evict</c>.</param>
/// <param name="StorePath">The store path concerned.</param>
/// <param name="TokenId">The token that did it, when known.</param>
/// <param name="Reason">Why a path left: <c>deleted by token …</c>, <c>evicted: max-size</c>, <c>evicted: retention 30 days</c>.</param>
public sealed record EventDto(long Id, string Kind, string StorePath, long? TokenId, DateTimeOffset At, string? Reason = null);
