using System.Collections.Concurrent;
using Larder.Server.Configuration;
using Microsoft.Extensions.Options;

namespace Larder.Server.Upstreams;

/// <summary>
/// This replica's memory of upstream answers, per upstream URL and hash part: narinfos found (for
/// <see cref="UpstreamOptions.PositiveTtl"/>, so a NAR request right after its narinfo needs no second lookup) and
/// absences (for <see cref="UpstreamOptions.NegativeTtl"/>). Failures are never remembered. Answers are facts about the
/// upstream, so caches sharing an upstream share them; whether a narinfo is served is decided per cache, on every use.
/// </summary>
internal sealed class UpstreamMemory(IOptions<LarderOptions> options, TimeProvider time)
{
    private const int Capacity = 100_000;
    private readonly ConcurrentDictionary<(string Upstream, string HashPart), Entry> _entries = new();

    /// <summary>The remembered answer, or null.</summary>
    public UpstreamAnswer? Recall(string upstream, string hashPart) =>
        _entries.TryGetValue((upstream, hashPart), out var entry) && time.GetUtcNow() < entry.ExpiresAt ? entry.Answer : null;

    /// <summary>Remembers a found or absent answer; failures are ignored.</summary>
    public void Remember(string upstream, string hashPart, UpstreamAnswer answer)
    {
        var ttl = answer.Outcome switch
        {
            UpstreamOutcome.Found => options.Value.Upstreams.PositiveTtl,
            UpstreamOutcome.Absent => options.Value.Upstreams.NegativeTtl,
            _ => TimeSpan.Zero,
        };
        if (ttl <= TimeSpan.Zero)
        {
            return;
        }
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }
        _entries[(upstream, hashPart)] = new Entry(answer, time.GetUtcNow() + ttl);
    }

    private sealed record Entry(UpstreamAnswer Answer, DateTimeOffset ExpiresAt);
}
