using Larder.Server.Storage.Packs;

namespace Larder.Server.Storage.Inline;

/// <summary>
/// Keys of blobs kept in the metadata database: every such key starts with <see cref="Prefix"/>, so the key alone
/// says where a blob lives and reading any other blob costs no database query.
/// </summary>
public static class InlineKeys
{
    /// <summary>What every inline key starts with.</summary>
    public const string Prefix = "inline/";

    /// <summary>A fresh key for an inline pack, <c>inline/packs/&lt;ab&gt;/&lt;32 hex&gt;.pack</c>.</summary>
    public static string FreshPack() => Prefix + PackKeys.Fresh();

    /// <summary>Whether <paramref name="key"/> names an inline blob.</summary>
    public static bool IsInline(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Whether a listing of <paramref name="prefix"/> may include inline blobs.</summary>
    public static bool MayList(string prefix) => IsInline(prefix) || Prefix.StartsWith(prefix, StringComparison.Ordinal);

    /// <summary>Whether a listing of <paramref name="prefix"/> may include blobs of the blob store.</summary>
    public static bool MayListOutside(string prefix) => !IsInline(prefix);
}
