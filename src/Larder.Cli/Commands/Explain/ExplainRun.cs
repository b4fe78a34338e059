using Larder.Cli.Infrastructure;
using Larder.Cli.LocalStore;

namespace Larder.Cli.Commands.Explain;

/// <summary>
/// Gathers what <see cref="ExplainAnalysis"/> needs, with a fixed number of processes and requests whatever the graph's
/// size: one validity query, every source asked concurrently (a Larder cache in one
/// batched request), a second round only for references outside the graph (one level: a path outside the graph is rare, its own references rarer), and one more <c>show-derivation</c> for
/// the derivations of pushed paths with the same name.
/// </summary>
internal sealed class ExplainRun(NixSettings settings, ExplainSources sources, string nixExe = "nix")
{
    private readonly DerivationReader _derivations = new(nixExe);
    private readonly Dictionary<PathSource, string> _failures = [];

    /// <summary>Explains <paramref name="targets"/>, whose derivations (and their inputs, recursively) are <paramref name="graph"/>.</summary>
    public async Task<ExplainReport> RunAsync(ExplainTargets targets, IReadOnlyDictionary<string, Derivation> graph, CancellationToken cancellationToken)
    {
        var storeDir = StorePaths.StoreDir;
        var producers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var drv in graph.Values)
        {
            foreach (var output in drv.Outputs.Values)
            {
                producers[output] = drv.Path;
            }
        }
        var wanted = targets.Paths.Count > 0
            ? targets.Paths
            : [.. targets.Derivations.SelectMany(d => graph.TryGetValue(d, out var drv) ? drv.Outputs.Values : [])];
        var candidates = producers.Keys.Union(wanted).ToList();
        // Sources are asked about every path while the local store is checked: asking about a few valid paths too
        // costs less than waiting for the check first.
        var answers = sources.Sources.ToDictionary(s => s, _ => new Dictionary<string, PathAnswer>(StringComparer.Ordinal));
        var validTask = LocalValidity.FilterValidAsync(candidates, cancellationToken);
        await AskAllAsync(candidates, answers, cancellationToken).ConfigureAwait(false);
        var valid = await validTask.ConfigureAwait(false);

        var outside = answers.Values.SelectMany(a => a.Values).SelectMany(a => a.NarInfo?.References ?? [])
            .Select(r => $"{storeDir}/{r}").Distinct(StringComparer.Ordinal)
            .Where(r => !producers.ContainsKey(r) && !valid.Contains(r) && !answers.Values.Any(a => a.ContainsKey(r))).ToList();
        valid.UnionWith(await LocalValidity.FilterValidAsync(outside, cancellationToken).ConfigureAwait(false));
        await AskAllAsync([.. outside.Where(r => !valid.Contains(r))], answers, cancellationToken).ConfigureAwait(false);

        var pushedDrvs = answers.Values.SelectMany(a => a.Values).SelectMany(a => a.SameName ?? [])
            .Where(s => s.Deriver is not null).Select(s => $"{storeDir}/{s.Deriver}").Distinct(StringComparer.Ordinal)
            .Where(File.Exists).ToList();
        var pushed = await _derivations.ReadAsync(pushedDrvs, recursive: false, cancellationToken).ConfigureAwait(false);

        var facts = new ExplainFacts(
            storeDir, graph, producers, valid,
            [.. sources.Sources.Select(s => (s, (IReadOnlyDictionary<string, PathAnswer>)answers[s]))], settings, pushed);
        var (paths, rootCauses) = new ExplainAnalysis(facts).Run(wanted);
        var downloads = paths.Where(p => p.Verdict == Verdicts.Substitutable).ToList();
        var summary = new ExplainSummary(
            paths.Count(p => p.Verdict == Verdicts.ValidLocally), downloads.Count, downloads.Sum(p => p.DownloadSize ?? 0),
            paths.Count(p => Verdicts.WillBeBuilt(p.Verdict)));
        var reports = sources.Sources
            .Select(s => new SourceReport(s.Name, s.Url, s.IsSubstituter, s.IsLarder, _failures.GetValueOrDefault(s) ?? (s as NarInfoSource)?.Failure))
            .Concat(sources.Skipped).ToList();
        return new ExplainReport(wanted, reports, summary, rootCauses, paths);
    }

    /// <summary>Asks every source about <paramref name="paths"/> at once; a source that fails is reported, not fatal.</summary>
    private async Task AskAllAsync(
        IReadOnlyList<string> paths, Dictionary<PathSource, Dictionary<string, PathAnswer>> answers, CancellationToken cancellationToken)
    {
        if (paths.Count == 0)
        {
            return;
        }
        await Task.WhenAll(sources.Sources.Select(async source =>
        {
            try
            {
                var answered = await source.QueryAsync(paths, cancellationToken).ConfigureAwait(false);
                lock (answers)
                {
                    foreach (var (path, answer) in answered)
                    {
                        answers[source][path] = answer;
                    }
                }
            }
            catch (CliException e)
            {
                lock (answers)
                {
                    _failures.TryAdd(source, e.Message);
                }
            }
        })).ConfigureAwait(false);
    }
}
