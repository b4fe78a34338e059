using NarInfoRecord = Larder.Nix.NarInfo.NarInfo;

namespace Larder.Server.Upstreams;

/// <summary>
/// One upstream's answer to a narinfo request: found (<see cref="NarInfo"/>), absent (a 404, safe to remember), or
/// failed (an error, a timeout or a malformed answer: never remembered, so it never becomes a cached miss).
/// </summary>
internal sealed record UpstreamAnswer(UpstreamOutcome Outcome, NarInfoRecord? NarInfo = null)
{
    public static UpstreamAnswer Absent { get; } = new(UpstreamOutcome.Absent);

    public static UpstreamAnswer Failed { get; } = new(UpstreamOutcome.Failed);

    public static UpstreamAnswer Found(NarInfoRecord narInfo) => new(UpstreamOutcome.Found, narInfo);
}

/// <summary>How an upstream request ended (also the <c>outcome</c> label of the upstream metrics).</summary>
internal enum UpstreamOutcome
{
    Found,
    Absent,
    Failed,
}
