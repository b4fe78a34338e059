using Larder.Nix.Compression;
using Larder.Nix.Store;

namespace Larder.Server.Upstreams;

/// <summary>
/// The NAR URL a read-through cache gives a path it found upstream: <c>nar/upstream-&lt;hash part&gt;.nar&lt;ext&gt;</c>,
/// the upstream's own compression. Requests for it are streamed from the upstream (and stored, in store mode); once
/// stored, the path's narinfo names the stored file instead.
/// </summary>
internal static class UpstreamNarUrl
{
    private const string Prefix = "upstream-";

    /// <summary>The cache-relative URL for the path with <paramref name="hashPart"/>.</summary>
    public static string For(string hashPart, CompressionKind compression) =>
        $"nar/{Prefix}{hashPart}.nar{CompressionNames.FileExtension(compression)}";

    /// <summary>The hash part named by the last segment <paramref name="file"/>, or null when it is not such a URL.</summary>
    public static string? TryParseHashPart(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.StartsWith(Prefix, StringComparison.Ordinal) || file.Length < Prefix.Length + StorePath.HashPartLength + 4)
        {
            return null;
        }
        var hashPart = file.Substring(Prefix.Length, StorePath.HashPartLength);
        return StorePath.IsValidHashPart(hashPart) && file.AsSpan(Prefix.Length + StorePath.HashPartLength).StartsWith(".nar", StringComparison.Ordinal)
            ? hashPart
            : null;
    }
}
