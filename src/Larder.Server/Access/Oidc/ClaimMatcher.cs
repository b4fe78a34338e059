using System.Security.Claims;

namespace Larder.Server.Access.Oidc;

/// <summary>
/// Whether an ID token's claims meet a policy's conditions. A claim may occur several times (a JSON array is one
/// occurrence per element): a condition holds when one occurrence matches. Globs know <c>*</c> (any run of characters,
/// <c>/</c> included) and <c>?</c> (one character), and are matched without regular expressions, in linear space.
/// </summary>
public static class ClaimMatcher
{
    /// <summary>The first condition that <paramref name="claims"/> do not meet, or null when all hold.</summary>
    public static ClaimCondition? FirstUnmet(IReadOnlyList<ClaimCondition> conditions, IEnumerable<Claim> claims)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var byType = claims.ToLookup(c => c.Type, c => c.Value, StringComparer.Ordinal);
        return conditions.FirstOrDefault(condition => !byType[condition.Claim].Any(value => Holds(condition, value)));
    }

    /// <summary>Whether <paramref name="value"/> meets <paramref name="condition"/>.</summary>
    public static bool Holds(ClaimCondition condition, string value)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return condition.IsGlob ? GlobMatches(condition.Value, value) : string.Equals(condition.Value, value, StringComparison.Ordinal);
    }

    /// <summary>Glob matching with backtracking to the last <c>*</c> only: O(pattern × text) time at worst.</summary>
    public static bool GlobMatches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]) && pattern[p] != '*')
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }
        return p == pattern.Length;
    }
}
