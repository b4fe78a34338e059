namespace Larder.Contracts.Artifacts;

/// <summary>
/// The rule for artifact keys, shared by server and CLI: 1 to <see cref="MaxLength"/> characters of
/// <c>A-Z a-z 0-9 . _ - + =</c>, starting with a letter or digit, with no <c>..</c>. So a key is never a path
/// (no <c>/</c>, <c>\</c>, NUL or other control character, nothing absolute) and needs no escaping in a URL.
/// </summary>
public static class ArtifactKeys
{
    /// <summary>Longest key.</summary>
    public const int MaxLength = 200;

    /// <summary>Why <paramref name="key"/> is not a valid key, or null when it is.</summary>
    public static string? Problem(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return "an artifact key must not be empty";
        }
        if (key.Length > MaxLength)
        {
            return $"the artifact key '{key[..40]}…' has {key.Length} characters; at most {MaxLength} are allowed";
        }
        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (!IsAllowed(c))
            {
                var shown = char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : $"'{c}'";
                return $"the artifact key '{Printable(key)}' contains {shown} at position {i + 1}: only letters, digits and . _ - + = are allowed (a key is not a path)";
            }
        }
        if (!char.IsAsciiLetterOrDigit(key[0]))
        {
            return $"the artifact key '{key}' must start with a letter or digit";
        }
        if (key.Contains("..", StringComparison.Ordinal))
        {
            return $"the artifact key '{key}' contains '..'";
        }
        return null;
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' or '=';

    private static string Printable(string key) => string.Concat(key.Select(c => char.IsControl(c) ? '?' : c));
}
