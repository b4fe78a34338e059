using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Larder.Nix.Encoding;

namespace Larder.Nix.Hashing;

/// <summary>
/// A hash as Nix prints and parses it. Accepted text forms (as Nix's <c>Hash::parseAnyPrefixed</c>):
/// <c>sha256:&lt;nix32&gt;</c>, <c>sha256:&lt;hex&gt;</c>, <c>sha256:&lt;base64&gt;</c> (told apart by length),
/// SRI <c>sha256-&lt;base64&gt;</c>; and bare nix32/hex/base64 digests when the kind is given. Equality is by kind
/// and bytes.
/// </summary>
public readonly struct NixHash : IEquatable<NixHash>
{
    private readonly byte[]? _bytes;

    /// <summary>Wraps a digest; its length must match <paramref name="kind"/>.</summary>
    public NixHash(HashKind kind, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != kind.SizeInBytes())
        {
            throw new ArgumentException($"a {kind.ToNixName()} hash has {kind.SizeInBytes()} bytes, not {bytes.Length}", nameof(bytes));
        }
        Kind = kind;
        _bytes = bytes.ToArray();
    }

    /// <summary>The algorithm.</summary>
    public HashKind Kind { get; }

    /// <summary>The raw digest.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>Hashes a buffer.</summary>
    public static NixHash Compute(HashKind kind, ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[64];
        int written = kind switch
        {
            HashKind.Md5 => MD5.HashData(data, digest),
            HashKind.Sha1 => SHA1.HashData(data, digest),
            HashKind.Sha256 => SHA256.HashData(data, digest),
            HashKind.Sha512 => SHA512.HashData(data, digest),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown hash kind"),
        };
        return new NixHash(kind, digest[..written]);
    }

    /// <summary>Parses a prefixed hash (<c>sha256:…</c> or SRI <c>sha256-…</c>); throws <see cref="FormatException"/> naming the problem.</summary>
    public static NixHash Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseCore(text, null, out var hash, out var error) ? hash : throw new FormatException(error);
    }

    /// <summary>
    /// Parses a hash of kind <paramref name="kind"/>: bare nix32, hex or base64, or prefixed/SRI whose prefix must
    /// be <paramref name="kind"/>.
    /// </summary>
    public static NixHash Parse(string text, HashKind kind)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseCore(text, kind, out var hash, out var error) ? hash : throw new FormatException(error);
    }

    /// <summary>Like <see cref="Parse(string)"/> but returns false instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out NixHash hash) =>
        TryParseCore(text, null, out hash, out _);

    /// <summary>Like <see cref="Parse(string, HashKind)"/> but returns false instead of throwing.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, HashKind kind, out NixHash hash) =>
        TryParseCore(text, kind, out hash, out _);

    /// <summary><c>kind:&lt;nix32&gt;</c>, the form narinfo files and fingerprints use.</summary>
    public string ToNix32String() => $"{Kind.ToNixName()}:{ToBase32()}";

    /// <summary>SRI form <c>kind-&lt;base64&gt;</c>, as <c>nix path-info --json</c> prints.</summary>
    public string ToSri() => $"{Kind.ToNixName()}-{ToBase64()}";

    /// <summary>Lower-case hex digits, no prefix.</summary>
    public string ToHex() => Convert.ToHexStringLower(Span);

    /// <summary>Nix base32 digits, no prefix.</summary>
    public string ToBase32() => NixBase32.Encode(Span);

    /// <summary>Standard padded base64, no prefix.</summary>
    public string ToBase64() => Convert.ToBase64String(Span);

    /// <summary>Same as <see cref="ToNix32String"/>.</summary>
    public override string ToString() => _bytes is null ? "" : ToNix32String();

    public bool Equals(NixHash other) => Kind == other.Kind && Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is NixHash other && Equals(other);

    public override int GetHashCode()
    {
        var code = new HashCode();
        code.Add(Kind);
        code.AddBytes(Span);
        return code.ToHashCode();
    }

    public static bool operator ==(NixHash left, NixHash right) => left.Equals(right);

    public static bool operator !=(NixHash left, NixHash right) => !left.Equals(right);

    private ReadOnlySpan<byte> Span => _bytes;

    private static bool TryParseCore(string? text, HashKind? expected, out NixHash hash, [NotNullWhen(false)] out string? error)
    {
        hash = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "empty hash";
            return false;
        }

        ReadOnlySpan<char> digits = text;
        HashKind kind;
        bool isSri = false;
        int separator = text.IndexOfAny(':', '-');
        if (separator >= 0)
        {
            isSri = text[separator] == '-';
            ReadOnlySpan<char> prefix = text.AsSpan(0, separator);
            if (!HashKinds.TryParse(prefix, out kind))
            {
                error = $"unknown hash type '{prefix}' in hash '{text}' (expected md5, sha1, sha256 or sha512)";
                return false;
            }
            if (expected is { } want && want != kind)
            {
                error = $"hash '{text}' should have type '{want.ToNixName()}', not '{kind.ToNixName()}'";
                return false;
            }
            digits = text.AsSpan(separator + 1);
        }
        else if (expected is { } want)
        {
            kind = want;
        }
        else
        {
            error = $"hash '{text}' does not say its type (expected a prefix like 'sha256:' or 'sha256-')";
            return false;
        }

        int size = kind.SizeInBytes();
        Span<byte> buffer = stackalloc byte[64];
        Span<byte> bytes = buffer[..size];
        int hexLength = size * 2;
        int base32Length = NixBase32.EncodedLength(size);
        int base64Length = ((4 * size / 3) + 3) & ~3;

        if (!isSri && digits.Length == hexLength)
        {
            if (Convert.FromHexString(digits, bytes, out _, out int written) != System.Buffers.OperationStatus.Done || written != size)
            {
                error = $"invalid base16 digits in hash '{text}'";
                return false;
            }
        }
        else if (!isSri && digits.Length == base32Length)
        {
            if (!NixBase32.TryDecode(digits, bytes))
            {
                error = $"invalid Nix base32 digits in hash '{text}' (allowed: {NixBase32.Alphabet})";
                return false;
            }
        }
        else if (isSri || digits.Length == base64Length)
        {
            if (digits.Length != base64Length || !Convert.TryFromBase64Chars(digits, buffer, out int written) || written != size)
            {
                error = $"invalid base64 digest in hash '{text}' (a {kind.ToNixName()} digest is {base64Length} base64 characters)";
                return false;
            }
        }
        else
        {
            error = $"hash '{text}' has wrong length {digits.Length} for type '{kind.ToNixName()}' " +
                    $"(expected {base32Length} nix32, {hexLength} hex or {base64Length} base64 characters)";
            return false;
        }

        hash = new NixHash(kind, bytes);
        error = null;
        return true;
    }
}
