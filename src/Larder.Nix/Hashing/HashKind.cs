namespace Larder.Nix.Hashing;

/// <summary>The hash algorithms Nix knows, with their prefixes <c>md5</c>, <c>sha1</c>, <c>sha256</c>, <c>sha512</c>.</summary>
public enum HashKind
{
    Md5,
    Sha1,
    Sha256,
    Sha512,
}
