namespace Larder.Server.Metadata;

/// <summary>A path as the dashboard lists it (search results, dependents).</summary>
public sealed record PathSummary(string HashPart, string StorePath, long NarSize, DateTimeOffset CreatedAt, DateTimeOffset LastAccessedAt);
