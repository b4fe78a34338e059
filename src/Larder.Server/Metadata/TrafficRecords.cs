namespace Larder.Server.Metadata;

/// <summary>
/// A cache's traffic in the hour starting at <paramref name="HourStart"/> (UTC, on the hour): narinfo requests answered
/// with a narinfo (hits) or a 404 (misses), NAR downloads, and the NAR bytes they sent (or redirected to the object store).
/// </summary>
public sealed record TrafficHour(DateTimeOffset HourStart, long NarInfoHits, long NarInfoMisses, long NarRequests, long NarBytes);

/// <summary>One revision in a cache's pin history, with the name of its pin.</summary>
public sealed record PinHistoryEntry(string PinName, PinRevisionRecord Revision);
