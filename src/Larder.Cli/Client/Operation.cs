namespace Larder.Cli.Client;

/// <summary>
/// What a request is for, so that a failure can be told in the user's terms: the permission it needs on which
/// cache ("the token lacks write permission on cache X").
/// </summary>
/// <param name="Description">Short phrase, e.g. <c>push to cache 'x'</c>.</param>
/// <param name="Permission">The permission needed (<c>read</c>, <c>write</c>, <c>admin</c>…), or null for none.</param>
/// <param name="Cache">The cache concerned, or null.</param>
/// <param name="NotFoundHint">What to suggest when the server answers 404 (default: for a cache, listing the caches).</param>
public sealed record Operation(string Description, string? Permission = null, string? Cache = null, string? NotFoundHint = null);
