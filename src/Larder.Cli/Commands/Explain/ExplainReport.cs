namespace Larder.Cli.Commands.Explain;

/// <summary>What <c>larder explain</c> found, as <c>--json</c> prints it.</summary>
/// <param name="Targets">The paths asked about (outputs of the given derivations, or the given store paths).</param>
/// <param name="Sources">Every source asked, substituters first.</param>
/// <param name="Summary">Counts.</param>
/// <param name="RootCauses">The reasons for builds, most saving first.</param>
/// <param name="Paths">One verdict per path Nix would have to realise, in the order they were reached from the targets.</param>
internal sealed record ExplainReport(
    IReadOnlyList<string> Targets,
    IReadOnlyList<SourceReport> Sources,
    ExplainSummary Summary,
    IReadOnlyList<RootCause> RootCauses,
    IReadOnlyList<PathVerdict> Paths);

/// <summary>A source that was asked.</summary>
/// <param name="Failure">Why some answers may be missing (the first failure), or null.</param>
internal sealed record SourceReport(string Name, string Url, bool IsSubstituter, bool IsLarder, string? Failure);

/// <summary>How many paths are already valid, will be downloaded (and how many bytes), and will be built.</summary>
internal sealed record ExplainSummary(int ValidLocally, int Download, long DownloadBytes, int Build);

/// <summary>One path's verdict; the fields beyond <see cref="Message"/> are those its verdict uses.</summary>
/// <param name="Path">The store path.</param>
/// <param name="Verdict">One of <see cref="Verdicts"/>.</param>
/// <param name="Message">The verdict in words.</param>
/// <param name="Derivation">The derivation that builds it, when known.</param>
/// <param name="Source">The source the verdict is about.</param>
/// <param name="DownloadSize">What downloading it costs, when a source told.</param>
/// <param name="Origin">How a Larder cache got it (<c>push</c>, <c>upstream</c>).</param>
/// <param name="Keys">Untrusted key names that signed it.</param>
/// <param name="MissingReferences">References in no substituter.</param>
/// <param name="At">When it was evicted or deleted, or when the same-name path was pushed.</param>
/// <param name="Reason">The event log's reason for an eviction or deletion.</param>
/// <param name="By">The token that deleted it.</param>
/// <param name="PushedPath">The pushed path of the same name (changed input).</param>
/// <param name="Differences">How this derivation differs from the pushed path's (changed input).</param>
/// <param name="BuiltInputs">Inputs that will be built (input-will-be-built).</param>
/// <param name="RootCauses">The root-cause paths this build comes down to (itself, for a root cause).</param>
internal sealed record PathVerdict(
    string Path,
    string Verdict,
    string Message,
    string? Derivation = null,
    string? Source = null,
    long? DownloadSize = null,
    string? Origin = null,
    IReadOnlyList<string>? Keys = null,
    IReadOnlyList<string>? MissingReferences = null,
    DateTimeOffset? At = null,
    string? Reason = null,
    string? By = null,
    string? PushedPath = null,
    IReadOnlyList<string>? Differences = null,
    IReadOnlyList<string>? BuiltInputs = null,
    IReadOnlyList<string>? RootCauses = null);

/// <summary>A root cause and what fixing it would save.</summary>
/// <param name="Builds">How many builds it causes (itself and every build that comes down to it).</param>
/// <param name="DownloadBytes">What downloading those paths would cost, as far as sources told.</param>
/// <param name="Affected">The paths built because of it, itself first.</param>
internal sealed record RootCause(string Path, string Verdict, string Message, int Builds, long DownloadBytes, IReadOnlyList<string> Affected);
