using Larder.Nix.Signing;

namespace Larder.Cli.Commands.Explain;

/// <summary>
/// Decides, for every path Nix would realise, what will happen and why, the way Nix decides: a target that is valid
/// or substitutable needs nothing else; one that is built needs the outputs of its derivation's inputs, which are
/// judged the same way. A built path gets its own reason when it has one (a source holds it unusably, or it was
/// evicted); otherwise "will be built because its input Y will be built" when an input is built; otherwise a changed
/// input (a cache holds the same name from another derivation) or "never pushed". Root causes are ranked by the builds
/// they cause.
/// </summary>
internal sealed class ExplainAnalysis
{
    private readonly ExplainFacts _facts;
    private readonly Dictionary<string, PathVerdict> _verdicts = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly HashSet<string> _obtainable;

    public ExplainAnalysis(ExplainFacts facts)
    {
        _facts = facts;
        _obtainable = Obtainable();
    }

    /// <summary>Judges <paramref name="targets"/> and everything their builds need.</summary>
    public (IReadOnlyList<PathVerdict> Paths, IReadOnlyList<RootCause> RootCauses) Run(IReadOnlyList<string> targets)
    {
        foreach (var target in targets)
        {
            Visit(target);
        }
        var paths = _order.Select(p => _verdicts[p]).ToList();
        return (paths, Rank(paths));
    }

    /// <summary>Post-order walk without recursion (a chain of thousands of derivations would overflow the stack).</summary>
    private void Visit(string target)
    {
        var stack = new Stack<(string Path, bool Expanded)>();
        stack.Push((target, false));
        while (stack.Count > 0)
        {
            var (path, expanded) = stack.Pop();
            if (_verdicts.ContainsKey(path))
            {
                continue;
            }
            if (expanded)
            {
                Record(JudgeBuilt(path));
                continue;
            }
            if (JudgeAvailable(path) is { } available)
            {
                Record(available);
                continue;
            }
            stack.Push((path, true));
            foreach (var input in InputsOf(path).Reverse())
            {
                if (!_verdicts.ContainsKey(input))
                {
                    stack.Push((input, false));
                }
            }
        }
    }

    private void Record(PathVerdict verdict)
    {
        if (_verdicts.TryAdd(verdict.Path, verdict))
        {
            _order.Add(verdict.Path);
        }
    }

    /// <summary>The output paths the derivation of <paramref name="path"/> needs to build.</summary>
    private IEnumerable<string> InputsOf(string path)
    {
        if (_facts.DerivationOf(path) is not { } drv)
        {
            yield break;
        }
        foreach (var (inputDrv, outputs) in drv.InputDrvs.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            if (!_facts.Derivations.TryGetValue(inputDrv, out var input))
            {
                continue;
            }
            foreach (var output in outputs)
            {
                if (input.Outputs.TryGetValue(output, out var outputPath))
                {
                    yield return outputPath;
                }
            }
        }
    }

    private PathVerdict? JudgeAvailable(string path)
    {
        var drv = _facts.DerivationOf(path)?.Path;
        if (_facts.ValidLocally.Contains(path))
        {
            return new PathVerdict(path, Verdicts.ValidLocally, "valid in the local store", drv);
        }
        if (!_obtainable.Contains(path))
        {
            return null;
        }
        foreach (var (source, answers) in _facts.Sources)
        {
            if (source.IsSubstituter && answers.GetValueOrDefault(path) is { Present: true } answer && IsTrusted(answer))
            {
                var through = answer.Origin == "upstream" ? ", fetched through one of its upstream caches" : "";
                return new PathVerdict(
                    path, Verdicts.Substitutable, $"substitutable from {source.Name} ({ByteText(answer.DownloadSize)}{through})", drv,
                    source.Url, answer.DownloadSize, answer.Origin);
            }
        }
        return null;
    }

    private PathVerdict JudgeBuilt(string path)
    {
        var drv = _facts.DerivationOf(path);
        foreach (var (source, answers) in _facts.Sources)
        {
            if (answers.GetValueOrDefault(path) is { Present: true } answer && Problem(source, answer) is { } problem)
            {
                return problem with { Path = path, Derivation = drv?.Path, Source = source.Url, DownloadSize = answer.DownloadSize, RootCauses = [path] };
            }
        }
        foreach (var (source, answers) in _facts.Sources)
        {
            if (answers.GetValueOrDefault(path)?.LatestEvent is { Kind: "evict" or "delete" } e)
            {
                var what = e.Kind == "evict" ? "evicted from" : "deleted from";
                var by = e.TokenName is null ? "" : $" by token '{e.TokenName}'";
                return new PathVerdict(
                    path, Verdicts.Evicted, $"{what} {source.Name} on {e.At.UtcDateTime:yyyy-MM-dd HH:mm}Z{by}: {e.Reason ?? "no reason recorded"}",
                    drv?.Path, source.Url, At: e.At, Reason: e.Reason, By: e.TokenName, RootCauses: [path]);
            }
        }
        var builtInputs = InputsOf(path).Where(i => Verdicts.WillBeBuilt(_verdicts[i].Verdict)).Distinct(StringComparer.Ordinal).ToList();
        if (builtInputs.Count > 0)
        {
            var more = builtInputs.Count > 1 ? $" (and {builtInputs.Count - 1} more)" : "";
            var roots = builtInputs.SelectMany(i => _verdicts[i].RootCauses ?? []).Distinct(StringComparer.Ordinal).ToList();
            return new PathVerdict(
                path, Verdicts.InputWillBeBuilt, $"will be built because its input {builtInputs[0]} will be built{more}", drv?.Path,
                BuiltInputs: builtInputs, RootCauses: roots);
        }
        foreach (var (source, answers) in _facts.Sources)
        {
            if (answers.GetValueOrDefault(path)?.SameName is [var pushed, ..])
            {
                return ChangedInput(path, drv, source, pushed);
            }
        }
        var where = _facts.Sources.Any(s => s.Source.IsLarder) ? "missing everywhere and never pushed" : "missing from every substituter";
        return new PathVerdict(path, Verdicts.NeverPushed, where, drv?.Path, RootCauses: [path]);
    }

    private PathVerdict ChangedInput(string path, Derivation? drv, PathSource source, Contracts.Explain.SameNamePathDto pushed)
    {
        var pushedDrv = pushed.Deriver is null ? null : $"{_facts.StoreDir}/{pushed.Deriver}";
        IReadOnlyList<string>? differences = null;
        string detail;
        if (drv is not null && pushedDrv is not null && _facts.PushedDerivations.TryGetValue(pushedDrv, out var pushedDerivation))
        {
            differences = DerivationDiff.Describe(drv, pushedDerivation);
            detail = differences.Count == 0 ? "no difference found" : $"differs in {string.Join("; ", differences)}";
        }
        else
        {
            detail = pushedDrv is null
                ? "the pushed path names no derivation, so the differing input cannot be named"
                : $"its derivation {pushedDrv} is not in the local store, so the differing input cannot be named";
        }
        return new PathVerdict(
            path, Verdicts.ChangedInput,
            $"changed input: {source.Name} has {pushed.StorePath} (pushed {pushed.PushedAt.UtcDateTime:yyyy-MM-dd HH:mm}Z) from another derivation; {detail}",
            drv?.Path, source.Url, At: pushed.PushedAt, PushedPath: pushed.StorePath, Differences: differences, RootCauses: [path]);
    }

    /// <summary>Why Nix cannot substitute <paramref name="answer"/> from <paramref name="source"/> (path fields left for the caller), or null.</summary>
    private PathVerdict? Problem(PathSource source, PathAnswer answer)
    {
        if (!source.IsSubstituter)
        {
            return new PathVerdict("", Verdicts.NotASubstituter,
                $"present in {source.Name}, but that cache is not in substituters (larder use adds it)");
        }
        var narInfo = answer.NarInfo!;
        if (!IsTrusted(answer))
        {
            var keys = narInfo.Signatures.Select(s => s.Split(':')[0]).Distinct(StringComparer.Ordinal).ToList();
            var named = keys.Count == 0 ? "it is not signed" : $"signed by {string.Join(", ", keys)}";
            return new PathVerdict("", Verdicts.UntrustedKey,
                $"present in {source.Name}, but {named}, and no key of trusted-public-keys verifies it", Keys: keys);
        }
        var missing = ReferencesOf(answer).Where(r => !_facts.ValidLocally.Contains(r) && !_obtainable.Contains(r)).ToList();
        if (missing.Count > 0)
        {
            var more = missing.Count > 1 ? $" (and {missing.Count - 1} more)" : "";
            var elsewhere = answer.ReferencesElsewhere.Contains(missing[0][(_facts.StoreDir.Length + 1)..]) ? $", which {source.Name} does not hold," : "";
            return new PathVerdict("", Verdicts.MissingReference,
                $"present in {source.Name}, but its reference {missing[0]}{more}{elsewhere} cannot be substituted from any substituter",
                MissingReferences: missing);
        }
        return null;
    }

    private bool IsTrusted(PathAnswer answer) =>
        !_facts.Settings.RequireSigs || answer.NarInfo!.ValidSignatureKeyNames(_facts.Settings.TrustedPublicKeys).Count > 0;

    /// <summary>The references of a present path (full paths), itself excluded.</summary>
    private IEnumerable<string> ReferencesOf(PathAnswer answer) =>
        answer.NarInfo!.References.Where(r => r != answer.NarInfo.StorePath.BaseName).Select(r => $"{_facts.StoreDir}/{r}");

    /// <summary>
    /// The paths Nix can substitute: held by a substituter with a trusted signature, every reference valid or itself
    /// substitutable. Computed as the largest such set with a work list (a removed path removes its referrers in
    /// turn), in time linear in the references, without recursion.
    /// </summary>
    private HashSet<string> Obtainable()
    {
        var references = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (source, answers) in _facts.Sources.Where(s => s.Source.IsSubstituter))
        {
            foreach (var (path, answer) in answers)
            {
                if (answer.Present && !references.ContainsKey(path) && IsTrusted(answer))
                {
                    references[path] = [.. ReferencesOf(answer)];
                }
            }
        }
        var referrers = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (path, refs) in references)
        {
            foreach (var reference in refs)
            {
                if (!referrers.TryGetValue(reference, out var list))
                {
                    referrers[reference] = list = [];
                }
                list.Add(path);
            }
        }
        var obtainable = new HashSet<string>(references.Keys, StringComparer.Ordinal);
        var removed = new Queue<string>(references
            .Where(p => p.Value.Any(r => !_facts.ValidLocally.Contains(r) && !obtainable.Contains(r))).Select(p => p.Key));
        foreach (var path in removed)
        {
            obtainable.Remove(path);
        }
        while (removed.TryDequeue(out var path))
        {
            foreach (var referrer in referrers.GetValueOrDefault(path) ?? [])
            {
                if (obtainable.Remove(referrer))
                {
                    removed.Enqueue(referrer);
                }
            }
        }
        return obtainable;
    }

    private static List<RootCause> Rank(IReadOnlyList<PathVerdict> paths)
    {
        var affected = new Dictionary<string, List<PathVerdict>>(StringComparer.Ordinal);
        foreach (var verdict in paths.Where(v => v.RootCauses is not null))
        {
            foreach (var root in verdict.RootCauses!)
            {
                if (!affected.TryGetValue(root, out var list))
                {
                    affected[root] = list = [];
                }
                list.Add(verdict);
            }
        }
        var byPath = paths.ToDictionary(p => p.Path, StringComparer.Ordinal);
        return affected
            .Select(a =>
            {
                var root = byPath[a.Key];
                var builds = a.Value.OrderBy(v => v.Path == a.Key ? 0 : 1).ToList();
                return new RootCause(root.Path, root.Verdict, root.Message, builds.Count, builds.Sum(v => v.DownloadSize ?? 0), [.. builds.Select(v => v.Path)]);
            })
            .OrderByDescending(r => r.Builds).ThenByDescending(r => r.DownloadBytes).ThenBy(r => r.Path, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>A byte count for a person, or "size unknown".</summary>
    internal static string ByteText(long? bytes) => bytes is { } b ? Output.ByteSize.Format(b) : "size unknown";
}

/// <summary>Everything <see cref="ExplainAnalysis"/> judges by.</summary>
/// <param name="Derivations">The derivation graph, by <c>.drv</c> path.</param>
/// <param name="Producers">Output path to the derivation that builds it.</param>
/// <param name="ValidLocally">Paths valid in the local store.</param>
/// <param name="Sources">Every source with its answers, substituters first in nix.conf order.</param>
/// <param name="Settings">The effective Nix configuration.</param>
/// <param name="PushedDerivations">Derivations of same-name pushed paths found in the local store, for naming a changed input.</param>
internal sealed record ExplainFacts(
    string StoreDir,
    IReadOnlyDictionary<string, Derivation> Derivations,
    IReadOnlyDictionary<string, string> Producers,
    IReadOnlySet<string> ValidLocally,
    IReadOnlyList<(PathSource Source, IReadOnlyDictionary<string, PathAnswer> Answers)> Sources,
    NixSettings Settings,
    IReadOnlyDictionary<string, Derivation> PushedDerivations)
{
    public Derivation? DerivationOf(string path) =>
        Producers.TryGetValue(path, out var drv) && Derivations.TryGetValue(drv, out var derivation) ? derivation : null;
}
