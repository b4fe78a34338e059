using System.Security.Cryptography;

namespace Larder.Server.Storage.Packs;

/// <summary>
/// Names of pack blobs and of the chunks inside them. A pack gets a random key (its content is a set of new chunks,
/// not one hash); each chunk in it is named <c>&lt;pack key&gt;#&lt;offset&gt;</c>, the chunk row's unique
/// <c>storage_key</c>. The '#' is not valid in a blob key, so such a name can never be mistaken for a blob.
/// </summary>
public static class PackKeys
{
    /// <summary>A fresh pack key, <c>packs/&lt;ab&gt;/&lt;32 hex&gt;.pack</c>.</summary>
    public static string Fresh()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        return $"packs/{id[..2]}/{id}.pack";
    }

    /// <summary>Whether <paramref name="blobKey"/> is a pack's (in the blob store, or inline in the metadata database).</summary>
    public static bool IsPack(string blobKey) =>
        blobKey.StartsWith("packs/", StringComparison.Ordinal) || blobKey.StartsWith(Inline.InlineKeys.Prefix + "packs/", StringComparison.Ordinal);

    /// <summary>The name of the chunk stored at <paramref name="offset"/> of pack <paramref name="packKey"/>.</summary>
    public static string Member(string packKey, long offset) => $"{packKey}#{offset}";
}
