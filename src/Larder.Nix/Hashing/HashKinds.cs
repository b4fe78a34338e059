using System.Security.Cryptography;

namespace Larder.Nix.Hashing;

/// <summary>Names, sizes and BCL algorithm names of <see cref="HashKind"/> values.</summary>
public static class HashKinds
{
    /// <summary>The prefix Nix prints, e.g. <c>sha256</c>.</summary>
    public static string ToNixName(this HashKind kind) => kind switch
    {
        HashKind.Md5 => "md5",
        HashKind.Sha1 => "sha1",
        HashKind.Sha256 => "sha256",
        HashKind.Sha512 => "sha512",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown hash kind"),
    };

    /// <summary>Digest size in bytes.</summary>
    public static int SizeInBytes(this HashKind kind) => kind switch
    {
        HashKind.Md5 => 16,
        HashKind.Sha1 => 20,
        HashKind.Sha256 => 32,
        HashKind.Sha512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown hash kind"),
    };

    /// <summary>The matching <see cref="HashAlgorithmName"/> for <see cref="IncrementalHash"/>.</summary>
    public static HashAlgorithmName ToAlgorithmName(this HashKind kind) => kind switch
    {
        HashKind.Md5 => HashAlgorithmName.MD5,
        HashKind.Sha1 => HashAlgorithmName.SHA1,
        HashKind.Sha256 => HashAlgorithmName.SHA256,
        HashKind.Sha512 => HashAlgorithmName.SHA512,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown hash kind"),
    };

    /// <summary>Parses a Nix hash prefix (<c>md5</c>, <c>sha1</c>, <c>sha256</c>, <c>sha512</c>; exact, lower case).</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out HashKind kind)
    {
        switch (name)
        {
            case "md5": kind = HashKind.Md5; return true;
            case "sha1": kind = HashKind.Sha1; return true;
            case "sha256": kind = HashKind.Sha256; return true;
            case "sha512": kind = HashKind.Sha512; return true;
            default: kind = default; return false;
        }
    }
}
