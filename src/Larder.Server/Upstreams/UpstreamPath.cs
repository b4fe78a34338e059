using System.Text;
using Larder.Nix.Compression;
using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Upstreams;

/// <summary>
/// A path found in an upstream, its narinfo verified against the cache's upstream keys: where it came from
/// (<see cref="Upstream"/>, the origin recorded when it is stored), its narinfo as the upstream serves it, and the
/// upstream's compression.
/// </summary>
internal sealed record UpstreamPath(string Upstream, NarInfoRecord NarInfo, CompressionKind Compression)
{
    /// <summary>The upstream URL of its NAR (the narinfo's URL, resolved against the upstream and kept under it), or null.</summary>
    public Uri? NarUrl
    {
        get
        {
            var baseUrl = new Uri(Upstream + "/");
            return Uri.TryCreate(baseUrl, NarInfo.Url, out var url) && url.AbsoluteUri.StartsWith(baseUrl.AbsoluteUri, StringComparison.Ordinal)
                ? url
                : null;
        }
    }

    /// <summary>
    /// The narinfo this cache serves for it: the upstream's, signatures included, with the URL of
    /// <see cref="UpstreamNarUrl"/> (so the NAR comes through this cache).
    /// </summary>
    public byte[] Render() =>
        Encoding.UTF8.GetBytes((NarInfo with { Url = UpstreamNarUrl.For(NarInfo.StorePath.HashPart, Compression) }).Render());
}
