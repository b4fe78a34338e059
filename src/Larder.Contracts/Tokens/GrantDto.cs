namespace Larder.Contracts.Tokens;

/// <summary>Permissions on the caches whose names match <paramref name="Cache"/>.</summary>
/// <param name="Cache">A cache name, a prefix pattern ending in <c>*</c> (<c>team-*</c>), or <c>*</c> for all caches.</param>
/// <param name="Permissions">Any of <c>read</c>, <c>write</c>, <c>delete</c>, <c>admin</c>.</param>
public sealed record GrantDto(string Cache, IReadOnlyList<string> Permissions);
