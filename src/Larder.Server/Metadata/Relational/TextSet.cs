namespace Larder.Server.Metadata.Relational;

/// <summary>
/// A parameter value holding many strings, read in SQL through <see cref="SqlDialect.TextSetSource"/> (one round trip
/// whatever the count).
/// </summary>
internal sealed record TextSet(IReadOnlyCollection<string> Items);
