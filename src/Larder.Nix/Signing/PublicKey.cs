using Larder.Nix.Signing.Native;

namespace Larder.Nix.Signing;

/// <summary>
/// An Ed25519 public key in Nix's format <c>name:base64(32 bytes)</c>, as in <c>trusted-public-keys</c> and the
/// public file of <c>nix-store --generate-binary-cache-key</c>.
/// </summary>
public sealed class PublicKey : IEquatable<PublicKey>
{
    private readonly byte[] _key;

    internal PublicKey(string name, byte[] key)
    {
        Name = name;
        _key = key;
    }

    /// <summary>The key name, e.g. <c>cache.example.org-1</c>; signatures carry it as their prefix.</summary>
    public string Name { get; }

    /// <summary>The 32 raw key bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => _key;

    /// <summary>Parses <c>name:base64</c>; throws <see cref="KeyFormatException"/> naming the problem.</summary>
    public static PublicKey Parse(string text)
    {
        var (name, key) = KeyText.Parse(text, "public", Sodium.PublicKeyBytes);
        return new PublicKey(name, key);
    }

    /// <summary>Like <see cref="Parse"/> but returns false instead of throwing.</summary>
    public static bool TryParse(string? text, out PublicKey? key)
    {
        try
        {
            key = text is null ? null : Parse(text);
            return key is not null;
        }
        catch (KeyFormatException)
        {
            key = null;
            return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="signature"/> (<c>name:base64</c>) is this key's valid signature of
    /// <paramref name="message"/>. A signature by another key name, or malformed, is simply not valid.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> message, string signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        int colon = signature.IndexOf(':');
        if (colon != Name.Length || !signature.AsSpan(0, colon).SequenceEqual(Name))
        {
            return false;
        }
        Span<byte> raw = stackalloc byte[Sodium.SignatureBytes + 3];
        if (!Convert.TryFromBase64Chars(signature.AsSpan(colon + 1), raw, out int written) || written != Sodium.SignatureBytes)
        {
            return false;
        }
        return Sodium.VerifyDetached(raw[..written], message, _key);
    }

    /// <summary>Verifies a signature of a UTF-8 string such as a <see cref="Fingerprint"/>.</summary>
    public bool Verify(string message, string signature) =>
        Verify(System.Text.Encoding.UTF8.GetBytes(message), signature);

    /// <summary><c>name:base64</c>, the format of Nix's public key files (no newline).</summary>
    public override string ToString() => KeyText.Format(Name, _key);

    public bool Equals(PublicKey? other) => other is not null && Name == other.Name && _key.AsSpan().SequenceEqual(other._key);

    public override bool Equals(object? obj) => obj is PublicKey other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Name, BitConverter.ToInt32(_key, 0));
}
