using System.Text.RegularExpressions;

namespace Larder.Server.Storage;

/// <summary>
/// The shape every blob key must have, whatever the backend: '/'-separated segments of <c>[a-z0-9._-]</c>, no empty,
/// <c>.</c> or <c>..</c> segment, no leading '/', at most 1024 characters.
/// </summary>
public static partial class BlobKeys
{
    /// <summary>Whether <paramref name="key"/> is a valid blob key.</summary>
    public static bool IsValid(string? key) =>
        key is { Length: > 0 and <= 1024 } && KeyRegex().IsMatch(key) && !HasDotSegment(key);

    /// <summary>Whether <paramref name="prefix"/> may start a key (a key, possibly ending in '/' or mid-segment).</summary>
    public static bool IsValidPrefix(string prefix) => IsValid(prefix.TrimEnd('/')) || prefix.Length == 0;

    /// <summary>Throws <see cref="ArgumentException"/> naming the problem when <paramref name="key"/> is invalid.</summary>
    public static void Validate(string? key)
    {
        if (!IsValid(key))
        {
            throw new ArgumentException(
                $"invalid blob key '{key}': keys are '/'-separated segments of a-z, 0-9, '.', '_', '-' without '.' or '..' segments",
                nameof(key));
        }
    }

    private static bool HasDotSegment(string key)
    {
        foreach (var segment in key.Split('/'))
        {
            if (segment is "." or "..")
            {
                return true;
            }
        }
        return false;
    }

    [GeneratedRegex(@"^[a-z0-9._-]+(/[a-z0-9._-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyRegex();
}
