using System.Text.RegularExpressions;
using Larder.Server.Metadata;

namespace Larder.Server.Access;

/// <summary>
/// Matching of token grants against cache names. A pattern is a cache name, a prefix ending in <c>*</c>
/// (<c>team-*</c>), or <c>*</c>. <see cref="Permission.Admin"/> implies every other permission on the caches it covers.
/// </summary>
public static partial class Grants
{
    /// <summary>Whether <paramref name="pattern"/> is a valid grant pattern.</summary>
    public static bool IsValidPattern(string? pattern) => pattern is not null && PatternRegex().IsMatch(pattern);

    /// <summary>Whether <paramref name="pattern"/> matches the cache <paramref name="cacheName"/>.</summary>
    public static bool Matches(string pattern, string cacheName) =>
        pattern.EndsWith('*')
            ? cacheName.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal)
            : string.Equals(pattern, cacheName, StringComparison.Ordinal);

    /// <summary>Whether every cache <paramref name="inner"/> matches is also matched by <paramref name="outer"/>.</summary>
    public static bool Covers(string outer, string inner)
    {
        if (!outer.EndsWith('*'))
        {
            return string.Equals(outer, inner, StringComparison.Ordinal);
        }
        var innerPrefix = inner.EndsWith('*') ? inner[..^1] : inner;
        return innerPrefix.StartsWith(outer.AsSpan(0, outer.Length - 1), StringComparison.Ordinal);
    }

    /// <summary>What the grants allow on the cache <paramref name="cacheName"/> (admin expanded to everything).</summary>
    public static Permission For(IEnumerable<TokenGrant> grants, string cacheName)
    {
        var result = Permission.None;
        foreach (var grant in grants)
        {
            if (Matches(grant.CachePattern, cacheName))
            {
                result |= Expand(grant.Permissions);
            }
        }
        return result;
    }

    /// <summary>
    /// Whether a token holding <paramref name="held"/> may hand out <paramref name="requested"/>: each requested
    /// permission must be held on a pattern covering the requested one.
    /// </summary>
    public static bool CanDelegate(IReadOnlyList<TokenGrant> held, TokenGrant requested)
    {
        var covered = Permission.None;
        foreach (var grant in held)
        {
            if (Covers(grant.CachePattern, requested.CachePattern))
            {
                covered |= Expand(grant.Permissions);
            }
        }
        return (covered & requested.Permissions) == requested.Permissions;
    }

    /// <summary>Whether the grants give admin on every cache (<c>*</c>): the right to manage all tokens.</summary>
    public static bool IsGlobalAdmin(IEnumerable<TokenGrant> grants) =>
        grants.Any(g => g.CachePattern == "*" && g.Permissions.HasFlag(Permission.Admin));

    private static Permission Expand(Permission permissions) =>
        permissions.HasFlag(Permission.Admin) ? Permission.Read | Permission.Write | Permission.Delete | Permission.Admin : permissions;

    [GeneratedRegex(@"^(\*|[a-z0-9][a-z0-9._-]{0,63}\*?)$", RegexOptions.CultureInvariant)]
    private static partial Regex PatternRegex();
}
