using System.Text;
using Larder.Server.Metadata;

namespace Larder.Server.BinaryCache;

/// <summary>
/// Renders the narinfo of a stored path, in Nix's field order. The URL is the stored file form,
/// <c>nar/&lt;nix32 FileHash&gt;.nar.zst</c>, whatever compression the pusher used.
/// </summary>
internal static class NarInfoText
{
    /// <summary>The URL under which a NAR with this <c>sha256:&lt;nix32&gt;</c> FileHash is served.</summary>
    public static string NarUrl(NarRecord nar) => $"nar/{BareHash(nar.FileHash)}.nar.zst";

    /// <summary>The digits of a <c>type:digits</c> hash.</summary>
    public static string BareHash(string prefixedHash)
    {
        int colon = prefixedHash.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? prefixedHash : prefixedHash[(colon + 1)..];
    }

    /// <summary>The narinfo as UTF-8 bytes.</summary>
    public static byte[] Render(PathWithNar entry)
    {
        var (path, nar) = (entry.Path, entry.Nar);
        var text = new StringBuilder(512);
        text.Append("StorePath: ").Append(path.StorePath).Append('\n');
        text.Append("URL: ").Append(NarUrl(nar)).Append('\n');
        text.Append("Compression: zstd\n");
        text.Append("FileHash: ").Append(nar.FileHash).Append('\n');
        text.Append("FileSize: ").Append(nar.FileSize).Append('\n');
        text.Append("NarHash: ").Append(nar.NarHash).Append('\n');
        text.Append("NarSize: ").Append(nar.NarSize).Append('\n');
        // Always "References: " with the space, even when empty: Nix reads a value from two characters after the colon.
        text.Append("References: ").AppendJoin(' ', path.References).Append('\n');
        if (path.Deriver is { Length: > 0 } deriver)
        {
            text.Append("Deriver: ").Append(deriver).Append('\n');
        }
        foreach (var signature in path.Signatures)
        {
            text.Append("Sig: ").Append(signature).Append('\n');
        }
        if (path.Ca is { Length: > 0 } ca)
        {
            text.Append("CA: ").Append(ca).Append('\n');
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
