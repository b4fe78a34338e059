namespace Larder.Cli.Output;

/// <summary>What <c>larder use</c> did (its <c>--json</c> output).</summary>
/// <param name="Changes">Human-readable descriptions of what changed; empty when nothing did.</param>
/// <param name="Warning">Why the change may have no effect (a Nix daemon that does not trust the user), if so.</param>
public sealed record UseResult(
    string Cache, string SubstituterUrl, string? PublicKey, string NixConf, string? Netrc, IReadOnlyList<string> Changes, string? Warning = null);

/// <summary>A narinfo as <c>larder path-info --json</c> prints it, with typed fields (sizes as numbers, lists as arrays).</summary>
/// <param name="References">Full store paths, as <c>nix path-info --json</c> gives them.</param>
/// <param name="Retention">Last access and the eviction forecast under the cache's retention policy.</param>
public sealed record PathInfoResult(
    string StorePath,
    string Url,
    string Compression,
    string? FileHash,
    long? FileSize,
    string NarHash,
    long NarSize,
    IReadOnlyList<string> References,
    string? Deriver,
    IReadOnlyList<string> Signatures,
    string? Ca,
    Larder.Contracts.Paths.PathInfoDto? Retention = null);

/// <summary>One logged-in server as <c>larder login --list --json</c> prints it (never the token).</summary>
public sealed record ServerListing(string Name, string Url, bool HasToken, bool IsDefault);
