namespace Larder.Contracts.Push;

/// <summary>
/// Everything about a store path that a push sends besides its NAR: the fields of a narinfo that do not describe
/// the file. <see cref="StorePath"/> is a full path; <see cref="References"/> and <see cref="Deriver"/> are base names
/// (<c>hash-name</c>) as in a narinfo; <see cref="NarHash"/> is <c>sha256:&lt;nix32&gt;</c>; <see cref="Signatures"/>
/// are the client's own (<c>keyname:base64</c>), kept next to the cache's. <see cref="UpstreamReferences"/> names
/// references (base names) the client did not push because one of the cache's upstream keys signed them: the cache
/// accepts the path without them, as clients substitute them from upstream.
/// </summary>
public sealed record PushPathMetadata(
    string StorePath,
    string NarHash,
    long NarSize,
    IReadOnlyList<string> References,
    string? Deriver,
    IReadOnlyList<string> Signatures,
    string? Ca,
    IReadOnlyList<string>? UpstreamReferences = null);
