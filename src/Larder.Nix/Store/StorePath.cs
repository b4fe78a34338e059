using System.Diagnostics.CodeAnalysis;
using Larder.Nix.Encoding;

namespace Larder.Nix.Store;

/// <summary>
/// A Nix store path <c>&lt;storeDir&gt;/&lt;hash&gt;-&lt;name&gt;</c>: the hash part is 32 Nix base32 characters
/// (160 bits), the name at most 211 characters of <c>[A-Za-z0-9+\-._?=]</c>, not starting with a dot. The store
/// directory is any absolute, canonical directory (<c>/nix/store</c> by default).
/// </summary>
public sealed class StorePath : IEquatable<StorePath>, IComparable<StorePath>
{
    /// <summary>The store directory Nix uses unless configured otherwise.</summary>
    public const string DefaultStoreDir = "/nix/store";

    /// <summary>Length of the hash part.</summary>
    public const int HashPartLength = 32;

    /// <summary>Longest allowed name (Nix's limit, so that the base name fits in 255 bytes with room to spare).</summary>
    public const int MaxNameLength = 211;

    private StorePath(string storeDir, string hashPart, string name)
    {
        StoreDir = storeDir;
        HashPart = hashPart;
        Name = name;
        BaseName = $"{hashPart}-{name}";
        FullPath = $"{storeDir}/{BaseName}";
    }

    /// <summary>The store directory, e.g. <c>/nix/store</c> (no trailing slash).</summary>
    public string StoreDir { get; }

    /// <summary>The 32-character Nix base32 hash part.</summary>
    public string HashPart { get; }

    /// <summary>The name after the dash, e.g. <c>hello-2.12</c>.</summary>
    public string Name { get; }

    /// <summary><c>hash-name</c>: the last path component.</summary>
    public string BaseName { get; }

    /// <summary><c>storeDir/hash-name</c>.</summary>
    public string FullPath { get; }

    /// <summary>Parses a full store path; the store directory is whatever precedes the last slash.</summary>
    public static StorePath Parse(string fullPath) =>
        TryParseCore(fullPath, null, out var path, out var reason) ? path : throw new StorePathException(fullPath ?? "", reason);

    /// <summary>Parses a full store path that must lie directly in <paramref name="storeDir"/>.</summary>
    public static StorePath Parse(string fullPath, string storeDir) =>
        TryParseCore(fullPath, storeDir, out var path, out var reason) ? path : throw new StorePathException(fullPath ?? "", reason);

    /// <summary>Like <see cref="Parse(string)"/> but returns false instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? fullPath, [NotNullWhen(true)] out StorePath? path) =>
        TryParseCore(fullPath, null, out path, out _);

    /// <summary>Like <see cref="Parse(string, string)"/> but returns false instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? fullPath, string storeDir, [NotNullWhen(true)] out StorePath? path) =>
        TryParseCore(fullPath, storeDir, out path, out _);

    /// <summary>Builds a store path from a store directory and a base name <c>hash-name</c>.</summary>
    public static StorePath FromBaseName(string storeDir, string baseName)
    {
        ArgumentNullException.ThrowIfNull(storeDir);
        ArgumentNullException.ThrowIfNull(baseName);
        if (ValidateStoreDir(storeDir) is { } dirError)
        {
            throw new StorePathException(storeDir, dirError);
        }
        return TryParseBaseName(baseName, out var hashPart, out var name, out var reason)
            ? new StorePath(storeDir, hashPart, name)
            : throw new StorePathException(baseName, reason);
    }

    /// <summary>Whether <paramref name="baseName"/> is a valid <c>hash-name</c> last component.</summary>
    public static bool IsValidBaseName([NotNullWhen(true)] string? baseName) =>
        baseName is not null && TryParseBaseName(baseName, out _, out _, out _);

    /// <summary>Why <paramref name="baseName"/> is not a valid <c>hash-name</c>, or null if it is.</summary>
    public static string? ValidateBaseName(string baseName) =>
        TryParseBaseName(baseName, out _, out _, out var reason) ? null : reason;

    /// <summary>Whether <paramref name="name"/> is a valid store path name (the part after <c>hash-</c>).</summary>
    public static bool IsValidName([NotNullWhen(true)] string? name) => name is not null && ValidateName(name) is null;

    /// <summary>Whether <paramref name="hashPart"/> is 32 Nix base32 characters.</summary>
    public static bool IsValidHashPart([NotNullWhen(true)] string? hashPart) =>
        hashPart is not null && ValidateHashPart(hashPart) is null;

    /// <summary>Why <paramref name="name"/> is not a valid store path name, or null if it is.</summary>
    public static string? ValidateName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return "name is empty";
        }
        if (name.Length > MaxNameLength)
        {
            return $"name is {name.Length} characters long, more than {MaxNameLength}";
        }
        if (name is "." or "..")
        {
            return $"name '{name}' is not allowed";
        }
        if (name[0] == '.')
        {
            return "name starts with a dot";
        }
        foreach (char c in name)
        {
            if (!IsNameChar(c))
            {
                return $"name contains illegal character '{c}' (allowed: A-Z a-z 0-9 + - . _ ? =)";
            }
        }
        return null;
    }

    /// <inheritdoc cref="FullPath"/>
    public override string ToString() => FullPath;

    public bool Equals(StorePath? other) =>
        other is not null && FullPath == other.FullPath;

    public override bool Equals(object? obj) => obj is StorePath other && Equals(other);

    public override int GetHashCode() => FullPath.GetHashCode(StringComparison.Ordinal);

    /// <summary>Orders as Nix does: by base name (byte-wise), then store directory.</summary>
    public int CompareTo(StorePath? other)
    {
        if (other is null)
        {
            return 1;
        }
        int byBase = string.CompareOrdinal(BaseName, other.BaseName);
        return byBase != 0 ? byBase : string.CompareOrdinal(StoreDir, other.StoreDir);
    }

    public static bool operator ==(StorePath? left, StorePath? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(StorePath? left, StorePath? right) => !(left == right);

    private static bool IsNameChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '+' or '-' or '.' or '_' or '?' or '=';

    private static string? ValidateHashPart(ReadOnlySpan<char> hashPart)
    {
        if (hashPart.Length != HashPartLength)
        {
            return $"hash part must be {HashPartLength} characters, not {hashPart.Length}";
        }
        for (int i = 0; i < hashPart.Length; i++)
        {
            if (!NixBase32.IsValidChar(hashPart[i]))
            {
                return $"hash part contains illegal character '{hashPart[i]}' (allowed: {NixBase32.Alphabet})";
            }
        }
        return null;
    }

    private static string? ValidateStoreDir(string storeDir)
    {
        if (storeDir.Length == 0 || storeDir[0] != '/')
        {
            return $"store directory '{storeDir}' is not an absolute path";
        }
        if (storeDir.Length > 1 && storeDir[^1] == '/')
        {
            return $"store directory '{storeDir}' ends with a slash";
        }
        if (storeDir == "/")
        {
            return "the store directory cannot be '/'";
        }
        foreach (var part in storeDir[1..].Split('/'))
        {
            if (part is "" or "." or "..")
            {
                return $"store directory '{storeDir}' is not canonical";
            }
        }
        return null;
    }

    private static bool TryParseBaseName(
        string baseName, [NotNullWhen(true)] out string? hashPart, [NotNullWhen(true)] out string? name, [NotNullWhen(false)] out string? reason)
    {
        hashPart = null;
        name = null;
        if (baseName.Length < HashPartLength + 2)
        {
            reason = $"'{baseName}' is too short to be a store path base name (hash-name)";
            return false;
        }
        reason = ValidateHashPart(baseName.AsSpan(0, HashPartLength));
        if (reason is null && baseName[HashPartLength] != '-')
        {
            reason = $"'{baseName}' has no dash after the {HashPartLength}-character hash part";
        }
        reason ??= ValidateName(baseName.AsSpan(HashPartLength + 1));
        if (reason is not null)
        {
            return false;
        }
        hashPart = baseName[..HashPartLength];
        name = baseName[(HashPartLength + 1)..];
        return true;
    }

    // For a path below a store path (e.g. /nix/store/<hash>-hello/bin/sh), the store path; otherwise null.
    private static string? EnclosingStorePath(string directory)
    {
        for (int end = directory.Length; end > 0; end = directory.LastIndexOf('/', end - 1))
        {
            string prefix = directory[..end];
            int slash = prefix.LastIndexOf('/');
            if (slash > 0 && IsValidBaseName(prefix[(slash + 1)..]))
            {
                return prefix;
            }
        }
        return null;
    }

    private static bool TryParseCore(
        string? fullPath, string? expectedStoreDir, [NotNullWhen(true)] out StorePath? path, [NotNullWhen(false)] out string? reason)
    {
        path = null;
        if (string.IsNullOrEmpty(fullPath))
        {
            reason = "empty path";
            return false;
        }
        if (fullPath.Length > 1 && fullPath[^1] == '/')
        {
            reason = "ends with a slash";
            return false;
        }
        int slash = fullPath.LastIndexOf('/');
        if (slash < 0)
        {
            reason = "not an absolute path";
            return false;
        }
        string storeDir = fullPath[..slash];
        if (EnclosingStorePath(storeDir) is { } enclosing)
        {
            reason = $"points inside the store path '{enclosing}', not at a store path";
            return false;
        }
        if (expectedStoreDir is not null && storeDir != expectedStoreDir)
        {
            reason = $"not directly in the store directory '{expectedStoreDir}'";
            return false;
        }
        reason = ValidateStoreDir(storeDir);
        if (reason is not null)
        {
            return false;
        }
        if (!TryParseBaseName(fullPath[(slash + 1)..], out var hashPart, out var name, out reason))
        {
            return false;
        }
        path = new StorePath(storeDir, hashPart, name);
        return true;
    }
}
