using Larder.Nix.Compression;
using Larder.Nix.Encoding;
using Larder.Server.Errors;

namespace Larder.Server.BinaryCache;

/// <summary>
/// The last segment of a NAR URL, <c>&lt;nix32 FileHash&gt;.nar[.xz|.zst|.bz2|.br|.gz]</c>: the hash (bare nix32, as
/// Nix names uploads) and the compression its extension announces.
/// </summary>
internal readonly record struct NarFileName(string Hash, CompressionKind Compression)
{
    /// <summary>Length of a sha256 digest in nix32.</summary>
    public const int HashLength = 52;

    private static readonly CompressionKind[] Kinds = Enum.GetValues<CompressionKind>();

    /// <summary>The cache-relative URL, <c>nar/&lt;file&gt;</c>, as a narinfo's URL field names it.</summary>
    public string Url => $"nar/{Hash}.nar{CompressionNames.FileExtension(Compression)}";

    /// <summary>Parses <paramref name="file"/>; null when it is not a NAR file name at all (a 404, not a 400).</summary>
    public static NarFileName? TryParse(string file, out string? error)
    {
        error = null;
        int dot = file.IndexOf(".nar", StringComparison.Ordinal);
        if (dot < 0)
        {
            return null;
        }
        var hash = file.AsSpan(0, dot);
        if (hash.Length != HashLength || !IsNix32(hash))
        {
            error = $"'{file}' is not a NAR file name: expected the {HashLength}-character nix32 FileHash before '.nar'";
            return null;
        }
        var extension = file.AsSpan(dot + 4);
        foreach (var kind in Kinds)
        {
            if (extension.SequenceEqual(CompressionNames.FileExtension(kind)))
            {
                return new NarFileName(hash.ToString(), kind);
            }
        }
        error = $"unknown compression extension '{extension}' in '{file}' (expected .nar, .nar.xz, .nar.zst, .nar.bz2, .nar.br or .nar.gz)";
        return null;
    }

    /// <summary>Parses <paramref name="file"/> or throws a 400 naming the problem.</summary>
    public static NarFileName Parse(string file) =>
        TryParse(file, out var error) ?? throw new InvalidRequestException(error ?? $"'{file}' is not a NAR file name");

    private static bool IsNix32(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!NixBase32.IsValidChar(c))
            {
                return false;
            }
        }
        return true;
    }
}
