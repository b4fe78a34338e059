using System.Security.Cryptography;
using Larder.Nix.Signing.Native;

namespace Larder.Nix.Signing;

/// <summary>
/// An Ed25519 secret key in Nix's format <c>name:base64(64 bytes)</c> (32-byte seed followed by the 32-byte public
/// key), as written by <c>nix-store --generate-binary-cache-key</c> and read by <c>secret-key-files</c>.
/// </summary>
public sealed class SecretKey
{
    private readonly byte[] _key;

    private SecretKey(string name, byte[] key)
    {
        Name = name;
        _key = key;
        PublicKey = new PublicKey(name, key[Sodium.SeedBytes..]);
    }

    /// <summary>The key name; signatures are written <c>name:base64</c>.</summary>
    public string Name { get; }

    /// <summary>The matching public key (same name).</summary>
    public PublicKey PublicKey { get; }

    /// <summary>Makes a new random key pair named <paramref name="name"/> (no ':' or spaces).</summary>
    public static SecretKey Generate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (KeyText.ValidateName(name) is { } reason)
        {
            throw new KeyFormatException(reason);
        }
        var key = new byte[Sodium.SecretKeyBytes];
        Sodium.KeyPair(stackalloc byte[Sodium.PublicKeyBytes], key);
        return new SecretKey(name, key);
    }

    /// <summary>The key pair derived from a 32-byte seed (deterministic; for tests and key derivation).</summary>
    public static SecretKey FromSeed(string name, ReadOnlySpan<byte> seed)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (KeyText.ValidateName(name) is { } reason)
        {
            throw new KeyFormatException(reason);
        }
        if (seed.Length != Sodium.SeedBytes)
        {
            throw new KeyFormatException($"an Ed25519 seed is {Sodium.SeedBytes} bytes, not {seed.Length}");
        }
        var key = new byte[Sodium.SecretKeyBytes];
        Sodium.SeedKeyPair(seed, stackalloc byte[Sodium.PublicKeyBytes], key);
        return new SecretKey(name, key);
    }

    /// <summary>
    /// Parses <c>name:base64</c> (surrounding whitespace ignored); throws <see cref="KeyFormatException"/> naming the
    /// problem, including a public half that does not belong to the seed.
    /// </summary>
    public static SecretKey Parse(string text)
    {
        var (name, key) = KeyText.Parse(text, "secret", Sodium.SecretKeyBytes);
        Span<byte> derivedPublic = stackalloc byte[Sodium.PublicKeyBytes];
        Span<byte> derivedSecret = stackalloc byte[Sodium.SecretKeyBytes];
        Sodium.SeedKeyPair(key.AsSpan(0, Sodium.SeedBytes), derivedPublic, derivedSecret);
        bool consistent = CryptographicOperations.FixedTimeEquals(derivedPublic, key.AsSpan(Sodium.SeedBytes));
        CryptographicOperations.ZeroMemory(derivedSecret);
        if (!consistent)
        {
            throw new KeyFormatException($"secret key '{name}' is corrupt: its public half does not match its seed");
        }
        return new SecretKey(name, key);
    }

    /// <summary>Signs <paramref name="message"/>; returns <c>name:base64(signature)</c>, Nix's <c>Sig</c> format.</summary>
    public string Sign(ReadOnlySpan<byte> message)
    {
        Span<byte> signature = stackalloc byte[Sodium.SignatureBytes];
        Sodium.SignDetached(message, _key, signature);
        return KeyText.Format(Name, signature);
    }

    /// <summary>Signs the UTF-8 bytes of a string such as a <see cref="Fingerprint"/>.</summary>
    public string Sign(string message) => Sign(System.Text.Encoding.UTF8.GetBytes(message));

    /// <summary><c>name:base64</c>, the format of Nix's secret key files (no newline). Treat it as a secret.</summary>
    public override string ToString() => KeyText.Format(Name, _key);
}
