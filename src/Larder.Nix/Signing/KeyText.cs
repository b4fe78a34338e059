namespace Larder.Nix.Signing;

/// <summary>Nix's key file format <c>name:base64</c>, shared by secret and public keys.</summary>
internal static class KeyText
{
    /// <summary>Why <paramref name="name"/> cannot name a key, or null if it can.</summary>
    public static string? ValidateName(string name)
    {
        if (name.Length == 0)
        {
            return "key name is empty";
        }
        foreach (char c in name)
        {
            if (c == ':' || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return $"key name '{name}' contains '{(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())}' (not allowed: ':', spaces, control characters)";
            }
        }
        return null;
    }

    /// <summary>Splits and decodes <c>name:base64</c>; <paramref name="expectedBytes"/> is the decoded length a key of this kind has.</summary>
    public static (string Name, byte[] Key) Parse(string text, string kind, int expectedBytes)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Key files written by tools or editors may end in a newline; Nix's own have none.
        string trimmed = text.Trim();
        int colon = trimmed.IndexOf(':');
        if (colon < 0)
        {
            throw new KeyFormatException($"{kind} key is not of the form 'name:base64' (no ':' found)");
        }
        string name = trimmed[..colon];
        if (ValidateName(name) is { } reason)
        {
            throw new KeyFormatException($"{kind} key: {reason}");
        }
        string encoded = trimmed[(colon + 1)..];
        if (encoded.Length == 0)
        {
            throw new KeyFormatException($"{kind} key '{name}' has no key data after the ':'");
        }
        byte[] key;
        try
        {
            key = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            throw new KeyFormatException($"{kind} key '{name}' is not valid base64");
        }
        if (key.Length != expectedBytes)
        {
            throw new KeyFormatException($"{kind} key '{name}' is {key.Length} bytes, but an Ed25519 {kind} key is {expectedBytes} bytes");
        }
        return (name, key);
    }

    public static string Format(string name, ReadOnlySpan<byte> key) => $"{name}:{Convert.ToBase64String(key)}";
}
