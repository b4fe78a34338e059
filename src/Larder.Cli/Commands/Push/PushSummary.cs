using System.Text.Json.Serialization;

namespace Larder.Cli.Commands.Push;

/// <summary>What a push did.</summary>
/// <param name="Considered">Paths in the closure(s) asked for.</param>
/// <param name="AlreadyPresent">Paths the cache already had.</param>
/// <param name="SkippedUpstream">Paths skipped because an upstream key signed them.</param>
/// <param name="Pushed">Paths uploaded and committed.</param>
/// <param name="PushedBytes">NAR bytes of <paramref name="Pushed"/>.</param>
/// <param name="SentBytes">NAR bytes uploaded (before compression): whole NARs, and the chunks the server lacked.</param>
/// <param name="DeduplicatedBytes">NAR bytes not uploaded because the server already held those chunks.</param>
/// <param name="Failed">Paths that could not be pushed, with the reason.</param>
/// <param name="Elapsed">Wall-clock time.</param>
public sealed record PushSummary(
    int Considered,
    int AlreadyPresent,
    int SkippedUpstream,
    int Pushed,
    long PushedBytes,
    long SentBytes,
    long DeduplicatedBytes,
    IReadOnlyList<PushFailure> Failed,
    [property: JsonIgnore] TimeSpan Elapsed)
{
    /// <summary>Wall-clock time in seconds (what <c>--json</c> shows: a number, not a TimeSpan string).</summary>
    public double ElapsedSeconds => Math.Round(Elapsed.TotalSeconds, 3);
}

/// <summary>A path that was not pushed, and why.</summary>
public sealed record PushFailure(string StorePath, string Reason);
