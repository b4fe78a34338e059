using System.Text;
using Larder.Nix.Hashing;
using Larder.Nix.Signing;
using Larder.Nix.Store;

namespace Larder.Nix.NarInfo;

/// <summary>
/// The metadata file a binary cache serves at <c>/&lt;hash&gt;.narinfo</c>: <c>Key: value</c> lines, each ending
/// in <c>\n</c>, in this order when Nix writes them:
/// <code>
/// StorePath: /nix/store/&lt;hash&gt;-&lt;name&gt;
/// URL: nar/&lt;filehash&gt;.nar.xz
/// Compression: xz                      (missing means bzip2)
/// FileHash: sha256:&lt;nix32&gt;             (of the compressed file; optional)
/// FileSize: &lt;bytes&gt;                    (optional)
/// NarHash: sha256:&lt;nix32&gt;
/// NarSize: &lt;bytes&gt;
/// References: &lt;base name&gt; ...         (space-separated, sorted, always present, may be empty)
/// Deriver: &lt;base name&gt;.drv            (optional)
/// Sig: &lt;key name&gt;:&lt;base64&gt;           (repeatable, sorted)
/// CA: fixed:r:sha256:&lt;nix32&gt;          (content-addressed paths only)
/// </code>
/// Unknown keys are accepted and dropped, as Nix does.
/// </summary>
public sealed partial record NarInfo
{
    /// <summary>The compression Nix assumes when a narinfo has no <c>Compression</c> line.</summary>
    public const string DefaultCompression = "bzip2";

    /// <summary>The store path described.</summary>
    public required StorePath StorePath { get; init; }

    /// <summary>Where the (compressed) NAR is, relative to the cache root, e.g. <c>nar/&lt;hash&gt;.nar.zst</c>.</summary>
    public required string Url { get; init; }

    /// <summary>Nix's compression name: <c>none</c>, <c>xz</c>, <c>zstd</c>, <c>bzip2</c>, <c>br</c>, <c>gzip</c>, ...</summary>
    public string Compression { get; init; } = DefaultCompression;

    /// <summary>Hash of the file at <see cref="Url"/>.</summary>
    public NixHash? FileHash { get; init; }

    /// <summary>Size of the file at <see cref="Url"/>.</summary>
    public long? FileSize { get; init; }

    /// <summary>SHA-256 of the uncompressed NAR.</summary>
    public required NixHash NarHash { get; init; }

    /// <summary>Size of the uncompressed NAR.</summary>
    public required long NarSize { get; init; }

    /// <summary>Base names (<c>hash-name</c>) of the paths this one refers to, possibly including itself.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>Base name of the derivation that built this path, if known.</summary>
    public string? Deriver { get; init; }

    /// <summary>Signatures <c>keyname:base64</c>.</summary>
    public IReadOnlyList<string> Signatures { get; init; } = [];

    /// <summary>Content address (<c>text:sha256:…</c>, <c>fixed:sha256:…</c>, <c>fixed:r:sha256:…</c>), if any.</summary>
    public string? Ca { get; init; }

    /// <summary>Full store paths of <see cref="References"/>.</summary>
    public IEnumerable<string> ReferenceFullPaths => References.Select(r => $"{StorePath.StoreDir}/{r}");

    /// <summary>The string Nix signs for this path (see <see cref="Signing.Fingerprint"/>).</summary>
    public string Fingerprint => Signing.Fingerprint.For(StorePath, NarHash, NarSize, ReferenceFullPaths);

    /// <summary>A copy with <paramref name="key"/>'s signature of <see cref="Fingerprint"/> added (replacing an older one by that key).</summary>
    public NarInfo Sign(SecretKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string signature = key.Sign(System.Text.Encoding.UTF8.GetBytes(Fingerprint));
        string prefix = key.Name + ":";
        return this with
        {
            Signatures = [.. Signatures.Where(s => !s.StartsWith(prefix, StringComparison.Ordinal)), signature],
        };
    }

    /// <summary>Whether at least one of <see cref="Signatures"/> is valid for one of <paramref name="trustedKeys"/>.</summary>
    public bool VerifySignatures(IEnumerable<PublicKey> trustedKeys) => ValidSignatureKeyNames(trustedKeys).Count > 0;

    /// <summary>Names of the <paramref name="trustedKeys"/> that have a valid signature on this path.</summary>
    public IReadOnlyList<string> ValidSignatureKeyNames(IEnumerable<PublicKey> trustedKeys)
    {
        ArgumentNullException.ThrowIfNull(trustedKeys);
        byte[] message = System.Text.Encoding.UTF8.GetBytes(Fingerprint);
        var valid = new List<string>();
        foreach (var key in trustedKeys)
        {
            if (Signatures.Any(s => key.Verify(message, s)) && !valid.Contains(key.Name))
            {
                valid.Add(key.Name);
            }
        }
        return valid;
    }

    /// <summary>
    /// The narinfo text exactly as Nix writes it: fields in Nix's order, references and signatures sorted (Nix keeps
    /// them in sets), hashes as <c>sha256:&lt;nix32&gt;</c>, every line ending in <c>\n</c>.
    /// </summary>
    public string Render()
    {
        var text = new StringBuilder(512);
        text.Append("StorePath: ").Append(StorePath.FullPath).Append('\n');
        text.Append("URL: ").Append(Url).Append('\n');
        text.Append("Compression: ").Append(Compression).Append('\n');
        if (FileHash is { } fileHash)
        {
            text.Append("FileHash: ").Append(fileHash.ToNix32String()).Append('\n');
        }
        if (FileSize is { } fileSize)
        {
            text.Append("FileSize: ").Append(fileSize).Append('\n');
        }
        text.Append("NarHash: ").Append(NarHash.ToNix32String()).Append('\n');
        text.Append("NarSize: ").Append(NarSize).Append('\n');
        text.Append("References: ").AppendJoin(' ', SortedDistinct(References)).Append('\n');
        if (Deriver is not null)
        {
            text.Append("Deriver: ").Append(Deriver).Append('\n');
        }
        foreach (var signature in SortedDistinct(Signatures))
        {
            text.Append("Sig: ").Append(signature).Append('\n');
        }
        if (Ca is not null)
        {
            text.Append("CA: ").Append(Ca).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Equal when every field is; reference and signature lists compare element by element, in order.</summary>
    public bool Equals(NarInfo? other) =>
        other is not null &&
        StorePath == other.StorePath && Url == other.Url && Compression == other.Compression &&
        Nullable.Equals(FileHash, other.FileHash) && FileSize == other.FileSize &&
        NarHash == other.NarHash && NarSize == other.NarSize &&
        References.SequenceEqual(other.References, StringComparer.Ordinal) && Deriver == other.Deriver &&
        Signatures.SequenceEqual(other.Signatures, StringComparer.Ordinal) && Ca == other.Ca;

    public override int GetHashCode() => HashCode.Combine(StorePath, NarHash, NarSize, Url);

    private static IEnumerable<string> SortedDistinct(IEnumerable<string> values) =>
        values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
}
